/* The user map: which Resgrid names are possible, how the file is read
 * and trusted, and the Resgrid name a local user logs in under. */
#include "config.h"

#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "usermap.h"

#define MIB (1024 * 1024)

/* One folder under /tmp per test case, made by the parent process, so
 * that it is removed even when a test dies; one subfolder per test. */
static char root[32];
static char dir[64];
static char map_path[128];

static char *remote;
static struct rg_config cfg;
static struct captured_log captured;
static struct rg_log log_to_buffer;

static void make_root(void) {
  unit_make_root(root, sizeof(root), "usermap");
}

static void remove_root(void) {
  unit_remove_root(root);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "%s/t-XXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(map_path, sizeof(map_path), "%s/user_map", dir);
  remote = NULL;
  memset(&cfg, 0, sizeof(cfg));
  log_to_buffer = capture_log(&captured);
}

static void teardown(void) {
  free(remote);
  remote = NULL;
  rg_config_free(&cfg);
}

/* Writes len bytes of text to path with exactly mode. */
static void write_bytes(const char *path, const char *text, size_t len,
                        mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
  ck_assert_int_eq(fchmod(fd, mode), 0);
  ck_assert_int_eq(close(fd), 0);
}

static void write_map_mode(const char *text, mode_t mode) {
  write_bytes(map_path, text, strlen(text), mode);
}

static void write_map(const char *text) {
  write_map_mode(text, 0644);
}

static enum rg_config_status lookup(const char *local) {
  return rg_usermap_lookup(map_path, geteuid(), local, &remote, &log_to_buffer);
}

/* A map with text, then a lookup of local. */
static enum rg_config_status lookup_in(const char *text, const char *local) {
  write_map(text);
  return lookup(local);
}

static void assert_found(const char *expected) {
  ck_assert_ptr_nonnull(remote);
  ck_assert_str_eq(remote, expected);
}

static void assert_logged(const char *text) {
  ck_assert_msg(strstr(captured.text, text) != NULL,
                "\"%s\" not in the log:\n%s", text, captured.text);
}

/* Every problem with the map is logged at ERR, naming the file. */
static void assert_logged_error(const char *text) {
  char line_start[8];

  assert_logged(map_path);
  assert_logged(text);
  snprintf(line_start, sizeof(line_start), "%d ", LOG_ERR);
  ck_assert_int_eq(strncmp(captured.text, line_start, strlen(line_start)), 0);
}

static void assert_invalid(enum rg_config_status st) {
  ck_assert_int_eq(st, RG_CONFIG_INVALID);
  ck_assert_ptr_null(remote);
}

/* A name of len copies of c. */
static char *name_of(size_t len, char c) {
  char *name = malloc(len + 1);

  ck_assert_ptr_nonnull(name);
  memset(name, c, len);
  name[len] = '\0';
  return name;
}

/* Resgrid names. */

START_TEST(test_letters_are_a_resgrid_name) {
  ck_assert(rg_resgrid_name_valid("jdoe"));
  ck_assert(rg_resgrid_name_valid("JDoe"));
}
END_TEST

START_TEST(test_digits_are_a_resgrid_name) {
  ck_assert(rg_resgrid_name_valid("medic12"));
  ck_assert(rg_resgrid_name_valid("0123456789"));
}
END_TEST

START_TEST(test_space_is_allowed_in_a_resgrid_name) {
  ck_assert(rg_resgrid_name_valid("John Smith"));
}
END_TEST

START_TEST(test_dash_dot_underscore_and_at_are_allowed_in_a_resgrid_name) {
  ck_assert(rg_resgrid_name_valid("medic-12.station_3@example.org"));
  ck_assert(rg_resgrid_name_valid("-._@"));
}
END_TEST

START_TEST(test_256_characters_are_a_resgrid_name) {
  char *name = name_of(256, 'a');

  ck_assert(rg_resgrid_name_valid(name));
  free(name);
}
END_TEST

START_TEST(test_257_characters_are_not_a_resgrid_name) {
  char *name = name_of(257, 'a');

  ck_assert(!rg_resgrid_name_valid(name));
  free(name);
}
END_TEST

START_TEST(test_empty_name_is_not_a_resgrid_name) {
  ck_assert(!rg_resgrid_name_valid(""));
}
END_TEST

