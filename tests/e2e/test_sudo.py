"""The real sudo through a PAM service of its own (sudoers pam_service)
whose account line says require_admin=yes: Resgrid department admins may
sudo, plain members may not, online and from the cache."""

import shutil
import unittest

import sandbox
from harness import MODULE, PASSWORD

SERVICE = "resgrid-sudo"

ADMIN = {"DepartmentId": "7", "DepartmentCode": "ST7", "IsAdmin": True,
         "Groups": [{"GroupId": "10", "IsGroupAdmin": False}]}
MEMBER = {"DepartmentId": "7", "DepartmentCode": "ST7", "IsAdmin": False,
          "Groups": [{"GroupId": "10", "IsGroupAdmin": False}]}

# sudo runs the account phase with PAM_SILENT, so the module's own
# message stays unsaid; sudo names the PAM code it got.
DENIED_MESSAGE = b"PAM account management error: Permission denied"

world = None
box = None
chief = None
medic = None


def setUpModule():
    global world, box, chief, medic
    world = sandbox.harness.World()
    box = sandbox.Sandbox(world)
    chief = box.add_user("e2e-chief", 47202)
    medic = box.add_user("e2e-medic", 47201)
    # Both may run anything as far as sudoers goes: the account phase
    # of the PAM service is what tells them apart.
    box.write_sudoers(f"""\
Defaults pam_service={SERVICE}
Defaults env_reset, !syslog, lecture=never, timestamp_timeout=0
Defaults passwd_tries=1
root ALL=(ALL:ALL) ALL
{chief.name} ALL=(ALL:ALL) ALL
{medic.name} ALL=(ALL:ALL) ALL
""")


def tearDownModule():
    world.close()


def write_service():
    args = world.module_args()
    box.service(SERVICE, [
        f"auth [success=done default=die] {MODULE} {args}",
        "account [success=ok ignore=ignore default=bad] "
        f"{MODULE} {args} require_admin=yes",
        "account required pam_unix.so",
        "session required pam_permit.so",
        "password required pam_deny.so",
    ])


def sudo(user, password):
    """sudo -S id -u as USER, the password typed on standard input."""
    argv = ["setpriv", f"--reuid={user.uid}", f"--regid={user.uid}",
            "--clear-groups", "--",
            "sudo", "-S", "-p", "sudo-password:", "--", "id", "-u"]
    return box.run(argv, input=(password + "\n").encode(),
                   env=sandbox.clean_env(HOME=str(user.home),
                                         USER=user.name,
                                         LOGNAME=user.name))


class Sudo(unittest.TestCase):

    def setUp(self):
        world.server.reset()
        world.server.configure(rate_limit=0)
        world.server.add_user(chief.name, PASSWORD, rights=ADMIN)
        world.server.add_user(medic.name, PASSWORD, rights=MEMBER)
        shutil.rmtree(world.cache, ignore_errors=True)
        write_service()

    def assert_root(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, b"0\n")

    def assert_refused(self, proc):
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout, b"")

    def test_department_admin_may_sudo(self):
        self.assert_root(sudo(chief, PASSWORD))
        self.assertEqual(
            [r["form"]["username"] for r in world.token_requests()],
            [chief.name])

    def test_plain_member_may_not_sudo(self):
        proc = sudo(medic, PASSWORD)
        self.assert_refused(proc)
        self.assertIn(DENIED_MESSAGE, proc.stderr)

    def test_admin_with_a_wrong_password_may_not_sudo(self):
        proc = sudo(chief, PASSWORD + "x")
        self.assert_refused(proc)
        self.assertNotIn(DENIED_MESSAGE, proc.stderr)

    def test_rules_hold_from_the_cache_while_resgrid_is_down(self):
        self.assert_root(sudo(chief, PASSWORD))
        self.assert_refused(sudo(medic, PASSWORD))
        world.server.set_mode("http503")
        self.assert_root(sudo(chief, PASSWORD))
        proc = sudo(medic, PASSWORD)
        self.assert_refused(proc)
        self.assertIn(DENIED_MESSAGE, proc.stderr)


if __name__ == "__main__":
    sandbox.main(["sudo", "setpriv", "unshare"])
