#!/usr/bin/env python3
"""Check that the stand-in keeps the contract in shared/resgrid-api.md.

Starts the stand-in in a temporary directory, talks to it over HTTPS with
the test CA, and prints one "ok" or "FAIL" line per check.  Exits 1 if any
check fails.  Usage: selftest.py [--keep] (--keep leaves the directory).
"""

import base64
import hashlib
import http.client
import json
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from pathlib import Path

from standin import Standin

JSON_TYPE = "application/json;charset=UTF-8"
FORM_TYPE = "application/x-www-form-urlencoded"
TOKEN_PATH = "/api/v4/connect/token"
RIGHTS_PATH = "/api/v4/Security/GetCurrentUsersRights"
BAD_CREDENTIALS = "The username or password is invalid."
QUOTA_TEXT = b"API calls quota exceeded! maximum admitted 4 per 60s."
ENDPOINTS = {"main": "server", "wronghost": "wronghost", "rogue": "rogue",
             "expired": "expired"}
RIGHTS_KEYS = [
    "DepartmentName", "DepartmentCode", "DepartmentId", "FullName",
    "EmailAddress", "IsAdmin", "CanViewPII", "CanCreateCalls", "CanAddNote",
    "CanCreateMessage", "CanCreateWorkflow", "CanLoginToDispatchApp",
    "CanLoginToCommandApp", "CanManageWorkflowCredentials",
    "CanViewWorkflowRuns", "Groups"]
ENVELOPE_KEYS = ["Data", "PageSize", "Timestamp", "Version", "Node",
                 "Environment", "RequestId", "Status"]
CLAIMS = {"sub", "name", "iss", "iat", "nbf", "exp", "at_hash", "jti",
          "oi_au_id", "oi_tkn_id"}

failures = []


def check(name, condition, detail=""):
    print(f"ok   {name}" if condition else f"FAIL {name}: {detail}")
    if not condition:
        failures.append(name)


