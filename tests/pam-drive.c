/* pam-drive: runs PAM phases through real libpam for the tests.
 *
 *   pam-drive [--repeat N] CONFDIR SERVICE USER [PHASE...]
 *
 * With --repeat, the whole transaction (pam_start, the phases, pam_end,
 * which loads and unloads the module) runs N times in this process.
 * PHASE is auth, account, setcred or chauthtok (default: auth).  The
 * service file comes from CONFDIR (pam_start_confdir), never /etc/pam.d.
 * Each hidden prompt is answered with the next line of standard input, so
 * no password is ever on a command line.  Standard output gets one line
 * per event:
 *
 *   prompt-on|prompt-off|info|error TEXT   what the conversation saw
 *   log PRIORITY TEXT                      a line sent to syslog
 *   result PHASE CODE NAME                 a phase's PAM code
 *   fds-leaked N / threads-left N          host hygiene after all phases
 *   sigpipe-changed yes|no / sigmask-changed yes|no
 *
 * syslog is captured by defining __syslog_chk here, which libpam calls:
 * it is libc's interface, not ours, and nothing reaches the host's log.
 */
#include "config.h"

#include <dirent.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

void __syslog_chk(int priority, int flag, const char *fmt, ...);
void __syslog_chk(int priority, int flag, const char *fmt, ...) {
  va_list ap;

  (void)flag;
  printf("log %d ", LOG_PRI(priority));
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static char *next_line(void) {
  char *line = NULL;
  size_t size = 0;
  ssize_t n = getline(&line, &size, stdin);

  if (n < 0) {
    free(line);
    return NULL;
  }
  if (n > 0 && line[n - 1] == '\n')
    line[n - 1] = '\0';
  return line;
}

static int converse(int n, const struct pam_message **msg,
                    struct pam_response **resp, void *arg) {
  struct pam_response *r = calloc((size_t)n, sizeof(*r));

  (void)arg;
  if (r == NULL)
    return PAM_BUF_ERR;
  for (int i = 0; i < n; i++) {
    switch (msg[i]->msg_style) {
    case PAM_PROMPT_ECHO_OFF:
      printf("prompt-off %s\n", msg[i]->msg);
      r[i].resp = next_line();
      break;
    case PAM_PROMPT_ECHO_ON:
      printf("prompt-on %s\n", msg[i]->msg);
      r[i].resp = next_line();
      break;
    case PAM_ERROR_MSG:
      printf("error %s\n", msg[i]->msg);
      break;
    default:
      printf("info %s\n", msg[i]->msg);
      break;
    }
  }
  fflush(stdout);
  *resp = r;
  return PAM_SUCCESS;
}

/* Counts open descriptors; with show, prints what those at or above
 * first point to, so that a leak names itself. */
static int count_fds(int first, int show) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((e = readdir(d)) != NULL) {
    char path[300], target[300];
    ssize_t len;

    if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
      continue;
    n++;
    if (!show || atoi(e->d_name) < first)
      continue;
    snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
    len = readlink(path, target, sizeof(target) - 1);
    target[len > 0 ? len : 0] = '\0';
    printf("fd-open %s %s\n", e->d_name, target);
  }
  closedir(d);
  return n;
}

/* Counts this process's threads.  A joined thread's task can stay
 * listed a moment after pthread_join() returns, so a count above
 * expected is taken again for up to 5 ms before it stands: far less
 * than any hash the tests would catch left running. */
static int count_threads_now(void) {
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((e = readdir(d)) != NULL)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

static int count_threads(int expected) {
  int n = count_threads_now();

  for (int tries = 0; n > expected && tries < 20; tries++) {
    usleep(250);
    n = count_threads_now();
  }
  return n;
}

static int same_mask(const sigset_t *a, const sigset_t *b) {
  for (int sig = 1; sig <= SIGRTMAX; sig++)
    if (sigismember(a, sig) != sigismember(b, sig))
      return 0;
  return 1;
}

static int run_phase(pam_handle_t *pamh, const char *phase) {
  if (strcmp(phase, "auth") == 0)
    return pam_authenticate(pamh, 0);
  if (strcmp(phase, "account") == 0)
    return pam_acct_mgmt(pamh, 0);
  if (strcmp(phase, "setcred") == 0)
    return pam_setcred(pamh, PAM_ESTABLISH_CRED);
  if (strcmp(phase, "chauthtok") == 0)
    return pam_chauthtok(pamh, 0);
  fprintf(stderr, "pam-drive: unknown phase %s\n", phase);
  exit(2);
}

/* One transaction: pam_start, the phases, pam_end.  Returns 0, or 2
 * when PAM cannot start. */
static int transaction(const char *confdir, const char *service,
                       const char *user, const char *const *phases,
                       int nphases) {
  const struct pam_conv conv = {converse, NULL};
  pam_handle_t *pamh = NULL;
  int rc = pam_start_confdir(service, user, &conv, confdir, &pamh);

  if (rc != PAM_SUCCESS) {
    fprintf(stderr, "pam-drive: pam_start_confdir: %d\n", rc);
    return 2;
  }
  for (int i = 0; i < nphases; i++) {
    rc = run_phase(pamh, phases[i]);
    printf("result %s %d %s\n", phases[i], rc, pam_strerror(pamh, rc));
    fflush(stdout);
  }
  pam_end(pamh, rc);
  return 0;
}

int main(int argc, char **argv) {
  static const char *const default_phase[] = {"auth"};
  const char *const *phases = default_phase;
  struct sigaction before, after;
  sigset_t mask_before, mask_after;
  int nphases = 1;
  int threads, threads_after;
  int repeat = 1;
  int fds;

  if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
    repeat = atoi(argv[2]);
    argc -= 2;
    argv += 2;
  }
  if (argc < 4 || repeat < 1) {
    fprintf(stderr,
            "usage: pam-drive [--repeat N] CONFDIR SERVICE USER [PHASE...]\n");
    return 2;
  }
  if (argc > 4) {
    phases = (const char *const *)argv + 4;
    nphases = argc - 4;
  }
  sigaction(SIGPIPE, NULL, &before);
  /* A mask with a few signals blocked, as hosts have: the module must
   * hand it back as it found it. */
  sigemptyset(&mask_before);
  sigaddset(&mask_before, SIGUSR2);
  sigaddset(&mask_before, SIGWINCH);
  sigprocmask(SIG_SETMASK, &mask_before, NULL);
  threads = count_threads_now();
  /* The name service may keep its files open once asked: ask it first,
   * so that only what the module leaves open counts. */
  (void)getpwnam(argv[3]);
  fds = count_fds(0, 0);
  for (int i = 0; i < repeat; i++) {
    if (transaction(argv[1], argv[2], argv[3], phases, nphases) != 0)
      return 2;
  }
  sigaction(SIGPIPE, NULL, &after);
  sigprocmask(SIG_SETMASK, NULL, &mask_after);
  printf("fds-leaked %d\n", count_fds(fds, 0) - fds);
  if (count_fds(fds, 0) != fds)
    count_fds(3, 1);
  printf("sigpipe-changed %s\n",
         before.sa_handler != after.sa_handler ? "yes" : "no");
  threads_after = threads < 0 ? -1 : count_threads(threads);
  if (threads_after < 0)
    printf("threads-left unknown\n");
  else
    printf("threads-left %d\n", threads_after - threads);
  printf("sigmask-changed %s\n",
         same_mask(&mask_before, &mask_after) ? "no" : "yes");
  return 0;
}
