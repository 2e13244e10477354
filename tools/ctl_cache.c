/* resgridctl cache: look after the offline records.  Reading and
 * changing them goes through the module's own cache code, with its trust
 * checks and locks; nothing here prints a verifier. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "ctl.h"
#include "offline.h"
#include "rights.h"

void ctl_show_rights(struct ctl *ctl, const struct rg_rights *r) {
  ctl_say(ctl, "rights:  department %s (id %s%s%s), %s\n", r->department_code,
          r->department_id, r->department_name != NULL ? ", " : "",
          r->department_name != NULL ? r->department_name : "",
          r->is_admin ? "department admin" : "not a department admin");
  for (size_t i = 0; i < r->ngroups; i++)
    ctl_say(ctl, "         group %s%s\n", r->groups[i].id,
            r->groups[i].admin ? " (group admin)" : "");
  ctl_put(ctl, "rights", rg_rights_to_json(r));
}

/* A record's state in words, as `cache list` shows it. */
static const char *state_text(const struct ctl *ctl, const struct rg_record *r,
                              char *out, size_t size) {
  enum rg_offline_state state = rg_offline_state(r, &ctl->cfg, time(NULL));
  char when[64];

  if (state == RG_OFFLINE_LOCKED)
    snprintf(out, size, "locked until %s",
             ctl_time(r->locked_until, when, sizeof(when)));
  else
    snprintf(out, size, "%s", rg_offline_state_name(state));
  return out;
}

static json_t *record_json(const struct ctl *ctl, const struct rg_record *r) {
  char state[96];

  return json_pack(
      "{s:s, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I, s:s, s:b, s:I, s:o}", "user",
      r->user, "sub", r->sub, "name", r->name, "iss", r->iss, "online_at",
      (json_int_t)r->online_at, "token_expires", (json_int_t)r->token_expires,
      "offline_until", (json_int_t)rg_offline_until(r, &ctl->cfg), "failures",
      (json_int_t)r->failures, "state",
      state_text(ctl, r, state, sizeof(state)), "revoked", r->verifier == NULL,
      "locked_until", (json_int_t)r->locked_until, "rights",
      r->has_rights ? rg_rights_to_json(&r->rights) : json_null());
}

struct listing {
  struct ctl *ctl;
  json_t *items;
};

static void list_one(void *arg, const char *file, enum rg_file_status st,
                     const struct rg_record *r, const struct rg_why *why) {
  struct listing *list = arg;
  struct ctl *ctl = list->ctl;
  char online[64], expires[64], until[64], state[96];

  if (st != RG_FILE_OK) {
    ctl_say(ctl, "%-24s untrusted: %s\n", file, why->text);
    json_array_append_new(list->items,
                          json_pack("{s:s, s:s, s:s}", "file", file, "state",
                                    "untrusted", "reason", why->text));
    return;
  }
  ctl_say(ctl, "%-24s %-10s %-22s %-22s %-22s %s\n", r->user,
          r->has_rights ? r->rights.department_code : "-",
          ctl_time(r->online_at, online, sizeof(online)),
          ctl_time(r->token_expires, expires, sizeof(expires)),
          ctl_time(rg_offline_until(r, &ctl->cfg), until, sizeof(until)),
          state_text(ctl, r, state, sizeof(state)));
  json_array_append_new(list->items, record_json(ctl, r));
}

static int open_cache(struct ctl *ctl, struct rg_cache *cache) {
  struct rg_why why = {""};
  enum rg_file_status st =
      rg_cache_open(cache, ctl->cfg.cache_dir, false, &why);

  if (st == RG_FILE_OK)
    return CTL_OK;
  fprintf(stderr, "resgridctl: cache %s: %s\n", ctl->cfg.cache_dir,
          st == RG_FILE_MISSING ? "missing" : why.text);
  return CTL_CACHE;
}

static int list_records(struct ctl *ctl, struct rg_cache *cache) {
  struct listing l = {ctl, json_array()};

  ctl_say(ctl, "%-24s %-10s %-22s %-22s %-22s %s\n", "USER", "DEPT",
          "LAST ONLINE", "TOKEN EXPIRES", "OFFLINE UNTIL", "STATE");
  if (!rg_cache_each(cache, list_one, &l)) {
    json_decref(l.items);
    fprintf(stderr, "resgridctl: cannot read %s\n", ctl->cfg.cache_dir);
    return CTL_CACHE;
  }
  ctl_put(ctl, "records", l.items);
  return CTL_OK;
}

static int load(struct rg_cache *cache, const char *user, struct rg_record *r) {
  struct rg_why why = {""};
  enum rg_file_status st = rg_cache_load(cache, user, r, &why);

  if (st == RG_FILE_OK)
    return CTL_OK;
  fprintf(stderr, "resgridctl: %s: %s\n", user,
          st == RG_FILE_MISSING ? "no record" : why.text);
  return CTL_CACHE;
}

