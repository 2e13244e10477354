/* When a cached record may stand in for Resgrid.
 *
 * Pure arithmetic on a record, the configuration and a clock passed in,
 * so that the grace, lockout and clock rules are tested without waiting.
 */
#ifndef RG_OFFLINE_H
#define RG_OFFLINE_H

#include <time.h>

#include "conf.h"
#include "record.h"

/* A record written up to this far in the future is tolerated: clocks
 * wander a little.  Any further, and the clock has been set back. */
#define RG_CLOCK_SLACK 300

enum rg_offline_state {
  RG_OFFLINE_USABLE,
  RG_OFFLINE_REVOKED, /* no verifier: the server refused this password */
  RG_OFFLINE_EXPIRED, /* past the token's expiry plus the grace */
  RG_OFFLINE_LOCKED,  /* too many wrong offline passwords */
  RG_OFFLINE_FUTURE,  /* times ahead of the clock: set back? */
};

enum rg_offline_state rg_offline_state(const struct rg_record *record,
                                       const struct rg_config *cfg, time_t now);

/* The last moment an offline login is allowed. */
time_t rg_offline_until(const struct rg_record *record,
                        const struct rg_config *cfg);

/* Counts a wrong offline password, locking the record once the count
 * reaches offline_max_failures. */
void rg_offline_failed(struct rg_record *record, const struct rg_config *cfg,
                       time_t now);

/* Clears the failure count and any lockout; true if anything changed. */
bool rg_offline_reset(struct rg_record *record);

const char *rg_offline_state_name(enum rg_offline_state state);

#endif
