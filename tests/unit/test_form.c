/* rg_form_encode() builds the token request's body, password included. */
#include "unit.h"

#include "form.h"
#include "secret.h"

/* Encodes one field "p" with value, and returns what follows "p=". */
static char *encode_value(const char *value) {
  const struct rg_form_field field = {"p", value};
  char *body = rg_form_encode(&field, 1);
  char *copy;

  ck_assert_ptr_nonnull(body);
  ck_assert_int_eq(strncmp(body, "p=", 2), 0);
  copy = strdup(body + 2);
  ck_assert_ptr_nonnull(copy);
  rg_secret_free(body);
  return copy;
}

static void assert_encodes(const char *value, const char *want) {
  char *got = encode_value(value);

  ck_assert_str_eq(got, want);
  free(got);
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1; /* lowercase is not what rg_form_encode() writes */
}

/* The server's side of the exchange: '+' is a space, %XX a byte, and
 * nothing else may appear but unreserved characters.  Returns NULL for
 * text a strict decoder would refuse. */
static char *form_decode(const char *text) {
  char *out = malloc(strlen(text) + 1);
  char *p = out;

  ck_assert_ptr_nonnull(out);
  for (; *text != '\0'; text++) {
    if (*text == '+') {
      *p++ = ' ';
    } else if (*text == '%') {
      int hi = hex_digit(text[1]);
      int lo = hi < 0 ? -1 : hex_digit(text[2]);

      if (lo < 0) {
        free(out);
        return NULL;
      }
      *p++ = (char)(hi << 4 | lo);
      text += 2;
    } else if (strchr("&=;/?# \"'\\", *text) != NULL ||
               (unsigned char)*text >= 0x80 || (unsigned char)*text < 0x20) {
      free(out);
      return NULL;
    } else {
      *p++ = *text;
    }
  }
  *p = '\0';
  return out;
}

START_TEST(test_unreserved_characters_are_kept) {
  const char *const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz"
                                 "0123456789-._~";

  assert_encodes(unreserved, unreserved);
}
END_TEST

START_TEST(test_space_becomes_plus) {
  assert_encodes("correct horse", "correct+horse");
}
END_TEST

START_TEST(test_ampersand_is_percent_encoded) {
  assert_encodes("a&b", "a%26b");
}
END_TEST

START_TEST(test_equals_is_percent_encoded) {
  assert_encodes("a=b", "a%3Db");
}
END_TEST

START_TEST(test_plus_is_percent_encoded) {
  assert_encodes("a+b", "a%2Bb");
}
END_TEST

START_TEST(test_percent_is_percent_encoded) {
  assert_encodes("100%", "100%25");
}
END_TEST

START_TEST(test_semicolon_is_percent_encoded) {
  assert_encodes("a;b", "a%3Bb");
}
END_TEST

START_TEST(test_single_quote_is_percent_encoded) {
  assert_encodes("a'b", "a%27b");
}
END_TEST

START_TEST(test_double_quote_is_percent_encoded) {
  assert_encodes("a\"b", "a%22b");
}
END_TEST

START_TEST(test_backslash_is_percent_encoded) {
  assert_encodes("a\\b", "a%5Cb");
}
END_TEST

START_TEST(test_slash_is_percent_encoded) {
  assert_encodes("a/b", "a%2Fb");
}
END_TEST

START_TEST(test_question_mark_is_percent_encoded) {
  assert_encodes("a?b", "a%3Fb");
}
END_TEST

START_TEST(test_hash_is_percent_encoded) {
  assert_encodes("a#b", "a%23b");
}
END_TEST

START_TEST(test_hex_digits_are_uppercase) {
  /* 0xAF and 0xFE have only letters for digits. */
  assert_encodes("\xaf\xfe", "%AF%FE");
}
END_TEST

START_TEST(test_utf8_letter_is_encoded_byte_by_byte) {
  assert_encodes("caf\xc3\xa9", "caf%C3%A9");
}
END_TEST

START_TEST(test_control_characters_are_percent_encoded) {
  assert_encodes("\t\n\r\x7f", "%09%0A%0D%7F");
}
END_TEST

START_TEST(test_fields_are_joined_with_ampersand_in_order) {
  const struct rg_form_field fields[] = {
      {"grant_type", "password"},
      {"username", "jdoe"},
      {"password", "s3cret"},
      {"scope", "openid profile"},
  };
  char *body = rg_form_encode(fields, 4);

  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "grant_type=password&username=jdoe&password=s3cret"
                         "&scope=openid+profile");
  rg_secret_free(body);
}
END_TEST

START_TEST(test_names_are_encoded_too) {
  const struct rg_form_field field = {"a b&c", "d"};
  char *body = rg_form_encode(&field, 1);

  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "a+b%26c=d");
  rg_secret_free(body);
}
END_TEST

START_TEST(test_empty_value_gives_name_and_equals) {
  const struct rg_form_field fields[] = {{"username", "jdoe"},
                                         {"password", ""}};
  char *body = rg_form_encode(fields, 2);

  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "username=jdoe&password=");
  rg_secret_free(body);
}
END_TEST

