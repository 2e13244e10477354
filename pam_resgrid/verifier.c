#include "config.h"

#include "verifier.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

/* Runs crypt_rn() in a heap buffer wiped afterwards: struct crypt_data
 * holds the password and intermediate state.  Returns a copy of the
 * hash, or NULL on failure. */
static char *hash_with(const char *password, const char *setting) {
  struct crypt_data *data = calloc(1, sizeof(*data));
  char *hash = NULL;

  if (data == NULL)
    return NULL;
  if (crypt_rn(password, setting, data, (int)sizeof(*data)) != NULL &&
      data->output[0] != '*')
    hash = strdup(data->output);
  rg_secret_free_n(data, sizeof(*data));
  return hash;
}

char *rg_verifier_make(const char *password, long cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];

  /* NULL random bytes: libxcrypt draws the salt from the kernel. */
  if (crypt_gensalt_rn("$y$", (unsigned long)cost, NULL, 0, setting,
                       (int)sizeof(setting)) == NULL)
    return NULL;
  return hash_with(password, setting);
}

bool rg_verifier_matches(const char *verifier, const char *password) {
  char *hash;
  bool same;

  if (verifier == NULL || strncmp(verifier, "$y$", 3) != 0)
    return false;
  hash = hash_with(password, verifier);
  if (hash == NULL)
    return false;
  same = rg_secret_equal(hash, verifier);
  rg_secret_free(hash);
  return same;
}
