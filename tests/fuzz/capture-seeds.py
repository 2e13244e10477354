#!/usr/bin/env python3
"""Makes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/).

    python3 tests/fuzz/capture-seeds.py [CORPUS_DIR]

Real answers come from the stand-in Resgrid server: it is started on
loopback, logins are made with the curl command-line tool trusting the
stand-in's CA, and the bodies are saved, in every failure mode the
stand-in has.  The bodies of the API contract (shared resgrid-api.md),
records in the cache's format, configuration files and user maps are
written out here, and each corpus gets hostile variants: huge, deeply
nested, NUL bytes, bad UTF-8, duplicate keys, numbers as strings.

Seeds are named after what they are.  Inputs that once broke a harness
live beside them as regression-*, and this script leaves those alone.
"""

import base64
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "standin"))

from standin import Standin  # noqa: E402

USER = "responder"
PASSWORD = "Engine 7 & Ladder=3 +%; 'q' \\ ÅØé"

# fuzz_token's header: the index of the status in its table, or 0-255
# for status/4, then the libcurl error, flags, and the user's length.
STATUS_INDEX = {200: 0, 400: 1, 401: 2, 429: 3, 500: 4, 302: 5, 0: 6,
                503: 7, 201: 8, 403: 9, 404: 10, 301: 11, 307: 12, 502: 13,
                204: 14, 100: 15}

FAILURE_MODES = [
    "http500", "http502", "http503", "http429", "redirect", "portal",
    "empty200", "emptyobject", "notobject", "invalid_client",
    "invalid_scope", "unsupported_grant_type", "invalid_request",
    "no_access_token", "empty_access_token", "access_token_number",
    "token_type_mac", "token_type_lower", "no_token_type",
    "idtoken_garbage", "no_id_token", "idtoken_badjson",
    "idtoken_wrong_name", "idtoken_no_name", "truncated",
]


def token_seed(status, body, user=USER, curl_code=0, oversized=False):
    name = user.encode()
    header = bytes([STATUS_INDEX[status], 0 if curl_code == 0 else
                    199 + curl_code, 1 if oversized else 0, len(name)])
    return header + name + body


class Corpus:
    def __init__(self, root):
        self.root = Path(root)

    def put(self, harness, name, data):
        folder = self.root / harness
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode()
        (folder / name).write_bytes(data)


def curl(server, path, form=None, token=None):
    """Status and body of one request made by the curl tool."""
    with tempfile.NamedTemporaryFile() as out:
        command = ["curl", "-sS", "--cacert", server.ca_file, "-o", out.name,
                   "-w", "%{http_code}", "--max-time", "20"]
        for key, value in (form or {}).items():
            command += ["--data-urlencode", f"{key}={value}"]
        if token is not None:
            command += ["-H", f"Authorization: Bearer {token}"]
        command.append(server.url() + path)
        status = subprocess.run(command, check=True, capture_output=True,
                                text=True).stdout
        return int(status), Path(out.name).read_bytes()


def login(server, user=USER, password=PASSWORD, scope="openid profile"):
    return curl(server, "/api/v4/connect/token",
                {"grant_type": "password", "username": user,
                 "password": password, "scope": scope})


