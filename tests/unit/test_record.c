/* The offline record's JSON: what is written is read back, and anything
 * else is refused. */
#include "unit.h"

#include <jansson.h>

#include "record.h"
#include "secret.h"
#include "verifier.h"

#define SUB "9a3c61b2-5f0e-4d1c-8b7a-2e6f4c0d9e11"
#define VERIFIER                                                               \
  "$y$j75$Ecpy1Hbx/ZZF0PUnIq9fh1$mdW2P2TkTbcBZjnp7wSW86GQdoNFsfVmDu3rKUDtAj9"

static const char *const field_names[] = {
    "version",      "user",          "sub",       "name",     "iss",
    "id_exp",       "token_expires", "online_at", "verifier", "failures",
    "locked_until", "rights",        "rights_at",
};

#define FIELD_COUNT (sizeof(field_names) / sizeof(field_names[0]))

static char sample_user[] = "jdoe";
static char sample_sub[] = SUB;
static char sample_name[] = "JDoe";
static char sample_iss[] = "https://api.resgrid.com/";
static char sample_verifier[] = VERIFIER;

static struct rg_record sample(void) {
  return (struct rg_record){
      .user = sample_user,
      .sub = sample_sub,
      .name = sample_name,
      .iss = sample_iss,
      .id_exp = 1700001200,
      .token_expires = 1700086398,
      .online_at = 1700000000,
      .verifier = sample_verifier,
      .failures = 2,
      .locked_until = 1700000900,
  };
}

/* The sample's encoding, parsed, for a test to spoil. */
static json_t *sample_json(void) {
  const struct rg_record r = sample();
  char *text = rg_record_encode(&r);
  json_t *root;

  ck_assert_ptr_nonnull(text);
  root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
  ck_assert_ptr_nonnull(root);
  rg_secret_free(text);
  return root;
}

/* Decodes text, asserts it is refused with a reason, and that the record
 * is left holding nothing. */
static void assert_refused(const char *text, size_t len) {
  struct rg_record r;
  struct rg_why why = {""};

  ck_assert_msg(!rg_record_decode(text, len, &r, &why), "accepted: %.*s",
                (int)len, text);
  ck_assert_msg(why.text[0] != '\0', "refused without a reason: %.*s", (int)len,
                text);
  ck_assert_ptr_null(r.user);
  ck_assert_ptr_null(r.sub);
  ck_assert_ptr_null(r.verifier);
}

static void assert_json_refused(json_t *root) {
  char *text = json_dumps(root, JSON_COMPACT);

  ck_assert_ptr_nonnull(text);
  assert_refused(text, strlen(text));
  free(text);
  json_decref(root);
}

static void assert_json_accepted(json_t *root) {
  char *text = json_dumps(root, JSON_COMPACT);
  struct rg_record r;
  struct rg_why why = {""};

  ck_assert_ptr_nonnull(text);
  ck_assert_msg(rg_record_decode(text, strlen(text), &r, &why), "%s: %s",
                why.text, text);
  rg_record_free(&r);
  free(text);
  json_decref(root);
}

/* The sample with one field set to value (a JSON text). */
static json_t *sample_with(const char *field, const char *value) {
  json_t *root = sample_json();
  json_t *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

  ck_assert_ptr_nonnull(v);
  ck_assert_int_eq(json_object_set_new(root, field, v), 0);
  return root;
}

START_TEST(test_round_trip_keeps_every_field) {
  const struct rg_record in = sample();
  char *text = rg_record_encode(&in);
  struct rg_record out;
  struct rg_why why = {""};

  ck_assert_ptr_nonnull(text);
  ck_assert_msg(rg_record_decode(text, strlen(text), &out, &why), "%s",
                why.text);
  ck_assert_str_eq(out.user, "jdoe");
  ck_assert_str_eq(out.sub, SUB);
  ck_assert_str_eq(out.name, "JDoe");
  ck_assert_str_eq(out.iss, "https://api.resgrid.com/");
  ck_assert_int_eq(out.id_exp, 1700001200);
  ck_assert_int_eq(out.token_expires, 1700086398);
  ck_assert_int_eq(out.online_at, 1700000000);
  ck_assert_str_eq(out.verifier, VERIFIER);
  ck_assert_int_eq(out.failures, 2);
  ck_assert_int_eq(out.locked_until, 1700000900);
  ck_assert(!out.has_rights);
  rg_record_free(&out);
  rg_secret_free(text);
}
END_TEST

