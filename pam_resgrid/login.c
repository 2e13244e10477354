/* One login attempt: the exchange, then what the cache makes of it.
 * Online answers decide; the cache stands in only when Resgrid is
 * unavailable, and every change to a record is made under its lock. */
#include "config.h"

#include "login.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "hasher.h"
#include "http.h"
#include "offline.h"
#include "secret.h"
#include "verifier.h"

/* Everything one attempt touches, so helpers take one argument. */
struct attempt {
  const struct rg_config *cfg;
  const struct rg_log *log;
  struct rg_login *login;
  struct rg_cache cache;
  bool have_cache;
  struct rg_hasher hasher; /* the verifier, made during the exchange */

  /* What the user's record offered before going to the network. */
  bool record_usable;
  bool rights_fresh;
};

static void open_cache(struct attempt *a) {
  struct rg_why why = {""};
  enum rg_file_status st;

  if (!a->cfg->offline || !a->login->save)
    return;
  st = rg_cache_open(&a->cache, a->cfg->cache_dir, true, &why);
  a->have_cache = st == RG_FILE_OK;
  if (!a->have_cache)
    rg_log(a->log, LOG_WARNING, "cache %s unusable: %s", a->cfg->cache_dir,
           st == RG_FILE_MISSING ? "missing" : why.text);
}

/* Loads the record with its lock held.  Returns the lock descriptor, or
 * -1 when there is no trusted record (logged when it is untrusted). */
static int locked_record(struct attempt *a, struct rg_record *record) {
  struct rg_safe user;
  struct rg_why why = {""};
  enum rg_file_status st;
  int lock = rg_cache_lock(&a->cache, a->login->local_user, &why);

  if (lock < 0) {
    rg_log(a->log, LOG_WARNING, "record of %s: %s",
           rg_sanitize(&user, a->login->local_user), why.text);
    return -1;
  }
  st = rg_cache_load(&a->cache, a->login->local_user, record, &why);
  if (st == RG_FILE_OK)
    return lock;
  if (st != RG_FILE_MISSING)
    rg_log(a->log, LOG_WARNING, "record of %s ignored: %s",
           rg_sanitize(&user, a->login->local_user), why.text);
  rg_cache_unlock(lock);
  return -1;
}

static void store(struct attempt *a, const struct rg_record *record) {
  struct rg_why why = {""};
  struct rg_safe user;

  if (rg_cache_store(&a->cache, record, &why) != RG_FILE_OK)
    rg_log(a->log, LOG_ERR, "record of %s not saved: %s",
           rg_sanitize(&user, record->user), why.text);
}

static bool copy(char **to, const char *from) {
  *to = from != NULL ? strdup(from) : NULL;
  return from == NULL || *to != NULL;
}

/* Fills a record from this online success, with a fresh verifier.  A
 * password libxcrypt cannot hash gets a record without one: the old
 * verifier, of an older password, must not outlive this login. */
static bool fresh_record(struct attempt *a, struct rg_record *r) {
  const struct rg_login *l = a->login;
  const struct rg_claims *c = &l->token.claims;

  memset(r, 0, sizeof(*r));
  r->id_exp = c->exp;
  r->online_at = (long long)l->now;
  r->token_expires = r->online_at + l->token.expires_in;
  r->verifier = rg_hasher_join(&a->hasher);
  if (r->verifier != NULL)
    rg_debug(a->log, "verifier made beside the exchange");
  else
    r->verifier = rg_verifier_make(l->password, a->cfg->verifier_cost);
  if (r->verifier == NULL)
    rg_log(a->log, LOG_WARNING,
           "no verifier for this password: no offline login until the next "
           "online one");
  return copy(&r->user, l->local_user) && copy(&r->sub, c->sub) &&
         copy(&r->name, c->name) && copy(&r->iss, c->iss);
}

/* Keeps the rights of the old record when none came this time, so that
 * a service with rules still works offline after a login through one
 * without; and hands them to the login as its fallback. */