# --- Client helpers ----------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Client:
    """HTTPS requests to the stand-in, and what the checks share."""

    def __init__(self, server, workdir):
        self.server = server
        self.workdir = workdir
        self.alice_sub = None
        self.tls = ssl.create_default_context(cafile=server.ca_file)

    def connect(self, endpoint="main", timeout=10):
        return http.client.HTTPSConnection(
            "127.0.0.1", self.server.port(endpoint), context=self.tls,
            timeout=timeout)

    def request(self, method, path, body=None, headers=None,
                timeout=10):
        conn = self.connect(timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Response(response.status, response.headers,
                            response.read())
        finally:
            conn.close()

    def token(self, headers=None, **fields):
        """POST a password grant; FIELDS override or (None) drop the
        defaults."""
        form = {"grant_type": "password", "scope": "openid profile"}
        form.update(fields)
        form = {k: v for k, v in form.items() if v is not None}
        all_headers = {"Content-Type": FORM_TYPE}
        all_headers.update(headers or {})
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        return self.request("POST", TOKEN_PATH,
                            urllib.parse.urlencode(form), all_headers)

    def login(self, username="alice", password="s3cret", **fields):
        return self.token(username=username, password=password, **fields)

    def rights(self, access_token):
        headers = {}
        if access_token is not None:
            headers["Authorization"] = f"Bearer {access_token}"
        return self.request("GET", RIGHTS_PATH, headers=headers)


def is_error(response, status, error, description):
    return (response.status == status
            and response.headers["Content-Type"] == JSON_TYPE
            and response.json() == {"error": error,
                                    "error_description": description})


def jwt_parts(token):
    header, payload, signature = token.split(".")
    return (json.loads(b64url_decode(header)), b64url_decode(payload),
            b64url_decode(signature))


# --- Checks ------------------------------------------------------------

def test_success_shape(c):
    r = c.login(username="ALICE")
    check("success: 200", r.status == 200, r.status)
    check("success: content type", r.headers["Content-Type"] == JSON_TYPE,
          r.headers["Content-Type"])
    check("success: not cached", r.headers["Cache-Control"] == "no-store"
          and r.headers["Pragma"] == "no-cache")
    check("success: pretty-printed", r.body.startswith(b'{\n  "'))
    body = r.json()
    check("success: fields", list(body) == [
        "access_token", "token_type", "expires_in", "id_token"], list(body))
    check("success: token_type Bearer", body["token_type"] == "Bearer")
    check("success: expires_in 86398", body["expires_in"] == 86398)
    segments = body["access_token"].split(".")
    check("success: access_token has five segments", len(segments) == 5)
    check("success: access_token header", json.loads(
        b64url_decode(segments[0])) == {
            "alg": "RSA-OAEP", "enc": "A256CBC-HS512", "typ": "at+jwt"})

    r = c.login(scope="openid offline_access")
    check("offline_access adds refresh_token",
          "refresh_token" in r.json() and "scope" not in r.json())
    r = c.login(scope="profile")
    check("no openid, no id_token", "id_token" not in r.json())


def test_id_token(c):
    r = c.login(username="ALICE")
    body = r.json()
    header, payload, signature = jwt_parts(body["id_token"])
    jwks = c.request("GET", "/.well-known/jwks").json()["keys"]
    check("id_token: header", header == {
        "alg": "RS256", "kid": jwks[0]["kid"], "typ": "JWT"}, header)
    claims = json.loads(payload)
    check("id_token: claim names", set(claims) == CLAIMS, sorted(claims))
    check("id_token: name as stored", claims["name"] == "Alice")
    check("id_token: sub", claims["sub"] == c.alice_sub)
    check("id_token: iss", claims["iss"] == c.server.url() + "/")
    check("id_token: lifetime", claims["exp"] - claims["iat"] == 1200
          and claims["nbf"] == claims["iat"])
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    check("id_token: at_hash", b64url_decode(claims["at_hash"])
          == digest[:16])

    key = Path(c.server.cert_dir) / "idtoken.key"
    public = c.workdir / "idtoken.pub"
    subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-out",
                    str(public)], check=True, capture_output=True)
    sig_file = c.workdir / "id_token.sig"
    sig_file.write_bytes(signature)
    signing_input = body["id_token"].rsplit(".", 1)[0].encode()
    verify = subprocess.run(
        ["openssl", "dgst", "-sha256", "-verify", str(public),
         "-signature", str(sig_file)], input=signing_input,
        capture_output=True)
    check("id_token: RS256 signature verifies", verify.returncode == 0,
          verify.stdout + verify.stderr)
    modulus = subprocess.run(
        ["openssl", "rsa", "-pubin", "-in", str(public), "-noout",
         "-modulus"], check=True, capture_output=True, text=True).stdout
    check("jwks: n is the signing key's modulus",
          b64url_decode(jwks[0]["n"]).hex().upper()
          == modulus.strip().partition("=")[2]
          and jwks[0]["e"] == "AQAB" and jwks[0]["use"] == "sig")


