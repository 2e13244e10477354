/* rg_token_classify(): every answer the token endpoint (or something in
 * its place) can give, as a table.  Each row is its own test, named
 * after the row. */
#include "unit.h"

#include <curl/curl.h>
#include <jansson.h>

#include "token.h"

/* An encrypted access token as Resgrid sends it: five segments, JWE. */
#define ACCESS_TOKEN                                                           \
  "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZDQkMtSFM1MTIiLCJ0eXAiOiJhdCtqd3Qi"   \
  "fQ.kJ3sQm9v.SGVsbG8gd29ybGQ.QmVhcmVyIHRva2VuIGJvZHk.dGFn"

/* Where a row's body takes the id_token built for the row's id_name. */
#define ID_TOKEN_MARK "@ID_TOKEN@"

#define SUCCESS_HEAD                                                           \
  "{\n"                                                                        \
  "  \"access_token\": \"" ACCESS_TOKEN "\",\n"                                \
  "  \"token_type\": \"Bearer\",\n"

#define SUCCESS_WITH_ID_TOKEN                                                  \
  SUCCESS_HEAD "  \"expires_in\": 86398,\n"                                    \
               "  \"id_token\": \"" ID_TOKEN_MARK "\"\n"                       \
               "}"

#define SUCCESS_WITHOUT_ID_TOKEN                                               \
  SUCCESS_HEAD "  \"expires_in\": 86398\n"                                     \
               "}"

#define SUCCESS_EXPIRES(value)                                                 \
  SUCCESS_HEAD "  \"expires_in\": " value "\n"                                 \
               "}"

#define OAUTH_ERROR(error, description)                                        \
  "{\n"                                                                        \
  "  \"error\": \"" error "\",\n"                                              \
  "  \"error_description\": \"" description "\",\n"                            \
  "  \"error_uri\": \"https://documentation.openiddict.com/errors/ID2024\"\n"  \
  "}"

#define GENERIC_REFUSAL "The username or password is invalid."
#define SESSION_LIMIT                                                          \
  "The department's maximum number of active sessions has been reached."
#define NO_LONGER_ALLOWED                                                      \
  "The user is no longer allowed to sign in to this department."

#define CAPTIVE_PORTAL                                                         \
  "<!DOCTYPE html>\n<html><head><title>Hotel WiFi</title></head>\n"            \
  "<body><form action=\"/login\">Accept the terms to continue</form>"          \
  "</body></html>\n"

#define EXPIRES_UNCHECKED (-1)

struct row {
  const char *name;
  int curl_code;
  long status;
  const char *body;
  bool oversized;
  const char *user;    /* the Resgrid name that was sent */
  const char *id_name; /* the "name" claim of the id_token in the body */
  enum rg_outcome want;
  const char *message;    /* refused: the message for the user */
  long long expires_in;   /* accepted: the seconds expected */
  const char *claim_name; /* accepted: the name claim kept, or NULL */
};

#define ROW(n, curl, st, body, outcome)                                        \
  {                                                                            \
    n, curl, st, body, false, "jdoe", NULL, outcome, NULL, EXPIRES_UNCHECKED,  \
        NULL                                                                   \
  }

