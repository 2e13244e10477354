/* Opening files whose contents decide who gets in.
 *
 * A configuration file, a user map or a cache record is only as
 * trustworthy as the people who can write it.  These helpers open without
 * following a final symbolic link, check owner, type, mode, link count
 * and size on the open descriptor (never on the path, which could be
 * swapped in between), and read the whole file.
 */
#ifndef RG_TRUST_H
#define RG_TRUST_H

#include <stddef.h>
#include <sys/types.h>

struct rg_trust_rule {
  uid_t owner;      /* the only owner accepted */
  mode_t forbidden; /* permission bits that must be clear */
  size_t max_size;  /* larger files are refused */
};

enum rg_file_status {
  RG_FILE_OK,
  RG_FILE_MISSING,   /* ENOENT: the caller decides if that is fine */
  RG_FILE_UNTRUSTED, /* exists but fails a check; why says which */
  RG_FILE_ERROR,     /* an I/O error; why says which */
  RG_FILE_NOMEM,
};

struct rg_why {
  char text[128];
};

/* Reads path (relative to dirfd, or absolute with AT_FDCWD) into a fresh
 * NUL-terminated buffer after the checks above.  On RG_FILE_OK the caller
 * owns *data (*len bytes, a NUL after them) and should wipe it if it holds
 * secrets. */
enum rg_file_status rg_file_read_trusted(int dirfd, const char *path,
                                         const struct rg_trust_rule *rule,
                                         char **data, size_t *len,
                                         struct rg_why *why);

/* The same checks for an open descriptor of a regular file or, with
 * want_dir, of a folder. */
enum rg_file_status rg_fd_check(int fd, const struct rg_trust_rule *rule,
                                int want_dir, struct rg_why *why);

#endif
