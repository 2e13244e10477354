/* When a cached record may stand in for Resgrid, on a clock given by the
 * test. */
#include "unit.h"

#include "offline.h"

#define ONLINE_AT 1700000000LL
#define EXPIRES (ONLINE_AT + 86398)
#define GRACE (3 * 86400L)

static char verifier[] = "$y$j75$salt$hash";

static struct rg_record record(void) {
  return (struct rg_record){
      .user = NULL,
      .token_expires = EXPIRES,
      .online_at = ONLINE_AT,
      .verifier = verifier,
  };
}

static struct rg_config config(void) {
  return (struct rg_config){
      .offline = true,
      .offline_grace = GRACE,
      .offline_max_failures = 5,
      .offline_lockout = 900,
  };
}

static enum rg_offline_state state_at(const struct rg_record *r,
                                      long long now) {
  const struct rg_config cfg = config();

  return rg_offline_state(r, &cfg, (time_t)now);
}

START_TEST(test_usable_right_after_the_online_login) {
  const struct rg_record r = record();

  ck_assert_int_eq(state_at(&r, ONLINE_AT), RG_OFFLINE_USABLE);
}
END_TEST

START_TEST(test_usable_after_the_token_expired_within_the_grace) {
  const struct rg_record r = record();

  ck_assert_int_eq(state_at(&r, EXPIRES + 1), RG_OFFLINE_USABLE);
  ck_assert_int_eq(state_at(&r, EXPIRES + GRACE - 1), RG_OFFLINE_USABLE);
}
END_TEST

START_TEST(test_expired_exactly_at_the_end_of_the_grace) {
  const struct rg_record r = record();

  ck_assert_int_eq(state_at(&r, EXPIRES + GRACE), RG_OFFLINE_EXPIRED);
}
END_TEST

START_TEST(test_expired_after_the_grace) {
  const struct rg_record r = record();

  ck_assert_int_eq(state_at(&r, EXPIRES + GRACE + 1), RG_OFFLINE_EXPIRED);
  ck_assert_int_eq(state_at(&r, EXPIRES + 365 * 86400LL), RG_OFFLINE_EXPIRED);
}
END_TEST

START_TEST(test_grace_zero_allows_until_the_token_expires_only) {
  const struct rg_record r = record();
  struct rg_config cfg = config();

  cfg.offline_grace = 0;
  ck_assert_int_eq(rg_offline_state(&r, &cfg, (time_t)(EXPIRES - 1)),
                   RG_OFFLINE_USABLE);
  ck_assert_int_eq(rg_offline_state(&r, &cfg, (time_t)EXPIRES),
                   RG_OFFLINE_EXPIRED);
}
END_TEST

START_TEST(test_revoked_when_verifier_is_null) {
  struct rg_record r = record();

  r.verifier = NULL;
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 60), RG_OFFLINE_REVOKED);
}
END_TEST

START_TEST(test_locked_while_locked_until_is_ahead) {
  struct rg_record r = record();

  r.locked_until = ONLINE_AT + 1000;
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 100), RG_OFFLINE_LOCKED);
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 999), RG_OFFLINE_LOCKED);
}
END_TEST

START_TEST(test_usable_again_once_the_lockout_ends) {
  struct rg_record r = record();

  r.locked_until = ONLINE_AT + 1000;
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 1000), RG_OFFLINE_USABLE);
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 1001), RG_OFFLINE_USABLE);
}
END_TEST

START_TEST(test_future_when_online_at_is_beyond_the_slack) {
  const struct rg_record r = record();

  ck_assert_int_eq(state_at(&r, ONLINE_AT - RG_CLOCK_SLACK - 1),
                   RG_OFFLINE_FUTURE);
  ck_assert_int_eq(state_at(&r, ONLINE_AT - 86400), RG_OFFLINE_FUTURE);
}
END_TEST

START_TEST(test_not_future_within_the_slack) {
  const struct rg_record r = record();

  ck_assert_int_eq(state_at(&r, ONLINE_AT - RG_CLOCK_SLACK), RG_OFFLINE_USABLE);
  ck_assert_int_eq(state_at(&r, ONLINE_AT - 1), RG_OFFLINE_USABLE);
}
END_TEST

