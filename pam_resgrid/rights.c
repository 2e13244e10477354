#include "config.h"

#include "rights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Field names: the server's PascalCase, and ours in cache records. */
struct names {
  const char *id, *code, *name, *full_name, *email, *admin, *groups, *group_id,
      *group_admin;
};

static const struct names server = {
    "DepartmentId", "DepartmentCode", "DepartmentName",
    "FullName",     "EmailAddress",   "IsAdmin",
    "Groups",       "GroupId",        "IsGroupAdmin"};

static const struct names ours = {
    "department_id", "department_code", "department_name", "full_name",
    "email",         "is_admin",        "groups",          "id",
    "admin"};

static bool fail(struct rg_why *why, const char *reason) {
  snprintf(why->text, sizeof(why->text), "%s", reason);
  return false;
}

static bool fits(const json_t *v) {
  return json_string_length(v) <= RG_MAX_RIGHTS_STRING;
}

/* Copies a required, non-empty string. */
static bool required(const json_t *obj, const char *key, char **out) {
  const json_t *v = json_object_get(obj, key);
  const char *s = json_string_value(v);

  *out = s != NULL && s[0] != '\0' && fits(v) ? strdup(s) : NULL;
  return *out != NULL;
}

/* Copies an optional string: missing and null are fine. */
static bool optional(const json_t *obj, const char *key, char **out) {
  const json_t *v = json_object_get(obj, key);

  *out = NULL;
  if (v == NULL || json_is_null(v))
    return true;
  if (!json_is_string(v) || !fits(v))
    return false;
  *out = strdup(json_string_value(v));
  return *out != NULL;
}

static bool parse_groups(const json_t *array, const struct names *n,
                         struct rg_rights *r, struct rg_why *why) {
  size_t count = json_array_size(array);

  if (!json_is_array(array))
    return fail(why, "groups are not a list");
  if (count > RG_MAX_GROUPS)
    return fail(why, "too many groups");
  r->groups = calloc(count + 1, sizeof(*r->groups));
  if (r->groups == NULL)
    return fail(why, "out of memory");
  for (size_t i = 0; i < count; i++) {
    const json_t *g = json_array_get(array, i);
    const json_t *admin = json_object_get(g, n->group_admin);

    if (!json_is_object(g) || !json_is_boolean(admin) ||
        !required(g, n->group_id, &r->groups[i].id))
      return fail(why, "a group is malformed");
    r->groups[i].admin = json_is_true(admin);
    r->ngroups++;
  }
  return true;
}

static bool parse_object(const json_t *obj, const struct names *n,
                         struct rg_rights *r, struct rg_why *why) {
  const json_t *admin = json_object_get(obj, n->admin);

  memset(r, 0, sizeof(*r));
  if (!json_is_object(obj))
    return fail(why, "rights are not an object");
  if (!required(obj, n->id, &r->department_id) ||
      !required(obj, n->code, &r->department_code))
    return fail(why, "department id or code missing");
  if (!json_is_boolean(admin))
    return fail(why, "admin flag missing");
  r->is_admin = json_is_true(admin);
  if (!optional(obj, n->name, &r->department_name) ||
      !optional(obj, n->full_name, &r->full_name) ||
      !optional(obj, n->email, &r->email))
    return fail(why, "a name is not a string");
  return parse_groups(json_object_get(obj, n->groups), n, r, why);
}

bool rg_rights_parse_envelope(const char *body, size_t len, struct rg_rights *r,
                              struct rg_why *why) {
  json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
  bool ok;

  memset(r, 0, sizeof(*r));
  if (root == NULL)
    return fail(why, "not valid JSON");
  ok = parse_object(json_object_get(root, "Data"), &server, r, why);
  json_decref(root);
  if (!ok)
    rg_rights_free(r);
  return ok;
}

bool rg_rights_from_json(const json_t *object, struct rg_rights *r,
                         struct rg_why *why) {
  bool ok = parse_object(object, &ours, r, why);

  if (!ok)
    rg_rights_free(r);
  return ok;
}

json_t *rg_rights_to_json(const struct rg_rights *r) {
  json_t *groups = json_array();
  json_t *obj;

  for (size_t i = 0; groups != NULL && i < r->ngroups; i++) {
    if (json_array_append_new(groups,
                              json_pack("{s:s, s:b}", "id", r->groups[i].id,
                                        "admin", r->groups[i].admin)) != 0) {
      json_decref(groups);
      return NULL;
    }
  }
  if (groups == NULL)
    return NULL;
  obj = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:b, s:o}", "department_id",
                  r->department_id, "department_code", r->department_code,
                  "department_name", r->department_name, "full_name",
                  r->full_name, "email", r->email, "is_admin", r->is_admin,
                  "groups", groups);
  return obj;
}

bool rg_rights_copy(const struct rg_rights *from, struct rg_rights *to) {
  json_t *obj = rg_rights_to_json(from);
  struct rg_why why;
  bool ok;

  memset(to, 0, sizeof(*to));
  if (obj == NULL)
    return false;
  ok = rg_rights_from_json(obj, to, &why);
  json_decref(obj);
  return ok;
}

void rg_rights_free(struct rg_rights *r) {
  for (size_t i = 0; r->groups != NULL && i < r->ngroups; i++)
    free(r->groups[i].id);
  free(r->groups);
  free(r->department_id);
  free(r->department_code);
  free(r->department_name);
  free(r->full_name);
  free(r->email);
  memset(r, 0, sizeof(*r));
}

bool rg_rules_configured(const struct rg_config *cfg) {
  return cfg->require_department != NULL || cfg->require_group != NULL ||
         cfg->require_admin || cfg->require_group_admin;
}

/* Whether id is one of the comma-separated ids in list. */
static bool listed(const char *list, const char *id) {
  size_t len = strlen(id);

  for (const char *p = list; *p != '\0';) {
    size_t n = strcspn(p, ",");

    if (n == len && strncmp(p, id, n) == 0)
      return true;
    p += n;
    if (*p == ',')
      p++;
  }
  return false;
}

/* Whether the user is in a required group (any group without
 * require_group), and with admin_needed, its admin. */
static bool in_group(const struct rg_config *cfg, const struct rg_rights *r,
                     bool admin_needed) {
  for (size_t i = 0; i < r->ngroups; i++) {
    if (cfg->require_group != NULL &&
        !listed(cfg->require_group, r->groups[i].id))
      continue;
    if (!admin_needed || r->groups[i].admin)
      return true;
  }
  return false;
}

static bool deny(char *reason, size_t size, const char *text) {
  snprintf(reason, size, "%s", text);
  return false;
}

bool rg_rules_allow(const struct rg_config *cfg, const struct rg_rights *r,
                    char *reason, size_t size) {
  const char *dept = cfg->require_department;

  if (dept != NULL && strcmp(dept, r->department_id) != 0 &&
      strcasecmp(dept, r->department_code) != 0)
    return deny(reason, size,
                "Access denied: your Resgrid department may not use this "
                "machine.");
  if (cfg->require_group != NULL && !in_group(cfg, r, false))
    return deny(reason, size,
                "Access denied: you are not in a Resgrid group (station) "
                "allowed here.");
  if (cfg->require_admin && !r->is_admin)
    return deny(reason, size,
                "Access denied: only Resgrid department admins may do "
                "this.");
  if (cfg->require_group_admin && !in_group(cfg, r, true))
    return deny(reason, size,
                "Access denied: only Resgrid group admins may do this.");
  return true;
}
