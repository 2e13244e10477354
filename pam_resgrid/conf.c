#include "config.h"

#include "conf.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trust.h"

#define MAX_CONFIG_SIZE (64 * 1024)
#define MAX_VALUE_LEN 1024
#define TEN_YEARS (10L * 366 * 24 * 3600)

enum kind {
  K_URL,
  K_PATH,
  K_SCOPE,
  K_TIMEOUT,
  K_UID,
  K_BOOL,
  K_DURATION,
  K_GRACE,
  K_COUNT,
  K_COST,
  K_ID,
  K_IDS
};

struct key {
  const char *name;
  enum kind kind;
  size_t offset;
};

#define KEY(n, k)                                                              \
  { #n, k, offsetof(struct rg_config, n) }

static const struct key keys[] = {
    KEY(api_url, K_URL),
    KEY(ca_file, K_PATH),
    KEY(scope, K_SCOPE),
    KEY(connect_timeout, K_TIMEOUT),
    KEY(timeout, K_TIMEOUT),
    KEY(minimum_uid, K_UID),
    KEY(debug, K_BOOL),
    KEY(cache_dir, K_PATH),
    KEY(offline_grace, K_GRACE),
    KEY(offline_max_failures, K_COUNT),
    KEY(offline_lockout, K_DURATION),
    KEY(verifier_cost, K_COST),
    KEY(outage_memory, K_DURATION),
    KEY(require_department, K_ID),
    KEY(require_group, K_IDS),
    KEY(require_admin, K_BOOL),
    KEY(require_group_admin, K_BOOL),
    KEY(user_map, K_PATH),
};

/* Arguments that libpam's pam_get_authtok() reads for itself. */
static const char *const authtok_flags[] = {"use_first_pass", "try_first_pass",
                                            "use_authtok"};

/* Where a setting came from, for log lines that point at it. */
struct origin {
  const struct rg_log *log;
  const char *file; /* NULL for a module argument */
  int line;
};

static enum rg_config_status invalid(const struct origin *at, const char *key,
                                     const char *problem) {
  struct rg_safe k;

  if (at->file != NULL)
    rg_log(at->log, LOG_ERR, "%s line %d: %s '%s'", at->file, at->line, problem,
           rg_sanitize(&k, key));
  else
    rg_log(at->log, LOG_ERR, "module argument: %s '%s'", problem,
           rg_sanitize(&k, key));
  return RG_CONFIG_INVALID;
}

bool rg_parse_duration(const char *text, long *seconds) {
  char *end;
  long unit = 1;
  long value;

  if (!isdigit((unsigned char)text[0]))
    return false;
  errno = 0;
  value = strtol(text, &end, 10);
  if (errno != 0)
    return false;
  switch (*end) {
  case '\0':
  case 's':
    break;
  case 'm':
    unit = 60;
    break;
  case 'h':
    unit = 3600;
    break;
  case 'd':
    unit = 86400;
    break;
  default:
    return false;
  }
  if (*end != '\0' && end[1] != '\0')
    return false;
  if (value > TEN_YEARS / unit)
    return false;
  *seconds = value * unit;
  return true;
}

static bool parse_bool(const char *text, bool *out) {
  static const char *const yes[] = {"yes", "true", "on", "1"};
  static const char *const no[] = {"no", "false", "off", "0"};

  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
    if (strcasecmp(text, yes[i]) == 0) {
      *out = true;
      return true;
    }
    if (strcasecmp(text, no[i]) == 0) {
      *out = false;
      return true;
    }
  }
  return false;
}

static bool parse_number(const char *text, long min, long max, long *out) {
  char *end;
  long value;

  if (!isdigit((unsigned char)text[0]))
    return false;
  errno = 0;
  value = strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max)
    return false;
  *out = value;
  return true;
}

/* An https URL with a host, and nothing after the path: the token
 * endpoint's path is appended to it. */