static const struct row rows[] = {
    /* Success, and the id_token it carries. */
    {"test_id_token_naming_user_in_other_case_is_accepted", 0, 200,
     SUCCESS_WITH_ID_TOKEN, false, "jdoe", "JDoe", RG_ACCEPTED, NULL, 86398,
     "JDoe"},
    {"test_id_token_naming_user_when_typed_in_capitals_is_accepted", 0, 200,
     SUCCESS_WITH_ID_TOKEN, false, "JDOE", "jdoe", RG_ACCEPTED, NULL, 86398,
     "jdoe"},
    {"test_id_token_naming_another_user_is_unavailable", 0, 200,
     SUCCESS_WITH_ID_TOKEN, false, "jdoe", "asmith", RG_UNAVAILABLE, NULL,
     EXPIRES_UNCHECKED, NULL},
    {"test_id_token_naming_a_longer_name_is_unavailable", 0, 200,
     SUCCESS_WITH_ID_TOKEN, false, "jdoe", "jdoe2", RG_UNAVAILABLE, NULL,
     EXPIRES_UNCHECKED, NULL},
    ROW("test_garbage_id_token_is_unavailable", 0, 200,
        SUCCESS_HEAD "  \"expires_in\": 86398,\n"
                     "  \"id_token\": \"not-a-jwt\"\n}",
        RG_UNAVAILABLE),
    ROW("test_id_token_without_name_is_unavailable", 0, 200,
        SUCCESS_HEAD "  \"expires_in\": 86398,\n"
                     "  \"id_token\": \"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzMSJ9."
                     "c2ln\"\n}",
        RG_UNAVAILABLE),
    ROW("test_id_token_not_a_string_is_unavailable", 0, 200,
        SUCCESS_HEAD "  \"expires_in\": 86398,\n"
                     "  \"id_token\": {\"name\": \"jdoe\"}\n}",
        RG_UNAVAILABLE),
    ROW("test_id_token_null_is_unavailable", 0, 200,
        SUCCESS_HEAD "  \"expires_in\": 86398,\n"
                     "  \"id_token\": null\n}",
        RG_UNAVAILABLE),
    {"test_no_id_token_is_accepted", 0, 200, SUCCESS_WITHOUT_ID_TOKEN, false,
     "jdoe", NULL, RG_ACCEPTED, NULL, 86398, NULL},
    {"test_refresh_token_and_scope_are_ignored", 0, 200,
     SUCCESS_HEAD "  \"expires_in\": 86398,\n"
                  "  \"refresh_token\": \"CfDJ8Ab\",\n"
                  "  \"scope\": \"openid profile offline_access\"\n}",
     false, "jdoe", NULL, RG_ACCEPTED, NULL, 86398, NULL},

    /* token_type and access_token. */
    {"test_token_type_lowercase_bearer_is_accepted", 0, 200,
     "{\n  \"access_token\": \"" ACCESS_TOKEN "\",\n"
     "  \"token_type\": \"bearer\",\n  \"expires_in\": 86398\n}",
     false, "jdoe", NULL, RG_ACCEPTED, NULL, 86398, NULL},
    ROW("test_token_type_mac_is_unavailable", 0, 200,
        "{\n  \"access_token\": \"" ACCESS_TOKEN "\",\n"
        "  \"token_type\": \"mac\",\n  \"expires_in\": 86398\n}",
        RG_UNAVAILABLE),
    ROW("test_missing_token_type_is_unavailable", 0, 200,
        "{\n  \"access_token\": \"" ACCESS_TOKEN "\",\n"
        "  \"expires_in\": 86398\n}",
        RG_UNAVAILABLE),
    ROW("test_missing_access_token_is_unavailable", 0, 200,
        "{\n  \"token_type\": \"Bearer\",\n  \"expires_in\": 86398\n}",
        RG_UNAVAILABLE),
    ROW("test_empty_access_token_is_unavailable", 0, 200,
        "{\n  \"access_token\": \"\",\n  \"token_type\": \"Bearer\",\n"
        "  \"expires_in\": 86398\n}",
        RG_UNAVAILABLE),
    ROW("test_number_access_token_is_unavailable", 0, 200,
        "{\n  \"access_token\": 12345,\n  \"token_type\": \"Bearer\",\n"
        "  \"expires_in\": 86398\n}",
        RG_UNAVAILABLE),
    ROW("test_duplicate_access_token_is_unavailable", 0, 200,
        "{\n  \"access_token\": \"" ACCESS_TOKEN "\",\n"
        "  \"access_token\": \"other\",\n  \"token_type\": \"Bearer\"\n}",
        RG_UNAVAILABLE),

    /* Something else answered with 200. */
    ROW("test_html_captive_portal_is_unavailable", 0, 200, CAPTIVE_PORTAL,
        RG_UNAVAILABLE),
    ROW("test_truncated_json_is_unavailable", 0, 200,
        "{\n  \"access_token\": \"" ACCESS_TOKEN "\",\n"
        "  \"token_type\": \"Bea",
        RG_UNAVAILABLE),
    ROW("test_empty_200_is_unavailable", 0, 200, "", RG_UNAVAILABLE),
    ROW("test_empty_object_is_unavailable", 0, 200, "{}", RG_UNAVAILABLE),
    ROW("test_json_array_is_unavailable", 0, 200, "[1]", RG_UNAVAILABLE),
    ROW("test_json_null_is_unavailable", 0, 200, "null", RG_UNAVAILABLE),
    {"test_oversized_body_is_unavailable", 0, 200, SUCCESS_WITHOUT_ID_TOKEN,
     true, "jdoe", NULL, RG_UNAVAILABLE, NULL, EXPIRES_UNCHECKED, NULL},

    /* The transport failed. */
    ROW("test_couldnt_connect_is_unavailable", CURLE_COULDNT_CONNECT, 0, "",
        RG_UNAVAILABLE),
    ROW("test_timeout_is_unavailable", CURLE_OPERATION_TIMEDOUT, 0, "",
        RG_UNAVAILABLE),
    ROW("test_tls_handshake_failure_is_unavailable", CURLE_SSL_CONNECT_ERROR, 0,
        "", RG_UNAVAILABLE),
    ROW("test_unverified_peer_is_unavailable", CURLE_PEER_FAILED_VERIFICATION,
        0, "", RG_UNAVAILABLE),
    ROW("test_timeout_after_a_complete_200_is_unavailable",
        CURLE_OPERATION_TIMEDOUT, 200, SUCCESS_WITHOUT_ID_TOKEN,
        RG_UNAVAILABLE),
    ROW("test_no_status_at_all_is_unavailable", 0, 0, "", RG_UNAVAILABLE),

    /* Redirects, rate limits and server errors. */
    ROW("test_301_is_unavailable", 0, 301,
        "<html><body>Moved Permanently</body></html>", RG_UNAVAILABLE),
    ROW("test_302_is_unavailable", 0, 302, "", RG_UNAVAILABLE),
    ROW("test_307_is_unavailable", 0, 307, SUCCESS_WITHOUT_ID_TOKEN,
        RG_UNAVAILABLE),
    ROW("test_429_is_unavailable", 0, 429,
        "API calls quota exceeded! maximum admitted 4 per 60s.",
        RG_UNAVAILABLE),
    ROW("test_500_is_unavailable", 0, 500, "", RG_UNAVAILABLE),
    ROW("test_500_with_oauth_error_is_unavailable", 0, 500,
        OAUTH_ERROR("invalid_grant", GENERIC_REFUSAL), RG_UNAVAILABLE),
    ROW("test_502_is_unavailable", 0, 502,
        "<html><head><title>502 Bad Gateway</title></head></html>",
        RG_UNAVAILABLE),
    ROW("test_503_is_unavailable", 0, 503, "Service Unavailable",
        RG_UNAVAILABLE),
    ROW("test_404_is_unavailable", 0, 404, "Not Found", RG_UNAVAILABLE),
    ROW("test_403_with_oauth_error_is_unavailable", 0, 403,
        OAUTH_ERROR("invalid_grant", GENERIC_REFUSAL), RG_UNAVAILABLE),

    /* The server refused the password. */
    ROW("test_invalid_grant_generic_is_refused_without_message", 0, 400,
        OAUTH_ERROR("invalid_grant", GENERIC_REFUSAL), RG_REFUSED),
    ROW("test_invalid_grant_without_description_is_refused_without_message", 0,
        400, "{\n  \"error\": \"invalid_grant\"\n}", RG_REFUSED),
    {"test_invalid_grant_session_limit_is_refused_with_its_message", 0, 400,
     OAUTH_ERROR("invalid_grant", SESSION_LIMIT), false, "jdoe", NULL,
     RG_REFUSED, SESSION_LIMIT, EXPIRES_UNCHECKED, NULL},
    {"test_invalid_grant_no_longer_allowed_is_refused_with_its_message", 0, 400,
     "{\n  \"error\": \"invalid_grant\",\n"
     "  \"error_description\": \"" NO_LONGER_ALLOWED "\"\n}",
     false, "jdoe", NULL, RG_REFUSED, NO_LONGER_ALLOWED, EXPIRES_UNCHECKED,
     NULL},
    {"test_invalid_grant_message_is_sanitised", 0, 400,
     OAUTH_ERROR("invalid_grant",
                 "Locked\\u001b[31m out\\nroot logged in\\u0007"),
     false, "jdoe", NULL, RG_REFUSED,
     "Locked\\x1b[31m out\\x0aroot logged in\\x07", EXPIRES_UNCHECKED, NULL},
    ROW("test_invalid_grant_with_status_401_is_not_refused", 0, 401,
        OAUTH_ERROR("invalid_grant", GENERIC_REFUSAL), RG_UNAVAILABLE),

    /* The server rejected how we asked. */
    ROW("test_missing_grant_type_is_misconfigured", 0, 400,
        OAUTH_ERROR("invalid_request",
                    "The mandatory 'grant_type' parameter is missing."),
        RG_MISCONFIGURED),
    ROW("test_missing_username_is_misconfigured", 0, 400,
        OAUTH_ERROR("invalid_request", "The mandatory 'username' and/or "
                                       "'password' parameters are missing."),
        RG_MISCONFIGURED),
    ROW("test_wrong_content_type_is_misconfigured", 0, 400,
        OAUTH_ERROR("invalid_request",
                    "The specified 'Content-Type' header is invalid."),
        RG_MISCONFIGURED),
    ROW("test_invalid_scope_is_misconfigured", 0, 400,
        OAUTH_ERROR("invalid_scope", "The specified 'scope' is invalid."),
        RG_MISCONFIGURED),
    ROW("test_unsupported_grant_type_is_misconfigured", 0, 400,
        OAUTH_ERROR("unsupported_grant_type",
                    "The specified 'grant_type' is not supported."),
        RG_MISCONFIGURED),
    ROW("test_invalid_client_is_misconfigured", 0, 401,
        OAUTH_ERROR("invalid_client", "The specified 'client_id' is invalid."),
        RG_MISCONFIGURED),

    /* 400 and 401 that are not OAuth. */
    ROW("test_400_non_json_is_unavailable", 0, 400,
        "<html><body>Bad Request</body></html>", RG_UNAVAILABLE),
    ROW("test_400_unknown_error_code_is_unavailable", 0, 400,
        OAUTH_ERROR("access_denied", "The request was denied."),
        RG_UNAVAILABLE),
    ROW("test_400_error_not_a_string_is_unavailable", 0, 400,
        "{\n  \"error\": 400\n}", RG_UNAVAILABLE),
    ROW("test_400_json_array_is_unavailable", 0, 400, "[\"invalid_grant\"]",
        RG_UNAVAILABLE),
    ROW("test_401_empty_is_unavailable", 0, 401, "", RG_UNAVAILABLE),

    /* expires_in. */
    {"test_absent_expires_in_gives_zero", 0, 200,
     SUCCESS_HEAD "  \"scope\": \"openid profile\"\n}", false, "jdoe", NULL,
     RG_ACCEPTED, NULL, 0, NULL},
    {"test_negative_expires_in_gives_zero", 0, 200, SUCCESS_EXPIRES("-5"),
     false, "jdoe", NULL, RG_ACCEPTED, NULL, 0, NULL},
    {"test_zero_expires_in_gives_zero", 0, 200, SUCCESS_EXPIRES("0"), false,
     "jdoe", NULL, RG_ACCEPTED, NULL, 0, NULL},
    {"test_string_expires_in_gives_zero", 0, 200, SUCCESS_EXPIRES("\"86398\""),
     false, "jdoe", NULL, RG_ACCEPTED, NULL, 0, NULL},
    {"test_huge_expires_in_is_clamped_to_30_days", 0, 200,
     SUCCESS_EXPIRES("9000000000000"), false, "jdoe", NULL, RG_ACCEPTED, NULL,
     30LL * 86400, NULL},
    {"test_expires_in_of_30_days_is_kept", 0, 200, SUCCESS_EXPIRES("2592000"),
     false, "jdoe", NULL, RG_ACCEPTED, NULL, 2592000, NULL},
};