START_TEST(test_failure_counts_up) {
  struct rg_record r = record();
  const struct rg_config cfg = config();

  rg_offline_failed(&r, &cfg, (time_t)ONLINE_AT);
  ck_assert_int_eq(r.failures, 1);
  rg_offline_failed(&r, &cfg, (time_t)ONLINE_AT);
  ck_assert_int_eq(r.failures, 2);
  ck_assert_int_eq(r.locked_until, 0);
}
END_TEST

START_TEST(test_failures_below_the_maximum_do_not_lock) {
  struct rg_record r = record();
  const struct rg_config cfg = config();

  for (int i = 0; i < 4; i++)
    rg_offline_failed(&r, &cfg, (time_t)ONLINE_AT + 60);
  ck_assert_int_eq(r.failures, 4);
  ck_assert_int_eq(r.locked_until, 0);
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 60), RG_OFFLINE_USABLE);
}
END_TEST

START_TEST(test_failure_at_the_maximum_locks_for_the_lockout) {
  struct rg_record r = record();
  const struct rg_config cfg = config();

  for (int i = 0; i < 5; i++)
    rg_offline_failed(&r, &cfg, (time_t)ONLINE_AT + 60);
  ck_assert_int_eq(r.locked_until, ONLINE_AT + 60 + 900);
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 60), RG_OFFLINE_LOCKED);
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 60 + 899), RG_OFFLINE_LOCKED);
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 60 + 900), RG_OFFLINE_USABLE);
}
END_TEST

START_TEST(test_locking_resets_the_failure_count) {
  struct rg_record r = record();
  const struct rg_config cfg = config();

  for (int i = 0; i < 5; i++)
    rg_offline_failed(&r, &cfg, (time_t)ONLINE_AT);
  ck_assert_int_eq(r.failures, 0);
}
END_TEST

START_TEST(test_maximum_of_one_locks_at_the_first_failure) {
  struct rg_record r = record();
  struct rg_config cfg = config();

  cfg.offline_max_failures = 1;
  cfg.offline_lockout = 60;
  rg_offline_failed(&r, &cfg, (time_t)ONLINE_AT);
  ck_assert_int_eq(r.locked_until, ONLINE_AT + 60);
}
END_TEST

START_TEST(test_reset_clears_failures_and_reports_change) {
  struct rg_record r = record();

  r.failures = 3;
  ck_assert(rg_offline_reset(&r));
  ck_assert_int_eq(r.failures, 0);
  ck_assert_int_eq(r.locked_until, 0);
}
END_TEST

START_TEST(test_reset_clears_lockout_and_reports_change) {
  struct rg_record r = record();

  r.locked_until = ONLINE_AT + 900;
  ck_assert(rg_offline_reset(&r));
  ck_assert_int_eq(r.locked_until, 0);
  ck_assert_int_eq(state_at(&r, ONLINE_AT + 60), RG_OFFLINE_USABLE);
}
END_TEST

START_TEST(test_reset_of_a_clean_record_reports_no_change) {
  struct rg_record r = record();

  ck_assert(!rg_offline_reset(&r));
  ck_assert_int_eq(r.failures, 0);
  ck_assert_int_eq(r.locked_until, 0);
}
END_TEST

START_TEST(test_until_is_token_expiry_plus_grace) {
  const struct rg_record r = record();
  const struct rg_config cfg = config();

  ck_assert_int_eq(rg_offline_until(&r, &cfg), EXPIRES + GRACE);
}
END_TEST

START_TEST(test_until_with_grace_zero_is_token_expiry) {
  const struct rg_record r = record();
  struct rg_config cfg = config();

  cfg.offline_grace = 0;
  ck_assert_int_eq(rg_offline_until(&r, &cfg), EXPIRES);
}
END_TEST

