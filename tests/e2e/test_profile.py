"""The packaged pam-auth-update profile, as an administrator gets it: the
real pam-auth-update writes /etc/pam.d/common-* from it, and pamtester
logs in through the real login service, which includes them.  All of it
on private copies of /etc/pam.d, /etc/security, the pam-auth-update and
debconf state and the module folder (with the built module added), so
the host's stacks never change."""

import os
import shutil
import subprocess
import unittest

import sandbox
from harness import MODULE, PASSWORD

COMMON = ("common-auth", "common-account", "common-password",
          "common-session", "common-session-noninteractive")
LOCAL_PASSWORD = "local only 4711"

ADMIN = {"DepartmentId": "7", "DepartmentCode": "ST7", "IsAdmin": True,
         "Groups": []}
MEMBER = {"DepartmentId": "7", "DepartmentCode": "ST7", "IsAdmin": False,
          "Groups": []}

world = None
box = None


def local_hash(password):
    proc = subprocess.run(["openssl", "passwd", "-6", "-stdin"],
                          input=password.encode(), stdout=subprocess.PIPE,
                          check=True)
    return proc.stdout.decode().strip()


def setUpModule():
    global world, box
    world = sandbox.harness.World()
    box = sandbox.Sandbox(world)
    box.add_user("e2e-medic", 47301)
    box.add_user("e2e-chief", 47302)
    box.add_user("e2e-local", 47303, local_hash(LOCAL_PASSWORD))
    modules = box.copy_into(sandbox.pam_module_dir(), "security-modules")
    shutil.copy(MODULE, modules / "pam_resgrid.so")


def tearDownModule():
    world.close()


def write_config(**extra):
    """The host's /etc/security, with a pam_resgrid.conf that points at
    the stand-in."""
    security = box.copy_into("/etc/security", "etc-security")
    settings = dict(api_url=world.server.url(),
                    ca_file=world.server.ca_file,
                    cache_dir=world.cache, timeout="5", connect_timeout="2",
                    verifier_cost="1", outage_memory="0")
    settings.update(extra)
    path = security / "pam_resgrid.conf"
    path.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    os.chmod(path, 0o644)


class Profile(unittest.TestCase):

    def setUp(self):
        world.server.reset()
        world.server.configure(rate_limit=0)
        world.server.add_user("e2e-medic", PASSWORD, rights=MEMBER)
        world.server.add_user("e2e-chief", PASSWORD, rights=ADMIN)
        shutil.rmtree(world.cache, ignore_errors=True)
        box.pamd = box.copy_into("/etc/pam.d", "etc-pam.d")
        configs = box.copy_into("/usr/share/pam-configs", "pam-configs")
        box.copy_into("/var/lib/pam", "var-lib-pam")
        box.copy_into("/var/cache/debconf", "debconf")
        # The stacks as pam-auth-update writes them from the host's
        # profiles, whatever local edits the host's copies carry; then
        # the package's profile arrives, as installing puts it there.
        self.pam_auth_update("--package", "--force")
        self.before = {name: self.stack(name) for name in COMMON}
        shutil.copy(sandbox.PROFILE, configs / "resgrid")
        write_config()

    def pam_auth_update(self, *args):
        proc = box.run(["pam-auth-update", *args],
                       env=sandbox.clean_env(DEBIAN_FRONTEND="noninteractive"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn(b"Local modifications", proc.stderr)

    def stack(self, name):
        return (box.pamd / name).read_text()

    def lines(self, name, module):
        return [line for line in self.stack(name).splitlines()
                if module in line and not line.startswith("#")]

    def assert_stacks_are_as_before(self):
        for name in COMMON:
            with self.subTest(stack=name):
                self.assertEqual(self.stack(name), self.before[name])

    def login(self, user, password, *phases):
        proc = box.run(["pamtester", "login", user,
                        *(phases or ("authenticate", "acct_mgmt"))],
                       input=(password + "\n").encode())
        return proc.returncode, proc.stdout.decode() + proc.stderr.decode()

    def test_registering_the_profile_changes_no_stack(self):
        self.pam_auth_update("--package")
        self.assert_stacks_are_as_before()
        self.assertIn("resgrid",
                      (box.dir / "var-lib-pam" / "seen").read_text().split())

    def test_enabled_auth_asks_resgrid_after_pam_unix_with_its_password(self):
        self.pam_auth_update("--enable", "resgrid")
        auth = self.stack("common-auth").splitlines()
        unix = [i for i, line in enumerate(auth) if "pam_unix.so" in line]
        resgrid = [i for i, line in enumerate(auth)
                   if "pam_resgrid.so" in line]
        self.assertEqual(len(resgrid), 1)
        self.assertLess(unix[0], resgrid[0])
        self.assertTrue(auth[resgrid[0]].endswith("try_first_pass"))
        self.assertEqual(len(self.lines("common-account", "pam_resgrid.so")),
                         1)
        self.assertEqual(self.lines("common-password", "pam_resgrid.so"), [])
        self.assertEqual(self.lines("common-session", "pam_resgrid.so"), [])

    def test_resgrid_user_logs_in_and_is_asked_once(self):
        self.pam_auth_update("--enable", "resgrid")
        code, text = self.login("e2e-medic", PASSWORD)
        self.assertEqual(code, 0, text)
        self.assertEqual(text.count("Password:"), 1, text)
        self.assertEqual(len(world.token_requests()), 1)
        self.assertTrue(world.record_path("e2e-medic").exists())

    def test_wrong_password_is_refused(self):
        self.pam_auth_update("--enable", "resgrid")
        code, text = self.login("e2e-medic", PASSWORD + "x")
        self.assertNotEqual(code, 0, text)
        self.assertEqual(len(world.token_requests()), 1)

    def test_local_password_logs_in_and_never_reaches_resgrid(self):
        self.pam_auth_update("--enable", "resgrid")
        code, text = self.login("e2e-local", LOCAL_PASSWORD)
        self.assertEqual(code, 0, text)
        self.assertEqual(world.token_requests(), [])

    def test_system_account_is_never_sent_to_resgrid(self):
        self.pam_auth_update("--enable", "resgrid")
        code, text = self.login("daemon", PASSWORD, "authenticate")
        self.assertNotEqual(code, 0, text)
        self.assertEqual(world.token_requests(), [])

    def test_account_stack_applies_the_access_rules(self):
        write_config(require_admin="yes")
        self.pam_auth_update("--enable", "resgrid")
        code, text = self.login("e2e-chief", PASSWORD)
        self.assertEqual(code, 0, text)
        code, text = self.login("e2e-medic", PASSWORD)
        self.assertNotEqual(code, 0, text)
        self.assertIn("only Resgrid department admins", text)

    def test_disabling_gives_back_the_original_stacks(self):
        self.pam_auth_update("--enable", "resgrid")
        self.assertNotEqual(self.lines("common-auth", "pam_resgrid.so"), [])
        self.pam_auth_update("--disable", "resgrid")
        self.assert_stacks_are_as_before()

    def test_disabled_profile_leaves_resgrid_users_out(self):
        self.pam_auth_update("--package")
        code, text = self.login("e2e-medic", PASSWORD, "authenticate")
        self.assertNotEqual(code, 0, text)
        self.assertEqual(world.token_requests(), [])


if __name__ == "__main__":
    sandbox.main(["pamtester", "pam-auth-update", "openssl", "unshare"])
