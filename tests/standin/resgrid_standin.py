#!/usr/bin/env python3
"""A stand-in for Resgrid's API, for testing pam_resgrid.

It answers as the contract in shared/resgrid-api.md describes the real
service: the OAuth2 token endpoint with OpenIddict's errors, checked in the
server's order, the rate limit and the account lockout; the department
rights endpoint; discovery and JWKS.  On top of that, a control API under
/__standin/ lets a test add users, read back every request the server
received, and switch the server into failure modes (hanging, closing,
redirecting, answering garbage) that the real service or a middlebox in
front of it can show.

Usage:
  resgrid_standin.py --certs DIR --state-dir SDIR [--endpoint NAME=BASE]...

Each endpoint is an HTTPS listener on 127.0.0.1 at a port the kernel
chooses, serving DIR/BASE.pem and DIR/BASE.key (default: main=server).
Once all are bound, SDIR/NAME.port holds each one's port.  All endpoints
share one state.  Python standard library only; RS256 signing goes
through the openssl command, because the library has no RSA.
"""

import argparse
import base64
import dataclasses
import datetime
import hashlib
import hmac
import http.server
import json
import math
import os
import re
import secrets
import signal
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

TOKEN_PATH = "/api/v4/connect/token"
RIGHTS_PATH = "/api/v4/Security/GetCurrentUsersRights"
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/.well-known/jwks"
CONTROL_PREFIX = "/__standin/"

KNOWN_SCOPES = ("openid", "profile", "email", "offline_access", "mobile",
                "web")
GRANT_TYPES = ("password", "refresh_token", "client_credentials")
FORM_TYPE = "application/x-www-form-urlencoded"

DEFAULT_RATE_LIMIT = 4
DEFAULT_RATE_WINDOW = 60
MAX_FAILED_PASSWORDS = 5
DEFAULT_EXPIRES_IN = 86398
ID_TOKEN_LIFETIME = 1200
HANG_SECONDS = 120
MAX_BODY = 1 << 20
MAX_LINE = 1 << 16

OAUTH_JSON = "application/json;charset=UTF-8"
NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))

BAD_CREDENTIALS = "The username or password is invalid."
SESSION_LIMIT = ("The department's maximum number of active sessions has "
                 "been reached.")
NOT_ALLOWED = "The user is no longer allowed to sign in to this department."
CLIENT_ID_INVALID = "The specified 'client_id' is invalid."
GRANT_TYPE_MISSING = "The mandatory 'grant_type' parameter is missing."
GRANT_TYPE_UNSUPPORTED = "The specified 'grant_type' is not supported."
SCOPE_INVALID = "The specified 'scope' is invalid."

# The rights a user has unless the test says otherwise, in the order the
# contract shows them.  FullName and EmailAddress are filled per user.
RIGHTS_TEMPLATE = {
    "DepartmentName": "Station 1 FD",
    "DepartmentCode": "ST1",
    "DepartmentId": "1",
    "FullName": "",
    "EmailAddress": "",
    "IsAdmin": False,
    "CanViewPII": False,
    "CanCreateCalls": True,
    "CanAddNote": True,
    "CanCreateMessage": True,
    "CanCreateWorkflow": False,
    "CanLoginToDispatchApp": True,
    "CanLoginToCommandApp": False,
    "CanManageWorkflowCredentials": False,
    "CanViewWorkflowRuns": False,
    "Groups": [{"GroupId": "10", "IsGroupAdmin": False}],
}

PORTAL_PAGE = b"""<!DOCTYPE html>
<html>
<head><title>Guest Wi-Fi</title></head>
<body>
<h1>Welcome to Guest Wi-Fi</h1>
<p>Please accept the terms of use to continue.</p>
<form method="post" action="/accept"><button>Accept</button></form>
</body>
</html>
"""


# --- Encodings ---------------------------------------------------------

def b64url(data):
    """Base64url without padding, as JOSE uses it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact_json(obj):
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def pretty_json(obj):
    """ASP.NET Core's output here is indented; clients must not care."""
    return json.dumps(obj, indent=2).encode("utf-8")


