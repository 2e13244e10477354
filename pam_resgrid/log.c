#include "config.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void rg_vlog(const struct rg_log *log, int priority, const char *fmt,
                    va_list ap) {
  char line[1024];

  if (log == NULL || log->sink == NULL)
    return;
  vsnprintf(line, sizeof(line), fmt, ap);
  log->sink(log->arg, priority, line);
}

void rg_log(const struct rg_log *log, int priority, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  rg_vlog(log, priority, fmt, ap);
  va_end(ap);
}

void rg_debug(const struct rg_log *log, const char *fmt, ...) {
  va_list ap;

  if (log == NULL || !log->debug)
    return;
  va_start(ap, fmt);
  rg_vlog(log, LOG_DEBUG, fmt, ap);
  va_end(ap);
}

static bool is_plain(unsigned char c) {
  return c >= 0x20 && c < 0x7f && c != '\\';
}

const char *rg_sanitize(struct rg_safe *out, const char *src) {
  static const char more[] = "...";
  const size_t room = sizeof(out->text) - sizeof(more);
  size_t n = 0;

  if (src == NULL) {
    snprintf(out->text, sizeof(out->text), "(none)");
    return out->text;
  }
  for (; *src != '\0'; src++) {
    unsigned char c = (unsigned char)*src;
    size_t need = is_plain(c) ? 1 : 4;

    if (n + need > room) {
      memcpy(out->text + n, more, sizeof(more));
      return out->text;
    }
    if (need == 1)
      out->text[n] = (char)c;
    else
      snprintf(out->text + n, 5, "\\x%02x", c);
    n += need;
  }
  out->text[n] = '\0';
  return out->text;
}
