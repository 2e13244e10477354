#!/usr/bin/env python3
"""Benchmark of pam_resgrid against what an administrator could use
instead (issue 7, "Benchmark").

    tests/bench/bench.py [--build DIR] [--baseline DIR] [--runs N]
                         [--driver pamtester|pam-drive] [--profile]
                         [--json FILE] [--keep]

Everything runs on loopback against the stand-in Resgrid server over
HTTPS, with a test CA made for the run, in one go:

  1. the bare token exchange by the curl CLI (the floor);
  2. a PAM driver + pam_exec + a curl script (tests/bench/curl-login.sh);
  3. the driver + pam_resgrid online (verifier and durable cache write
     included; the cache lives under /var/tmp, on the real disk), and
     1 and 3 again trusting the system's CAs plus the test CA;
  4. 1, 2 and 3 again behind a relay that holds each chunk 25 ms in each
     direction (a 50 ms round trip);
  5. pam_resgrid offline (connection refused, usable record) next to
     pam_unix checking a yescrypt hash of the same cost;
  6. a blackholed server: the first login, and the ones after it while the
     outage is remembered;
  7. 50 concurrent logins of different users;
  8. peak memory of every case.

The driver is pamtester (default) or the build's tests/pam-drive; the
driver with pam_permit alone is measured too, and subtracted where a PAM
login is compared with something that has no driver.  Every client runs
under spawn.c, which times it from fork to reaping and takes CPU and
peak memory from wait4(): the client's whole process tree (pam_exec's
shell, tr and curl included) and nothing of the server's.  Cases run
interleaved, in a shuffled order each round, so drift hits them alike.

The build under test is DIR (default: the tree this script is in; also
PRG_BUILD): DIR/.libs/pam_resgrid.so and DIR/tests/pam-drive.  With
--baseline (or PRG_BASELINE), a second build's module is measured in the
same rounds, case for case, so that before and after meet the same load.
--profile adds callgrind and strace views (profile_login.py).  Needs root:
pam_unix reads /etc/shadow and pamtester /etc/pam.d, so the script
re-runs itself in a private mount namespace (unshare -m) and bind-mounts
its own files over those two there.  Nothing on the host changes.
"""

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOP_SRCDIR = HERE.parents[1]
sys.path.insert(0, str(TOP_SRCDIR / "tests" / "integration"))
sys.path.insert(0, str(TOP_SRCDIR / "tests" / "standin"))

from harness import nss_wrapper  # noqa: E402
from standin import Standin  # noqa: E402

import profile_login  # noqa: E402

PASSWORD = "Engine 7 & Ladder=3 +%"
TOKEN_PATH = "/api/v4/connect/token"
RIGHTS_PATH = "/api/v4/Security/GetCurrentUsersRights"
VERIFIER_COST = 5  # pam_resgrid's default verifier_cost
DELAY_MS = 25
CROWD = 50
CROWD_BATCHES = 3
WARM_UP = 2
NAMESPACE_FLAG = "PRG_BENCH_NAMESPACE"

# Every case has a user of its own, so the stand-in's log tells how many
# of its logins it granted.  The module's cases exist once per build
# measured; the baseline's names end in BASELINE.
CLIENT_USERS = ["cli", "exec", "cli50", "exec50", "clisys"]
MODULE_USERS = ["online", "onlinebare", "online50", "onlinesys", "offline",
                "blackhole"]
CREW = [f"crew{i:02d}" for i in range(CROWD)]
BASELINE = "-base"
SYSTEM_CERTS = Path("/etc/ssl/certs")
SYSTEM_BUNDLE = "ca-certificates.crt"


def say(text):
    print(text, file=sys.stderr, flush=True)


# --- Running a client and measuring it ---------------------------------

@dataclass
class Sample:
    wall: float  # seconds, spawn to reaping
    cpu: float   # seconds, user + system of the whole process tree
    rss: int     # KiB, the largest peak of any process in the tree
    ok: bool
    out: str = ""
    start: float = 0.0  # CLOCK_MONOTONIC seconds, fork
    end: float = 0.0    # CLOCK_MONOTONIC seconds, reaped


