/* rg_token_classify(): whatever the transport brings back, exactly one
 * outcome, and only a genuine token answer about this user is accepted.
 *
 * Input: byte 0 picks the HTTP status, byte 1 the libcurl error, bit 0 of
 * byte 2 marks the body as cut off at the cap, byte 3 is the length of
 * the user name that follows; the rest is the body. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "token.h"

#define HEADER 4

static long pick_status(uint8_t b) {
  static const long common[] = {200, 400, 401, 429, 500, 302, 0,   503,
                                201, 403, 404, 301, 307, 502, 204, 100};

  return b < 16 ? common[b] : (long)b * 4;
}

static void check_outcome(const struct rg_http_answer *http, const char *user,
                          const struct rg_token *t) {
  bool clean = http->curl_code == 0 && !http->oversized;

  FUZZ_REQUIRE(memchr(t->reason, '\0', sizeof(t->reason)) != NULL);
  FUZZ_REQUIRE(t->reason[0] != '\0' && fuzz_printable(t->reason));
  switch (t->outcome) {
  case RG_ACCEPTED:
    FUZZ_REQUIRE(clean && http->status == 200);
    FUZZ_REQUIRE(t->access_token != NULL && t->access_token[0] != '\0');
    FUZZ_REQUIRE(t->expires_in >= 0 && t->expires_in <= RG_MAX_TOKEN_LIFE);
    if (t->have_claims) {
      FUZZ_REQUIRE(strcasecmp(t->claims.name, user) == 0);
      FUZZ_REQUIRE(t->claims.sub != NULL && t->claims.sub[0] != '\0');
    }
    break;
  case RG_REFUSED:
    FUZZ_REQUIRE(clean && http->status == 400);
    break;
  case RG_MISCONFIGURED:
    FUZZ_REQUIRE(clean && (http->status == 400 || http->status == 401));
    break;
  case RG_UNAVAILABLE:
    break;
  default:
    FUZZ_REQUIRE(!"an outcome outside the enum");
  }
  if (t->outcome != RG_ACCEPTED)
    FUZZ_REQUIRE(t->access_token == NULL);
  if (t->message != NULL)
    FUZZ_REQUIRE(t->outcome == RG_REFUSED && fuzz_printable(t->message));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rg_http_answer http = {0};
  struct rg_token token;
  size_t user_len;
  char *user;
  char *body;
  bool ok;

  if (size < HEADER)
    return 0;
  user_len = data[3] < size - HEADER ? data[3] : size - HEADER;
  user = fuzz_dup(data + HEADER, user_len);
  body = fuzz_dup(data + HEADER + user_len, size - HEADER - user_len);
  http.status = pick_status(data[0]);
  http.curl_code = data[1] < 200 ? 0 : data[1] - 199;
  http.oversized = (data[2] & 1) != 0;
  http.body = body;
  http.body_len = size - HEADER - user_len;

  fuzz_alloc_arm(data, size);
  ok = rg_token_classify(&http, user, &token);
  if (!ok)
    FUZZ_REQUIRE(fuzz_alloc_failed() > 0);
  else
    check_outcome(&http, user, &token);
  rg_token_free(&token);
  fuzz_alloc_disarm();

  FUZZ_REQUIRE(token.access_token == NULL && token.message == NULL);
  free(user);
  free(body);
  return 0;
}
