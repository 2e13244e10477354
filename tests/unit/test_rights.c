/* Department rights: the envelope Resgrid sends, the record form the
 * cache keeps, and the access rules a service sets on them. */
#include "unit.h"

#include <jansson.h>
#include <time.h>

#include "conf.h"
#include "rights.h"

/* The answer of GET /api/v4/Security/GetCurrentUsersRights as the contract
 * shows it: pretty-printed, PascalCase, with the envelope's siblings. */
static const char envelope[] =
    "{\n"
    "  \"Data\": {\n"
    "    \"DepartmentName\": \"Lakeside Fire District\",\n"
    "    \"DepartmentCode\": \"XK2P\",\n"
    "    \"DepartmentId\": \"1457\",\n"
    "    \"FullName\": \"John Doe\",\n"
    "    \"EmailAddress\": \"jdoe@example.org\",\n"
    "    \"IsAdmin\": false,\n"
    "    \"CanViewPII\": false, \"CanCreateCalls\": true, \"CanAddNote\": "
    "true,\n"
    "    \"CanCreateMessage\": true, \"CanCreateWorkflow\": false,\n"
    "    \"CanLoginToDispatchApp\": true, \"CanLoginToCommandApp\": false,\n"
    "    \"CanManageWorkflowCredentials\": false, \"CanViewWorkflowRuns\": "
    "false,\n"
    "    \"Groups\": [ { \"GroupId\": \"2311\", \"IsGroupAdmin\": true } ]\n"
    "  },\n"
    "  \"PageSize\": 1, \"Timestamp\": \"2024-05-01T12:00:00Z\", "
    "\"Version\": \"v4\",\n"
    "  \"Node\": \"api-01\", \"Environment\": \"prod\", \"RequestId\": "
    "\"7f3e\",\n"
    "  \"Status\": \"success\"\n"
    "}";

/* The same rights in the record form. */
static const char record[] =
    "{\"department_id\": \"1457\", \"department_code\": \"XK2P\","
    " \"department_name\": \"Lakeside Fire District\","
    " \"full_name\": \"John Doe\", \"email\": \"jdoe@example.org\","
    " \"is_admin\": false, \"groups\": [{\"id\": \"2311\", \"admin\": true}]}";

static struct rg_rights rights;
static struct rg_rights copy;
static struct rg_config cfg;
static char reason[256];

static void setup(void) {
  memset(&rights, 0, sizeof(rights));
  memset(&copy, 0, sizeof(copy));
  memset(&cfg, 0, sizeof(cfg));
  memset(reason, 0, sizeof(reason));
}

static void teardown(void) {
  rg_rights_free(&rights);
  rg_rights_free(&copy);
  rg_config_free(&cfg);
}

static json_t *load_json(const char *text) {
  json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);

  ck_assert_msg(v != NULL, "not JSON: %s", text);
  return v;
}

/* The whole of r is empty, as a refusal must leave it. */
static void assert_empty(const struct rg_rights *r) {
  ck_assert_ptr_null(r->department_id);
  ck_assert_ptr_null(r->department_code);
  ck_assert_ptr_null(r->department_name);
  ck_assert_ptr_null(r->full_name);
  ck_assert_ptr_null(r->email);
  ck_assert(!r->is_admin);
  ck_assert_uint_eq(r->ngroups, 0);
  ck_assert_ptr_null(r->groups);
}

/* The sample's fields, as both forms hold them. */
static void assert_sample(const struct rg_rights *r) {
  ck_assert_str_eq(r->department_id, "1457");
  ck_assert_str_eq(r->department_code, "XK2P");
  ck_assert_str_eq(r->department_name, "Lakeside Fire District");
  ck_assert_str_eq(r->full_name, "John Doe");
  ck_assert_str_eq(r->email, "jdoe@example.org");
  ck_assert(!r->is_admin);
  ck_assert_uint_eq(r->ngroups, 1);
  ck_assert_str_eq(r->groups[0].id, "2311");
  ck_assert(r->groups[0].admin);
}

static bool parse_text(const char *text, size_t len, struct rg_why *why) {
  return rg_rights_parse_envelope(text, len, &rights, why);
}

static void assert_text_refused(const char *text, size_t len) {
  struct rg_why why = {""};

  ck_assert_msg(!parse_text(text, len, &why), "accepted: %.*s", (int)len, text);
  ck_assert_msg(why.text[0] != '\0', "refused without a reason: %.*s", (int)len,
                text);
  assert_empty(&rights);
}

static void assert_envelope_refused(json_t *root) {
  char *text = json_dumps(root, JSON_COMPACT);

  ck_assert_ptr_nonnull(text);
  assert_text_refused(text, strlen(text));
  free(text);
  json_decref(root);
}

static void assert_envelope_accepted(json_t *root) {
  char *text = json_dumps(root, JSON_COMPACT);
  struct rg_why why = {""};

  ck_assert_ptr_nonnull(text);
  ck_assert_msg(parse_text(text, strlen(text), &why), "%s: %s", why.text, text);
  free(text);
  json_decref(root);
}

static void assert_record_refused(json_t *object) {
  struct rg_why why = {""};
  char *text = json_dumps(object, JSON_COMPACT | JSON_ENCODE_ANY);

  ck_assert_ptr_nonnull(text);
  ck_assert_msg(!rg_rights_from_json(object, &rights, &why), "accepted: %s",
                text);
  ck_assert_msg(why.text[0] != '\0', "refused without a reason: %s", text);
  assert_empty(&rights);
  free(text);
  json_decref(object);
}

static void assert_record_accepted(json_t *object) {
  struct rg_why why = {""};

  ck_assert_msg(rg_rights_from_json(object, &rights, &why), "%s", why.text);
  json_decref(object);
}

/* The envelope with one field of Data set to value (a JSON text), or
 * removed when value is NULL. */
static json_t *envelope_with(const char *field, const char *value) {
  json_t *root = load_json(envelope);
  json_t *data = json_object_get(root, "Data");

  if (value == NULL)
    ck_assert_int_eq(json_object_del(data, field), 0);
  else
    ck_assert_int_eq(json_object_set_new(data, field, load_json(value)), 0);
  return root;
}

static json_t *record_with(const char *field, const char *value) {
  json_t *object = load_json(record);

  if (value == NULL)
    ck_assert_int_eq(json_object_del(object, field), 0);
  else
    ck_assert_int_eq(json_object_set_new(object, field, load_json(value)), 0);
  return object;
}

/* Groups of count distinct groups, in the envelope's or the record's
 * names. */
