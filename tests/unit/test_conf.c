/* rg_config_load(): defaults, the file, the module arguments, and the
 * checks on who may have written the file. */
#include "config.h"

#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

/* One folder under /tmp per test case, made by the parent process, so
 * that it is removed even when a test dies; one subfolder per test. */
static char root[32];
static char dir[64];
static char conf_path[128];

static struct rg_config cfg;
static struct captured_log captured;
static struct rg_log log_to_buffer;

static void make_root(void) {
  unit_make_root(root, sizeof(root), "conf");
}

static void remove_root(void) {
  unit_remove_root(root);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "%s/t-XXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(conf_path, sizeof(conf_path), "%s/pam_resgrid.conf", dir);
  memset(&cfg, 0, sizeof(cfg));
  log_to_buffer = capture_log(&captured);
}

static void teardown(void) {
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

static void write_conf(const char *text) {
  write_bytes(conf_path, text, strlen(text), 0644);
}

static enum rg_config_status load_args(int argc, const char **argv) {
  const struct rg_config_source source = {conf_path, geteuid()};

  return rg_config_load(&cfg, argc, argv, &source, &log_to_buffer);
}

static enum rg_config_status load(void) {
  return load_args(0, NULL);
}

static enum rg_config_status load_arg(const char *arg) {
  return load_args(1, &arg);
}

/* A file with text, then a load without arguments. */
static enum rg_config_status load_text(const char *text) {
  write_conf(text);
  return load();
}

static void assert_logged(const char *text) {
  ck_assert_msg(strstr(captured.text, text) != NULL,
                "\"%s\" not in the log:\n%s", text, captured.text);
}

/* Every problem is logged at ERR. */
static void assert_logged_error(const char *text) {
  char line_start[8];

  assert_logged(text);
  snprintf(line_start, sizeof(line_start), "%d ", LOG_ERR);
  ck_assert_int_eq(strncmp(captured.text, line_start, strlen(line_start)), 0);
}

START_TEST(test_missing_default_file_gives_defaults) {
  ck_assert_int_eq(load(), RG_CONFIG_OK);
  ck_assert_str_eq(cfg.api_url, "https://api.resgrid.com");
  ck_assert_ptr_null(cfg.ca_file);
  ck_assert_str_eq(cfg.scope, "openid profile");
  ck_assert_int_eq(cfg.connect_timeout, 3);
  ck_assert_int_eq(cfg.timeout, 10);
  ck_assert_uint_eq(cfg.minimum_uid, 1000);
  ck_assert(!cfg.debug);
  ck_assert_str_eq(cfg.cache_dir, RG_DEFAULT_CACHE_DIR);
  ck_assert(cfg.offline);
  ck_assert_int_eq(cfg.offline_grace, 259200);
  ck_assert_int_eq(cfg.offline_max_failures, 5);
  ck_assert_int_eq(cfg.offline_lockout, 900);
  ck_assert_int_eq(cfg.verifier_cost, 5);
  ck_assert_int_eq(cfg.outage_memory, 60);
  ck_assert_ptr_null(cfg.require_department);
  ck_assert_ptr_null(cfg.require_group);
  ck_assert(!cfg.require_admin);
  ck_assert(!cfg.require_group_admin);
  ck_assert_ptr_null(cfg.user_map);
}
END_TEST

START_TEST(test_missing_default_file_logs_nothing) {
  ck_assert_int_eq(load(), RG_CONFIG_OK);
  ck_assert_str_eq(captured.text, "");
}
END_TEST

START_TEST(test_every_key_is_read_from_the_file) {
  ck_assert_int_eq(load_text("api_url = https://resgrid.example.org:8443/rg\n"
                             "ca_file = /etc/ssl/resgrid.pem\n"
                             "scope = openid profile email\n"
                             "connect_timeout = 4\n"
                             "timeout = 20\n"
                             "minimum_uid = 2000\n"
                             "debug = yes\n"
                             "cache_dir = /var/lib/rg\n"
                             "offline_grace = 2d\n"
                             "offline_max_failures = 7\n"
                             "offline_lockout = 30m\n"
                             "verifier_cost = 3\n"
                             "outage_memory = 2m\n"
                             "require_department = XK2P\n"
                             "require_group = g-1,g-2\n"
                             "require_admin = yes\n"
                             "require_group_admin = true\n"
                             "user_map = /etc/security/resgrid-users\n"),
                   RG_CONFIG_OK);
  ck_assert_str_eq(cfg.api_url, "https://resgrid.example.org:8443/rg");
  ck_assert_str_eq(cfg.ca_file, "/etc/ssl/resgrid.pem");
  ck_assert_str_eq(cfg.scope, "openid profile email");
  ck_assert_int_eq(cfg.connect_timeout, 4);
  ck_assert_int_eq(cfg.timeout, 20);
  ck_assert_uint_eq(cfg.minimum_uid, 2000);
  ck_assert(cfg.debug);
  ck_assert_str_eq(cfg.cache_dir, "/var/lib/rg");
  ck_assert(cfg.offline);
  ck_assert_int_eq(cfg.offline_grace, 2 * 86400);
  ck_assert_int_eq(cfg.offline_max_failures, 7);
  ck_assert_int_eq(cfg.offline_lockout, 1800);
  ck_assert_int_eq(cfg.verifier_cost, 3);
  ck_assert_int_eq(cfg.outage_memory, 120);
  ck_assert_str_eq(cfg.require_department, "XK2P");
  ck_assert_str_eq(cfg.require_group, "g-1,g-2");
  ck_assert(cfg.require_admin);
  ck_assert(cfg.require_group_admin);
  ck_assert_str_eq(cfg.user_map, "/etc/security/resgrid-users");
  ck_assert_str_eq(captured.text, "");
}
END_TEST

START_TEST(test_spaces_and_tabs_around_key_and_value_are_ignored) {
  ck_assert_int_eq(load_text("timeout=20\n"
                             "  minimum_uid\t=\t2000  \n"
                             "\tscope   =   openid profile   \n"),
                   RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 20);
  ck_assert_uint_eq(cfg.minimum_uid, 2000);
  ck_assert_str_eq(cfg.scope, "openid profile");
}
END_TEST

START_TEST(test_comments_and_blank_lines_are_ignored) {
  ck_assert_int_eq(load_text("# pam_resgrid\n"
                             "\n"
                             "   # timeout = 99999\n"
                             "   \t \n"
                             "timeout = 20\n"
                             "#debug = maybe\n"),
                   RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 20);
  ck_assert(!cfg.debug);
}
END_TEST

START_TEST(test_crlf_line_endings_are_accepted) {
  ck_assert_int_eq(load_text("# written on Windows\r\n"
                             "\r\n"
                             "timeout = 20\r\n"
                             "api_url = https://rg.example.org\r\n"
                             "debug = true\r\n"),
                   RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 20);
  ck_assert_str_eq(cfg.api_url, "https://rg.example.org");
  ck_assert(cfg.debug);
}
END_TEST

START_TEST(test_last_line_without_newline_is_read) {
  ck_assert_int_eq(load_text("timeout = 20"), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 20);
}
END_TEST

START_TEST(test_empty_file_gives_defaults) {
  ck_assert_int_eq(load_text(""), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 10);
  ck_assert_str_eq(cfg.api_url, "https://api.resgrid.com");
}
END_TEST

START_TEST(test_module_arguments_override_the_file) {
  const char *argv[] = {"timeout=30", "api_url=https://other.example.org",
                        "offline_grace=off"};

  write_conf("timeout = 20\n"
             "api_url = https://rg.example.org\n"
             "minimum_uid = 2000\n"
             "offline_grace = 1d\n");
  ck_assert_int_eq(load_args(3, argv), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 30);
  ck_assert_str_eq(cfg.api_url, "https://other.example.org");
  ck_assert_uint_eq(cfg.minimum_uid, 2000);
  ck_assert(!cfg.offline);
}
END_TEST

START_TEST(test_module_arguments_set_keys_without_a_file) {
  const char *argv[] = {"minimum_uid=500", "verifier_cost=2",
                        "cache_dir=/run/rg"};

  ck_assert_int_eq(load_args(3, argv), RG_CONFIG_OK);
  ck_assert_uint_eq(cfg.minimum_uid, 500);
  ck_assert_int_eq(cfg.verifier_cost, 2);
  ck_assert_str_eq(cfg.cache_dir, "/run/rg");
}
END_TEST

START_TEST(test_config_argument_names_the_file_to_read) {
  char other[192];
  char arg[200];
  const char *argv[] = {arg};

  write_conf("timeout = 20\n");
  snprintf(other, sizeof(other), "%s/other.conf", dir);
  write_bytes(other, "timeout = 40\n", 13, 0600);
  snprintf(arg, sizeof(arg), "config=%s", other);
  ck_assert_int_eq(load_args(1, argv), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 40);
}
END_TEST

START_TEST(test_config_argument_to_missing_file_is_invalid) {
  char arg[200];

  write_conf("timeout = 20\n");
  snprintf(arg, sizeof(arg), "config=%s/absent.conf", dir);
  ck_assert_int_eq(load_arg(arg), RG_CONFIG_INVALID);
  assert_logged_error("absent.conf");
}
END_TEST

START_TEST(test_relative_config_path_is_invalid) {
  ck_assert_int_eq(load_arg("config=pam_resgrid.conf"), RG_CONFIG_INVALID);
  assert_logged_error("config");
}
END_TEST

START_TEST(test_empty_config_path_is_invalid) {
  ck_assert_int_eq(load_arg("config="), RG_CONFIG_INVALID);
  assert_logged_error("config");
}
END_TEST

START_TEST(test_unknown_key_in_file_is_invalid_and_named) {
  ck_assert_int_eq(load_text("timeout = 20\nfrobnicate = yes\n"),
                   RG_CONFIG_INVALID);
  assert_logged_error("frobnicate");
}
END_TEST

START_TEST(test_log_names_the_file_and_line) {
  ck_assert_int_eq(load_text("# one\ntimeout = 20\nfrobnicate = yes\n"),
                   RG_CONFIG_INVALID);
  assert_logged(conf_path);
  assert_logged("line 3");
}
END_TEST

START_TEST(test_unknown_key_in_arguments_is_invalid_and_named) {
  ck_assert_int_eq(load_arg("frobnicate=yes"), RG_CONFIG_INVALID);
  assert_logged_error("frobnicate");
}
END_TEST

START_TEST(test_unknown_bare_argument_is_invalid_and_named) {
  ck_assert_int_eq(load_arg("nullok"), RG_CONFIG_INVALID);
  assert_logged_error("nullok");
}
END_TEST

START_TEST(test_config_is_not_a_key_of_the_file) {
  ck_assert_int_eq(load_text("config = /etc/other.conf\n"), RG_CONFIG_INVALID);
  assert_logged_error("config");
}
END_TEST

START_TEST(test_line_without_equals_is_invalid) {
  ck_assert_int_eq(load_text("timeout 20\n"), RG_CONFIG_INVALID);
  assert_logged_error("timeout");
}
END_TEST

START_TEST(test_keys_are_case_sensitive) {
  ck_assert_int_eq(load_text("Timeout = 20\n"), RG_CONFIG_INVALID);
  assert_logged_error("Timeout");
}
END_TEST

/* Values refused for their key, each in the file and as an argument. */
static const char *const bad_settings[] = {
    "timeout=0",
    "timeout=abc",
    "timeout=301",
    "timeout=-5",
    "timeout=",
    "connect_timeout=0",
    "minimum_uid=-1",
    "minimum_uid=1e3",
    "minimum_uid=99999999999",
    "debug=maybe",
    "debug=",
    "verifier_cost=12",
    "verifier_cost=0",
    "offline_max_failures=0",
    "offline_max_failures=many",
    "offline_lockout=5w",
    "offline_lockout=10x",
    "offline_lockout=0",
    "offline_lockout=",
    "outage_memory=1.5m",
    "offline_grace=",
    "offline_grace=forever",
    "api_url=",
    "api_url=http://api.resgrid.com",
    "api_url=ftp://api.resgrid.com",
    "api_url=https://",
    "api_url=api.resgrid.com",
    "api_url=https://api.resgrid.com?tenant=1",
    "api_url=https://api.resgrid.com/#top",
    "ca_file=certs/resgrid.pem",
    "ca_file=",
    "cache_dir=cache",
    "scope=",
    "scope=openid\tprofile",
    "require_department=",
    "require_department=XK 2P",
    "require_group=g-1, g-2",
    "require_group=g-1,,g-2",
    "require_group=g-1,",
    "require_admin=maybe",
    "user_map=resgrid-users",
};

#define BAD_COUNT (sizeof(bad_settings) / sizeof(bad_settings[0]))

/* The key of setting, for the log check. */
static void key_of(const char *setting, char *key, size_t size) {
  size_t len = (size_t)(strchr(setting, '=') - setting);

  ck_assert_uint_lt(len, size);
  memcpy(key, setting, len);
  key[len] = '\0';
}

static void bad_value_in_file(int i) {
  char text[256];
  char key[64];

  key_of(bad_settings[i], key, sizeof(key));
  snprintf(text, sizeof(text), "# bad\n%s\n", bad_settings[i]);
  ck_assert_msg(load_text(text) == RG_CONFIG_INVALID, "%s accepted",
                bad_settings[i]);
  assert_logged_error(key);
}

static void bad_value_as_argument(int i) {
  char key[64];

  key_of(bad_settings[i], key, sizeof(key));
  ck_assert_msg(load_arg(bad_settings[i]) == RG_CONFIG_INVALID, "%s accepted",
                bad_settings[i]);
  assert_logged_error(key);
}

START_TEST(test_value_with_control_character_is_invalid) {
  ck_assert_int_eq(load_text("scope = openid\x01profile\n"), RG_CONFIG_INVALID);
  assert_logged_error("scope");
}
END_TEST

START_TEST(test_value_with_escape_is_invalid) {
  ck_assert_int_eq(load_text("cache_dir = /var/cache/\x1b[2Jrg\n"),
                   RG_CONFIG_INVALID);
  assert_logged_error("cache_dir");
}
END_TEST

START_TEST(test_value_with_carriage_return_inside_is_invalid) {
  ck_assert_int_eq(load_text("cache_dir = /var/cache/rg\r/x\n"),
                   RG_CONFIG_INVALID);
  assert_logged_error("cache_dir");
}
END_TEST

START_TEST(test_argument_with_newline_is_invalid) {
  ck_assert_int_eq(load_arg("cache_dir=/var/cache/rg\n/x"), RG_CONFIG_INVALID);
  assert_logged_error("cache_dir");
}
END_TEST

START_TEST(test_log_line_of_a_hostile_key_is_sanitised) {
  ck_assert_int_eq(load_arg("evil\nkey=1"), RG_CONFIG_INVALID);
  ck_assert_ptr_null(strstr(captured.text, "evil\nkey"));
  assert_logged("evil\\x0akey");
}
END_TEST

START_TEST(test_very_long_value_is_invalid) {
  char text[4200];

  memcpy(text, "cache_dir = /", 13);
  memset(text + 13, 'a', 4000);
  strcpy(text + 4013, "\n");
  ck_assert_int_eq(load_text(text), RG_CONFIG_INVALID);
  assert_logged_error("cache_dir");
}
END_TEST

START_TEST(test_duration_in_plain_seconds) {
  ck_assert_int_eq(load_arg("offline_lockout=90"), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.offline_lockout, 90);
}
END_TEST

START_TEST(test_duration_in_seconds) {
  ck_assert_int_eq(load_arg("offline_lockout=90s"), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.offline_lockout, 90);
}
END_TEST

START_TEST(test_duration_in_minutes) {
  ck_assert_int_eq(load_arg("offline_lockout=15m"), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.offline_lockout, 900);
}
END_TEST

START_TEST(test_duration_in_hours) {
  ck_assert_int_eq(load_arg("offline_lockout=12h"), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.offline_lockout, 43200);
}
END_TEST

START_TEST(test_duration_in_days) {
  ck_assert_int_eq(load_arg("offline_grace=3d"), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.offline_grace, 259200);
}
END_TEST

START_TEST(test_timeout_takes_a_duration) {
  ck_assert_int_eq(load_arg("timeout=5m"), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 300);
}
END_TEST

START_TEST(test_offline_grace_off_disables_offline) {
  ck_assert_int_eq(load_arg("offline_grace=off"), RG_CONFIG_OK);
  ck_assert(!cfg.offline);
}
END_TEST

START_TEST(test_offline_grace_zero_keeps_offline_with_no_grace) {
  ck_assert_int_eq(load_arg("offline_grace=0"), RG_CONFIG_OK);
  ck_assert(cfg.offline);
  ck_assert_int_eq(cfg.offline_grace, 0);
}
END_TEST

START_TEST(test_offline_grace_after_off_turns_offline_back_on) {
  const char *argv[] = {"offline_grace=12h"};

  write_conf("offline_grace = off\n");
  ck_assert_int_eq(load_args(1, argv), RG_CONFIG_OK);
  ck_assert(cfg.offline);
  ck_assert_int_eq(cfg.offline_grace, 43200);
}
END_TEST

START_TEST(test_bool_spellings_are_accepted) {
  static const char *const yes[] = {"debug=yes", "debug=true", "debug=on",
                                    "debug=1", "debug=YES"};
  static const char *const no[] = {"debug=no", "debug=false", "debug=off",
                                   "debug=0", "debug=False"};

  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
    const char *argv[] = {no[i], yes[i]};

    ck_assert_int_eq(load_args(2, argv), RG_CONFIG_OK);
    ck_assert_msg(cfg.debug, "%s", yes[i]);
    rg_config_free(&cfg);
    argv[0] = yes[i];
    argv[1] = no[i];
    ck_assert_int_eq(load_args(2, argv), RG_CONFIG_OK);
    ck_assert_msg(!cfg.debug, "%s", no[i]);
    rg_config_free(&cfg);
  }
}
END_TEST

