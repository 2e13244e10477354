/* resgridctl: what its commands share. */
#ifndef RG_CTL_H
#define RG_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "conf.h"
#include "log.h"

/* Exit codes, documented in resgridctl(8). */
enum ctl_exit {
  CTL_OK = 0,
  CTL_NO = 1, /* refused, denied, or check found a problem */
  CTL_USAGE = 2,
  CTL_UNAVAILABLE = 3, /* Resgrid could not be reached */
  CTL_CONFIG = 4,      /* bad configuration, or misconfigured */
  CTL_CACHE = 5,       /* no record, untrusted cache, not its owner, I/O */
};

struct ctl {
  struct rg_config cfg;
  struct rg_log log;
  bool json;
  json_t *out; /* the --json document */
};

int ctl_check(struct ctl *ctl);
int ctl_login(struct ctl *ctl, int argc, char **argv);
int ctl_cache(struct ctl *ctl, int argc, char **argv);

/* Human output goes to standard output; progress to standard error. */
void ctl_say(const struct ctl *ctl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ctl_step(const struct ctl *ctl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "2026-12-04 16:00 UTC" in local time, or "never" for 0. */
const char *ctl_time(long long when, char *out, size_t size);

struct rg_rights;

/* Prints rights (and adds them to the JSON document). */
void ctl_show_rights(struct ctl *ctl, const struct rg_rights *rights);

/* A JSON string of text, which jansson refuses when it is not UTF-8
 * (a path or URL may not be): then escaped as in the log. */
json_t *ctl_string(const char *text);

/* Sets key in the JSON document, taking the reference of value. */
void ctl_put(struct ctl *ctl, const char *key, json_t *value);

#endif
