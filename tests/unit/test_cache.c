/* The offline cache on disk: file names, the folder's and the records'
 * trust checks, atomic replacement, per-user locks and the outage
 * marker. */
#include "config.h"

#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "secret.h"

#define VERIFIER                                                               \
  "$y$j75$Ecpy1Hbx/ZZF0PUnIq9fh1$mdW2P2TkTbcBZjnp7wSW86GQdoNFsfVmDu3rKUDtAj9"

/* One folder under /tmp per test case, made by the parent process, so
 * that it is removed even when a test dies; one subfolder per test. */
#define PATH_SIZE 512

static char root[32];
static char dir[64];
static char cache_dir[96];
static struct rg_cache cache;

static void make_root(void) {
  unit_make_root(root, sizeof(root), "cache");
}

static void remove_root(void) {
  unit_remove_root(root);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "%s/t-XXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(cache_dir, sizeof(cache_dir), "%s/cache", dir);
  cache.dirfd = -1;
}

static void teardown(void) {
  rg_cache_close(&cache);
}

static void open_cache(void) {
  struct rg_why why = {""};

  ck_assert_msg(rg_cache_open(&cache, cache_dir, true, &why) == RG_FILE_OK,
                "%s", why.text);
}

static void path_in_cache(const char *name, char *out, size_t size) {
  snprintf(out, size, "%s/%s", cache_dir, name);
}

/* Where user's record lives: the stem and a suffix. */
static void user_file(const char *user, const char *suffix, char *out,
                      size_t size) {
  char stem[RG_CACHE_STEM_LEN + 1];
  char name[RG_CACHE_STEM_LEN + 16];

  ck_assert(rg_cache_stem(user, stem));
  snprintf(name, sizeof(name), "%s%s", stem, suffix);
  path_in_cache(name, out, size);
}

static char record_verifier[] = VERIFIER;
static char record_sub[] = "9a3c61b2-5f0e-4d1c-8b7a-2e6f4c0d9e11";

static struct rg_record record_of(char *user) {
  return (struct rg_record){
      .user = user,
      .sub = record_sub,
      .token_expires = 1700086398,
      .online_at = 1700000000,
      .verifier = record_verifier,
  };
}

static void store(const char *user) {
  char copy[300];
  struct rg_record r;
  struct rg_why why = {""};

  snprintf(copy, sizeof(copy), "%s", user);
  r = record_of(copy);
  ck_assert_msg(rg_cache_store(&cache, &r, &why) == RG_FILE_OK, "%s", why.text);
}

static enum rg_file_status load(const char *user, struct rg_why *why) {
  struct rg_record r;
  enum rg_file_status st;

  why->text[0] = '\0';
  st = rg_cache_load(&cache, user, &r, why);
  if (st != RG_FILE_OK) {
    ck_assert_ptr_null(r.user);
    ck_assert_ptr_null(r.verifier);
  }
  rg_record_free(&r);
  return st;
}

static void assert_untrusted(const char *user) {
  struct rg_why why;

  ck_assert_int_eq(load(user, &why), RG_FILE_UNTRUSTED);
  ck_assert_msg(why.text[0] != '\0', "refused without a reason");
}

/* Names in the cache folder other than "." and "..". */
static int count_entries(const char *containing) {
  DIR *d = opendir(cache_dir);
  struct dirent *e;
  int n = 0;

  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (containing == NULL || strstr(e->d_name, containing) != NULL)
      n++;
  }
  closedir(d);
  return n;
}

/* The one entry of the folder, for files whose name is the module's own
 * business (the outage marker). */
static void only_entry(char *out, size_t size) {
  DIR *d = opendir(cache_dir);
  struct dirent *e;
  int n = 0;

  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    path_in_cache(e->d_name, out, size);
    n++;
  }
  closedir(d);
  ck_assert_int_eq(n, 1);
}

static mode_t mode_of(const char *path) {
  struct stat st;

  ck_assert_int_eq(lstat(path, &st), 0);
  return st.st_mode;
}

static bool exists(const char *path) {
  struct stat st;

  return lstat(path, &st) == 0;
}

static void assert_stem_is_safe(const char *user) {
  char stem[RG_CACHE_STEM_LEN + 1];

  memset(stem, 'Z', sizeof(stem));
  ck_assert(rg_cache_stem(user, stem));
  ck_assert_uint_eq(strlen(stem), RG_CACHE_STEM_LEN);
  ck_assert_uint_eq(strspn(stem, "0123456789abcdef"), RG_CACHE_STEM_LEN);
  ck_assert_ptr_null(strchr(stem, '/'));
  ck_assert_int_ne(stem[0], '.');
}