static bool valid_api_url(const char *text) {
  CURLU *url = curl_url();
  char *scheme = NULL;
  char *host = NULL;
  char *query = NULL;
  char *fragment = NULL;
  bool ok = false;

  /* curl drops an empty query or fragment, so look at the text too. */
  if (url == NULL || strpbrk(text, "?#") != NULL) {
    curl_url_cleanup(url);
    return false;
  }
  if (curl_url_set(url, CURLUPART_URL, text, 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    ok = strcasecmp(scheme, "https") == 0 && host[0] != '\0' &&
         curl_url_get(url, CURLUPART_QUERY, &query, 0) == CURLUE_NO_QUERY &&
         curl_url_get(url, CURLUPART_FRAGMENT, &fragment, 0) ==
             CURLUE_NO_FRAGMENT &&
         strncasecmp(text, "https://", 8) == 0;
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(query);
  curl_free(fragment);
  curl_url_cleanup(url);
  return ok;
}

static bool valid_scope(const char *text) {
  for (const char *p = text; *p != '\0'; p++) {
    if (!islower((unsigned char)*p) && *p != '_' && *p != ' ')
      return false;
  }
  return text[0] != '\0';
}

/* Department and group ids and codes: printable, no spaces or commas. */
static bool valid_id(const char *text, size_t len) {
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++) {
    if (text[i] <= ' ' || text[i] > '~' || text[i] == ',')
      return false;
  }
  return true;
}

static bool valid_ids(const char *text) {
  for (const char *p = text;; p++) {
    size_t n = strcspn(p, ",");

    if (!valid_id(p, n))
      return false;
    p += n;
    if (*p == '\0')
      return true;
  }
}

static enum rg_config_status set_string(char **slot, const char *value) {
  char *copy = strdup(value);

  if (copy == NULL)
    return RG_CONFIG_NOMEM;
  free(*slot);
  *slot = copy;
  return RG_CONFIG_OK;
}

static enum rg_config_status set_url(char **slot, const char *value) {
  enum rg_config_status st;
  size_t len;

  if (!valid_api_url(value))
    return RG_CONFIG_INVALID;
  st = set_string(slot, value);
  if (st != RG_CONFIG_OK)
    return st;
  len = strlen(*slot);
  while (len > 8 && (*slot)[len - 1] == '/')
    (*slot)[--len] = '\0';
  return RG_CONFIG_OK;
}

static void *field(struct rg_config *cfg, const struct key *key) {
  return (char *)cfg + key->offset;
}

static enum rg_config_status apply(struct rg_config *cfg, const struct key *key,
                                   const char *value) {
  long *number = field(cfg, key);
  long n;

  switch (key->kind) {
  case K_URL:
    return set_url(field(cfg, key), value);
  case K_PATH:
    if (value[0] != '/')
      return RG_CONFIG_INVALID;
    return set_string(field(cfg, key), value);
  case K_SCOPE:
    if (!valid_scope(value))
      return RG_CONFIG_INVALID;
    return set_string(field(cfg, key), value);
  case K_TIMEOUT:
    if (!rg_parse_duration(value, &n) || n < 1 || n > 300)
      return RG_CONFIG_INVALID;
    *number = n;
    return RG_CONFIG_OK;
  case K_UID:
    if (!parse_number(value, 0, INT_MAX, &n))
      return RG_CONFIG_INVALID;
    cfg->minimum_uid = (uid_t)n;
    return RG_CONFIG_OK;
  case K_BOOL:
    return parse_bool(value, field(cfg, key)) ? RG_CONFIG_OK
                                              : RG_CONFIG_INVALID;
  case K_DURATION:
    return rg_parse_duration(value, number) ? RG_CONFIG_OK : RG_CONFIG_INVALID;
  case K_GRACE:
    cfg->offline = strcmp(value, "off") != 0;
    if (!cfg->offline)
      return RG_CONFIG_OK;
    return rg_parse_duration(value, number) ? RG_CONFIG_OK : RG_CONFIG_INVALID;
  case K_COUNT:
    return parse_number(value, 1, 1000, number) ? RG_CONFIG_OK
                                                : RG_CONFIG_INVALID;
  case K_COST:
    return parse_number(value, 1, 11, number) ? RG_CONFIG_OK
                                              : RG_CONFIG_INVALID;
  case K_ID:
  case K_IDS:
    if (key->kind == K_ID ? !valid_id(value, strlen(value)) : !valid_ids(value))
      return RG_CONFIG_INVALID;
    return set_string(field(cfg, key), value);
  }
  return RG_CONFIG_INVALID;
}

static bool has_control(const char *text) {
  for (; *text != '\0'; text++) {
    if ((unsigned char)*text < 0x20 || *text == 0x7f)
      return true;
  }
  return false;
}

static enum rg_config_status set_key(struct rg_config *cfg,
                                     const struct origin *at, const char *name,
                                     const char *value) {
  enum rg_config_status st;

  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    if (strcmp(keys[i].name, name) != 0)
      continue;
    if (strlen(value) > MAX_VALUE_LEN || has_control(value))
      return invalid(at, name, "bad value for");
    st = apply(cfg, &keys[i], value);
    if (st == RG_CONFIG_INVALID)
      return invalid(at, name, "bad value for");
    return st;
  }
  return invalid(at, name, "unknown key");
}

