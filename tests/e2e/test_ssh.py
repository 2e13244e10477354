"""OpenSSH's real client and server: a private sshd on a loopback port,
whose PAM service is the built module, and ssh through sshpass.  Resgrid
users log in online, are refused a wrong password, and log in from the
cache once Resgrid is gone, unless they never signed in before."""

import shutil
import subprocess
import unittest

import sandbox
from harness import MODULE, PASSWORD

SSHD = "/usr/sbin/sshd"
MARKER = "logged-in-through-pam_resgrid"

world = None
box = None
sshd = None


class Sshd:
    """sshd -D -e on 127.0.0.1 with its own host key and configuration,
    inside the sandbox."""

    def __init__(self):
        self.dir = box.dir / "sshd"
        self.dir.mkdir(mode=0o700)
        self.key = self.dir / "host_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                        "-C", "pam_resgrid-e2e", "-f", str(self.key)],
                       check=True)
        self.port = sandbox.free_port()
        self.config = self.dir / "sshd_config"
        self.config.write_text(f"""\
Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.key}
PidFile none
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication yes
PubkeyAuthentication no
HostbasedAuthentication no
AuthorizedKeysFile none
PermitRootLogin no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
MaxAuthTries 2
LoginGraceTime 30
LogLevel VERBOSE
""")
        public = self.key.with_suffix(".pub").read_text().split()
        self.known_hosts = self.dir / "known_hosts"
        self.known_hosts.write_text(
            f"[127.0.0.1]:{self.port} {public[0]} {public[1]}\n")
        self.log_path = self.dir / "sshd.log"
        self.log = open(self.log_path, "wb")
        self.proc = box.popen(
            [SSHD, "-D", "-e", "-f", self.config], self.log)
        sandbox.wait_for_port(self.port, self.proc, self.log_path)

    def stop(self):
        sandbox.stop(self.proc)
        self.log.close()

    def log_text(self):
        return self.log_path.read_text(errors="replace")


def setUpModule():
    global world, box, sshd
    world = sandbox.harness.World()
    box = sandbox.Sandbox(world)
    box.add_user("e2e-medic", 47101)
    box.add_user("e2e-chief", 47102)
    sshd = Sshd()


def tearDownModule():
    if sshd is not None:
        sshd.stop()
    world.close()


def write_service():
    """sshd's PAM service: the module decides, pam_unix keeps the
    account and session phases as a real stack would."""
    args = world.module_args()
    box.service("sshd", [
        f"auth [success=done default=die] {MODULE} {args}",
        "account required pam_unix.so",
        "session required pam_unix.so",
        "password required pam_deny.so",
    ])


def ssh(user, password, method="keyboard-interactive"):
    """Runs MARKER and id through ssh; the password reaches sshpass in
    its environment only, never on a command line."""
    argv = ["sshpass", "-e", "ssh", "-F", "/dev/null",
            "-p", str(sshd.port), "-l", user,
            "-o", f"UserKnownHostsFile={sshd.known_hosts}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "UpdateHostKeys=no",
            "-o", f"PreferredAuthentications={method}",
            "-o", "PubkeyAuthentication=no",
            "-o", "NumberOfPasswordPrompts=1",
            "-o", "ConnectTimeout=10",
            "-o", "ControlMaster=no", "-o", "ControlPath=none",
            "-o", "LogLevel=ERROR",
            "127.0.0.1", f"echo {MARKER}; id -un"]
    return subprocess.run(argv, env=sandbox.clean_env(SSHPASS=password),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)


class SecureShell(unittest.TestCase):

    def setUp(self):
        world.server.reset()
        world.server.configure(rate_limit=0)
        world.server.add_user("e2e-medic", PASSWORD)
        world.server.add_user("e2e-chief", PASSWORD)
        shutil.rmtree(world.cache, ignore_errors=True)
        write_service()

    def assert_logged_in(self, proc, user):
        detail = (f"rc={proc.returncode}\nstderr: {proc.stderr!r}\n"
                  f"sshd:\n{sshd.log_text()[-3000:]}")
        self.assertEqual(proc.returncode, 0, detail)
        self.assertEqual(proc.stdout.decode().split(),
                         [MARKER, user], detail)

    def assert_refused(self, proc):
        self.assertNotEqual(proc.returncode, 0)
        self.assertNotIn(MARKER.encode(), proc.stdout)
        self.assertIn(b"Permission denied", proc.stderr)

    def test_resgrid_user_logs_in_online(self):
        self.assert_logged_in(ssh("e2e-medic", PASSWORD), "e2e-medic")
        forms = [r["form"] for r in world.token_requests()]
        self.assertEqual([f["username"] for f in forms], ["e2e-medic"])
        self.assertTrue(world.record_path("e2e-medic").exists())

    def test_password_method_goes_through_the_module_too(self):
        self.assert_logged_in(ssh("e2e-medic", PASSWORD, "password"),
                              "e2e-medic")
        self.assertEqual(len(world.token_requests()), 1)

    def test_wrong_password_is_refused(self):
        self.assert_refused(ssh("e2e-medic", PASSWORD + "x"))
        self.assertEqual(len(world.token_requests()), 1)
        self.assertFalse(world.record_path("e2e-medic").exists())

    def test_resgrid_refusal_is_final(self):
        world.server.add_user("e2e-medic", PASSWORD, disabled=True)
        self.assert_refused(ssh("e2e-medic", PASSWORD))

    def test_cached_user_logs_in_after_resgrid_stops(self):
        self.assert_logged_in(ssh("e2e-medic", PASSWORD), "e2e-medic")
        world.server.stop()
        try:
            self.assert_logged_in(ssh("e2e-medic", PASSWORD), "e2e-medic")
            self.assert_refused(ssh("e2e-medic", PASSWORD + "x"))
            self.assert_refused(ssh("e2e-chief", PASSWORD))
        finally:
            sandbox.restart_server(world)


if __name__ == "__main__":
    sandbox.main(["sshd", "ssh", "ssh-keygen", "sshpass", "unshare"])