# --- HTTP answers ------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Answer:
    """One HTTP response; the handler adds Content-Length."""

    status: int
    body: bytes = b""
    headers: tuple = ()


class OAuthError(Exception):
    """A token request refused with one of OpenIddict's JSON errors."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.answer = oauth_error(status, error, description)


def oauth_json(status, obj):
    """OpenIddict's responses: pretty JSON that nothing may cache."""
    return Answer(status, pretty_json(obj),
                  (("Content-Type", OAUTH_JSON),) + NO_STORE)


def oauth_error(status, error, description):
    return oauth_json(status, {"error": error,
                               "error_description": description})


def plain_text(status, text, *headers):
    return Answer(status, text.encode("utf-8"),
                  (("Content-Type", "text/plain"),) + headers)


def quota_exceeded(limit, window, retry_after):
    """The rate limiter's refusal: plain text, not an OAuth error."""
    text = f"API calls quota exceeded! maximum admitted {limit} per {window}s."
    return plain_text(429, text, ("Retry-After", str(retry_after)))


def json_answer(status, obj):
    return Answer(status, pretty_json(obj),
                  (("Content-Type", "application/json; charset=utf-8"),))


NOT_FOUND = Answer(404)
UNAUTHORIZED = Answer(401, headers=(("WWW-Authenticate", "Bearer"),))


# --- Failure modes -----------------------------------------------------

# Modes that replace the token endpoint's answer whatever was asked, as a
# broken server or something in front of it would: the request is neither
# rate counted nor checked.
FORCED_ANSWERS = {
    "http500": Answer(500),
    "http502": plain_text(502, "Bad Gateway"),
    "http503": plain_text(503, "Service Unavailable", ("Retry-After", "30")),
    "http429": quota_exceeded(DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW,
                              DEFAULT_RATE_WINDOW),
    "redirect": Answer(302, headers=(
        ("Location", "https://127.0.0.1:1/elsewhere"),)),
    "portal": Answer(200, PORTAL_PAGE,
                     (("Content-Type", "text/html; charset=utf-8"),)),
    "empty200": Answer(200, b"", (("Content-Type", OAUTH_JSON),) + NO_STORE),
    "emptyobject": oauth_json(200, {}),
    "notobject": oauth_json(200, [1, 2]),
    "invalid_client": oauth_error(401, "invalid_client", CLIENT_ID_INVALID),
    "invalid_scope": oauth_error(400, "invalid_scope", SCOPE_INVALID),
    "unsupported_grant_type": oauth_error(400, "unsupported_grant_type",
                                          GRANT_TYPE_UNSUPPORTED),
    "invalid_request": oauth_error(400, "invalid_request",
                                   GRANT_TYPE_MISSING),
}

# Modes that damage a genuine success: the request goes through every
# check, and only a login that would succeed gets the damaged answer, so a
# client never sees a "success" for a wrong password.
FIELD_MUTATIONS = {
    "no_access_token": lambda f: f.pop("access_token"),
    "empty_access_token": lambda f: f.update(access_token=""),
    "access_token_number": lambda f: f.update(access_token=12345),
    "token_type_mac": lambda f: f.update(token_type="mac"),
    "token_type_lower": lambda f: f.update(token_type="bearer"),
    "no_token_type": lambda f: f.pop("token_type"),
    "idtoken_garbage": lambda f: f.update(id_token="not.a-jwt!!"),
    "no_id_token": lambda f: f.pop("id_token", None),
    "huge": lambda f: f.update(padding="x" * 102400),
}

# Modes that change the id_token's signed payload; the signature stays
# valid, so only the claims check can catch them.
ID_TOKEN_PAYLOADS = {
    "idtoken_badjson": lambda claims: b'{"name": ',
    "idtoken_wrong_name": lambda claims: compact_json(
        {**claims, "name": "someone.else"}),
    "idtoken_no_name": lambda claims: compact_json(
        {k: v for k, v in claims.items() if k != "name"}),
}

RIGHTS_ANSWERS = {
    "rights_500": Answer(500),
    "rights_401": UNAUTHORIZED,
    "rights_garbage": Answer(200, b"<html>",
                             (("Content-Type", "text/html"),)),
}