class Client:
    """One client process, started through the spawn launcher (spawn.c),
    which reports its wall time, CPU and peak memory."""

    launcher = None  # the compiled spawn, set by World.start()
    results = None   # where it writes its reports
    count = 0

    def __init__(self, argv, env, stdin=b""):
        Client.count += 1
        self._result = Client.results / str(Client.count)
        self._out = tempfile.TemporaryFile()
        # Standard input is written before the client starts (it is
        # small, so the pipe holds it): a client that never reads it
        # cannot break the pipe.
        read_end, write_end = os.pipe()
        os.write(write_end, stdin)
        os.close(write_end)
        self.proc = subprocess.Popen(
            [str(Client.launcher), str(self._result), *argv],
            stdin=read_end, stdout=self._out, stderr=subprocess.STDOUT,
            env=env)
        os.close(read_end)

    def reap(self, check):
        if self.proc.wait() != 0:
            raise RuntimeError(f"spawn failed for {self.proc.args}")
        wall_us, cpu_us, rss, code, start_us, end_us = map(
            int, self._result.read_text().split())
        self._result.unlink()
        self._out.seek(0)
        out = self._out.read().decode(errors="replace")
        self._out.close()
        return Sample(wall_us / 1e6, cpu_us / 1e6, rss, check(code, out), out,
                      start_us / 1e6, end_us / 1e6)


def run_client(argv, env, stdin, check):
    return Client(argv, env, stdin).reap(check)


def exit_zero(code, out):
    return code == 0


@dataclass
class Series:
    """The samples of one case, and the figures the report needs."""

    name: str
    label: str
    samples: list = field(default_factory=list)

    def add(self, sample):
        self.samples.append(sample)

    def good(self):
        return [s for s in self.samples if s.ok]

    def errors(self):
        return sum(1 for s in self.samples if not s.ok)

    def median(self, attr):
        values = [getattr(s, attr) for s in self.good()]
        return statistics.median(values) if values else float("nan")

    def quantile(self, attr, q):
        values = sorted(getattr(s, attr) for s in self.good())
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(q * len(values)))]

    def summary(self):
        return {"label": self.label, "runs": len(self.samples),
                "errors": self.errors(),
                "wall_ms": 1000 * self.median("wall"),
                "wall_p90_ms": 1000 * self.quantile("wall", 0.9),
                "cpu_ms": 1000 * self.median("cpu"),
                "rss_kib": self.median("rss")}


# --- The world the clients run in --------------------------------------

def closed_port():
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} answered")
    return port


def yescrypt_hash(password, cost):
    """A hash as pam_unix would find it in /etc/shadow (mkpasswd is in
    Debian's whois package)."""
    done = subprocess.run(
        ["mkpasswd", "--method=yescrypt", f"--rounds={cost}", "--stdin"],
        input=password.encode(), capture_output=True, check=True)
    return done.stdout.decode().strip()


def wait_for_file(path, proc, seconds=10):
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{path.name} never appeared")
        time.sleep(0.02)
    return int(path.read_text())


