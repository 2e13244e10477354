"""The Debian package, installed for real.

Builds the package from the distribution tree, lints it, installs it
with apt into a disposable Debian 12 root made by debootstrap, enables
the profile with pam-auth-update, logs in there through the module with
pamtester against the stand-in on the host's loopback, then removes and
purges it and checks that the PAM stacks and the cache folder are as
they were before.

Run by `make check-package`, as root.  The host's root is only read:
every mount (/proc and /dev in the disposable root, and whatever
debootstrap mounts) is made inside a private mount namespace and goes
away with it, so nothing stays mounted even if a step fails or the run
is killed.  The debootstrap result is kept as a tarball under /var/tmp,
named after the suite, variant, architecture and mirror, and remade when
it is older than CACHE_DAYS.

The steps depend on each other and run in order; once one fails, the
rest are skipped.
"""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOP_SRCDIR = Path(os.environ.get("TOP_SRCDIR", HERE.parents[1]))
TOP_BUILDDIR = Path(os.environ.get("TOP_BUILDDIR", TOP_SRCDIR))
sys.path.insert(0, str(TOP_SRCDIR / "tests" / "integration"))
sys.path.insert(0, str(TOP_SRCDIR / "tests" / "standin"))

from harness import PASSWORD, TapResult, record_name  # noqa: E402
from standin import Standin  # noqa: E402

SUITE = "bookworm"
VARIANT = "minbase"
CACHE_DIR = Path("/var/tmp/pam_resgrid-debootstrap")
CACHE_DAYS = 14
PACKAGE = "libpam-resgrid"
COMMON = ("common-auth", "common-account", "common-password",
          "common-session", "common-session-noninteractive")
CONFFILE = "etc/security/pam_resgrid.conf"
CACHE = "var/cache/pam_resgrid"
CA_IN_ROOT = "etc/security/pam_resgrid-test-ca.pem"
USER = "e2e-medic"
TOOLS = ("dpkg-buildpackage", "dpkg-architecture", "lintian", "debootstrap",
         "unshare", "chroot", "make")

# Mounts /proc and a private /dev in the root given as $1, then runs the
# rest chrooted there.  Inside its own mount namespace, so all of it
# vanishes when the command ends.
CHROOT = r"""
set -eu
root=$1
shift
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=0755,nosuid dev "$root/dev"
for node in null zero full random urandom tty; do
  touch "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
ln -s /proc/self/fd "$root/dev/fd"
mkdir "$root/dev/pts" "$root/dev/shm"
exec chroot "$root" "$@"
"""

ROOT_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
            "HOME": "/root", "DEBIAN_FRONTEND": "noninteractive"}


def note(text):
    for line in str(text).splitlines():
        print(f"# {line}", flush=True)


def run(argv, log=None, timeout=600, **kwargs):
    """Runs argv; output goes to LOG, or is returned."""
    if log is not None:
        with open(log, "ab") as out:
            return subprocess.run(argv, stdout=out, stderr=out,
                                   timeout=timeout, **kwargs)
    return subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout,
                          **kwargs)


def tail(path, lines=40):
    return "\n".join(Path(path).read_text(errors="replace")
                     .splitlines()[-lines:])


def host(variable):
    """A dpkg-architecture variable of the host."""
    return run(["dpkg-architecture", f"-q{variable}"]).stdout.decode().strip()