# hang, close, slow_body and rights_hang need the connection itself and
# are handled by the request handler; truncated cuts a success body.
MODES = frozenset(
    {"normal", "hang", "close", "truncated", "slow_body", "rights_hang"}
    | FORCED_ANSWERS.keys() | FIELD_MUTATIONS.keys()
    | ID_TOKEN_PAYLOADS.keys() | RIGHTS_ANSWERS.keys())


# --- Shared state ------------------------------------------------------

class ControlError(Exception):
    """A control request the stand-in refuses (400), to catch test typos."""


def check_fields(obj, types):
    """Refuse unknown fields and values of the wrong JSON type."""
    for name, value in obj.items():
        expected = types.get(name)
        if expected is None:
            raise ControlError(f"unknown field {name!r}")
        if type(value) is not expected:
            raise ControlError(f"{name!r} must be a {expected.__name__}")


@dataclasses.dataclass(frozen=True)
class Config:
    """What the control API can change; reset restores these defaults."""

    mode: str = "normal"
    rate_limit: int = DEFAULT_RATE_LIMIT
    rate_window: int = DEFAULT_RATE_WINDOW
    lockout_seconds: int = 900
    delay_ms: int = 0


CONFIG_TYPES = {name: type(value)
                for name, value in dataclasses.asdict(Config()).items()}


@dataclasses.dataclass(frozen=True)
class User:
    """An account.  stored_name is the name as the server keeps it, which
    the id_token carries and which may differ in case from what is typed."""

    username: str
    password: str
    sub: str
    stored_name: str
    expires_in: int = DEFAULT_EXPIRES_IN
    session_limit: bool = False
    not_allowed: bool = False
    disabled: bool = False
    rights: dict = dataclasses.field(default_factory=dict)


USER_TYPES = {"username": str, "password": str, "sub": str,
              "stored_name": str, "expires_in": int, "session_limit": bool,
              "not_allowed": bool, "disabled": bool, "rights": dict}
RIGHTS_TYPES = {name: type(value) for name, value in RIGHTS_TEMPLATE.items()}


def user_from_json(obj):
    check_fields(obj, USER_TYPES)
    if "username" not in obj or "password" not in obj:
        raise ControlError("'username' and 'password' are required")
    check_fields(obj.get("rights", {}), RIGHTS_TYPES)
    fields = dict(obj)
    fields.setdefault("sub", str(uuid.uuid4()))
    fields.setdefault("stored_name", obj["username"])
    return User(**fields)


