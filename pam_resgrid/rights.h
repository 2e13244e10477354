/* A user's department rights, as Resgrid reports them
 * (GET /api/v4/Security/GetCurrentUsersRights), and the access rules a
 * PAM service sets on them. */
#ifndef RG_RIGHTS_H
#define RG_RIGHTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "trust.h"

/* Resgrid puts a user in one group today; a few more are tolerated, an
 * answer with more is not Resgrid's. */
#define RG_MAX_GROUPS 64

struct rg_group {
  char *id;
  bool admin;
};

struct rg_rights {
  char *department_id;
  char *department_code;
  char *department_name;
  char *full_name;
  char *email;
  bool is_admin;
  size_t ngroups;
  struct rg_group *groups;
};

/* No string in a rights answer is longer; a longer one is not Resgrid's,
 * and would make a cache record too large to read back. */
#define RG_MAX_RIGHTS_STRING 320

/* Parses the v4 envelope ({"Data": {...}, ...}).  DepartmentId and
 * DepartmentCode must be non-empty strings, IsAdmin a boolean, Groups an
 * array of at most RG_MAX_GROUPS objects with a string GroupId and a
 * boolean IsGroupAdmin; names and e-mail may be missing or null.  No
 * string may pass RG_MAX_RIGHTS_STRING bytes.  Other fields are ignored.
 * On false, why says what is wrong. */
bool rg_rights_parse_envelope(const char *body, size_t len,
                              struct rg_rights *rights, struct rg_why *why);

/* The same fields as a cache record keeps them: a JSON object of
 * lower-case keys, read back with the same checks as the envelope. */
bool rg_rights_from_json(const json_t *object, struct rg_rights *rights,
                         struct rg_why *why);
json_t *rg_rights_to_json(const struct rg_rights *rights);

bool rg_rights_copy(const struct rg_rights *from, struct rg_rights *to);
void rg_rights_free(struct rg_rights *rights);

/* Whether the configuration sets any access rule. */
bool rg_rules_configured(const struct rg_config *cfg);

/* Checks the rules against rights.  Returns true when they all hold;
 * otherwise reason gets one line for the user, saying what is missing. */
bool rg_rules_allow(const struct rg_config *cfg, const struct rg_rights *rights,
                    char *reason, size_t size);

#endif