START_TEST(test_api_url_trailing_slashes_are_stripped) {
  ck_assert_int_eq(load_arg("api_url=https://rg.example.org/prefix///"),
                   RG_CONFIG_OK);
  ck_assert_str_eq(cfg.api_url, "https://rg.example.org/prefix");
}
END_TEST

START_TEST(test_api_url_trailing_slash_after_host_is_stripped) {
  ck_assert_int_eq(load_arg("api_url=https://rg.example.org/"), RG_CONFIG_OK);
  ck_assert_str_eq(cfg.api_url, "https://rg.example.org");
}
END_TEST

START_TEST(test_api_url_keeps_port_and_prefix) {
  ck_assert_int_eq(load_arg("api_url=https://10.0.0.5:8443/resgrid"),
                   RG_CONFIG_OK);
  ck_assert_str_eq(cfg.api_url, "https://10.0.0.5:8443/resgrid");
}
END_TEST

START_TEST(test_api_url_with_empty_query_is_refused) {
  /* The token path is appended: "https://h?/api/..." would post to h/. */
  ck_assert_int_eq(load_arg("api_url=https://api.resgrid.com?"),
                   RG_CONFIG_INVALID);
  assert_logged_error("api_url");
}
END_TEST

START_TEST(test_api_url_with_empty_fragment_is_refused) {
  /* "https://h#/api/v4/connect/token" would post to https://h/. */
  ck_assert_int_eq(load_arg("api_url=https://api.resgrid.com#"),
                   RG_CONFIG_INVALID);
  assert_logged_error("api_url");
}
END_TEST