class State:
    """Everything the endpoints share.  Handler threads run concurrently,
    so every access holds the lock; the condition wakes connections held
    open by a mode when the mode changes."""

    def __init__(self):
        self._cond = threading.Condition()
        self._clear()

    def _clear(self):
        self._config = Config()
        self._users = {}         # lowercased user name -> User
        self._failures = {}      # user key -> consecutive failed passwords
        self._locked_until = {}  # user key -> time.monotonic() deadline
        self._rate = {}          # client address -> (window start, count)
        self._tokens = {}        # access token -> user key
        self._log = []

    def reset(self):
        with self._cond:
            self._clear()
            self._cond.notify_all()

    def config(self):
        with self._cond:
            return self._config

    def configure(self, changes):
        check_fields(changes, CONFIG_TYPES)
        if changes.get("mode", "normal") not in MODES:
            raise ControlError(f"unknown mode {changes['mode']!r}")
        if any(v < 0 for k, v in changes.items() if k != "mode"):
            raise ControlError("numbers must not be negative")
        if changes.get("rate_window", 1) < 1:
            raise ControlError("'rate_window' must be at least 1")
        with self._cond:
            self._config = dataclasses.replace(self._config, **changes)
            self._cond.notify_all()
            return dataclasses.asdict(self._config)

    def wait_for_mode_change(self, mode, timeout):
        """Block while the mode is MODE; True if it changed in time."""
        with self._cond:
            return self._cond.wait_for(lambda: self._config.mode != mode,
                                       timeout)

    def add_user(self, user):
        key = user.username.lower()
        with self._cond:
            self._users[key] = user
            self._failures.pop(key, None)
            self._locked_until.pop(key, None)

    def count_token_request(self, client):
        """Count a token request against the client's quota.

        Returns None if it is within the quota, else the seconds until the
        window ends.  The window opens with a client's first request and
        refused requests count too, so hammering does not help."""
        with self._cond:
            limit, window = self._config.rate_limit, self._config.rate_window
            if limit == 0:
                return None
            now = time.monotonic()
            start, count = self._rate.get(client, (now, 0))
            if now - start >= window:
                start, count = now, 0
            self._rate[client] = (start, count + 1)
            if count < limit:
                return None
            return max(1, math.ceil(start + window - now))

    def authenticate(self, username, password):
        """Return the User, or the invalid_grant description.

        As in ASP.NET Identity, a locked account is refused before its
        password is looked at, and only wrong passwords count towards the
        lockout; a right one clears the count even if a department rule
        then refuses the login."""
        key = username.lower()
        with self._cond:
            user = self._users.get(key)
            if user is None or self._is_locked(key):
                return BAD_CREDENTIALS
            if not hmac.compare_digest(password.encode("utf-8"),
                                       user.password.encode("utf-8")):
                self._count_failure(key)
                return BAD_CREDENTIALS
            self._failures.pop(key, None)
        if user.disabled:
            return BAD_CREDENTIALS
        if user.not_allowed:
            return NOT_ALLOWED
        if user.session_limit:
            return SESSION_LIMIT
        return user

    def _is_locked(self, key):
        """Lock held.  An expired lock is lifted with its failure count."""
        until = self._locked_until.get(key)
        if until is None:
            return False
        if time.monotonic() < until:
            return True
        del self._locked_until[key]
        self._failures.pop(key, None)
        return False

    def _count_failure(self, key):
        """Lock held.  The count stays visible in /__standin/state until
        the lock expires."""
        failures = self._failures.get(key, 0) + 1
        self._failures[key] = failures
        if failures >= MAX_FAILED_PASSWORDS:
            self._locked_until[key] = (time.monotonic()
                                       + self._config.lockout_seconds)

    def remember_token(self, access_token, user):
        with self._cond:
            self._tokens[access_token] = user.username.lower()

    def user_for_token(self, access_token):
        with self._cond:
            return self._users.get(self._tokens.get(access_token))

    def log_request(self, entry):
        """Append ENTRY to the request log; set_status completes it."""
        with self._cond:
            self._log.append(entry)
        return entry

    def set_status(self, entry, status):
        with self._cond:
            entry["status"] = status

    def request_log(self):
        with self._cond:
            return json.loads(json.dumps(self._log))

    def summary(self):
        with self._cond:
            locked = [key for key in list(self._locked_until)
                      if self._is_locked(key)]
            return {"mode": self._config.mode,
                    "failures": dict(self._failures),
                    "locked": sorted(locked)}


# --- Tokens ------------------------------------------------------------

class IdTokenSigner:
    """Signs id_tokens with the RSA key that make-certs.sh made.

    The public half is read once at start-up for the JWKS.  The exponent
    is taken to be 65537: openssl genpkey's default, which make-certs.sh
    keeps."""

    def __init__(self, key_path):
        self._key_path = key_path
        out = subprocess.run(
            ["openssl", "rsa", "-in", key_path, "-noout", "-modulus"],
            capture_output=True, text=True, check=True).stdout
        modulus = bytes.fromhex(out.strip().partition("=")[2])
        public = {"e": "AQAB", "kty": "RSA", "n": b64url(modulus)}
        # RFC 7638 thumbprint: changes exactly when the key does.
        thumbprint = hashlib.sha256(
            json.dumps(public, sort_keys=True, separators=(",", ":"))
            .encode("ascii")).digest()
        self.kid = b64url(thumbprint)
        self.jwk = {"kty": "RSA", "use": "sig", "alg": "RS256",
                    "kid": self.kid, "n": public["n"], "e": public["e"]}

    def jwt(self, payload):
        """A compact RS256 JWS over the PAYLOAD bytes."""
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signing_input = (b64url(compact_json(header)) + "."
                         + b64url(payload)).encode("ascii")
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self._key_path],
            input=signing_input, capture_output=True, check=True).stdout
        return signing_input.decode("ascii") + "." + b64url(signature)


