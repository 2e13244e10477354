/* The department rights: rg_rights_parse_envelope() on Resgrid's answer,
 * rg_rights_from_json() on the same text as a cache record would hold
 * it, and the access rules on whatever parsed.
 *
 * Input: one JSON text. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rights.h"

static bool same_string(const char *a, const char *b) {
  return (a == NULL && b == NULL) ||
         (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_rights(const struct rg_rights *r) {
  FUZZ_REQUIRE(r->department_id != NULL && r->department_id[0] != '\0');
  FUZZ_REQUIRE(r->department_code != NULL && r->department_code[0] != '\0');
  FUZZ_REQUIRE(r->ngroups <= RG_MAX_GROUPS);
  FUZZ_REQUIRE(r->groups != NULL);
  for (size_t i = 0; i < r->ngroups; i++)
    FUZZ_REQUIRE(r->groups[i].id != NULL && r->groups[i].id[0] != '\0');
}

static void check_empty(const struct rg_rights *r, const struct rg_why *why) {
  static const struct rg_rights empty;

  FUZZ_REQUIRE(memcmp(r, &empty, sizeof(empty)) == 0);
  FUZZ_REQUIRE(why->text[0] != '\0' && fuzz_printable(why->text));
}

/* A copy goes through the cache's JSON form and back: it must be equal. */
static void check_copy(const struct rg_rights *r) {
  struct rg_rights c;
  bool copied;

  fuzz_alloc_json(true);
  copied = rg_rights_copy(r, &c);
  fuzz_alloc_json(false);
  if (!copied) {
    FUZZ_REQUIRE(fuzz_alloc_failed() > 0);
    return;
  }
  FUZZ_REQUIRE(same_string(c.department_id, r->department_id));
  FUZZ_REQUIRE(same_string(c.department_code, r->department_code));
  FUZZ_REQUIRE(same_string(c.department_name, r->department_name));
  FUZZ_REQUIRE(same_string(c.full_name, r->full_name));
  FUZZ_REQUIRE(same_string(c.email, r->email));
  FUZZ_REQUIRE(c.is_admin == r->is_admin && c.ngroups == r->ngroups);
  for (size_t i = 0; i < r->ngroups; i++) {
    FUZZ_REQUIRE(strcmp(c.groups[i].id, r->groups[i].id) == 0);
    FUZZ_REQUIRE(c.groups[i].admin == r->groups[i].admin);
  }
  rg_rights_free(&c);
}

/* Every rule set gives an answer, and a refusal says why. */
static void check_rules(const struct rg_rights *r) {
  static char department[] = "RG-DEPT";
  static char groups[] = "1,2,g-3";
  struct rg_config cfg;
  char reason[160];

  memset(&cfg, 0, sizeof(cfg));
  for (int set = 0; set < 16; set++) {
    cfg.require_department = (set & 1) != 0 ? department : NULL;
    cfg.require_group = (set & 2) != 0 ? groups : NULL;
    cfg.require_admin = (set & 4) != 0;
    cfg.require_group_admin = (set & 8) != 0;
    reason[0] = '\0';
    if (!rg_rules_allow(&cfg, r, reason, sizeof(reason)))
      FUZZ_REQUIRE(reason[0] != '\0' && rg_rules_configured(&cfg));
  }
}

static void parsed(bool ok, struct rg_rights *r, const struct rg_why *why) {
  if (!ok) {
    check_empty(r, why);
    return;
  }
  check_rights(r);
  check_copy(r);
  check_rules(r);
  rg_rights_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_dup(data, size);
  struct rg_rights r;
  struct rg_why why;
  json_t *root;

  fuzz_alloc_arm(data, size);
  why.text[0] = '\0';
  parsed(rg_rights_parse_envelope(text, size, &r, &why), &r, &why);

  root = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
  if (root != NULL) {
    why.text[0] = '\0';
    parsed(rg_rights_from_json(root, &r, &why), &r, &why);
    json_decref(root);
  }
  fuzz_alloc_disarm();

  free(text);
  return 0;
}