def apt_mirror():
    """The host's Debian archive mirror, from its apt sources: the URI of
    a deb entry for a Debian suite other than security."""
    entries = []
    for path in ["/etc/apt/sources.list"] + sorted(
            glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            text = Path(path).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            words = re.sub(r"\[[^]]*\]", " ", line.split("#")[0]).split()
            if len(words) >= 3 and words[0] == "deb":
                entries.append((words[1], words[2:3]))
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        try:
            text = Path(path).read_text()
        except OSError:
            continue
        for stanza in re.split(r"\n\s*\n", text):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line:
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.split()
            if ("deb" in fields.get("types", []) and
                    fields.get("enabled", ["yes"]) != ["no"]):
                for uri in fields.get("uris", []):
                    entries.append((uri, fields.get("suites", [])))
    for uri, suites in entries:
        if "security" not in uri and uri.rstrip("/").endswith("/debian"):
            if SUITE in suites or not suites:
                return uri
    for uri, suites in entries:
        if "security" not in uri and uri.rstrip("/").endswith("/debian"):
            return uri
    return None


def mounts_under(path):
    """Mount points at or under PATH, as this process sees them."""
    prefix = str(path).rstrip("/")
    found = []
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            point = line.split()[4].replace("\\040", " ")
            if point == prefix or point.startswith(prefix + "/"):
                found.append(point)
    return found


class State:
    """What the steps hand on to each other."""
    work = None
    root = None
    deb = None
    changes = None
    server = None
    mirror = None
    before = None
    failed = None


state = State()


def in_root(*argv, input=None, timeout=600):
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "--",
         "sh", "-c", CHROOT, "chroot", str(state.root), *argv],
        input=input, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=ROOT_ENV, timeout=timeout)


def root_path(relative):
    return state.root / relative


def stacks():
    return {name: root_path(f"etc/pam.d/{name}").read_text()
            for name in COMMON}


class StepResult(TapResult):
    """Remembers the first step that failed, so the rest are skipped."""

    def addFailure(self, test, err):
        super().addFailure(test, err)
        state.failed = state.failed or test.id().rsplit(".", 1)[-1]

    def addError(self, test, err):
        super().addError(test, err)
        state.failed = state.failed or test.id().rsplit(".", 1)[-1]

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            state.failed = state.failed or test.id().rsplit(".", 1)[-1]