START_TEST(test_ca_file_absolute_is_accepted) {
  ck_assert_int_eq(load_arg("ca_file=/etc/ssl/certs/rg.pem"), RG_CONFIG_OK);
  ck_assert_str_eq(cfg.ca_file, "/etc/ssl/certs/rg.pem");
}
END_TEST

START_TEST(test_pam_authtok_flags_are_accepted) {
  const char *argv[] = {"use_first_pass", "try_first_pass", "use_authtok",
                        "authtok_type=x"};

  ck_assert_int_eq(load_args(4, argv), RG_CONFIG_OK);
  ck_assert_str_eq(captured.text, "");
}
END_TEST

START_TEST(test_debug_flag_turns_on_debug) {
  ck_assert_int_eq(load_arg("debug"), RG_CONFIG_OK);
  ck_assert(cfg.debug);
}
END_TEST

START_TEST(test_connect_timeout_above_timeout_is_lowered) {
  const char *argv[] = {"connect_timeout=20", "timeout=5"};

  ck_assert_int_eq(load_args(2, argv), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.connect_timeout, 5);
  ck_assert_int_eq(cfg.timeout, 5);
}
END_TEST

START_TEST(test_connect_timeout_below_timeout_is_kept) {
  const char *argv[] = {"connect_timeout=4", "timeout=5"};

  ck_assert_int_eq(load_args(2, argv), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.connect_timeout, 4);
}
END_TEST

