#include "config.h"

#include "token.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "secret.h"

#define GENERIC_REFUSAL "The username or password is invalid."

static bool settle(struct rg_token *t, enum rg_outcome outcome, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));

static bool settle(struct rg_token *t, enum rg_outcome outcome, const char *fmt,
                   ...) {
  va_list ap;

  t->outcome = outcome;
  va_start(ap, fmt);
  vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
  va_end(ap);
  return true;
}

static json_t *parse_object(const struct rg_http_answer *http) {
  json_t *root;

  if (http->body_len == 0)
    return NULL;
  root = json_loadb(http->body, http->body_len, JSON_REJECT_DUPLICATES, NULL);
  if (root != NULL && !json_is_object(root)) {
    json_decref(root);
    return NULL;
  }
  return root;
}

/* The id_token must be about the user we asked for: a server, proxy or
 * cache that answers for somebody else must not log this user in.
 * Returns false only when out of memory; an unacceptable token settles
 * the outcome as unavailable. */
static bool check_id_token(struct rg_token *t, const json_t *id_token,
                           const char *user) {
  enum rg_idtoken_status st;

  if (!json_is_string(id_token))
    return settle(t, RG_UNAVAILABLE, "id_token is not a string");
  st = rg_idtoken_decode(json_string_value(id_token), &t->claims);
  if (st == RG_IDTOKEN_NOMEM)
    return false;
  if (st != RG_IDTOKEN_OK)
    return settle(t, RG_UNAVAILABLE, "id_token cannot be decoded");
  t->have_claims = true;
  if (strcasecmp(t->claims.name, user) != 0)
    return settle(t, RG_UNAVAILABLE, "id_token names another user");
  return true;
}

static long long expires_in(const json_t *root) {
  const json_t *v = json_object_get(root, "expires_in");
  long long seconds;

  if (!json_is_integer(v) || json_integer_value(v) <= 0)
    return 0;
  seconds = (long long)json_integer_value(v);
  return seconds > RG_MAX_TOKEN_LIFE ? RG_MAX_TOKEN_LIFE : seconds;
}

static bool judge_success(const json_t *root, const char *user,
                          struct rg_token *t) {
  const char *access = json_string_value(json_object_get(root, "access_token"));
  const char *type = json_string_value(json_object_get(root, "token_type"));
  const json_t *id_token = json_object_get(root, "id_token");

  if (access == NULL || access[0] == '\0')
    return settle(t, RG_UNAVAILABLE, "HTTP 200 without an access_token");
  if (type == NULL || strcasecmp(type, "Bearer") != 0)
    return settle(t, RG_UNAVAILABLE, "HTTP 200 with a token_type not Bearer");
  if (id_token != NULL) {
    if (!check_id_token(t, id_token, user))
      return false;
    if (t->reason[0] != '\0') /* refused by check_id_token() */
      return true;
  }
  t->access_token = strdup(access);
  t->expires_in = expires_in(root);
  settle(t, RG_ACCEPTED, "HTTP 200");
  return t->access_token != NULL;
}

static bool classify_success(const struct rg_http_answer *http,
                             const char *user, struct rg_token *t) {
  json_t *root = parse_object(http);
  bool ok;

  if (root == NULL)
    return settle(t, RG_UNAVAILABLE, "HTTP 200 without a JSON object");
  ok = judge_success(root, user, t);
  json_decref(root);
  return ok;
}

static bool refused(struct rg_token *t, const char *description) {
  struct rg_safe safe;

  settle(t, RG_REFUSED, "HTTP 400 invalid_grant");
  if (description == NULL || strcmp(description, GENERIC_REFUSAL) == 0)
    return true;
  t->message = strdup(rg_sanitize(&safe, description));
  return t->message != NULL;
}

static bool classify_error(const struct rg_http_answer *http,
                           struct rg_token *t) {
  static const char *const ours[] = {"invalid_client", "invalid_scope",
                                     "unsupported_grant_type",
                                     "invalid_request"};
  json_t *root = parse_object(http);
  const char *error = json_string_value(json_object_get(root, "error"));
  bool ok = true;

  if (error == NULL) {
    settle(t, RG_UNAVAILABLE, "HTTP %ld without an OAuth error", http->status);
  } else if (strcmp(error, "invalid_grant") == 0 && http->status == 400) {
    ok = refused(t,
                 json_string_value(json_object_get(root, "error_description")));
  } else {
    settle(t, RG_UNAVAILABLE, "HTTP %ld with an unexpected error",
           http->status);
    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
      if (strcmp(error, ours[i]) == 0)
        settle(t, RG_MISCONFIGURED, "HTTP %ld %s", http->status, ours[i]);
    }
  }
  json_decref(root);
  return ok;
}

bool rg_token_classify(const struct rg_http_answer *http, const char *user,
                       struct rg_token *t) {
  long status = http->status;

  memset(t, 0, sizeof(*t));
  if (http->oversized)
    return settle(t, RG_UNAVAILABLE, "response larger than the cap");
  if (http->curl_code != 0)
    return settle(t, RG_UNAVAILABLE, "%s",
                  curl_easy_strerror((CURLcode)http->curl_code));
  if (status == 200)
    return classify_success(http, user, t);
  if (status == 400 || status == 401)
    return classify_error(http, t);
  if (status >= 300 && status < 400)
    return settle(t, RG_UNAVAILABLE, "HTTP %ld redirect, not followed", status);
  if (status == 429)
    return settle(t, RG_UNAVAILABLE, "HTTP 429 rate limited");
  return settle(t, RG_UNAVAILABLE, "HTTP %ld", status);
}

void rg_token_free(struct rg_token *t) {
  rg_secret_free(t->access_token);
  free(t->message);
  rg_claims_free(&t->claims);
  memset(t, 0, sizeof(*t));
}

const char *rg_outcome_name(enum rg_outcome outcome) {
  switch (outcome) {
  case RG_ACCEPTED:
    return "accepted";
  case RG_REFUSED:
    return "refused";
  case RG_UNAVAILABLE:
    return "unavailable";
  case RG_MISCONFIGURED:
    return "misconfigured";
  }
  return "unknown";
}