class World:
    """Accounts, PAM services, the stand-in and the relays, all under one
    folder in /var/tmp."""

    def __init__(self, build, baseline, driver):
        self.build = Path(build).resolve()
        self.baseline = Path(baseline).resolve() if baseline else None
        self.modules = {"": self.build / ".libs" / "pam_resgrid.so"}
        if self.baseline is not None:
            self.modules[BASELINE] = (self.baseline / ".libs"
                                      / "pam_resgrid.so")
        self.drive = self.build / "tests" / "pam-drive"
        self.users = (["permit", "unixuser"] + CLIENT_USERS
                      + [user + tag for tag in self.modules
                         for user in MODULE_USERS] + CREW)
        self.driver = driver
        self.dir = Path(tempfile.mkdtemp(prefix="prg-bench-", dir="/var/tmp"))
        self.pamd = self.dir / "pam.d"
        self.pamd.mkdir()
        self.helpers = []
        self.server = None

    def start(self):
        self._launcher()
        self._accounts()
        self.server = Standin().start(self.dir)
        self.ca = self.server.ca_file
        self._system_trust()
        self.url = self.server.url()
        self.server.configure(rate_limit=0)
        for user in self.users:
            self.server.add_user(user, PASSWORD)
        self.relay_url = self._helper("delay", "--target",
                                      str(self.server.port()),
                                      "--delay-ms", str(DELAY_MS))
        self.blackhole_url = self._helper("blackhole")
        self.refused_url = f"https://127.0.0.1:{closed_port()}"
        self._services()
        self._private_etc()
        self.env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                    "LD_PRELOAD": nss_wrapper(),
                    "NSS_WRAPPER_PASSWD": str(self.dir / "passwd"),
                    "NSS_WRAPPER_GROUP": str(self.dir / "group")}
        self.bare_env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                         "HOME": str(self.dir)}
        return self

    def _accounts(self):
        users = [(name, 3000 + i) for i, name in enumerate(self.users)]
        (self.dir / "passwd").write_text("".join(
            f"{n}:x:{u}:{u}:{n}:/nonexistent:/bin/sh\n" for n, u in users))
        (self.dir / "group").write_text("".join(
            f"{n}:x:{u}:\n" for n, u in users))
        shadow = self.dir / "shadow"
        shadow.write_text(f"unixuser:{yescrypt_hash(PASSWORD, VERIFIER_COST)}"
                          ":19000:0:99999:7:::\n")
        os.chmod(shadow, 0o600)
        config = self.dir / "empty.conf"
        config.touch()
        os.chmod(config, 0o644)

    def _system_trust(self):
        """A copy of the system's trust store, bundle and hashed folder,
        with the test CA added: mounted over /etc/ssl/certs, it lets a
        client without a CA of its own (pam_resgrid without ca_file, the
        curl CLI without --cacert) trust the stand-in as it would trust
        Resgrid, at the cost of the real store."""
        self.certs = self.dir / "ssl-certs"
        shutil.copytree(SYSTEM_CERTS, self.certs, symlinks=True)
        shutil.copy(self.ca, self.certs / "prg-bench-test-ca.pem")
        subprocess.run(["openssl", "rehash", str(self.certs)],
                       capture_output=True, check=True)
        bundle = self.certs / SYSTEM_BUNDLE
        text = bundle.read_text() + Path(self.ca).read_text()
        bundle.unlink()
        bundle.write_text(text)
        self.system_cas = text.count("BEGIN CERTIFICATE")

    def _launcher(self):
        Client.launcher = self.dir / "spawn"
        Client.results = self.dir / "results"
        Client.results.mkdir()
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o",
                        str(Client.launcher), str(HERE / "spawn.c")],
                       check=True)

    def form(self, user):
        from urllib.parse import urlencode
        return urlencode({"grant_type": "password", "username": user,
                          "password": PASSWORD, "scope": "openid profile"})

    def _helper(self, mode, *args):
        port_file = self.dir / f"{mode}.port"
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "relay.py"), mode, "--port-file",
             str(port_file), *args], stdin=subprocess.DEVNULL)
        self.helpers.append(proc)
        return f"https://127.0.0.1:{wait_for_file(port_file, proc)}"

    def module_line(self, tag, url, cache, **extra):
        """pam_resgrid of build TAG on URL, with a cache of its own; an
        extra None drops a key."""
        args = {"api_url": url, "ca_file": self.ca,
                "cache_dir": str(self.dir / "cache" / (cache + tag)),
                "config": str(self.dir / "empty.conf")}
        args.update(extra)
        return f"auth required {self.modules[tag]} " + " ".join(
            f"{k}={v}" for k, v in args.items() if v is not None)

    def _services(self):
        (self.dir / "cache").mkdir(mode=0o700)
        script = HERE / "curl-login.sh"
        exec_line = ("auth required pam_exec.so quiet expose_authtok "
                     f"/bin/sh {script} {self.ca} ")
        services = {
            "other": "auth required pam_deny.so",
            "bench-permit": "auth required pam_permit.so",
            "bench-unix": "auth required pam_unix.so",
            "bench-exec": exec_line + self.url,
            "bench-exec50": exec_line + self.relay_url,
        }
        for tag in self.modules:
            services.update(self._module_services(tag))
        for name, line in services.items():
            (self.pamd / name).write_text(line + "\n")

    def _module_services(self, tag):
        line = self.module_line
        services = {
            "online": line(tag, self.url, "online"),
            "online50": line(tag, self.relay_url, "online50"),
            "onlinesys": line(tag, self.url, "onlinesys", ca_file=None),
            "onlinebare": line(tag, self.url, "onlinebare",
                               offline_grace="off"),
            "offline-prime": line(tag, self.url, "offline"),
            "offline": line(tag, self.refused_url, "offline",
                            outage_memory=0),
            "blackhole-prime": line(tag, self.url, "blackhole"),
            "blackhole": line(tag, self.blackhole_url, "blackhole"),
        }
        for batch in range(CROWD_BATCHES):
            services[f"crowd-{batch}"] = line(tag, self.url,
                                              f"crowd-{batch}")
        return {f"bench-{name}{tag}": text
                for name, text in services.items()}

    def _private_etc(self):
        """Our shadow file (and pam.d for pamtester) over the host's, in
        this process's own mount namespace only."""
        if os.readlink("/proc/self/ns/mnt") == os.environ[NAMESPACE_FLAG]:
            raise RuntimeError("not in a private mount namespace")
        mounts = [(self.dir / "shadow", "/etc/shadow"),
                  (self.certs, str(SYSTEM_CERTS))]
        if self.driver == "pamtester":
            mounts.append((self.pamd, "/etc/pam.d"))
        for source, target in mounts:
            subprocess.run(["mount", "--bind", str(source), target],
                           check=True)

    def login(self, service, user, password=PASSWORD):
        """The argv and standard input of one PAM login."""
        stdin = (password + "\n").encode()
        if self.driver == "pamtester":
            return ["pamtester", service, user, "authenticate"], stdin
        return [str(self.drive), str(self.pamd), service, user, "auth"], stdin

    def login_ok(self, code, out):
        if self.driver == "pamtester":
            return code == 0 and "successfully authenticated" in out
        return code == 0 and "result auth 0 " in out

    def curl(self, url, user="cli", system_trust=False):
        form = self.dir / f"form-{user}"
        if not form.exists():
            form.write_text(self.form(user))
        trust = [] if system_trust else ["--cacert", self.ca]
        return ["curl", "-q", "-s", "-f", *trust,
                "-o", "/dev/null", "-d", f"@{form}",
                "-w", "%{http_code} %{time_connect} %{time_appconnect} "
                "%{time_pretransfer} %{time_starttransfer} %{time_total}",
                url + TOKEN_PATH]

    def close(self, keep=False):
        if self.server is not None:
            self.server.stop()
        for proc in self.helpers:
            proc.terminate()
            proc.wait()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def flavour(tag):
    """What a case's label says about the build it measures."""
    return " [baseline]" if tag == BASELINE else ""


