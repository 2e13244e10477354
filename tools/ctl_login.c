/* resgridctl login: a login exactly as the module performs it, for an
 * administrator trying the setup without risking the PAM stack. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"
#include "login.h"
#include "usermap.h"

#define MAX_PASSWORD 512

/* Reads one line from fd with read(2), not stdio, so that no buffer but
 * ours ever holds the password, and ours is wiped.  Returns false at end
 * of input, on an error, or for a line that does not fit. */
static bool read_line(int fd, char *buf, size_t size) {
  size_t n = 0;

  for (;;) {
    char c;
    ssize_t r = read(fd, &c, 1);

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return n > 0 && n < size;
    if (c == '\n')
      break;
    if (n + 1 >= size)
      return false;
    buf[n++] = c;
  }
  buf[n] = '\0';
  return true;
}

static bool read_password(char *buf, size_t size) {
  struct termios saved, quiet;
  bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  bool ok;

  if (tty) {
    fprintf(stderr, "Resgrid password: ");
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  ok = read_line(STDIN_FILENO, buf, size);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    fputc('\n', stderr);
  }
  return ok;
}

static int exit_code(enum rg_result result) {
  switch (result) {
  case RG_RESULT_ONLINE:
  case RG_RESULT_OFFLINE:
    return CTL_OK;
  case RG_RESULT_REFUSED:
  case RG_RESULT_DENIED:
    return CTL_NO;
  case RG_RESULT_UNAVAILABLE:
    return CTL_UNAVAILABLE;
  case RG_RESULT_MISCONFIGURED:
    return CTL_CONFIG;
  case RG_RESULT_NOMEM:
    break;
  }
  return CTL_CACHE;
}

static void show_claims(struct ctl *ctl, const struct rg_claims *c) {
  char exp[64];

  ctl_say(ctl, "claims:  sub %s\n         name %s\n         iss %s\n", c->sub,
          c->name, c->iss != NULL ? c->iss : "(none)");
  ctl_say(ctl, "         id_token expires %s\n",
          ctl_time(c->exp, exp, sizeof(exp)));
  ctl_put(ctl, "claims",
          json_pack("{s:s, s:s, s:s?, s:I}", "sub", c->sub, "name", c->name,
                    "iss", c->iss, "exp", (json_int_t)c->exp));
}

static void show(struct ctl *ctl, const struct rg_login *l) {
  char until[64];

  ctl_say(ctl, "outcome: %s (%s) in %ld ms\n", rg_result_name(l->result),
          l->detail, l->elapsed_ms);
  ctl_put(ctl, "outcome", json_string(rg_result_name(l->result)));
  ctl_put(ctl, "detail", json_string(l->detail));
  ctl_put(ctl, "elapsed_ms", json_integer(l->elapsed_ms));
  if (l->result == RG_RESULT_REFUSED && l->token.message != NULL) {
    ctl_say(ctl, "message: %s\n", l->token.message);
    ctl_put(ctl, "message", json_string(l->token.message));
  }
  if (l->result == RG_RESULT_ONLINE && l->token.have_claims)
    show_claims(ctl, &l->token.claims);
  if (l->result == RG_RESULT_OFFLINE) {
    ctl_say(ctl, "offline: allowed until %s\n",
            ctl_time(l->offline_until, until, sizeof(until)));
    ctl_put(ctl, "offline_until", json_integer(l->offline_until));
  }
  if (l->have_rights)
    ctl_show_rights(ctl, &l->rights);
}

static int login_as(struct ctl *ctl, const char *user, bool save) {
  struct rg_login l = {0};
  char password[MAX_PASSWORD];
  char *remote = NULL;
  int rc;

  switch (rg_usermap_resolve(&ctl->cfg, ctl->cfg.file_owner, user, &remote,
                             &ctl->log)) {
  case RG_NAME_OK:
    break;
  case RG_NAME_NOT_RESGRID:
    fprintf(stderr, "resgridctl: %s is not a Resgrid user name\n", user);
    return CTL_USAGE;
  case RG_NAME_BAD_MAP:
    return CTL_CONFIG;
  case RG_NAME_NOMEM:
    return CTL_CACHE;
  }
  if (!read_password(password, sizeof(password)) || password[0] == '\0') {
    explicit_bzero(password, sizeof(password));
    free(remote);
    fprintf(stderr, "resgridctl: no password given\n");
    return CTL_USAGE;
  }
  l.local_user = user;
  l.remote_user = remote;
  l.password = password;
  l.now = time(NULL);
  l.save = save;
  l.want_rights = true;
  rg_login_run(&ctl->cfg, &ctl->log, &l);
  explicit_bzero(password, sizeof(password));
  show(ctl, &l);
  ctl_say(ctl, "cache:   %s\n",
          save ? "updated as the module would" : "untouched (no --save)");
  ctl_put(ctl, "saved", json_boolean(save));
  rc = exit_code(l.result);
  rg_login_free(&l);
  free(remote);
  return rc;
}

int ctl_login(struct ctl *ctl, int argc, char **argv) {
  bool save = argc == 3 && strcmp(argv[1], "--save") == 0;

  if (argc != 2 + save) {
    fprintf(stderr, "usage: resgridctl login [--save] USER\n");
    return CTL_USAGE;
  }
  return login_as(ctl, argv[argc - 1], save);
}
