/* base64url and the claims of an id_token, on tokens built here. */
#include "unit.h"

#include "idtoken.h"

#define GOOD_HEADER "{\"alg\":\"RS256\",\"kid\":\"7D5B\",\"typ\":\"JWT\"}"
#define GOOD_PAYLOAD                                                           \
  "{\"sub\":\"9a3c61b2-5f0e-4d1c-8b7a-2e6f4c0d9e11\",\"name\":\"JDoe\","       \
  "\"iss\":\"https://api.resgrid.com/\",\"iat\":1700000000,"                   \
  "\"nbf\":1700000000,\"exp\":1700001200,\"at_hash\":\"q0bW8Ym0vyRqIuzX\","    \
  "\"jti\":\"4c1e\",\"oi_au_id\":\"a1\",\"oi_tkn_id\":\"t1\"}"

/* Unpadded base64url of len bytes, as a JWT carries it. */
static char *b64url(const void *data, size_t len) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz0123456789-_";
  const unsigned char *in = data;
  char *out = malloc(len / 3 * 4 + 5);
  char *p = out;
  size_t i = 0;

  ck_assert_ptr_nonnull(out);
  for (; i + 2 < len; i += 3) {
    unsigned long v = (unsigned long)in[i] << 16 | in[i + 1] << 8 | in[i + 2];

    *p++ = alphabet[v >> 18 & 63];
    *p++ = alphabet[v >> 12 & 63];
    *p++ = alphabet[v >> 6 & 63];
    *p++ = alphabet[v & 63];
  }
  if (len - i == 1) {
    *p++ = alphabet[in[i] >> 2];
    *p++ = alphabet[(in[i] & 3) << 4];
  } else if (len - i == 2) {
    *p++ = alphabet[in[i] >> 2];
    *p++ = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
    *p++ = alphabet[(in[i + 1] & 15) << 2];
  }
  *p = '\0';
  return out;
}

/* A signature-sized run of bytes, as RS256 with a 2048-bit key gives. */
static char *fake_signature(void) {
  unsigned char sig[256];

  for (size_t i = 0; i < sizeof(sig); i++)
    sig[i] = (unsigned char)(i * 37 + 11);
  return b64url(sig, sizeof(sig));
}

/* header.payload.signature from the JSON texts given. */
static char *make_jwt(const char *header, const char *payload) {
  char *h = b64url(header, strlen(header));
  char *p = b64url(payload, strlen(payload));
  char *s = fake_signature();
  size_t size = strlen(h) + strlen(p) + strlen(s) + 3;
  char *jwt = malloc(size);

  ck_assert_ptr_nonnull(jwt);
  snprintf(jwt, size, "%s.%s.%s", h, p, s);
  free(h);
  free(p);
  free(s);
  return jwt;
}

static enum rg_idtoken_status decode_jwt(const char *jwt) {
  struct rg_claims claims;
  enum rg_idtoken_status st = rg_idtoken_decode(jwt, &claims);

  rg_claims_free(&claims);
  return st;
}

/* Decodes a token made of header and payload, and frees everything. */
static enum rg_idtoken_status decode_parts(const char *header,
                                           const char *payload) {
  char *jwt = make_jwt(header, payload);
  enum rg_idtoken_status st = decode_jwt(jwt);

  free(jwt);
  return st;
}

static void assert_b64url_decodes(const char *text, const char *want) {
  size_t len = 12345;
  unsigned char *out = rg_base64url_decode(text, strlen(text), &len);

  ck_assert_msg(out != NULL, "\"%s\" refused", text);
  ck_assert_uint_eq(len, strlen(want));
  ck_assert_int_eq(memcmp(out, want, len), 0);
  ck_assert_int_eq(out[len], '\0');
  free(out);
}

static void assert_b64url_refused(const char *text) {
  size_t len = 0;
  unsigned char *out = rg_base64url_decode(text, strlen(text), &len);

  ck_assert_msg(out == NULL, "\"%s\" accepted", text);
}