static int show_user(struct ctl *ctl, struct rg_cache *cache,
                     const char *user) {
  struct rg_record r;
  char online[64], expires[64], until[64], state[96];
  int rc = load(cache, user, &r);

  if (rc != CTL_OK)
    return rc;
  ctl_say(ctl,
          "user:          %s\nresgrid name:  %s\nsub:           %s\n"
          "last online:   %s\ntoken expires: %s\noffline until: %s\n"
          "state:         %s\nfailures:      %lld\n",
          r.user, r.name != NULL ? r.name : "-", r.sub != NULL ? r.sub : "-",
          ctl_time(r.online_at, online, sizeof(online)),
          ctl_time(r.token_expires, expires, sizeof(expires)),
          ctl_time(rg_offline_until(&r, &ctl->cfg), until, sizeof(until)),
          state_text(ctl, &r, state, sizeof(state)), r.failures);
  if (r.has_rights && !ctl->json)
    ctl_show_rights(ctl, &r.rights);
  ctl_put(ctl, "record", record_json(ctl, &r));
  rg_record_free(&r);
  return CTL_OK;
}

static int revoke_user(struct ctl *ctl, struct rg_cache *cache,
                       const char *user) {
  struct rg_why why = {""};
  struct rg_record r;
  int lock = rg_cache_lock(cache, user, &why);
  int rc;

  if (lock < 0) {
    fprintf(stderr, "resgridctl: %s: %s\n", user, why.text);
    return CTL_CACHE;
  }
  rc = load(cache, user, &r);
  if (rc == CTL_OK) {
    rg_record_revoke(&r);
    if (rg_cache_store(cache, &r, &why) != RG_FILE_OK) {
      fprintf(stderr, "resgridctl: %s: %s\n", user, why.text);
      rc = CTL_CACHE;
    }
    rg_record_free(&r);
  }
  rg_cache_unlock(lock);
  ctl_say(ctl, "%s: %s\n", user,
          rc == CTL_OK ? "revoked until the next online login" : "unchanged");
  ctl_put(ctl, "revoked", json_boolean(rc == CTL_OK));
  return rc;
}

/* Removes each trusted record; untrusted files are left for the
 * administrator to look at. */
static void purge_one(void *arg, const char *file, enum rg_file_status st,
                      const struct rg_record *r, const struct rg_why *why) {
  const struct rg_cache *cache = arg;
  struct rg_why ignored;

  (void)file;
  (void)why;
  if (st == RG_FILE_OK)
    rg_cache_remove(cache, r->user, &ignored);
}

static int purge_records(struct ctl *ctl, struct rg_cache *cache,
                         const char *user) {
  struct rg_why why = {""};

  if (user == NULL) {
    if (!rg_cache_each(cache, purge_one, cache))
      return CTL_CACHE;
    ctl_say(ctl, "all trusted records purged\n");
  } else if (rg_cache_remove(cache, user, &why) != RG_FILE_OK) {
    fprintf(stderr, "resgridctl: %s: %s\n", user, why.text);
    return CTL_CACHE;
  } else {
    ctl_say(ctl, "%s: purged\n", user);
  }
  ctl_put(ctl, "purged", json_true());
  return CTL_OK;
}

static bool usage_ok(int argc, char **argv) {
  static const char *const verbs[] = {"list", "show", "revoke", "purge"};
  static const int counts[] = {2, 3, 3, 3};

  for (size_t i = 0; argc >= 2 && i < sizeof(verbs) / sizeof(verbs[0]); i++) {
    if (strcmp(argv[1], verbs[i]) == 0)
      return argc == counts[i];
  }
  return false;
}

static int dispatch(struct ctl *ctl, struct rg_cache *cache, char **argv) {
  const char *verb = argv[1];

  if (strcmp(verb, "list") == 0)
    return list_records(ctl, cache);
  if (strcmp(verb, "show") == 0)
    return show_user(ctl, cache, argv[2]);
  if (strcmp(verb, "revoke") == 0)
    return revoke_user(ctl, cache, argv[2]);
  return purge_records(ctl, cache,
                       strcmp(argv[2], "--all") == 0 ? NULL : argv[2]);
}

int ctl_cache(struct ctl *ctl, int argc, char **argv) {
  struct rg_cache cache;
  int rc;

  if (!usage_ok(argc, argv)) {
    fprintf(stderr, "usage: resgridctl cache list | show USER | revoke USER "
                    "| purge USER|--all\n");
    return CTL_USAGE;
  }
  rc = open_cache(ctl, &cache);
  if (rc != CTL_OK)
    return rc;
  rc = dispatch(ctl, &cache, argv);
  rg_cache_close(&cache);
  return rc;
}