def curl_ok(code, out):
    return code == 0 and out.startswith("200 ")


# --- The cases ----------------------------------------------------------

class Bench:
    def __init__(self, world, runs):
        self.w = world
        self.runs = runs
        self.series = {}
        self.notes = []

    def case(self, name, label):
        return self.series.setdefault(name, Series(name, label))

    def pam(self, service, user):
        argv, stdin = self.w.login(service, user)
        return run_client(argv, self.w.env, stdin, self.w.login_ok)

    def cli(self, url, user="cli", system_trust=False):
        return run_client(self.w.curl(url, user, system_trust),
                          self.w.bare_env, b"", curl_ok)

    def interleaved_cases(self):
        w = self.w
        return {
            "permit": ("driver + pam_permit",
                       lambda: self.pam("bench-permit", "permit")),
            "curl": ("1 curl CLI",
                     lambda: self.cli(w.url)),
            "exec": ("2 driver + pam_exec + curl",
                     lambda: self.pam("bench-exec", "exec")),
            "curlsys": (f"1 curl CLI, system trust store "
                        f"({w.system_cas} CAs)",
                        lambda: self.cli(w.url, "clisys", True)),
            "curl50": ("4 curl CLI, 50 ms RTT",
                       lambda: self.cli(w.relay_url, "cli50")),
            "exec50": ("4 driver + pam_exec + curl, 50 ms RTT",
                       lambda: self.pam("bench-exec50", "exec50")),
            "unix": ("5 driver + pam_unix (yescrypt, same cost)",
                     lambda: self.pam("bench-unix", "unixuser")),
            **{name: case for tag in w.modules
               for name, case in self.module_cases(tag).items()},
        }

    def module_cases(self, tag):
        def login(name):
            return lambda: self.pam(f"bench-{name}{tag}", name + tag)

        labels = {
            "online": "3 driver + pam_resgrid online",
            "onlinesys": "3 driver + pam_resgrid online, no ca_file "
                         "(system trust store)",
            "onlinebare": "3 driver + pam_resgrid online, offline logins "
                          "off (no verifier, no record)",
            "online50": "4 driver + pam_resgrid online, 50 ms RTT",
            "offline": "5 driver + pam_resgrid offline (refused)",
        }
        return {name + tag: (label + flavour(tag), login(name))
                for name, label in labels.items()}

    def prime(self):
        """Records for the offline and blackhole cases, made online."""
        for tag in self.w.modules:
            for name in ("offline", "blackhole"):
                sample = self.pam(f"bench-{name}-prime{tag}", name + tag)
                if not sample.ok:
                    raise RuntimeError(f"priming {name}{tag} failed:\n"
                                       f"{sample.out}")

    def rounds(self):
        cases = self.interleaved_cases()
        before = self.answered()
        for name, (_, action) in cases.items():
            for _ in range(WARM_UP):  # the page cache, the server
                sample = action()
                if not sample.ok:
                    raise RuntimeError(f"{name} failed:\n{sample.out}")
        order = list(cases)
        shuffle = random.Random(7)
        for round_no in range(self.runs):
            shuffle.shuffle(order)
            for name in order:
                label, action = cases[name]
                self.case(name, label).add(action())
            if round_no % 10 == 9:
                say(f"  round {round_no + 1}/{self.runs}")
        self.check_reached(before, self.answered())

    def answered(self):
        """User name -> token requests the stand-in granted so far."""
        counts = {}
        for request in self.w.server.requests():
            if (request["path"].endswith(TOKEN_PATH)
                    and request["status"] == 200):
                user = request["form"].get("username")
                counts[user] = counts.get(user, 0) + 1
        return counts

    def check_reached(self, before, after):
        """Every online login must have been granted by the stand-in: a
        login that times out would otherwise pass offline, on the record
        the warm-up wrote.  The offline cases must never reach it."""
        expected = {user: self.runs + WARM_UP for user in CLIENT_USERS}
        for tag in self.w.modules:
            expected.update({name + tag: self.runs + WARM_UP
                             for name in ("online", "online50", "onlinesys",
                                          "onlinebare")})
            expected["offline" + tag] = 0
        for user, count in expected.items():
            got = after.get(user, 0) - before.get(user, 0)
            if got != count:
                self.notes.append(f"{user}: {got} token requests granted "
                                  f"during the rounds, {count} expected")
                say("  " + self.notes[-1])

    def blackhole(self, firsts=3, following=10):
        """First logins wait for connect_timeout; the ones after them use
        the remembered outage."""
        for _ in range(firsts):
            for tag in self.w.modules:
                self._blackhole(tag, following)

    def _blackhole(self, tag, following):
        service, user = "bench-blackhole" + tag, "blackhole" + tag
        outage = self.w.dir / "cache" / user / ".outage"
        first = self.case("bh_first" + tag,
                          "6 blackhole: first login" + flavour(tag))
        after = self.case("bh_after" + tag, "6 blackhole: logins after "
                          "the first" + flavour(tag))
        outage.unlink(missing_ok=True)
        first.add(self.pam(service, user))
        for _ in range(following):
            after.add(self.pam(service, user))

    def crowd(self):
        """CROWD different users at once, for each kind of client.  Each
        batch of pam_resgrid logins has a cache of its own, empty at the
        start, so a login that fails to reach the stand-in cannot pass
        offline unnoticed."""
        w = self.w
        kinds = {
            "curl": ("50 x curl CLI", lambda batch, u: (
                w.curl(w.url, u), b"", w.bare_env, curl_ok)),
            "exec": ("50 x driver + pam_exec + curl", lambda batch, u: (
                *w.login("bench-exec", u), w.env, w.login_ok)),
        }
        for tag in w.modules:
            kinds["online" + tag] = (
                "50 x driver + pam_resgrid" + flavour(tag),
                lambda batch, u, tag=tag: (
                    *w.login(f"bench-crowd-{batch}{tag}", u), w.env,
                    w.login_ok))
        self.crowds = {name: Crowd(label)
                       for name, (label, _) in kinds.items()}
        order = list(kinds)
        shuffle = random.Random(11)
        for batch in range(CROWD_BATCHES):
            shuffle.shuffle(order)
            for name in order:
                plan, crowd = kinds[name][1], self.crowds[name]
                before = self.answered()
                wall, stagger, samples, drops = self._batch(
                    lambda u: plan(batch, u), CREW)
                after = self.answered()
                online = sum(after.get(u, 0) - before.get(u, 0)
                             for u in CREW)
                crowd.add(wall, stagger, samples, drops, online)

    def _batch(self, plan, users):
        """Starts every login of one batch, then reaps them all.  The
        batch's wall time runs from the first login's start to the last
        one's end, as spawn saw them."""
        before = listen_drops()
        clients = []
        for user in users:
            argv, stdin, env, check = plan(user)
            clients.append((Client(argv, env, stdin), check))
        samples = [client.reap(check) for client, check in clients]
        first = min(s.start for s in samples)
        wall = max(s.end for s in samples) - first
        stagger = max(s.start for s in samples) - first
        failed = [s.out for s in samples if not s.ok]
        if failed:
            say(f"  {len(failed)} of {len(users)} failed; the first "
                f"said:\n{failed[0]}")
        return wall, stagger, samples, listen_drops() - before

    def server_timing(self, runs=15):
        """The stand-in's own share: TLS handshake and answer times as the
        curl CLI sees them, the rights call, and the openssl subprocess it
        signs each id_token with."""
        timings = []
        for sample in self.series["curl"].good():
            fields = sample.out.split()
            connect, tls, pre, first, total = map(float, fields[1:6])
            timings.append((tls - connect, first - pre, total))
        key = Path(self.w.server.cert_dir) / "idtoken.key"
        sign = Series("sign", "openssl dgst -sign")
        for _ in range(runs):
            sign.add(run_client(["openssl", "dgst", "-sha256", "-sign",
                                 str(key)], self.w.bare_env, b"x" * 600,
                                exit_zero))
        rights = Series("rights", "rights GET")
        token = self._access_token()
        header = self.w.dir / "auth-header"
        header.write_text(f"Authorization: Bearer {token}\n")
        for _ in range(runs):
            rights.add(run_client(
                ["curl", "-q", "-s", "-f", "--cacert", self.w.ca, "-o",
                 "/dev/null", "-H", f"@{header}", "-w",
                 "%{http_code} %{time_pretransfer} %{time_starttransfer}",
                 self.w.url + RIGHTS_PATH], self.w.bare_env, b"", curl_ok))
        waits = [float(s.out.split()[2]) - float(s.out.split()[1])
                 for s in rights.good()]

        def median_ms(values):
            return 1000 * statistics.median(values)

        return {
            "tls_handshake_ms": median_ms(t[0] for t in timings),
            "token_answer_ms": median_ms(t[1] for t in timings),
            "curl_total_ms": median_ms(t[2] for t in timings),
            "openssl_sign_ms": 1000 * sign.median("wall"),
            "rights_answer_ms": 1000 * statistics.median(waits)
            if waits else float("nan"),
        }

    def _access_token(self):
        form = self.w.dir / "form-cli"
        done = subprocess.run(
            ["curl", "-q", "-s", "-f", "--cacert", self.w.ca, "-d",
             f"@{form}", self.w.url + TOKEN_PATH], capture_output=True,
            check=True, env=self.w.bare_env)
        return json.loads(done.stdout)["access_token"]


