/* rg_idtoken_decode() and rg_base64url_decode(): the id_token comes from
 * the network inside the token answer.
 *
 * Input: the token text (up to a NUL, as jansson would hand it over);
 * the whole input is also decoded as one base64url segment. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "idtoken.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Our own encoder, to check the decoder against. */
static char *encode(const unsigned char *raw, size_t len) {
  char *out = malloc(len / 3 * 4 + 5);
  size_t n = 0;
  unsigned long acc = 0;
  int bits = 0;

  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    acc = (acc << 8 | raw[i]) & 0xffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out[n++] = alphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0)
    out[n++] = alphabet[(acc << (6 - bits)) & 63];
  out[n] = '\0';
  return out;
}

static bool all_in_alphabet(const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '\0' || strchr(alphabet, text[i]) == NULL)
      return false;
  }
  return true;
}

static void check_base64url(const char *text, size_t len) {
  bool valid = len % 4 != 1 && all_in_alphabet(text, len);
  unsigned char *raw;
  unsigned char *again;
  size_t raw_len = 0;
  size_t again_len = 0;
  char *text2;

  raw = rg_base64url_decode(text, len, &raw_len);
  if (raw == NULL) {
    FUZZ_REQUIRE(!valid || fuzz_alloc_failed() > 0);
    return;
  }
  FUZZ_REQUIRE(valid);
  FUZZ_REQUIRE(raw_len == len * 6 / 8 && raw[raw_len] == '\0');

  /* Decoding what our encoder made of the bytes gives the bytes back. */
  text2 = encode(raw, raw_len);
  if (text2 != NULL) {
    again = rg_base64url_decode(text2, strlen(text2), &again_len);
    if (again != NULL) {
      FUZZ_REQUIRE(again_len == raw_len);
      FUZZ_REQUIRE(memcmp(again, raw, raw_len) == 0);
    } else {
      FUZZ_REQUIRE(fuzz_alloc_failed() > 0);
    }
    free(again);
    free(text2);
  }
  free(raw);
}

static void check_claims(const struct rg_claims *c) {
  FUZZ_REQUIRE(c->sub != NULL && c->sub[0] != '\0');
  FUZZ_REQUIRE(c->name != NULL && c->name[0] != '\0');
  FUZZ_REQUIRE(c->iat >= 0 && c->exp >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_dup(data, size);
  struct rg_claims claims;
  enum rg_idtoken_status st;

  fuzz_alloc_arm(data, size);
  st = rg_idtoken_decode(text, &claims);
  switch (st) {
  case RG_IDTOKEN_OK:
    check_claims(&claims);
    break;
  case RG_IDTOKEN_NOMEM:
    FUZZ_REQUIRE(fuzz_alloc_failed() > 0);
    break;
  case RG_IDTOKEN_MALFORMED:
    break;
  default:
    FUZZ_REQUIRE(!"a status outside the enum");
  }
  rg_claims_free(&claims);
  check_base64url(text, size);
  fuzz_alloc_disarm();

  free(text);
  return 0;
}
