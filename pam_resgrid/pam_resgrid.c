/* The PAM entry points.  They orchestrate: leave root alone, read the
 * options, find the user and the password, run the login, map the result
 * to a PAM code in one place (pam_code), tell the user; run_phase() does
 * the setting up and cleaning up for every phase. */
#include "config.h"

#include <pwd.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "conf.h"
#include "log.h"
#include "login.h"
#include "offline.h"
#include "rights.h"
#include "secret.h"
#include "token.h"
#include "usermap.h"

/* What the authenticate phase learned, for the account phase of the same
 * transaction. */
#define RIGHTS_DATA "pam_resgrid_rights"

struct learned {
  char *user;
  struct rg_rights rights;
};

struct module {
  pam_handle_t *pamh;
  int flags;
  struct rg_config cfg;
  struct rg_log log;
};

static void syslog_sink(void *arg, int priority, const char *line) {
  pam_syslog((pam_handle_t *)arg, priority, "%s", line);
}

/* Files that decide who gets in must belong to the user the host runs
 * as: root in sshd, login, su, sudo and display managers.  A host running
 * as someone else can only be misled by files of its own user, who
 * controls it anyway. */
static int module_start(struct module *m, pam_handle_t *pamh, int flags,
                        int argc, const char **argv) {
  const struct rg_config_source source = {RG_DEFAULT_CONFIG, geteuid()};

  rg_secret_init();
  m->pamh = pamh;
  m->flags = flags;
  m->log = (struct rg_log){syslog_sink, pamh, false};
  switch (rg_config_load(&m->cfg, argc, argv, &source, &m->log)) {
  case RG_CONFIG_OK:
    m->log.debug = m->cfg.debug;
    return PAM_SUCCESS;
  case RG_CONFIG_NOMEM:
    pam_syslog(pamh, LOG_CRIT, "out of memory");
    return PAM_BUF_ERR;
  case RG_CONFIG_INVALID:
    break;
  }
  return PAM_SERVICE_ERR;
}

static void module_end(struct module *m) {
  rg_config_free(&m->cfg);
}

/* Finds the local account.  Root and system accounts are not ours: they
 * are never sent anywhere.  Names people mistype their password into are
 * logged only with debug. */
static int target_user(struct module *m, const char **user) {
  const struct passwd *pw;
  struct rg_safe safe;
  int rc = pam_get_user(m->pamh, user, NULL);

  if (rc == PAM_CONV_AGAIN)
    return PAM_INCOMPLETE;
  if (rc != PAM_SUCCESS)
    return rc;
  if (*user == NULL)
    return PAM_USER_UNKNOWN;
  pw = pam_modutil_getpwnam(m->pamh, *user);
  if (pw == NULL) {
    rg_debug(&m->log, "no local account %s", rg_sanitize(&safe, *user));
    return PAM_USER_UNKNOWN;
  }
  if (pw->pw_uid == 0 || pw->pw_uid < m->cfg.minimum_uid)
    return PAM_IGNORE;
  return PAM_SUCCESS;
}

static void tell(const struct module *m, int style, const char *text) {
  if ((m->flags & PAM_SILENT) == 0)
    pam_prompt(m->pamh, style, NULL, "%s", text);
}

/* The one place where what happened becomes a PAM code. */
static int pam_code(enum rg_result result) {
  switch (result) {
  case RG_RESULT_ONLINE:
  case RG_RESULT_OFFLINE:
    return PAM_SUCCESS;
  case RG_RESULT_REFUSED:
  case RG_RESULT_DENIED:
    return PAM_AUTH_ERR;
  case RG_RESULT_UNAVAILABLE:
    return PAM_AUTHINFO_UNAVAIL;
  case RG_RESULT_MISCONFIGURED:
    return PAM_SERVICE_ERR;
  case RG_RESULT_NOMEM:
    return PAM_BUF_ERR;
  }
  return PAM_SERVICE_ERR;
}

static void local_time(time_t when, char *out, size_t size) {
  struct tm tm;

  if (localtime_r(&when, &tm) == NULL ||
      strftime(out, size, "%Y-%m-%d %H:%M %Z", &tm) == 0)
    snprintf(out, size, "@%lld", (long long)when);
}

