"""The online path: every outcome of an exchange with Resgrid, through
real libpam, the built module and the stand-in server over HTTPS."""

import os
import socket
import unittest

import harness
from harness import (IGNORED, PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL,
                     PAM_SERVICE_ERR, PAM_SUCCESS, PAM_USER_UNKNOWN,
                     PASSWORD)

world = None


def setUpModule():
    global world
    world = harness.World()


def tearDownModule():
    world.close()


class Online(unittest.TestCase):
    """Each test starts from a fresh server with one user, 'responder'."""

    def setUp(self):
        self.server = world.server
        self.server.reset()
        self.server.configure(rate_limit=0)
        self.server.add_user("responder", PASSWORD)
        world.service(outage_memory="0", offline_grace="off")

    def login(self, user="responder", password=PASSWORD, **kw):
        result = world.run(user, password, **kw)
        self.assertNotIn(password, result.text, "password in the output")
        return result

    def assert_no_request(self):
        self.assertEqual(world.token_requests(), [])

    # accepted

    def test_right_password_is_accepted(self):
        result = self.login()
        self.assertEqual(result.code, PAM_SUCCESS)
        self.assertRegex(result.log_text(),
                         r"user responder: accepted \(HTTP 200\) in \d+ ms")

    def test_request_follows_the_contract(self):
        self.login()
        (request,) = world.token_requests()
        self.assertEqual(request["method"], "POST")
        self.assertEqual(request["form"], {
            "grant_type": "password", "username": "responder",
            "password": PASSWORD, "scope": "openid profile"})
        headers = request["headers"]
        self.assertEqual(headers["content-type"],
                         "application/x-www-form-urlencoded")
        self.assertRegex(headers["user-agent"], r"^pam_resgrid/\d+\.\d+")
        self.assertNotIn("authorization", headers)
        self.assertNotIn("x-real-ip", headers)

    def test_hostile_passwords_arrive_exactly_as_typed(self):
        for password in ["a&b=c+d%e;f", "'\"\\", "  spaced out  ",
                         "Ünïcødé ñ 火", "%00%41", "x" * 500, "=&=&"]:
            with self.subTest(password=password):
                self.server.add_user("responder", password)
                result = self.login(password=password)
                self.assertEqual(result.code, PAM_SUCCESS)
                self.assertEqual(world.token_requests()[-1]["form"]["password"],
                                 password)

    def test_stored_name_in_other_letter_case_is_accepted(self):
        self.server.add_user("responder", PASSWORD, stored_name="Responder")
        self.assertEqual(self.login().code, PAM_SUCCESS)

    def test_lower_case_bearer_is_accepted(self):
        self.server.set_mode("token_type_lower")
        self.assertEqual(self.login().code, PAM_SUCCESS)

    def test_answer_without_id_token_is_accepted(self):
        self.server.set_mode("no_id_token")
        self.assertEqual(self.login().code, PAM_SUCCESS)

    # refused

    def test_wrong_password_is_refused(self):
        result = self.login(password="wrong")
        self.assertEqual(result.code, PAM_AUTH_ERR)
        self.assertEqual(result.errors, [], "generic refusal shown")
        self.assertIn("refused (HTTP 400 invalid_grant)", result.log_text())

    def test_unknown_resgrid_user_is_refused(self):
        self.assertEqual(self.login(user="medic").code, PAM_AUTH_ERR)

    def test_session_limit_is_refused_and_explained(self):
        self.server.add_user("responder", PASSWORD, session_limit=True)
        result = self.login()
        self.assertEqual(result.code, PAM_AUTH_ERR)
        self.assertEqual(len(result.errors), 1)
        self.assertIn("maximum number of active sessions", result.errors[0])

    def test_user_no_longer_allowed_is_refused_and_explained(self):
        self.server.add_user("responder", PASSWORD, not_allowed=True)
        result = self.login()
        self.assertEqual(result.code, PAM_AUTH_ERR)
        self.assertIn("no longer allowed", result.errors[0])

    def test_server_lockout_refuses_the_right_password(self):
        for _ in range(5):
            self.login(password="wrong")
        self.assertEqual(self.login().code, PAM_AUTH_ERR)

    def test_empty_password_is_refused_without_asking(self):
        result = world.run("responder", "")
        self.assertEqual(result.code, PAM_AUTH_ERR)
        self.assert_no_request()

    # unavailable

    def assert_unavailable(self, mode, reason):
        self.server.set_mode(mode)
        result = self.login()
        self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL, result.text)
        self.assertIn("unavailable", result.log_text())
        self.assertIn(reason, result.log_text())
        return result

    def test_server_errors_are_unavailable(self):
        for mode, reason in [("http500", "HTTP 500"), ("http502", "HTTP 502"),
                             ("http503", "HTTP 503"),
                             ("http429", "HTTP 429 rate limited")]:
            with self.subTest(mode=mode):
                self.assert_unavailable(mode, reason)

    def test_rate_limit_of_the_contract_is_unavailable(self):
        self.server.configure(rate_limit=4)
        codes = [self.login().code for _ in range(5)]
        self.assertEqual(codes, [PAM_SUCCESS] * 4 + [PAM_AUTHINFO_UNAVAIL])

    def test_redirect_is_not_followed(self):
        self.assert_unavailable("redirect", "redirect, not followed")
        self.assertEqual(len(world.token_requests()), 1)

    def test_broken_success_answers_are_unavailable(self):
        for mode, reason in [
                ("portal", "without a JSON object"),
                ("truncated", "without a JSON object"),
                ("empty200", "without a JSON object"),
                ("emptyobject", "without an access_token"),
                ("notobject", "without a JSON object"),
                ("no_access_token", "without an access_token"),
                ("empty_access_token", "without an access_token"),
                ("access_token_number", "without an access_token"),
                ("token_type_mac", "token_type not Bearer"),
                ("huge", "larger than the cap")]:
            with self.subTest(mode=mode):
                self.assert_unavailable(mode, reason)

    def test_untrustworthy_id_tokens_are_unavailable_with_a_warning(self):
        for mode, reason in [("idtoken_garbage", "cannot be decoded"),
                             ("idtoken_badjson", "cannot be decoded"),
                             ("idtoken_no_name", "cannot be decoded"),
                             ("idtoken_wrong_name", "names another user")]:
            with self.subTest(mode=mode):
                result = self.assert_unavailable(mode, reason)
                self.assertIn((4, next(m for p, m in result.logs
                                       if reason in m)), result.logs)

    def test_closed_connection_is_unavailable(self):
        self.assert_unavailable("close", "")

    def test_refused_connection_is_unavailable(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        world.service(api_url=f"https://127.0.0.1:{port}",
                      offline_grace="off")
        result = self.login()
        self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL)
        self.assertIn("connect", result.log_text().lower())

    def test_hanging_server_is_given_up_within_the_timeout(self):
        world.service(timeout="2", offline_grace="off")
        self.server.set_mode("hang")
        result = self.login()
        self.server.set_mode("normal")
        self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL)
        self.assertIn("Timeout", result.log_text())
        self.assertLess(result.elapsed, 15, "hung past the timeout")

    def test_dribbling_server_is_given_up_within_the_timeout(self):
        world.service(timeout="2", offline_grace="off")
        self.server.set_mode("slow_body")
        result = self.login()
        self.server.set_mode("normal")
        self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL)
        self.assertLess(result.elapsed, 15)

    def test_certificate_problems_are_unavailable_and_send_nothing(self):
        for endpoint in ("rogue", "wronghost", "expired"):
            with self.subTest(endpoint=endpoint):
                self.server.reset()
                self.server.configure(rate_limit=0)
                world.service(api_url=self.server.url(endpoint),
                              offline_grace="off")
                result = self.login()
                self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL)
                self.assert_no_request()

    def test_system_trust_store_does_not_trust_the_test_ca(self):
        world.service(ca_file=None, offline_grace="off")
        self.assertEqual(self.login().code, PAM_AUTHINFO_UNAVAIL)
        self.assert_no_request()

    # misconfigured

    def test_rejections_of_our_request_are_service_errors(self):
        for mode in ("invalid_client", "invalid_scope",
                     "unsupported_grant_type", "invalid_request"):
            with self.subTest(mode=mode):
                self.server.set_mode(mode)
                result = self.login()
                self.assertEqual(result.code, PAM_SERVICE_ERR)
                self.assertIn(mode, result.log_text())

    def test_unknown_scope_is_a_service_error(self):
        world.service(scope="openid roster", offline_grace="off")
        self.assertEqual(self.login().code, PAM_SERVICE_ERR)

    def test_bad_configuration_is_a_service_error_naming_the_key(self):
        for arg, key in [({"timeout": "soon"}, "timeout"),
                         ({"frobnicate": "1"}, "frobnicate"),
                         ({"api_url": "http://127.0.0.1"}, "api_url"),
                         ({"config": "/nonexistent/pam_resgrid.conf"},
                          "/nonexistent/pam_resgrid.conf")]:
            with self.subTest(arg=arg):
                world.service(**arg)
                result = self.login()
                self.assertEqual(result.code, PAM_SERVICE_ERR)
                self.assertIn(key, result.log_text())
                self.assert_no_request()

    @unittest.skipUnless(os.geteuid() == 0, "needs root to chown")
    def test_config_file_not_owned_by_root_is_refused(self):
        config = world.dir / "mine.conf"
        config.write_text("debug = yes\n")
        os.chmod(config, 0o644)
        os.chown(config, 65534, 65534)
        world.service(config=str(config))
        result = self.login()
        self.assertEqual(result.code, PAM_SERVICE_ERR)
        self.assertIn("owned by uid", result.log_text())

    def test_untrusted_or_missing_ca_file_is_a_service_error(self):
        loose = world.dir / "loose-ca.pem"
        loose.write_bytes(open(self.server.ca_file, "rb").read())
        os.chmod(loose, 0o666)
        for ca, reason in [(str(loose), "mode 0666 is too open"),
                           (str(world.dir / "no-ca.pem"), "missing")]:
            with self.subTest(ca=ca):
                world.service(ca_file=ca, offline_grace="off")
                result = self.login()
                self.assertEqual(result.code, PAM_SERVICE_ERR)
                self.assertIn(f"ca_file {reason}", result.log_text())
        self.assert_no_request()

    # accounts the module leaves alone

    def test_root_is_ignored_even_with_a_broken_configuration(self):
        world.service(timeout="soon")
        result = self.login(user="root")
        self.assertEqual(result.code, IGNORED)
        self.assertEqual(result.logs, [])

    def test_system_accounts_are_ignored_with_a_broken_configuration(self):
        world.service(timeout="soon")
        self.assertEqual(self.login(user="daemon").code, IGNORED)
        self.assertEqual(self.login(user="responder").code, PAM_SERVICE_ERR)

    def test_root_is_ignored_and_never_sent(self):
        self.assertEqual(self.login(user="root").code, IGNORED)
        self.assert_no_request()

    def test_system_accounts_are_ignored_and_never_sent(self):
        self.assertEqual(self.login(user="daemon").code, IGNORED)
        world.service(minimum_uid="1002", offline_grace="off")
        self.assertEqual(self.login(user="responder").code, IGNORED)
        self.assert_no_request()

    def test_unknown_account_is_unknown_and_not_logged(self):
        typed = "Hunter2-looks-like-a-password"
        result = self.login(user=typed)
        self.assertEqual(result.code, PAM_USER_UNKNOWN)
        self.assertNotIn(typed, result.log_text())
        self.assert_no_request()

    def test_hostile_user_names_are_refused_and_never_sent(self):
        for user in ["bad!name", "x\x1b[31m", "../../etc/passwd", "a" * 300]:
            with self.subTest(user=user):
                result = self.login(user=user)
                self.assertEqual(result.code, PAM_USER_UNKNOWN)
                self.assertNotIn("\x1b", result.log_text())
        self.assert_no_request()

    def test_email_style_user_name_is_sent(self):
        self.server.add_user("j.doe@county.example", PASSWORD)
        result = self.login(user="j.doe@county.example")
        self.assertEqual(result.code, PAM_SUCCESS)

    # the PAM conversation

    def test_use_first_pass_reuses_the_password_of_the_module_above(self):
        args = world.module_args(offline_grace="off")
        world.service(lines=[
            f"auth optional {harness.MODULE} {args}",
            f"auth required {harness.MODULE} {args} use_first_pass"])
        result = self.login()
        self.assertEqual(result.code, PAM_SUCCESS)
        self.assertEqual(len(result.prompts), 1)
        self.assertEqual(len(world.token_requests()), 2)

    def test_setcred_succeeds_and_account_is_ignored(self):
        result = world.run("responder", PASSWORD,
                           phases=("auth", "setcred", "account"))
        self.assertEqual(result.codes, {"auth": PAM_SUCCESS,
                                        "setcred": PAM_SUCCESS,
                                        "account": IGNORED})

    def test_password_change_of_a_local_account_is_left_alone(self):
        result = world.run("medic", "old", "new", "new",
                           phases=("chauthtok",))
        self.assertNotIn("Resgrid", " ".join(result.errors))

    def test_sslkeylogfile_of_the_caller_is_never_written(self):
        keylog = world.dir / "keys.log"
        world.env["SSLKEYLOGFILE"] = str(keylog)
        try:
            result = self.login()
        finally:
            del world.env["SSLKEYLOGFILE"]
        self.assertEqual(result.code, PAM_SUCCESS)
        self.assertFalse(keylog.exists(), "TLS secrets written for the caller")

    def test_debug_adds_detail(self):
        world.service(debug=True, offline_grace="off")
        self.server.set_mode("close")
        result = self.login()
        self.assertTrue(any(p == 7 for p, _ in result.logs), result.text)

    def test_module_survives_many_loads_in_one_process(self):
        # world.run() fails the test if the 20 loads and unloads left a
        # descriptor, a thread or a signal setting behind.
        result = world.run("responder", *([PASSWORD] * 20), repeat=20)
        self.assertEqual(result.text.count("result auth 0 "), 20)
        self.assertEqual(len(world.token_requests()), 20)


if __name__ == "__main__":
    harness.main()