def capture(corpus):
    with tempfile.TemporaryDirectory() as work, \
            Standin().start(work) as server:
        server.configure(rate_limit=10000)
        server.add_user(USER, PASSWORD, stored_name="Responder",
                        rights={"IsAdmin": True, "DepartmentCode": "ST1"})
        server.add_user("locked.out", "x", disabled=True)
        server.add_user("capped", "x", session_limit=True)
        server.add_user("gone", "x", not_allowed=True)

        status, body = login(server)
        corpus.put("token", "standin-success", token_seed(status, body))
        corpus.put("token", "standin-success-other-case",
                   token_seed(status, body, user="RESPONDER"))
        corpus.put("token", "standin-success-wrong-user",
                   token_seed(status, body, user="medic"))
        access = json.loads(body)["access_token"]
        corpus.put("idtoken", "standin", json.loads(body)["id_token"])
        status, rights = curl(server, "/api/v4/Security/GetCurrentUsersRights",
                              token=access)
        corpus.put("rights", "standin-admin", rights)
        status, rights = curl(server, "/api/v4/Security/GetCurrentUsersRights",
                              token="not-a-token")
        corpus.put("rights", "standin-401-empty", rights)

        status, body = login(server, scope="openid profile offline_access")
        corpus.put("token", "standin-success-refresh", token_seed(status, body))
        status, body = login(server, scope="openid")
        corpus.put("token", "standin-success-openid-only",
                   token_seed(status, body))
        status, body = login(server, scope="openid nonsense")
        corpus.put("token", "standin-unknown-scope", token_seed(status, body))
        for name, user, password in [("wrong-password", USER, "nope"),
                                     ("disabled", "locked.out", "x"),
                                     ("session-limit", "capped", "x"),
                                     ("not-allowed", "gone", "x"),
                                     ("unknown-user", "nobody", "x")]:
            status, body = login(server, user, password)
            corpus.put("token", f"standin-{name}",
                       token_seed(status, body, user=user))

        for mode in FAILURE_MODES:
            server.set_mode(mode)
            status, body = login(server)
            corpus.put("token", f"standin-{mode}", token_seed(status, body))
            if mode.startswith("idtoken_") and status == 200:
                token = json.loads(body).get("id_token")
                if isinstance(token, str):
                    corpus.put("idtoken", f"standin-{mode}", token)
        server.set_mode("normal")

        for mode in ("rights_500", "rights_401", "rights_garbage"):
            status, body = login(server)
            access = json.loads(body)["access_token"]
            server.set_mode(mode)
            status, rights = curl(
                server, "/api/v4/Security/GetCurrentUsersRights",
                token=access)
            corpus.put("rights", f"standin-{mode}", rights)
            server.set_mode("normal")


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(header, payload, signature="c2lnbmF0dXJl"):
    def part(p):
        return b64url(p if isinstance(p, (bytes, str)) else json.dumps(p))
    return f"{part(header)}.{part(payload)}.{signature}"