def opaque_token(typ):
    """Random bytes in the shape of OpenIddict's encrypted tokens (JWE
    compact form: header, wrapped key, IV, ciphertext, tag).  Only the
    header is readable, as with the real ones: nothing in them is meant
    for the client."""
    header = {"alg": "RSA-OAEP", "enc": "A256CBC-HS512", "typ": typ}
    parts = [compact_json(header), secrets.token_bytes(256),
             secrets.token_bytes(16), secrets.token_bytes(480),
             secrets.token_bytes(32)]
    return ".".join(b64url(part) for part in parts)


def at_hash(access_token):
    """OpenID Connect's at_hash for RS256: left half of the SHA-256."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[:len(digest) // 2])


def id_token(signer, user, access_token, issuer, mode):
    now = int(time.time())
    claims = {
        "sub": user.sub,
        "name": user.stored_name,
        "oi_au_id": str(uuid.uuid4()),
        "at_hash": at_hash(access_token),
        "oi_tkn_id": str(uuid.uuid4()),
        "jti": str(uuid.uuid4()),
        "iss": issuer,
        "iat": now,
        "nbf": now,
        "exp": now + ID_TOKEN_LIFETIME,
    }
    return signer.jwt(ID_TOKEN_PAYLOADS.get(mode, compact_json)(claims))


def success_answer(state, signer, user, scopes, issuer, mode):
    """The token response for a good login.  The stand-in grants exactly
    the scopes asked for, so "scope" never appears."""
    access_token = opaque_token("at+jwt")
    state.remember_token(access_token, user)
    fields = {"access_token": access_token, "token_type": "Bearer",
              "expires_in": user.expires_in}
    if "openid" in scopes:
        fields["id_token"] = id_token(signer, user, access_token, issuer,
                                      mode)
    if "offline_access" in scopes:
        fields["refresh_token"] = opaque_token("oi_reft+jwt")
    FIELD_MUTATIONS.get(mode, lambda f: None)(fields)
    answer = oauth_json(200, fields)
    if mode == "truncated":
        answer = dataclasses.replace(
            answer, body=answer.body[:len(answer.body) // 2])
    return answer


# --- Endpoints ---------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class TokenRequest:
    method: str
    headers: object  # email.message.Message, looked up case-insensitively
    form: dict       # parse_qs() result, or None if not UTF-8
    client: str
    issuer: str


def parse_form(body):
    """Decode a form body; None if it is not UTF-8, which the token
    endpoint refuses rather than guessing at what a password was."""
    try:
        return urllib.parse.parse_qs(
            body.decode("utf-8"), keep_blank_values=True,
            strict_parsing=False, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None


def password_grant(req):
    """Check a token request in the order OpenIddict does; return the
    user name, password and scopes, or raise OAuthError."""
    if req.method != "POST":
        raise OAuthError(400, "invalid_request",
                         "The specified HTTP method is not valid.")
    content_type = req.headers.get("Content-Type")
    if not content_type:
        raise OAuthError(400, "invalid_request",
                         "The mandatory 'Content-Type' header is missing.")
    if content_type.split(";")[0].strip().lower() != FORM_TYPE:
        raise OAuthError(400, "invalid_request",
                         "The specified 'Content-Type' header is invalid.")
    if req.form is None:
        raise OAuthError(400, "invalid_request",
                         "The request body is not valid UTF-8 form data.")
    repeated = sorted(name for name, values in req.form.items()
                      if len(values) > 1)
    if repeated:
        raise OAuthError(400, "invalid_request",
                         f"The '{repeated[0]}' parameter must not be "
                         "repeated.")
    params = {name: values[0] for name, values in req.form.items()}

    if "client_id" in params or "Authorization" in req.headers:
        raise OAuthError(401, "invalid_client", CLIENT_ID_INVALID)

    grant_type = params.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", GRANT_TYPE_MISSING)
    if grant_type not in GRANT_TYPES:
        raise OAuthError(400, "unsupported_grant_type",
                         GRANT_TYPE_UNSUPPORTED)
    if grant_type == "client_credentials":
        raise OAuthError(401, "invalid_client",
                         "The mandatory 'client_id' parameter is missing.")
    if grant_type == "password" and not {"username",
                                         "password"} <= params.keys():
        raise OAuthError(400, "invalid_request",
                         "The mandatory 'username' and/or 'password' "
                         "parameters are missing.")

    scopes = [scope for scope in params.get("scope", "").split(" ")
              if scope]
    if not set(scopes) <= set(KNOWN_SCOPES):
        raise OAuthError(400, "invalid_scope", SCOPE_INVALID)

    # The stand-in issues no usable refresh tokens.
    if grant_type == "refresh_token":
        raise OAuthError(400, "invalid_grant",
                         "The specified refresh token is invalid.")
    return params["username"], params["password"], scopes


def token_answer(state, signer, req, config):
    """The token endpoint, after any delay, for every mode that answers."""
    if config.mode in FORCED_ANSWERS:
        return FORCED_ANSWERS[config.mode]

    retry_after = state.count_token_request(req.client)
    if retry_after is not None:
        return quota_exceeded(config.rate_limit, config.rate_window,
                              retry_after)
    try:
        username, password, scopes = password_grant(req)
    except OAuthError as refusal:
        return refusal.answer

    outcome = state.authenticate(username, password)
    if isinstance(outcome, str):
        return oauth_error(400, "invalid_grant", outcome)
    return success_answer(state, signer, outcome, scopes, req.issuer,
                          config.mode)


def rights_answer(state, authorization):
    """GetCurrentUsersRights for the holder of a bearer token."""
    scheme, _, token = (authorization or "").partition(" ")
    user = None
    if scheme.lower() == "bearer":
        user = state.user_for_token(token.strip())
    if user is None:
        return UNAUTHORIZED

    data = dict(RIGHTS_TEMPLATE, FullName=user.stored_name,
                EmailAddress="user@example.invalid")
    data.update(user.rights)
    now = datetime.datetime.now(datetime.timezone.utc)
    return json_answer(200, {
        "Data": data,
        "PageSize": 1,
        "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "v4",
        "Node": "standin",
        "Environment": "test",
        "RequestId": uuid.uuid4().hex,
        "Status": "success",
    })


def discovery_answer(issuer):
    return json_answer(200, {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH.lstrip("/"),
        "jwks_uri": issuer + JWKS_PATH.lstrip("/"),
        "grant_types_supported": list(GRANT_TYPES),
        "scopes_supported": list(KNOWN_SCOPES),
        "id_token_signing_alg_values_supported": ["RS256"],
    })


# --- Control API -------------------------------------------------------

def control_user(state, obj):
    user = user_from_json(obj)
    state.add_user(user)
    return {"username": user.username, "sub": user.sub,
            "stored_name": user.stored_name}


def control_reset(state, obj):
    state.reset()
    return {"ok": True}


CONTROL_ACTIONS = {
    ("POST", "reset"): control_reset,
    ("POST", "user"): control_user,
    ("POST", "config"): lambda state, obj: state.configure(obj),
    ("GET", "requests"): lambda state, obj: state.request_log(),
    ("GET", "state"): lambda state, obj: state.summary(),
}


def control_answer(state, method, name, body):
    action = CONTROL_ACTIONS.get((method, name))
    if action is None:
        return NOT_FOUND
    try:
        obj = json.loads(body) if body.strip() else {}
        if not isinstance(obj, dict):
            raise ControlError("the body must be a JSON object")
        return json_answer(200, action(state, obj))
    except ValueError:
        return json_answer(400, {"error": "the body is not JSON"})
    except ControlError as error:
        return json_answer(400, {"error": str(error)})


# --- HTTP --------------------------------------------------------------

class RequestError(Exception):
    """A request that cannot be read; answered with STATUS and closed."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def header_dict(headers):
    """Lowercased names; repeated headers joined as HTTP allows."""
    out = {}
    for name, value in headers.items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    # Header and body go out in two sends; like Kestrel, do not let
    # Nagle's algorithm hold the body back for the client's delayed ACK.
    disable_nagle_algorithm = True

    def version_string(self):
        """The Server header ASP.NET Core sends."""
        return "Kestrel"

    def handle(self):
        """Do the TLS handshake here, in this connection's thread, so a
        slow or failing client cannot stall the accept loop."""
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError) as error:
            self.log_message("TLS handshake failed: %s", error)
            return
        super().handle()

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def dispatch(self):
        try:
            body = self._read_body()
        except RequestError as error:
            self.close_connection = True
            self._send(Answer(error.status,
                              headers=(("Connection", "close"),)))
            return

        path = urllib.parse.urlsplit(self.path).path
        route = path.lower()
        if path.startswith(CONTROL_PREFIX):
            self._send(control_answer(self.server.state, self.command,
                                      path[len(CONTROL_PREFIX):], body))
        elif route == TOKEN_PATH.lower():
            self._serve_token(body)
        elif route == RIGHTS_PATH.lower():
            self._serve_rights(body)
        elif route == DISCOVERY_PATH and self.command == "GET":
            self._send(discovery_answer(self._issuer()))
        elif route == JWKS_PATH and self.command == "GET":
            self._send(json_answer(200, {"keys": [self.server.signer.jwk]}))
        else:
            self._send(NOT_FOUND)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = dispatch

    def _serve_token(self, body):
        state = self.server.state
        config = state.config()
        form = parse_form(body)
        entry = self._log_request(form, body)
        if config.delay_ms:
            time.sleep(config.delay_ms / 1000)

        if config.mode == "hang":
            self._hold("hang")
            return
        if config.mode == "close":
            self.close_connection = True
            return

        req = TokenRequest(self.command, self.headers, form,
                           self.client_address[0], self._issuer())
        answer = token_answer(state, self.server.signer, req, config)
        if config.mode == "slow_body" and answer.status == 200:
            self._dribble(answer, entry)
        else:
            self._send(answer, entry)

    def _serve_rights(self, body):
        config = self.server.state.config()
        entry = self._log_request({}, body)
        if config.mode == "rights_hang":
            self._hold("rights_hang")
            return
        answer = RIGHTS_ANSWERS.get(config.mode) or rights_answer(
            self.server.state, self.headers.get("Authorization"))
        self._send(answer, entry)

    def _issuer(self):
        return f"https://127.0.0.1:{self.server.server_address[1]}/"

    def _log_request(self, form, body):
        values = {name: vals[0] if len(vals) == 1 else vals
                  for name, vals in (form or {}).items()}
        return self.server.state.log_request({
            "endpoint": self.server.endpoint_name,
            # The client's port tells which connection a request came on.
            "client_port": self.client_address[1],
            "method": self.command,
            "path": self.path,
            "headers": header_dict(self.headers),
            "form": values,
            "raw_body": body.decode("latin-1"),
            "status": None,
        })

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not re.fullmatch(r"[0-9]+", length.strip()):
            raise RequestError(400)
        size = int(length)
        if size > MAX_BODY:
            raise RequestError(413)
        body = self.rfile.read(size)
        if len(body) < size:
            raise ConnectionAbortedError("the client sent a short body")
        return body

    def _read_chunked(self):
        """Kestrel accepts a chunked body (libcurl sends one when it does
        not know the length up front), so the stand-in does too."""
        body = bytearray()
        while True:
            size_field = self.rfile.readline(MAX_LINE).split(b";")[0].strip()
            if not re.fullmatch(rb"[0-9A-Fa-f]+", size_field):
                raise RequestError(400)
            size = int(size_field, 16)
            if size == 0:
                break
            if len(body) + size > MAX_BODY:
                raise RequestError(413)
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(MAX_LINE).strip():
                raise RequestError(400)
            body += chunk
        while self.rfile.readline(MAX_LINE).strip():
            pass  # trailer fields, unused
        return bytes(body)

    def _send_head(self, answer, entry):
        if entry is not None:
            self.server.state.set_status(entry, answer.status)
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()

    def _send(self, answer, entry=None):
        self._send_head(answer, entry)
        self.wfile.write(answer.body)

    def _dribble(self, answer, entry):
        """Send the body a byte a second, for clients' transfer timeouts;
        stop when the mode changes or the client goes away."""
        self._send_head(answer, entry)
        for offset in range(len(answer.body)):
            self.wfile.write(answer.body[offset:offset + 1])
            if self.server.state.wait_for_mode_change("slow_body", 1):
                self.close_connection = True
                return

    def _hold(self, mode):
        """Keep the connection open without answering, as a stuck server
        or middlebox does, until the mode changes or HANG_SECONDS pass;
        then close it."""
        self.server.state.wait_for_mode_change(mode, HANG_SECONDS)
        self.close_connection = True


