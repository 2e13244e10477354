/* One login attempt, online first and offline when Resgrid cannot be
 * reached: the whole decision, without PAM, so that the module and
 * resgridctl decide in exactly the same way. */
#ifndef RG_LOGIN_H
#define RG_LOGIN_H

#include <time.h>

#include "conf.h"
#include "log.h"
#include "rights.h"
#include "token.h"

/* How old cached rights may be before a login through a service without
 * rules fetches them again for the cache: an hour. */
#define RG_RIGHTS_MAX_AGE 3600

/* Zero is unavailable: a result nobody set never lets anyone in. */
enum rg_result {
  RG_RESULT_UNAVAILABLE,   /* no answer and no usable record */
  RG_RESULT_ONLINE,        /* Resgrid accepted the password */
  RG_RESULT_OFFLINE,       /* the cached record accepted it */
  RG_RESULT_REFUSED,       /* Resgrid refused it */
  RG_RESULT_DENIED,        /* offline: wrong password, or locked out */
  RG_RESULT_MISCONFIGURED, /* Resgrid rejected how we asked */
  RG_RESULT_NOMEM,
};

struct rg_login {
  /* in */
  const char *local_user;  /* names the cache record */
  const char *remote_user; /* sent to Resgrid */
  const char *password;
  time_t now;
  bool save;        /* write the cache on success (the module does) */
  bool want_rights; /* fetch the department rights on success */

  /* out */
  enum rg_result result;
  struct rg_token token; /* the online answer, when there was one */
  long elapsed_ms;
  time_t offline_until; /* RG_RESULT_OFFLINE: when the grace ends */
  time_t locked_until;  /* RG_RESULT_DENIED by a lockout */
  char detail[160];     /* for the log: status, curl error, reason */
  bool have_rights;     /* on success: from Resgrid, or else cached */
  bool rights_cached;
  struct rg_rights rights;
};

/* Runs the attempt and logs one line about it.  Release what it found
 * with rg_login_free(). */
void rg_login_run(const struct rg_config *cfg, const struct rg_log *log,
                  struct rg_login *login);

void rg_login_free(struct rg_login *login);

const char *rg_result_name(enum rg_result result);

#endif
