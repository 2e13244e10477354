#include "config.h"

#include "http.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "form.h"
#include "secret.h"

#define TOKEN_PATH "/api/v4/connect/token"
#define RIGHTS_PATH "/api/v4/Security/GetCurrentUsersRights"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_status = CURLE_FAILED_INIT;

/* curl_global_init() is thread-safe in the libcurl we require, but it is
 * still done once: the module is loaded for good (-z nodelete), and
 * curl_global_cleanup() is never called because the host or another
 * module may share libcurl and OpenSSL with us.
 *
 * libcurl's OpenSSL backend opens the file named by SSLKEYLOGFILE at
 * this moment and appends TLS secrets to it.  Inside sudo that variable
 * belongs to the invoking user: root would write to any path they chose.
 * So it is hidden while libcurl starts.
 *
 * libcurl is given a free() that wipes: it copies the request body, and
 * so the password, into buffers of its own.  If the host started libcurl
 * first, its choice stands and those copies are not wiped. */
static void global_init(void) {
  const char *keylog = getenv("SSLKEYLOGFILE");
  char *saved = keylog != NULL ? strdup(keylog) : NULL;

  if (keylog != NULL && saved == NULL)
    return; /* out of memory: leave global_status failed */
  if (saved != NULL)
    unsetenv("SSLKEYLOGFILE");
  global_status =
      curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, rg_wiping_free,
                           rg_wiping_realloc, strdup, calloc);
  if (saved != NULL) {
    setenv("SSLKEYLOGFILE", saved, 1);
    free(saved);
  }
}

/* Sockets are made close-on-exec, so that a host thread that forks and
 * execs while we talk to Resgrid does not hand our connection on. */
static curl_socket_t open_socket(void *arg, curlsocktype purpose,
                                 struct curl_sockaddr *addr) {
  (void)arg;
  (void)purpose;
  return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

static size_t collect(char *data, size_t size, size_t nmemb, void *arg) {
  struct rg_http *h = arg;
  size_t n = size * nmemb;

  if (n > RG_BODY_CAP - h->body_len) {
    h->oversized = 1;
    return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
  }
  memcpy(h->body + h->body_len, data, n);
  h->body_len += n;
  h->body[h->body_len] = '\0';
  return n;
}

static int set_common(struct rg_http *h) {
  const struct rg_config *cfg = h->cfg;
  CURL *c = h->curl;
  CURLcode rc = CURLE_OK;

#define SET(opt, val)                                                          \
  if (rc == CURLE_OK)                                                          \
  rc = curl_easy_setopt(c, opt, val)
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_PROTOCOLS_STR, "https");
  SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_SSL_VERIFYPEER, 1L);
  SET(CURLOPT_SSL_VERIFYHOST, 2L);
  SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  /* With ca_file, its CAs are the only ones trusted (set_ca()).
   * Without, the system's hashed folder: OpenSSL then reads only the CA
   * it needs, where the bundle file costs every login some 20 ms of CPU
   * to parse 150 certificates. */
  if (cfg->ca_file != NULL || RG_SYSTEM_CA_PATH[0] != '\0') {
    SET(CURLOPT_CAINFO, NULL);
    SET(CURLOPT_CAPATH, cfg->ca_file != NULL ? NULL : RG_SYSTEM_CA_PATH);
  }
  /* Proxies named in the environment would let whoever runs su or sudo
   * route our traffic; a station that needs a proxy is a FIXME: add a
   * proxy key to the configuration when one asks. */
  SET(CURLOPT_PROXY, "");
  SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
  SET(CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout);
  SET(CURLOPT_TIMEOUT, cfg->timeout);
  SET(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
  SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
  SET(CURLOPT_WRITEFUNCTION, collect);
  SET(CURLOPT_WRITEDATA, h);
  SET(CURLOPT_ERRORBUFFER, h->detail);
#undef SET
  return rc == CURLE_OK ? 0 : -1;
}

#define MAX_CA_FILE (1024 * 1024)

