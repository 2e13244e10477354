/* HTTPS to Resgrid from inside sshd, sudo, login and display managers.
 *
 * One session is one libcurl easy handle, opened for a login and closed
 * before the module returns, so no descriptor, thread or connection
 * outlives the call.  It never sees a PAM handle.
 */
#ifndef RG_HTTP_H
#define RG_HTTP_H

#include <stddef.h>

#include "conf.h"
#include "token.h"
#include "trust.h"

/* Answers from Resgrid are small; anything larger is not Resgrid. */
#define RG_BODY_CAP (64 * 1024)

struct rg_http {
  void *curl; /* CURL *, kept opaque to callers */
  const struct rg_config *cfg;
  char *body; /* RG_BODY_CAP + 1 bytes, wiped on close */
  size_t body_len;
  int oversized;
  char detail[256]; /* curl's own words on a failure */
};

enum rg_http_status {
  RG_HTTP_OK,
  RG_HTTP_NOMEM,  /* or libcurl cannot start */
  RG_HTTP_BAD_CA, /* ca_file is missing, untrusted or unreadable */
};

/* Opens a session.  ca_file, when set, is read here with the same trust
 * checks as the configuration file (owner, mode, no symbolic link, at
 * most 1 MiB) and handed to libcurl as it was read, so that nobody can
 * swap it between the check and the use; on RG_HTTP_BAD_CA, why says
 * what is wrong with it. */
enum rg_http_status rg_http_open(struct rg_http *h, const struct rg_config *cfg,
                                 struct rg_why *why);

/* Posts the password grant for user to the token endpoint and describes
 * the answer in *answer, whose body stays valid until the next request or
 * rg_http_close().  The password is form-encoded into a buffer that is
 * wiped before this returns.  *elapsed_ms is the time the exchange took.
 * Returns -1 only when out of memory. */
int rg_http_token(struct rg_http *h, const char *user, const char *password,
                  struct rg_http_answer *answer, long *elapsed_ms);

/* Asks for the department rights with the access token, on the handle
 * (and so the connection) of the token request, within budget_ms: what
 * is left of the login's timeout.  Returns -1 only when out of memory. */
int rg_http_rights(struct rg_http *h, const char *access_token, long budget_ms,
                   struct rg_http_answer *answer);

/* What `resgridctl check` learns from one request to the server. */
struct rg_probe {
  int curl_code;         /* 0, or the CURLcode that ended it */
  long status;           /* HTTP status, 0 if none */
  double connect_s;      /* seconds from start to TCP connected */
  double tls_s;          /* ... to the TLS handshake done */
  double total_s;        /* ... to the whole answer */
  long long server_date; /* the Date header, 0 if none */
  int certs;             /* certificates in the chain the server sent */
  char subject[256];     /* of the server's own certificate */
  char issuer[256];
  char expires[64];
};

/* GETs path (for example "/.well-known/openid-configuration") with the
 * module's TLS settings and reports on the connection.  Returns -1 only
 * when out of memory. */
int rg_http_probe(struct rg_http *h, const char *path, struct rg_probe *probe);

/* Wipes the body buffer and releases the handle. */
void rg_http_close(struct rg_http *h);

#endif