START_TEST(test_stem_is_sha256_in_lowercase_hex) {
  char stem[RG_CACHE_STEM_LEN + 1];

  ck_assert(rg_cache_stem("abc", stem));
  ck_assert_str_eq(
      stem, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_stem_of_name_with_slash_is_safe) {
  assert_stem_is_safe("a/b");
  assert_stem_is_safe("../../etc/shadow");
}
END_TEST

START_TEST(test_stem_of_dot_names_is_safe) {
  assert_stem_is_safe("..");
  assert_stem_is_safe(".");
}
END_TEST

START_TEST(test_stem_of_space_is_safe) {
  assert_stem_is_safe(" ");
}
END_TEST

START_TEST(test_stem_of_email_address_is_safe) {
  assert_stem_is_safe("x@y");
}
END_TEST

START_TEST(test_stem_of_control_characters_is_safe) {
  assert_stem_is_safe("\x01\x1b[2J\n\r\x7f");
}
END_TEST

START_TEST(test_stem_of_256_letter_name_is_safe) {
  char name[257];

  memset(name, 'a', 256);
  name[256] = '\0';
  assert_stem_is_safe(name);
}
END_TEST

START_TEST(test_stem_of_4000_letter_name_is_safe) {
  char name[4001];

  memset(name, 'a', 4000);
  name[4000] = '\0';
  assert_stem_is_safe(name);
}
END_TEST

START_TEST(test_distinct_names_give_distinct_stems) {
  static const char *const names[] = {"jdoe",  "Jdoe", "JDOE", "jdoe ", " jdoe",
                                      "jdoe.", "a/b",  "a_b",  "..",    "."};
  char stems[10][RG_CACHE_STEM_LEN + 1];

  for (size_t i = 0; i < 10; i++) {
    ck_assert(rg_cache_stem(names[i], stems[i]));
    for (size_t j = 0; j < i; j++)
      ck_assert_msg(strcmp(stems[i], stems[j]) != 0, "\"%s\" and \"%s\"",
                    names[i], names[j]);
  }
}
END_TEST

START_TEST(test_same_name_gives_same_stem) {
  char a[RG_CACHE_STEM_LEN + 1];
  char b[RG_CACHE_STEM_LEN + 1];

  ck_assert(rg_cache_stem("jdoe", a));
  ck_assert(rg_cache_stem("jdoe", b));
  ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_empty_name_has_no_stem) {
  char stem[RG_CACHE_STEM_LEN + 1];

  ck_assert(!rg_cache_stem("", stem));
}
END_TEST

START_TEST(test_open_creates_the_folder_mode_0700) {
  open_cache();
  ck_assert(S_ISDIR(mode_of(cache_dir)));
  ck_assert_int_eq(mode_of(cache_dir) & 07777, 0700);
}
END_TEST

START_TEST(test_open_accepts_an_existing_0700_folder) {
  struct rg_why why = {""};

  ck_assert_int_eq(mkdir(cache_dir, 0700), 0);
  ck_assert_int_eq(rg_cache_open(&cache, cache_dir, false, &why), RG_FILE_OK);
}
END_TEST

START_TEST(test_open_without_create_of_missing_folder_is_missing) {
  struct rg_why why = {""};

  ck_assert_int_eq(rg_cache_open(&cache, cache_dir, false, &why),
                   RG_FILE_MISSING);
  ck_assert(!exists(cache_dir));
}
END_TEST

START_TEST(test_open_refuses_folder_mode_0755) {
  struct rg_why why = {""};

  ck_assert_int_eq(mkdir(cache_dir, 0700), 0);
  ck_assert_int_eq(chmod(cache_dir, 0755), 0);
  ck_assert_int_eq(rg_cache_open(&cache, cache_dir, true, &why),
                   RG_FILE_UNTRUSTED);
  ck_assert_str_ne(why.text, "");
}
END_TEST

START_TEST(test_open_refuses_folder_readable_by_group) {
  struct rg_why why = {""};

  ck_assert_int_eq(mkdir(cache_dir, 0700), 0);
  ck_assert_int_eq(chmod(cache_dir, 0750), 0);
  ck_assert_int_eq(rg_cache_open(&cache, cache_dir, true, &why),
                   RG_FILE_UNTRUSTED);
}
END_TEST

START_TEST(test_open_refuses_symlink_to_a_folder) {
  char real[128];
  struct rg_why why = {""};

  snprintf(real, sizeof(real), "%s/real", dir);
  ck_assert_int_eq(mkdir(real, 0700), 0);
  ck_assert_int_eq(symlink(real, cache_dir), 0);
  ck_assert_int_eq(rg_cache_open(&cache, cache_dir, true, &why),
                   RG_FILE_UNTRUSTED);
}
END_TEST

START_TEST(test_open_refuses_a_regular_file) {
  struct rg_why why = {""};
  int fd = open(cache_dir, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

  ck_assert_int_ge(fd, 0);
  close(fd);
  ck_assert_int_eq(rg_cache_open(&cache, cache_dir, true, &why),
                   RG_FILE_UNTRUSTED);
}
END_TEST

START_TEST(test_open_refuses_folder_of_another_owner) {
  struct rg_why why = {""};

  ck_assert_int_eq(mkdir(cache_dir, 0700), 0);
  ck_assert_int_eq(chown(cache_dir, 65534, 65534), 0);
  ck_assert_int_eq(rg_cache_open(&cache, cache_dir, true, &why),
                   RG_FILE_UNTRUSTED);
}
END_TEST

START_TEST(test_store_then_load_round_trips) {
  struct rg_record r;
  struct rg_why why = {""};

  open_cache();
  store("jdoe");
  ck_assert_int_eq(rg_cache_load(&cache, "jdoe", &r, &why), RG_FILE_OK);
  ck_assert_str_eq(r.user, "jdoe");
  ck_assert_str_eq(r.sub, record_sub);
  ck_assert_ptr_null(r.name);
  ck_assert_str_eq(r.verifier, VERIFIER);
  ck_assert_int_eq(r.token_expires, 1700086398);
  ck_assert_int_eq(r.online_at, 1700000000);
  rg_record_free(&r);
}
END_TEST

START_TEST(test_store_refuses_a_record_too_large_to_read_back) {
  static char huge[RG_RECORD_MAX_SIZE + 1];
  char user[] = "jdoe";
  struct rg_record r = record_of(user);
  struct rg_record out;
  struct rg_why why = {""};

  open_cache();
  store("jdoe");
  memset(huge, 'x', sizeof(huge) - 1);
  r.name = huge;
  ck_assert_int_eq(rg_cache_store(&cache, &r, &why), RG_FILE_ERROR);
  ck_assert_str_eq(why.text, "record too large");
  ck_assert_int_eq(rg_cache_load(&cache, "jdoe", &out, &why), RG_FILE_OK);
  ck_assert_ptr_null(out.name);
  rg_record_free(&out);
}
END_TEST

START_TEST(test_store_replaces_the_previous_record) {
  char user[] = "jdoe";
  struct rg_record r = record_of(user);
  struct rg_record out;
  struct rg_why why = {""};

  open_cache();
  store("jdoe");
  r.verifier = NULL;
  r.failures = 3;
  ck_assert_int_eq(rg_cache_store(&cache, &r, &why), RG_FILE_OK);
  ck_assert_int_eq(rg_cache_load(&cache, "jdoe", &out, &why), RG_FILE_OK);
  ck_assert_ptr_null(out.verifier);
  ck_assert_int_eq(out.failures, 3);
  rg_record_free(&out);
}
END_TEST

START_TEST(test_stored_record_is_named_after_the_stem) {
  char path[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert(exists(path));
}
END_TEST

START_TEST(test_stored_record_has_mode_0600) {
  char path[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert(S_ISREG(mode_of(path)));
  ck_assert_int_eq(mode_of(path) & 07777, 0600);
}
END_TEST

START_TEST(test_store_leaves_no_temporary_file) {
  open_cache();
  store("jdoe");
  store("jdoe");
  ck_assert_int_eq(count_entries(".tmp"), 0);
  ck_assert_int_eq(count_entries(NULL), 1);
}
END_TEST

START_TEST(test_load_of_missing_record_is_missing) {
  struct rg_why why;

  open_cache();
  ck_assert_int_eq(load("jdoe", &why), RG_FILE_MISSING);
}
END_TEST

START_TEST(test_load_of_another_users_record_is_untrusted) {
  char bob[PATH_SIZE];
  char jdoe[PATH_SIZE];
  struct rg_why why;

  open_cache();
  store("bob");
  user_file("bob", ".json", bob, sizeof(bob));
  user_file("jdoe", ".json", jdoe, sizeof(jdoe));
  ck_assert_int_eq(rename(bob, jdoe), 0);
  ck_assert_int_eq(load("jdoe", &why), RG_FILE_UNTRUSTED);
  ck_assert_str_eq(why.text, "belongs to another user");
}
END_TEST

START_TEST(test_load_of_record_with_other_letter_case_is_untrusted) {
  char upper[PATH_SIZE];
  char lower[PATH_SIZE];

  open_cache();
  store("JDoe");
  user_file("JDoe", ".json", upper, sizeof(upper));
  user_file("jdoe", ".json", lower, sizeof(lower));
  ck_assert_int_eq(rename(upper, lower), 0);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_record_mode_0644_is_untrusted) {
  char path[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert_int_eq(chmod(path, 0644), 0);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_record_readable_by_group_is_untrusted) {
  char path[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert_int_eq(chmod(path, 0640), 0);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_record_replaced_by_symlink_is_untrusted) {
  char path[PATH_SIZE];
  char elsewhere[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere.json", dir);
  ck_assert_int_eq(rename(path, elsewhere), 0);
  ck_assert_int_eq(symlink(elsewhere, path), 0);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_record_with_two_hard_links_is_untrusted) {
  char path[PATH_SIZE];
  char other[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  snprintf(other, sizeof(other), "%s/second-link", dir);
  ck_assert_int_eq(link(path, other), 0);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_truncated_record_is_untrusted) {
  char path[PATH_SIZE];
  struct stat st;

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_empty_record_is_untrusted) {
  char path[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert_int_eq(truncate(path, 0), 0);
  assert_untrusted("jdoe");
}
END_TEST

/* Pads jdoe's stored record with trailing spaces (still valid JSON) to
 * size bytes. */
static void pad_record(off_t size) {
  char path[PATH_SIZE];
  struct stat st;
  int fd;

  user_file("jdoe", ".json", path, sizeof(path));
  fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(fstat(fd, &st), 0);
  for (off_t n = st.st_size; n < size; n++)
    ck_assert_int_eq(write(fd, " ", 1), 1);
  close(fd);
}

START_TEST(test_load_of_record_at_the_size_cap_is_accepted) {
  struct rg_why why;

  open_cache();
  store("jdoe");
  pad_record(RG_RECORD_MAX_SIZE);
  ck_assert_int_eq(load("jdoe", &why), RG_FILE_OK);
}
END_TEST

START_TEST(test_load_of_oversized_record_is_untrusted) {
  open_cache();
  store("jdoe");
  pad_record(RG_RECORD_MAX_SIZE + 1);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_fifo_is_untrusted) {
  char path[PATH_SIZE];

  open_cache();
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  assert_untrusted("jdoe");
}
END_TEST

START_TEST(test_load_of_record_owned_by_another_uid_is_untrusted) {
  char path[PATH_SIZE];

  open_cache();
  store("jdoe");
  user_file("jdoe", ".json", path, sizeof(path));
  ck_assert_int_eq(chown(path, 65534, 65534), 0);
  assert_untrusted("jdoe");
}
END_TEST

static double seconds_since(const struct timespec *start) {
  struct timespec now;

  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) +
         (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Exit codes of a child that tries a lock. */
enum { CHILD_LOCKED = 10, CHILD_REFUSED = 11 };

/* Forks a child that takes user's lock and exits with CHILD_LOCKED or
 * CHILD_REFUSED.  The child first closes its copy of held, the parent's
 * lock: a copy would keep the parent's lock alive after the parent lets
 * go, which two logins never share.  Returns the child's pid. */
static pid_t child_locking(const char *user, int held) {
  pid_t pid = fork();

  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    struct rg_why why = {""};
    int fd;

    close(held);
    fd = rg_cache_lock(&cache, user, &why);

    _exit(fd >= 0 ? CHILD_LOCKED : CHILD_REFUSED);
  }
  return pid;
}

static int child_result(pid_t pid) {
  int status = 0;

  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static int take_lock(const char *user) {
  struct rg_why why = {""};
  int fd = rg_cache_lock(&cache, user, &why);

  ck_assert_msg(fd >= 0, "%s", why.text);
  return fd;
}

START_TEST(test_lock_creates_a_private_lock_file) {
  char path[PATH_SIZE];
  int fd;

  open_cache();
  fd = take_lock("jdoe");
  user_file("jdoe", ".lock", path, sizeof(path));
  ck_assert(S_ISREG(mode_of(path)));
  ck_assert_int_eq(mode_of(path) & 077, 0);
  rg_cache_unlock(fd);
}
END_TEST

START_TEST(test_unlock_lets_the_lock_be_taken_again) {
  int fd;

  open_cache();
  fd = take_lock("jdoe");
  rg_cache_unlock(fd);
  fd = take_lock("jdoe");
  rg_cache_unlock(fd);
}
END_TEST

START_TEST(test_lock_held_elsewhere_times_out) {
  struct timespec start;
  double waited;
  pid_t pid;
  int fd;

  open_cache();
  fd = take_lock("jdoe");
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid = child_locking("jdoe", fd);
  ck_assert_int_eq(child_result(pid), CHILD_REFUSED);
  waited = seconds_since(&start);
  ck_assert_msg(waited >= 3.0 && waited < 10.0, "gave up after %.1f s", waited);
  rg_cache_unlock(fd);
}
END_TEST

START_TEST(test_lock_is_taken_once_the_holder_releases_it) {
  const struct timespec pause = {0, 300 * 1000000L};
  struct timespec start;
  double waited;
  pid_t pid;
  int fd;

  open_cache();
  fd = take_lock("jdoe");
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid = child_locking("jdoe", fd);
  nanosleep(&pause, NULL);
  rg_cache_unlock(fd);
  ck_assert_int_eq(child_result(pid), CHILD_LOCKED);
  waited = seconds_since(&start);
  ck_assert_msg(waited >= 0.25 && waited < 3.0, "locked after %.2f s", waited);
}
END_TEST

START_TEST(test_locks_of_different_users_do_not_block) {
  struct timespec start;
  pid_t pid;
  int fd;

  open_cache();
  fd = take_lock("alice");
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid = child_locking("bob", fd);
  ck_assert_int_eq(child_result(pid), CHILD_LOCKED);
  ck_assert_msg(seconds_since(&start) < 1.0, "bob waited for alice");
  rg_cache_unlock(fd);
}
END_TEST

START_TEST(test_lock_of_empty_user_fails) {
  struct rg_why why = {""};

  open_cache();
  ck_assert_int_lt(rg_cache_lock(&cache, "", &why), 0);
  ck_assert_str_ne(why.text, "");
}
END_TEST

START_TEST(test_remove_deletes_record_and_lock) {
  char record[PATH_SIZE];
  char lock[PATH_SIZE];
  struct rg_why why = {""};

  open_cache();
  store("jdoe");
  rg_cache_unlock(take_lock("jdoe"));
  user_file("jdoe", ".json", record, sizeof(record));
  user_file("jdoe", ".lock", lock, sizeof(lock));
  ck_assert(exists(record));
  ck_assert(exists(lock));
  ck_assert_int_eq(rg_cache_remove(&cache, "jdoe", &why), RG_FILE_OK);
  ck_assert(!exists(record));
  ck_assert(!exists(lock));
  ck_assert_int_eq(count_entries(NULL), 0);
}
END_TEST

START_TEST(test_remove_of_missing_record_is_fine) {
  struct rg_why why = {""};

  open_cache();
  ck_assert_int_eq(rg_cache_remove(&cache, "jdoe", &why), RG_FILE_OK);
}
END_TEST

START_TEST(test_remove_leaves_other_users_alone) {
  struct rg_why why = {""};

  open_cache();
  store("jdoe");
  store("bob");
  ck_assert_int_eq(rg_cache_remove(&cache, "jdoe", &why), RG_FILE_OK);
  ck_assert_int_eq(load("bob", &why), RG_FILE_OK);
  ck_assert_int_eq(load("jdoe", &why), RG_FILE_MISSING);
}
END_TEST

#define T0 ((time_t)1700000000)

START_TEST(test_no_outage_is_not_recent) {
  open_cache();
  ck_assert(!rg_cache_outage_recent(&cache, T0, 60));
}
END_TEST

START_TEST(test_noted_outage_is_recent_within_the_window) {
  open_cache();
  rg_cache_note_outage(&cache, T0);
  ck_assert(rg_cache_outage_recent(&cache, T0, 60));
  ck_assert(rg_cache_outage_recent(&cache, T0 + 59, 60));
}
END_TEST

START_TEST(test_noted_outage_is_not_recent_after_the_window) {
  open_cache();
  rg_cache_note_outage(&cache, T0);
  ck_assert(!rg_cache_outage_recent(&cache, T0 + 60, 60));
  ck_assert(!rg_cache_outage_recent(&cache, T0 + 3600, 60));
}
END_TEST

START_TEST(test_outage_is_never_recent_with_window_zero) {
  open_cache();
  rg_cache_note_outage(&cache, T0);
  ck_assert(!rg_cache_outage_recent(&cache, T0, 0));
  ck_assert(!rg_cache_outage_recent(&cache, T0 + 1, 0));
}
END_TEST

START_TEST(test_outage_dated_in_the_future_is_not_recent) {
  /* A clock set back must not keep logins off the network. */
  open_cache();
  rg_cache_note_outage(&cache, T0 + 30);
  ck_assert(!rg_cache_outage_recent(&cache, T0, 60));
}
END_TEST

START_TEST(test_cleared_outage_is_not_recent) {
  open_cache();
  rg_cache_note_outage(&cache, T0);
  rg_cache_clear_outage(&cache);
  ck_assert(!rg_cache_outage_recent(&cache, T0, 60));
}
END_TEST

START_TEST(test_later_outage_replaces_the_earlier) {
  open_cache();
  rg_cache_note_outage(&cache, T0);
  rg_cache_note_outage(&cache, T0 + 100);
  ck_assert(rg_cache_outage_recent(&cache, T0 + 130, 60));
}
END_TEST

START_TEST(test_outage_marker_is_private_and_alone) {
  char marker[PATH_SIZE];

  open_cache();
  rg_cache_note_outage(&cache, T0);
  only_entry(marker, sizeof(marker));
  ck_assert(S_ISREG(mode_of(marker)));
  ck_assert_int_eq(mode_of(marker) & 077, 0);
}
END_TEST

START_TEST(test_tampered_outage_marker_is_ignored) {
  char marker[PATH_SIZE];

  open_cache();
  rg_cache_note_outage(&cache, T0);
  only_entry(marker, sizeof(marker));
  ck_assert_int_eq(chmod(marker, 0644), 0);
  ck_assert(!rg_cache_outage_recent(&cache, T0, 60));
}
END_TEST

START_TEST(test_outage_marker_of_another_owner_is_ignored) {
  char marker[PATH_SIZE];

  open_cache();
  rg_cache_note_outage(&cache, T0);
  only_entry(marker, sizeof(marker));
  ck_assert_int_eq(chown(marker, 65534, 65534), 0);
  ck_assert(!rg_cache_outage_recent(&cache, T0, 60));
}
END_TEST

START_TEST(test_garbled_outage_marker_is_ignored) {
  char marker[PATH_SIZE];
  int fd;

  open_cache();
  rg_cache_note_outage(&cache, T0);
  only_entry(marker, sizeof(marker));
  fd = open(marker, O_WRONLY | O_TRUNC | O_CLOEXEC);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "soon", 4), 4);
  close(fd);
  ck_assert(!rg_cache_outage_recent(&cache, T0, 60));
}
END_TEST

static TCase *fixture(const char *name) {
  TCase *tc = tcase_create(name);

  tcase_add_unchecked_fixture(tc, make_root, remove_root);
  tcase_add_checked_fixture(tc, setup, teardown);
  return tc;
}

static Suite *cache_suite(void) {
  Suite *s = suite_create("cache");
  TCase *stem = tcase_create("stem");
  TCase *folder = fixture("folder");
  TCase *records = fixture("records");
  TCase *locks = fixture("locks");
  TCase *outage = fixture("outage");
  bool root_user = geteuid() == 0;

  tcase_add_test(stem, test_stem_is_sha256_in_lowercase_hex);
  tcase_add_test(stem, test_stem_of_name_with_slash_is_safe);
  tcase_add_test(stem, test_stem_of_dot_names_is_safe);
  tcase_add_test(stem, test_stem_of_space_is_safe);
  tcase_add_test(stem, test_stem_of_email_address_is_safe);
  tcase_add_test(stem, test_stem_of_control_characters_is_safe);
  tcase_add_test(stem, test_stem_of_256_letter_name_is_safe);
  tcase_add_test(stem, test_stem_of_4000_letter_name_is_safe);
  tcase_add_test(stem, test_distinct_names_give_distinct_stems);
  tcase_add_test(stem, test_same_name_gives_same_stem);
  tcase_add_test(stem, test_empty_name_has_no_stem);
  suite_add_tcase(s, stem);

  tcase_add_test(folder, test_open_creates_the_folder_mode_0700);
  tcase_add_test(folder, test_open_accepts_an_existing_0700_folder);
  tcase_add_test(folder, test_open_without_create_of_missing_folder_is_missing);
  tcase_add_test(folder, test_open_refuses_folder_mode_0755);
  tcase_add_test(folder, test_open_refuses_folder_readable_by_group);
  tcase_add_test(folder, test_open_refuses_symlink_to_a_folder);
  tcase_add_test(folder, test_open_refuses_a_regular_file);
  /* Giving a file away takes root. */
  if (root_user)
    tcase_add_test(folder, test_open_refuses_folder_of_another_owner);
  suite_add_tcase(s, folder);

  tcase_add_test(records, test_store_then_load_round_trips);
  tcase_add_test(records, test_store_replaces_the_previous_record);
  tcase_add_test(records, test_store_refuses_a_record_too_large_to_read_back);
  tcase_add_test(records, test_stored_record_is_named_after_the_stem);
  tcase_add_test(records, test_stored_record_has_mode_0600);
  tcase_add_test(records, test_store_leaves_no_temporary_file);
  tcase_add_test(records, test_load_of_missing_record_is_missing);
  tcase_add_test(records, test_load_of_another_users_record_is_untrusted);
  tcase_add_test(records,
                 test_load_of_record_with_other_letter_case_is_untrusted);
  tcase_add_test(records, test_load_of_record_mode_0644_is_untrusted);
  tcase_add_test(records, test_load_of_record_readable_by_group_is_untrusted);
  tcase_add_test(records, test_load_of_record_replaced_by_symlink_is_untrusted);
  tcase_add_test(records, test_load_of_record_with_two_hard_links_is_untrusted);
  tcase_add_test(records, test_load_of_truncated_record_is_untrusted);
  tcase_add_test(records, test_load_of_empty_record_is_untrusted);
  tcase_add_test(records, test_load_of_record_at_the_size_cap_is_accepted);
  tcase_add_test(records, test_load_of_oversized_record_is_untrusted);
  tcase_add_test(records, test_load_of_fifo_is_untrusted);
  if (root_user)
    tcase_add_test(records,
                   test_load_of_record_owned_by_another_uid_is_untrusted);
  tcase_add_test(records, test_remove_deletes_record_and_lock);
  tcase_add_test(records, test_remove_of_missing_record_is_fine);
  tcase_add_test(records, test_remove_leaves_other_users_alone);
  suite_add_tcase(s, records);

  /* One test waits out the lock's timeout of about five seconds. */
  tcase_set_timeout(locks, 20);
  tcase_add_test(locks, test_lock_creates_a_private_lock_file);
  tcase_add_test(locks, test_unlock_lets_the_lock_be_taken_again);
  tcase_add_test(locks, test_lock_held_elsewhere_times_out);
  tcase_add_test(locks, test_lock_is_taken_once_the_holder_releases_it);
  tcase_add_test(locks, test_locks_of_different_users_do_not_block);
  tcase_add_test(locks, test_lock_of_empty_user_fails);
  suite_add_tcase(s, locks);

  tcase_add_test(outage, test_no_outage_is_not_recent);
  tcase_add_test(outage, test_noted_outage_is_recent_within_the_window);
  tcase_add_test(outage, test_noted_outage_is_not_recent_after_the_window);
  tcase_add_test(outage, test_outage_is_never_recent_with_window_zero);
  tcase_add_test(outage, test_outage_dated_in_the_future_is_not_recent);
  tcase_add_test(outage, test_cleared_outage_is_not_recent);
  tcase_add_test(outage, test_later_outage_replaces_the_earlier);
  tcase_add_test(outage, test_outage_marker_is_private_and_alone);
  tcase_add_test(outage, test_tampered_outage_marker_is_ignored);
  if (root_user)
    tcase_add_test(outage, test_outage_marker_of_another_owner_is_ignored);
  tcase_add_test(outage, test_garbled_outage_marker_is_ignored);
  suite_add_tcase(s, outage);
  return s;
}

UNIT_MAIN(cache_suite)
