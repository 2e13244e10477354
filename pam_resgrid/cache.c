#include "config.h"

#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"

#define OUTAGE_FILE ".outage"
#define LOCK_WAIT_MS 5000

static enum rg_file_status io_error(struct rg_why *why, const char *what) {
  snprintf(why->text, sizeof(why->text), "%s: %s", what, strerror(errno));
  return RG_FILE_ERROR;
}

enum rg_file_status rg_cache_open(struct rg_cache *c, const char *dir,
                                  bool create, struct rg_why *why) {
  const struct rg_trust_rule rule = {geteuid(), 077, 0};
  enum rg_file_status st;

  c->dirfd = -1;
  c->owner = rule.owner;
  if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
    return io_error(why, "mkdir");
  c->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (c->dirfd < 0) {
    if (errno == ENOENT)
      return RG_FILE_MISSING;
    if (errno == ELOOP || errno == ENOTDIR) {
      snprintf(why->text, sizeof(why->text), "not a folder");
      return RG_FILE_UNTRUSTED;
    }
    return io_error(why, "open");
  }
  st = rg_fd_check(c->dirfd, &rule, 1, why);
  if (st != RG_FILE_OK)
    rg_cache_close(c);
  return st;
}

void rg_cache_close(struct rg_cache *c) {
  if (c->dirfd >= 0)
    close(c->dirfd);
  c->dirfd = -1;
}

bool rg_cache_stem(const char *user, char stem[RG_CACHE_STEM_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;

  if (user[0] == '\0' ||
      EVP_Digest(user, strlen(user), digest, &len, EVP_sha256(), NULL) != 1 ||
      len * 2 != RG_CACHE_STEM_LEN)
    return false;
  for (unsigned int i = 0; i < len; i++) {
    stem[2 * i] = hex[digest[i] >> 4];
    stem[2 * i + 1] = hex[digest[i] & 0x0f];
  }
  stem[RG_CACHE_STEM_LEN] = '\0';
  return true;
}

static bool file_name(const char *user, const char *suffix, char *out,
                      size_t size, struct rg_why *why) {
  char stem[RG_CACHE_STEM_LEN + 1];

  if (!rg_cache_stem(user, stem)) {
    snprintf(why->text, sizeof(why->text), "user name cannot be cached");
    return false;
  }
  snprintf(out, size, "%s%s", stem, suffix);
  return true;
}

static void sleep_ms(long ms) {
  struct timespec ts = {0, ms * 1000000L};

  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

int rg_cache_lock(const struct rg_cache *c, const char *user,
                  struct rg_why *why) {
  const struct rg_trust_rule rule = {c->owner, 077, 0};
  char name[RG_CACHE_STEM_LEN + 16];
  int fd;

  if (!file_name(user, ".lock", name, sizeof(name), why))
    return -1;
  fd = openat(c->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    io_error(why, "open lock");
    return -1;
  }
  if (rg_fd_check(fd, &rule, 0, why) != RG_FILE_OK) {
    close(fd);
    return -1;
  }
  /* Poll instead of blocking: a stuck login must not hold others for
   * ever, and no signal is needed to give up. */
  for (long waited = 0; waited < LOCK_WAIT_MS; waited += 10) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
      return fd;
    if (errno != EWOULDBLOCK && errno != EINTR)
      break;
    sleep_ms(10);
  }
  io_error(why, "lock");
  close(fd);
  return -1;
}

void rg_cache_unlock(int lock) {
  if (lock >= 0)
    close(lock); /* closing the descriptor releases the flock */
}

/* Loads the record in file name, which must belong to user when user is
 * given, and otherwise to the user whose stem the name carries. */
static enum rg_file_status load_named(const struct rg_cache *c,
                                      const char *name, const char *user,
                                      struct rg_record *record,
                                      struct rg_why *why) {
  const struct rg_trust_rule rule = {c->owner, 077, RG_RECORD_MAX_SIZE};
  char expected[RG_CACHE_STEM_LEN + 16];
  enum rg_file_status st;
  char *text = NULL;
  size_t len = 0;

  memset(record, 0, sizeof(*record));
  st = rg_file_read_trusted(c->dirfd, name, &rule, &text, &len, why);
  if (st != RG_FILE_OK)
    return st;
  if (!rg_record_decode(text, len, record, why)) {
    st = RG_FILE_UNTRUSTED;
  } else if ((user != NULL && strcmp(record->user, user) != 0) ||
             !file_name(record->user, ".json", expected, sizeof(expected),
                        why) ||
             strcmp(expected, name) != 0) {
    snprintf(why->text, sizeof(why->text), "belongs to another user");
    rg_record_free(record);
    st = RG_FILE_UNTRUSTED;
  }
  rg_secret_free_n(text, len);
  return st;
}

enum rg_file_status rg_cache_load(const struct rg_cache *c, const char *user,
                                  struct rg_record *record,
                                  struct rg_why *why) {
  char name[RG_CACHE_STEM_LEN + 16];

  memset(record, 0, sizeof(*record));
  if (!file_name(user, ".json", name, sizeof(name), why))
    return RG_FILE_MISSING;
  return load_named(c, name, user, record, why);
}

static bool is_record_name(const char *name) {
  return strlen(name) == RG_CACHE_STEM_LEN + 5 &&
         strspn(name, "0123456789abcdef") == RG_CACHE_STEM_LEN &&
         strcmp(name + RG_CACHE_STEM_LEN, ".json") == 0;
}

bool rg_cache_each(const struct rg_cache *c, rg_cache_visit *visit, void *arg) {
  int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
  struct dirent *e;

  if (dir == NULL) {
    if (fd >= 0)
      close(fd);
    return false;
  }
  while ((e = readdir(dir)) != NULL) {
    struct rg_record record;
    struct rg_why why = {""};
    enum rg_file_status st;

    if (!is_record_name(e->d_name))
      continue;
    st = load_named(c, e->d_name, NULL, &record, &why);
    visit(arg, e->d_name, st, st == RG_FILE_OK ? &record : NULL, &why);
    if (st == RG_FILE_OK)
      rg_record_free(&record);
  }
  closedir(dir);
  return true;
}

static bool write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    len -= (size_t)n;
  }
  return true;
}

