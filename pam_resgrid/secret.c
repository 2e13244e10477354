#include "config.h"

#include "secret.h"

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
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

void rg_wiping_free(void *ptr) {
  if (ptr == NULL)
    return;
  explicit_bzero(ptr, malloc_usable_size(ptr));
  free(ptr);
}

void *rg_wiping_realloc(void *ptr, size_t size) {
  size_t old = ptr != NULL ? malloc_usable_size(ptr) : 0;
  void *fresh;

  if (size == 0) {
    rg_wiping_free(ptr);
    return NULL;
  }
  fresh = malloc(size);
  if (fresh == NULL)
    return NULL;
  if (ptr != NULL)
    memcpy(fresh, ptr, old < size ? old : size);
  rg_wiping_free(ptr);
  return fresh;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_jansson(void) {
  json_malloc_t m = NULL;
  json_free_t f = NULL;

  json_get_alloc_funcs(&m, &f);
  if (m == malloc && f == free)
    json_set_alloc_funcs(malloc, rg_wiping_free);
}

void rg_secret_init(void) {
  pthread_once(&init_once, init_jansson);
}
