#include "config.h"

#include "record.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "token.h"

/* Keeps every sum of times far from overflow: the year 5000. */
#define MAX_TIME 95617584000LL

char *rg_record_encode(const struct rg_record *r) {
  json_t *rights = r->has_rights ? rg_rights_to_json(&r->rights) : json_null();
  json_t *obj;
  char *text;

  if (rights == NULL)
    return NULL;
  obj = json_pack(
      "{s:i, s:s, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:s?, s:I, "
      "s:I, s:o, s:I}",
      "version", RG_RECORD_VERSION, "user", r->user, "sub", r->sub, "name",
      r->name, "iss", r->iss, "id_exp", (json_int_t)r->id_exp, "token_expires",
      (json_int_t)r->token_expires, "online_at", (json_int_t)r->online_at,
      "verifier", r->verifier, "failures", (json_int_t)r->failures,
      "locked_until", (json_int_t)r->locked_until, "rights", rights,
      "rights_at", (json_int_t)r->rights_at);
  if (obj == NULL)
    return NULL;
  text = json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(obj);
  return text;
}

static bool fail(struct rg_why *why, const char *reason) {
  snprintf(why->text, sizeof(why->text), "%s", reason);
  return false;
}

/* A string or null, copied; false for any other type or no memory. */
static bool optional_string(const json_t *v, char **out) {
  *out = NULL;
  if (json_is_null(v))
    return true;
  if (!json_is_string(v))
    return false;
  *out = strdup(json_string_value(v));
  return *out != NULL;
}

static bool sane(const struct rg_record *r, struct rg_why *why) {
  if (r->user[0] == '\0')
    return fail(why, "empty user");
  if (r->id_exp < 0 || r->id_exp > MAX_TIME || r->online_at <= 0 ||
      r->online_at > MAX_TIME || r->locked_until < 0 ||
      r->locked_until > MAX_TIME || r->token_expires < r->online_at ||
      r->token_expires - r->online_at > RG_MAX_TOKEN_LIFE || r->rights_at < 0 ||
      r->rights_at > MAX_TIME || (r->rights_at != 0) != r->has_rights)
    return fail(why, "a time is out of range");
  if (r->failures < 0 || r->failures > 1000000)
    return fail(why, "failure count out of range");
  if (r->verifier != NULL && strncmp(r->verifier, "$y$", 3) != 0)
    return fail(why, "verifier is not yescrypt");
  return true;
}

static bool unpack(json_t *root, struct rg_record *r, struct rg_why *why) {
  json_t *sub, *name, *iss, *verifier, *rights;
  json_int_t version, id_exp, token_expires, online_at, failures, locked,
      rights_at;
  const char *user;
  json_error_t err;

  if (json_unpack_ex(root, &err, JSON_STRICT,
                     "{s:I, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:I, "
                     "s:I, s:o, s:I}",
                     "version", &version, "user", &user, "sub", &sub, "name",
                     &name, "iss", &iss, "id_exp", &id_exp, "token_expires",
                     &token_expires, "online_at", &online_at, "verifier",
                     &verifier, "failures", &failures, "locked_until", &locked,
                     "rights", &rights, "rights_at", &rights_at) != 0)
    return fail(why, "fields missing, extra or of the wrong type");
  if (version != RG_RECORD_VERSION)
    return fail(why, "unknown format version");
  r->user = strdup(user);
  if (r->user == NULL || !optional_string(sub, &r->sub) ||
      !optional_string(name, &r->name) || !optional_string(iss, &r->iss) ||
      !optional_string(verifier, &r->verifier))
    return fail(why, "a claim or the verifier is not a string");
  r->id_exp = id_exp;
  r->token_expires = token_expires;
  r->online_at = online_at;
  r->failures = failures;
  r->locked_until = locked;
  r->rights_at = rights_at;
  if (!json_is_null(rights)) {
    if (!rg_rights_from_json(rights, &r->rights, why))
      return false;
    r->has_rights = true;
  }
  return sane(r, why);
}

bool rg_record_decode(const char *text, size_t len, struct rg_record *r,
                      struct rg_why *why) {
  json_t *root;
  bool ok;

  memset(r, 0, sizeof(*r));
  root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
  if (root == NULL)
    return fail(why, "not valid JSON");
  ok = json_is_object(root) ? unpack(root, r, why)
                            : fail(why, "not a JSON object");
  json_decref(root);
  if (!ok)
    rg_record_free(r);
  return ok;
}

void rg_record_revoke(struct rg_record *r) {
  rg_secret_free(r->verifier);
  r->verifier = NULL;
}

void rg_record_free(struct rg_record *r) {
  free(r->user);
  free(r->sub);
  free(r->name);
  free(r->iss);
  rg_secret_free(r->verifier);
  rg_rights_free(&r->rights);
  memset(r, 0, sizeof(*r));
}
