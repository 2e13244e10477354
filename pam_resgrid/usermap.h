/* Local account names mapped to Resgrid user names (user_map = PATH).
 *
 * Each line is "local_name resgrid_name"; the Resgrid name is the rest
 * of the line and may hold spaces.  '#' starts a comment line.  The file
 * gets the configuration file's trust checks.
 */
#ifndef RG_USERMAP_H
#define RG_USERMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"
#include "log.h"

/* Resgrid user names: ASCII letters, digits, space and "-._@", 1 to 256
 * characters. */
bool rg_resgrid_name_valid(const char *name);

/* Finds local in the map at path.  On RG_CONFIG_OK, *remote is a fresh
 * copy of the Resgrid name, or NULL when local is not mapped.  A missing
 * or untrusted file, a malformed line anywhere, or local itself mapped
 * twice is RG_CONFIG_INVALID, logged with the line; another name mapped
 * twice does not stop the lookup of this one. */
enum rg_config_status rg_usermap_lookup(const char *path, uid_t owner,
                                        const char *local, char **remote,
                                        const struct rg_log *log);

enum rg_name_status {
  RG_NAME_OK,
  RG_NAME_NOT_RESGRID, /* unmapped, and not a valid Resgrid name */
  RG_NAME_BAD_MAP,     /* logged */
  RG_NAME_NOMEM,
};

/* The Resgrid name under which local logs in: its entry in cfg->user_map
 * when there is a map, else local itself.  On RG_NAME_OK, *remote is a
 * fresh string to free. */
enum rg_name_status rg_usermap_resolve(const struct rg_config *cfg, uid_t owner,
                                       const char *local, char **remote,
                                       const struct rg_log *log);

#endif
