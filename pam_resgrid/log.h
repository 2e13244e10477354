/* Logging for the module and its tools.
 *
 * The library never calls syslog itself: it hands finished lines to a
 * sink, which is pam_syslog() inside the module, standard error in
 * resgridctl and a buffer in the tests.  Every string that came from the
 * network or from a user must pass through rg_sanitize() first.
 */
#ifndef RG_LOG_H
#define RG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

typedef void rg_log_sink(void *arg, int priority, const char *line);

struct rg_log {
  rg_log_sink *sink;
  void *arg;
  bool debug;
};

void rg_log(const struct rg_log *log, int priority, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs at LOG_DEBUG, and only when the debug option is on. */
void rg_debug(const struct rg_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A sanitised copy of an untrusted string, sized for one log field. */
struct rg_safe {
  char text[160];
};

/* Copies src into out with every byte outside printable ASCII, and the
 * backslash, written as \xNN, so that nothing from the network or the user
 * can forge a log line or a terminal escape.  Cuts long input with "...".
 * A NULL src gives "(none)".  Returns out->text. */
const char *rg_sanitize(struct rg_safe *out, const char *src);

#endif