START_TEST(test_round_trip_keeps_department_rights) {
  char group_id[] = "g-17";
  struct rg_group group = {group_id, true};
  char dept_id[] = "d-42";
  char dept_code[] = "XK2P";
  struct rg_record in = sample();
  char *text;
  struct rg_record out;
  struct rg_why why = {""};

  in.has_rights = true;
  in.rights_at = 1700000000;
  in.rights = (struct rg_rights){.department_id = dept_id,
                                 .department_code = dept_code,
                                 .is_admin = true,
                                 .ngroups = 1,
                                 .groups = &group};
  text = rg_record_encode(&in);
  ck_assert_ptr_nonnull(text);
  ck_assert_msg(rg_record_decode(text, strlen(text), &out, &why), "%s",
                why.text);
  ck_assert(out.has_rights);
  ck_assert_int_eq(out.rights_at, 1700000000);
  ck_assert_str_eq(out.rights.department_id, "d-42");
  ck_assert_str_eq(out.rights.department_code, "XK2P");
  ck_assert(out.rights.is_admin);
  ck_assert_uint_eq(out.rights.ngroups, 1);
  ck_assert_str_eq(out.rights.groups[0].id, "g-17");
  ck_assert(out.rights.groups[0].admin);
  rg_record_free(&out);
  rg_secret_free(text);
}
END_TEST

START_TEST(test_round_trip_without_claims_or_verifier) {
  struct rg_record in = sample();
  char *text;
  struct rg_record out;
  struct rg_why why = {""};

  in.sub = NULL;
  in.name = NULL;
  in.iss = NULL;
  in.verifier = NULL;
  in.id_exp = 0;
  in.failures = 0;
  in.locked_until = 0;
  text = rg_record_encode(&in);
  ck_assert_ptr_nonnull(text);
  ck_assert_msg(rg_record_decode(text, strlen(text), &out, &why), "%s",
                why.text);
  ck_assert_str_eq(out.user, "jdoe");
  ck_assert_ptr_null(out.sub);
  ck_assert_ptr_null(out.name);
  ck_assert_ptr_null(out.iss);
  ck_assert_ptr_null(out.verifier);
  ck_assert_int_eq(out.id_exp, 0);
  ck_assert_int_eq(out.token_expires, 1700086398);
  ck_assert_int_eq(out.online_at, 1700000000);
  ck_assert_int_eq(out.failures, 0);
  ck_assert_int_eq(out.locked_until, 0);
  rg_record_free(&out);
  rg_secret_free(text);
}
END_TEST

START_TEST(test_round_trip_keeps_times_past_2038) {
  struct rg_record in = sample();
  char *text;
  struct rg_record out;
  struct rg_why why = {""};

  in.token_expires = 4102444800LL; /* 2100-01-01 */
  in.online_at = 4102444000LL;
  text = rg_record_encode(&in);
  ck_assert_ptr_nonnull(text);
  ck_assert(rg_record_decode(text, strlen(text), &out, &why));
  ck_assert_int_eq(out.token_expires, 4102444800LL);
  ck_assert_int_eq(out.online_at, 4102444000LL);
  rg_record_free(&out);
  rg_secret_free(text);
}
END_TEST

START_TEST(test_encoding_has_format_version_1) {
  json_t *root = sample_json();

  ck_assert(json_is_integer(json_object_get(root, "version")));
  ck_assert_int_eq(json_integer_value(json_object_get(root, "version")),
                   RG_RECORD_VERSION);
  ck_assert_int_eq(RG_RECORD_VERSION, 1);
  json_decref(root);
}
END_TEST

START_TEST(test_encoding_never_contains_the_password) {
  static const char password[] = "Tr0ub4dor&3-correct horse";
  struct rg_record r = sample();
  char *verifier = rg_verifier_make(password, 1);
  char *text;

  ck_assert_ptr_nonnull(verifier);
  r.verifier = verifier;
  text = rg_record_encode(&r);
  ck_assert_ptr_nonnull(text);
  ck_assert_ptr_null(strstr(text, password));
  ck_assert_ptr_null(strstr(text, "Tr0ub4dor"));
  ck_assert_ptr_null(strstr(text, "correct horse"));
  ck_assert_ptr_nonnull(strstr(text, verifier));
  rg_secret_free(text);
  rg_secret_free(verifier);
}
END_TEST