/* Names Resgrid cannot have, each for one character. */
static const struct {
  const char *label, *name;
} bad_names[] = {
    {"exclamation_mark", "jdoe!"},
    {"slash", "../jdoe"},
    {"backslash", "ad\\jdoe"},
    {"tab", "John\tSmith"},
    {"newline", "jdoe\nroot"},
    {"carriage_return", "jdoe\r"},
    {"escape", "jdoe\x1b[31m"},
    {"control_a", "\x01jdoe"},
    {"delete", "jdoe\x7f"},
    {"non_ascii_letter", "Jos\xc3\xa9"},
    {"byte_ff", "jdoe\xff"},
    {"plus", "jdoe+x"},
    {"colon", "jdoe:x"},
    {"comma", "doe,john"},
    {"hash", "#jdoe"},
    {"quote", "jdoe'"},
};

#define BAD_NAME_COUNT (sizeof(bad_names) / sizeof(bad_names[0]))

static void bad_name(int i) {
  ck_assert_msg(!rg_resgrid_name_valid(bad_names[i].name), "accepted: %s",
                bad_names[i].label);
}

/* Lookups. */

START_TEST(test_mapped_name_is_found) {
  ck_assert_int_eq(lookup_in("jdoe jdoe@example.org\n", "jdoe"), RG_CONFIG_OK);
  assert_found("jdoe@example.org");
}
END_TEST

START_TEST(test_unmapped_name_is_ok_and_null) {
  ck_assert_int_eq(lookup_in("jdoe jdoe@example.org\n", "jsmith"),
                   RG_CONFIG_OK);
  ck_assert_ptr_null(remote);
  ck_assert_str_eq(captured.text, "");
}
END_TEST

START_TEST(test_empty_map_maps_nobody) {
  ck_assert_int_eq(lookup_in("", "jdoe"), RG_CONFIG_OK);
  ck_assert_ptr_null(remote);
}
END_TEST

START_TEST(test_local_name_is_compared_exactly) {
  write_map("jdoe jdoe@example.org\n");
  ck_assert_int_eq(lookup("JDoe"), RG_CONFIG_OK);
  ck_assert_ptr_null(remote);
  ck_assert_int_eq(lookup("jdo"), RG_CONFIG_OK);
  ck_assert_ptr_null(remote);
  ck_assert_int_eq(lookup("jdoe2"), RG_CONFIG_OK);
  ck_assert_ptr_null(remote);
}
END_TEST

START_TEST(test_the_right_line_of_several_is_found) {
  ck_assert_int_eq(lookup_in("jsmith John Smith\n"
                             "jdoe jdoe@example.org\n"
                             "medic12 medic12@station12.example.org\n",
                             "jdoe"),
                   RG_CONFIG_OK);
  assert_found("jdoe@example.org");
}
END_TEST

START_TEST(test_resgrid_name_with_spaces_is_kept_whole) {
  ck_assert_int_eq(lookup_in("jsmith John Q Smith\n", "jsmith"), RG_CONFIG_OK);
  assert_found("John Q Smith");
}
END_TEST