START_TEST(test_b64url_empty_is_empty) {
  assert_b64url_decodes("", "");
}
END_TEST

START_TEST(test_b64url_rfc4648_f) {
  assert_b64url_decodes("Zg", "f");
}
END_TEST

START_TEST(test_b64url_rfc4648_fo) {
  assert_b64url_decodes("Zm8", "fo");
}
END_TEST

START_TEST(test_b64url_rfc4648_foo) {
  assert_b64url_decodes("Zm9v", "foo");
}
END_TEST

START_TEST(test_b64url_rfc4648_foob) {
  assert_b64url_decodes("Zm9vYg", "foob");
}
END_TEST

START_TEST(test_b64url_rfc4648_fooba) {
  assert_b64url_decodes("Zm9vYmE", "fooba");
}
END_TEST

START_TEST(test_b64url_rfc4648_foobar) {
  assert_b64url_decodes("Zm9vYmFy", "foobar");
}
END_TEST

START_TEST(test_b64url_dash_and_underscore_are_62_and_63) {
  /* "-_-_" is "+/+/" in the standard alphabet: 0xfb 0xff 0xbf. */
  assert_b64url_decodes("-_-_", "\xfb\xff\xbf");
}
END_TEST

START_TEST(test_b64url_reads_only_text_len_bytes) {
  size_t len = 0;
  unsigned char *out = rg_base64url_decode("Zm9v.garbage", 4, &len);

  ck_assert_ptr_nonnull(out);
  ck_assert_uint_eq(len, 3);
  ck_assert_str_eq((char *)out, "foo");
  free(out);
}
END_TEST

START_TEST(test_b64url_round_trips_every_byte) {
  unsigned char all[256];
  char *text;
  unsigned char *out;
  size_t len = 0;

  for (int i = 0; i < 256; i++)
    all[i] = (unsigned char)i;
  text = b64url(all, sizeof(all));
  out = rg_base64url_decode(text, strlen(text), &len);
  ck_assert_ptr_nonnull(out);
  ck_assert_uint_eq(len, sizeof(all));
  ck_assert_int_eq(memcmp(out, all, len), 0);
  free(out);
  free(text);
}
END_TEST

START_TEST(test_b64url_refuses_plus) {
  assert_b64url_refused("+/+/");
}
END_TEST

START_TEST(test_b64url_refuses_slash) {
  assert_b64url_refused("ab/c");
}
END_TEST

START_TEST(test_b64url_refuses_padding) {
  assert_b64url_refused("Zg==");
}
END_TEST

START_TEST(test_b64url_refuses_length_one_more_than_multiple_of_4) {
  assert_b64url_refused("Z");
  assert_b64url_refused("Zm9vY");
}
END_TEST

START_TEST(test_b64url_refuses_whitespace) {
  assert_b64url_refused("Zm9 v");
  assert_b64url_refused("Zm9v\n");
}
END_TEST

START_TEST(test_b64url_refuses_embedded_nul) {
  size_t len = 0;

  ck_assert_ptr_null(rg_base64url_decode("Zm\0v", 4, &len));
}
END_TEST

START_TEST(test_valid_token_gives_its_claims) {
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);
  struct rg_claims claims;

  ck_assert_int_eq(rg_idtoken_decode(jwt, &claims), RG_IDTOKEN_OK);
  ck_assert_str_eq(claims.sub, "9a3c61b2-5f0e-4d1c-8b7a-2e6f4c0d9e11");
  ck_assert_str_eq(claims.name, "JDoe");
  ck_assert_str_eq(claims.iss, "https://api.resgrid.com/");
  ck_assert_int_eq(claims.iat, 1700000000LL);
  ck_assert_int_eq(claims.exp, 1700001200LL);
  rg_claims_free(&claims);
  free(jwt);
}
END_TEST