START_TEST(test_encoding_fits_the_record_size_cap) {
  /* Names as long as Resgrid allows still fit RG_RECORD_MAX_SIZE. */
  char long_name[257];
  struct rg_record r = sample();
  char *text;

  memset(long_name, 'n', 256);
  long_name[256] = '\0';
  r.user = long_name;
  r.name = long_name;
  text = rg_record_encode(&r);
  ck_assert_ptr_nonnull(text);
  ck_assert_uint_lt(strlen(text), RG_RECORD_MAX_SIZE);
  rg_secret_free(text);
}
END_TEST

START_TEST(test_decode_reads_only_len_bytes) {
  const struct rg_record in = sample();
  char *text = rg_record_encode(&in);
  char *longer;
  size_t len;
  struct rg_record out;
  struct rg_why why = {""};

  ck_assert_ptr_nonnull(text);
  len = strlen(text);
  longer = malloc(len + 8);
  ck_assert_ptr_nonnull(longer);
  memcpy(longer, text, len);
  memcpy(longer + len, "garbage", 8);
  ck_assert(rg_record_decode(longer, len, &out, &why));
  rg_record_free(&out);
  free(longer);
  rg_secret_free(text);
}
END_TEST

START_TEST(test_decode_refuses_trailing_garbage) {
  const struct rg_record in = sample();
  char *text = rg_record_encode(&in);
  char longer[4096];

  ck_assert_ptr_nonnull(text);
  snprintf(longer, sizeof(longer), "%s{}", text);
  assert_refused(longer, strlen(longer));
  rg_secret_free(text);
}
END_TEST

START_TEST(test_decode_refuses_text_that_is_not_json) {
  assert_refused("user=jdoe\nverifier=$y$abc\n",
                 strlen("user=jdoe\nverifier=$y$abc\n"));
}
END_TEST

START_TEST(test_decode_refuses_empty_text) {
  assert_refused("", 0);
}
END_TEST

START_TEST(test_decode_refuses_every_truncation) {
  const struct rg_record in = sample();
  char *text = rg_record_encode(&in);
  size_t len;

  ck_assert_ptr_nonnull(text);
  len = strlen(text);
  for (size_t cut = 0; cut < len; cut++)
    assert_refused(text, cut);
  rg_secret_free(text);
}
END_TEST

START_TEST(test_decode_refuses_json_that_is_not_an_object) {
  assert_refused("[1]", 3);
  assert_refused("\"jdoe\"", 6);
  assert_refused("1", 1);
  assert_refused("null", 4);
}
END_TEST

static void missing_field(int i) {
  json_t *root = sample_json();

  ck_assert_int_eq(json_object_del(root, field_names[i]), 0);
  assert_json_refused(root);
}

START_TEST(test_decode_refuses_an_extra_field) {
  assert_json_refused(sample_with("password", "\"hunter2\""));
}
END_TEST

START_TEST(test_decode_refuses_duplicate_fields) {
  const struct rg_record in = sample();
  char *text = rg_record_encode(&in);
  char longer[4096];

  ck_assert_ptr_nonnull(text);
  /* Another "user" before the real one. */
  snprintf(longer, sizeof(longer), "{\"user\": \"root\",%s", text + 1);
  assert_refused(longer, strlen(longer));
  rg_secret_free(text);
}
END_TEST

/* Each field with a value of the wrong type. */
static const struct {
  const char *field;
  const char *value;
} wrong_types[] = {
    {"version", "\"1\""},
    {"version", "1.0"},
    {"user", "5"},
    {"user", "null"},
    {"sub", "5"},
    {"sub", "[\"s\"]"},
    {"name", "true"},
    {"iss", "{}"},
    {"id_exp", "\"1\""},
    {"id_exp", "1.5"},
    {"token_expires", "null"},
    {"online_at", "\"1700000000\""},
    {"verifier", "5"},
    {"verifier", "false"},
    {"failures", "true"},
    {"failures", "2.0"},
    {"locked_until", "\"0\""},
    {"rights", "5"},
    {"rights", "\"admin\""},
    {"rights", "[]"},
    {"rights_at", "\"0\""},
};