START_TEST(test_leading_and_trailing_blanks_are_trimmed) {
  ck_assert_int_eq(lookup_in("  \t jsmith  \t John Smith \t \n", "jsmith"),
                   RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_crlf_line_endings_are_trimmed) {
  ck_assert_int_eq(
      lookup_in("jsmith John Smith\r\nmedic12 medic12\r\n", "jsmith"),
      RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_comments_and_blank_lines_are_ignored) {
  ck_assert_int_eq(lookup_in("# local_name resgrid_name\n"
                             "\n"
                             "   \t \n"
                             "  # an indented comment\n"
                             "jsmith John Smith\n"
                             "\n",
                             "jsmith"),
                   RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_commented_out_mapping_is_not_a_mapping) {
  ck_assert_int_eq(lookup_in("# jsmith Old Name\n"
                             "#jsmith Older Name\n"
                             "jsmith John Smith\n",
                             "jsmith"),
                   RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_tab_separates_the_names) {
  ck_assert_int_eq(lookup_in("jsmith\tJohn Smith\n", "jsmith"), RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_mixed_blanks_separate_the_names) {
  ck_assert_int_eq(lookup_in("jsmith \t \tJohn Smith\n", "jsmith"),
                   RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_last_line_without_newline_is_read) {
  ck_assert_int_eq(
      lookup_in("jdoe jdoe@example.org\njsmith John Smith", "jsmith"),
      RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_resgrid_name_of_256_characters_is_found) {
  char *name = name_of(256, 'r');
  char text[300];

  snprintf(text, sizeof(text), "jdoe %s\n", name);
  ck_assert_int_eq(lookup_in(text, "jdoe"), RG_CONFIG_OK);
  assert_found(name);
  free(name);
}
END_TEST

START_TEST(test_name_mapped_twice_is_invalid) {
  assert_invalid(lookup_in("jdoe jdoe@example.org\n"
                           "jsmith John Smith\n"
                           "jdoe John Doe\n",
                           "jdoe"));
  assert_logged_error("line 3");
  assert_logged("mapped twice");
}
END_TEST

START_TEST(test_name_mapped_twice_to_the_same_name_is_invalid) {
  assert_invalid(lookup_in("jdoe jdoe@example.org\n"
                           "jdoe jdoe@example.org\n",
                           "jdoe"));
  assert_logged_error("line 2");
}
END_TEST

START_TEST(test_other_name_mapped_twice_does_not_stop_a_lookup) {
  /* A name listed twice makes the map invalid for that name only. */
  ck_assert_int_eq(lookup_in("jdoe jdoe@example.org\n"
                             "jsmith John Smith\n"
                             "jdoe John Doe\n",
                             "jsmith"),
                   RG_CONFIG_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_line_with_one_field_is_invalid) {
  assert_invalid(lookup_in("jsmith John Smith\n"
                           "medic12\n",
                           "medic12"));
  assert_logged_error("line 2");
  assert_logged("expected 'local_name resgrid_name'");
}
END_TEST

START_TEST(test_line_with_one_field_and_trailing_blanks_is_invalid) {
  assert_invalid(lookup_in("medic12 \t \r\n", "jsmith"));
  assert_logged_error("line 1");
}
END_TEST

START_TEST(test_line_with_one_field_after_the_match_is_invalid) {
  assert_invalid(lookup_in("jsmith John Smith\n"
                           "medic12\n",
                           "jsmith"));
  assert_logged_error("line 2");
}
END_TEST

START_TEST(test_invalid_resgrid_name_is_invalid) {
  assert_invalid(lookup_in("jsmith John/Smith\n", "jsmith"));
  assert_logged_error("line 1");
}
END_TEST

START_TEST(test_invalid_resgrid_name_of_another_user_is_invalid) {
  assert_invalid(lookup_in("jsmith John Smith\n"
                           "root root!\n",
                           "jsmith"));
  assert_logged_error("line 2");
}
END_TEST

START_TEST(test_resgrid_name_of_257_characters_is_invalid) {
  char *name = name_of(257, 'r');
  char text[300];

  snprintf(text, sizeof(text), "jdoe %s\n", name);
  assert_invalid(lookup_in(text, "jdoe"));
  assert_logged_error("line 1");
  free(name);
}
END_TEST

START_TEST(test_trailing_comment_makes_the_resgrid_name_invalid) {
  assert_invalid(lookup_in("jsmith John Smith # the chief\n", "jsmith"));
  assert_logged_error("line 1");
}
END_TEST

START_TEST(test_line_numbers_count_blank_and_comment_lines) {
  assert_invalid(lookup_in("\n"
                           "\n"
                           "# comment\n"
                           "\n"
                           "medic12\n",
                           "jsmith"));
  assert_logged_error("line 5");
}
END_TEST

START_TEST(test_line_numbers_count_crlf_lines_once) {
  assert_invalid(lookup_in("\r\n"
                           "jsmith John Smith\r\n"
                           "\r\n"
                           "medic12\r\n",
                           "jsmith"));
  assert_logged_error("line 4");
}
END_TEST

START_TEST(test_missing_file_is_invalid) {
  assert_invalid(lookup("jdoe"));
  assert_logged_error("missing");
}
END_TEST

START_TEST(test_group_writable_file_is_invalid) {
  write_map_mode("jdoe jdoe@example.org\n", 0664);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("mode 0664");
}
END_TEST

START_TEST(test_world_writable_file_is_invalid) {
  write_map_mode("jdoe jdoe@example.org\n", 0646);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("mode 0646");
}
END_TEST

START_TEST(test_file_of_mode_0600_is_accepted) {
  write_map_mode("jdoe jdoe@example.org\n", 0600);
  ck_assert_int_eq(lookup("jdoe"), RG_CONFIG_OK);
  assert_found("jdoe@example.org");
}
END_TEST

START_TEST(test_symbolic_link_is_invalid) {
  char target[160];

  snprintf(target, sizeof(target), "%s/real_map", dir);
  write_bytes(target, "jdoe jdoe@example.org\n",
              strlen("jdoe jdoe@example.org\n"), 0644);
  ck_assert_int_eq(symlink(target, map_path), 0);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("symbolic link");
}
END_TEST

START_TEST(test_hard_linked_file_is_invalid) {
  char other[160];

  write_map("jdoe jdoe@example.org\n");
  snprintf(other, sizeof(other), "%s/other_name", dir);
  ck_assert_int_eq(link(map_path, other), 0);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("hard links");
}
END_TEST

START_TEST(test_directory_is_invalid) {
  ck_assert_int_eq(mkdir(map_path, 0755), 0);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("not a regular file");
}
END_TEST

START_TEST(test_fifo_is_invalid) {
  ck_assert_int_eq(mkfifo(map_path, 0644), 0);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("not a regular file");
}
END_TEST

START_TEST(test_file_of_another_owner_than_expected_is_invalid) {
  write_map("jdoe jdoe@example.org\n");
  assert_invalid(rg_usermap_lookup(map_path, geteuid() + 1, "jdoe", &remote,
                                   &log_to_buffer));
  assert_logged_error("owned by uid");
}
END_TEST

START_TEST(test_file_owned_by_another_uid_is_invalid) {
  write_map("jdoe jdoe@example.org\n");
  ck_assert_int_eq(chown(map_path, 65534, 65534), 0);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("owned by uid 65534");
}
END_TEST

/* A valid map of exactly size bytes: the mapping, then comment lines. */
static void write_map_of_size(size_t size) {
  static const char mapping[] = "jdoe jdoe@example.org\n";
  char *text = malloc(size);
  size_t n = strlen(mapping);

  ck_assert_ptr_nonnull(text);
  memcpy(text, mapping, n);
  while (n < size) {
    size_t line = size - n < 64 ? size - n : 64;

    memset(text + n, ' ', line);
    text[n] = '#';
    text[n + line - 1] = '\n';
    n += line;
  }
  write_bytes(map_path, text, size, 0644);
  free(text);
}

START_TEST(test_file_of_1_mib_is_accepted) {
  write_map_of_size(MIB);
  ck_assert_int_eq(lookup("jdoe"), RG_CONFIG_OK);
  assert_found("jdoe@example.org");
}
END_TEST

START_TEST(test_file_over_1_mib_is_invalid) {
  write_map_of_size(MIB + 1);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("larger than");
}
END_TEST

START_TEST(test_file_with_nul_byte_is_invalid) {
  static const char text[] = "jdoe jdoe@example.org\n\0jsmith John Smith\n";

  write_bytes(map_path, text, sizeof(text) - 1, 0644);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("NUL");
}
END_TEST

START_TEST(test_file_with_nul_byte_inside_a_name_is_invalid) {
  /* Read as a C string, this would map jdoe to "jdoe". */
  static const char text[] = "jdoe jdoe\0@evil.example.org\n";

  write_bytes(map_path, text, sizeof(text) - 1, 0644);
  assert_invalid(lookup("jdoe"));
  assert_logged_error("NUL");
}
END_TEST

/* Resolution. */

static enum rg_name_status resolve(const char *local) {
  return rg_usermap_resolve(&cfg, geteuid(), local, &remote, &log_to_buffer);
}

static void use_map(const char *text) {
  write_map(text);
  cfg.user_map = strdup(map_path);
  ck_assert_ptr_nonnull(cfg.user_map);
}

START_TEST(test_without_map_a_valid_name_is_its_own_resgrid_name) {
  const char local[] = "jdoe";

  ck_assert_int_eq(resolve(local), RG_NAME_OK);
  assert_found("jdoe");
  ck_assert_ptr_ne(remote, local);
}
END_TEST

START_TEST(test_without_map_an_email_address_is_its_own_resgrid_name) {
  ck_assert_int_eq(resolve("medic12@station12.example.org"), RG_NAME_OK);
  assert_found("medic12@station12.example.org");
}
END_TEST

START_TEST(test_without_map_an_invalid_name_is_not_resgrid) {
  ck_assert_int_eq(resolve("j/doe"), RG_NAME_NOT_RESGRID);
  ck_assert_ptr_null(remote);
}
END_TEST

START_TEST(test_without_map_an_empty_name_is_not_resgrid) {
  ck_assert_int_eq(resolve(""), RG_NAME_NOT_RESGRID);
  ck_assert_ptr_null(remote);
}
END_TEST

START_TEST(test_without_map_a_257_character_name_is_not_resgrid) {
  char *name = name_of(257, 'a');

  ck_assert_int_eq(resolve(name), RG_NAME_NOT_RESGRID);
  ck_assert_ptr_null(remote);
  free(name);
}
END_TEST

START_TEST(test_with_map_a_mapped_name_gives_its_resgrid_name) {
  use_map("jsmith John Smith\n");
  ck_assert_int_eq(resolve("jsmith"), RG_NAME_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_with_map_a_mapped_invalid_local_name_gives_its_resgrid_name) {
  use_map("j+smith John Smith\n");
  ck_assert_int_eq(resolve("j+smith"), RG_NAME_OK);
  assert_found("John Smith");
}
END_TEST

START_TEST(test_with_map_an_unmapped_valid_name_is_its_own_resgrid_name) {
  use_map("jsmith John Smith\n");
  ck_assert_int_eq(resolve("jdoe"), RG_NAME_OK);
  assert_found("jdoe");
}
END_TEST

START_TEST(test_with_map_an_unmapped_invalid_name_is_not_resgrid) {
  use_map("jsmith John Smith\n");
  ck_assert_int_eq(resolve("j+doe"), RG_NAME_NOT_RESGRID);
  ck_assert_ptr_null(remote);
}
END_TEST

START_TEST(test_with_a_broken_map_resolution_fails) {
  use_map("jsmith John Smith\nmedic12\n");
  ck_assert_int_eq(resolve("jsmith"), RG_NAME_BAD_MAP);
  ck_assert_ptr_null(remote);
  assert_logged_error("line 2");
}
END_TEST

START_TEST(test_with_a_broken_map_an_unmapped_name_does_not_fall_back) {
  use_map("medic12\n");
  ck_assert_int_eq(resolve("jdoe"), RG_NAME_BAD_MAP);
  ck_assert_ptr_null(remote);
}
END_TEST

START_TEST(test_with_a_missing_map_resolution_fails) {
  cfg.user_map = strdup(map_path);
  ck_assert_ptr_nonnull(cfg.user_map);
  ck_assert_int_eq(resolve("jdoe"), RG_NAME_BAD_MAP);
  ck_assert_ptr_null(remote);
  assert_logged_error("missing");
}
END_TEST

START_TEST(test_with_an_untrusted_map_resolution_fails) {
  use_map("jsmith John Smith\n");
  ck_assert_int_eq(chmod(map_path, 0666), 0);
  ck_assert_int_eq(resolve("jsmith"), RG_NAME_BAD_MAP);
  ck_assert_ptr_null(remote);
}
END_TEST

#define MAX_NAME 96

static TCase *fixture(const char *name) {
  TCase *tc = tcase_create(name);

  tcase_add_unchecked_fixture(tc, make_root, remove_root);
  tcase_add_checked_fixture(tc, setup, teardown);
  return tc;
}

static Suite *usermap_suite(void) {
  static TTest name_tests[BAD_NAME_COUNT];
  static char name_names[BAD_NAME_COUNT][MAX_NAME];
  Suite *s = suite_create("usermap");
  TCase *names = tcase_create("resgrid names");
  TCase *lines = fixture("lines");
  TCase *trust = fixture("trust");
  TCase *resolution = fixture("resolution");

  tcase_add_test(names, test_letters_are_a_resgrid_name);
  tcase_add_test(names, test_digits_are_a_resgrid_name);
  tcase_add_test(names, test_space_is_allowed_in_a_resgrid_name);
  tcase_add_test(names,
                 test_dash_dot_underscore_and_at_are_allowed_in_a_resgrid_name);
  tcase_add_test(names, test_256_characters_are_a_resgrid_name);
  tcase_add_test(names, test_257_characters_are_not_a_resgrid_name);
  tcase_add_test(names, test_empty_name_is_not_a_resgrid_name);
  for (size_t i = 0; i < BAD_NAME_COUNT; i++) {
    snprintf(name_names[i], MAX_NAME, "test_name_with_%s_is_not_resgrid",
             bad_names[i].label);
    name_tests[i] = (TTest){name_names[i], bad_name, __FILE__, __LINE__};
    tcase_add_loop_test(names, &name_tests[i], (int)i, (int)i + 1);
  }
  suite_add_tcase(s, names);

  tcase_add_test(lines, test_mapped_name_is_found);
  tcase_add_test(lines, test_unmapped_name_is_ok_and_null);
  tcase_add_test(lines, test_empty_map_maps_nobody);
  tcase_add_test(lines, test_local_name_is_compared_exactly);
  tcase_add_test(lines, test_the_right_line_of_several_is_found);
  tcase_add_test(lines, test_resgrid_name_with_spaces_is_kept_whole);
  tcase_add_test(lines, test_leading_and_trailing_blanks_are_trimmed);
  tcase_add_test(lines, test_crlf_line_endings_are_trimmed);
  tcase_add_test(lines, test_comments_and_blank_lines_are_ignored);
  tcase_add_test(lines, test_commented_out_mapping_is_not_a_mapping);
  tcase_add_test(lines, test_tab_separates_the_names);
  tcase_add_test(lines, test_mixed_blanks_separate_the_names);
  tcase_add_test(lines, test_last_line_without_newline_is_read);
  tcase_add_test(lines, test_resgrid_name_of_256_characters_is_found);
  tcase_add_test(lines, test_name_mapped_twice_is_invalid);
  tcase_add_test(lines, test_name_mapped_twice_to_the_same_name_is_invalid);
  tcase_add_test(lines, test_other_name_mapped_twice_does_not_stop_a_lookup);
  tcase_add_test(lines, test_line_with_one_field_is_invalid);
  tcase_add_test(lines,
                 test_line_with_one_field_and_trailing_blanks_is_invalid);
  tcase_add_test(lines, test_line_with_one_field_after_the_match_is_invalid);
  tcase_add_test(lines, test_invalid_resgrid_name_is_invalid);
  tcase_add_test(lines, test_invalid_resgrid_name_of_another_user_is_invalid);
  tcase_add_test(lines, test_resgrid_name_of_257_characters_is_invalid);
  tcase_add_test(lines, test_trailing_comment_makes_the_resgrid_name_invalid);
  tcase_add_test(lines, test_line_numbers_count_blank_and_comment_lines);
  tcase_add_test(lines, test_line_numbers_count_crlf_lines_once);
  suite_add_tcase(s, lines);

  tcase_add_test(trust, test_missing_file_is_invalid);
  tcase_add_test(trust, test_group_writable_file_is_invalid);
  tcase_add_test(trust, test_world_writable_file_is_invalid);
  tcase_add_test(trust, test_file_of_mode_0600_is_accepted);
  tcase_add_test(trust, test_symbolic_link_is_invalid);
  tcase_add_test(trust, test_hard_linked_file_is_invalid);
  tcase_add_test(trust, test_directory_is_invalid);
  tcase_add_test(trust, test_fifo_is_invalid);
  tcase_add_test(trust, test_file_of_another_owner_than_expected_is_invalid);
  if (geteuid() == 0)
    tcase_add_test(trust, test_file_owned_by_another_uid_is_invalid);
  tcase_add_test(trust, test_file_of_1_mib_is_accepted);
  tcase_add_test(trust, test_file_over_1_mib_is_invalid);
  tcase_add_test(trust, test_file_with_nul_byte_is_invalid);
  tcase_add_test(trust, test_file_with_nul_byte_inside_a_name_is_invalid);
  suite_add_tcase(s, trust);

  tcase_add_test(resolution,
                 test_without_map_a_valid_name_is_its_own_resgrid_name);
  tcase_add_test(resolution,
                 test_without_map_an_email_address_is_its_own_resgrid_name);
  tcase_add_test(resolution, test_without_map_an_invalid_name_is_not_resgrid);
  tcase_add_test(resolution, test_without_map_an_empty_name_is_not_resgrid);
  tcase_add_test(resolution,
                 test_without_map_a_257_character_name_is_not_resgrid);
  tcase_add_test(resolution,
                 test_with_map_a_mapped_name_gives_its_resgrid_name);
  tcase_add_test(
      resolution,
      test_with_map_a_mapped_invalid_local_name_gives_its_resgrid_name);
  tcase_add_test(resolution,
                 test_with_map_an_unmapped_valid_name_is_its_own_resgrid_name);
  tcase_add_test(resolution,
                 test_with_map_an_unmapped_invalid_name_is_not_resgrid);
  tcase_add_test(resolution, test_with_a_broken_map_resolution_fails);
  tcase_add_test(resolution,
                 test_with_a_broken_map_an_unmapped_name_does_not_fall_back);
  tcase_add_test(resolution, test_with_a_missing_map_resolution_fails);
  tcase_add_test(resolution, test_with_an_untrusted_map_resolution_fails);
  suite_add_tcase(s, resolution);
  return s;
}

UNIT_MAIN(usermap_suite)
