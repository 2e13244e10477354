/* What the harnesses share: failing allocators, a checking log sink and
 * scratch files.  Linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=strdup, so that the library's own calls come
 * here; jansson is a shared library, and gets the same allocator through
 * json_set_alloc_funcs(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* One allocation in this many fails, after the first few of an input. */
#define FAIL_ONE_IN 50
#define ALWAYS_GRANTED 3

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
char *__wrap_strdup(const char *s);

static struct {
  bool armed;
  bool json; /* jansson's allocations may fail too */
  uint64_t state;
  unsigned long calls;
  unsigned long failed;
} inject;

/* splitmix64: small, good enough, and the same everywhere. */
static uint64_t next_random(void) {
  uint64_t z = (inject.state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static bool should_fail(void) {
  if (!inject.armed)
    return false;
  inject.calls++;
  if (inject.calls <= ALWAYS_GRANTED || next_random() % FAIL_ONE_IN != 0)
    return false;
  inject.failed++;
  return true;
}

void *__wrap_malloc(size_t size) {
  return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size) {
  return should_fail() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *ptr, size_t size) {
  return should_fail() ? NULL : __real_realloc(ptr, size);
}

char *__wrap_strdup(const char *s) {
  return should_fail() ? NULL : __real_strdup(s);
}

static void *json_malloc(size_t size) {
  return inject.json && should_fail() ? NULL : __real_malloc(size);
}

static void json_free(void *ptr) {
  free(ptr);
}

void fuzz_alloc_arm(const uint8_t *data, size_t size) {
  static bool hooked;
  uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a */

  if (!hooked) {
    json_set_alloc_funcs(json_malloc, json_free);
    hooked = true;
  }
  for (size_t i = 0; i < size; i++)
    hash = (hash ^ data[i]) * 0x100000001b3ULL;
  inject.state = hash;
  inject.calls = 0;
  inject.failed = 0;
  inject.armed = true;
}

void fuzz_alloc_json(bool may_fail) {
  inject.json = may_fail;
}

unsigned long fuzz_alloc_disarm(void) {
  inject.armed = false;
  inject.json = false;
  return inject.failed;
}

unsigned long fuzz_alloc_failed(void) {
  return inject.failed;
}

void fuzz_broken(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
  abort();
}

bool fuzz_printable(const char *text) {
  for (; *text != '\0'; text++) {
    if ((unsigned char)*text < 0x20 || (unsigned char)*text > 0x7e)
      return false;
  }
  return true;
}

static void checking_sink(void *arg, int priority, const char *line) {
  struct fuzz_log *counts = arg;

  FUZZ_REQUIRE(line != NULL);
  FUZZ_REQUIRE(fuzz_printable(line));
  counts->lines++;
  if (priority <= LOG_ERR)
    counts->errors++;
}

struct rg_log fuzz_log_open(struct fuzz_log *counts) {
  counts->lines = 0;
  counts->errors = 0;
  return (struct rg_log){checking_sink, counts, true};
}

char *fuzz_dup(const uint8_t *data, size_t size) {
  char *copy = __real_malloc(size + 1);

  if (copy == NULL)
    abort();
  if (size > 0)
    memcpy(copy, data, size);
  copy[size] = '\0';
  return copy;
}

#define MAX_SCRATCH_FILES 8

static struct {
  char dir[64];
  char paths[MAX_SCRATCH_FILES][128];
  int count;
} scratch;

static void remove_scratch(void) {
  for (int i = 0; i < scratch.count; i++)
    unlink(scratch.paths[i]);
  rmdir(scratch.dir);
}

const char *fuzz_scratch_dir(void) {
  struct stat st;
  const char *base = "/dev/shm";

  if (scratch.dir[0] != '\0')
    return scratch.dir;
  if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode) || access(base, W_OK) != 0)
    base = "/tmp";
  snprintf(scratch.dir, sizeof(scratch.dir), "%s/rg-fuzz-XXXXXX", base);
  if (mkdtemp(scratch.dir) == NULL) {
    fprintf(stderr, "fuzz: mkdtemp %s: %s\n", scratch.dir, strerror(errno));
    abort();
  }
  atexit(remove_scratch);
  return scratch.dir;
}

static const char *scratch_path(const char *name) {
  char path[128];

  snprintf(path, sizeof(path), "%s/%s", fuzz_scratch_dir(), name);
  for (int i = 0; i < scratch.count; i++) {
    if (strcmp(scratch.paths[i], path) == 0)
      return scratch.paths[i];
  }
  if (scratch.count == MAX_SCRATCH_FILES)
    abort();
  memcpy(scratch.paths[scratch.count], path, sizeof(path));
  return scratch.paths[scratch.count++];
}

const char *fuzz_write_file(const char *name, const uint8_t *data,
                            size_t size) {
  const char *path = scratch_path(name);
  int fd =
      open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  size_t done = 0;

  /* The umask may have taken bits away; the library wants 0644. */
  if (fd < 0 || fchmod(fd, 0644) != 0) {
    fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
    abort();
  }
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      fprintf(stderr, "fuzz: write %s: %s\n", path, strerror(errno));
      abort();
    }
    done += (size_t)n;
  }
  close(fd);
  return path;
}