def test_refusals(c):
    check("wrong password: invalid_grant", is_error(
        c.login(password="nope"), 400, "invalid_grant", BAD_CREDENTIALS))
    check("unknown user: invalid_grant", is_error(
        c.login(username="mallory"), 400, "invalid_grant", BAD_CREDENTIALS))
    check("empty password: invalid_grant", is_error(
        c.login(password=""), 400, "invalid_grant", BAD_CREDENTIALS))
    check("password missing", is_error(
        c.token(username="alice"), 400, "invalid_request",
        "The mandatory 'username' and/or 'password' parameters are "
        "missing."))
    check("grant_type missing", is_error(
        c.login(grant_type=None), 400, "invalid_request",
        "The mandatory 'grant_type' parameter is missing."))
    check("grant_type unknown", is_error(
        c.login(grant_type="magic"), 400, "unsupported_grant_type",
        "The specified 'grant_type' is not supported."))
    check("client_credentials needs a client", c.login(
        grant_type="client_credentials").json()["error"] == "invalid_client")
    check("refresh_token: invalid_grant", c.token(
        grant_type="refresh_token", refresh_token="x"
    ).json()["error"] == "invalid_grant")
    check("unknown scope", is_error(
        c.login(scope="openid bogus"), 400, "invalid_scope",
        "The specified 'scope' is invalid."))
    check("every known scope", c.login(
        scope="openid profile email offline_access mobile web"
    ).status == 200)
    check("client_id: 401 invalid_client", is_error(
        c.login(client_id="pam"), 401, "invalid_client",
        "The specified 'client_id' is invalid."))
    check("Authorization header: 401 invalid_client", c.login(
        headers={"Authorization": "Basic cGFtOng="}).status == 401)
    check("Content-Type missing", is_error(
        c.login(headers={"Content-Type": None}), 400, "invalid_request",
        "The mandatory 'Content-Type' header is missing."))
    check("Content-Type wrong", is_error(
        c.login(headers={"Content-Type": "application/json"}), 400,
        "invalid_request",
        "The specified 'Content-Type' header is invalid."))
    check("Content-Type with charset", c.login(headers={
        "Content-Type": FORM_TYPE + "; charset=UTF-8"}).status == 200)
    check("repeated parameter refused", c.request(
        "POST", TOKEN_PATH,
        "grant_type=password&username=alice&password=a&password=s3cret",
        {"Content-Type": FORM_TYPE}).json()["error"] == "invalid_request")
    check("body not UTF-8 refused", c.request(
        "POST", TOKEN_PATH,
        "grant_type=password&username=alice&password=%FF",
        {"Content-Type": FORM_TYPE}).json()["error"] == "invalid_request")
    check("GET on token endpoint refused", c.request(
        "GET", TOKEN_PATH).json()["error"] == "invalid_request")
    check("path case-insensitive", c.request(
        "POST", TOKEN_PATH.upper(), "grant_type=password&username=alice&"
        "password=s3cret", {"Content-Type": FORM_TYPE}).status == 200)


def test_department_refusals(c):
    cases = [("session_limit", "The department's maximum number of active "
              "sessions has been reached."),
             ("not_allowed", "The user is no longer allowed to sign in to "
              "this department."),
             ("disabled", BAD_CREDENTIALS)]
    for flag, description in cases:
        c.server.add_user("bob", "pw", **{flag: True})
        check(f"{flag}: invalid_grant", is_error(
            c.login("bob", "pw"), 400, "invalid_grant", description))


def test_lockout(c):
    c.server.configure(lockout_seconds=2)
    for _ in range(4):
        c.login(password="wrong")
    c.login()
    for _ in range(4):
        c.login(password="wrong")
    check("a success resets the failure count", c.login().status == 200)

    for _ in range(5):
        c.login(password="wrong")
    check("locked after 5 failures: right password refused", is_error(
        c.login(), 400, "invalid_grant", BAD_CREDENTIALS))
    state = c.server.state()
    check("state shows the lock", state["locked"] == ["alice"]
          and state["failures"] == {"alice": 5}, state)
    time.sleep(2.2)
    check("lock expires", c.login().status == 200)


def test_rate_limit(c):
    c.server.configure(rate_limit=4, rate_window=60)
    statuses = [c.login(password="wrong").status for _ in range(4)]
    check("4 requests pass the rate limit", statuses == [400] * 4, statuses)
    c.rights("nothing")
    r = c.login(headers={"Content-Type": None})
    check("5th request: 429 before other checks", r.status == 429
          and r.body == QUOTA_TEXT
          and r.headers["Content-Type"] == "text/plain", (r.status, r.body))
    check("429 has Retry-After",
          1 <= int(r.headers["Retry-After"]) <= 60, r.headers["Retry-After"])
    c.server.reset()
    c.server.add_user("alice", "s3cret")
    check("reset clears the counter", c.login().status == 200)