/* Writes text to name through name.tmp so that a crash at any point
 * leaves either the old file or the new one; with durable, the new one
 * is on disk before this returns. */
static enum rg_file_status replace_file(const struct rg_cache *c,
                                        const char *name, const char *text,
                                        bool durable, struct rg_why *why) {
  char tmp[RG_CACHE_STEM_LEN + 32];
  int fd;

  snprintf(tmp, sizeof(tmp), "%s.tmp", name);
  fd = openat(c->dirfd, tmp,
              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return io_error(why, "create");
  if (!write_all(fd, text, strlen(text)) || (durable && fsync(fd) != 0)) {
    io_error(why, "write");
    close(fd);
    unlinkat(c->dirfd, tmp, 0);
    return RG_FILE_ERROR;
  }
  close(fd);
  if (renameat(c->dirfd, tmp, c->dirfd, name) != 0) {
    io_error(why, "rename");
    unlinkat(c->dirfd, tmp, 0);
    return RG_FILE_ERROR;
  }
  if (durable && fsync(c->dirfd) != 0)
    return io_error(why, "fsync folder");
  return RG_FILE_OK;
}

enum rg_file_status rg_cache_store(const struct rg_cache *c,
                                   const struct rg_record *record,
                                   struct rg_why *why) {
  char name[RG_CACHE_STEM_LEN + 16];
  enum rg_file_status st;
  char *text;

  if (!file_name(record->user, ".json", name, sizeof(name), why))
    return RG_FILE_ERROR;
  text = rg_record_encode(record);
  if (text == NULL)
    return RG_FILE_NOMEM;
  /* What could not be read back must not replace what can. */
  if (strlen(text) > RG_RECORD_MAX_SIZE) {
    snprintf(why->text, sizeof(why->text), "record too large");
    rg_secret_free(text);
    return RG_FILE_ERROR;
  }
  st = replace_file(c, name, text, true, why);
  rg_secret_free(text);
  return st;
}

enum rg_file_status rg_cache_remove(const struct rg_cache *c, const char *user,
                                    struct rg_why *why) {
  static const char *const suffixes[] = {".json", ".lock", ".json.tmp"};
  char name[RG_CACHE_STEM_LEN + 16];

  for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
    if (!file_name(user, suffixes[i], name, sizeof(name), why))
      return RG_FILE_ERROR;
    if (unlinkat(c->dirfd, name, 0) != 0 && errno != ENOENT)
      return io_error(why, "unlink");
  }
  return RG_FILE_OK;
}

void rg_cache_note_outage(const struct rg_cache *c, time_t now) {
  char text[32];
  struct rg_why why;

  /* A hint, not a record: losing it in a crash costs one timeout. */
  snprintf(text, sizeof(text), "%lld\n", (long long)now);
  (void)replace_file(c, OUTAGE_FILE, text, false, &why);
}

void rg_cache_clear_outage(const struct rg_cache *c) {
  unlinkat(c->dirfd, OUTAGE_FILE, 0);
}

bool rg_cache_outage_recent(const struct rg_cache *c, time_t now, long window) {
  const struct rg_trust_rule rule = {c->owner, 077, 32};
  struct rg_why why;
  char *text = NULL;
  size_t len = 0;
  long long since;
  bool recent;
  char *end;

  if (window <= 0 || rg_file_read_trusted(c->dirfd, OUTAGE_FILE, &rule, &text,
                                          &len, &why) != RG_FILE_OK)
    return false;
  since = strtoll(text, &end, 10);
  recent = *end == '\n' && since <= (long long)now &&
           (long long)now - since < window;
  free(text);
  return recent;
}