def contract_token(corpus):
    """The contract's bodies, and hostile variants of them."""
    idt = jwt({"alg": "RS256", "kid": "k1", "typ": "JWT"},
              {"sub": "2b5a1f0e-3c1d-4c4e-9d7b-1f6a2a7c9e11",
               "name": USER, "iss": "https://api.resgrid.com/",
               "iat": 1733230000, "nbf": 1733230000, "exp": 1733231200,
               "at_hash": "x1", "jti": "j", "oi_au_id": "a",
               "oi_tkn_id": "t"})
    ok = {"access_token": "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d",
          "token_type": "Bearer", "expires_in": 86398, "id_token": idt}
    pretty = json.dumps(ok, indent=2).encode()
    bodies = {
        "contract-success": (200, pretty),
        "contract-success-compact": (200, json.dumps(ok).encode()),
        "contract-generic-refusal": (400, json.dumps(
            {"error": "invalid_grant",
             "error_description": "The username or password is invalid.",
             "error_uri": "https://documentation.openiddict.com/errors/"
                          "ID2024"}, indent=2).encode()),
        "contract-session-limit": (400, json.dumps(
            {"error": "invalid_grant", "error_description":
             "The department's maximum number of active sessions has "
             "been reached."}).encode()),
        "contract-invalid-client-401": (401, json.dumps(
            {"error": "invalid_client", "error_description": "x"}).encode()),
        "contract-429-text": (429, b"API calls quota exceeded! maximum "
                              b"admitted 4 per 60s."),
        "contract-500-empty": (500, b""),
        "hostile-description-escapes": (400, json.dumps(
            {"error": "invalid_grant", "error_description":
             "line\nforged: \x1b[31mred\\ \u00e9\u202e"}).encode()),
        "hostile-description-long": (400, json.dumps(
            {"error": "invalid_grant",
             "error_description": "A" * 3000}).encode()),
        "hostile-duplicate-keys": (200, b'{"access_token":"a","token_type":'
                                   b'"Bearer","access_token":"b"}'),
        "hostile-expires-string": (200, json.dumps(
            dict(ok, expires_in="86398")).encode()),
        "hostile-expires-huge": (200, json.dumps(
            dict(ok, expires_in=10**18)).encode()),
        "hostile-expires-negative": (200, json.dumps(
            dict(ok, expires_in=-5)).encode()),
        "hostile-expires-float": (200, b'{"access_token":"a","token_type":'
                                  b'"Bearer","expires_in":1e400}'),
        "hostile-token-type-number": (200, json.dumps(
            dict(ok, token_type=1)).encode()),
        "hostile-id-token-object": (200, json.dumps(
            dict(ok, id_token={"name": USER})).encode()),
        "hostile-id-token-alg-none": (200, json.dumps(dict(
            ok, id_token=jwt({"alg": "none"}, {"sub": "1", "name": USER})))
            .encode()),
        "hostile-nul-in-body": (200, pretty[:20] + b"\0" + pretty[20:]),
        "hostile-nul-escape": (200, b'{"access_token":"a\\u0000b",'
                               b'"token_type":"Bearer"}'),
        "hostile-bad-utf8": (400, b'{"error":"invalid_grant",'
                             b'"error_description":"\xff\xfe\xc0\xaf"}'),
        "hostile-nested": (200, b"[" * 2000 + b"]" * 2000),
        "hostile-nested-object": (400, b'{"error":' * 300 + b'1' +
                                  b"}" * 300),
        "hostile-error-array": (400, b'{"error":["invalid_grant"]}'),
        "hostile-invalid-grant-on-401": (401, b'{"error":"invalid_grant"}'),
        "hostile-bom": (200, b"\xef\xbb\xbf" + pretty),
        "hostile-trailing-garbage": (200, pretty + b" {}"),
    }
    for name, (status, body) in bodies.items():
        corpus.put("token", name, token_seed(status, body))
    corpus.put("token", "curl-timeout", token_seed(0, b"", curl_code=28))
    corpus.put("token", "oversized-success",
               token_seed(200, pretty, oversized=True))
    corpus.put("token", "hostile-huge-padding", token_seed(200, json.dumps(
        dict(ok, padding="x" * 4000)).encode()))

    corpus.put("idtoken", "contract", idt)
    corpus.put("idtoken", "hostile-alg-none",
               jwt({"alg": "none"}, {"sub": "1", "name": USER}))
    corpus.put("idtoken", "hostile-no-signature",
               jwt({"alg": "RS256"}, {"sub": "1", "name": USER}, ""))
    corpus.put("idtoken", "hostile-padding",
               jwt({"alg": "RS256"}, {"sub": "1", "name": USER}) + "==")
    corpus.put("idtoken", "hostile-name-number",
               jwt({"alg": "RS256"}, {"sub": "1", "name": 7}))
    corpus.put("idtoken", "hostile-times-strings",
               jwt({"alg": "RS256"}, {"sub": "1", "name": USER,
                                      "exp": "1733231200", "iat": -1}))
    corpus.put("idtoken", "hostile-duplicate-name",
               jwt({"alg": "RS256"},
                   b'{"sub":"1","name":"medic","name":"responder"}'))
    corpus.put("idtoken", "hostile-nul-escape",
               jwt({"alg": "RS256"}, b'{"sub":"1","name":"resp\\u0000x"}'))
    corpus.put("idtoken", "hostile-bad-utf8",
               jwt({"alg": "RS256"}, b'{"sub":"1","name":"\xff\xfe"}'))
    corpus.put("idtoken", "hostile-nested",
               jwt({"alg": "RS256"}, b"[" * 1000 + b"]" * 1000))
    corpus.put("idtoken", "hostile-four-parts",
               jwt({"alg": "RS256"}, {"sub": "1", "name": USER}) + ".eA")
    corpus.put("idtoken", "hostile-one-leftover-char", "eyJh.eyJzdWIiOiIxIn0x.x")


RIGHTS = {"DepartmentName": "Station 1 FD", "DepartmentCode": "ST1",
          "DepartmentId": "1", "FullName": "Pat Responder",
          "EmailAddress": "pat@example.invalid", "IsAdmin": False,
          "CanViewPII": False, "CanCreateCalls": True, "CanAddNote": True,
          "CanCreateMessage": True, "CanCreateWorkflow": False,
          "CanLoginToDispatchApp": True, "CanLoginToCommandApp": False,
          "CanManageWorkflowCredentials": False,
          "CanViewWorkflowRuns": False,
          "Groups": [{"GroupId": "12", "IsGroupAdmin": False}]}


def envelope(data):
    return json.dumps({"Data": data, "PageSize": 1,
                       "Timestamp": "2026-12-03T16:00:00Z", "Version": "v4",
                       "Node": "n", "Environment": "prod",
                       "RequestId": "r", "Status": "success"},
                      indent=2).encode()