static void tell_outcome(const struct module *m, const struct rg_login *l) {
  char when[64];
  char text[256];

  if (l->result == RG_RESULT_OFFLINE) {
    local_time(l->offline_until, when, sizeof(when));
    snprintf(text, sizeof(text),
             "Resgrid could not be reached; signed in with cached "
             "credentials, offline sign-in allowed until %s.",
             when);
    tell(m, PAM_TEXT_INFO, text);
    rg_log(&m->log, LOG_NOTICE, "%s", text);
  } else if (l->result == RG_RESULT_REFUSED && l->token.message != NULL) {
    snprintf(text, sizeof(text), "Resgrid: %s", l->token.message);
    tell(m, PAM_ERROR_MSG, text);
  } else if (l->result == RG_RESULT_DENIED && l->locked_until > l->now) {
    local_time(l->locked_until, when, sizeof(when));
    snprintf(text, sizeof(text),
             "Too many wrong passwords while Resgrid is unreachable; "
             "offline sign-in locked until %s.",
             when);
    tell(m, PAM_ERROR_MSG, text);
  }
}

/* The Resgrid name of a local user, from the user map if any. */
static int resgrid_user(struct module *m, const char *user, char **remote) {
  struct rg_safe safe;

  switch (
      rg_usermap_resolve(&m->cfg, m->cfg.file_owner, user, remote, &m->log)) {
  case RG_NAME_OK:
    return PAM_SUCCESS;
  case RG_NAME_NOT_RESGRID:
    rg_log(&m->log, LOG_NOTICE, "user %s: not a Resgrid user name",
           rg_sanitize(&safe, user));
    return PAM_USER_UNKNOWN;
  case RG_NAME_BAD_MAP:
    return PAM_SERVICE_ERR;
  case RG_NAME_NOMEM:
    break;
  }
  return PAM_BUF_ERR;
}

static void forget_learned(pam_handle_t *pamh, void *data, int status) {
  struct learned *l = data;

  (void)pamh;
  (void)status;
  free(l->user);
  rg_rights_free(&l->rights);
  free(l);
}

/* Leaves the rights for the account phase; without them it falls back
 * to the cache, and without that it refuses. */
static void hand_over_rights(struct module *m, const char *user,
                             const struct rg_login *login) {
  struct learned *l = calloc(1, sizeof(*l));

  if (l == NULL || (l->user = strdup(user)) == NULL ||
      !rg_rights_copy(&login->rights, &l->rights) ||
      pam_set_data(m->pamh, RIGHTS_DATA, l, forget_learned) != PAM_SUCCESS) {
    if (l != NULL)
      forget_learned(m->pamh, l, 0);
    rg_log(&m->log, LOG_CRIT, "out of memory keeping the rights");
  }
}

static int run_login(struct module *m, const char *user, const char *remote,
                     const char *password) {
  struct rg_login login = {0};
  int rc;

  login.local_user = user;
  login.remote_user = remote;
  login.password = password;
  login.now = time(NULL);
  login.save = true;
  rg_login_run(&m->cfg, &m->log, &login);
  tell_outcome(m, &login);
  rc = pam_code(login.result);
  if (rc == PAM_SUCCESS && login.have_rights)
    hand_over_rights(m, user, &login);
  rg_login_free(&login);
  return rc;
}

static int authenticate(struct module *m) {
  const char *user = NULL;
  const char *password = NULL;
  char *remote = NULL;
  int rc = target_user(m, &user);

  if (rc == PAM_SUCCESS)
    rc = resgrid_user(m, user, &remote);
  if (rc == PAM_SUCCESS)
    rc = pam_get_authtok(m->pamh, PAM_AUTHTOK, &password, NULL);
  if (rc == PAM_CONV_AGAIN)
    rc = PAM_INCOMPLETE;
  if (rc == PAM_SUCCESS && (password == NULL || password[0] == '\0'))
    rc = PAM_AUTH_ERR;
  if (rc == PAM_SUCCESS)
    rc = run_login(m, user, remote, password);
  free(remote);
  return rc;
}

/* Rights for the account phase: what authenticate learned in this
 * transaction, else the cached record, if it still stands (not revoked,
 * not past the offline grace, not dated in the future). */