static char *trim(char *s) {
  char *end;

  while (*s == ' ' || *s == '\t')
    s++;
  end = s + strlen(s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
    *--end = '\0';
  return s;
}

static enum rg_config_status parse_line(struct rg_config *cfg,
                                        const struct origin *at, char *line) {
  char *eq;
  char *key;

  line = trim(line);
  if (line[0] == '\0' || line[0] == '#')
    return RG_CONFIG_OK;
  eq = strchr(line, '=');
  if (eq == NULL)
    return invalid(at, line, "expected 'key = value', not");
  *eq = '\0';
  key = trim(line);
  return set_key(cfg, at, key, trim(eq + 1));
}

/* Goes on past a bad line, so that the log names every problem at once;
 * only running out of memory stops it. */
static enum rg_config_status parse_file(struct rg_config *cfg,
                                        const struct origin *at0, char *text) {
  enum rg_config_status worst = RG_CONFIG_OK;
  struct origin at = *at0;
  char *next = text;

  while (next != NULL && worst != RG_CONFIG_NOMEM) {
    char *line = next;
    enum rg_config_status st;

    next = strchr(line, '\n');
    if (next != NULL)
      *next++ = '\0';
    at.line++;
    st = parse_line(cfg, &at, line);
    if (st != RG_CONFIG_OK)
      worst = st;
  }
  return worst;
}

static enum rg_config_status load_file(struct rg_config *cfg, const char *path,
                                       bool explicit, uid_t owner,
                                       const struct rg_log *log) {
  const struct rg_trust_rule rule = {owner, 022, MAX_CONFIG_SIZE};
  struct origin at = {log, path, 0};
  enum rg_file_status fst;
  enum rg_config_status st;
  struct rg_why why;
  char *text = NULL;
  size_t len = 0;

  fst = rg_file_read_trusted(AT_FDCWD, path, &rule, &text, &len, &why);
  if (fst == RG_FILE_MISSING && !explicit)
    return RG_CONFIG_OK;
  if (fst == RG_FILE_NOMEM)
    return RG_CONFIG_NOMEM;
  if (fst == RG_FILE_MISSING) {
    rg_log(log, LOG_ERR, "%s: configuration file is missing", path);
    return RG_CONFIG_INVALID;
  }
  if (fst != RG_FILE_OK) {
    rg_log(log, LOG_ERR, "%s: refused: %s", path, why.text);
    return RG_CONFIG_INVALID;
  }
  if (memchr(text, '\0', len) != NULL) {
    rg_log(log, LOG_ERR, "%s: refused: contains a NUL byte", path);
    st = RG_CONFIG_INVALID;
  } else {
    st = parse_file(cfg, &at, text);
  }
  free(text);
  return st;
}

static bool is_flag(const char *arg) {
  for (size_t i = 0; i < sizeof(authtok_flags) / sizeof(authtok_flags[0]);
       i++) {
    if (strcmp(arg, authtok_flags[i]) == 0)
      return true;
  }
  return strncmp(arg, "authtok_type=", 13) == 0;
}

static enum rg_config_status parse_argument(struct rg_config *cfg,
                                            const struct rg_log *log,
                                            const char *arg) {
  const struct origin at = {log, NULL, 0};
  char name[64];
  const char *eq = strchr(arg, '=');
  size_t len;

  if (is_flag(arg) || strncmp(arg, "config=", 7) == 0)
    return RG_CONFIG_OK;
  if (strcmp(arg, "debug") == 0) {
    cfg->debug = true;
    return RG_CONFIG_OK;
  }
  if (eq == NULL)
    return invalid(&at, arg, "unknown argument");
  len = (size_t)(eq - arg);
  if (len >= sizeof(name))
    return invalid(&at, arg, "unknown argument");
  memcpy(name, arg, len);
  name[len] = '\0';
  return set_key(cfg, &at, name, eq + 1);
}

static enum rg_config_status set_defaults(struct rg_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->connect_timeout = 3;
  cfg->timeout = 10;
  cfg->minimum_uid = RG_DEFAULT_MINIMUM_UID;
  cfg->offline = true;
  cfg->offline_grace = 3 * 86400;
  cfg->offline_max_failures = 5;
  cfg->offline_lockout = 15 * 60;
  cfg->verifier_cost = 5;
  cfg->outage_memory = 60;
  cfg->api_url = strdup("https://api.resgrid.com");
  cfg->scope = strdup("openid profile");
  cfg->cache_dir = strdup(RG_DEFAULT_CACHE_DIR);
  if (cfg->api_url == NULL || cfg->scope == NULL || cfg->cache_dir == NULL)
    return RG_CONFIG_NOMEM;
  return RG_CONFIG_OK;
}

static const char *explicit_path(int argc, const char **argv) {
  const char *path = NULL;

  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "config=", 7) == 0)
      path = argv[i] + 7;
  }
  return path;
}

