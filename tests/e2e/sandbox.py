"""A private view of the host for the end-to-end tests.

Real programs (sshd, sudo, pamtester, pam-auth-update) read their
configuration from fixed paths under /etc and /var.  The tests run them
inside a private mount namespace (unshare --mount --propagation private)
in which those paths are bind-mounted from files the test wrote: the
accounts, /etc/pam.d, sudoers, nsswitch.conf and, where a test needs
them, the pam-auth-update state.  /run and /var/log are empty tmpfs
there, so nscd, sudo's timestamps and login records of the host are out
of reach.  The mounts vanish with the namespace's last process, so
nothing on the host changes even if a test is killed, and the test users
exist only inside.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOP_SRCDIR = Path(os.environ.get("TOP_SRCDIR", HERE.parents[1]))
sys.path.insert(0, str(TOP_SRCDIR / "tests" / "integration"))

import harness  # noqa: E402

PROFILE = TOP_SRCDIR / "debian" / "pam-configs" / "resgrid"

# Run inside the new namespace before the program: pairs of source and
# target, "--", then the program.  Any failing mount ends it before the
# program starts.
SETUP = r"""
set -eu
mount -t tmpfs -o mode=0755,nosuid,nodev sandbox-run /run
mkdir -m 0755 /run/sshd
mount -t tmpfs -o mode=0755,nosuid,nodev sandbox-log /var/log
while [ "$1" != -- ]; do
  mount --bind "$1" "$2"
  shift 2
done
shift
exec "$@"
"""

NSSWITCH = """passwd: files
group: files
shadow: files
gshadow: files
hosts: files dns
"""


def unshare_works():
    """Whether this machine lets us make a private mount namespace."""
    try:
        proc = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "--",
             "mount", "-t", "tmpfs", "probe", "/mnt"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def missing(programs):
    """Why the tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root"
    absent = [p for p in programs if shutil.which(p) is None
              and not Path(p).exists()]
    if absent:
        return "needs " + ", ".join(absent)
    if not unshare_works():
        return "needs private mount namespaces (unshare --mount)"
    reason = harness.missing_requirement()
    if reason is None and sanitized(harness.MODULE):
        # sshd, sudo and pamtester do not carry the sanitizer runtime,
        # which must be loaded first (tests/sanitize.sh).
        reason = "the module is built with sanitizers"
    return reason


def sanitized(path):
    """Whether a shared object needs a sanitizer's runtime."""
    data = Path(path).read_bytes()
    return b"libasan.so" in data or b"libubsan.so" in data


def main(programs):
    """Prints a TAP skip when the tests cannot run, else runs them."""
    reason = missing(programs)
    if reason is not None:
        print(f"1..0 # SKIP {reason}")
        return
    harness.main()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pam_module_dir():
    """The real folder libpam loads modules from by name."""
    for pattern in ("usr/lib/*/security", "lib/*/security",
                    "usr/lib64/security", "lib64/security", "lib/security"):
        for folder in sorted(Path("/").glob(pattern)):
            if (folder / "pam_permit.so").exists():
                return folder.resolve()
    raise RuntimeError("no PAM module folder with pam_permit.so")


class User:
    def __init__(self, name, uid, home, password_hash="*"):
        self.name = name
        self.uid = uid
        self.home = home
        self.password_hash = password_hash


