"""Shared harness of the integration tests.

The tests drive the built pam_resgrid.so through real libpam: pam-drive
starts a PAM transaction from a service file in a private folder
(pam_start_confdir), answers the password prompt from its standard input
and prints what the conversation and syslog saw.  Local accounts come
from nss_wrapper, so no account on the host is needed or touched, and
Resgrid is the stand-in server over HTTPS on loopback with a test CA made
for the run.  Results are reported in TAP for automake's driver.
"""

import ctypes.util
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import unittest
from pathlib import Path

TOP_SRCDIR = Path(os.environ.get("TOP_SRCDIR",
                                  Path(__file__).resolve().parents[2]))
TOP_BUILDDIR = Path(os.environ.get("TOP_BUILDDIR", TOP_SRCDIR))
MODULE = TOP_BUILDDIR / ".libs" / "pam_resgrid.so"
DRIVE = TOP_BUILDDIR / "tests" / "pam-drive"
sys.path.insert(0, str(TOP_SRCDIR / "tests" / "standin"))

from standin import Standin  # noqa: E402

# Linux-PAM's codes, from <security/_pam_types.h>.
PAM_SUCCESS = 0
PAM_SERVICE_ERR = 3
PAM_PERM_DENIED = 6
PAM_AUTH_ERR = 7
PAM_AUTHINFO_UNAVAIL = 9
PAM_USER_UNKNOWN = 10
PAM_AUTHTOK_ERR = 20
PAM_IGNORE = 25
PAM_CRED_EXPIRED = 16

# What a phase returns when pam_resgrid said PAM_IGNORE: libpam would
# turn a lone ignore into PAM_PERM_DENIED, so each phase stacks a
# pam_debug line with this otherwise unused code behind the module.
IGNORED = PAM_CRED_EXPIRED

PASSWORD = "Engine 7 & Ladder=3 +%; 'quote' \"dq\" \\ ÅØé"

# name, uid: responders, plus accounts the module must leave alone.
LOCAL_USERS = [("root", 0), ("daemon", 1), ("responder", 1001),
               ("medic", 1002), ("chief", 1003), ("j.doe@county.example", 1004),
               ("bad!name", 1005), ("nobody", 65534)]
LOCAL_USERS += [(f"crew{i:02d}", 2000 + i) for i in range(50)]


def nss_wrapper():
    """The path of libnss_wrapper, or None when it is not installed."""
    for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                   "/usr/lib/aarch64-linux-gnu"):
        path = Path(folder) / "libnss_wrapper.so"
        if path.exists():
            return str(path)
    name = ctypes.util.find_library("nss_wrapper")
    return name


def record_name(user):
    """The cache file of a user, as pam_resgrid names it."""
    return hashlib.sha256(user.encode()).hexdigest() + ".json"


class Result:
    """What one pam-drive run printed, parsed."""

    def __init__(self, text, elapsed):
        self.text = text
        self.elapsed = elapsed
        self.codes = {}
        self.infos, self.errors, self.prompts, self.logs = [], [], [], []
        self.fds_leaked = None
        self.threads_left = None
        self.sigpipe_changed = None
        self.sigmask_changed = None
        for line in text.splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "result":
                phase, code, _ = rest.split(" ", 2)
                self.codes[phase] = int(code)
            elif kind == "info":
                self.infos.append(rest)
            elif kind == "error":
                self.errors.append(rest)
            elif kind in ("prompt-off", "prompt-on"):
                self.prompts.append(rest)
            elif kind == "log":
                priority, _, message = rest.partition(" ")
                self.logs.append((int(priority), message))
            elif kind == "fds-leaked":
                self.fds_leaked = int(rest)
            elif kind == "threads-left":
                # "unknown" without /proc: left None, which is a fault.
                self.threads_left = int(rest) if rest.isdigit() else None
            elif kind == "sigpipe-changed":
                self.sigpipe_changed = rest == "yes"
            elif kind == "sigmask-changed":
                self.sigmask_changed = rest == "yes"

    def hygiene_faults(self):
        """What the module left changed in its host, if anything."""
        faults = []
        if self.fds_leaked != 0:
            faults.append(f"{self.fds_leaked} descriptors left open")
        if self.threads_left != 0:
            faults.append(f"{self.threads_left} threads left running")
        if self.sigpipe_changed is not False:
            faults.append("SIGPIPE handler changed")
        if self.sigmask_changed is not False:
            faults.append("signal mask changed")
        return faults

    @property
    def code(self):
        """The code of the first phase run."""
        return next(iter(self.codes.values()))

    def log_text(self):
        return "\n".join(message for _, message in self.logs)