/* Reads ca_file with the configuration's trust rule and gives libcurl a
 * copy of what was checked. */
static enum rg_http_status set_ca(struct rg_http *h, struct rg_why *why) {
  const struct rg_trust_rule rule = {h->cfg->file_owner, 022, MAX_CA_FILE};
  struct curl_blob blob = {NULL, 0, CURL_BLOB_COPY};
  enum rg_file_status st;
  char *pem = NULL;
  size_t len = 0;
  CURLcode rc;

  st = rg_file_read_trusted(AT_FDCWD, h->cfg->ca_file, &rule, &pem, &len, why);
  if (st == RG_FILE_NOMEM)
    return RG_HTTP_NOMEM;
  if (st != RG_FILE_OK) {
    if (st == RG_FILE_MISSING)
      snprintf(why->text, sizeof(why->text), "missing");
    return RG_HTTP_BAD_CA;
  }
  blob.data = pem;
  blob.len = len;
  rc = curl_easy_setopt(h->curl, CURLOPT_CAINFO_BLOB, &blob);
  free(pem);
  return rc == CURLE_OK ? RG_HTTP_OK : RG_HTTP_NOMEM;
}

enum rg_http_status rg_http_open(struct rg_http *h, const struct rg_config *cfg,
                                 struct rg_why *why) {
  enum rg_http_status st = RG_HTTP_NOMEM;

  memset(h, 0, sizeof(*h));
  h->cfg = cfg;
  pthread_once(&global_once, global_init);
  if (global_status != CURLE_OK)
    return RG_HTTP_NOMEM;
  h->body = malloc(RG_BODY_CAP + 1);
  h->curl = curl_easy_init();
  if (h->body != NULL && h->curl != NULL && set_common(h) == 0)
    st = cfg->ca_file != NULL ? set_ca(h, why) : RG_HTTP_OK;
  if (st != RG_HTTP_OK) {
    rg_http_close(h);
    return st;
  }
  h->body[0] = '\0';
  return RG_HTTP_OK;
}

static long now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reset_body(struct rg_http *h) {
  explicit_bzero(h->body, h->body_len);
  h->body_len = 0;
  h->body[0] = '\0';
  h->oversized = 0;
  h->detail[0] = '\0';
}

static void perform(struct rg_http *h, struct rg_http_answer *answer) {
  CURLcode rc = curl_easy_perform(h->curl);
  long status = 0;

  curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
  answer->curl_code = (int)rc;
  answer->status = status;
  answer->body = h->body;
  answer->body_len = h->body_len;
  answer->oversized = h->oversized != 0;
}

static char *token_body(const struct rg_config *cfg, const char *user,
                        const char *password) {
  const struct rg_form_field fields[] = {
      {"grant_type", "password"},
      {"username", user},
      {"password", password},
      {"scope", cfg->scope},
  };

  return rg_form_encode(fields, sizeof(fields) / sizeof(fields[0]));
}

int rg_http_token(struct rg_http *h, const char *user, const char *password,
                  struct rg_http_answer *answer, long *elapsed_ms) {
  struct curl_slist *headers = NULL;
  struct curl_slist *more;
  char url[1100];
  char *form = token_body(h->cfg, user, password);
  long start = now_ms();
  int rc = -1;

  reset_body(h);
  snprintf(url, sizeof(url), "%s%s", h->cfg->api_url, TOKEN_PATH);
  headers = curl_slist_append(
      NULL, "Content-Type: application/x-www-form-urlencoded");
  more = headers != NULL
             ? curl_slist_append(headers, "Accept: application/json")
             : NULL;
  if (form != NULL && more != NULL &&
      curl_easy_setopt(h->curl, CURLOPT_URL, url) == CURLE_OK &&
      curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
      curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(form)) ==
          CURLE_OK &&
      curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, form) == CURLE_OK) {
    perform(h, answer);
    rc = 0;
  }
  /* Nothing of ours may stay referenced by the handle once freed. */
  curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(headers);
  rg_secret_free(form);
  *elapsed_ms = now_ms() - start;
  return rc;
}