def contract_rights(corpus):
    corpus.put("rights", "contract", envelope(RIGHTS))
    variants = {
        "nulls": dict(RIGHTS, FullName=None, EmailAddress=None,
                      DepartmentName=None),
        "no-groups": dict(RIGHTS, Groups=[]),
        "group-admin": dict(RIGHTS, Groups=[{"GroupId": "7",
                                             "IsGroupAdmin": True}]),
        "many-groups": dict(RIGHTS, Groups=[
            {"GroupId": str(i), "IsGroupAdmin": i % 2 == 0}
            for i in range(64)]),
        "too-many-groups": dict(RIGHTS, Groups=[
            {"GroupId": str(i), "IsGroupAdmin": False} for i in range(65)]),
        "id-number": dict(RIGHTS, DepartmentId=1),
        "admin-string": dict(RIGHTS, IsAdmin="true"),
        "group-id-number": dict(RIGHTS, Groups=[{"GroupId": 12,
                                                 "IsGroupAdmin": False}]),
        "group-not-object": dict(RIGHTS, Groups=["12"]),
        "empty-code": dict(RIGHTS, DepartmentCode=""),
        "groups-object": dict(RIGHTS, Groups={"GroupId": "1"}),
    }
    for name, data in variants.items():
        corpus.put("rights", f"hostile-{name}", envelope(data))
    corpus.put("rights", "hostile-data-array", envelope([RIGHTS]))
    corpus.put("rights", "hostile-duplicate-keys",
               b'{"Data":{"DepartmentId":"1","DepartmentCode":"A",'
               b'"IsAdmin":false,"Groups":[],"IsAdmin":true}}')
    corpus.put("rights", "hostile-nested", b'{"Data":' + b"[" * 2000 +
               b"]" * 2000 + b"}")
    corpus.put("rights", "hostile-bad-utf8",
               b'{"Data":{"DepartmentId":"\xc3\x28","DepartmentCode":"A",'
               b'"IsAdmin":false,"Groups":[]}}')
    corpus.put("rights", "hostile-nul", envelope(RIGHTS)[:30] + b"\0")
    corpus.put("rights", "cache-form", json.dumps(
        {"department_id": "1", "department_code": "ST1",
         "department_name": "Station 1 FD", "full_name": None,
         "email": None, "is_admin": True,
         "groups": [{"id": "12", "admin": True}]}))


def record(**changes):
    r = {"version": 1, "user": USER,
         "sub": "2b5a1f0e-3c1d-4c4e-9d7b-1f6a2a7c9e11", "name": "Responder",
         "iss": "https://api.resgrid.com/", "id_exp": 1733231200,
         "token_expires": 1733316398, "online_at": 1733230000,
         "verifier": "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317"
                     "fhZg9SqC.5i5rd.RhAtQ7",
         "failures": 0, "locked_until": 0,
         "rights": {"department_id": "1", "department_code": "ST1",
                    "department_name": "Station 1 FD",
                    "full_name": "Pat Responder", "email": None,
                    "is_admin": False, "groups": [{"id": "12",
                                                   "admin": False}]},
         "rights_at": 1733230000}
    r.update(changes)
    return json.dumps(r, indent=2).encode()


def contract_record(corpus):
    corpus.put("record", "record", record())
    corpus.put("record", "revoked-no-rights",
               record(verifier=None, rights=None, rights_at=0, sub=None,
                      name=None, iss=None))
    corpus.put("record", "locked", record(failures=5,
                                          locked_until=1733231100))
    hostile = {
        "version-2": record(version=2),
        "version-string": record(version="1"),
        "empty-user": record(user=""),
        "verifier-md5": record(verifier="$1$abc$def"),
        "future-overflow": record(token_expires=2**63 - 1),
        "negative-online": record(online_at=-1),
        "life-too-long": record(token_expires=1733230000 + 31 * 86400),
        "failures-huge": record(failures=10**12),
        "times-as-strings": record(online_at="1733230000"),
        "float-time": record(id_exp=1.5),
        "rights-array": record(rights=[]),
        "rights-bad": record(rights={"department_id": "1"}),
        "rights-at-without-rights": record(rights=None),
        "rights-without-rights-at": record(rights_at=0),
        "rights-at-negative": record(rights_at=-1),
        "rights-at-overflow": record(rights_at=2**63 - 1),
    }
    for name, text in hostile.items():
        corpus.put("record", f"hostile-{name}", text)
    extra = json.loads(record())
    extra["extra"] = 1
    corpus.put("record", "hostile-extra-field", json.dumps(extra))
    missing = json.loads(record())
    del missing["failures"]
    corpus.put("record", "hostile-missing-field", json.dumps(missing))
    corpus.put("record", "hostile-duplicate-user",
               record().replace(b'"user": "responder"',
                                b'"user": "responder", "user": "root"'))
    corpus.put("record", "hostile-nul-escape",
               record().replace(b'"responder"', b'"resp\\u0000onder"'))
    corpus.put("record", "hostile-bad-utf8",
               record().replace(b'"Responder"', b'"\xed\xa0\x80"'))
    corpus.put("record", "hostile-nested", b'{"rights":' + b"[" * 2000 +
               b"]" * 2000 + b"}")
    corpus.put("record", "hostile-truncated", record()[:200])


