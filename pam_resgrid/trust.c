#include "config.h"

#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static enum rg_file_status refuse(struct rg_why *why, const char *reason) {
  snprintf(why->text, sizeof(why->text), "%s", reason);
  return RG_FILE_UNTRUSTED;
}

enum rg_file_status rg_fd_check(int fd, const struct rg_trust_rule *rule,
                                int want_dir, struct rg_why *why) {
  struct stat st;

  if (fstat(fd, &st) != 0) {
    snprintf(why->text, sizeof(why->text), "fstat: %s", strerror(errno));
    return RG_FILE_ERROR;
  }
  if (want_dir && !S_ISDIR(st.st_mode))
    return refuse(why, "not a folder");
  if (!want_dir && !S_ISREG(st.st_mode))
    return refuse(why, "not a regular file");
  if (st.st_uid != rule->owner)
    snprintf(why->text, sizeof(why->text), "owned by uid %lu",
             (unsigned long)st.st_uid);
  else if ((st.st_mode & rule->forbidden) != 0)
    snprintf(why->text, sizeof(why->text), "mode %04o is too open",
             (unsigned)(st.st_mode & 07777));
  else if (!want_dir && st.st_nlink != 1)
    snprintf(why->text, sizeof(why->text), "has %lu hard links",
             (unsigned long)st.st_nlink);
  else if (!want_dir && (size_t)st.st_size > rule->max_size)
    snprintf(why->text, sizeof(why->text), "larger than %zu bytes",
             rule->max_size);
  else
    return RG_FILE_OK;
  return RG_FILE_UNTRUSTED;
}

/* Reads the size fstat gave (the checks have bounded it), allocating
 * just that, and one byte more: a file that grew after fstat is caught,
 * and refused. */
static enum rg_file_status read_all(int fd, size_t size, char **data,
                                    size_t *len, struct rg_why *why) {
  char *buf = malloc(size + 2);
  size_t n = 0;

  if (buf == NULL)
    return RG_FILE_NOMEM;
  while (n <= size) {
    ssize_t r = read(fd, buf + n, size + 1 - n);

    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      snprintf(why->text, sizeof(why->text), "read: %s", strerror(errno));
      free(buf);
      return RG_FILE_ERROR;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  if (n > size) {
    explicit_bzero(buf, n);
    free(buf);
    return refuse(why, "changed while being read");
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return RG_FILE_OK;
}

enum rg_file_status rg_file_read_trusted(int dirfd, const char *path,
                                         const struct rg_trust_rule *rule,
                                         char **data, size_t *len,
                                         struct rg_why *why) {
  enum rg_file_status st;
  struct stat info;
  int fd;

  why->text[0] = '\0';
  fd = openat(dirfd, path,
              O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT)
      return RG_FILE_MISSING;
    if (errno == ELOOP)
      return refuse(why, "is a symbolic link");
    snprintf(why->text, sizeof(why->text), "open: %s", strerror(errno));
    return RG_FILE_ERROR;
  }
  st = rg_fd_check(fd, rule, 0, why);
  if (st == RG_FILE_OK && fstat(fd, &info) != 0) {
    snprintf(why->text, sizeof(why->text), "fstat: %s", strerror(errno));
    st = RG_FILE_ERROR;
  }
  if (st == RG_FILE_OK)
    st = read_all(fd, (size_t)info.st_size, data, len, why);
  close(fd);
  return st;
}