/* Frees a header list after wiping each header: one holds the token. */
static void free_headers(struct curl_slist *headers) {
  for (struct curl_slist *h = headers; h != NULL; h = h->next)
    explicit_bzero(h->data, strlen(h->data));
  curl_slist_free_all(headers);
}

int rg_http_rights(struct rg_http *h, const char *access_token, long budget_ms,
                   struct rg_http_answer *answer) {
  static const char prefix[] = "Authorization: Bearer ";
  size_t size = sizeof(prefix) + strlen(access_token);
  char *auth = malloc(size);
  struct curl_slist *headers = NULL;
  char url[1100];
  int rc = -1;

  reset_body(h);
  snprintf(url, sizeof(url), "%s%s", h->cfg->api_url, RIGHTS_PATH);
  if (auth != NULL) {
    snprintf(auth, size, "%s%s", prefix, access_token);
    headers = curl_slist_append(NULL, auth);
    rg_secret_free_n(auth, size);
  }
  if (headers != NULL &&
      curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, budget_ms) == CURLE_OK &&
      curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L) == CURLE_OK &&
      curl_easy_setopt(h->curl, CURLOPT_URL, url) == CURLE_OK &&
      curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers) == CURLE_OK) {
    perform(h, answer);
    rc = 0;
  }
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
  free_headers(headers);
  return rc;
}

static size_t date_header(char *data, size_t size, size_t nmemb, void *arg) {
  struct rg_probe *probe = arg;
  size_t n = size * nmemb;
  char line[128];

  if (n > 5 && n < sizeof(line) && strncasecmp(data, "Date:", 5) == 0) {
    memcpy(line, data + 5, n - 5);
    line[n - 5] = '\0';
    probe->server_date = (long long)curl_getdate(line, NULL);
    if (probe->server_date < 0)
      probe->server_date = 0;
  }
  return n;
}

/* Copies "Field:value" from the leaf certificate's description. */
static void cert_field(const struct curl_slist *info, const char *field,
                       char *out, size_t size) {
  size_t len = strlen(field);

  for (; info != NULL; info = info->next) {
    if (strncmp(info->data, field, len) == 0 && info->data[len] == ':') {
      snprintf(out, size, "%s", info->data + len + 1);
      return;
    }
  }
}

static void read_probe(CURL *c, struct rg_probe *p) {
  struct curl_certinfo *certs = NULL;

  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &p->status);
  curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &p->connect_s);
  curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME, &p->tls_s);
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &p->total_s);
  if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &certs) != CURLE_OK ||
      certs == NULL || certs->num_of_certs < 1)
    return;
  p->certs = certs->num_of_certs;
  cert_field(certs->certinfo[0], "Subject", p->subject, sizeof(p->subject));
  cert_field(certs->certinfo[0], "Issuer", p->issuer, sizeof(p->issuer));
  cert_field(certs->certinfo[0], "Expire date", p->expires, sizeof(p->expires));
}

int rg_http_probe(struct rg_http *h, const char *path, struct rg_probe *probe) {
  CURL *c = h->curl;
  char url[1100];

  memset(probe, 0, sizeof(*probe));
  reset_body(h);
  snprintf(url, sizeof(url), "%s%s", h->cfg->api_url, path);
  if (curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_CERTINFO, 1L) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, date_header) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_HEADERDATA, probe) != CURLE_OK)
    return -1;
  probe->curl_code = (int)curl_easy_perform(c);
  read_probe(c, probe);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, NULL);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, NULL);
  return 0;
}

void rg_http_close(struct rg_http *h) {
  if (h->curl != NULL)
    curl_easy_cleanup(h->curl);
  if (h->body != NULL)
    rg_secret_free_n(h->body, RG_BODY_CAP + 1);
  memset(h, 0, sizeof(*h));
}
