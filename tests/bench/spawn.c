/* spawn: runs one command and reports what it cost, for the benchmark.
 *
 *   spawn RESULT-FILE COMMAND [ARG...]
 *
 * Writes "wall_us cpu_us maxrss_kib status start_us end_us" to
 * RESULT-FILE: wall time from fork to reaping, user + system CPU and the
 * peak resident size of the command's whole process tree (its
 * waited-for descendants included), from wait4(); status is the exit
 * code, or 128 + the signal; start and end are CLOCK_MONOTONIC, so that
 * runs started side by side can be put on one time line.
 *
 * Why not measure from the Python benchmark directly: a child keeps the
 * peak resident size of the process it was forked from across exec, so
 * every command forked from Python would report at least Python's size.
 * This program is small, so the floor it leaves is far below any client
 * measured.  GNU time has the same property but reports CPU in 10 ms
 * steps, too coarse for a login.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long micros(const struct timespec *ts) {
  return (long long)ts->tv_sec * 1000000 + ts->tv_nsec / 1000;
}

static long long tv_micros(const struct timeval *tv) {
  return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

int main(int argc, char **argv) {
  struct timespec start, end;
  struct rusage usage;
  FILE *result;
  int status;
  pid_t pid;

  if (argc < 3) {
    fprintf(stderr, "usage: spawn RESULT-FILE COMMAND [ARG...]\n");
    return 2;
  }
  result = fopen(argv[1], "we");
  if (result == NULL) {
    perror(argv[1]);
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid = fork();
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  while (wait4(pid, &status, 0, &usage) < 0)
    if (errno != EINTR) {
      perror("wait4");
      return 2;
    }
  clock_gettime(CLOCK_MONOTONIC, &end);
  fprintf(result, "%lld %lld %ld %d %lld %lld\n", micros(&end) - micros(&start),
          tv_micros(&usage.ru_utime) + tv_micros(&usage.ru_stime),
          usage.ru_maxrss,
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
          micros(&start), micros(&end));
  return fclose(result) == 0 ? 0 : 2;
}