def test_special_password(c):
    password = "a&b=c+d%e;f'g\"h\\i j é€ ok"
    c.server.add_user("carol", password)
    r = c.login("carol", password,
                headers={"User-Agent": "pam_resgrid-selftest/1"})
    check("special password logs in", r.status == 200, r.body)
    entry = c.server.requests()[-1]
    check("server received the password as typed",
          entry["form"]["password"] == password, entry["form"])
    check("raw body is form-encoded", "%26" in entry["raw_body"]
          and "%C3%A9" in entry["raw_body"], entry["raw_body"])
    check("request log: headers", entry["headers"]["user-agent"]
          == "pam_resgrid-selftest/1" and "authorization" not in
          entry["headers"])
    check("request log: endpoint, method, path, status",
          (entry["endpoint"], entry["method"], entry["path"],
           entry["status"]) == ("main", "POST", TOKEN_PATH, 200))


def test_request_log(c):
    c.login()
    c.server.state()
    c.request("GET", "/nowhere")
    c.rights(None)
    log = c.server.requests()
    check("log holds token and rights requests only",
          [e["path"] for e in log] == [TOKEN_PATH, RIGHTS_PATH],
          [e["path"] for e in log])
    conn = c.connect()
    conn.request("POST", TOKEN_PATH, iter([b"grant_type=password&",
                                           b"username=alice&password=s3cret"]),
                 {"Content-Type": FORM_TYPE}, encode_chunked=True)
    check("chunked body accepted", conn.getresponse().status == 200)
    conn.close()


def test_rights(c):
    token = c.login().json()["access_token"]
    r = c.rights(token)
    check("rights: 200", r.status == 200, r.status)
    body = r.json()
    check("rights: envelope", list(body) == ENVELOPE_KEYS, list(body))
    check("rights: Data fields", list(body["Data"]) == RIGHTS_KEYS)
    check("rights: defaults", body["Data"]["DepartmentName"] ==
          "Station 1 FD" and body["Data"]["Groups"] == [
              {"GroupId": "10", "IsGroupAdmin": False}]
          and body["Data"]["IsAdmin"] is False and body["Status"] ==
          "success" and body["PageSize"] == 1)
    c.server.add_user("dave", "pw", rights={"IsAdmin": True,
                                           "DepartmentId": "7"})
    token = c.login("dave", "pw").json()["access_token"]
    data = c.rights(token).json()["Data"]
    check("rights: per-user settings", data["IsAdmin"] is True
          and data["DepartmentId"] == "7")
    for name, value in (("bad token", "garbage"), ("no token", None)):
        r = c.rights(value)
        check(f"rights: {name} gets 401 with empty body", r.status == 401
              and r.body == b"" and r.headers["Content-Length"] == "0")


def test_discovery(c):
    doc = c.request("GET", "/.well-known/openid-configuration").json()
    base = c.server.url() + "/"
    check("discovery", doc["issuer"] == base and doc["token_endpoint"]
          == base + TOKEN_PATH[1:] and doc["jwks_uri"]
          == base + ".well-known/jwks")
    r = c.request("GET", "/elsewhere")
    check("unknown path: 404, empty", r.status == 404 and r.body == b"")


def expect_json(expected):
    return lambda r: r.status == 200 and r.json() == expected


def expect_fields(test):
    return lambda r: r.status == 200 and test(r.json())


def expect_claims(test):
    return expect_fields(lambda b: test(json.loads(
        jwt_parts(b["id_token"])[1])))


def truncated(r):
    try:
        r.json()
    except ValueError:
        return r.status == 200 and int(r.headers["Content-Length"]) == len(
            r.body) > 0
    return False