/* Unpadded base64url, as a JWT carries it. */
static char *b64url(const char *text) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz0123456789-_";
  const unsigned char *in = (const unsigned char *)text;
  size_t len = strlen(text);
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

/* An id_token shaped like OpenIddict's, naming name. */
static char *make_id_token(const char *name) {
  char payload[1024];
  char *h;
  char *p;
  char *jwt;
  size_t size;

  snprintf(payload, sizeof(payload),
           "{\"sub\":\"9a3c61b2-5f0e-4d1c-8b7a-2e6f4c0d9e11\","
           "\"name\":\"%s\",\"iss\":\"https://api.resgrid.com/\","
           "\"iat\":1700000000,\"nbf\":1700000000,\"exp\":1700001200,"
           "\"at_hash\":\"q0bW8Ym0vyRqIuzX\",\"jti\":\"4c1e\","
           "\"oi_au_id\":\"a1\",\"oi_tkn_id\":\"t1\"}",
           name);
  h = b64url("{\"alg\":\"RS256\",\"kid\":\"7D5B\",\"typ\":\"JWT\"}");
  p = b64url(payload);
  size = strlen(h) + strlen(p) + 32;
  jwt = malloc(size);
  ck_assert_ptr_nonnull(jwt);
  snprintf(jwt, size, "%s.%s.c2lnbmF0dXJlLWJ5dGVz", h, p);
  free(h);
  free(p);
  return jwt;
}