#define WRONG_TYPE_COUNT (sizeof(wrong_types) / sizeof(wrong_types[0]))

static void wrong_type(int i) {
  assert_json_refused(sample_with(wrong_types[i].field, wrong_types[i].value));
}

START_TEST(test_decode_refuses_version_2) {
  assert_json_refused(sample_with("version", "2"));
}
END_TEST

START_TEST(test_decode_refuses_version_0) {
  assert_json_refused(sample_with("version", "0"));
}
END_TEST

START_TEST(test_decode_refuses_verifier_of_another_scheme) {
  assert_json_refused(sample_with(
      "verifier", "\"$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/"
                  "jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/\""));
}
END_TEST

START_TEST(test_decode_refuses_empty_verifier) {
  assert_json_refused(sample_with("verifier", "\"\""));
}
END_TEST

START_TEST(test_decode_accepts_null_verifier) {
  assert_json_accepted(sample_with("verifier", "null"));
}
END_TEST

START_TEST(test_decode_refuses_negative_id_exp) {
  assert_json_refused(sample_with("id_exp", "-1"));
}
END_TEST

START_TEST(test_decode_refuses_negative_token_expires) {
  assert_json_refused(sample_with("token_expires", "-1"));
}
END_TEST

START_TEST(test_decode_refuses_negative_online_at) {
  assert_json_refused(sample_with("online_at", "-1700000000"));
}
END_TEST

START_TEST(test_decode_refuses_online_at_zero) {
  assert_json_refused(sample_with("online_at", "0"));
}
END_TEST

START_TEST(test_decode_refuses_negative_locked_until) {
  assert_json_refused(sample_with("locked_until", "-1"));
}
END_TEST

START_TEST(test_decode_refuses_negative_failures) {
  assert_json_refused(sample_with("failures", "-1"));
}
END_TEST

START_TEST(test_decode_refuses_empty_user) {
  assert_json_refused(sample_with("user", "\"\""));
}
END_TEST

START_TEST(test_decode_refuses_user_with_nul) {
  assert_json_refused(sample_with("user", "\"jdoe\\u0000root\""));
}
END_TEST

START_TEST(test_decode_sets_why) {
  struct rg_record r;
  struct rg_why why;

  memset(&why, 0, sizeof(why));
  ck_assert(!rg_record_decode("{", 1, &r, &why));
  ck_assert_uint_gt(strlen(why.text), 0);
  ck_assert_uint_lt(strlen(why.text), sizeof(why.text));
}
END_TEST

START_TEST(test_decode_why_tells_version_from_type) {
  json_t *v2 = sample_with("version", "2");
  json_t *bad = sample_with("failures", "\"x\"");
  char *t2 = json_dumps(v2, 0);
  char *tbad = json_dumps(bad, 0);
  struct rg_record r;
  struct rg_why why2 = {""};
  struct rg_why whybad = {""};

  ck_assert(!rg_record_decode(t2, strlen(t2), &r, &why2));
  ck_assert(!rg_record_decode(tbad, strlen(tbad), &r, &whybad));
  ck_assert_str_ne(why2.text, whybad.text);
  free(t2);
  free(tbad);
  json_decref(v2);
  json_decref(bad);
}
END_TEST

START_TEST(test_record_free_twice_is_safe) {
  const struct rg_record in = sample();
  char *text = rg_record_encode(&in);
  struct rg_record out;
  struct rg_why why = {""};

  ck_assert_ptr_nonnull(text);
  ck_assert(rg_record_decode(text, strlen(text), &out, &why));
  rg_record_free(&out);
  ck_assert_ptr_null(out.user);
  ck_assert_ptr_null(out.verifier);
  rg_record_free(&out);
  rg_secret_free(text);
}
END_TEST

/* The fuzzer starts from tests/fuzz/corpus/record: if its well-formed
 * seeds fell behind the format, every input would stop at the field
 * check and the decoder behind it would go unfuzzed. */
