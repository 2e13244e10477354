/* The claims of an OpenID Connect id_token. */
#ifndef RG_IDTOKEN_H
#define RG_IDTOKEN_H

#include <stdbool.h>
#include <stddef.h>

struct rg_claims {
  char *sub;  /* the Resgrid user id */
  char *name; /* the user name as the server stores it */
  char *iss;
  long long iat; /* 0 when absent */
  long long exp; /* 0 when absent */
};

enum rg_idtoken_status {
  RG_IDTOKEN_OK,
  RG_IDTOKEN_MALFORMED,
  RG_IDTOKEN_NOMEM,
};

/* Decodes the payload of a compact JWS (header.payload.signature, each
 * base64url without padding) into claims.  The header must be a JSON
 * object naming an "alg" other than "none"; the payload must be a JSON
 * object whose "sub" and "name" are non-empty strings.
 *
 * The signature is not checked: the token comes straight from the token
 * endpoint over a TLS connection whose peer was verified, which OpenID
 * Connect Core (3.1.3.7) accepts in place of the signature.
 * FIXME: verify RS256 against the server's JWKS if id_tokens are ever
 * accepted from anywhere but that direct exchange. */
enum rg_idtoken_status rg_idtoken_decode(const char *jwt,
                                         struct rg_claims *claims);

void rg_claims_free(struct rg_claims *claims);

/* Decodes unpadded base64url; returns a NUL-terminated buffer of *len
 * bytes, or NULL on a bad character, bad length or no memory. */
unsigned char *rg_base64url_decode(const char *text, size_t text_len,
                                   size_t *len);

#endif