START_TEST(test_group_writable_file_is_invalid) {
  write_bytes(conf_path, "timeout = 20\n", 13, 0664);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

START_TEST(test_world_writable_file_is_invalid) {
  write_bytes(conf_path, "timeout = 20\n", 13, 0646);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

START_TEST(test_file_readable_by_others_is_accepted) {
  write_bytes(conf_path, "timeout = 20\n", 13, 0644);
  ck_assert_int_eq(load(), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 20);
}
END_TEST

START_TEST(test_group_writable_explicit_file_is_invalid) {
  char other[192];
  char arg[200];

  snprintf(other, sizeof(other), "%s/other.conf", dir);
  write_bytes(other, "timeout = 20\n", 13, 0620);
  snprintf(arg, sizeof(arg), "config=%s", other);
  ck_assert_int_eq(load_arg(arg), RG_CONFIG_INVALID);
  assert_logged_error("other.conf");
}
END_TEST

START_TEST(test_symlink_to_a_good_file_is_invalid) {
  char target[192];

  snprintf(target, sizeof(target), "%s/real.conf", dir);
  write_bytes(target, "timeout = 20\n", 13, 0644);
  ck_assert_int_eq(symlink(target, conf_path), 0);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

START_TEST(test_dangling_symlink_is_invalid) {
  char target[192];

  snprintf(target, sizeof(target), "%s/absent.conf", dir);
  ck_assert_int_eq(symlink(target, conf_path), 0);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
}
END_TEST

START_TEST(test_file_owned_by_another_uid_is_invalid) {
  write_conf("timeout = 20\n");
  ck_assert_int_eq(chown(conf_path, 65534, 65534), 0);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

START_TEST(test_fifo_is_invalid) {
  ck_assert_int_eq(mkfifo(conf_path, 0600), 0);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

START_TEST(test_directory_is_invalid) {
  ck_assert_int_eq(mkdir(conf_path, 0700), 0);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

/* A file of size bytes: comment lines, then "timeout = 20". */
static void write_sized_conf(size_t size) {
  static const char last[] = "timeout = 20\n";
  char *text = malloc(size);

  ck_assert_ptr_nonnull(text);
  memset(text, ' ', size);
  for (size_t i = 0; i + 80 < size; i += 80) {
    text[i] = '#';
    text[i + 79] = '\n';
  }
  text[size - sizeof(last)] = '\n';
  memcpy(text + size - (sizeof(last) - 1), last, sizeof(last) - 1);
  write_bytes(conf_path, text, size, 0644);
  free(text);
}

START_TEST(test_file_of_64_kib_is_accepted) {
  write_sized_conf(64 * 1024);
  ck_assert_int_eq(load(), RG_CONFIG_OK);
  ck_assert_int_eq(cfg.timeout, 20);
}
END_TEST

START_TEST(test_file_over_64_kib_is_invalid) {
  write_sized_conf(64 * 1024 + 1);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

START_TEST(test_file_with_nul_byte_is_invalid) {
  static const char text[] = "timeout = 20\n\0debug = yes\n";

  write_bytes(conf_path, text, sizeof(text) - 1, 0644);
  ck_assert_int_eq(load(), RG_CONFIG_INVALID);
  assert_logged_error(conf_path);
}
END_TEST

START_TEST(test_parse_duration_plain_number) {
  long s = -1;

  ck_assert(rg_parse_duration("90", &s));
  ck_assert_int_eq(s, 90);
}
END_TEST

START_TEST(test_parse_duration_zero) {
  long s = -1;

  ck_assert(rg_parse_duration("0", &s));
  ck_assert_int_eq(s, 0);
}
END_TEST

START_TEST(test_parse_duration_units) {
  long s = -1;

  ck_assert(rg_parse_duration("90s", &s));
  ck_assert_int_eq(s, 90);
  ck_assert(rg_parse_duration("15m", &s));
  ck_assert_int_eq(s, 900);
  ck_assert(rg_parse_duration("12h", &s));
  ck_assert_int_eq(s, 43200);
  ck_assert(rg_parse_duration("3d", &s));
  ck_assert_int_eq(s, 259200);
}
END_TEST

START_TEST(test_parse_duration_refuses_overflow) {
  long s = 7;

  ck_assert(!rg_parse_duration("99999999999999999999", &s));
  ck_assert(!rg_parse_duration("9223372036854775807d", &s));
  ck_assert(!rg_parse_duration("153722867280912931m", &s));
  ck_assert_int_eq(s, 7);
}
END_TEST

START_TEST(test_parse_duration_refuses_more_than_ten_years) {
  long s = 7;

  ck_assert(!rg_parse_duration("4000d", &s));
  ck_assert(!rg_parse_duration("400000000", &s));
  ck_assert_int_eq(s, 7);
}
END_TEST

START_TEST(test_parse_duration_accepts_ten_years_of_365_days) {
  long s = 7;

  ck_assert(rg_parse_duration("3650d", &s));
  ck_assert_int_eq(s, 3650L * 86400);
}
END_TEST

START_TEST(test_parse_duration_refuses_unknown_unit) {
  long s = 7;

  ck_assert(!rg_parse_duration("10y", &s));
  ck_assert(!rg_parse_duration("5w", &s));
  ck_assert(!rg_parse_duration("10M", &s));
  ck_assert_int_eq(s, 7);
}
END_TEST

START_TEST(test_parse_duration_refuses_empty) {
  long s = 7;

  ck_assert(!rg_parse_duration("", &s));
  ck_assert_int_eq(s, 7);
}
END_TEST

START_TEST(test_parse_duration_refuses_unit_alone) {
  long s = 7;

  ck_assert(!rg_parse_duration("m", &s));
  ck_assert_int_eq(s, 7);
}
END_TEST

START_TEST(test_parse_duration_refuses_signs_and_spaces) {
  long s = 7;

  ck_assert(!rg_parse_duration("-5", &s));
  ck_assert(!rg_parse_duration("+5", &s));
  ck_assert(!rg_parse_duration(" 5", &s));
  ck_assert(!rg_parse_duration("5 m", &s));
  ck_assert(!rg_parse_duration("5m ", &s));
  ck_assert_int_eq(s, 7);
}
END_TEST

START_TEST(test_parse_duration_refuses_two_units) {
  long s = 7;

  ck_assert(!rg_parse_duration("5mm", &s));
  ck_assert(!rg_parse_duration("1h30m", &s));
  ck_assert_int_eq(s, 7);
}
END_TEST

START_TEST(test_config_free_twice_after_failure_is_safe) {
  ck_assert_int_eq(load_arg("frobnicate=1"), RG_CONFIG_INVALID);
  rg_config_free(&cfg);
  ck_assert_ptr_null(cfg.api_url);
  ck_assert_ptr_null(cfg.scope);
  ck_assert_ptr_null(cfg.cache_dir);
  rg_config_free(&cfg);
}
END_TEST

START_TEST(test_config_free_after_relative_path_failure_is_safe) {
  ck_assert_int_eq(load_arg("config=x.conf"), RG_CONFIG_INVALID);
  rg_config_free(&cfg);
  rg_config_free(&cfg);
  ck_assert_ptr_null(cfg.api_url);
}
END_TEST

#define MAX_NAME 96

/* Registers one test per bad setting, named after it. */
static void add_bad_values(TCase *tc, TTest *tests, char (*names)[MAX_NAME],
                           const char *where, TFun fn) {
  for (size_t i = 0; i < BAD_COUNT; i++) {
    snprintf(names[i], MAX_NAME, "test_bad_value_%s: %s", where,
             bad_settings[i]);
    tests[i] = (TTest){names[i], fn, __FILE__, __LINE__};
    tcase_add_loop_test(tc, &tests[i], (int)i, (int)i + 1);
  }
}

static TCase *fixture(const char *name) {
  TCase *tc = tcase_create(name);

  tcase_add_unchecked_fixture(tc, make_root, remove_root);
  tcase_add_checked_fixture(tc, setup, teardown);
  return tc;
}

static Suite *conf_suite(void) {
  static TTest file_tests[BAD_COUNT];
  static TTest arg_tests[BAD_COUNT];
  static char file_names[BAD_COUNT][MAX_NAME];
  static char arg_names[BAD_COUNT][MAX_NAME];
  Suite *s = suite_create("conf");
  TCase *sources = fixture("sources");
  TCase *values = fixture("values");
  TCase *trust = fixture("trust");
  TCase *duration = tcase_create("duration");

  tcase_add_test(sources, test_missing_default_file_gives_defaults);
  tcase_add_test(sources, test_missing_default_file_logs_nothing);
  tcase_add_test(sources, test_every_key_is_read_from_the_file);
  tcase_add_test(sources,
                 test_spaces_and_tabs_around_key_and_value_are_ignored);
  tcase_add_test(sources, test_comments_and_blank_lines_are_ignored);
  tcase_add_test(sources, test_crlf_line_endings_are_accepted);
  tcase_add_test(sources, test_last_line_without_newline_is_read);
  tcase_add_test(sources, test_empty_file_gives_defaults);
  tcase_add_test(sources, test_module_arguments_override_the_file);
  tcase_add_test(sources, test_module_arguments_set_keys_without_a_file);
  tcase_add_test(sources, test_config_argument_names_the_file_to_read);
  tcase_add_test(sources, test_config_argument_to_missing_file_is_invalid);
  tcase_add_test(sources, test_relative_config_path_is_invalid);
  tcase_add_test(sources, test_empty_config_path_is_invalid);
  tcase_add_test(sources, test_unknown_key_in_file_is_invalid_and_named);
  tcase_add_test(sources, test_log_names_the_file_and_line);
  tcase_add_test(sources, test_unknown_key_in_arguments_is_invalid_and_named);
  tcase_add_test(sources, test_unknown_bare_argument_is_invalid_and_named);
  tcase_add_test(sources, test_config_is_not_a_key_of_the_file);
  tcase_add_test(sources, test_line_without_equals_is_invalid);
  tcase_add_test(sources, test_keys_are_case_sensitive);
  tcase_add_test(sources, test_pam_authtok_flags_are_accepted);
  tcase_add_test(sources, test_debug_flag_turns_on_debug);
  tcase_add_test(sources, test_config_free_twice_after_failure_is_safe);
  tcase_add_test(sources, test_config_free_after_relative_path_failure_is_safe);
  suite_add_tcase(s, sources);

  add_bad_values(values, file_tests, file_names, "in_file", bad_value_in_file);
  add_bad_values(values, arg_tests, arg_names, "as_argument",
                 bad_value_as_argument);
  tcase_add_test(values, test_value_with_control_character_is_invalid);
  tcase_add_test(values, test_value_with_escape_is_invalid);
  tcase_add_test(values, test_value_with_carriage_return_inside_is_invalid);
  tcase_add_test(values, test_argument_with_newline_is_invalid);
  tcase_add_test(values, test_log_line_of_a_hostile_key_is_sanitised);
  tcase_add_test(values, test_very_long_value_is_invalid);
  tcase_add_test(values, test_duration_in_plain_seconds);
  tcase_add_test(values, test_duration_in_seconds);
  tcase_add_test(values, test_duration_in_minutes);
  tcase_add_test(values, test_duration_in_hours);
  tcase_add_test(values, test_duration_in_days);
  tcase_add_test(values, test_timeout_takes_a_duration);
  tcase_add_test(values, test_offline_grace_off_disables_offline);
  tcase_add_test(values, test_offline_grace_zero_keeps_offline_with_no_grace);
  tcase_add_test(values, test_offline_grace_after_off_turns_offline_back_on);
  tcase_add_test(values, test_bool_spellings_are_accepted);
  tcase_add_test(values, test_api_url_trailing_slashes_are_stripped);
  tcase_add_test(values, test_api_url_trailing_slash_after_host_is_stripped);
  tcase_add_test(values, test_api_url_keeps_port_and_prefix);
  tcase_add_test(values, test_api_url_with_empty_query_is_refused);
  tcase_add_test(values, test_api_url_with_empty_fragment_is_refused);
  tcase_add_test(values, test_ca_file_absolute_is_accepted);
  tcase_add_test(values, test_connect_timeout_above_timeout_is_lowered);
  tcase_add_test(values, test_connect_timeout_below_timeout_is_kept);
  suite_add_tcase(s, values);

  tcase_add_test(trust, test_group_writable_file_is_invalid);
  tcase_add_test(trust, test_world_writable_file_is_invalid);
  tcase_add_test(trust, test_file_readable_by_others_is_accepted);
  tcase_add_test(trust, test_group_writable_explicit_file_is_invalid);
  tcase_add_test(trust, test_symlink_to_a_good_file_is_invalid);
  tcase_add_test(trust, test_dangling_symlink_is_invalid);
  /* Giving a file away takes root; without it the case cannot be built. */
  if (geteuid() == 0)
    tcase_add_test(trust, test_file_owned_by_another_uid_is_invalid);
  tcase_add_test(trust, test_fifo_is_invalid);
  tcase_add_test(trust, test_directory_is_invalid);
  tcase_add_test(trust, test_file_of_64_kib_is_accepted);
  tcase_add_test(trust, test_file_over_64_kib_is_invalid);
  tcase_add_test(trust, test_file_with_nul_byte_is_invalid);
  suite_add_tcase(s, trust);

  tcase_add_test(duration, test_parse_duration_plain_number);
  tcase_add_test(duration, test_parse_duration_zero);
  tcase_add_test(duration, test_parse_duration_units);
  tcase_add_test(duration, test_parse_duration_refuses_overflow);
  tcase_add_test(duration, test_parse_duration_refuses_more_than_ten_years);
  tcase_add_test(duration, test_parse_duration_accepts_ten_years_of_365_days);
  tcase_add_test(duration, test_parse_duration_refuses_unknown_unit);
  tcase_add_test(duration, test_parse_duration_refuses_empty);
  tcase_add_test(duration, test_parse_duration_refuses_unit_alone);
  tcase_add_test(duration, test_parse_duration_refuses_signs_and_spaces);
  tcase_add_test(duration, test_parse_duration_refuses_two_units);
  suite_add_tcase(s, duration);
  return s;
}

UNIT_MAIN(conf_suite)