class Sandbox:
    """Files for one test program's private /etc, and a way to run
    programs that see them."""

    def __init__(self, world):
        self.world = world
        self.dir = world.dir / "sandbox"
        self.dir.mkdir()
        os.chmod(self.dir, 0o755)
        self.pamd = self.dir / "pam.d"
        self.pamd.mkdir()
        (self.pamd / "other").write_text(
            "auth required pam_deny.so\naccount required pam_deny.so\n"
            "password required pam_deny.so\nsession required pam_deny.so\n")
        self.users = []
        self.binds = {"/etc/pam.d": self.pamd}
        self._write("nsswitch.conf", NSSWITCH, 0o644)
        self.binds["/etc/nsswitch.conf"] = self.dir / "nsswitch.conf"
        self._write_accounts()
        self._private_sudoers()

    def _write(self, name, text, mode):
        path = self.dir / name
        path.write_text(text)
        os.chown(path, 0, 0)
        os.chmod(path, mode)
        return path

    def _private_sudoers(self):
        """Host sudoers stay out of sight even for tests that do not
        use sudo; test_sudo writes its own."""
        self.sudoers = self._write("sudoers", "", 0o440)
        if Path("/etc/sudoers").exists():
            self.binds["/etc/sudoers"] = self.sudoers
        if Path("/etc/sudoers.d").is_dir():
            self.sudoers_d = self.dir / "sudoers.d"
            self.sudoers_d.mkdir(mode=0o755)
            self.binds["/etc/sudoers.d"] = self.sudoers_d

    def add_user(self, name, uid, password_hash="*"):
        """An account that exists only inside the sandbox, with a home
        of its own.  '*' means no local password."""
        home = self.dir / "home" / name
        home.mkdir(parents=True)
        os.chown(home, uid, uid)
        os.chmod(home, 0o700)
        user = User(name, uid, home, password_hash)
        self.users.append(user)
        self._write_accounts()
        return user

    def _write_accounts(self):
        """The host's accounts (sshd needs its privilege separation
        user) plus ours; a host entry with one of our names or ids is
        left out, so that names and ids map only to our users."""
        names = {u.name for u in self.users}
        ids = {str(u.uid) for u in self.users}

        def host_lines(path, by_id=False):
            try:
                lines = Path(path).read_text().splitlines()
            except FileNotFoundError:
                return []
            fields = [line.split(":") for line in lines if line]
            return [":".join(f) for f in fields
                    if f[0] not in names
                    and not (by_id and len(f) > 2 and f[2] in ids)]

        passwd = host_lines("/etc/passwd", by_id=True) + [
            f"{u.name}:x:{u.uid}:{u.uid}:{u.name}:{u.home}:/bin/sh"
            for u in self.users]
        shadow = host_lines("/etc/shadow") + [
            f"{u.name}:{u.password_hash}:19700:0:99999:7:::"
            for u in self.users]
        group = host_lines("/etc/group", by_id=True) + [
            f"{u.name}:x:{u.uid}:" for u in self.users]
        gshadow = host_lines("/etc/gshadow") + [
            f"{u.name}:!::" for u in self.users]
        for name, lines, mode in (("passwd", passwd, 0o644),
                                  ("shadow", shadow, 0o640),
                                  ("group", group, 0o644),
                                  ("gshadow", gshadow, 0o640)):
            self._write(name, "\n".join(lines) + "\n", mode)
            if Path("/etc", name).exists():
                self.binds[f"/etc/{name}"] = self.dir / name

    def write_sudoers(self, text):
        self._write("sudoers", text, 0o440)

    def service(self, name, lines):
        path = self.pamd / name
        path.write_text("\n".join(lines) + "\n")
        os.chmod(path, 0o644)
        return path

    def copy_into(self, host_path, name=None):
        """A private copy of a host folder, mounted over it in the
        sandbox; returns the copy."""
        copy = self.dir / (name or Path(host_path).name)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(host_path, copy, symlinks=True)
        self.binds[str(host_path)] = copy
        return copy

    def command(self, argv):
        """argv wrapped so that it runs in a fresh private namespace."""
        pairs = []
        for target, source in self.binds.items():
            pairs += [str(source), target]
        return (["unshare", "--mount", "--propagation", "private", "--",
                 "sh", "-c", SETUP, "sandbox"]
                + pairs + ["--"] + [str(a) for a in argv])

    def run(self, argv, input=None, env=None, timeout=60):
        return subprocess.run(
            self.command(argv), input=input, env=env or clean_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)

    def popen(self, argv, log, env=None):
        return subprocess.Popen(
            self.command(argv), env=env or clean_env(),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)


def clean_env(**extra):
    """A small environment: nothing of the caller's leaks into the
    programs under test."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                   "/sbin:/bin",
           "LANG": "C.UTF-8", "HOME": "/root"}
    env.update(extra)
    return env


def wait_for_port(port, proc, log_path, seconds=15):
    """Waits until something accepts on 127.0.0.1:port; fails with the
    server's log if it exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}:\n"
                               + Path(log_path).read_text(errors="replace"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s:\n"
                       + Path(log_path).read_text(errors="replace"))


def stop(proc, seconds=5):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def restart_server(world):
    """A fresh stand-in after a test stopped the old one.  Its port is
    new, so services must be written again."""
    world.server.stop()
    world.server = harness.Standin().start(world.dir, {"main": "server"})
    world.server.configure(rate_limit=0)

