#include "config.h"

#include "offline.h"

time_t rg_offline_until(const struct rg_record *r,
                        const struct rg_config *cfg) {
  return (time_t)(r->token_expires + cfg->offline_grace);
}

enum rg_offline_state rg_offline_state(const struct rg_record *r,
                                       const struct rg_config *cfg,
                                       time_t now) {
  if (r->verifier == NULL)
    return RG_OFFLINE_REVOKED;
  if (r->online_at > (long long)now + RG_CLOCK_SLACK)
    return RG_OFFLINE_FUTURE;
  if (r->locked_until > (long long)now)
    return RG_OFFLINE_LOCKED;
  if ((long long)now >= (long long)rg_offline_until(r, cfg))
    return RG_OFFLINE_EXPIRED;
  return RG_OFFLINE_USABLE;
}

void rg_offline_failed(struct rg_record *r, const struct rg_config *cfg,
                       time_t now) {
  r->failures++;
  if (r->failures >= cfg->offline_max_failures) {
    r->locked_until = (long long)now + cfg->offline_lockout;
    r->failures = 0;
  }
}

bool rg_offline_reset(struct rg_record *r) {
  bool changed = r->failures != 0 || r->locked_until != 0;

  r->failures = 0;
  r->locked_until = 0;
  return changed;
}

const char *rg_offline_state_name(enum rg_offline_state state) {
  switch (state) {
  case RG_OFFLINE_USABLE:
    return "usable";
  case RG_OFFLINE_REVOKED:
    return "revoked";
  case RG_OFFLINE_EXPIRED:
    return "expired";
  case RG_OFFLINE_LOCKED:
    return "locked";
  case RG_OFFLINE_FUTURE:
    return "dated in the future";
  }
  return "unknown";
}