enum rg_config_status rg_config_load(struct rg_config *cfg, int argc,
                                     const char **argv,
                                     const struct rg_config_source *source,
                                     const struct rg_log *log) {
  const char *path = explicit_path(argc, argv);
  enum rg_config_status st = set_defaults(cfg);

  if (st != RG_CONFIG_OK)
    return st;
  if (path != NULL && path[0] != '/') {
    rg_log(log, LOG_ERR, "module argument: bad value for 'config'");
    return RG_CONFIG_INVALID;
  }
  st = load_file(cfg, path != NULL ? path : source->default_path, path != NULL,
                 source->owner, log);
  for (int i = 0; st != RG_CONFIG_NOMEM && i < argc; i++) {
    enum rg_config_status arg_st = parse_argument(cfg, log, argv[i]);

    if (arg_st != RG_CONFIG_OK)
      st = arg_st;
  }
  if (st != RG_CONFIG_NOMEM && cfg->offline_lockout < 1) {
    rg_log(log, LOG_ERR,
           "bad value for 'offline_lockout': a lockout of "
           "0 would allow unlimited offline guesses");
    st = RG_CONFIG_INVALID;
  }
  if (st == RG_CONFIG_OK && cfg->connect_timeout > cfg->timeout)
    cfg->connect_timeout = cfg->timeout;
  cfg->file_owner = source->owner;
  return st;
}

void rg_config_free(struct rg_config *cfg) {
  free(cfg->api_url);
  free(cfg->ca_file);
  free(cfg->scope);
  free(cfg->cache_dir);
  free(cfg->require_department);
  free(cfg->require_group);
  free(cfg->user_map);
  memset(cfg, 0, sizeof(*cfg));
}
