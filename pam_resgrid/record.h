/* One user's offline record: what the last online login proved.
 *
 * Stored as JSON with a format version.  It holds a yescrypt verifier,
 * never a password, token or response body.
 */
#ifndef RG_RECORD_H
#define RG_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "rights.h"
#include "trust.h"

#define RG_RECORD_VERSION 1
#define RG_RECORD_MAX_SIZE (16 * 1024)

struct rg_record {
  char *user; /* the local account it belongs to */
  char *sub;  /* id_token claims; NULL without an id_token */
  char *name;
  char *iss;
  long long id_exp;
  long long token_expires; /* time of receipt + expires_in */
  long long online_at;     /* the last online success */
  char *verifier;          /* NULL once revoked */
  long long failures;      /* wrong offline passwords in a row */
  long long locked_until;  /* 0, or the end of an offline lockout */
  bool has_rights;         /* the department rights last seen online */
  struct rg_rights rights;
  long long rights_at; /* when Resgrid gave them; 0 without rights */
};

/* Returns the JSON text, to free with rg_secret_free(), or NULL. */
char *rg_record_encode(const struct rg_record *record);

/* Parses text completely into record.  Every field must be present with
 * its type, nothing else may be, and the values must make sense;
 * otherwise why says what is wrong and false is returned. */
bool rg_record_decode(const char *text, size_t len, struct rg_record *record,
                      struct rg_why *why);

/* Wipes and drops the verifier: no offline login until the next online
 * one writes a new record. */
void rg_record_revoke(struct rg_record *record);

void rg_record_free(struct rg_record *record);

#endif