class World:
    """A stand-in server, local accounts and PAM service files for one
    test program, all under one temporary folder."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="pam_resgrid-test-"))
        os.chmod(self.dir, 0o755)
        self.confdir = self.dir / "pam.d"
        self.confdir.mkdir()
        (self.confdir / "other").write_text("auth required pam_deny.so\n")
        self.cache = self.dir / "cache"
        self._write_accounts()
        self.server = Standin().start(
            self.dir, {"main": "server", "rogue": "rogue",
                       "wronghost": "wronghost", "expired": "expired"})
        self.env = dict(os.environ, LD_PRELOAD=nss_wrapper(),
                        NSS_WRAPPER_PASSWD=str(self.dir / "passwd"),
                        NSS_WRAPPER_GROUP=str(self.dir / "group"))
        self.env.pop("SSLKEYLOGFILE", None)

    def _write_accounts(self):
        lines = [f"{name}:x:{uid}:{uid}:{name}:/nonexistent:/bin/sh"
                 for name, uid in LOCAL_USERS]
        (self.dir / "passwd").write_text("\n".join(lines) + "\n")
        groups = [f"{name}:x:{uid}:" for name, uid in LOCAL_USERS]
        (self.dir / "group").write_text("\n".join(groups) + "\n")

    def close(self):
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def module_args(self, url=None, **overrides):
        args = {"api_url": url or self.server.url(),
                "ca_file": self.server.ca_file,
                "cache_dir": str(self.cache),
                "config": str(self.dir / "absent.conf"),
                "timeout": "5", "connect_timeout": "2",
                "verifier_cost": "1", "outage_memory": "0"}
        args.update(overrides)
        if os.environ.get("PAM_DRIVE_WRAPPER"):
            # Under valgrind a TLS handshake takes about a second, and
            # the verifier, made within the exchange's time, several.
            for key in ("timeout", "connect_timeout"):
                if str(args.get(key)).isdigit():
                    args[key] = str(int(args[key]) * 4)
        # An explicit config that is missing is an error, so the default
        # (the host's /etc file) is bypassed with an empty file of ours.
        config = self.dir / "empty.conf"
        config.touch()
        os.chmod(config, 0o644)
        if args["config"] == str(self.dir / "absent.conf"):
            args["config"] = str(config)
        return " ".join(f"{k}={v}" if v is not True else k
                        for k, v in args.items() if v is not None)

    def service(self, name="resgrid", lines=None, **overrides):
        """Writes a PAM service file and returns its name.  Without
        lines, pam_resgrid alone in every phase."""
        if lines is None:
            args = self.module_args(**overrides)
            control = "[success=done ignore=ignore default=die]"
            lines = []
            for phase, option in (
                    ("auth", "auth"), ("account", "acct"),
                    ("password", "prechauthtok=cred_expired chauthtok")):
                lines.append(f"{phase} {control} {MODULE} {args}")
                lines.append(f"{phase} requisite pam_debug.so "
                             f"{option}=cred_expired")
        (self.confdir / name).write_text("\n".join(lines) + "\n")
        return name

    def run(self, user, *answers, service="resgrid", phases=("auth",),
            timeout=60, repeat=1):
        """Runs pam-drive; answers are the lines typed at prompts."""
        command = [str(DRIVE), "--repeat", str(repeat), str(self.confdir),
                   service, user, *phases]
        # tests/valgrind.sh runs pam-drive under memcheck, many times slower.
        wrapper = os.environ.get("PAM_DRIVE_WRAPPER")
        if wrapper:
            command = shlex.split(wrapper) + command
            timeout *= 5
        start = time.monotonic()
        proc = subprocess.run(
            command,
            input="".join(a + "\n" for a in answers).encode(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=self.env, timeout=timeout)
        elapsed = time.monotonic() - start
        if proc.returncode != 0:
            raise AssertionError(
                f"pam-drive failed ({proc.returncode}): "
                f"{proc.stderr.decode(errors='replace')}")
        result = Result(proc.stdout.decode(errors="replace"), elapsed)
        # Every login, whatever its outcome, must leave sshd or sudo as
        # it found them.
        faults = result.hygiene_faults()
        if faults:
            raise AssertionError("the module changed its host: "
                                 + "; ".join(faults) + "\n" + result.text)
        return result

    def token_requests(self):
        """The token requests the stand-in received since its reset."""
        return [r for r in self.server.requests()
                if r["path"].lower().endswith("/connect/token")]

    def record_path(self, user):
        return self.cache / record_name(user)

    def record(self, user):
        return json.loads(self.record_path(user).read_text())

    def write_record(self, user, record):
        """Rewrites a record in place, keeping its mode and owner."""
        path = self.record_path(user)
        tmp = path.with_suffix(".edit")
        tmp.write_text(json.dumps(record))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)


class TapResult(unittest.TestResult):
    """Prints each test as a TAP line as soon as it ends."""

    def __init__(self):
        super().__init__()
        self.count = 0
        self._failed_subtests = {}
        self._last_reported = None

    def _reported(self, test):
        return self._last_reported == test.id()

    def _line(self, ok, test, note=""):
        self._last_reported = test.id()
        self.count += 1
        name = test.id().rsplit(".", 1)[-1]
        print(f"{'ok' if ok else 'not ok'} {self.count} - {name}{note}",
              flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() not in self._failed_subtests:
            self._line(True, test)

    def _fail(self, test, err):
        self._line(False, test)
        for line in "".join(traceback.format_exception(*err)).splitlines():
            print(f"# {line}", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err)

    def addSubTest(self, test, subtest, err):
        """A failing sub-test fails its test: report it once, at its end,
        with every failing case's traceback."""
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._failed_subtests.setdefault(test.id(), []).append(
                (subtest, err))

    def stopTest(self, test):
        failed = self._failed_subtests.pop(test.id(), None)
        if failed is not None and not self._reported(test):
            self._line(False, test)
            for subtest, err in failed:
                print(f"# {subtest._subDescription()}", flush=True)
                for line in "".join(
                        traceback.format_exception(*err)).splitlines():
                    print(f"# {line}", flush=True)
        super().stopTest(test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, f" # SKIP {reason}")


def missing_requirement():
    if not DRIVE.exists() or not MODULE.exists():
        return "build the module and pam-drive first (make check)"
    if nss_wrapper() is None:
        return "libnss-wrapper is not installed"
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    return None


def main():
    """Runs the test cases of the calling script and prints TAP."""
    reason = missing_requirement()
    if reason is not None:
        print(f"1..0 # SKIP {reason}")
        return
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules["__main__"])
    result = TapResult()
    suite.run(result)
    print(f"1..{result.count}", flush=True)
