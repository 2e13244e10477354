/* yescrypt verifiers for offline logins, and the comparison of secrets.
 * Costs stay at 1 to 3 so the suite runs fast. */
#include "unit.h"

#include <crypt.h>

#include "secret.h"
#include "verifier.h"

#define PASSWORD "correct horse battery staple"

static char *make(const char *password, long cost) {
  char *v = rg_verifier_make(password, cost);

  ck_assert_ptr_nonnull(v);
  return v;
}

/* The params field of "$y$params$salt$hash". */
static void params_of(const char *verifier, char *out, size_t size) {
  const char *start = verifier + 3;
  const char *end = strchr(start, '$');

  ck_assert_ptr_nonnull(end);
  ck_assert_uint_lt((size_t)(end - start), size);
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
}

START_TEST(test_verifier_matches_its_password) {
  char *v = make(PASSWORD, 1);

  ck_assert(rg_verifier_matches(v, PASSWORD));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_wrong_password_does_not_match) {
  char *v = make(PASSWORD, 1);

  ck_assert(!rg_verifier_matches(v, "Tr0ub4dor&3"));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_password_differing_in_letter_case_does_not_match) {
  char *v = make(PASSWORD, 1);

  ck_assert(!rg_verifier_matches(v, "Correct horse battery staple"));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_prefix_or_extension_of_the_password_does_not_match) {
  char *v = make(PASSWORD, 1);

  ck_assert(!rg_verifier_matches(v, "correct horse battery stapl"));
  ck_assert(!rg_verifier_matches(v, PASSWORD "!"));
  ck_assert(!rg_verifier_matches(v, ""));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_two_verifiers_of_one_password_differ) {
  char *a = make(PASSWORD, 1);
  char *b = make(PASSWORD, 1);

  ck_assert_str_ne(a, b);
  ck_assert(rg_verifier_matches(a, PASSWORD));
  ck_assert(rg_verifier_matches(b, PASSWORD));
  rg_secret_free(a);
  rg_secret_free(b);
}
END_TEST

START_TEST(test_verifier_is_yescrypt) {
  char *v = make(PASSWORD, 1);

  ck_assert_int_eq(strncmp(v, "$y$", 3), 0);
  rg_secret_free(v);
}
END_TEST

START_TEST(test_verifier_never_holds_the_password) {
  char *v = make(PASSWORD, 1);

  ck_assert_ptr_null(strstr(v, "horse"));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_cost_is_reflected_in_the_setting) {
  char *low = make(PASSWORD, 1);
  char *high = make(PASSWORD, 3);
  char p_low[32];
  char p_high[32];

  params_of(low, p_low, sizeof(p_low));
  params_of(high, p_high, sizeof(p_high));
  ck_assert_str_ne(p_low, p_high);
  ck_assert(rg_verifier_matches(high, PASSWORD));
  rg_secret_free(low);
  rg_secret_free(high);
}
END_TEST

START_TEST(test_same_cost_gives_the_same_setting) {
  char *a = make(PASSWORD, 2);
  char *b = make("other", 2);
  char p_a[32];
  char p_b[32];

  params_of(a, p_a, sizeof(p_a));
  params_of(b, p_b, sizeof(p_b));
  ck_assert_str_eq(p_a, p_b);
  rg_secret_free(a);
  rg_secret_free(b);
}
END_TEST

START_TEST(test_null_verifier_never_matches) {
  ck_assert(!rg_verifier_matches(NULL, PASSWORD));
  ck_assert(!rg_verifier_matches(NULL, ""));
}
END_TEST

START_TEST(test_sha512_verifier_of_the_password_never_matches) {
  /* A real, correct sha512crypt hash: only yescrypt is accepted. */
  struct crypt_data data;
  const char *hash;

  memset(&data, 0, sizeof(data));
  hash = crypt_r(PASSWORD, "$6$saltsaltsalt$", &data);
  ck_assert_ptr_nonnull(hash);
  ck_assert_int_eq(strncmp(hash, "$6$", 3), 0);
  ck_assert(!rg_verifier_matches(hash, PASSWORD));
}
END_TEST

START_TEST(test_empty_verifier_never_matches) {
  ck_assert(!rg_verifier_matches("", PASSWORD));
  ck_assert(!rg_verifier_matches("", ""));
}
END_TEST

START_TEST(test_locked_account_markers_never_match) {
  ck_assert(!rg_verifier_matches("*", PASSWORD));
  ck_assert(!rg_verifier_matches("!", PASSWORD));
  ck_assert(!rg_verifier_matches("*0", PASSWORD));
  ck_assert(!rg_verifier_matches("!$y$j75$", PASSWORD));
}
END_TEST

START_TEST(test_malformed_yescrypt_verifier_never_matches) {
  ck_assert(!rg_verifier_matches("$y$", PASSWORD));
  ck_assert(!rg_verifier_matches("$y$j75$", PASSWORD));
  ck_assert(!rg_verifier_matches("$y$garbage", PASSWORD));
}
END_TEST

START_TEST(test_truncated_verifier_does_not_match) {
  char *v = make(PASSWORD, 1);

  v[strlen(v) - 1] = '\0';
  ck_assert(!rg_verifier_matches(v, PASSWORD));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_verifier_with_a_changed_hash_does_not_match) {
  char *v = make(PASSWORD, 1);
  char *last = v + strlen(v) - 2;

  *last = *last == 'A' ? 'B' : 'A';
  ck_assert(!rg_verifier_matches(v, PASSWORD));
  rg_secret_free(v);
}
END_TEST

