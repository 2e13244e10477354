"""Access rules on the rights Resgrid keeps: department, group and admin
gating in the account phase, online, offline, in the same transaction
and from the cache alone; and local names mapped to Resgrid names."""

import os
import shutil
import unittest

import harness
from harness import (IGNORED, PAM_AUTHINFO_UNAVAIL, PAM_PERM_DENIED,
                     PAM_SERVICE_ERR, PAM_SUCCESS, PASSWORD)

world = None

ADMIN = {"DepartmentId": "7", "DepartmentCode": "ST7", "IsAdmin": True,
         "Groups": [{"GroupId": "10", "IsGroupAdmin": True}]}
MEMBER = {"DepartmentId": "7", "DepartmentCode": "ST7", "IsAdmin": False,
          "Groups": [{"GroupId": "11", "IsGroupAdmin": False}]}
OUTSIDER = {"DepartmentId": "9", "DepartmentCode": "OTHER", "IsAdmin": True,
            "Groups": [{"GroupId": "10", "IsGroupAdmin": True}]}


def setUpModule():
    global world
    world = harness.World()


def tearDownModule():
    world.close()


class Access(unittest.TestCase):

    def setUp(self):
        self.server = world.server
        self.server.reset()
        self.server.configure(rate_limit=0)
        self.server.add_user("chief", PASSWORD, rights=ADMIN)
        self.server.add_user("medic", PASSWORD, rights=MEMBER)
        self.server.add_user("responder", PASSWORD, rights=OUTSIDER)
        shutil.rmtree(world.cache, ignore_errors=True)

    def rules(self, **rules):
        world.service(timeout="2", connect_timeout="1", **rules)

    def auth_and_account(self, user):
        result = world.run(user, PASSWORD, phases=("auth", "account"))
        self.assertEqual(result.codes["auth"], PAM_SUCCESS, result.text)
        return result

    def account_only(self, user):
        return world.run(user, phases=("account",))

    def assert_gate(self, rules, allowed, denied, message):
        self.rules(**rules)
        for user in allowed:
            with self.subTest(user=user, allowed=True):
                result = self.auth_and_account(user)
                self.assertEqual(result.codes["account"], PAM_SUCCESS,
                                 result.text)
        for user in denied:
            with self.subTest(user=user, allowed=False):
                result = self.auth_and_account(user)
                self.assertEqual(result.codes["account"], PAM_PERM_DENIED)
                self.assertEqual(len(result.errors), 1)
                if message is not None:
                    self.assertEqual(result.errors, [message])

    # each rule, online, in the same transaction

    def test_department_by_id(self):
        self.assert_gate(
            {"require_department": "7"}, ["chief", "medic"], ["responder"],
            "Access denied: your Resgrid department may not use this "
            "machine.")

    def test_department_by_code_in_any_case(self):
        self.assert_gate({"require_department": "st7"}, ["chief", "medic"],
                         ["responder"],
                         "Access denied: your Resgrid department may not "
                         "use this machine.")

    def test_group(self):
        self.assert_gate({"require_group": "10,12"}, ["chief", "responder"],
                         ["medic"],
                         "Access denied: you are not in a Resgrid group "
                         "(station) allowed here.")

    def test_admin(self):
        self.assert_gate({"require_admin": "yes", "require_department": "7"},
                         ["chief"], ["medic", "responder"], None)

    def test_admin_alone(self):
        self.assert_gate({"require_admin": "yes"}, ["chief", "responder"],
                         ["medic"],
                         "Access denied: only Resgrid department admins "
                         "may do this.")

    def test_group_admin(self):
        self.assert_gate({"require_group_admin": "yes",
                          "require_group": "10"}, ["chief", "responder"],
                         ["medic"],
                         "Access denied: you are not in a Resgrid group "
                         "(station) allowed here.")
        self.server.add_user("medic", PASSWORD, rights=dict(
            MEMBER, Groups=[{"GroupId": "10", "IsGroupAdmin": False}]))
        result = self.auth_and_account("medic")
        self.assertEqual(result.errors, [
            "Access denied: only Resgrid group admins may do this."])

    def test_no_rule_leaves_the_account_phase_alone(self):
        self.rules()
        result = self.auth_and_account("medic")
        self.assertEqual(result.codes["account"], IGNORED)

    def test_rights_come_over_the_same_connection(self):
        self.rules(require_admin="yes")
        self.auth_and_account("chief")
        token, rights = self.server.requests()
        self.assertEqual(rights["path"],
                         "/api/v4/Security/GetCurrentUsersRights")
        self.assertEqual(rights["client_port"], token["client_port"],
                         "a second connection was opened")
        self.assertTrue(rights["headers"]["authorization"].startswith(
            "Bearer "))

    # offline and from the cache

    def test_rules_hold_offline(self):
        self.rules(require_admin="yes")
        self.auth_and_account("chief")
        self.auth_and_account("medic")
        self.server.set_mode("http503")
        self.assertEqual(self.auth_and_account("chief").codes["account"],
                         PAM_SUCCESS)
        self.assertEqual(self.auth_and_account("medic").codes["account"],
                         PAM_PERM_DENIED)

    def test_cache_alone_serves_a_key_login(self):
        self.rules(require_admin="yes")
        self.auth_and_account("chief")
        self.auth_and_account("medic")
        self.assertEqual(self.account_only("chief").codes["account"],
                         PAM_SUCCESS)
        self.assertEqual(self.account_only("medic").codes["account"],
                         PAM_PERM_DENIED)

    def test_no_record_with_a_rule_is_denied(self):
        self.rules(require_admin="yes")
        result = self.account_only("chief")
        self.assertEqual(result.codes["account"], PAM_PERM_DENIED)
        self.assertIn("rights are not known", result.errors[0])

    def test_revoked_record_with_a_rule_is_denied(self):
        self.rules(require_admin="yes")
        self.auth_and_account("chief")
        record = world.record("chief")
        record["verifier"] = None
        world.write_record("chief", record)
        self.assertEqual(self.account_only("chief").codes["account"],
                         PAM_PERM_DENIED)

    def test_rights_learned_without_rules_serve_a_service_with_rules(self):
        self.rules()
        self.auth_and_account("chief")
        self.rules(require_admin="yes")
        self.assertEqual(self.account_only("chief").codes["account"],
                         PAM_SUCCESS)

    def rights_requests(self):
        return [r for r in self.server.requests()
                if r["path"].endswith("GetCurrentUsersRights")]

    def test_rights_are_renewed_only_when_needed(self):
        self.rules()
        self.auth_and_account("chief")
        self.assertEqual(len(self.rights_requests()), 1, "first login")
        self.auth_and_account("chief")
        self.assertEqual(len(self.rights_requests()), 1,
                         "fresh cached rights fetched again")
        self.rules(require_admin="yes")
        self.auth_and_account("chief")
        self.assertEqual(len(self.rights_requests()), 2, "rules need them")
        self.rules()
        record = world.record("chief")
        record["rights_at"] -= 3600
        world.write_record("chief", record)
        self.auth_and_account("chief")
        self.assertEqual(len(self.rights_requests()), 3, "stale rights kept")

    def test_unavailable_rights_fall_back_to_the_cache(self):
        self.rules(require_admin="yes")
        self.auth_and_account("chief")
        self.server.set_mode("rights_500")
        result = self.auth_and_account("chief")
        self.assertEqual(result.codes["account"], PAM_SUCCESS)
        self.assertIn("rights unavailable: HTTP 500", result.log_text())

    @unittest.skipIf(os.environ.get("PAM_DRIVE_WRAPPER"),
                     "timeouts are stretched under valgrind")
    def test_rights_share_the_login_timeout(self):
        world.service(timeout="2", connect_timeout="1",
                      require_admin="yes")
        self.server.configure(mode="rights_hang", delay_ms=1500)
        result = self.auth_and_account("chief")
        self.server.configure(mode="normal")
        self.assertLess(result.elapsed, 3.0, "a second timeout was used")
        self.assertIn("rights unavailable", result.log_text())
        self.assertEqual(result.codes["account"], PAM_PERM_DENIED)

    def test_unavailable_rights_without_a_cache_fail_closed(self):
        for mode in ("rights_500", "rights_401", "rights_garbage"):
            with self.subTest(mode=mode):
                shutil.rmtree(world.cache, ignore_errors=True)
                self.rules(require_admin="yes")
                self.server.set_mode(mode)
                result = self.auth_and_account("chief")
                self.assertEqual(result.codes["account"], PAM_PERM_DENIED)

    def test_fresh_rights_replace_cached_ones(self):
        self.rules(require_admin="yes")
        self.auth_and_account("chief")
        self.server.add_user("chief", PASSWORD, rights=MEMBER)
        self.assertEqual(self.auth_and_account("chief").codes["account"],
                         PAM_PERM_DENIED)
        self.assertEqual(self.account_only("chief").codes["account"],
                         PAM_PERM_DENIED)