START_TEST(test_absent_iss_iat_and_exp_are_null_and_zero) {
  char *jwt = make_jwt(GOOD_HEADER, "{\"sub\":\"s1\",\"name\":\"jdoe\"}");
  struct rg_claims claims;

  ck_assert_int_eq(rg_idtoken_decode(jwt, &claims), RG_IDTOKEN_OK);
  ck_assert_str_eq(claims.sub, "s1");
  ck_assert_str_eq(claims.name, "jdoe");
  ck_assert_ptr_null(claims.iss);
  ck_assert_int_eq(claims.iat, 0);
  ck_assert_int_eq(claims.exp, 0);
  rg_claims_free(&claims);
  free(jwt);
}
END_TEST

START_TEST(test_claims_free_clears_the_claims) {
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);
  struct rg_claims claims;

  ck_assert_int_eq(rg_idtoken_decode(jwt, &claims), RG_IDTOKEN_OK);
  rg_claims_free(&claims);
  ck_assert_ptr_null(claims.sub);
  ck_assert_ptr_null(claims.name);
  ck_assert_ptr_null(claims.iss);
  rg_claims_free(&claims);
  free(jwt);
}
END_TEST

START_TEST(test_malformed_token_leaves_no_claims) {
  char *jwt = make_jwt(GOOD_HEADER, "{\"sub\":\"s1\",\"iss\":\"i\"}");
  struct rg_claims claims;

  ck_assert_int_eq(rg_idtoken_decode(jwt, &claims), RG_IDTOKEN_MALFORMED);
  ck_assert_ptr_null(claims.sub);
  ck_assert_ptr_null(claims.name);
  ck_assert_ptr_null(claims.iss);
  rg_claims_free(&claims);
  free(jwt);
}
END_TEST