/* The row's body, with its id_token put in place. */
static char *row_body(const struct row *r) {
  const char *mark = strstr(r->body, ID_TOKEN_MARK);
  char *jwt;
  char *body;
  size_t size;

  if (mark == NULL) {
    body = strdup(r->body);
    ck_assert_ptr_nonnull(body);
    return body;
  }
  ck_assert_ptr_nonnull(r->id_name);
  jwt = make_id_token(r->id_name);
  size = strlen(r->body) + strlen(jwt) + 1;
  body = malloc(size);
  ck_assert_ptr_nonnull(body);
  snprintf(body, size, "%.*s%s%s", (int)(mark - r->body), r->body, jwt,
           mark + strlen(ID_TOKEN_MARK));
  free(jwt);
  return body;
}

static void assert_not_in_reason(const char *reason, const char *text,
                                 const char *what) {
  if (text != NULL && text[0] != '\0')
    ck_assert_msg(strstr(reason, text) == NULL, "reason \"%s\" holds the %s",
                  reason, what);
}

/* The reason goes to the log: it must hold no token and nothing the
 * body said.  Checks every string of a JSON body, and the first words of
 * any other. */
static void assert_reason_is_clean(const char *reason, const char *body) {
  json_t *root = json_loads(body, 0, NULL);

  assert_not_in_reason(reason, ACCESS_TOKEN, "access token");
  assert_not_in_reason(reason, "eyJhbGciOi", "start of a token");
  if (json_is_object(root)) {
    static const char *const fields[] = {"access_token", "id_token",
                                         "refresh_token", "error_description",
                                         "error_uri"};

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
      assert_not_in_reason(reason,
                           json_string_value(json_object_get(root, fields[i])),
                           fields[i]);
  } else if (root == NULL && strlen(body) >= 12) {
    char start[13];

    memcpy(start, body, 12);
    start[12] = '\0';
    assert_not_in_reason(reason, start, "body");
  }
  json_decref(root);
}

