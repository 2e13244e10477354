/* The verifier's thread: its result, and what it must leave of the host
 * as it was (the signal mask, the thread count). */
#include "unit.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include "hasher.h"
#include "secret.h"
#include "verifier.h"

#define PASSWORD "correct horse battery staple"

/* Long enough (some 30 ms, 32 MiB) that the thread is still at work
 * while a test looks at it. */
#define SLOW_COST 6

#define MAX_TASKS 16

/* The ids of this process's threads; returns how many. */
static int list_tasks(int tids[MAX_TASKS]) {
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  int n = 0;

  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') {
      ck_assert_int_lt(n, MAX_TASKS);
      tids[n++] = atoi(e->d_name);
    }
  closedir(d);
  return n;
}

static int count_tasks(void) {
  int tids[MAX_TASKS];

  return list_tasks(tids);
}

/* A joined thread's task can stay listed a moment after pthread_join()
 * returns: counts again for up to 5 ms while above expected. */
static int count_tasks_settled(int expected) {
  int n = count_tasks();

  for (int tries = 0; n > expected && tries < 20; tries++) {
    usleep(250);
    n = count_tasks();
  }
  return n;
}

/* The one thread that is in now and not in before[0 .. n). */
static int new_task(const int *before, int n) {
  int now[MAX_TASKS];
  int m = list_tasks(now);
  int found = 0;

  for (int i = 0; i < m; i++) {
    bool old = false;

    for (int j = 0; j < n; j++)
      old = old || now[i] == before[j];
    if (!old) {
      ck_assert_int_eq(found, 0);
      found = now[i];
    }
  }
  ck_assert_int_ne(found, 0);
  return found;
}

/* Waits until thread tid has run for a millisecond: past glibc's start
 * of a thread, during which it blocks every signal whatever the mask it
 * will run with, and still far from the end of a hash at SLOW_COST.
 * Without schedstat (a kernel without CONFIG_SCHED_INFO), a pause of
 * 5 ms stands in. */
static void wait_until_running(int tid) {
  char path[64];
  unsigned long long ns = 0;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
  for (int tries = 0; ns < 1000000 && tries < 100000; tries++) {
    f = fopen(path, "r");
    if (f == NULL) {
      usleep(5000);
      return;
    }
    ck_assert_int_eq(fscanf(f, "%llu", &ns), 1);
    fclose(f);
    usleep(50);
  }
  ck_assert_uint_ge(ns, 1000000);
}

/* A thread's SigBlk mask, from /proc. */
static unsigned long long blocked_in(int tid) {
  char path[64], line[256];
  unsigned long long mask = 0;
  bool found = false;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
  f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  while (fgets(line, sizeof(line), f) != NULL)
    found = found || sscanf(line, "SigBlk: %llx", &mask) == 1;
  fclose(f);
  ck_assert(found);
  return mask;
}

static bool has(unsigned long long mask, int sig) {
  return (mask >> (sig - 1)) & 1;
}

START_TEST(test_joined_verifier_matches_the_password) {
  struct rg_hasher h;
  char *v;

  ck_assert(rg_hasher_start(&h, PASSWORD, 1));
  v = rg_hasher_join(&h);
  ck_assert_ptr_nonnull(v);
  ck_assert(rg_verifier_matches(v, PASSWORD));
  ck_assert(!rg_verifier_matches(v, "Tr0ub4dor&3"));
  rg_secret_free(v);
}
END_TEST

START_TEST(test_second_join_returns_nothing) {
  struct rg_hasher h;

  ck_assert(rg_hasher_start(&h, PASSWORD, 1));
  rg_secret_free(rg_hasher_join(&h));
  ck_assert_ptr_null(rg_hasher_join(&h));
}
END_TEST

START_TEST(test_join_of_a_hasher_never_started) {
  struct rg_hasher h = {0};

  ck_assert_ptr_null(rg_hasher_join(&h));
}
END_TEST

START_TEST(test_unhashable_password_gives_no_verifier) {
  char long_password[600];
  struct rg_hasher h;

  memset(long_password, 'x', sizeof(long_password) - 1);
  long_password[sizeof(long_password) - 1] = '\0';
  ck_assert(rg_hasher_start(&h, long_password, 1));
  ck_assert_ptr_null(rg_hasher_join(&h));
}
END_TEST

START_TEST(test_no_thread_is_left_after_join) {
  struct rg_hasher h;
  int before = count_tasks();

  ck_assert(rg_hasher_start(&h, PASSWORD, SLOW_COST));
  ck_assert_int_eq(count_tasks(), before + 1);
  rg_secret_free(rg_hasher_join(&h));
  ck_assert_int_eq(count_tasks_settled(before), before);
}
END_TEST

START_TEST(test_callers_signal_mask_is_kept) {
  sigset_t mine, after;
  struct rg_hasher h;

  sigemptyset(&mine);
  sigaddset(&mine, SIGUSR2);
  ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, &mine, NULL), 0);
  ck_assert(rg_hasher_start(&h, PASSWORD, 1));
  ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, NULL, &after), 0);
  rg_secret_free(rg_hasher_join(&h));
  ck_assert(sigismember(&after, SIGUSR2));
  ck_assert(!sigismember(&after, SIGUSR1));
  ck_assert(!sigismember(&after, SIGTERM));
}
END_TEST

/* sshd's login grace alarm, sudo's and login's SIGINT, SIGTERM and
 * SIGCHLD handling must never land on a thread the host does not know. */
START_TEST(test_thread_blocks_the_hosts_signals) {
  static const int host_signals[] = {SIGALRM, SIGCHLD, SIGHUP,  SIGINT,
                                     SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2,
                                     SIGQUIT, SIGTSTP, SIGWINCH};
  int before[MAX_TASKS];
  int n = list_tasks(before);
  struct rg_hasher h;
  unsigned long long blocked;
  int tid;

  ck_assert(rg_hasher_start(&h, PASSWORD, SLOW_COST));
  tid = new_task(before, n);
  wait_until_running(tid);
  blocked = blocked_in(tid);
  rg_secret_free(rg_hasher_join(&h));
  for (size_t i = 0; i < sizeof(host_signals) / sizeof(host_signals[0]); i++)
    ck_assert_msg(has(blocked, host_signals[i]), "signal %d not blocked",
                  host_signals[i]);
}
END_TEST

static Suite *hasher_suite(void) {
  Suite *s = suite_create("hasher");
  TCase *tc = tcase_create("hasher");

  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_joined_verifier_matches_the_password);
  tcase_add_test(tc, test_second_join_returns_nothing);
  tcase_add_test(tc, test_join_of_a_hasher_never_started);
  tcase_add_test(tc, test_unhashable_password_gives_no_verifier);
  tcase_add_test(tc, test_no_thread_is_left_after_join);
  tcase_add_test(tc, test_callers_signal_mask_is_kept);
  tcase_add_test(tc, test_thread_blocks_the_hosts_signals);
  suite_add_tcase(s, tc);
  return s;
}

UNIT_MAIN(hasher_suite)