static bool rights_for(struct module *m, const char *user,
                       struct rg_rights *rights, const char **source) {
  const struct learned *l = NULL;
  struct rg_record record;
  struct rg_cache cache;
  struct rg_why why;
  enum rg_offline_state state;
  bool found = false;

  if (pam_get_data(m->pamh, RIGHTS_DATA, (const void **)&l) == PAM_SUCCESS &&
      l != NULL && strcmp(l->user, user) == 0) {
    *source = "this login";
    return rg_rights_copy(&l->rights, rights);
  }
  *source = "the cache";
  if (!m->cfg.offline ||
      rg_cache_open(&cache, m->cfg.cache_dir, false, &why) != RG_FILE_OK)
    return false;
  if (rg_cache_load(&cache, user, &record, &why) == RG_FILE_OK) {
    state = rg_offline_state(&record, &m->cfg, time(NULL));
    found = record.has_rights &&
            (state == RG_OFFLINE_USABLE || state == RG_OFFLINE_LOCKED) &&
            rg_rights_copy(&record.rights, rights);
    rg_record_free(&record);
  }
  rg_cache_close(&cache);
  return found;
}

static int check_access(struct module *m) {
  struct rg_rights rights;
  struct rg_safe safe;
  const char *user = NULL;
  const char *source = NULL;
  char reason[160];
  int rc = target_user(m, &user);

  if (rc != PAM_SUCCESS)
    return rc;
  if (!rg_rules_configured(&m->cfg))
    return PAM_IGNORE;
  if (!rights_for(m, user, &rights, &source)) {
    snprintf(reason, sizeof(reason),
             "Access denied: your Resgrid rights are not known here; sign "
             "in with your password while Resgrid is reachable.");
    rc = PAM_PERM_DENIED;
  } else {
    rc = rg_rules_allow(&m->cfg, &rights, reason, sizeof(reason))
             ? PAM_SUCCESS
             : PAM_PERM_DENIED;
    rg_rights_free(&rights);
  }
  if (rc != PAM_SUCCESS)
    tell(m, PAM_ERROR_MSG, reason);
  rg_log(&m->log, rc == PAM_SUCCESS ? LOG_INFO : LOG_NOTICE,
         "user %s: access %s by the rules (rights from %s)",
         rg_sanitize(&safe, user), rc == PAM_SUCCESS ? "granted" : "denied",
         source);
  return rc;
}

/* Whether user has logged in through Resgrid on this machine. */
static bool known_resgrid_user(const struct module *m, const char *user) {
  struct rg_cache cache;
  struct rg_record record;
  struct rg_why why;
  bool known;

  if (rg_cache_open(&cache, m->cfg.cache_dir, false, &why) != RG_FILE_OK)
    return false;
  known = rg_cache_load(&cache, user, &record, &why) == RG_FILE_OK;
  if (known)
    rg_record_free(&record);
  rg_cache_close(&cache);
  return known;
}

/* Passwords belong to Resgrid: its users are told where to change
 * theirs, and every other account is left to the modules below. */
static int change_password(struct module *m) {
  const char *user = NULL;
  int rc = target_user(m, &user);

  if (rc != PAM_SUCCESS || !known_resgrid_user(m, user))
    return PAM_IGNORE;
  tell(m, PAM_ERROR_MSG,
       "Your password is managed by Resgrid; change it in Resgrid.");
  return PAM_AUTHTOK_ERR;
}

/* The uid of the local account being logged in, or -1 when unknown. */
static long local_uid(pam_handle_t *pamh) {
  const struct passwd *pw;
  const char *user = NULL;

  if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
    return -1;
  pw = pam_modutil_getpwnam(pamh, user);
  return pw != NULL ? (long)pw->pw_uid : -1;
}

/* What every phase does around its own work.  Root is never ours,
 * whatever the configuration says, and is settled before it is read.
 * When the configuration cannot be read, neither can minimum_uid: system
 * accounts below its default are then left to the other modules, since
 * PAM_IGNORE grants nothing, and only the rest get the error. */
static int run_phase(pam_handle_t *pamh, int flags, int argc, const char **argv,
                     int (*phase)(struct module *)) {
  long uid = local_uid(pamh);
  struct module m;
  int rc;

  if (uid == 0)
    return PAM_IGNORE;
  rc = module_start(&m, pamh, flags, argc, argv);
  if (rc == PAM_SUCCESS)
    rc = phase(&m);
  else if (rc == PAM_SERVICE_ERR && uid > 0 && uid < RG_DEFAULT_MINIMUM_UID)
    rc = PAM_IGNORE;
  module_end(&m);
  return rc;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
                                   const char **argv) {
  return run_phase(pamh, flags, argc, argv, authenticate);
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
                                const char **argv) {
  return run_phase(pamh, flags, argc, argv, check_access);
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
                                const char **argv) {
  return run_phase(pamh, flags, argc, argv, change_password);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
                              const char **argv) {
  (void)pamh;
  (void)flags;
  (void)argc;
  (void)argv;
  return PAM_SUCCESS;
}