START_TEST(test_no_fields_give_an_empty_body) {
  char *body = rg_form_encode(NULL, 0);

  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "");
  rg_secret_free(body);
}
END_TEST

START_TEST(test_hostile_password_cannot_add_a_field) {
  const struct rg_form_field fields[] = {
      {"password", "x&scope=offline_access&grant_type=client_credentials"},
      {"scope", "openid"},
  };
  char *body = rg_form_encode(fields, 2);

  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "password=x%26scope%3Doffline_access%26grant_type%3D"
                         "client_credentials&scope=openid");
  rg_secret_free(body);
}
END_TEST

START_TEST(test_long_password_round_trips) {
  /* Every printable byte, a space and a UTF-8 letter, repeated to 1000
   * bytes: the length at which a fixed buffer would give way. */
  static const char pattern[] = "aZ9 -._~&=+%;'\"\\/?#\xc3\xa9!";
  char password[1001];
  char *encoded;
  char *decoded;

  for (size_t i = 0; i < 1000; i++)
    password[i] = pattern[i % (sizeof(pattern) - 1)];
  password[1000] = '\0';
  encoded = encode_value(password);
  decoded = form_decode(encoded);
  ck_assert_ptr_nonnull(decoded);
  ck_assert_str_eq(decoded, password);
  free(decoded);
  free(encoded);
}
END_TEST

START_TEST(test_every_byte_round_trips) {
  char all[256];
  char *encoded;
  char *decoded;

  for (int c = 1; c < 256; c++)
    all[c - 1] = (char)c;
  all[255] = '\0';
  encoded = encode_value(all);
  decoded = form_decode(encoded);
  ck_assert_ptr_nonnull(decoded);
  ck_assert_str_eq(decoded, all);
  free(decoded);
  free(encoded);
}
END_TEST

START_TEST(test_length_is_exactly_what_the_encoding_needs) {
  /* "a" and "b" kept, a space, "&" at 3, the 2 bytes of "é" at 3 each. */
  const struct rg_form_field fields[] = {
      {"u", "a b&\xc3\xa9"},
      {"pw", "~"},
  };
  char *body = rg_form_encode(fields, 2);

  ck_assert_ptr_nonnull(body);
  ck_assert_uint_eq(strlen(body),
                    strlen("u=") + 2 + 1 + 3 + 6 + strlen("&pw=") + 1);
  ck_assert_str_eq(body, "u=a+b%26%C3%A9&pw=~");
  rg_secret_free(body);
}
END_TEST

START_TEST(test_length_of_a_fully_escaped_value_is_three_per_byte) {
  char value[301];
  char *encoded;

  memset(value, '&', 300);
  value[300] = '\0';
  encoded = encode_value(value);
  ck_assert_uint_eq(strlen(encoded), 900);
  free(encoded);
}
END_TEST

static Suite *form_suite(void) {
  Suite *s = suite_create("form");
  TCase *bytes = tcase_create("bytes");
  TCase *body = tcase_create("body");

  tcase_add_test(bytes, test_unreserved_characters_are_kept);
  tcase_add_test(bytes, test_space_becomes_plus);
  tcase_add_test(bytes, test_ampersand_is_percent_encoded);
  tcase_add_test(bytes, test_equals_is_percent_encoded);
  tcase_add_test(bytes, test_plus_is_percent_encoded);
  tcase_add_test(bytes, test_percent_is_percent_encoded);
  tcase_add_test(bytes, test_semicolon_is_percent_encoded);
  tcase_add_test(bytes, test_single_quote_is_percent_encoded);
  tcase_add_test(bytes, test_double_quote_is_percent_encoded);
  tcase_add_test(bytes, test_backslash_is_percent_encoded);
  tcase_add_test(bytes, test_slash_is_percent_encoded);
  tcase_add_test(bytes, test_question_mark_is_percent_encoded);
  tcase_add_test(bytes, test_hash_is_percent_encoded);
  tcase_add_test(bytes, test_hex_digits_are_uppercase);
  tcase_add_test(bytes, test_utf8_letter_is_encoded_byte_by_byte);
  tcase_add_test(bytes, test_control_characters_are_percent_encoded);
  suite_add_tcase(s, bytes);

  tcase_add_test(body, test_fields_are_joined_with_ampersand_in_order);
  tcase_add_test(body, test_names_are_encoded_too);
  tcase_add_test(body, test_empty_value_gives_name_and_equals);
  tcase_add_test(body, test_no_fields_give_an_empty_body);
  tcase_add_test(body, test_hostile_password_cannot_add_a_field);
  tcase_add_test(body, test_long_password_round_trips);
  tcase_add_test(body, test_every_byte_round_trips);
  tcase_add_test(body, test_length_is_exactly_what_the_encoding_needs);
  tcase_add_test(body, test_length_of_a_fully_escaped_value_is_three_per_byte);
  suite_add_tcase(s, body);
  return s;
}

UNIT_MAIN(form_suite)
