/* The module's configuration: /etc/security/pam_resgrid.conf, overridden
 * key by key by the module arguments of each PAM service. */
#ifndef RG_CONF_H
#define RG_CONF_H

#include <stdbool.h>
#include <sys/types.h>

#include "log.h"

#define RG_DEFAULT_CONFIG "/etc/security/pam_resgrid.conf"
#define RG_DEFAULT_MINIMUM_UID 1000

struct rg_config {
  char *api_url; /* https://host[:port][/prefix], no trailing '/' */
  char *ca_file; /* NULL: the system trust store */
  char *scope;
  long connect_timeout; /* seconds */
  long timeout;         /* seconds, the whole exchange */
  uid_t minimum_uid;
  bool debug;

  char *cache_dir;
  bool offline;       /* false when offline_grace = off */
  long offline_grace; /* seconds after the token's expiry */
  long offline_max_failures;
  long offline_lockout; /* seconds */
  long verifier_cost;   /* yescrypt cost */
  long outage_memory;   /* seconds an outage is remembered */

  /* Access rules; NULL or false when not set. */
  char *require_department; /* a department id or code */
  char *require_group;      /* comma-separated group ids, no spaces */
  bool require_admin;
  bool require_group_admin;
  char *user_map; /* local name -> Resgrid name file */

  uid_t file_owner; /* who must own the files named here: the
                       configuration file's own rule */
};

enum rg_config_status {
  RG_CONFIG_OK,
  RG_CONFIG_INVALID, /* logged, naming the key */
  RG_CONFIG_NOMEM,
};

/* Where the file comes from and who must own it.  The module uses
 * RG_DEFAULT_CONFIG and root; tests point elsewhere. */
struct rg_config_source {
  const char *default_path;
  uid_t owner;
};

/* Fills cfg from defaults, then the file, then argv.  The file named by
 * "config=PATH" must exist; the default one may be missing.  Either must
 * be a regular file owned by source->owner and not writable by group or
 * others.  Every problem is logged at ERR.  On any status cfg must still
 * be released with rg_config_free(). */
enum rg_config_status rg_config_load(struct rg_config *cfg, int argc,
                                     const char **argv,
                                     const struct rg_config_source *source,
                                     const struct rg_log *log);

void rg_config_free(struct rg_config *cfg);

/* Parses "90", "90s", "15m", "12h" or "3d" into seconds.  Returns false
 * for anything else, or for a value over ten years. */
bool rg_parse_duration(const char *text, long *seconds);

#endif