class Crowd:
    """The batches of one kind of client."""

    def __init__(self, label):
        self.label = label
        self.walls, self.samples, self.drops, self.online = [], [], 0, 0
        self.staggers = []

    def add(self, wall, stagger, samples, drops, online):
        self.walls.append(wall)
        self.staggers.append(stagger)
        self.samples += samples
        self.drops += drops
        self.online += online

    def summary(self):
        walls = sorted(s.wall for s in self.samples)
        return {"label": self.label, "batches": len(self.walls),
                "logins": len(self.samples),
                "failed": sum(1 for s in self.samples if not s.ok),
                "granted": self.online,
                "batch_wall_ms": 1000 * statistics.median(self.walls),
                "stagger_ms": 1000 * statistics.median(self.staggers),
                "login_median_ms": 1000 * statistics.median(walls),
                "login_max_ms": 1000 * walls[-1],
                "cpu_per_login_ms": 1000 * statistics.mean(
                    s.cpu for s in self.samples),
                "rss_kib": max(s.rss for s in self.samples),
                "listen_drops": self.drops}


def listen_drops():
    """TcpExt ListenDrops: SYNs the kernel dropped for a full accept
    queue, a client then waiting a second to retry.  The count is the
    host's: other programs' listeners add to it."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:]))
            return int(table.get("ListenDrops", 0))
    return 0


# --- The report ---------------------------------------------------------

def ms(value):
    if value != value:
        return "n/a"
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"


def mib(kib):
    return "n/a" if kib != kib else f"{kib / 1024:.1f}"


ORDER = ["curl", "exec", "online", "onlinebare", "curlsys", "onlinesys", "curl50",
         "exec50", "online50", "offline", "unix", "bh_first", "bh_after",
         "permit"]
MODULE_CASES = {"online", "onlinebare", "onlinesys", "online50", "offline", "bh_first",
                "bh_after"}
PAM_CASES = MODULE_CASES | {"exec", "exec50", "unix"}


def report(results):
    """Markdown: the table, the crowds, the server's share, the targets."""
    s = results["series"]
    permit = s["permit"]
    baseline = results.get("baseline")
    lines = [
        f"build `{results['build']}` ({results['commit']})"
        + (f", baseline `{baseline}` ({results['baseline_commit']})"
           if baseline else "")
        + f", driver {results['driver']}, "
        f"{results['runs']} interleaved rounds, {results['date']}, load "
        f"average {results['load'][0]:.1f} before, {results['load'][1]:.1f} "
        "after",
        "",
        "| case | runs | failed | wall ms | p90 | − driver | CPU ms "
        "| − driver | peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ORDER:
        for key in (name, name + BASELINE):
            if key not in s:
                continue
            row = s[key]
            net = name in PAM_CASES
            lines.append(
                f"| {row['label']} | {row['runs']} | {row['errors']} "
                f"| {ms(row['wall_ms'])} | {ms(row['wall_p90_ms'])} "
                f"| {ms(row['wall_ms'] - permit['wall_ms']) if net else ''} "
                f"| {ms(row['cpu_ms'])} "
                f"| {ms(row['cpu_ms'] - permit['cpu_ms']) if net else ''} "
                f"| {mib(row['rss_kib'])} |")
    lines += [
        "",
        "| 7. 50 logins at once | batches | failed | granted "
        "| batch wall ms | of which starting | login median | slowest "
        "| CPU ms per login | peak MiB | SYNs dropped (host) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |",
    ]
    for row in results["crowd"].values():
        lines.append(
            f"| {row['label']} | {row['batches']} | {row['failed']} "
            f"| {row['granted']} "
            f"| {ms(row['batch_wall_ms'])} | {ms(row['stagger_ms'])} "
            f"| {ms(row['login_median_ms'])} "
            f"| {ms(row['login_max_ms'])} | {ms(row['cpu_per_login_ms'])} "
            f"| {mib(row['rss_kib'])} | {row['listen_drops']} |")
    srv = results["server"]
    lines += [
        "",
        "The stand-in's share, alike in every online case (medians, as "
        f"the curl CLI sees it): TLS handshake {ms(srv['tls_handshake_ms'])}"
        f" ms; token answer {ms(srv['token_answer_ms'])} ms, of which "
        f"about {ms(srv['openssl_sign_ms'])} ms is the openssl process "
        f"that signs the id_token; rights answer "
        f"{ms(srv['rights_answer_ms'])} ms; the whole curl exchange "
        f"{ms(srv['curl_total_ms'])} ms.",
        "",
    ]
    mine = targets(s, results["crowd"], "")
    if baseline:
        before = targets(s, results["crowd"], BASELINE)
        lines += ["| target | baseline | this build | limit | result |",
                  "| --- | ---: | ---: | ---: | --- |"]
    else:
        before = [None] * len(mine)
        lines += ["| target | figure | limit | result |",
                  "| --- | ---: | ---: | --- |"]
    for old, (what, figure, limit, passed) in zip(before, mine):
        verdict = "" if passed is None else ("pass" if passed else "FAIL")
        base = f"{old[1]:.2f} | " if old else ""
        lines.append(f"| {what} | {base}{figure:.2f} | {limit} "
                     f"| {verdict} |")
    if results["notes"]:
        lines += [""] + [f"Note: {note}" for note in results["notes"]]
    return "\n".join(lines)


def targets(s, crowd, tag):
    """(what, figure, limit, passed or None for information) for the
    build TAG.  The driver's cost is subtracted only where a PAM login
    meets a client without a driver (the curl CLI)."""
    def wall(n):
        return s[n + tag if n in MODULE_CASES else n]["wall_ms"]

    def cpu(n):
        return s[n + tag if n in MODULE_CASES else n]["cpu_ms"]

    def rss(n):
        return s[n + tag if n in MODULE_CASES else n]["rss_kib"]

    out = []
    ratio = wall("online") / wall("exec")
    out.append(("3 ÷ 2: online ÷ pam_exec + curl, loopback", ratio,
                "≤ 1.00", ratio <= 1.0))
    ratio = (wall("online50") - wall("permit")) / wall("curl50")
    out.append(("4: online − driver ÷ curl CLI, 50 ms RTT", ratio,
                "≤ 1.05", ratio <= 1.05))
    ratio = wall("offline") / wall("unix")
    out.append(("5: offline ÷ pam_unix", ratio, "≤ 1.20", ratio <= 1.2))
    ratio = ((wall("offline") - wall("permit"))
             / (wall("unix") - wall("permit")))
    out.append(("5: offline ÷ pam_unix, both − driver", ratio, "info",
                None))
    ratio = wall("bh_after") / wall("unix")
    out.append(("6: blackhole, logins after the first ÷ pam_unix", ratio,
                "≤ 1.20", ratio <= 1.2))
    row = crowd["online" + tag]
    failed = max(row["failed"], row["logins"] - row["granted"])
    out.append(("7: 50 concurrent pam_resgrid logins, failed or not "
                "granted online", failed, "0", failed == 0))
    ratio = cpu("online") / (cpu("curl") + cpu("unix"))
    out.append(("CPU: online ÷ (curl CLI + pam_unix)", ratio, "≤ 1.00",
                ratio <= 1.0))
    ratio = wall("onlinesys") / wall("online")
    out.append(("system trust store ÷ one CA, online", ratio, "info",
                None))
    ratio = rss("online") / rss("curl")
    out.append(("8: peak memory, online ÷ curl CLI", ratio, "info", None))
    ratio = rss("online") / rss("unix")
    out.append(("8: peak memory, online ÷ pam_unix", ratio, "info", None))
    return out


# --- Main -----------------------------------------------------------------

def enter_namespace():
    """Re-runs this script in a private mount namespace, once."""
    if NAMESPACE_FLAG in os.environ:
        return
    if os.geteuid() != 0:
        sys.exit("bench.py: run as root: pam_unix and pamtester need "
                 "/etc/shadow and /etc/pam.d replaced in a private mount "
                 "namespace")
    # The host's namespace, so that World can make sure it left it.
    env = dict(os.environ,
               **{NAMESPACE_FLAG: os.readlink("/proc/self/ns/mnt")})
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private",
                           sys.executable, str(Path(__file__).resolve()),
                           *sys.argv[1:]], env)


