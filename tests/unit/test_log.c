/* rg_sanitize() stands between the network and the system log; rg_log()
 * and rg_debug() hand finished lines to a sink. */
#include "unit.h"

#include "log.h"

/* Sanitises src and returns the text, kept in a static buffer so that a
 * test can compare it directly. */
static const char *clean(const char *src) {
  static struct rg_safe safe;

  return rg_sanitize(&safe, src);
}

START_TEST(test_plain_text_is_unchanged) {
  ck_assert_str_eq(clean("The username or password is invalid."),
                   "The username or password is invalid.");
}
END_TEST

START_TEST(test_every_printable_ascii_byte_but_backslash_is_kept) {
  char all[96];
  size_t n = 0;

  for (int c = 0x20; c < 0x7f; c++) {
    if (c != '\\')
      all[n++] = (char)c;
  }
  all[n] = '\0';
  ck_assert_str_eq(clean(all), all);
}
END_TEST

START_TEST(test_empty_string_stays_empty) {
  ck_assert_str_eq(clean(""), "");
}
END_TEST

START_TEST(test_null_gives_none) {
  ck_assert_str_eq(clean(NULL), "(none)");
}
END_TEST

START_TEST(test_newline_becomes_hex_escape) {
  ck_assert_str_eq(clean("a\nb"), "a\\x0ab");
}
END_TEST

START_TEST(test_carriage_return_becomes_hex_escape) {
  ck_assert_str_eq(clean("a\rb"), "a\\x0db");
}
END_TEST

START_TEST(test_tab_becomes_hex_escape) {
  ck_assert_str_eq(clean("a\tb"), "a\\x09b");
}
END_TEST

START_TEST(test_escape_becomes_hex_escape) {
  ck_assert_str_eq(clean("\x1b[31mred"), "\\x1b[31mred");
}
END_TEST

START_TEST(test_del_becomes_hex_escape) {
  ck_assert_str_eq(clean("a\x7f"), "a\\x7f");
}
END_TEST

START_TEST(test_high_bytes_become_hex_escapes) {
  /* "é" in UTF-8, then the highest byte. */
  ck_assert_str_eq(clean("\xc3\xa9\xff"), "\\xc3\\xa9\\xff");
}
END_TEST

START_TEST(test_backslash_becomes_hex_escape) {
  /* Otherwise "\x0a" typed by a user would read like an escaped byte. */
  ck_assert_str_eq(clean("a\\x0a"), "a\\x5cx0a");
}
END_TEST

START_TEST(test_every_control_byte_is_escaped) {
  for (int c = 1; c < 0x20; c++) {
    char in[2] = {(char)c, '\0'};
    char want[8];

    snprintf(want, sizeof(want), "\\x%02x", c);
    ck_assert_str_eq(clean(in), want);
  }
}
END_TEST

START_TEST(test_output_holds_only_printable_ascii) {
  char all[256];
  const char *out;

  for (int c = 1; c < 256; c++)
    all[c - 1] = (char)c;
  all[255] = '\0';
  out = clean(all);
  for (const char *p = out; *p != '\0'; p++)
    ck_assert_msg(*p >= 0x20 && *p < 0x7f, "byte 0x%02x in the output",
                  (unsigned char)*p);
}
END_TEST

START_TEST(test_long_input_is_cut_with_ellipsis) {
  char in[1000];
  const char *out;
  size_t len;

  memset(in, 'a', sizeof(in) - 1);
  in[sizeof(in) - 1] = '\0';
  out = clean(in);
  len = strlen(out);
  ck_assert_uint_lt(len, sizeof(((struct rg_safe *)NULL)->text));
  ck_assert_uint_gt(len, 100);
  ck_assert_str_eq(out + len - 3, "...");
  ck_assert_int_eq(strspn(out, "a"), len - 3);
}
END_TEST

START_TEST(test_input_that_fits_is_not_cut) {
  char in[101];

  memset(in, 'b', sizeof(in) - 1);
  in[sizeof(in) - 1] = '\0';
  ck_assert_str_eq(clean(in), in);
}
END_TEST

START_TEST(test_long_escaped_input_never_overflows) {
  /* Each byte grows fourfold: a naive copy would run far past the end.
   * The guard bytes around the buffer catch a write out of bounds. */
  struct {
    char before[32];
    struct rg_safe safe;
    char after[32];
  } frame;
  char in[2000];
  const char *out;

  memset(&frame, 0x55, sizeof(frame));
  memset(in, '\x01', sizeof(in) - 1);
  in[sizeof(in) - 1] = '\0';
  out = rg_sanitize(&frame.safe, in);
  ck_assert_ptr_eq(out, frame.safe.text);
  ck_assert_uint_lt(strlen(out), sizeof(frame.safe.text));
  ck_assert_str_eq(out + strlen(out) - 3, "...");
  for (size_t i = 0; i < sizeof(frame.after); i++)
    ck_assert_int_eq(frame.after[i], 0x55);
  for (size_t i = 0; i < sizeof(frame.before); i++)
    ck_assert_int_eq(frame.before[i], 0x55);
}
END_TEST

