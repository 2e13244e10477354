/* rg_config_load(): the configuration file and the module arguments of a
 * PAM service line.
 *
 * Input: the file's text up to the first NUL; what follows, split at
 * each NUL, is the argument vector.  "config=" naming the file comes
 * last, so the file read is always ours.  Each argument is also parsed
 * as a duration. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

#define MAX_ARGS 32
#define TEN_YEARS (10L * 366 * 24 * 3600)

/* Values may hold UTF-8 (an IDN host, a folder's name), never a control
 * character. */
static bool has_control(const char *text) {
  for (; *text != '\0'; text++) {
    if ((unsigned char)*text < 0x20 || *text == 0x7f)
      return true;
  }
  return false;
}

static void check_config(const struct rg_config *cfg) {
  FUZZ_REQUIRE(cfg->api_url != NULL);
  FUZZ_REQUIRE(strncasecmp(cfg->api_url, "https://", 8) == 0);
  FUZZ_REQUIRE(!has_control(cfg->api_url));
  FUZZ_REQUIRE(cfg->scope != NULL && cfg->scope[0] != '\0');
  FUZZ_REQUIRE(cfg->cache_dir != NULL && cfg->cache_dir[0] == '/');
  FUZZ_REQUIRE(!has_control(cfg->cache_dir));
  FUZZ_REQUIRE(cfg->ca_file == NULL || cfg->ca_file[0] == '/');
  FUZZ_REQUIRE(cfg->user_map == NULL || cfg->user_map[0] == '/');
  FUZZ_REQUIRE(cfg->timeout >= 1 && cfg->timeout <= 300);
  FUZZ_REQUIRE(cfg->connect_timeout >= 1);
  FUZZ_REQUIRE(cfg->connect_timeout <= cfg->timeout);
  FUZZ_REQUIRE(cfg->verifier_cost >= 1 && cfg->verifier_cost <= 11);
  FUZZ_REQUIRE(cfg->offline_max_failures >= 1);
  FUZZ_REQUIRE(cfg->offline_max_failures <= 1000);
  FUZZ_REQUIRE(cfg->offline_grace >= 0 && cfg->offline_grace <= TEN_YEARS);
  FUZZ_REQUIRE(cfg->offline_lockout >= 0 && cfg->offline_lockout <= TEN_YEARS);
  FUZZ_REQUIRE(cfg->outage_memory >= 0 && cfg->outage_memory <= TEN_YEARS);
  FUZZ_REQUIRE(cfg->require_department == NULL ||
               (cfg->require_department[0] != '\0' &&
                strpbrk(cfg->require_department, " ,") == NULL));
  FUZZ_REQUIRE(cfg->require_group == NULL || cfg->require_group[0] != '\0');
}

static void check_durations(int argc, const char **argv) {
  for (int i = 0; i < argc; i++) {
    long seconds = -1;

    if (rg_parse_duration(argv[i], &seconds))
      FUZZ_REQUIRE(seconds >= 0 && seconds <= TEN_YEARS);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, '\0', size);
  size_t file_len = nul != NULL ? (size_t)(nul - data) : size;
  const struct rg_config_source source = {"/nonexistent/pam_resgrid.conf",
                                          geteuid()};
  const char *argv[MAX_ARGS + 1];
  char config_arg[160];
  struct fuzz_log counts;
  struct rg_log log = fuzz_log_open(&counts);
  struct rg_config cfg;
  enum rg_config_status st;
  char *args = NULL;
  int argc = 0;

  snprintf(config_arg, sizeof(config_arg), "config=%s",
           fuzz_write_file("pam_resgrid.conf", data, file_len));
  if (nul != NULL) {
    size_t rest = size - file_len - 1;

    args = fuzz_dup(nul + 1, rest);
    for (char *p = args; argc < MAX_ARGS && p <= args + rest;
         p += strlen(p) + 1)
      argv[argc++] = p;
  }
  argv[argc++] = config_arg;

  fuzz_alloc_arm(data, size);
  st = rg_config_load(&cfg, argc, argv, &source, &log);
  switch (st) {
  case RG_CONFIG_OK:
    check_config(&cfg);
    break;
  case RG_CONFIG_INVALID:
    FUZZ_REQUIRE(counts.errors > 0);
    break;
  case RG_CONFIG_NOMEM:
    FUZZ_REQUIRE(fuzz_alloc_failed() > 0);
    break;
  default:
    FUZZ_REQUIRE(!"a status outside the enum");
  }
  rg_config_free(&cfg);
  check_durations(argc, argv);
  fuzz_alloc_disarm();

  free(args);
  return 0;
}