START_TEST(test_fuzz_seeds_follow_the_format) {
  static const char *const good[] = {"record", "locked", "revoked-no-rights"};

  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    char path[4096], text[8192];
    struct rg_record r;
    struct rg_why why = {""};
    size_t len;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", RECORD_CORPUS, good[i]);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    len = fread(text, 1, sizeof(text), f);
    fclose(f);
    ck_assert_msg(rg_record_decode(text, len, &r, &why), "seed %s: %s", good[i],
                  why.text);
    rg_record_free(&r);
  }
}
END_TEST

#define MAX_NAME 96

static Suite *record_suite(void) {
  static TTest missing_tests[FIELD_COUNT];
  static char missing_names[FIELD_COUNT][MAX_NAME];
  static TTest type_tests[WRONG_TYPE_COUNT];
  static char type_names[WRONG_TYPE_COUNT][MAX_NAME];
  Suite *s = suite_create("record");
  TCase *trip = tcase_create("round trip");
  TCase *refuse = tcase_create("refusals");

  tcase_add_test(trip, test_round_trip_keeps_every_field);
  tcase_add_test(trip, test_round_trip_keeps_department_rights);
  tcase_add_test(trip, test_round_trip_without_claims_or_verifier);
  tcase_add_test(trip, test_round_trip_keeps_times_past_2038);
  tcase_add_test(trip, test_encoding_has_format_version_1);
  tcase_add_test(trip, test_encoding_never_contains_the_password);
  tcase_add_test(trip, test_encoding_fits_the_record_size_cap);
  tcase_add_test(trip, test_decode_reads_only_len_bytes);
  tcase_add_test(trip, test_decode_accepts_null_verifier);
  tcase_add_test(trip, test_record_free_twice_is_safe);
  tcase_add_test(trip, test_fuzz_seeds_follow_the_format);
  suite_add_tcase(s, trip);

  tcase_add_test(refuse, test_decode_refuses_trailing_garbage);
  tcase_add_test(refuse, test_decode_refuses_text_that_is_not_json);
  tcase_add_test(refuse, test_decode_refuses_empty_text);
  tcase_add_test(refuse, test_decode_refuses_every_truncation);
  tcase_add_test(refuse, test_decode_refuses_json_that_is_not_an_object);
  for (size_t i = 0; i < FIELD_COUNT; i++) {
    snprintf(missing_names[i], MAX_NAME, "test_decode_refuses_missing_%s",
             field_names[i]);
    missing_tests[i] =
        (TTest){missing_names[i], missing_field, __FILE__, __LINE__};
    tcase_add_loop_test(refuse, &missing_tests[i], (int)i, (int)i + 1);
  }
  tcase_add_test(refuse, test_decode_refuses_an_extra_field);
  tcase_add_test(refuse, test_decode_refuses_duplicate_fields);
  for (size_t i = 0; i < WRONG_TYPE_COUNT; i++) {
    snprintf(type_names[i], MAX_NAME, "test_decode_refuses_%s_of_value_%s",
             wrong_types[i].field, wrong_types[i].value);
    type_tests[i] = (TTest){type_names[i], wrong_type, __FILE__, __LINE__};
    tcase_add_loop_test(refuse, &type_tests[i], (int)i, (int)i + 1);
  }
  tcase_add_test(refuse, test_decode_refuses_version_2);
  tcase_add_test(refuse, test_decode_refuses_version_0);
  tcase_add_test(refuse, test_decode_refuses_verifier_of_another_scheme);
  tcase_add_test(refuse, test_decode_refuses_empty_verifier);
  tcase_add_test(refuse, test_decode_refuses_negative_id_exp);
  tcase_add_test(refuse, test_decode_refuses_negative_token_expires);
  tcase_add_test(refuse, test_decode_refuses_negative_online_at);
  tcase_add_test(refuse, test_decode_refuses_online_at_zero);
  tcase_add_test(refuse, test_decode_refuses_negative_locked_until);
  tcase_add_test(refuse, test_decode_refuses_negative_failures);
  tcase_add_test(refuse, test_decode_refuses_empty_user);
  tcase_add_test(refuse, test_decode_refuses_user_with_nul);
  tcase_add_test(refuse, test_decode_sets_why);
  tcase_add_test(refuse, test_decode_why_tells_version_from_type);
  suite_add_tcase(s, refuse);
  return s;
}

UNIT_MAIN(record_suite)
