/* resgridctl check: can a login work from this machine?  Each step says
 * what it is doing before it starts, since a dead link shows up as a
 * step that takes a long time. */
#include "config.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache.h"
#include "ctl.h"
#include "http.h"
#include "offline.h"

#define DISCOVERY "/.well-known/openid-configuration"

static double seconds_since(const struct timespec *start) {
  struct timespec now;

  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) +
         (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static bool check_cache(struct ctl *ctl) {
  struct rg_cache cache;
  struct rg_why why = {""};
  enum rg_file_status st;
  const char *state;

  if (!ctl->cfg.offline) {
    ctl_say(ctl, "cache:   off (offline_grace = off)\n");
    ctl_put(ctl, "cache", json_pack("{s:s}", "state", "off"));
    return true;
  }
  st = rg_cache_open(&cache, ctl->cfg.cache_dir, false, &why);
  if (st == RG_FILE_OK)
    rg_cache_close(&cache);
  state = st == RG_FILE_OK        ? "ok"
          : st == RG_FILE_MISSING ? "missing (made at the first login)"
                                  : why.text;
  ctl_say(ctl, "cache:   %s: %s\n", ctl->cfg.cache_dir, state);
  ctl_put(ctl, "cache",
          json_pack("{s:o, s:s}", "folder", ctl_string(ctl->cfg.cache_dir),
                    "state", state));
  return st == RG_FILE_OK || st == RG_FILE_MISSING;
}

static char *api_host(const char *api_url) {
  CURLU *url = curl_url();
  char *host = NULL;
  char *copy = NULL;

  if (url != NULL && curl_url_set(url, CURLUPART_URL, api_url, 0) == 0 &&
      curl_url_get(url, CURLUPART_HOST, &host, 0) == 0) {
    size_t len = strlen(host);

    /* An IPv6 literal comes bracketed. */
    if (len > 2 && host[0] == '[' && host[len - 1] == ']')
      copy = strndup(host + 1, len - 2);
    else
      copy = strdup(host);
  }
  curl_free(host);
  curl_url_cleanup(url);
  return copy;
}

static bool check_dns(struct ctl *ctl) {
  const struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  struct addrinfo *found = NULL;
  struct timespec start;
  char *host = api_host(ctl->cfg.api_url);
  char address[NI_MAXHOST] = "";
  int rc;

  if (host == NULL)
    return false;
  ctl_step(ctl, "resolving %s ...\n", host);
  clock_gettime(CLOCK_MONOTONIC, &start);
  rc = getaddrinfo(host, NULL, &hints, &found);
  if (rc == 0)
    getnameinfo(found->ai_addr, found->ai_addrlen, address, sizeof(address),
                NULL, 0, NI_NUMERICHOST);
  ctl_say(ctl, "dns:     %s -> %s (%.0f ms)\n", host,
          rc == 0 ? address : gai_strerror(rc), seconds_since(&start) * 1000);
  ctl_put(ctl, "dns",
          json_pack("{s:o, s:s, s:b}", "host", ctl_string(host), "address",
                    rc == 0 ? address : gai_strerror(rc), "ok", rc == 0));
  if (found != NULL)
    freeaddrinfo(found);
  free(host);
  return rc == 0;
}

/* The certificate's words come from the server: escaped before they
 * reach a terminal or a JSON document. */
static void report_tls(struct ctl *ctl, const struct rg_probe *p) {
  struct rg_safe subject, issuer, expires;

  rg_sanitize(&subject, p->subject);
  rg_sanitize(&issuer, p->issuer);
  rg_sanitize(&expires, p->expires);
  ctl_say(ctl,
          "tls:     verified, %d certificate(s) sent\n"
          "         subject %s\n"
          "         issuer  %s\n"
          "         expires %s\n",
          p->certs, subject.text, issuer.text, expires.text);
  ctl_put(ctl, "tls",
          json_pack("{s:b, s:i, s:s, s:s, s:s}", "ok", 1, "certificates",
                    p->certs, "subject", subject.text, "issuer", issuer.text,
                    "expires", expires.text));
}

/* The clock matters offline: records dated in the future are refused,
 * and the grace is counted on it. */
static bool report_clock(struct ctl *ctl, const struct rg_probe *p) {
  long long skew =
      p->server_date != 0 ? (long long)time(NULL) - p->server_date : 0;
  bool ok = p->server_date != 0 && llabs(skew) <= RG_CLOCK_SLACK;

  if (p->server_date == 0)
    ctl_say(ctl, "clock:   the server sent no Date\n");
  else
    ctl_say(ctl, "clock:   %+lld s against the server%s\n", skew,
            ok ? "" : ": too far off, fix this machine's clock");
  ctl_put(ctl, "clock",
          json_pack("{s:I, s:b}", "skew_s", (json_int_t)skew, "ok", ok));
  return ok;
}

static int check_server(struct ctl *ctl) {
  struct rg_why why = {""};
  struct rg_safe detail;
  struct rg_probe p;
  struct rg_http http;
  bool clock_ok;

  ctl_step(ctl, "connecting to %s ...\n", ctl->cfg.api_url);
  switch (rg_http_open(&http, &ctl->cfg, &why)) {
  case RG_HTTP_OK:
    break;
  case RG_HTTP_BAD_CA:
    ctl_say(ctl, "tls:     ca_file %s: %s\n", ctl->cfg.ca_file, why.text);
    ctl_put(ctl, "tls", json_pack("{s:b, s:s}", "ok", 0, "ca_file", why.text));
    return CTL_CONFIG;
  case RG_HTTP_NOMEM:
    return CTL_CACHE;
  }
  if (rg_http_probe(&http, DISCOVERY, &p) != 0) {
    rg_http_close(&http);
    return CTL_CACHE;
  }
  if (p.curl_code != 0) {
    /* libcurl's words may quote the server's certificate. */
    rg_sanitize(&detail, http.detail);
    ctl_say(ctl, "https:   %s: %s\n", curl_easy_strerror((CURLcode)p.curl_code),
            detail.text);
    ctl_put(ctl, "https",
            json_pack("{s:b, s:s, s:s}", "ok", 0, "error",
                      curl_easy_strerror(p.curl_code), "detail", detail.text));
    rg_http_close(&http);
    return CTL_UNAVAILABLE;
  }
  rg_http_close(&http);
  report_tls(ctl, &p);
  ctl_say(ctl,
          "https:   HTTP %ld; connect %.0f ms, TLS %.0f ms, answer %.0f ms\n",
          p.status, p.connect_s * 1000, p.tls_s * 1000, p.total_s * 1000);
  ctl_put(ctl, "https",
          json_pack("{s:b, s:i, s:f, s:f, s:f}", "ok", 1, "status",
                    (int)p.status, "connect_ms", p.connect_s * 1000, "tls_ms",
                    p.tls_s * 1000, "total_ms", p.total_s * 1000));
  clock_ok = report_clock(ctl, &p);
  return clock_ok ? CTL_OK : CTL_NO;
}

int ctl_check(struct ctl *ctl) {
  bool cache_ok;
  int rc;

  ctl_say(ctl, "config:  ok, api_url %s\n", ctl->cfg.api_url);
  ctl_put(ctl, "config",
          json_pack("{s:b, s:o}", "ok", 1, "api_url",
                    ctl_string(ctl->cfg.api_url)));
  cache_ok = check_cache(ctl);
  rc = check_dns(ctl) ? check_server(ctl) : CTL_UNAVAILABLE;
  if (rc == CTL_OK && !cache_ok)
    rc = CTL_NO;
  ctl_say(ctl, "%s\n",
          rc == CTL_OK ? "a login can work from here"
                       : "a login cannot work from here");
  ctl_put(ctl, "ok", json_boolean(rc == CTL_OK));
  return rc;
}