static void classify_row(int i) {
  const struct row *r = &rows[i];
  char *body = row_body(r);
  const struct rg_http_answer http = {r->curl_code, r->status, body,
                                      strlen(body), r->oversized};
  struct rg_token token;

  ck_assert(rg_token_classify(&http, r->user, &token));
  ck_assert_msg(token.outcome == r->want, "%s: outcome %s, want %s", r->name,
                rg_outcome_name(token.outcome), rg_outcome_name(r->want));
  ck_assert_msg(token.reason[0] != '\0', "%s: no reason", r->name);
  assert_reason_is_clean(token.reason, body);

  if (r->want == RG_REFUSED && r->message != NULL)
    ck_assert_pstr_eq(token.message, r->message);
  else
    ck_assert_ptr_null(token.message);
  if (token.message != NULL)
    ck_assert_ptr_null(strchr(token.message, '\x1b'));

  if (r->want == RG_ACCEPTED) {
    ck_assert_pstr_eq(token.access_token, ACCESS_TOKEN);
    ck_assert_int_eq(token.expires_in, r->expires_in);
    ck_assert_int_eq(token.have_claims, r->claim_name != NULL);
    if (r->claim_name != NULL) {
      ck_assert_pstr_eq(token.claims.name, r->claim_name);
      ck_assert_pstr_eq(token.claims.sub,
                        "9a3c61b2-5f0e-4d1c-8b7a-2e6f4c0d9e11");
    }
  } else {
    ck_assert_ptr_null(token.access_token);
  }

  rg_token_free(&token);
  ck_assert_ptr_null(token.access_token);
  ck_assert_ptr_null(token.message);
  ck_assert_ptr_null(token.claims.name);
  rg_token_free(&token);
  free(body);
}

START_TEST(test_zero_outcome_is_unavailable) {
  /* A token nobody classified must never count as accepted. */
  struct rg_token token;

  memset(&token, 0, sizeof(token));
  ck_assert_int_eq(token.outcome, RG_UNAVAILABLE);
}
END_TEST