def configs(corpus):
    full = ("# pam_resgrid.conf\n"
            "api_url = https://api.resgrid.com/\n"
            "ca_file = /etc/ssl/certs/ca-certificates.crt\n"
            "connect_timeout = 3s\ntimeout = 10s\n"
            "scope = openid profile\nminimum_uid = 1000\ndebug = no\n"
            "cache_dir = /var/cache/pam_resgrid\noffline_grace = 3d\n"
            "offline_max_failures = 5\noffline_lockout = 15m\n"
            "verifier_cost = 5\noutage_memory = 60s\n"
            "require_department = ST1\nrequire_group = 12,13\n"
            "require_admin = no\nrequire_group_admin = false\n"
            "user_map = /etc/security/pam_resgrid.map\n")
    seeds = {
        "full": full,
        "empty": "",
        "crlf": full.replace("\n", "\r\n"),
        "grace-off": "offline_grace = off\n",
        "self-hosted": "api_url = https://resgrid.county.example:8443/api/\n",
        "arguments": "\0debug\0use_first_pass\0timeout=5\0offline_grace=0"
                     "\0require_admin=yes\0authtok_type=Resgrid",
        "hostile-http-url": "api_url = http://api.resgrid.com\n",
        "hostile-url-userinfo": "api_url = https://u:p@host/x?y#z\n",
        "hostile-unknown-key": "api_uri = https://api.resgrid.com\n",
        "hostile-timeouts": "timeout = 999999999999999999999\n"
                            "connect_timeout = 9d\n",
        "hostile-control-chars": "scope = openid\x1b[2J\n",
        "hostile-no-equals": "just some words\n",
        "hostile-long-value": "scope = " + "a" * 2000 + "\n",
        "hostile-bad-utf8": "require_department = \xff\xfe\n",
        "hostile-duplicate-keys": "timeout = 5\ntimeout = 7\ntimeout = x\n",
        "hostile-argument-overrides": "timeout = 5\0timeout=301\0"
                                      "config=relative.conf",
        "hostile-long-argument-name": "\0" + "k" * 100 + "=1",
        "hostile-group-list": "require_group = 1,,2\n",
        "hostile-numbers-as-words": "minimum_uid = one thousand\n",
    }
    for name, text in seeds.items():
        corpus.put("config", name, text.encode("latin-1"))
    corpus.put("config", "hostile-many-lines", "# c\n" * 1500)


def usermaps(corpus):
    seeds = {
        "map": "# local resgrid\nresponder Pat Responder\n"
               "medic medic@county.example\n",
        "lookup-crew": "crew01\0crew01 Crew One\ncrew02 Crew Two\n",
        "hostile-mapped-twice": "responder a\nresponder b\n",
        "hostile-bad-name": "responder pat!\n",
        "hostile-no-remote": "responder\n",
        "hostile-tabs-crlf": "\tresponder\t\tPat  R\t\r\n",
        "hostile-nul-in-file": "responder a\n\0medic b\n",
        "hostile-long-name": "responder " + "a" * 300 + "\n",
        "hostile-bad-utf8": "responder \xc3\x28\n",
        "hostile-control-local": "resp\x1bonder\0resp\x1bonder x\n",
        "hostile-many-lines": "# c\n" * 1000 + "responder x\n",
    }
    for name, text in seeds.items():
        corpus.put("usermap", name, text.encode("latin-1"))


def main():
    corpus = Corpus(sys.argv[1] if len(sys.argv) > 1 else HERE / "corpus")
    capture(corpus)
    contract_token(corpus)
    contract_rights(corpus)
    contract_record(corpus)
    configs(corpus)
    usermaps(corpus)


if __name__ == "__main__":
    main()
