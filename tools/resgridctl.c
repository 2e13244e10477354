/* resgridctl: see whether this machine can reach Resgrid, try a login
 * without risking the PAM stack, and look after the offline cache.
 * Everything it decides comes from the module's own library. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "secret.h"

static void usage(FILE *to) {
  fprintf(to, "usage: resgridctl [--config PATH] [--cache-dir PATH] "
              "[--set KEY=VALUE]...\n"
              "                  [--json] [--verbose] COMMAND [ARGUMENTS]\n"
              "\n"
              "  check                    can a login work from here?\n"
              "  login [--save] USER      try a login as the module would\n"
              "  cache list               every cached user and their state\n"
              "  cache show USER          one user's record, without secrets\n"
              "  cache revoke USER        no offline login until the next "
              "online one\n"
              "  cache purge USER|--all   delete records\n"
              "\n"
              "Exit status: 0 ok, 1 refused or a problem found, 2 usage, "
              "3 Resgrid unavailable,\n"
              "4 configuration, 5 cache.  See resgridctl(8).\n");
}

static void stderr_sink(void *arg, int priority, const char *line) {
  static const char *const names[] = {"emergency", "alert",   "critical",
                                      "error",     "warning", "notice",
                                      "info",      "debug"};
  const bool *verbose = arg;

  if (priority <= LOG_WARNING || *verbose)
    fprintf(stderr, "resgridctl: %s: %s\n", names[priority & 7], line);
}

void ctl_say(const struct ctl *ctl, const char *fmt, ...) {
  va_list ap;

  if (ctl->json)
    return;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

void ctl_step(const struct ctl *ctl, const char *fmt, ...) {
  va_list ap;

  (void)ctl;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fflush(stderr);
}

const char *ctl_time(long long when, char *out, size_t size) {
  time_t t = (time_t)when;
  struct tm tm;

  if (when == 0 || localtime_r(&t, &tm) == NULL ||
      strftime(out, size, "%Y-%m-%d %H:%M %Z", &tm) == 0)
    snprintf(out, size, "never");
  return out;
}

json_t *ctl_string(const char *text) {
  struct rg_safe safe;
  json_t *string = json_string(text);

  return string != NULL ? string : json_string(rg_sanitize(&safe, text));
}

void ctl_put(struct ctl *ctl, const char *key, json_t *value) {
  if (ctl->out != NULL)
    json_object_set_new(ctl->out, key, value);
  else
    json_decref(value);
}

/* Settings as module arguments, so they are read exactly as a PAM
 * service's arguments are. */
struct settings {
  const char *argv[64];
  char *owned[64];
  int argc;
};

static bool add_setting(struct settings *s, const char *prefix,
                        const char *value) {
  size_t size = strlen(prefix) + strlen(value) + 1;
  char *arg;

  if (s->argc >= 64 || (arg = malloc(size)) == NULL)
    return false;
  snprintf(arg, size, "%s%s", prefix, value);
  s->owned[s->argc] = arg;
  s->argv[s->argc++] = arg;
  return true;
}

static int run(struct ctl *ctl, int argc, char **argv) {
  if (argc < 1) {
    usage(stderr);
    return CTL_USAGE;
  }
  if (strcmp(argv[0], "check") == 0 && argc == 1)
    return ctl_check(ctl);
  if (strcmp(argv[0], "login") == 0)
    return ctl_login(ctl, argc, argv);
  if (strcmp(argv[0], "cache") == 0)
    return ctl_cache(ctl, argc, argv);
  usage(stderr);
  return CTL_USAGE;
}

/* Files count as trusted when owned by the user resgridctl runs as, just
 * as in the module: root, for an administrator looking at the real
 * setup. */
static int load_config(struct ctl *ctl, struct settings *s) {
  const struct rg_config_source source = {RG_DEFAULT_CONFIG, geteuid()};

  switch (rg_config_load(&ctl->cfg, s->argc, s->argv, &source, &ctl->log)) {
  case RG_CONFIG_OK:
    return CTL_OK;
  case RG_CONFIG_NOMEM:
    fprintf(stderr, "resgridctl: out of memory\n");
    break;
  case RG_CONFIG_INVALID:
    break;
  }
  return CTL_CONFIG;
}

static int parse_options(int argc, char **argv, struct ctl *ctl,
                         struct settings *s, bool *verbose) {
  static const struct option options[] = {
      {"config", required_argument, NULL, 'c'},
      {"cache-dir", required_argument, NULL, 'd'},
      {"set", required_argument, NULL, 's'},
      {"json", no_argument, NULL, 'j'},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  int opt;

  while ((opt = getopt_long(argc, argv, "+c:d:s:jvhV", options, NULL)) != -1) {
    bool ok = true;

    switch (opt) {
    case 'c':
      ok = add_setting(s, "config=", optarg);
      break;
    case 'd':
      ok = add_setting(s, "cache_dir=", optarg);
      break;
    case 's':
      ok = add_setting(s, "", optarg);
      break;
    case 'j':
      ctl->json = true;
      break;
    case 'v':
      *verbose = true;
      break;
    case 'h':
      usage(stdout);
      return -1;
    case 'V':
      printf("resgridctl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return -1;
    default:
      usage(stderr);
      return CTL_USAGE;
    }
    if (!ok)
      return CTL_USAGE;
  }
  return CTL_OK;
}

int main(int argc, char **argv) {
  struct ctl ctl = {0};
  struct settings s = {0};
  bool verbose = false;
  int rc;

  rg_secret_init();
  ctl.log = (struct rg_log){stderr_sink, &verbose, false};
  rc = parse_options(argc, argv, &ctl, &s, &verbose);
  if (rc == CTL_OK)
    rc = load_config(&ctl, &s);
  if (rc == CTL_OK) {
    ctl.log.debug = ctl.cfg.debug || verbose;
    ctl.out = ctl.json ? json_object() : NULL;
    rc = run(&ctl, argc - optind, argv + optind);
  }
  if (ctl.out != NULL) {
    json_dumpf(ctl.out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(ctl.out);
  }
  rg_config_free(&ctl.cfg);
  for (int i = 0; i < s.argc; i++)
    free(s.owned[i]);
  return rc < 0 ? CTL_OK : rc;
}