START_TEST(test_token_free_is_safe_on_a_zeroed_token) {
  struct rg_token token;

  memset(&token, 0, sizeof(token));
  rg_token_free(&token);
  rg_token_free(&token);
  ck_assert_ptr_null(token.access_token);
  ck_assert_int_eq(token.outcome, RG_UNAVAILABLE);
}
END_TEST

START_TEST(test_classify_clears_what_the_token_held) {
  /* The struct may come uninitialised: nothing of it is trusted. */
  const struct rg_http_answer http = {CURLE_COULDNT_CONNECT, 0, "", 0, false};
  struct rg_token token;

  memset(&token, 0xa5, sizeof(token));
  token.outcome = RG_ACCEPTED;
  ck_assert(rg_token_classify(&http, "jdoe", &token));
  ck_assert_int_eq(token.outcome, RG_UNAVAILABLE);
  ck_assert_ptr_null(token.access_token);
  ck_assert_ptr_null(token.message);
  ck_assert(!token.have_claims);
  rg_token_free(&token);
}
END_TEST

START_TEST(test_reason_names_the_http_status) {
  const struct rg_http_answer http = {0, 503, "", 0, false};
  struct rg_token token;

  ck_assert(rg_token_classify(&http, "jdoe", &token));
  ck_assert_ptr_nonnull(strstr(token.reason, "503"));
  rg_token_free(&token);
}
END_TEST

START_TEST(test_body_is_read_only_to_body_len) {
  /* A success body followed by bytes that are not part of it. */
  const char text[] = "{\"access_token\":\"" ACCESS_TOKEN "\","
                      "\"token_type\":\"Bearer\"}GARBAGE";
  const struct rg_http_answer http = {0, 200, text, strlen(text) - 7, false};
  struct rg_token token;

  ck_assert(rg_token_classify(&http, "jdoe", &token));
  ck_assert_int_eq(token.outcome, RG_ACCEPTED);
  rg_token_free(&token);
}
END_TEST

START_TEST(test_outcome_name_unavailable) {
  ck_assert_str_eq(rg_outcome_name(RG_UNAVAILABLE), "unavailable");
}
END_TEST

START_TEST(test_outcome_name_accepted) {
  ck_assert_str_eq(rg_outcome_name(RG_ACCEPTED), "accepted");
}
END_TEST

START_TEST(test_outcome_name_refused) {
  ck_assert_str_eq(rg_outcome_name(RG_REFUSED), "refused");
}
END_TEST

START_TEST(test_outcome_name_misconfigured) {
  ck_assert_str_eq(rg_outcome_name(RG_MISCONFIGURED), "misconfigured");
}
END_TEST

START_TEST(test_outcome_name_of_an_unknown_value) {
  ck_assert_str_eq(rg_outcome_name((enum rg_outcome)42), "unknown");
}
END_TEST

#define ROW_COUNT (sizeof(rows) / sizeof(rows[0]))

static Suite *token_suite(void) {
  static TTest row_tests[ROW_COUNT];
  Suite *s = suite_create("token");
  TCase *table = tcase_create("table");
  TCase *misc = tcase_create("misc");

  /* One test per row, under the row's name, so that TAP names what
   * failed. */
  for (size_t i = 0; i < ROW_COUNT; i++) {
    row_tests[i] = (TTest){rows[i].name, classify_row, __FILE__, __LINE__};
    tcase_add_loop_test(table, &row_tests[i], (int)i, (int)i + 1);
  }
  suite_add_tcase(s, table);

  tcase_add_test(misc, test_zero_outcome_is_unavailable);
  tcase_add_test(misc, test_token_free_is_safe_on_a_zeroed_token);
  tcase_add_test(misc, test_classify_clears_what_the_token_held);
  tcase_add_test(misc, test_reason_names_the_http_status);
  tcase_add_test(misc, test_body_is_read_only_to_body_len);
  tcase_add_test(misc, test_outcome_name_unavailable);
  tcase_add_test(misc, test_outcome_name_accepted);
  tcase_add_test(misc, test_outcome_name_refused);
  tcase_add_test(misc, test_outcome_name_misconfigured);
  tcase_add_test(misc, test_outcome_name_of_an_unknown_value);
  suite_add_tcase(s, misc);
  return s;
}

UNIT_MAIN(token_suite)