TOKEN_MODES = {
    "http500": lambda r: r.status == 500 and r.body == b"",
    "http502": lambda r: r.status == 502 and r.body == b"Bad Gateway",
    "http503": lambda r: r.status == 503 and r.headers["Retry-After"]
    == "30",
    "http429": lambda r: r.status == 429 and r.body == QUOTA_TEXT,
    "redirect": lambda r: r.status == 302 and r.headers["Location"]
    == "https://127.0.0.1:1/elsewhere",
    "portal": lambda r: r.status == 200
    and r.headers["Content-Type"].startswith("text/html"),
    "truncated": truncated,
    "empty200": lambda r: r.status == 200 and r.body == b"",
    "emptyobject": expect_json({}),
    "notobject": expect_json([1, 2]),
    "huge": expect_fields(lambda b: len(b["padding"]) == 102400
                          and b["access_token"]),
    "no_access_token": expect_fields(lambda b: "access_token" not in b),
    "empty_access_token": expect_fields(lambda b: b["access_token"] == ""),
    "access_token_number": expect_fields(
        lambda b: b["access_token"] == 12345),
    "token_type_mac": expect_fields(lambda b: b["token_type"] == "mac"),
    "token_type_lower": expect_fields(
        lambda b: b["token_type"] == "bearer"),
    "no_token_type": expect_fields(lambda b: "token_type" not in b),
    "idtoken_garbage": expect_fields(
        lambda b: b["id_token"] == "not.a-jwt!!"),
    "idtoken_badjson": expect_fields(lambda b: b64url_decode(
        b["id_token"].split(".")[1]) == b'{"name": '),
    "idtoken_wrong_name": expect_claims(
        lambda claims: claims["name"] == "someone.else"),
    "idtoken_no_name": expect_claims(lambda claims: "name" not in claims),
    "no_id_token": expect_fields(lambda b: "id_token" not in b
                                 and b["access_token"]),
    "invalid_client": lambda r: r.status == 401
    and r.json()["error"] == "invalid_client",
    "invalid_scope": lambda r: r.json()["error"] == "invalid_scope",
    "unsupported_grant_type": lambda r: r.json()["error"]
    == "unsupported_grant_type",
    "invalid_request": lambda r: r.json()["error"] == "invalid_request",
}

RIGHTS_MODES = {
    "rights_500": lambda r: r.status == 500,
    "rights_401": lambda r: r.status == 401 and r.body == b"",
    "rights_garbage": lambda r: r.status == 200 and r.body == b"<html>",
}


def test_modes(c):
    for mode, expected in TOKEN_MODES.items():
        c.server.set_mode(mode)
        r = c.login()
        check(f"mode {mode}", expected(r), (r.status, r.body[:200]))
    c.server.set_mode("no_access_token")
    check("damaging modes leave failures alone", is_error(
        c.login(password="wrong"), 400, "invalid_grant", BAD_CREDENTIALS))

    c.server.set_mode("normal")
    token = c.login().json()["access_token"]
    for mode, expected in RIGHTS_MODES.items():
        c.server.set_mode(mode)
        r = c.rights(token)
        check(f"mode {mode}", expected(r), (r.status, r.body[:200]))
        check(f"mode {mode} leaves the token endpoint alone",
              c.login().status == 200)


def held_until_mode_changes(c, mode, send):
    """True if MODE keeps a request unanswered until the mode changes,
    and the connection is closed then."""
    c.server.set_mode(mode)
    conn = c.connect(timeout=1)
    send(conn)
    try:
        conn.getresponse()
        return False
    except TimeoutError:
        pass
    conn.sock.settimeout(5)
    threading.Timer(0.3, c.server.set_mode, ["normal"]).start()
    try:
        conn.getresponse()
        return False
    except http.client.RemoteDisconnected:
        return True
    finally:
        conn.close()


def test_connection_modes(c):
    def send_login(conn):
        conn.request("POST", TOKEN_PATH, "grant_type=password&username="
                     "alice&password=s3cret", {"Content-Type": FORM_TYPE})

    def send_rights(conn):
        conn.request("GET", RIGHTS_PATH,
                     headers={"Authorization": "Bearer x"})

    check("mode hang", held_until_mode_changes(c, "hang", send_login))
    check("mode rights_hang",
          held_until_mode_changes(c, "rights_hang", send_rights))

    c.server.set_mode("close")
    try:
        c.login()
        check("mode close", False, "got an answer")
    except http.client.RemoteDisconnected:
        check("mode close", True)

    c.server.set_mode("slow_body")
    conn = c.connect(timeout=5)
    send_login(conn)
    started = time.monotonic()
    response = conn.getresponse()
    first = response.read(2)
    elapsed = time.monotonic() - started
    check("mode slow_body: a byte a second",
          response.status == 200 and len(first) == 2 and 0.8 < elapsed < 3
          and int(response.headers["Content-Length"]) > 100, elapsed)
    c.server.set_mode("normal")
    conn.close()

    c.server.configure(delay_ms=300)
    started = time.monotonic()
    c.login()
    check("delay_ms", time.monotonic() - started >= 0.3)


