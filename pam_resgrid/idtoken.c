#include "config.h"

#include "idtoken.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENT (16 * 1024)

static int sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

unsigned char *rg_base64url_decode(const char *text, size_t text_len,
                                   size_t *len) {
  unsigned char *out;
  unsigned long acc = 0;
  size_t n = 0;
  int bits = 0;

  /* One leftover character carries fewer than eight bits: never valid. */
  if (text_len % 4 == 1)
    return NULL;
  out = malloc(text_len / 4 * 3 + 3);
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < text_len; i++) {
    int v = sextet((unsigned char)text[i]);

    if (v < 0) {
      free(out);
      return NULL;
    }
    acc = (acc << 6 | (unsigned long)v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (unsigned char)(acc >> bits);
    }
  }
  out[n] = '\0';
  *len = n;
  return out;
}

/* Parses one base64url segment as a JSON object. */
static json_t *segment_object(const char *start, size_t len) {
  unsigned char *raw;
  size_t raw_len;
  json_t *obj;

  if (len == 0 || len > MAX_SEGMENT)
    return NULL;
  raw = rg_base64url_decode(start, len, &raw_len);
  if (raw == NULL)
    return NULL;
  obj = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
  free(raw);
  if (obj != NULL && !json_is_object(obj)) {
    json_decref(obj);
    return NULL;
  }
  return obj;
}

static bool header_acceptable(const json_t *header) {
  const char *alg = json_string_value(json_object_get(header, "alg"));

  return alg != NULL && alg[0] != '\0' && strcmp(alg, "none") != 0;
}

/* Copies a string claim into *out (NULL when absent).  jansson refuses
 * "\u0000" unless asked, so a claim never hides a NUL. */
static enum rg_idtoken_status string_claim(const json_t *payload,
                                           const char *name, char **out) {
  const json_t *v = json_object_get(payload, name);

  *out = NULL;
  if (v == NULL)
    return RG_IDTOKEN_OK;
  if (!json_is_string(v))
    return RG_IDTOKEN_MALFORMED;
  *out = strdup(json_string_value(v));
  return *out != NULL ? RG_IDTOKEN_OK : RG_IDTOKEN_NOMEM;
}

static long long time_claim(const json_t *payload, const char *name) {
  const json_t *v = json_object_get(payload, name);

  return json_is_integer(v) && json_integer_value(v) > 0
             ? (long long)json_integer_value(v)
             : 0;
}

static bool present(const char *s) {
  return s != NULL && s[0] != '\0';
}

static enum rg_idtoken_status read_claims(const json_t *payload,
                                          struct rg_claims *claims) {
  enum rg_idtoken_status st;

  st = string_claim(payload, "sub", &claims->sub);
  if (st == RG_IDTOKEN_OK)
    st = string_claim(payload, "name", &claims->name);
  if (st == RG_IDTOKEN_OK)
    st = string_claim(payload, "iss", &claims->iss);
  if (st != RG_IDTOKEN_OK)
    return st;
  claims->iat = time_claim(payload, "iat");
  claims->exp = time_claim(payload, "exp");
  if (!present(claims->sub) || !present(claims->name))
    return RG_IDTOKEN_MALFORMED;
  return RG_IDTOKEN_OK;
}

/* The signature is not checked (see idtoken.h), but a token whose third
 * part is not even base64url is not a token. */
static bool signature_shaped(const char *sig) {
  if (sig[0] == '\0')
    return false;
  for (; *sig != '\0'; sig++) {
    if (sextet((unsigned char)*sig) < 0)
      return false;
  }
  return true;
}

enum rg_idtoken_status rg_idtoken_decode(const char *jwt,
                                         struct rg_claims *claims) {
  const char *dot1 = strchr(jwt, '.');
  const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
  json_t *header = NULL;
  json_t *payload = NULL;
  enum rg_idtoken_status st = RG_IDTOKEN_MALFORMED;

  memset(claims, 0, sizeof(*claims));
  if (dot2 == NULL || !signature_shaped(dot2 + 1))
    return RG_IDTOKEN_MALFORMED;
  header = segment_object(jwt, (size_t)(dot1 - jwt));
  if (header != NULL && header_acceptable(header))
    payload = segment_object(dot1 + 1, (size_t)(dot2 - dot1 - 1));
  if (payload != NULL)
    st = read_claims(payload, claims);
  if (st != RG_IDTOKEN_OK)
    rg_claims_free(claims);
  json_decref(header);
  json_decref(payload);
  return st;
}

void rg_claims_free(struct rg_claims *claims) {
  free(claims->sub);
  free(claims->name);
  free(claims->iss);
  memset(claims, 0, sizeof(*claims));
}