static void carry_rights(struct attempt *a, struct rg_record *r) {
  struct rg_login *l = a->login;
  struct rg_record old;
  struct rg_why why;

  if (l->have_rights) {
    r->has_rights = rg_rights_copy(&l->rights, &r->rights);
    r->rights_at = r->has_rights ? r->online_at : 0;
    return;
  }
  if (rg_cache_load(&a->cache, l->local_user, &old, &why) != RG_FILE_OK)
    return;
  if (old.has_rights && rg_rights_copy(&old.rights, &r->rights) &&
      rg_rights_copy(&old.rights, &l->rights)) {
    r->has_rights = true;
    r->rights_at = old.rights_at;
    l->have_rights = true;
    l->rights_cached = true;
  }
  rg_record_free(&old);
}

static void remember(struct attempt *a) {
  struct rg_record r;
  struct rg_why why = {""};
  int lock = -1;

  if (!fresh_record(a, &r))
    rg_log(a->log, LOG_CRIT, "record not saved: out of memory");
  else if ((lock = rg_cache_lock(&a->cache, r.user, &why)) < 0)
    rg_log(a->log, LOG_ERR, "record not saved: %s", why.text);
  else {
    carry_rights(a, &r);
    store(a, &r);
  }
  rg_cache_unlock(lock);
  rg_record_free(&r);
}

/* A refusal of the very password the cache would accept means the
 * account changed, was locked or disabled: that password must not work
 * offline again until the next online success. */
static void revoke_if_cached(struct attempt *a) {
  struct rg_record r;
  struct rg_safe user;
  int lock = locked_record(a, &r);

  if (lock < 0)
    return;
  if (rg_verifier_matches(r.verifier, a->login->password)) {
    rg_record_revoke(&r);
    store(a, &r);
    rg_log(a->log, LOG_NOTICE, "offline login of %s revoked: refused online",
           rg_sanitize(&user, r.user));
  }
  rg_record_free(&r);
  rg_cache_unlock(lock);
}

static enum rg_result check_record(struct attempt *a, struct rg_record *r) {
  struct rg_login *l = a->login;
  enum rg_offline_state state = rg_offline_state(r, a->cfg, l->now);

  if (state == RG_OFFLINE_LOCKED) {
    l->locked_until = (time_t)r->locked_until;
    snprintf(l->detail, sizeof(l->detail), "%s; offline login locked",
             l->token.reason);
    return RG_RESULT_DENIED;
  }
  if (state != RG_OFFLINE_USABLE) {
    snprintf(l->detail, sizeof(l->detail), "%s; cached record %s",
             l->token.reason, rg_offline_state_name(state));
    return RG_RESULT_UNAVAILABLE;
  }
  if (!rg_verifier_matches(r->verifier, l->password)) {
    rg_offline_failed(r, a->cfg, l->now);
    l->locked_until = (time_t)r->locked_until;
    store(a, r);
    snprintf(l->detail, sizeof(l->detail), "%s; wrong offline password",
             l->token.reason);
    return RG_RESULT_DENIED;
  }
  if (rg_offline_reset(r))
    store(a, r);
  if (r->has_rights && rg_rights_copy(&r->rights, &l->rights)) {
    l->have_rights = true;
    l->rights_cached = true;
  }
  l->offline_until = rg_offline_until(r, a->cfg);
  snprintf(l->detail, sizeof(l->detail), "%s; cached credentials",
           l->token.reason);
  return RG_RESULT_OFFLINE;
}

static enum rg_result try_offline(struct attempt *a) {
  struct rg_record r;
  enum rg_result result;
  int lock;

  if (!a->have_cache)
    return RG_RESULT_UNAVAILABLE;
  lock = locked_record(a, &r);
  if (lock < 0) {
    snprintf(a->login->detail, sizeof(a->login->detail), "%s; no record",
             a->login->token.reason);
    return RG_RESULT_UNAVAILABLE;
  }
  result = check_record(a, &r);
  rg_record_free(&r);
  rg_cache_unlock(lock);
  return result;
}

/* Looks at the user's record before going to the network: whether it
 * could stand in for Resgrid, and whether its rights are recent. */
