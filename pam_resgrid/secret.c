#include "config.h"

#include "secret.h"

#include <stdlib.h>
#include <string.h>

void rg_secret_free(char *secret) {
  if (secret == NULL)
    return;
  explicit_bzero(secret, strlen(secret));
  free(secret);
}

void rg_secret_free_n(void *buf, size_t len) {
  if (buf == NULL)
    return;
  explicit_bzero(buf, len);
  free(buf);
}

int rg_secret_equal(const char *a, const char *b) {
  size_t la = strlen(a);
  size_t lb = strlen(b);
  unsigned char diff = la == lb ? 0 : 1;

  /* Walk the shorter length only: lengths are not secret here (verifiers
   * of one scheme have one length), the contents are. */
  for (size_t i = 0; i < la && i < lb; i++)
    diff |= (unsigned char)(a[i] ^ b[i]);
  return diff == 0;
}