class Install(unittest.TestCase):
    """One step per test, in name order."""

    def setUp(self):
        if state.failed is not None:
            self.skipTest(f"{state.failed} failed")
        self.started = time.monotonic()
        self.addCleanup(self.took)

    def took(self):
        seconds = time.monotonic() - self.started
        note(f"{self._testMethodName}: {seconds:.0f} s")

    def check(self, proc, what):
        self.assertEqual(proc.returncode, 0,
                         f"{what} failed:\n"
                         + proc.stdout.decode(errors="replace")[-4000:])
        return proc.stdout.decode(errors="replace")

    def test_01_package_builds_from_the_distribution_tree(self):
        version = re.search(r"AC_INIT\(\[[^]]*\], \[([^]]*)\]",
                            (TOP_SRCDIR / "configure.ac").read_text())
        source = state.work / f"pam-resgrid-{version.group(1)}"
        log = state.work / "build.log"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("MAKE") and k != "MFLAGS"}
        proc = run(["make", "-s", "distdir", f"distdir={source}"], log=log,
                   cwd=TOP_BUILDDIR, env=env)
        self.assertEqual(proc.returncode, 0, tail(log))
        # make check has just run the tests; nocheck keeps this to the
        # build itself.
        env["DEB_BUILD_OPTIONS"] = f"nocheck parallel={os.cpu_count() or 1}"
        proc = run(["dpkg-buildpackage", "-us", "-uc"], log=log, cwd=source,
                   env=env, timeout=1800)
        self.assertEqual(proc.returncode, 0, tail(log))
        arch = host("DEB_HOST_ARCH")
        debs = sorted(state.work.glob(f"{PACKAGE}_*_{arch}.deb"))
        self.assertEqual(len(debs), 1, list(state.work.iterdir()))
        state.deb = debs[0]
        state.changes = next(state.work.glob("*.changes"))

    def test_02_lintian_finds_no_error_or_warning(self):
        proc = run(["lintian", "--fail-on", "error,warning",
                    "--display-level", ">=warning", str(state.changes)],
                   timeout=900)
        output = proc.stdout.decode(errors="replace")
        tags = [line for line in output.splitlines()
                if re.match(r"[EW]: ", line)]
        self.assertEqual(tags, [], output)
        self.assertEqual(proc.returncode, 0, output)

    def test_03_package_holds_what_it_should(self):
        proc = run(["dpkg-deb", "--contents", str(state.deb)])
        listing = proc.stdout.decode()
        expected = [
            f"./usr/lib/{host('DEB_HOST_MULTIARCH')}/security/pam_resgrid.so",
            "./usr/share/pam-configs/resgrid", f"./{CONFFILE}"]
        if (TOP_SRCDIR / "tools" / "resgridctl.c").exists():
            expected.append("./usr/sbin/resgridctl")
        for page in ("pam_resgrid/pam_resgrid.8", "pam_resgrid/"
                     "pam_resgrid.conf.5", "tools/resgridctl.8"):
            if (TOP_SRCDIR / f"{page}.scd").exists():
                name = Path(page).name
                expected.append(f"./usr/share/man/man{name[-1]}/{name}.gz")
        for path in expected:
            with self.subTest(path=path):
                self.assertRegex(listing, rf"\s{re.escape(path)}\n")
        self.assertNotIn(".la\n", listing)
        conffiles = run(["dpkg-deb", "--info", str(state.deb), "conffiles"])
        self.assertEqual(conffiles.stdout.decode().split(), [f"/{CONFFILE}"])

    def test_04_debian_root_is_made(self):
        state.mirror = apt_mirror()
        self.assertIsNotNone(state.mirror,
                             "no Debian mirror in the host's apt sources")
        arch = host("DEB_HOST_ARCH")
        key = hashlib.sha256(
            f"{SUITE} {VARIANT} {arch} {state.mirror}".encode()).hexdigest()
        tarball = CACHE_DIR / f"{SUITE}-{VARIANT}-{arch}-{key[:16]}.tar"
        state.root.mkdir()
        fresh = (tarball.exists() and time.time() - tarball.stat().st_mtime
                 < CACHE_DAYS * 86400)
        if fresh:
            note(f"debootstrap result from {tarball}")
            proc = run(["tar", "-xpf", str(tarball), "-C", str(state.root)])
            self.check(proc, "unpacking the cached root")
        else:
            self.debootstrap(tarball)
        shutil.copy("/etc/resolv.conf", root_path("etc/resolv.conf"))
        policy = root_path("usr/sbin/policy-rc.d")
        policy.write_text("#!/bin/sh\nexit 101\n")
        os.chmod(policy, 0o755)
        root_path("etc/apt/apt.conf.d/99pam-resgrid-test").write_text(
            'APT::Install-Recommends "false";\nAcquire::Languages "none";\n')
        self.check(in_root("apt-get", "-q", "update"), "apt-get update")

    def debootstrap(self, tarball):
        log = state.work / "debootstrap.log"
        note(f"debootstrap {SUITE} from {state.mirror}")
        # In a namespace of its own, so that its mounts of /proc and /sys
        # in the new root cannot outlive it.
        proc = run(["unshare", "--mount", "--propagation", "private", "--",
                    "debootstrap", f"--variant={VARIANT}", SUITE,
                    str(state.root), state.mirror], log=log, timeout=1800)
        self.assertEqual(proc.returncode, 0, tail(log))
        CACHE_DIR.mkdir(mode=0o700, exist_ok=True)
        partial = tarball.with_suffix(".partial")
        # /dev is a private tmpfs in every use, so no device node is kept.
        proc = run(["tar", "-cpf", str(partial), "-C", str(state.root),
                    "--one-file-system", "--exclude=./dev/*", "."])
        if proc.returncode == 0:
            os.replace(partial, tarball)
        else:
            partial.unlink(missing_ok=True)
            note("could not keep the debootstrap result: "
                 + proc.stdout.decode(errors="replace"))

    def test_05_installing_changes_no_stack(self):
        state.before = stacks()
        self.assertFalse(root_path(CACHE).exists())
        shutil.copy(state.deb, root_path("tmp"))
        self.check(in_root("apt-get", "-q", "-y", "install",
                           f"/tmp/{state.deb.name}", "pamtester"),
                   "apt-get install")
        self.assertEqual(stacks(), state.before)
        self.assertIn("resgrid",
                      root_path("var/lib/pam/seen").read_text().split())

    def test_06_cache_folder_is_roots_and_closed(self):
        info = root_path(CACHE).lstat()
        self.assertEqual((info.st_uid, info.st_gid), (0, 0))
        self.assertEqual(oct(info.st_mode), oct(0o40700))

    def test_07_enabling_the_profile_adds_the_module(self):
        self.check(in_root("pam-auth-update", "--enable", "resgrid"),
                   "pam-auth-update --enable resgrid")
        after = stacks()
        self.assertIn("pam_resgrid.so try_first_pass", after["common-auth"])
        self.assertIn("pam_resgrid.so", after["common-account"])

    def test_08_resgrid_user_logs_in_through_login(self):
        self.check(in_root("useradd", "-M", "-u", "2001", "-s", "/bin/sh",
                           USER), "useradd")
        shutil.copy(state.server.ca_file, root_path(CA_IN_ROOT))
        with open(root_path(CONFFILE), "a") as conf:
            conf.write(f"api_url = {state.server.url()}\n"
                       f"ca_file = /{CA_IN_ROOT}\n"
                       "verifier_cost = 1\noutage_memory = 0\n")
        state.server.add_user(USER, PASSWORD)
        proc = in_root("pamtester", "login", USER, "authenticate",
                       "acct_mgmt", input=f"{PASSWORD}\n".encode())
        self.check(proc, "pamtester login")
        self.assertEqual(len(self.token_requests()), 1)
        self.assertTrue(root_path(f"{CACHE}/{record_name(USER)}").exists())

    def test_09_wrong_password_is_refused(self):
        proc = in_root("pamtester", "login", USER, "authenticate",
                       input=f"{PASSWORD}x\n".encode())
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(len(self.token_requests()), 2)

    def test_10_removing_gives_back_the_stacks(self):
        self.check(in_root("apt-get", "-q", "-y", "remove", PACKAGE),
                   "apt-get remove")
        self.assertEqual(stacks(), state.before)
        self.assertTrue(root_path(CONFFILE).exists())
        self.assertFalse(glob.glob(str(root_path(
            "usr/lib/*/security/pam_resgrid.so"))))

    def test_11_purging_removes_the_cache_and_configuration(self):
        self.check(in_root("apt-get", "-q", "-y", "purge", PACKAGE),
                   "apt-get purge")
        self.assertEqual(stacks(), state.before)
        self.assertFalse(root_path(CACHE).exists())
        self.assertFalse(root_path(CONFFILE).exists())
        proc = in_root("dpkg", "-s", PACKAGE)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)

    def token_requests(self):
        return [r for r in state.server.requests()
                if r["path"].lower().endswith("/connect/token")]


def missing():
    if os.geteuid() != 0:
        return "needs root"
    absent = [t for t in TOOLS if shutil.which(t) is None]
    if absent:
        return "needs " + ", ".join(absent)
    return None


def main():
    reason = missing()
    if reason is not None:
        print(f"1..0 # SKIP {reason}")
        return
    state.work = Path(tempfile.mkdtemp(prefix="pam_resgrid-package-",
                                       dir="/var/tmp"))
    state.root = state.work / "root"
    state.server = Standin().start(state.work / "standin")
    state.server.configure(rate_limit=0)
    result = StepResult()
    try:
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(Install)
        suite.run(result)
    finally:
        state.server.stop()
        left = mounts_under(state.work)
        if left:
            note(f"still mounted, so {state.work} is kept: {left}")
            result.count += 1
            print(f"not ok {result.count} - nothing stays mounted")
        else:
            shutil.rmtree(state.work, ignore_errors=True)
    print(f"1..{result.count}", flush=True)


if __name__ == "__main__":
    main()