START_TEST(test_cut_never_splits_an_escape) {
  /* Whatever the offset of the cut, what precedes "..." is a run of
   * whole "\x01" escapes after the leading letters. */
  for (size_t lead = 0; lead < 8; lead++) {
    char in[400];
    const char *out;
    size_t len;

    memset(in, 'a', lead);
    memset(in + lead, '\x01', sizeof(in) - 1 - lead);
    in[sizeof(in) - 1] = '\0';
    out = clean(in);
    len = strlen(out);
    ck_assert_str_eq(out + len - 3, "...");
    ck_assert_uint_eq((len - 3 - lead) % 4, 0);
    ck_assert_str_eq(out + len - 7, "\\x01...");
  }
}
END_TEST

START_TEST(test_sanitize_returns_its_buffer) {
  struct rg_safe safe;

  ck_assert_ptr_eq(rg_sanitize(&safe, "x"), safe.text);
}
END_TEST

START_TEST(test_log_reaches_the_sink_with_its_priority) {
  struct captured_log captured;
  struct rg_log log = capture_log(&captured);

  rg_log(&log, LOG_NOTICE, "user %s refused", "jdoe");
  ck_assert_str_eq(captured.text, "5 user jdoe refused\n");
}
END_TEST

START_TEST(test_log_reaches_the_sink_without_debug) {
  struct captured_log captured;
  struct rg_log log = capture_log(&captured);

  log.debug = false;
  rg_log(&log, LOG_ERR, "broken");
  ck_assert_str_eq(captured.text, "3 broken\n");
}
END_TEST

START_TEST(test_debug_reaches_the_sink_at_debug_priority) {
  struct captured_log captured;
  struct rg_log log = capture_log(&captured);

  rg_debug(&log, "took %d ms", 42);
  ck_assert_str_eq(captured.text, "7 took 42 ms\n");
}
END_TEST

START_TEST(test_debug_is_silent_when_debug_is_off) {
  struct captured_log captured;
  struct rg_log log = capture_log(&captured);

  log.debug = false;
  rg_debug(&log, "took %d ms", 42);
  ck_assert_str_eq(captured.text, "");
}
END_TEST

START_TEST(test_log_without_a_sink_does_nothing) {
  const struct rg_log log = {NULL, NULL, true};

  rg_log(&log, LOG_ERR, "nowhere");
  rg_debug(&log, "nowhere");
  rg_log(NULL, LOG_ERR, "nowhere");
  rg_debug(NULL, "nowhere");
}
END_TEST

static Suite *log_suite(void) {
  Suite *s = suite_create("log");
  TCase *sanitize = tcase_create("sanitize");
  TCase *sink = tcase_create("sink");

  tcase_add_test(sanitize, test_plain_text_is_unchanged);
  tcase_add_test(sanitize,
                 test_every_printable_ascii_byte_but_backslash_is_kept);
  tcase_add_test(sanitize, test_empty_string_stays_empty);
  tcase_add_test(sanitize, test_null_gives_none);
  tcase_add_test(sanitize, test_newline_becomes_hex_escape);
  tcase_add_test(sanitize, test_carriage_return_becomes_hex_escape);
  tcase_add_test(sanitize, test_tab_becomes_hex_escape);
  tcase_add_test(sanitize, test_escape_becomes_hex_escape);
  tcase_add_test(sanitize, test_del_becomes_hex_escape);
  tcase_add_test(sanitize, test_high_bytes_become_hex_escapes);
  tcase_add_test(sanitize, test_backslash_becomes_hex_escape);
  tcase_add_test(sanitize, test_every_control_byte_is_escaped);
  tcase_add_test(sanitize, test_output_holds_only_printable_ascii);
  tcase_add_test(sanitize, test_long_input_is_cut_with_ellipsis);
  tcase_add_test(sanitize, test_input_that_fits_is_not_cut);
  tcase_add_test(sanitize, test_long_escaped_input_never_overflows);
  tcase_add_test(sanitize, test_cut_never_splits_an_escape);
  tcase_add_test(sanitize, test_sanitize_returns_its_buffer);
  suite_add_tcase(s, sanitize);

  tcase_add_test(sink, test_log_reaches_the_sink_with_its_priority);
  tcase_add_test(sink, test_log_reaches_the_sink_without_debug);
  tcase_add_test(sink, test_debug_reaches_the_sink_at_debug_priority);
  tcase_add_test(sink, test_debug_is_silent_when_debug_is_off);
  tcase_add_test(sink, test_log_without_a_sink_does_nothing);
  suite_add_tcase(s, sink);
  return s;
}

UNIT_MAIN(log_suite)