/* libxcrypt refuses passphrases of CRYPT_MAX_PASSPHRASE_SIZE (512)
 * bytes or more, and verifier.h says so: 511 is the longest. */
#define LONGEST 511

/* len bytes mixing ASCII with two- and three-byte UTF-8 letters. */
static void long_password(char *out, size_t len) {
  static const char pattern[] = "p\xc3\xa9 \xe2\x82\xac&=%\\\"";
  size_t n = 0;

  while (n + sizeof(pattern) - 1 <= len) {
    memcpy(out + n, pattern, sizeof(pattern) - 1);
    n += sizeof(pattern) - 1;
  }
  memset(out + n, 'x', len - n);
  out[len] = '\0';
}

START_TEST(test_longest_non_ascii_password_matches) {
  char password[LONGEST + 1];
  char *v;

  long_password(password, LONGEST);
  v = make(password, 1);
  ck_assert(rg_verifier_matches(v, password));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_longest_password_is_not_truncated) {
  /* Schemes that stop at 72 or 256 bytes would match these. */
  char password[LONGEST + 1];
  char *v;

  long_password(password, LONGEST);
  v = make(password, 1);
  password[LONGEST - 1] = 'y';
  ck_assert(!rg_verifier_matches(v, password));
  password[LONGEST - 1] = '\0';
  ck_assert(!rg_verifier_matches(v, password));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_password_of_512_bytes_gets_no_verifier) {
  char password[513];

  long_password(password, 512);
  ck_assert_ptr_null(rg_verifier_make(password, 1));
}
END_TEST

START_TEST(test_password_of_1000_bytes_gets_no_verifier) {
  char password[1001];

  long_password(password, 1000);
  ck_assert_ptr_null(rg_verifier_make(password, 1));
}
END_TEST

START_TEST(test_password_over_the_limit_matches_no_verifier) {
  /* Not even one made from its first 511 bytes. */
  char password[1001];
  char *v;

  long_password(password, 1000);
  password[LONGEST] = '\0';
  v = make(password, 1);
  password[LONGEST] = 'x';
  ck_assert(!rg_verifier_matches(v, password));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_secret_equal_same_strings) {
  ck_assert(rg_secret_equal("$y$j75$abc", "$y$j75$abc"));
}
END_TEST

START_TEST(test_secret_equal_empty_strings) {
  ck_assert(rg_secret_equal("", ""));
}
END_TEST

START_TEST(test_secret_equal_differing_first_byte) {
  ck_assert(!rg_secret_equal("abc", "xbc"));
}
END_TEST

START_TEST(test_secret_equal_differing_last_byte) {
  ck_assert(!rg_secret_equal("abc", "abd"));
}
END_TEST

START_TEST(test_secret_equal_prefix_is_not_equal) {
  ck_assert(!rg_secret_equal("abc", "abcd"));
  ck_assert(!rg_secret_equal("abcd", "abc"));
  ck_assert(!rg_secret_equal("", "a"));
}
END_TEST

START_TEST(test_secret_equal_high_bytes) {
  ck_assert(rg_secret_equal("\xff\x80", "\xff\x80"));
  ck_assert(!rg_secret_equal("\xff\x80", "\xff\x81"));
}
END_TEST

static Suite *verifier_suite(void) {
  Suite *s = suite_create("verifier");
  TCase *verifier = tcase_create("verifier");
  TCase *equal = tcase_create("secret_equal");

  tcase_add_test(verifier, test_verifier_matches_its_password);
  tcase_add_test(verifier, test_wrong_password_does_not_match);
  tcase_add_test(verifier,
                 test_password_differing_in_letter_case_does_not_match);
  tcase_add_test(verifier,
                 test_prefix_or_extension_of_the_password_does_not_match);
  tcase_add_test(verifier, test_two_verifiers_of_one_password_differ);
  tcase_add_test(verifier, test_verifier_is_yescrypt);
  tcase_add_test(verifier, test_verifier_never_holds_the_password);
  tcase_add_test(verifier, test_cost_is_reflected_in_the_setting);
  tcase_add_test(verifier, test_same_cost_gives_the_same_setting);
  tcase_add_test(verifier, test_null_verifier_never_matches);
  tcase_add_test(verifier, test_sha512_verifier_of_the_password_never_matches);
  tcase_add_test(verifier, test_empty_verifier_never_matches);
  tcase_add_test(verifier, test_locked_account_markers_never_match);
  tcase_add_test(verifier, test_malformed_yescrypt_verifier_never_matches);
  tcase_add_test(verifier, test_truncated_verifier_does_not_match);
  tcase_add_test(verifier, test_verifier_with_a_changed_hash_does_not_match);
  tcase_add_test(verifier, test_longest_non_ascii_password_matches);
  tcase_add_test(verifier, test_longest_password_is_not_truncated);
  tcase_add_test(verifier, test_password_of_512_bytes_gets_no_verifier);
  tcase_add_test(verifier, test_password_of_1000_bytes_gets_no_verifier);
  tcase_add_test(verifier, test_password_over_the_limit_matches_no_verifier);
  suite_add_tcase(s, verifier);

  tcase_add_test(equal, test_secret_equal_same_strings);
  tcase_add_test(equal, test_secret_equal_empty_strings);
  tcase_add_test(equal, test_secret_equal_differing_first_byte);
  tcase_add_test(equal, test_secret_equal_differing_last_byte);
  tcase_add_test(equal, test_secret_equal_prefix_is_not_equal);
  tcase_add_test(equal, test_secret_equal_high_bytes);
  suite_add_tcase(s, equal);
  return s;
}

UNIT_MAIN(verifier_suite)