def commit_of(build):
    done = subprocess.run(["git", "-C", str(build), "describe", "--always",
                           "--dirty"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.environ.get(
        "PRG_BUILD", str(TOP_SRCDIR)), help="the build to measure")
    parser.add_argument("--baseline", default=os.environ.get(
        "PRG_BASELINE"), help="a second build to measure in the same "
        "run, for before and after")
    parser.add_argument("--runs", type=int, default=61,
                        help="interleaved rounds (default 61)")
    parser.add_argument("--driver", choices=("pamtester", "pam-drive"),
                        default="pamtester")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--profile", action="store_true",
                        help="then profile one online and one offline "
                        "login (tests/bench/profile.py)")
    parser.add_argument("--profile-only", action="store_true",
                        help="set up and profile, measure nothing else")
    parser.add_argument("--nice", type=int, default=-10,
                        help="niceness increment for the whole benchmark "
                        "(default -10)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder")
    return parser.parse_args()


def main():
    args = parse_args()
    enter_namespace()
    # The clients, the stand-in and the relays all inherit this: other
    # work on a shared machine then disturbs the figures less.
    os.nice(args.nice)
    load_before = os.getloadavg()[0]
    world = World(args.build, args.baseline, args.driver)
    for need in (*world.modules.values(), world.drive):
        if not need.exists():
            sys.exit(f"bench.py: {need} is missing: build it first "
                     "(make && make tests/pam-drive)")
    started = time.monotonic()
    try:
        say(f"setting up in {world.dir}")
        world.start()
        bench = Bench(world, args.runs)
        bench.prime()
        if args.profile_only:
            bench.pam("bench-online", "online")
            say("profiling")
            print(profile_login.run(world)["text"])
            return
        say(f"{args.runs} interleaved rounds")
        bench.rounds()
        say("blackhole")
        bench.blackhole()
        say("50 at once")
        bench.crowd()
        say("the stand-in's share")
        server = bench.server_timing()
        results = {
            "build": str(world.build), "commit": commit_of(world.build),
            "baseline": str(world.baseline) if world.baseline else None,
            "baseline_commit": commit_of(world.baseline)
            if world.baseline else None,
            "driver": args.driver,
            "runs": args.runs,
            "date": time.strftime("%Y-%m-%d"),
            "load": [load_before, os.getloadavg()[0]],
            "series": {n: c.summary() for n, c in bench.series.items()
                       if c.samples},
            "crowd": {n: c.summary() for n, c in bench.crowds.items()},
            "notes": bench.notes,
            "server": server,
        }
        if args.profile:
            say("profiling")
            results["profile"] = profile_login.run(world)
    finally:
        world.close(args.keep)
    print(report(results))
    if "profile" in results:
        print()
        print(results["profile"]["text"])
    say(f"done in {time.monotonic() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
