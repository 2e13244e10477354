/* rg_usermap_lookup(): the user map decides which Resgrid account a
 * local account logs in as.
 *
 * Input: the local name up to the first NUL, the file's text after it;
 * without a NUL, the whole input is the file and the name is
 * "responder". */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "usermap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, '\0', size);
  const uint8_t *file = nul != NULL ? nul + 1 : data;
  size_t file_len = size - (size_t)(file - data);
  char *local = nul != NULL ? fuzz_dup(data, (size_t)(nul - data))
                            : fuzz_dup((const uint8_t *)"responder", 9);
  const char *path = fuzz_write_file("user_map", file, file_len);
  struct fuzz_log counts;
  struct rg_log log = fuzz_log_open(&counts);
  enum rg_config_status st;
  char *remote = NULL;

  fuzz_alloc_arm(data, size);
  (void)rg_resgrid_name_valid(local);
  st = rg_usermap_lookup(path, geteuid(), local, &remote, &log);
  switch (st) {
  case RG_CONFIG_OK:
    FUZZ_REQUIRE(remote == NULL || rg_resgrid_name_valid(remote));
    break;
  case RG_CONFIG_INVALID:
    FUZZ_REQUIRE(remote == NULL && counts.errors > 0);
    break;
  case RG_CONFIG_NOMEM:
    FUZZ_REQUIRE(remote == NULL && fuzz_alloc_failed() > 0);
    break;
  default:
    FUZZ_REQUIRE(!"a status outside the enum");
  }
  free(remote);
  fuzz_alloc_disarm();

  free(local);
  return 0;
}