static void peek(struct attempt *a) {
  long long now = (long long)a->login->now;
  struct rg_record r;
  struct rg_why why;

  if (!a->have_cache ||
      rg_cache_load(&a->cache, a->login->local_user, &r, &why) != RG_FILE_OK)
    return;
  a->record_usable =
      rg_offline_state(&r, a->cfg, a->login->now) == RG_OFFLINE_USABLE;
  a->rights_fresh = r.has_rights && r.rights_at <= now &&
                    now - r.rights_at < RG_RIGHTS_MAX_AGE;
  rg_record_free(&r);
}

/* During an outage that another login noticed moments ago, users with a
 * usable record skip the network and its timeout. */
static bool outage_known(const struct attempt *a) {
  return a->record_usable && rg_cache_outage_recent(&a->cache, a->login->now,
                                                    a->cfg->outage_memory);
}

/* Fetches the rights on the token request's connection.  Anything but
 * a well-formed answer leaves the login without fresh rights: the cached
 * ones stand in, and without them the account phase fails closed. */
static void fetch_rights(struct attempt *a, struct rg_http *http) {
  struct rg_login *l = a->login;
  long budget_ms = a->cfg->timeout * 1000 - l->elapsed_ms;
  struct rg_http_answer answer;
  struct rg_why why = {""};

  if (budget_ms <= 0)
    snprintf(why.text, sizeof(why.text), "no time left");
  else if (rg_http_rights(http, l->token.access_token, budget_ms, &answer) != 0)
    return;
  else if (answer.curl_code != 0 || answer.oversized)
    snprintf(why.text, sizeof(why.text), "%s",
             answer.oversized ? "answer over the cap"
                              : curl_easy_strerror(answer.curl_code));
  else if (answer.status != 200)
    snprintf(why.text, sizeof(why.text), "HTTP %ld", answer.status);
  else if (rg_rights_parse_envelope(answer.body, answer.body_len, &l->rights,
                                    &why))
    l->have_rights = true;
  if (!l->have_rights)
    rg_log(a->log, LOG_WARNING, "rights unavailable: %s", why.text);
}

/* The rules need fresh rights.  The cache needs them too, since a
 * service with rules may be used offline after logins through services
 * without; but they cost a round trip, so a login without rules renews
 * them only when the cached ones are missing or older than
 * RG_RIGHTS_MAX_AGE. */
static bool needs_rights(const struct attempt *a) {
  return a->login->want_rights || rg_rules_configured(a->cfg) ||
         (a->have_cache && !a->rights_fresh);
}

/* Starts the slow hash an accepted login will store, to run beside the
 * handshakes and the server's wait.  It is wasted when the answer is a
 * refusal or does not come: the price of not adding it to every online
 * login. */
static void start_verifier(struct attempt *a) {
  if (a->have_cache &&
      !rg_hasher_start(&a->hasher, a->login->password, a->cfg->verifier_cost))
    rg_debug(a->log, "no thread for the verifier: made after the exchange");
}

static enum rg_result exchange(struct attempt *a) {
  struct rg_login *l = a->login;
  struct rg_http_answer answer;
  struct rg_why why = {""};
  struct rg_http http;
  int rc;

  switch (rg_http_open(&http, a->cfg, &why)) {
  case RG_HTTP_OK:
    break;
  case RG_HTTP_BAD_CA:
    snprintf(l->detail, sizeof(l->detail), "ca_file %s", why.text);
    return RG_RESULT_MISCONFIGURED;
  case RG_HTTP_NOMEM:
    return RG_RESULT_NOMEM;
  }
  /* After libcurl's set-up, which may change the environment on first
   * use: nothing of ours runs beside it. */
  start_verifier(a);
  rc = rg_http_token(&http, l->remote_user, l->password, &answer,
                     &l->elapsed_ms);
  if (rc == 0 && !rg_token_classify(&answer, l->remote_user, &l->token))
    rc = -1;
  if (rc == 0 && answer.curl_code != 0 && http.detail[0] != '\0')
    rg_debug(a->log, "libcurl: %s", http.detail);
  if (rc == 0 && l->token.outcome == RG_ACCEPTED && needs_rights(a))
    fetch_rights(a, &http);
  rg_http_close(&http);
  if (rc != 0)
    return RG_RESULT_NOMEM;
  snprintf(l->detail, sizeof(l->detail), "%s", l->token.reason);
  switch (l->token.outcome) {
  case RG_ACCEPTED:
    return RG_RESULT_ONLINE;
  case RG_REFUSED:
    return RG_RESULT_REFUSED;
  case RG_MISCONFIGURED:
    return RG_RESULT_MISCONFIGURED;
  case RG_UNAVAILABLE:
    break;
  }
  return RG_RESULT_UNAVAILABLE;
}