def test_connections(c):
    idle = socket.create_connection(("127.0.0.1", c.server.port()))
    try:
        started = time.monotonic()
        r = c.login()
        check("a silent TLS client does not block others", r.status == 200
              and time.monotonic() - started < 2)
    finally:
        idle.close()

    conn = c.connect()
    statuses = []
    for _ in range(2):
        conn.request("GET", "/.well-known/jwks")
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
    conn.close()
    check("keep-alive: two requests on one connection",
          statuses == [200, 200])


def test_control(c):
    for obj in ({"mode": "nonsense"}, {"colour": 1}, {"rate_limit": -1},
                {"rate_limit": True}):
        try:
            c.server.configure(**obj)
            check(f"control refuses {obj}", False)
        except RuntimeError:
            check(f"control refuses {obj}", True)


def tls_failure(c, endpoint, cafile=None):
    """The verification error connecting to ENDPOINT, or None."""
    context = ssl.create_default_context(cafile=cafile or c.server.ca_file)
    try:
        with socket.create_connection(("127.0.0.1", c.server.port(endpoint)),
                                      timeout=5) as sock:
            with context.wrap_socket(sock, server_hostname="127.0.0.1"):
                return None
    except ssl.SSLCertVerificationError as error:
        return error.verify_message


def curl_status(url, cafile):
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "--cacert", cafile, url],
        capture_output=True, text=True)
    return result.returncode


def test_certificates(c):
    check("python: main verifies", tls_failure(c, "main") is None)
    for endpoint, expected in (("wronghost", "IP address mismatch"),
                               ("rogue", "unable to get local issuer"),
                               ("expired", "certificate has expired")):
        message = tls_failure(c, endpoint)
        check(f"python: {endpoint} fails verification",
              message is not None and expected in message, message)
    rogue_ca = str(Path(c.server.cert_dir) / "rogue-ca.pem")
    check("python: rogue verifies against its own CA",
          tls_failure(c, "rogue", rogue_ca) is None)

    if shutil.which("curl") is None:
        print("skip curl checks: no curl")
        return
    path = "/.well-known/openid-configuration"
    check("curl: main verifies", curl_status(
        c.server.url() + path, c.server.ca_file) == 0)
    for endpoint in ("wronghost", "rogue", "expired"):
        status = curl_status(c.server.url(endpoint) + path,
                             c.server.ca_file)
        check(f"curl: {endpoint} fails verification", status == 60, status)


def main():
    keep = "--keep" in sys.argv[1:]
    workdir = Path(tempfile.mkdtemp(prefix="standin-selftest."))
    server = Standin().start(workdir, ENDPOINTS)
    c = Client(server, workdir)
    tests = [test_success_shape, test_id_token, test_refusals,
             test_department_refusals, test_lockout, test_rate_limit,
             test_special_password, test_request_log, test_rights,
             test_discovery, test_modes, test_connection_modes,
             test_connections, test_control, test_certificates]
    try:
        for test in tests:
            server.reset()
            server.configure(rate_limit=0)
            c.alice_sub = server.add_user("Alice", "s3cret")["sub"]
            try:
                test(c)
            except Exception:
                check(test.__name__, False, traceback.format_exc())
    finally:
        status = server.stop()
        check("SIGTERM: exit status 0", status == 0, status)
        if not keep:
            shutil.rmtree(workdir)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