START_TEST(test_missing_name_is_malformed) {
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "{\"sub\":\"s1\"}"),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_empty_name_is_malformed) {
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "{\"sub\":\"s1\",\"name\":\"\"}"),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_name_not_a_string_is_malformed) {
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "{\"sub\":\"s1\",\"name\":42}"),
                   RG_IDTOKEN_MALFORMED);
  ck_assert_int_eq(
      decode_parts(GOOD_HEADER, "{\"sub\":\"s1\",\"name\":[\"jdoe\"]}"),
      RG_IDTOKEN_MALFORMED);
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "{\"sub\":\"s1\",\"name\":null}"),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_name_with_nul_is_malformed) {
  ck_assert_int_eq(
      decode_parts(GOOD_HEADER, "{\"sub\":\"s1\",\"name\":\"jdoe\\u0000x\"}"),
      RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_missing_sub_is_malformed) {
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "{\"name\":\"jdoe\"}"),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_empty_sub_is_malformed) {
  ck_assert_int_eq(
      decode_parts(GOOD_HEADER, "{\"sub\":\"\",\"name\":\"jdoe\"}"),
      RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_sub_not_a_string_is_malformed) {
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "{\"sub\":7,\"name\":\"jdoe\"}"),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_iss_not_a_string_is_malformed) {
  ck_assert_int_eq(
      decode_parts(GOOD_HEADER, "{\"sub\":\"s\",\"name\":\"jdoe\",\"iss\":1}"),
      RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_payload_not_json_is_malformed) {
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "sub=s1&name=jdoe"),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_payload_json_array_is_malformed) {
  ck_assert_int_eq(
      decode_parts(GOOD_HEADER, "[{\"sub\":\"s1\",\"name\":\"jdoe\"}]"),
      RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_payload_json_string_is_malformed) {
  ck_assert_int_eq(decode_parts(GOOD_HEADER, "\"jdoe\""), RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_payload_with_trailing_garbage_is_malformed) {
  ck_assert_int_eq(
      decode_parts(GOOD_HEADER, "{\"sub\":\"s1\",\"name\":\"jdoe\"}x"),
      RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_payload_with_duplicate_keys_is_malformed) {
  /* Two "name"s: which one a parser keeps is not to be relied on. */
  ck_assert_int_eq(
      decode_parts(GOOD_HEADER,
                   "{\"sub\":\"s1\",\"name\":\"jdoe\",\"name\":\"root\"}"),
      RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_header_with_duplicate_keys_is_malformed) {
  ck_assert_int_eq(decode_parts("{\"alg\":\"RS256\",\"alg\":\"none\"}",
                                "{\"sub\":\"s1\",\"name\":\"jdoe\"}"),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_header_without_alg_is_malformed) {
  ck_assert_int_eq(decode_parts("{\"typ\":\"JWT\"}", GOOD_PAYLOAD),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_alg_none_is_malformed) {
  ck_assert_int_eq(
      decode_parts("{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD_PAYLOAD),
      RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_empty_alg_is_malformed) {
  ck_assert_int_eq(decode_parts("{\"alg\":\"\"}", GOOD_PAYLOAD),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_alg_not_a_string_is_malformed) {
  ck_assert_int_eq(decode_parts("{\"alg\":256}", GOOD_PAYLOAD),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_header_not_json_is_malformed) {
  ck_assert_int_eq(decode_parts("RS256", GOOD_PAYLOAD), RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_header_json_array_is_malformed) {
  ck_assert_int_eq(decode_parts("[\"RS256\"]", GOOD_PAYLOAD),
                   RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_two_segments_are_malformed) {
  char *h = b64url(GOOD_HEADER, strlen(GOOD_HEADER));
  char *p = b64url(GOOD_PAYLOAD, strlen(GOOD_PAYLOAD));
  char jwt[2048];

  snprintf(jwt, sizeof(jwt), "%s.%s", h, p);
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(h);
  free(p);
}
END_TEST

START_TEST(test_four_segments_are_malformed) {
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);
  char longer[4096];

  snprintf(longer, sizeof(longer), "%s.Zm9v", jwt);
  ck_assert_int_eq(decode_jwt(longer), RG_IDTOKEN_MALFORMED);
  free(jwt);
}
END_TEST

START_TEST(test_five_segments_of_a_jwe_are_malformed) {
  /* An encrypted token (like Resgrid's access_token) is not an id_token. */
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);
  char longer[4096];

  snprintf(longer, sizeof(longer), "%s.Zm9v.Zm9v", jwt);
  ck_assert_int_eq(decode_jwt(longer), RG_IDTOKEN_MALFORMED);
  free(jwt);
}
END_TEST

START_TEST(test_empty_signature_is_malformed) {
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);

  *(strrchr(jwt, '.') + 1) = '\0';
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(jwt);
}
END_TEST

START_TEST(test_empty_payload_segment_is_malformed) {
  char *h = b64url(GOOD_HEADER, strlen(GOOD_HEADER));
  char jwt[1024];

  snprintf(jwt, sizeof(jwt), "%s..c2ln", h);
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(h);
}
END_TEST

START_TEST(test_empty_header_segment_is_malformed) {
  char *p = b64url(GOOD_PAYLOAD, strlen(GOOD_PAYLOAD));
  char jwt[1024];

  snprintf(jwt, sizeof(jwt), ".%s.c2ln", p);
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(p);
}
END_TEST

START_TEST(test_empty_string_is_malformed) {
  ck_assert_int_eq(decode_jwt(""), RG_IDTOKEN_MALFORMED);
  ck_assert_int_eq(decode_jwt(".."), RG_IDTOKEN_MALFORMED);
}
END_TEST

START_TEST(test_standard_base64_in_payload_is_malformed) {
  /* '+' and '/' belong to the other alphabet: not a compact JWS. */
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);
  char *payload = strchr(jwt, '.') + 1;

  payload[5] = '+';
  payload[9] = '/';
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(jwt);
}
END_TEST

START_TEST(test_padded_payload_is_malformed) {
  /* 28 bytes: standard base64 would end them in "==". */
  static const char payload[] = "{\"sub\":\"s1\",\"name\":\"jdoe12\"}";
  char *h = b64url(GOOD_HEADER, strlen(GOOD_HEADER));
  char *p = b64url(payload, strlen(payload));
  char jwt[2048];

  ck_assert_uint_eq(strlen(p) % 4, 2);
  snprintf(jwt, sizeof(jwt), "%s.%s.c2ln", h, p);
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_OK);
  snprintf(jwt, sizeof(jwt), "%s.%s==.c2ln", h, p);
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(h);
  free(p);
}
END_TEST

START_TEST(test_invalid_characters_in_header_are_malformed) {
  char *p = b64url(GOOD_PAYLOAD, strlen(GOOD_PAYLOAD));
  char jwt[2048];

  snprintf(jwt, sizeof(jwt), "eyJhbGciOi!SUzI1NiJ9.%s.c2ln", p);
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(p);
}
END_TEST

START_TEST(test_invalid_characters_in_payload_are_malformed) {
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);
  char *payload = strchr(jwt, '.') + 1;

  payload[4] = '*';
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(jwt);
}
END_TEST

START_TEST(test_invalid_characters_in_signature_are_malformed) {
  /* The header's contract: each of the three segments is base64url. */
  char *jwt = make_jwt(GOOD_HEADER, GOOD_PAYLOAD);
  char *signature = strrchr(jwt, '.') + 1;

  signature[4] = '*';
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(jwt);
}
END_TEST

/* A payload that is valid JSON and about bytes long once encoded. */
static char *big_payload(size_t bytes) {
  size_t size = bytes / 4 * 3 + 64;
  char *payload = malloc(size);
  size_t used;

  ck_assert_ptr_nonnull(payload);
  used = (size_t)snprintf(payload, size,
                          "{\"sub\":\"s1\",\"name\":\"jdoe\","
                          "\"pad\":\"");
  memset(payload + used, 'x', size - used - 3);
  strcpy(payload + size - 3, "\"}");
  return payload;
}

START_TEST(test_20_kib_payload_is_malformed) {
  char *payload = big_payload(20 * 1024);
  char *jwt = make_jwt(GOOD_HEADER, payload);

  ck_assert_uint_gt(strlen(jwt), 20 * 1024);
  ck_assert_int_eq(decode_jwt(jwt), RG_IDTOKEN_MALFORMED);
  free(jwt);
  free(payload);
}
END_TEST

START_TEST(test_4_kib_payload_is_fine) {
  /* The cut-off is not so low that a token with many claims fails. */
  char *payload = big_payload(4 * 1024);

  ck_assert_int_eq(decode_parts(GOOD_HEADER, payload), RG_IDTOKEN_OK);
  free(payload);
}
END_TEST

START_TEST(test_20_kib_header_is_malformed) {
  char *header = malloc(15 * 1024 + 32);
  size_t used;

  ck_assert_ptr_nonnull(header);
  used = (size_t)sprintf(header, "{\"alg\":\"RS256\",\"kid\":\"");
  memset(header + used, 'k', 15 * 1024);
  strcpy(header + used + 15 * 1024, "\"}");
  ck_assert_int_eq(decode_parts(header, GOOD_PAYLOAD), RG_IDTOKEN_MALFORMED);
  free(header);
}
END_TEST

static Suite *idtoken_suite(void) {
  Suite *s = suite_create("idtoken");
  TCase *b64 = tcase_create("base64url");
  TCase *claims = tcase_create("claims");
  TCase *shape = tcase_create("shape");

  tcase_add_test(b64, test_b64url_empty_is_empty);
  tcase_add_test(b64, test_b64url_rfc4648_f);
  tcase_add_test(b64, test_b64url_rfc4648_fo);
  tcase_add_test(b64, test_b64url_rfc4648_foo);
  tcase_add_test(b64, test_b64url_rfc4648_foob);
  tcase_add_test(b64, test_b64url_rfc4648_fooba);
  tcase_add_test(b64, test_b64url_rfc4648_foobar);
  tcase_add_test(b64, test_b64url_dash_and_underscore_are_62_and_63);
  tcase_add_test(b64, test_b64url_reads_only_text_len_bytes);
  tcase_add_test(b64, test_b64url_round_trips_every_byte);
  tcase_add_test(b64, test_b64url_refuses_plus);
  tcase_add_test(b64, test_b64url_refuses_slash);
  tcase_add_test(b64, test_b64url_refuses_padding);
  tcase_add_test(b64, test_b64url_refuses_length_one_more_than_multiple_of_4);
  tcase_add_test(b64, test_b64url_refuses_whitespace);
  tcase_add_test(b64, test_b64url_refuses_embedded_nul);
  suite_add_tcase(s, b64);

  tcase_add_test(claims, test_valid_token_gives_its_claims);
  tcase_add_test(claims, test_absent_iss_iat_and_exp_are_null_and_zero);
  tcase_add_test(claims, test_claims_free_clears_the_claims);
  tcase_add_test(claims, test_malformed_token_leaves_no_claims);
  tcase_add_test(claims, test_missing_name_is_malformed);
  tcase_add_test(claims, test_empty_name_is_malformed);
  tcase_add_test(claims, test_name_not_a_string_is_malformed);
  tcase_add_test(claims, test_name_with_nul_is_malformed);
  tcase_add_test(claims, test_missing_sub_is_malformed);
  tcase_add_test(claims, test_empty_sub_is_malformed);
  tcase_add_test(claims, test_sub_not_a_string_is_malformed);
  tcase_add_test(claims, test_iss_not_a_string_is_malformed);
  tcase_add_test(claims, test_payload_not_json_is_malformed);
  tcase_add_test(claims, test_payload_json_array_is_malformed);
  tcase_add_test(claims, test_payload_json_string_is_malformed);
  tcase_add_test(claims, test_payload_with_trailing_garbage_is_malformed);
  tcase_add_test(claims, test_payload_with_duplicate_keys_is_malformed);
  suite_add_tcase(s, claims);

  tcase_add_test(shape, test_header_with_duplicate_keys_is_malformed);
  tcase_add_test(shape, test_header_without_alg_is_malformed);
  tcase_add_test(shape, test_alg_none_is_malformed);
  tcase_add_test(shape, test_empty_alg_is_malformed);
  tcase_add_test(shape, test_alg_not_a_string_is_malformed);
  tcase_add_test(shape, test_header_not_json_is_malformed);
  tcase_add_test(shape, test_header_json_array_is_malformed);
  tcase_add_test(shape, test_two_segments_are_malformed);
  tcase_add_test(shape, test_four_segments_are_malformed);
  tcase_add_test(shape, test_five_segments_of_a_jwe_are_malformed);
  tcase_add_test(shape, test_empty_signature_is_malformed);
  tcase_add_test(shape, test_empty_payload_segment_is_malformed);
  tcase_add_test(shape, test_empty_header_segment_is_malformed);
  tcase_add_test(shape, test_empty_string_is_malformed);
  tcase_add_test(shape, test_standard_base64_in_payload_is_malformed);
  tcase_add_test(shape, test_padded_payload_is_malformed);
  tcase_add_test(shape, test_invalid_characters_in_header_are_malformed);
  tcase_add_test(shape, test_invalid_characters_in_payload_are_malformed);
  tcase_add_test(shape, test_invalid_characters_in_signature_are_malformed);
  tcase_add_test(shape, test_20_kib_payload_is_malformed);
  tcase_add_test(shape, test_4_kib_payload_is_fine);
  tcase_add_test(shape, test_20_kib_header_is_malformed);
  suite_add_tcase(s, shape);
  return s;
}

UNIT_MAIN(idtoken_suite)