@unittest.skipUnless(os.geteuid() == 0, "the user map must be owned by root")
class Mapped(unittest.TestCase):

    def setUp(self):
        self.server = world.server
        self.server.reset()
        self.server.configure(rate_limit=0)
        self.server.add_user("j.doe@county.example", PASSWORD,
                             stored_name="J.Doe@County.example",
                             rights=ADMIN)
        shutil.rmtree(world.cache, ignore_errors=True)
        self.map = world.dir / "user_map"
        self.write_map("# local  resgrid\n\nmedic  j.doe@county.example\n")

    def write_map(self, text, mode=0o644):
        self.map.write_text(text)
        os.chmod(self.map, mode)

    def test_mapped_user_is_exchanged_under_the_resgrid_name(self):
        world.service(user_map=str(self.map), require_admin="yes")
        result = world.run("medic", PASSWORD, phases=("auth", "account"))
        self.assertEqual(result.codes, {"auth": PAM_SUCCESS,
                                        "account": PAM_SUCCESS})
        self.assertEqual(world.token_requests()[-1]["form"]["username"],
                         "j.doe@county.example")
        self.assertEqual(world.record("medic")["name"],
                         "J.Doe@County.example")
        self.assertIn("user medic as j.doe@county.example: accepted",
                      result.log_text())

    def test_mapped_user_signs_in_offline_under_the_local_name(self):
        world.service(user_map=str(self.map))
        world.run("medic", PASSWORD)
        self.server.set_mode("http503")
        self.assertEqual(world.run("medic", PASSWORD).code, PAM_SUCCESS)

    def test_unmapped_user_uses_the_local_name(self):
        self.server.add_user("chief", PASSWORD)
        world.service(user_map=str(self.map))
        self.assertEqual(world.run("chief", PASSWORD).code, PAM_SUCCESS)
        self.assertEqual(world.token_requests()[-1]["form"]["username"],
                         "chief")

    def test_id_token_must_name_the_resgrid_user(self):
        world.service(user_map=str(self.map))
        self.server.set_mode("idtoken_wrong_name")
        self.assertEqual(world.run("medic", PASSWORD).code,
                         PAM_AUTHINFO_UNAVAIL)

    def test_untrusted_or_broken_map_is_a_service_error(self):
        for text, mode in [("medic j.doe@county.example\n", 0o666),
                           ("medic\n", 0o644),
                           ("medic a\nmedic b\n", 0o644),
                           ("medic bad!name\n", 0o644)]:
            with self.subTest(text=text, mode=oct(mode)):
                self.write_map(text, mode)
                world.service(user_map=str(self.map))
                self.assertEqual(world.run("medic", PASSWORD).code,
                                 PAM_SERVICE_ERR)
        self.assertEqual(world.token_requests(), [])


if __name__ == "__main__":
    harness.main()