START_TEST(test_until_is_the_first_expired_moment) {
  /* rg_offline_until() and rg_offline_state() agree on the boundary. */
  const struct rg_record r = record();
  const struct rg_config cfg = config();
  time_t until = rg_offline_until(&r, &cfg);

  ck_assert_int_eq(rg_offline_state(&r, &cfg, until - 1), RG_OFFLINE_USABLE);
  ck_assert_int_eq(rg_offline_state(&r, &cfg, until), RG_OFFLINE_EXPIRED);
}
END_TEST

START_TEST(test_until_beyond_2038) {
  struct rg_record r = record();
  const struct rg_config cfg = config();

  r.token_expires = 4102444800LL;
  ck_assert_int_eq((long long)rg_offline_until(&r, &cfg), 4102444800LL + GRACE);
}
END_TEST

START_TEST(test_state_name_usable) {
  ck_assert_str_eq(rg_offline_state_name(RG_OFFLINE_USABLE), "usable");
}
END_TEST

START_TEST(test_state_name_revoked) {
  ck_assert_str_eq(rg_offline_state_name(RG_OFFLINE_REVOKED), "revoked");
}
END_TEST

START_TEST(test_state_name_expired) {
  ck_assert_str_eq(rg_offline_state_name(RG_OFFLINE_EXPIRED), "expired");
}
END_TEST

START_TEST(test_state_name_locked) {
  ck_assert_str_eq(rg_offline_state_name(RG_OFFLINE_LOCKED), "locked");
}
END_TEST

START_TEST(test_state_name_future) {
  ck_assert_str_eq(rg_offline_state_name(RG_OFFLINE_FUTURE),
                   "dated in the future");
}
END_TEST

START_TEST(test_state_name_of_an_unknown_value) {
  ck_assert_str_eq(rg_offline_state_name((enum rg_offline_state)42), "unknown");
}
END_TEST

static Suite *offline_suite(void) {
  Suite *s = suite_create("offline");
  TCase *state = tcase_create("state");
  TCase *failures = tcase_create("failures");
  TCase *names = tcase_create("names");

  tcase_add_test(state, test_usable_right_after_the_online_login);
  tcase_add_test(state, test_usable_after_the_token_expired_within_the_grace);
  tcase_add_test(state, test_expired_exactly_at_the_end_of_the_grace);
  tcase_add_test(state, test_expired_after_the_grace);
  tcase_add_test(state, test_grace_zero_allows_until_the_token_expires_only);
  tcase_add_test(state, test_revoked_when_verifier_is_null);
  tcase_add_test(state, test_locked_while_locked_until_is_ahead);
  tcase_add_test(state, test_usable_again_once_the_lockout_ends);
  tcase_add_test(state, test_future_when_online_at_is_beyond_the_slack);
  tcase_add_test(state, test_not_future_within_the_slack);
  tcase_add_test(state, test_until_is_token_expiry_plus_grace);
  tcase_add_test(state, test_until_with_grace_zero_is_token_expiry);
  tcase_add_test(state, test_until_is_the_first_expired_moment);
  tcase_add_test(state, test_until_beyond_2038);
  suite_add_tcase(s, state);

  tcase_add_test(failures, test_failure_counts_up);
  tcase_add_test(failures, test_failures_below_the_maximum_do_not_lock);
  tcase_add_test(failures, test_failure_at_the_maximum_locks_for_the_lockout);
  tcase_add_test(failures, test_locking_resets_the_failure_count);
  tcase_add_test(failures, test_maximum_of_one_locks_at_the_first_failure);
  tcase_add_test(failures, test_reset_clears_failures_and_reports_change);
  tcase_add_test(failures, test_reset_clears_lockout_and_reports_change);
  tcase_add_test(failures, test_reset_of_a_clean_record_reports_no_change);
  suite_add_tcase(s, failures);

  tcase_add_test(names, test_state_name_usable);
  tcase_add_test(names, test_state_name_revoked);
  tcase_add_test(names, test_state_name_expired);
  tcase_add_test(names, test_state_name_locked);
  tcase_add_test(names, test_state_name_future);
  tcase_add_test(names, test_state_name_of_an_unknown_value);
  suite_add_tcase(s, names);
  return s;
}

UNIT_MAIN(offline_suite)