static enum rg_result decide(struct attempt *a) {
  enum rg_result result;

  peek(a);
  if (outage_known(a)) {
    snprintf(a->login->token.reason, sizeof(a->login->token.reason),
             "outage seen in the last %lds", a->cfg->outage_memory);
    return try_offline(a);
  }
  result = exchange(a);
  if (!a->have_cache)
    return result;
  if (result == RG_RESULT_ONLINE) {
    rg_cache_clear_outage(&a->cache);
    remember(a);
  } else if (result == RG_RESULT_REFUSED) {
    revoke_if_cached(a);
  } else if (result == RG_RESULT_UNAVAILABLE) {
    rg_cache_note_outage(&a->cache, a->login->now);
    result = try_offline(a);
  }
  return result;
}

static int priority_of(enum rg_result result) {
  switch (result) {
  case RG_RESULT_ONLINE:
    return LOG_INFO;
  case RG_RESULT_OFFLINE:
  case RG_RESULT_REFUSED:
  case RG_RESULT_DENIED:
    return LOG_NOTICE;
  case RG_RESULT_UNAVAILABLE:
    return LOG_WARNING;
  case RG_RESULT_MISCONFIGURED:
    return LOG_ERR;
  case RG_RESULT_NOMEM:
    return LOG_CRIT;
  }
  return LOG_ERR;
}

void rg_login_run(const struct rg_config *cfg, const struct rg_log *log,
                  struct rg_login *login) {
  struct attempt a = {.cfg = cfg, .log = log, .login = login, .cache = {-1, 0}};
  bool mapped = strcmp(login->local_user, login->remote_user) != 0;
  struct rg_safe user, remote;

  memset(&login->token, 0, sizeof(login->token));
  memset(&login->rights, 0, sizeof(login->rights));
  login->have_rights = false;
  login->rights_cached = false;
  login->detail[0] = '\0';
  open_cache(&a);
  login->result = decide(&a);
  /* Refused, unavailable or not stored: the thread is joined all the
   * same, here, after any offline check it ran beside. */
  rg_secret_free(rg_hasher_join(&a.hasher));
  if (a.have_cache)
    rg_cache_close(&a.cache);
  rg_log(log, priority_of(login->result), "user %s%s%s: %s (%s) in %ld ms",
         rg_sanitize(&user, login->local_user), mapped ? " as " : "",
         mapped ? rg_sanitize(&remote, login->remote_user) : "",
         rg_result_name(login->result), login->detail, login->elapsed_ms);
}

void rg_login_free(struct rg_login *login) {
  rg_token_free(&login->token);
  rg_rights_free(&login->rights);
  login->have_rights = false;
}

const char *rg_result_name(enum rg_result result) {
  switch (result) {
  case RG_RESULT_UNAVAILABLE:
    return "unavailable";
  case RG_RESULT_ONLINE:
    return "accepted";
  case RG_RESULT_OFFLINE:
    return "accepted offline";
  case RG_RESULT_REFUSED:
    return "refused";
  case RG_RESULT_DENIED:
    return "denied offline";
  case RG_RESULT_MISCONFIGURED:
    return "misconfigured";
  case RG_RESULT_NOMEM:
    return "out of memory";
  }
  return "unknown";
}
