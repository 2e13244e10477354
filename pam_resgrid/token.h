/* What an answer from the token endpoint means.
 *
 * Every exchange ends in exactly one outcome, decided here and nowhere
 * else, from what the transport saw.  The function is pure: it is
 * unit-tested with a table of answers and fuzzed.
 */
#ifndef RG_TOKEN_H
#define RG_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "idtoken.h"

/* The longest token life believed: a larger expires_in is cut to this,
 * so a server's mistake cannot stretch the offline grace. */
#define RG_MAX_TOKEN_LIFE (30LL * 86400)

/* Zero is unavailable, so that an answer nobody classified can never
 * count as accepted. */
enum rg_outcome {
  RG_UNAVAILABLE,   /* no trustworthy answer: offline rules apply */
  RG_ACCEPTED,      /* the server vouched for this user and password */
  RG_REFUSED,       /* the server said no */
  RG_MISCONFIGURED, /* the server rejected how we asked */
};

/* What the transport brought back. */
struct rg_http_answer {
  int curl_code;    /* 0, or the CURLcode that ended the exchange */
  long status;      /* the HTTP status, 0 if none arrived */
  const char *body; /* NUL-terminated; may be empty */
  size_t body_len;
  bool oversized; /* the body passed the cap and was cut off */
};

struct rg_token {
  enum rg_outcome outcome;
  char reason[96];      /* for the log: never holds a secret or a body */
  char *message;        /* refused: the server's reason, sanitised, for the
                           user; NULL when it is the generic one */
  char *access_token;   /* accepted: free with rg_token_free() */
  long long expires_in; /* accepted: seconds, 0 if the server gave none */
  bool have_claims;
  struct rg_claims claims; /* accepted with an id_token */
};

/* Classifies http for a login as user (the Resgrid name that was sent).
 * Returns false only when out of memory; token is then undefined but
 * safe to pass to rg_token_free(). */
bool rg_token_classify(const struct rg_http_answer *http, const char *user,
                       struct rg_token *token);

void rg_token_free(struct rg_token *token);

const char *rg_outcome_name(enum rg_outcome outcome);

#endif
