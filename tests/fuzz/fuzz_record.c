/* rg_record_decode(): a cache record decides offline logins, so whatever
 * a file holds, it parses completely or not at all, and what parses
 * encodes back to the same record.
 *
 * Input: the file's text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "record.h"
#include "secret.h"
#include "token.h"

static bool same_string(const char *a, const char *b) {
  return (a == NULL && b == NULL) ||
         (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_record(const struct rg_record *r) {
  FUZZ_REQUIRE(r->user != NULL && r->user[0] != '\0');
  FUZZ_REQUIRE(r->verifier == NULL || strncmp(r->verifier, "$y$", 3) == 0);
  FUZZ_REQUIRE(r->online_at > 0 && r->token_expires >= r->online_at);
  FUZZ_REQUIRE(r->token_expires - r->online_at <= RG_MAX_TOKEN_LIFE);
  FUZZ_REQUIRE(r->id_exp >= 0 && r->locked_until >= 0 && r->failures >= 0);
  FUZZ_REQUIRE(r->rights_at >= 0 && (r->rights_at != 0) == r->has_rights);
  if (r->has_rights)
    FUZZ_REQUIRE(r->rights.department_id != NULL &&
                 r->rights.department_code != NULL);
}

static void check_same(const struct rg_record *a, const struct rg_record *b) {
  FUZZ_REQUIRE(same_string(a->user, b->user));
  FUZZ_REQUIRE(same_string(a->sub, b->sub));
  FUZZ_REQUIRE(same_string(a->name, b->name));
  FUZZ_REQUIRE(same_string(a->iss, b->iss));
  FUZZ_REQUIRE(same_string(a->verifier, b->verifier));
  FUZZ_REQUIRE(a->id_exp == b->id_exp);
  FUZZ_REQUIRE(a->token_expires == b->token_expires);
  FUZZ_REQUIRE(a->online_at == b->online_at);
  FUZZ_REQUIRE(a->failures == b->failures);
  FUZZ_REQUIRE(a->locked_until == b->locked_until);
  FUZZ_REQUIRE(a->has_rights == b->has_rights);
  FUZZ_REQUIRE(a->rights_at == b->rights_at);
  FUZZ_REQUIRE(a->rights.ngroups == b->rights.ngroups);
  FUZZ_REQUIRE(same_string(a->rights.department_id, b->rights.department_id));
  FUZZ_REQUIRE(
      same_string(a->rights.department_code, b->rights.department_code));
  FUZZ_REQUIRE(
      same_string(a->rights.department_name, b->rights.department_name));
  FUZZ_REQUIRE(same_string(a->rights.full_name, b->rights.full_name));
  FUZZ_REQUIRE(same_string(a->rights.email, b->rights.email));
  FUZZ_REQUIRE(a->rights.is_admin == b->rights.is_admin);
  for (size_t i = 0; i < a->rights.ngroups; i++) {
    FUZZ_REQUIRE(strcmp(a->rights.groups[i].id, b->rights.groups[i].id) == 0);
    FUZZ_REQUIRE(a->rights.groups[i].admin == b->rights.groups[i].admin);
  }
}

/* What the cache would write back must read back as the same record. */
static void check_round_trip(const struct rg_record *r) {
  struct rg_record again;
  struct rg_why why;
  char *text;

  fuzz_alloc_json(true);
  text = rg_record_encode(r);
  fuzz_alloc_json(false);
  if (text == NULL) {
    FUZZ_REQUIRE(fuzz_alloc_failed() > 0);
    return;
  }
  if (rg_record_decode(text, strlen(text), &again, &why)) {
    check_same(r, &again);
    rg_record_free(&again);
  } else {
    FUZZ_REQUIRE(fuzz_alloc_failed() > 0);
  }
  rg_secret_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const struct rg_record empty;
  char *text = fuzz_dup(data, size);
  struct rg_record r;
  struct rg_why why;

  fuzz_alloc_arm(data, size);
  why.text[0] = '\0';
  if (rg_record_decode(text, size, &r, &why)) {
    check_record(&r);
    check_round_trip(&r);
    rg_record_free(&r);
  } else {
    FUZZ_REQUIRE(memcmp(&r, &empty, sizeof(r)) == 0);
    FUZZ_REQUIRE(why.text[0] != '\0' && fuzz_printable(why.text));
  }
  fuzz_alloc_disarm();

  free(text);
  return 0;
}