static json_t *groups_of(size_t count, const char *id_key,
                         const char *admin_key) {
  json_t *groups = json_array();

  ck_assert_ptr_nonnull(groups);
  for (size_t i = 0; i < count; i++) {
    char id[32];

    snprintf(id, sizeof(id), "%zu", 1000 + i);
    ck_assert_int_eq(
        json_array_append_new(
            groups, json_pack("{s:s, s:b}", id_key, id, admin_key, i % 2 == 0)),
        0);
  }
  return groups;
}

static double seconds_since(const struct timespec *start) {
  struct timespec now;

  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) +
         (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* depth nested arrays as text: [[[...]]]. */
static char *nested_arrays(size_t depth) {
  char *text = malloc(2 * depth + 1);

  ck_assert_ptr_nonnull(text);
  memset(text, '[', depth);
  memset(text + depth, ']', depth);
  text[2 * depth] = '\0';
  return text;
}

/* Envelope parsing. */

START_TEST(test_envelope_of_the_contract_gives_every_field) {
  struct rg_why why = {""};

  ck_assert_msg(parse_text(envelope, strlen(envelope), &why), "%s", why.text);
  assert_sample(&rights);
}
END_TEST

START_TEST(test_envelope_with_an_overlong_string_is_refused) {
  static char quoted[RG_MAX_RIGHTS_STRING + 4];
  json_t *root;

  memset(quoted, 'x', sizeof(quoted) - 1);
  quoted[0] = quoted[sizeof(quoted) - 2] = '"';
  root = envelope_with("FullName", quoted);
  assert_envelope_refused(root);
  quoted[sizeof(quoted) - 3] = '"';
  quoted[sizeof(quoted) - 2] = '\0';
  root = envelope_with("FullName", quoted);
  assert_envelope_accepted(root);
}
END_TEST

START_TEST(test_envelope_reads_only_len_bytes) {
  size_t len = strlen(envelope);
  char *longer = malloc(len + 8);
  struct rg_why why = {""};

  ck_assert_ptr_nonnull(longer);
  memcpy(longer, envelope, len);
  memcpy(longer + len, "garbage", 8);
  ck_assert_msg(parse_text(longer, len, &why), "%s", why.text);
  assert_sample(&rights);
  free(longer);
}
END_TEST

START_TEST(test_envelope_with_admin_true_sets_is_admin) {
  struct rg_why why = {""};
  json_t *root = envelope_with("IsAdmin", "true");
  char *text = json_dumps(root, JSON_COMPACT);

  ck_assert_ptr_nonnull(text);
  ck_assert_msg(parse_text(text, strlen(text), &why), "%s", why.text);
  ck_assert(rights.is_admin);
  free(text);
  json_decref(root);
}
END_TEST

START_TEST(test_envelope_ignores_unknown_fields) {
  json_t *root =
      envelope_with("Unknown", "{\"nested\": [1, 2, {\"a\": null}]}");
  json_t *group = json_array_get(
      json_object_get(json_object_get(root, "Data"), "Groups"), 0);

  ck_assert_int_eq(
      json_object_set_new(group, "GroupName", json_string("Station 1")), 0);
  ck_assert_int_eq(json_object_set_new(root, "Extra", json_true()), 0);
  assert_envelope_accepted(root);
  assert_sample(&rights);
}
END_TEST

START_TEST(test_envelope_with_empty_groups_has_no_group) {
  assert_envelope_accepted(envelope_with("Groups", "[]"));
  ck_assert_uint_eq(rights.ngroups, 0);
  ck_assert_str_eq(rights.department_id, "1457");
}
END_TEST

START_TEST(test_envelope_with_several_groups_keeps_their_order) {
  assert_envelope_accepted(envelope_with(
      "Groups", "[{\"GroupId\": \"10\", \"IsGroupAdmin\": false},"
                " {\"GroupId\": \"1\", \"IsGroupAdmin\": true}]"));
  ck_assert_uint_eq(rights.ngroups, 2);
  ck_assert_str_eq(rights.groups[0].id, "10");
  ck_assert(!rights.groups[0].admin);
  ck_assert_str_eq(rights.groups[1].id, "1");
  ck_assert(rights.groups[1].admin);
}
END_TEST

START_TEST(test_envelope_with_max_groups_is_accepted) {
  json_t *root = load_json(envelope);

  ck_assert_int_eq(
      json_object_set_new(json_object_get(root, "Data"), "Groups",
                          groups_of(RG_MAX_GROUPS, "GroupId", "IsGroupAdmin")),
      0);
  assert_envelope_accepted(root);
  ck_assert_uint_eq(rights.ngroups, RG_MAX_GROUPS);
  ck_assert_str_eq(rights.groups[0].id, "1000");
  ck_assert(rights.groups[0].admin);
  ck_assert_str_eq(rights.groups[RG_MAX_GROUPS - 1].id, "1063");
  ck_assert(!rights.groups[RG_MAX_GROUPS - 1].admin);
}
END_TEST

START_TEST(test_envelope_with_one_group_too_many_is_refused) {
  json_t *root = load_json(envelope);

  ck_assert_int_eq(json_object_set_new(
                       json_object_get(root, "Data"), "Groups",
                       groups_of(RG_MAX_GROUPS + 1, "GroupId", "IsGroupAdmin")),
                   0);
  assert_envelope_refused(root);
}
END_TEST

START_TEST(test_envelope_with_100k_groups_is_refused_quickly) {
  static const char head[] = "{\"Data\": {\"DepartmentId\": \"1457\", "
                             "\"DepartmentCode\": \"XK2P\", \"IsAdmin\": "
                             "false, \"Groups\": [";
  static const char group[] = "{\"GroupId\": \"2311\", \"IsGroupAdmin\": "
                              "false},";
  const size_t count = 100000;
  size_t len = strlen(head) + count * strlen(group) + 8;
  char *text = malloc(len);
  char *p = text;
  struct timespec start;

  ck_assert_ptr_nonnull(text);
  p += sprintf(p, "%s", head);
  for (size_t i = 0; i < count; i++)
    p += sprintf(p, "%s", group);
  sprintf(p - 1, "]}}");
  clock_gettime(CLOCK_MONOTONIC, &start);
  assert_text_refused(text, strlen(text));
  ck_assert_double_lt(seconds_since(&start), 2.0);
  free(text);
}
END_TEST

START_TEST(test_envelope_without_data_is_refused) {
  json_t *root = load_json(envelope);

  ck_assert_int_eq(json_object_del(root, "Data"), 0);
  assert_envelope_refused(root);
}
END_TEST

START_TEST(test_envelope_with_null_data_is_refused) {
  json_t *root = load_json(envelope);

  ck_assert_int_eq(json_object_set_new(root, "Data", json_null()), 0);
  assert_envelope_refused(root);
}
END_TEST

START_TEST(test_envelope_with_data_as_a_list_is_refused) {
  json_t *root = load_json(envelope);
  json_t *list = json_array();

  ck_assert_int_eq(json_array_append(list, json_object_get(root, "Data")), 0);
  ck_assert_int_eq(json_object_set_new(root, "Data", list), 0);
  assert_envelope_refused(root);
}
END_TEST

START_TEST(test_envelope_with_lower_case_keys_is_refused) {
  json_t *root = load_json("{\"Data\": {}}");

  ck_assert_int_eq(json_object_set_new(root, "Data", load_json(record)), 0);
  assert_envelope_refused(root);
}
END_TEST

START_TEST(test_data_without_the_envelope_is_refused) {
  json_t *root = load_json(envelope);

  assert_envelope_refused(json_incref(json_object_get(root, "Data")));
  json_decref(root);
}
END_TEST

START_TEST(test_text_that_is_not_json_is_refused) {
  static const char html[] = "<html><body>502 Bad Gateway</body></html>";

  assert_text_refused(html, strlen(html));
}
END_TEST

START_TEST(test_empty_body_is_refused) {
  assert_text_refused("", 0);
}
END_TEST

START_TEST(test_every_truncation_of_the_envelope_is_refused) {
  size_t len = strlen(envelope);

  for (size_t cut = 0; cut < len; cut++) {
    assert_text_refused(envelope, cut);
    rg_rights_free(&rights);
  }
}
END_TEST

START_TEST(test_envelope_in_a_json_list_is_refused) {
  size_t len = strlen(envelope) + 3;
  char *text = malloc(len);

  ck_assert_ptr_nonnull(text);
  snprintf(text, len, "[%s]", envelope);
  assert_text_refused(text, strlen(text));
  free(text);
}
END_TEST

START_TEST(test_json_scalars_are_refused) {
  assert_text_refused("\"success\"", 9);
  assert_text_refused("1457", 4);
  assert_text_refused("null", 4);
  assert_text_refused("true", 4);
}
END_TEST

START_TEST(test_duplicate_department_id_is_refused) {
  /* A second DepartmentId, first in Data, must not win or lose silently. */
  static const char text[] =
      "{\"Data\": {\"DepartmentId\": \"1\", \"DepartmentId\": \"1457\", "
      "\"DepartmentCode\": \"XK2P\", \"IsAdmin\": false, \"Groups\": []}}";

  assert_text_refused(text, strlen(text));
}
END_TEST

START_TEST(test_duplicate_data_is_refused) {
  static const char text[] =
      "{\"Data\": {\"DepartmentId\": \"1\", \"DepartmentCode\": \"A\", "
      "\"IsAdmin\": true, \"Groups\": []}, \"Data\": {\"DepartmentId\": "
      "\"1457\", \"DepartmentCode\": \"XK2P\", \"IsAdmin\": false, "
      "\"Groups\": []}}";

  assert_text_refused(text, strlen(text));
}
END_TEST

START_TEST(test_duplicate_is_group_admin_is_refused) {
  static const char text[] =
      "{\"Data\": {\"DepartmentId\": \"1457\", \"DepartmentCode\": \"XK2P\", "
      "\"IsAdmin\": false, \"Groups\": [{\"GroupId\": \"2311\", "
      "\"IsGroupAdmin\": false, \"IsGroupAdmin\": true}]}}";

  assert_text_refused(text, strlen(text));
}
END_TEST

START_TEST(test_10k_nested_lists_are_refused) {
  char *text = nested_arrays(10000);

  assert_text_refused(text, strlen(text));
  free(text);
}
END_TEST

START_TEST(test_10k_nested_lists_as_groups_are_refused) {
  static const char head[] = "{\"Data\": {\"DepartmentId\": \"1457\", "
                             "\"DepartmentCode\": \"XK2P\", \"IsAdmin\": "
                             "false, \"Groups\": ";
  char *nested = nested_arrays(10000);
  size_t len = strlen(head) + strlen(nested) + 4;
  char *text = malloc(len);

  ck_assert_ptr_nonnull(text);
  snprintf(text, len, "%s%s}}", head, nested);
  assert_text_refused(text, strlen(text));
  free(text);
  free(nested);
}
END_TEST

/* Fields that must be there, as the envelope and as a record name them. */
static const struct {
  const char *server, *ours;
} required_fields[] = {
    {"DepartmentId", "department_id"},
    {"DepartmentCode", "department_code"},
    {"IsAdmin", "is_admin"},
    {"Groups", "groups"},
};

#define REQUIRED_COUNT (sizeof(required_fields) / sizeof(required_fields[0]))

static void envelope_missing(int i) {
  assert_envelope_refused(envelope_with(required_fields[i].server, NULL));
}

static void record_missing(int i) {
  assert_record_refused(record_with(required_fields[i].ours, NULL));
}

/* The names and the e-mail address may be missing or null. */
static const struct {
  const char *server, *ours;
} optional_fields[] = {
    {"DepartmentName", "department_name"},
    {"FullName", "full_name"},
    {"EmailAddress", "email"},
};

#define OPTIONAL_COUNT (sizeof(optional_fields) / sizeof(optional_fields[0]))

/* Only the field named i is left out of r. */
static void assert_only_missing(int i) {
  const char *values[] = {rights.department_name, rights.full_name,
                          rights.email};

  for (int k = 0; k < (int)OPTIONAL_COUNT; k++) {
    if (k == i)
      ck_assert_ptr_null(values[k]);
    else
      ck_assert_ptr_nonnull(values[k]);
  }
  ck_assert_str_eq(rights.department_id, "1457");
  ck_assert_uint_eq(rights.ngroups, 1);
}

static void envelope_optional_missing(int i) {
  assert_envelope_accepted(envelope_with(optional_fields[i].server, NULL));
  assert_only_missing(i);
}

static void envelope_optional_null(int i) {
  assert_envelope_accepted(envelope_with(optional_fields[i].server, "null"));
  assert_only_missing(i);
}

static void record_optional_missing(int i) {
  assert_record_accepted(record_with(optional_fields[i].ours, NULL));
  assert_only_missing(i);
}

static void record_optional_null(int i) {
  assert_record_accepted(record_with(optional_fields[i].ours, "null"));
  assert_only_missing(i);
}

/* Top-level fields with a value of the wrong type, or empty. */
static const struct {
  const char *server, *ours, *value;
} bad_fields[] = {
    {"DepartmentId", "department_id", "1457"},
    {"DepartmentId", "department_id", "\"\""},
    {"DepartmentId", "department_id", "null"},
    {"DepartmentId", "department_id", "[\"1457\"]"},
    {"DepartmentCode", "department_code", "42"},
    {"DepartmentCode", "department_code", "\"\""},
    {"DepartmentCode", "department_code", "null"},
    {"IsAdmin", "is_admin", "\"false\""},
    {"IsAdmin", "is_admin", "\"true\""},
    {"IsAdmin", "is_admin", "0"},
    {"IsAdmin", "is_admin", "1"},
    {"IsAdmin", "is_admin", "null"},
    {"Groups", "groups", "{}"},
    {"Groups", "groups", "null"},
    {"Groups", "groups", "\"2311\""},
    {"DepartmentName", "department_name", "5"},
    {"DepartmentName", "department_name", "false"},
    {"FullName", "full_name", "true"},
    {"FullName", "full_name", "{\"First\": \"John\"}"},
    {"EmailAddress", "email", "[]"},
    {"EmailAddress", "email", "7"},
};

#define BAD_FIELD_COUNT (sizeof(bad_fields) / sizeof(bad_fields[0]))

static void envelope_bad_field(int i) {
  assert_envelope_refused(
      envelope_with(bad_fields[i].server, bad_fields[i].value));
}

static void record_bad_field(int i) {
  assert_record_refused(record_with(bad_fields[i].ours, bad_fields[i].value));
}

/* Groups lists that are wrong, in either form's names. */
static const struct {
  const char *label, *server, *ours;
} bad_groups[] = {
    {"the groups are an object",
     "{\"GroupId\": \"2311\", \"IsGroupAdmin\": false}",
     "{\"id\": \"2311\", \"admin\": false}"},
    {"a group is a string", "[\"2311\"]", "[\"2311\"]"},
    {"a group is a number", "[2311]", "[2311]"},
    {"a group is null", "[null]", "[null]"},
    {"a group is a list", "[[\"2311\", false]]", "[[\"2311\", false]]"},
    {"the group id is a number",
     "[{\"GroupId\": 2311, \"IsGroupAdmin\": false}]",
     "[{\"id\": 2311, \"admin\": false}]"},
    {"the group id is empty", "[{\"GroupId\": \"\", \"IsGroupAdmin\": false}]",
     "[{\"id\": \"\", \"admin\": false}]"},
    {"the group id is null", "[{\"GroupId\": null, \"IsGroupAdmin\": false}]",
     "[{\"id\": null, \"admin\": false}]"},
    {"the group id is missing", "[{\"IsGroupAdmin\": false}]",
     "[{\"admin\": false}]"},
    {"the group admin flag is a string",
     "[{\"GroupId\": \"2311\", \"IsGroupAdmin\": \"false\"}]",
     "[{\"id\": \"2311\", \"admin\": \"false\"}]"},
    {"the group admin flag is a number",
     "[{\"GroupId\": \"2311\", \"IsGroupAdmin\": 1}]",
     "[{\"id\": \"2311\", \"admin\": 1}]"},
    {"the group admin flag is missing", "[{\"GroupId\": \"2311\"}]",
     "[{\"id\": \"2311\"}]"},
    {"the second group is malformed",
     "[{\"GroupId\": \"2311\", \"IsGroupAdmin\": true},"
     " {\"GroupId\": 7, \"IsGroupAdmin\": false}]",
     "[{\"id\": \"2311\", \"admin\": true}, {\"id\": 7, \"admin\": false}]"},
    {"a group has the other form's names",
     "[{\"id\": \"2311\", \"admin\": false}]",
     "[{\"GroupId\": \"2311\", \"IsGroupAdmin\": false}]"},
};

#define BAD_GROUP_COUNT (sizeof(bad_groups) / sizeof(bad_groups[0]))

static void envelope_bad_group(int i) {
  assert_envelope_refused(envelope_with("Groups", bad_groups[i].server));
}

static void record_bad_group(int i) {
  assert_record_refused(record_with("groups", bad_groups[i].ours));
}

/* The record form. */

START_TEST(test_record_form_gives_every_field) {
  assert_record_accepted(load_json(record));
  assert_sample(&rights);
}
END_TEST

START_TEST(test_record_form_ignores_unknown_fields) {
  assert_record_accepted(record_with("comment", "\"kept by an older build\""));
  assert_sample(&rights);
}
END_TEST

START_TEST(test_record_form_with_empty_groups_has_no_group) {
  assert_record_accepted(record_with("groups", "[]"));
  ck_assert_uint_eq(rights.ngroups, 0);
}
END_TEST

START_TEST(test_record_form_with_max_groups_is_accepted) {
  json_t *object = load_json(record);

  ck_assert_int_eq(json_object_set_new(object, "groups",
                                       groups_of(RG_MAX_GROUPS, "id", "admin")),
                   0);
  assert_record_accepted(object);
  ck_assert_uint_eq(rights.ngroups, RG_MAX_GROUPS);
}
END_TEST

START_TEST(test_record_form_with_one_group_too_many_is_refused) {
  json_t *object = load_json(record);

  ck_assert_int_eq(
      json_object_set_new(object, "groups",
                          groups_of(RG_MAX_GROUPS + 1, "id", "admin")),
      0);
  assert_record_refused(object);
}
END_TEST

START_TEST(test_record_form_with_pascal_case_keys_is_refused) {
  json_t *root = load_json(envelope);

  assert_record_refused(json_incref(json_object_get(root, "Data")));
  json_decref(root);
}
END_TEST

START_TEST(test_record_form_that_is_not_an_object_is_refused) {
  assert_record_refused(load_json("[]"));
  assert_record_refused(load_json("\"1457\""));
  assert_record_refused(load_json("null"));
}
END_TEST

START_TEST(test_record_form_of_null_is_refused) {
  struct rg_why why = {""};

  ck_assert(!rg_rights_from_json(NULL, &rights, &why));
  ck_assert_str_ne(why.text, "");
  assert_empty(&rights);
}
END_TEST

/* Round trip, copy and free. */

START_TEST(test_to_json_writes_the_record_form) {
  struct rg_why why = {""};
  json_t *expected = load_json(record);
  json_t *written;

  ck_assert(parse_text(envelope, strlen(envelope), &why));
  written = rg_rights_to_json(&rights);
  ck_assert_ptr_nonnull(written);
  ck_assert(json_equal(written, expected));
  json_decref(written);
  json_decref(expected);
}
END_TEST

START_TEST(test_round_trip_keeps_every_field) {
  struct rg_why why = {""};
  json_t *written;

  ck_assert(parse_text(envelope, strlen(envelope), &why));
  written = rg_rights_to_json(&rights);
  ck_assert_ptr_nonnull(written);
  ck_assert_msg(rg_rights_from_json(written, &copy, &why), "%s", why.text);
  assert_sample(&copy);
  json_decref(written);
}
END_TEST

START_TEST(test_round_trip_keeps_missing_names_missing) {
  struct rg_why why = {""};
  json_t *written;

  assert_envelope_accepted(envelope_with("DepartmentName", NULL));
  free(rights.full_name);
  rights.full_name = NULL;
  free(rights.email);
  rights.email = NULL;
  written = rg_rights_to_json(&rights);
  ck_assert_ptr_nonnull(written);
  ck_assert_msg(rg_rights_from_json(written, &copy, &why), "%s", why.text);
  ck_assert_ptr_null(copy.department_name);
  ck_assert_ptr_null(copy.full_name);
  ck_assert_ptr_null(copy.email);
  ck_assert_str_eq(copy.department_code, "XK2P");
  json_decref(written);
}
END_TEST

START_TEST(test_round_trip_keeps_many_groups_and_their_flags) {
  struct rg_why why = {""};
  json_t *root = load_json(envelope);
  json_t *written;

  ck_assert_int_eq(
      json_object_set_new(json_object_get(root, "Data"), "Groups",
                          groups_of(RG_MAX_GROUPS, "GroupId", "IsGroupAdmin")),
      0);
  assert_envelope_accepted(root);
  written = rg_rights_to_json(&rights);
  ck_assert_ptr_nonnull(written);
  ck_assert_msg(rg_rights_from_json(written, &copy, &why), "%s", why.text);
  ck_assert_uint_eq(copy.ngroups, RG_MAX_GROUPS);
  for (size_t i = 0; i < RG_MAX_GROUPS; i++) {
    ck_assert_str_eq(copy.groups[i].id, rights.groups[i].id);
    ck_assert(copy.groups[i].admin == rights.groups[i].admin);
  }
  json_decref(written);
}
END_TEST

START_TEST(test_copy_survives_freeing_the_source) {
  struct rg_why why = {""};

  ck_assert(parse_text(envelope, strlen(envelope), &why));
  ck_assert(rg_rights_copy(&rights, &copy));
  ck_assert_ptr_ne(copy.department_id, rights.department_id);
  ck_assert_ptr_ne(copy.groups, rights.groups);
  ck_assert_ptr_ne(copy.groups[0].id, rights.groups[0].id);
  rg_rights_free(&rights);
  assert_sample(&copy);
}
END_TEST

START_TEST(test_copy_keeps_missing_names_missing) {
  assert_envelope_accepted(envelope_with("FullName", "null"));
  ck_assert(rg_rights_copy(&rights, &copy));
  rg_rights_free(&rights);
  ck_assert_ptr_null(copy.full_name);
  ck_assert_str_eq(copy.email, "jdoe@example.org");
}
END_TEST

START_TEST(test_free_twice_is_safe) {
  struct rg_why why = {""};

  ck_assert(parse_text(envelope, strlen(envelope), &why));
  rg_rights_free(&rights);
  assert_empty(&rights);
  rg_rights_free(&rights);
  assert_empty(&rights);
}
END_TEST

START_TEST(test_free_of_zeroed_rights_is_safe) {
  struct rg_rights zero;

  memset(&zero, 0, sizeof(zero));
  rg_rights_free(&zero);
  assert_empty(&zero);
}
END_TEST

/* Rules.  The rights are built by hand, one field at a time. */

#define DENY_DEPARTMENT                                                        \
  "Access denied: your Resgrid department may not use this machine."
#define DENY_GROUP                                                             \
  "Access denied: you are not in a Resgrid group (station) allowed here."
#define DENY_ADMIN "Access denied: only Resgrid department admins may do this."
#define DENY_GROUP_ADMIN "Access denied: only Resgrid group admins may do this."

static char *owned(const char *s) {
  char *s_copy = strdup(s);

  ck_assert_ptr_nonnull(s_copy);
  return s_copy;
}

static void in_department(const char *id, const char *code) {
  rights.department_id = owned(id);
  rights.department_code = owned(code);
}

static void in_group(const char *id, bool admin) {
  struct rg_group *more =
      realloc(rights.groups, (rights.ngroups + 1) * sizeof(*rights.groups));

  ck_assert_ptr_nonnull(more);
  rights.groups = more;
  rights.groups[rights.ngroups].id = owned(id);
  rights.groups[rights.ngroups].admin = admin;
  rights.ngroups++;
}

static void rules_setup(void) {
  setup();
  in_department("1457", "XK2P");
}

static void assert_allowed(void) {
  ck_assert_msg(rg_rules_allow(&cfg, &rights, reason, sizeof(reason)),
                "denied: %s", reason);
}

static void assert_denied(const char *expected) {
  ck_assert_msg(!rg_rules_allow(&cfg, &rights, reason, sizeof(reason)),
                "allowed");
  ck_assert_str_eq(reason, expected);
}

START_TEST(test_no_rule_is_configured_by_default) {
  ck_assert(!rg_rules_configured(&cfg));
}
END_TEST

START_TEST(test_require_department_is_a_rule) {
  cfg.require_department = owned("1457");
  ck_assert(rg_rules_configured(&cfg));
}
END_TEST

START_TEST(test_require_group_is_a_rule) {
  cfg.require_group = owned("2311");
  ck_assert(rg_rules_configured(&cfg));
}
END_TEST

START_TEST(test_require_admin_is_a_rule) {
  cfg.require_admin = true;
  ck_assert(rg_rules_configured(&cfg));
}
END_TEST

START_TEST(test_require_group_admin_is_a_rule) {
  cfg.require_group_admin = true;
  ck_assert(rg_rules_configured(&cfg));
}
END_TEST

START_TEST(test_other_keys_are_not_rules) {
  cfg.user_map = owned("/etc/security/pam_resgrid.map");
  cfg.cache_dir = owned("/var/cache/pam_resgrid");
  cfg.debug = true;
  cfg.offline = true;
  ck_assert(!rg_rules_configured(&cfg));
}
END_TEST

START_TEST(test_no_rule_allows_anyone) {
  assert_allowed();
}
END_TEST

START_TEST(test_department_id_allows) {
  cfg.require_department = owned("1457");
  assert_allowed();
}
END_TEST

START_TEST(test_other_department_id_denies) {
  cfg.require_department = owned("1458");
  assert_denied(DENY_DEPARTMENT);
}
END_TEST

START_TEST(test_department_id_prefix_denies) {
  cfg.require_department = owned("145");
  assert_denied(DENY_DEPARTMENT);
}
END_TEST

START_TEST(test_department_id_is_compared_exactly) {
  rg_rights_free(&rights);
  in_department("d-1457", "XK2P");
  cfg.require_department = owned("D-1457");
  assert_denied(DENY_DEPARTMENT);
}
END_TEST

START_TEST(test_department_code_allows) {
  cfg.require_department = owned("XK2P");
  assert_allowed();
}
END_TEST

START_TEST(test_department_code_in_lower_case_allows) {
  cfg.require_department = owned("xk2p");
  assert_allowed();
}
END_TEST

START_TEST(test_department_code_in_mixed_case_allows) {
  cfg.require_department = owned("xK2p");
  assert_allowed();
}
END_TEST

START_TEST(test_other_department_code_denies) {
  cfg.require_department = owned("XK2Q");
  assert_denied(DENY_DEPARTMENT);
}
END_TEST

START_TEST(test_code_equal_to_the_required_id_of_another_department_allows) {
  /* Ids and codes share one key: a department whose code is "1460" gets
   * in where department 1460 is required. */
  rg_rights_free(&rights);
  in_department("1457", "1460");
  cfg.require_department = owned("1460");
  assert_allowed();
}
END_TEST

START_TEST(test_id_equal_to_the_required_code_of_another_department_allows) {
  rg_rights_free(&rights);
  in_department("XK2P", "ZZ9Q");
  cfg.require_department = owned("XK2P");
  assert_allowed();
}
END_TEST

START_TEST(test_required_group_allows_a_member) {
  in_group("2311", false);
  cfg.require_group = owned("2311");
  assert_allowed();
}
END_TEST

START_TEST(test_required_group_denies_a_member_of_another) {
  in_group("2312", false);
  cfg.require_group = owned("2311");
  assert_denied(DENY_GROUP);
}
END_TEST

START_TEST(test_required_group_denies_a_user_in_no_group) {
  cfg.require_group = owned("2311");
  assert_denied(DENY_GROUP);
}
END_TEST

START_TEST(test_one_of_several_groups_allows_the_first) {
  in_group("7", false);
  cfg.require_group = owned("7,2311,9");
  assert_allowed();
}
END_TEST

START_TEST(test_one_of_several_groups_allows_the_middle) {
  in_group("2311", false);
  cfg.require_group = owned("7,2311,9");
  assert_allowed();
}
END_TEST

START_TEST(test_one_of_several_groups_allows_the_last) {
  in_group("9", false);
  cfg.require_group = owned("7,2311,9");
  assert_allowed();
}
END_TEST

START_TEST(test_several_groups_deny_a_member_of_none) {
  in_group("8", false);
  cfg.require_group = owned("7,2311,9");
  assert_denied(DENY_GROUP);
}
END_TEST

START_TEST(test_group_1_does_not_allow_group_10) {
  in_group("10", false);
  cfg.require_group = owned("1");
  assert_denied(DENY_GROUP);
}
END_TEST

START_TEST(test_group_10_does_not_allow_group_1) {
  in_group("1", false);
  cfg.require_group = owned("10");
  assert_denied(DENY_GROUP);
}
END_TEST

START_TEST(test_groups_1_and_10_allow_group_10) {
  in_group("10", false);
  cfg.require_group = owned("1,10");
  assert_allowed();
}
END_TEST

START_TEST(test_groups_10_and_100_do_not_allow_group_1) {
  in_group("1", false);
  cfg.require_group = owned("10,100");
  assert_denied(DENY_GROUP);
}
END_TEST

START_TEST(test_required_group_allows_through_the_second_group) {
  in_group("8", true);
  in_group("2311", false);
  cfg.require_group = owned("2311");
  assert_allowed();
}
END_TEST

START_TEST(test_require_admin_allows_a_department_admin) {
  rights.is_admin = true;
  cfg.require_admin = true;
  assert_allowed();
}
END_TEST

START_TEST(test_require_admin_denies_a_member) {
  cfg.require_admin = true;
  assert_denied(DENY_ADMIN);
}
END_TEST

START_TEST(test_require_admin_denies_a_group_admin) {
  in_group("2311", true);
  cfg.require_admin = true;
  assert_denied(DENY_ADMIN);
}
END_TEST

START_TEST(test_group_admin_of_any_group_allows_without_require_group) {
  in_group("7", false);
  in_group("2311", true);
  cfg.require_group_admin = true;
  assert_allowed();
}
END_TEST

START_TEST(test_group_member_is_denied_group_admin) {
  in_group("2311", false);
  cfg.require_group_admin = true;
  assert_denied(DENY_GROUP_ADMIN);
}
END_TEST

START_TEST(test_user_in_no_group_is_denied_group_admin) {
  cfg.require_group_admin = true;
  assert_denied(DENY_GROUP_ADMIN);
}
END_TEST

START_TEST(test_department_admin_is_not_a_group_admin) {
  rights.is_admin = true;
  in_group("2311", false);
  cfg.require_group_admin = true;
  assert_denied(DENY_GROUP_ADMIN);
}
END_TEST

START_TEST(test_group_admin_of_the_required_group_allows) {
  in_group("2311", true);
  cfg.require_group = owned("7,2311");
  cfg.require_group_admin = true;
  assert_allowed();
}
END_TEST

START_TEST(test_group_admin_of_another_group_does_not_count) {
  in_group("8", true);
  in_group("2311", false);
  cfg.require_group = owned("2311");
  cfg.require_group_admin = true;
  assert_denied(DENY_GROUP_ADMIN);
}
END_TEST

START_TEST(test_group_admin_outside_the_required_groups_is_not_a_member) {
  in_group("8", true);
  cfg.require_group = owned("2311");
  cfg.require_group_admin = true;
  assert_denied(DENY_GROUP);
}
END_TEST

/* All four rules, each of them met unless broken says otherwise. */
enum broken {
  BROKEN_NONE = 0,
  BROKEN_DEPARTMENT = 1,
  BROKEN_GROUP = 2,
  BROKEN_ADMIN = 4,
  BROKEN_GROUP_ADMIN = 8
};

static void all_rules(int broken) {
  cfg.require_department =
      owned((broken & BROKEN_DEPARTMENT) ? "9999" : "xk2p");
  cfg.require_group = owned("7,2311");
  cfg.require_admin = true;
  cfg.require_group_admin = true;
  rights.is_admin = !(broken & BROKEN_ADMIN);
  in_group((broken & BROKEN_GROUP) ? "8" : "2311",
           !(broken & BROKEN_GROUP_ADMIN));
}

START_TEST(test_all_rules_met_allows) {
  all_rules(BROKEN_NONE);
  assert_allowed();
}
END_TEST

START_TEST(test_all_rules_broken_reports_the_department) {
  all_rules(BROKEN_DEPARTMENT | BROKEN_GROUP | BROKEN_ADMIN |
            BROKEN_GROUP_ADMIN);
  assert_denied(DENY_DEPARTMENT);
}
END_TEST

START_TEST(test_group_is_reported_before_admin) {
  all_rules(BROKEN_GROUP | BROKEN_ADMIN | BROKEN_GROUP_ADMIN);
  assert_denied(DENY_GROUP);
}
END_TEST

START_TEST(test_admin_is_reported_before_group_admin) {
  all_rules(BROKEN_ADMIN | BROKEN_GROUP_ADMIN);
  assert_denied(DENY_ADMIN);
}
END_TEST

START_TEST(test_group_admin_is_reported_last) {
  all_rules(BROKEN_GROUP_ADMIN);
  assert_denied(DENY_GROUP_ADMIN);
}
END_TEST

START_TEST(test_only_the_department_broken_reports_it) {
  all_rules(BROKEN_DEPARTMENT);
  assert_denied(DENY_DEPARTMENT);
}
END_TEST

START_TEST(test_reason_is_cut_to_the_buffer) {
  char small[17];

  memset(small, 'x', sizeof(small));
  cfg.require_admin = true;
  ck_assert(!rg_rules_allow(&cfg, &rights, small, sizeof(small)));
  ck_assert_str_eq(small, "Access denied: o");
}
END_TEST

#define MAX_NAME 128

/* Registers fn once per entry, under a name made by the caller. */
static void add_loop(TCase *tc, TTest *test, char *name, TFun fn, int i) {
  *test = (TTest){name, fn, __FILE__, __LINE__};
  tcase_add_loop_test(tc, test, i, i + 1);
}

static TCase *fixture(const char *name, void (*set_up)(void)) {
  TCase *tc = tcase_create(name);

  tcase_add_checked_fixture(tc, set_up, teardown);
  return tc;
}

static void add_field_tests(TCase *envelope_tc, TCase *record_tc) {
  static TTest tests[2 * (REQUIRED_COUNT + 2 * OPTIONAL_COUNT +
                          BAD_FIELD_COUNT + BAD_GROUP_COUNT)];
  static char names[sizeof(tests) / sizeof(tests[0])][MAX_NAME];
  size_t n = 0;

  for (size_t i = 0; i < REQUIRED_COUNT; i++, n += 2) {
    snprintf(names[n], MAX_NAME, "test_envelope_without_%s_is_refused",
             required_fields[i].server);
    add_loop(envelope_tc, &tests[n], names[n], envelope_missing, (int)i);
    snprintf(names[n + 1], MAX_NAME, "test_record_form_without_%s_is_refused",
             required_fields[i].ours);
    add_loop(record_tc, &tests[n + 1], names[n + 1], record_missing, (int)i);
  }
  for (size_t i = 0; i < OPTIONAL_COUNT; i++, n += 4) {
    snprintf(names[n], MAX_NAME, "test_envelope_without_%s_is_accepted",
             optional_fields[i].server);
    add_loop(envelope_tc, &tests[n], names[n], envelope_optional_missing,
             (int)i);
    snprintf(names[n + 1], MAX_NAME, "test_envelope_with_null_%s_is_accepted",
             optional_fields[i].server);
    add_loop(envelope_tc, &tests[n + 1], names[n + 1], envelope_optional_null,
             (int)i);
    snprintf(names[n + 2], MAX_NAME, "test_record_form_without_%s_is_accepted",
             optional_fields[i].ours);
    add_loop(record_tc, &tests[n + 2], names[n + 2], record_optional_missing,
             (int)i);
    snprintf(names[n + 3], MAX_NAME,
             "test_record_form_with_null_%s_is_accepted",
             optional_fields[i].ours);
    add_loop(record_tc, &tests[n + 3], names[n + 3], record_optional_null,
             (int)i);
  }
  for (size_t i = 0; i < BAD_FIELD_COUNT; i++, n += 2) {
    snprintf(names[n], MAX_NAME, "test_envelope_refuses_%s_of_value_%s",
             bad_fields[i].server, bad_fields[i].value);
    add_loop(envelope_tc, &tests[n], names[n], envelope_bad_field, (int)i);
    snprintf(names[n + 1], MAX_NAME, "test_record_form_refuses_%s_of_value_%s",
             bad_fields[i].ours, bad_fields[i].value);
    add_loop(record_tc, &tests[n + 1], names[n + 1], record_bad_field, (int)i);
  }
  for (size_t i = 0; i < BAD_GROUP_COUNT; i++, n += 2) {
    snprintf(names[n], MAX_NAME, "test_envelope_is_refused_when_%s",
             bad_groups[i].label);
    add_loop(envelope_tc, &tests[n], names[n], envelope_bad_group, (int)i);
    snprintf(names[n + 1], MAX_NAME, "test_record_form_is_refused_when_%s",
             bad_groups[i].label);
    add_loop(record_tc, &tests[n + 1], names[n + 1], record_bad_group, (int)i);
  }
}

static Suite *rights_suite(void) {
  Suite *s = suite_create("rights");
  TCase *env = fixture("envelope", setup);
  TCase *rec = fixture("record form", setup);
  TCase *trip = fixture("round trip", setup);
  TCase *rules = fixture("rules", rules_setup);

  tcase_add_test(env, test_envelope_of_the_contract_gives_every_field);
  tcase_add_test(env, test_envelope_reads_only_len_bytes);
  tcase_add_test(env, test_envelope_with_an_overlong_string_is_refused);
  tcase_add_test(env, test_envelope_with_admin_true_sets_is_admin);
  tcase_add_test(env, test_envelope_ignores_unknown_fields);
  tcase_add_test(env, test_envelope_with_empty_groups_has_no_group);
  tcase_add_test(env, test_envelope_with_several_groups_keeps_their_order);
  tcase_add_test(env, test_envelope_with_max_groups_is_accepted);
  tcase_add_test(env, test_envelope_with_one_group_too_many_is_refused);
  tcase_add_test(env, test_envelope_with_100k_groups_is_refused_quickly);
  tcase_add_test(env, test_envelope_without_data_is_refused);
  tcase_add_test(env, test_envelope_with_null_data_is_refused);
  tcase_add_test(env, test_envelope_with_data_as_a_list_is_refused);
  tcase_add_test(env, test_envelope_with_lower_case_keys_is_refused);
  tcase_add_test(env, test_data_without_the_envelope_is_refused);
  tcase_add_test(env, test_text_that_is_not_json_is_refused);
  tcase_add_test(env, test_empty_body_is_refused);
  tcase_add_test(env, test_every_truncation_of_the_envelope_is_refused);
  tcase_add_test(env, test_envelope_in_a_json_list_is_refused);
  tcase_add_test(env, test_json_scalars_are_refused);
  tcase_add_test(env, test_duplicate_department_id_is_refused);
  tcase_add_test(env, test_duplicate_data_is_refused);
  tcase_add_test(env, test_duplicate_is_group_admin_is_refused);
  tcase_add_test(env, test_10k_nested_lists_are_refused);
  tcase_add_test(env, test_10k_nested_lists_as_groups_are_refused);

  tcase_add_test(rec, test_record_form_gives_every_field);
  tcase_add_test(rec, test_record_form_ignores_unknown_fields);
  tcase_add_test(rec, test_record_form_with_empty_groups_has_no_group);
  tcase_add_test(rec, test_record_form_with_max_groups_is_accepted);
  tcase_add_test(rec, test_record_form_with_one_group_too_many_is_refused);
  tcase_add_test(rec, test_record_form_with_pascal_case_keys_is_refused);
  tcase_add_test(rec, test_record_form_that_is_not_an_object_is_refused);
  tcase_add_test(rec, test_record_form_of_null_is_refused);
  add_field_tests(env, rec);
  suite_add_tcase(s, env);
  suite_add_tcase(s, rec);

  tcase_add_test(trip, test_to_json_writes_the_record_form);
  tcase_add_test(trip, test_round_trip_keeps_every_field);
  tcase_add_test(trip, test_round_trip_keeps_missing_names_missing);
  tcase_add_test(trip, test_round_trip_keeps_many_groups_and_their_flags);
  tcase_add_test(trip, test_copy_survives_freeing_the_source);
  tcase_add_test(trip, test_copy_keeps_missing_names_missing);
  tcase_add_test(trip, test_free_twice_is_safe);
  tcase_add_test(trip, test_free_of_zeroed_rights_is_safe);
  suite_add_tcase(s, trip);

  tcase_add_test(rules, test_no_rule_is_configured_by_default);
  tcase_add_test(rules, test_require_department_is_a_rule);
  tcase_add_test(rules, test_require_group_is_a_rule);
  tcase_add_test(rules, test_require_admin_is_a_rule);
  tcase_add_test(rules, test_require_group_admin_is_a_rule);
  tcase_add_test(rules, test_other_keys_are_not_rules);
  tcase_add_test(rules, test_no_rule_allows_anyone);
  tcase_add_test(rules, test_department_id_allows);
  tcase_add_test(rules, test_other_department_id_denies);
  tcase_add_test(rules, test_department_id_prefix_denies);
  tcase_add_test(rules, test_department_id_is_compared_exactly);
  tcase_add_test(rules, test_department_code_allows);
  tcase_add_test(rules, test_department_code_in_lower_case_allows);
  tcase_add_test(rules, test_department_code_in_mixed_case_allows);
  tcase_add_test(rules, test_other_department_code_denies);
  tcase_add_test(
      rules, test_code_equal_to_the_required_id_of_another_department_allows);
  tcase_add_test(
      rules, test_id_equal_to_the_required_code_of_another_department_allows);
  tcase_add_test(rules, test_required_group_allows_a_member);
  tcase_add_test(rules, test_required_group_denies_a_member_of_another);
  tcase_add_test(rules, test_required_group_denies_a_user_in_no_group);
  tcase_add_test(rules, test_one_of_several_groups_allows_the_first);
  tcase_add_test(rules, test_one_of_several_groups_allows_the_middle);
  tcase_add_test(rules, test_one_of_several_groups_allows_the_last);
  tcase_add_test(rules, test_several_groups_deny_a_member_of_none);
  tcase_add_test(rules, test_group_1_does_not_allow_group_10);
  tcase_add_test(rules, test_group_10_does_not_allow_group_1);
  tcase_add_test(rules, test_groups_1_and_10_allow_group_10);
  tcase_add_test(rules, test_groups_10_and_100_do_not_allow_group_1);
  tcase_add_test(rules, test_required_group_allows_through_the_second_group);
  tcase_add_test(rules, test_require_admin_allows_a_department_admin);
  tcase_add_test(rules, test_require_admin_denies_a_member);
  tcase_add_test(rules, test_require_admin_denies_a_group_admin);
  tcase_add_test(rules,
                 test_group_admin_of_any_group_allows_without_require_group);
  tcase_add_test(rules, test_group_member_is_denied_group_admin);
  tcase_add_test(rules, test_user_in_no_group_is_denied_group_admin);
  tcase_add_test(rules, test_department_admin_is_not_a_group_admin);
  tcase_add_test(rules, test_group_admin_of_the_required_group_allows);
  tcase_add_test(rules, test_group_admin_of_another_group_does_not_count);
  tcase_add_test(rules,
                 test_group_admin_outside_the_required_groups_is_not_a_member);
  tcase_add_test(rules, test_all_rules_met_allows);
  tcase_add_test(rules, test_all_rules_broken_reports_the_department);
  tcase_add_test(rules, test_group_is_reported_before_admin);
  tcase_add_test(rules, test_admin_is_reported_before_group_admin);
  tcase_add_test(rules, test_group_admin_is_reported_last);
  tcase_add_test(rules, test_only_the_department_broken_reports_it);
  tcase_add_test(rules, test_reason_is_cut_to_the_buffer);
  suite_add_tcase(s, rules);
  return s;
}

UNIT_MAIN(rights_suite)
