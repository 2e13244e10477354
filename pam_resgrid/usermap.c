#include "config.h"

#include "usermap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "trust.h"

#define MAX_MAP_SIZE (1024 * 1024)
#define MAX_NAME_LEN 256

bool rg_resgrid_name_valid(const char *name) {
  size_t len = strlen(name);

  return len > 0 && len <= MAX_NAME_LEN &&
         strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789 -._@") == len;
}

static char *skip_blanks(char *s) {
  return s + strspn(s, " \t");
}

static void trim_end(char *s) {
  size_t len = strlen(s);

  while (len > 0 && strchr(" \t\r", s[len - 1]) != NULL)
    s[--len] = '\0';
}

/* Splits one line; returns false when it is malformed. */
static bool split_line(char *line, char **local, char **remote) {
  char *p = skip_blanks(line);

  trim_end(p);
  *local = p;
  *remote = NULL;
  if (*p == '\0' || *p == '#')
    return true;
  p += strcspn(p, " \t");
  if (*p == '\0')
    return false;
  *p++ = '\0';
  *remote = skip_blanks(p);
  return rg_resgrid_name_valid(*remote);
}

static enum rg_config_status scan(char *text, const char *path,
                                  const char *local, char **remote,
                                  const struct rg_log *log) {
  char *found = NULL;
  int number = 0;

  for (char *line = text, *next; line != NULL; line = next) {
    char *l, *r;

    next = strchr(line, '\n');
    if (next != NULL)
      *next++ = '\0';
    number++;
    if (!split_line(line, &l, &r)) {
      rg_log(log, LOG_ERR, "%s line %d: expected 'local_name resgrid_name'",
             path, number);
      return RG_CONFIG_INVALID;
    }
    if (r == NULL || strcmp(l, local) != 0)
      continue;
    if (found != NULL) {
      rg_log(log, LOG_ERR, "%s line %d: a local name mapped twice", path,
             number);
      return RG_CONFIG_INVALID;
    }
    found = r;
  }
  *remote = found != NULL ? strdup(found) : NULL;
  return found != NULL && *remote == NULL ? RG_CONFIG_NOMEM : RG_CONFIG_OK;
}

enum rg_config_status rg_usermap_lookup(const char *path, uid_t owner,
                                        const char *local, char **remote,
                                        const struct rg_log *log) {
  const struct rg_trust_rule rule = {owner, 022, MAX_MAP_SIZE};
  enum rg_config_status st;
  enum rg_file_status fst;
  struct rg_why why = {""};
  char *text = NULL;
  size_t len = 0;

  *remote = NULL;
  fst = rg_file_read_trusted(AT_FDCWD, path, &rule, &text, &len, &why);
  if (fst == RG_FILE_NOMEM)
    return RG_CONFIG_NOMEM;
  if (fst != RG_FILE_OK) {
    rg_log(log, LOG_ERR, "%s: refused: %s", path,
           fst == RG_FILE_MISSING ? "missing" : why.text);
    return RG_CONFIG_INVALID;
  }
  if (memchr(text, '\0', len) != NULL) {
    rg_log(log, LOG_ERR, "%s: refused: contains a NUL byte", path);
    st = RG_CONFIG_INVALID;
  } else {
    st = scan(text, path, local, remote, log);
  }
  free(text);
  return st;
}

enum rg_name_status rg_usermap_resolve(const struct rg_config *cfg, uid_t owner,
                                       const char *local, char **remote,
                                       const struct rg_log *log) {
  *remote = NULL;
  if (cfg->user_map != NULL) {
    switch (rg_usermap_lookup(cfg->user_map, owner, local, remote, log)) {
    case RG_CONFIG_OK:
      break;
    case RG_CONFIG_NOMEM:
      return RG_NAME_NOMEM;
    case RG_CONFIG_INVALID:
      return RG_NAME_BAD_MAP;
    }
  }
  if (*remote != NULL)
    return RG_NAME_OK;
  if (!rg_resgrid_name_valid(local))
    return RG_NAME_NOT_RESGRID;
  *remote = strdup(local);
  return *remote != NULL ? RG_NAME_OK : RG_NAME_NOMEM;
}