class EndpointServer(http.server.ThreadingHTTPServer):
    """One HTTPS listener on 127.0.0.1; all of them share STATE."""

    # Fifty clients at once must not find the listen queue full: each SYN
    # dropped costs its client a one-second retry.
    request_queue_size = 128

    def __init__(self, name, tls, state, signer, verbose):
        self.endpoint_name = name
        self.tls = tls
        self.state = state
        self.signer = signer
        self.verbose = verbose
        super().__init__(("127.0.0.1", 0), Handler)

    def server_bind(self):
        """Skip HTTPServer's reverse DNS lookup of the address, which can
        stall start-up on a machine without a resolver."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        """Accept without the TLS handshake; Handler.handle does it."""
        sock, address = self.socket.accept()
        return self.tls.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), address

    def handle_error(self, request, client_address):
        """Clients that hang up or fail TLS are what many tests do on
        purpose; only other errors deserve a traceback."""
        error = sys.exc_info()[1]
        quiet = (ConnectionError, TimeoutError, ssl.SSLError)
        if self.verbose or not isinstance(error, quiet):
            super().handle_error(request, client_address)


def tls_context(certs, base):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    cert, key = (os.path.join(certs, base + ext) for ext in (".pem", ".key"))
    try:
        context.load_cert_chain(cert, key)
    except OSError as error:
        # ssl's own message names neither file.
        sys.exit(f"resgrid_standin.py: cannot load {cert} and {key}: {error}")
    return context


def write_port_file(state_dir, name, port):
    """Readers poll for this file; the rename makes it appear whole."""
    path = os.path.join(state_dir, name + ".port")
    with open(path + ".tmp", "w", encoding="ascii") as out:
        out.write(f"{port}\n")
    os.replace(path + ".tmp", path)


def endpoint_arg(text):
    name, _, base = text.partition("=")
    if not (re.fullmatch(r"[A-Za-z0-9_-]+", name)
            and re.fullmatch(r"[A-Za-z0-9_-]+", base)):
        raise argparse.ArgumentTypeError(f"expected NAME=BASE, got {text!r}")
    return name, base


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--certs", required=True,
                        help="directory made by make-certs.sh")
    parser.add_argument("--state-dir", required=True,
                        help="where NAME.port files are written")
    parser.add_argument("--endpoint", action="append", type=endpoint_arg,
                        metavar="NAME=BASE",
                        help="listener NAME serving BASE.pem/BASE.key "
                        "(default: main=server); may be repeated")
    parser.add_argument("--verbose", action="store_true",
                        help="log requests and connection errors")
    args = parser.parse_args(argv)
    args.endpoint = args.endpoint or [("main", "server")]
    names = [name for name, _ in args.endpoint]
    if len(set(names)) != len(names):
        parser.error("endpoint names must be unique")
    return args


def exit_cleanly(signum, frame):
    """SIGTERM and SIGINT end the main thread's wait; serving threads are
    then shut down and the process exits 0."""
    raise SystemExit(0)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_cleanly)
    signal.signal(signal.SIGINT, exit_cleanly)

    state = State()
    signer = IdTokenSigner(os.path.join(args.certs, "idtoken.key"))
    servers = [EndpointServer(name, tls_context(args.certs, base), state,
                              signer, args.verbose)
               for name, base in args.endpoint]
    os.makedirs(args.state_dir, exist_ok=True)
    for server in servers:
        write_port_file(args.state_dir, server.endpoint_name,
                        server.server_address[1])

    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            signal.pause()
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
