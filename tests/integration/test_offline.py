"""Offline sign-in: the cached record stands in for Resgrid only when
Resgrid is unavailable, and only for the right password, within the
grace, from a record nobody else could have written."""

import json
import os
import random
import shutil
import signal
import subprocess
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

import harness
from harness import (PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL, PAM_SUCCESS,
                     PASSWORD)

world = None

# The ways Resgrid can be unavailable, as the stand-in plays them.
OUTAGES = ["refused", "hang", "http429", "http500", "portal", "truncated"]

OFFLINE_MESSAGE = ("Resgrid could not be reached; signed in with cached "
                   "credentials, offline sign-in allowed until ")


def setUpModule():
    global world
    world = harness.World()


def tearDownModule():
    world.close()


class Offline(unittest.TestCase):

    def setUp(self):
        self.server = world.server
        self.server.reset()
        self.server.configure(rate_limit=0)
        self.server.add_user("responder", PASSWORD)
        shutil.rmtree(world.cache, ignore_errors=True)
        self.online_service()

    def online_service(self, **overrides):
        args = dict(timeout="2", connect_timeout="1")
        args.update(overrides)
        world.service(**args)

    def outage(self, kind, **overrides):
        """Makes Resgrid unavailable in the given way."""
        if kind == "refused":
            self.online_service(api_url="https://127.0.0.1:1", **overrides)
        else:
            self.online_service(**overrides)
            self.server.set_mode(kind)

    def restore(self):
        self.server.set_mode("normal")
        self.online_service()

    def login(self, user="responder", password=PASSWORD):
        result = world.run(user, password)
        self.assertNotIn(password, result.text)
        return result

    def sign_in_online(self, user="responder"):
        self.assertEqual(self.login(user).code, PAM_SUCCESS)

    def edit_record(self, user="responder", **fields):
        record = world.record(user)
        record.update(fields)
        world.write_record(user, record)

    # the record

    def test_online_success_writes_a_private_record(self):
        before = int(time.time())
        self.sign_in_online()
        path = world.record_path("responder")
        self.assertEqual(os.stat(world.cache).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        record = world.record("responder")
        self.assertEqual(record["version"], 1)
        self.assertEqual(record["user"], "responder")
        self.assertEqual(record["name"], "responder")
        self.assertTrue(record["verifier"].startswith("$y$"))
        self.assertGreaterEqual(record["online_at"], before)
        self.assertAlmostEqual(record["token_expires"],
                               record["online_at"] + 86398, delta=2)
        self.assertEqual(record["failures"], 0)

    def test_verifier_is_made_beside_the_exchange(self):
        self.server.configure(delay_ms=300)
        self.online_service(debug=True)
        result = self.login()
        self.assertEqual(result.code, PAM_SUCCESS)
        self.assertIn("verifier made beside the exchange",
                      result.log_text())
        self.assertTrue(world.record("responder")["verifier"]
                        .startswith("$y$"))
        self.outage("http503")
        self.assertEqual(self.login().code, PAM_SUCCESS)

    def test_no_thread_outlives_any_outcome(self):
        # At cost 7 the verifier's hash takes 50 ms or more, longer than
        # any of these answers and than checking the record's verifier,
        # made at cost 1; so a login that returned without joining the
        # thread would leave it running, and the harness fails every run
        # that leaves a thread behind.
        slow = dict(verifier_cost="7")
        self.online_service(**slow)
        self.assertEqual(self.login().code, PAM_SUCCESS)
        self.online_service()
        self.sign_in_online()
        self.online_service(**slow)
        self.assertEqual(self.login(password="wrong " + PASSWORD).code,
                         PAM_AUTH_ERR)
        for kind in ("http503", "refused", "notobject"):
            with self.subTest(kind=kind):
                self.outage(kind, **slow)
                result = self.login()
                self.assertEqual(result.code, PAM_SUCCESS)
                self.assertIn("cached credentials", result.log_text())
                self.restore()

    def test_no_secret_ever_reaches_the_cache_folder(self):
        self.sign_in_online()
        self.outage("http500")
        self.login()
        self.login(password="wrong " + PASSWORD)
        for path in world.cache.iterdir():
            data = path.read_bytes()
            self.assertNotIn(PASSWORD.encode(), data, path)
            self.assertNotIn(b"access_token", data, path)

    def test_password_change_of_a_resgrid_user_points_to_resgrid(self):
        self.sign_in_online()
        result = world.run("responder", "new", "new", phases=("chauthtok",))
        self.assertEqual(result.code, harness.PAM_AUTHTOK_ERR)
        self.assertEqual(result.errors, [
            "Your password is managed by Resgrid; change it in Resgrid."])
        self.assertEqual(world.run("medic", "x", "y", "y",
                                   phases=("chauthtok",)).code,
                         harness.IGNORED)

    def test_refusal_never_falls_back_to_the_cache(self):
        self.sign_in_online()
        self.server.add_user("responder", "changed in Resgrid")
        self.assertEqual(self.login().code, PAM_AUTH_ERR)

    # the offline decision, for every way of being unavailable

    def test_right_password_signs_in_offline_and_says_until_when(self):
        self.sign_in_online()
        for kind in OUTAGES:
            with self.subTest(outage=kind):
                self.outage(kind)
                result = self.login()
                self.restore()
                self.assertEqual(result.code, PAM_SUCCESS, result.text)
                self.assertEqual(len(result.infos), 1)
                self.assertTrue(result.infos[0].startswith(OFFLINE_MESSAGE))
                self.assertIn((5, "pam_resgrid(resgrid:auth): "
                               + result.infos[0]), result.logs)

    def test_without_a_record_it_is_unavailable(self):
        self.server.add_user("medic", PASSWORD)
        for kind in OUTAGES:
            with self.subTest(outage=kind):
                self.outage(kind)
                result = self.login(user="medic")
                self.restore()
                self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL)

    def test_wrong_password_is_refused_offline(self):
        self.sign_in_online()
        for kind in OUTAGES:
            with self.subTest(outage=kind):
                self.outage(kind)
                result = self.login(password="Wrong-Pass-9")
                self.restore()
                self.assertEqual(result.code, PAM_AUTH_ERR)
                self.edit_record(failures=0)

    def assert_record_unusable(self, spoil, expected=PAM_AUTHINFO_UNAVAIL,
                               warning=None):
        for kind in OUTAGES:
            with self.subTest(outage=kind):
                self.restore()
                shutil.rmtree(world.cache, ignore_errors=True)
                self.sign_in_online()
                spoil()
                self.outage(kind)
                result = self.login()
                self.restore()
                self.assertEqual(result.code, expected, result.text)
                if warning is not None:
                    self.assertIn(warning, result.log_text())

    def test_expired_record_is_unusable(self):
        past = int(time.time()) - 4 * 86400
        self.assert_record_unusable(lambda: self.edit_record(
            online_at=past, token_expires=past + 86398))

    def test_revoked_record_is_unusable(self):
        self.assert_record_unusable(lambda: self.edit_record(verifier=None))

    def test_locked_record_refuses_even_the_right_password(self):
        later = int(time.time()) + 600
        self.assert_record_unusable(
            lambda: self.edit_record(locked_until=later),
            expected=PAM_AUTH_ERR)

    def test_world_readable_record_is_ignored(self):
        self.assert_record_unusable(
            lambda: os.chmod(world.record_path("responder"), 0o644),
            warning="mode 0644 is too open")

    @unittest.skipUnless(os.geteuid() == 0, "needs root to chown")
    def test_record_owned_by_another_user_is_ignored(self):
        self.assert_record_unusable(
            lambda: os.chown(world.record_path("responder"), 65534, 65534),
            warning="owned by uid 65534")

    def test_record_replaced_by_a_symlink_is_ignored(self):
        def spoil():
            path = world.record_path("responder")
            elsewhere = world.dir / "elsewhere.json"
            shutil.copy(path, elsewhere)
            os.chmod(elsewhere, 0o600)
            path.unlink()
            path.symlink_to(elsewhere)
        self.assert_record_unusable(spoil, warning="symbolic link")

    def test_truncated_record_is_ignored(self):
        def spoil():
            path = world.record_path("responder")
            os.truncate(path, os.path.getsize(path) // 2)
        self.assert_record_unusable(spoil, warning="not valid JSON")

    def test_record_of_another_user_moved_in_is_ignored(self):
        def spoil():
            os.replace(world.record_path("responder"),
                       world.record_path("chief"))
        self.server.add_user("chief", PASSWORD)
        self.sign_in_online()
        spoil()
        self.outage("http500")
        result = self.login(user="chief")
        self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL)
        self.assertIn("belongs to another user", result.log_text())

    def test_open_cache_folder_is_ignored_and_online_still_works(self):
        self.sign_in_online()
        os.chmod(world.cache, 0o755)
        self.assertEqual(self.login().code, PAM_SUCCESS)
        self.outage("http500")
        result = self.login()
        self.assertEqual(result.code, PAM_AUTHINFO_UNAVAIL)
        self.assertIn("mode 0755 is too open", result.log_text())

    def test_record_dated_in_the_future_is_unusable(self):
        future = int(time.time()) + 3600
        self.assert_record_unusable(lambda: self.edit_record(
            online_at=future, token_expires=future + 86398))

    # revocation, lockout and the grace settings

    def test_refusal_of_the_cached_password_revokes_it(self):
        self.sign_in_online()
        self.server.add_user("responder", "new password")
        self.assertEqual(self.login().code, PAM_AUTH_ERR)
        self.assertIsNone(world.record("responder")["verifier"])
        self.outage("http503")
        self.assertEqual(self.login().code, PAM_AUTHINFO_UNAVAIL)

    def test_refusal_of_another_password_keeps_the_record(self):
        self.sign_in_online()
        self.assertEqual(self.login(password="typo").code, PAM_AUTH_ERR)
        self.assertIsNotNone(world.record("responder")["verifier"])

    def test_offline_failures_lock_and_success_clears_them(self):
        self.sign_in_online()
        self.outage("http503", offline_max_failures="3",
                    offline_lockout="10m")
        self.login(password="Wrong-Pass-9")
        self.assertEqual(world.record("responder")["failures"], 1)
        self.assertEqual(self.login().code, PAM_SUCCESS)
        self.assertEqual(world.record("responder")["failures"], 0)
        for _ in range(3):
            self.login(password="Wrong-Pass-9")
        result = self.login()
        self.assertEqual(result.code, PAM_AUTH_ERR)
        self.assertIn("locked until", " ".join(result.errors))
        self.assertGreater(world.record("responder")["locked_until"],
                           time.time() + 500)

    def test_online_success_clears_an_offline_lockout(self):
        self.sign_in_online()
        self.edit_record(locked_until=int(time.time()) + 600, failures=2)
        self.sign_in_online()
        record = world.record("responder")
        self.assertEqual((record["failures"], record["locked_until"]),
                         (0, 0))

    def test_grace_off_keeps_no_cache_and_never_signs_in_offline(self):
        self.online_service(offline_grace="off")
        self.sign_in_online()
        self.assertFalse(world.cache.exists())
        self.outage("http503", offline_grace="off")
        self.assertEqual(self.login().code, PAM_AUTHINFO_UNAVAIL)

    def test_grace_zero_allows_offline_only_until_the_token_expires(self):
        self.sign_in_online()
        self.outage("http503", offline_grace="0")
        self.assertEqual(self.login().code, PAM_SUCCESS)
        now = int(time.time())
        self.edit_record(online_at=now - 100, token_expires=now - 1)
        self.assertEqual(self.login().code, PAM_AUTHINFO_UNAVAIL)
        self.outage("http503", offline_grace="1h")
        self.assertEqual(self.login().code, PAM_SUCCESS)

    # outages

    def test_known_outage_skips_the_network_for_cached_users(self):
        self.sign_in_online()
        self.outage("hang", outage_memory="60")
        first = self.login()
        asked = len(world.token_requests())
        second = self.login()
        uncached = self.login(user="medic")
        self.restore()
        self.assertEqual((first.code, second.code),
                         (PAM_SUCCESS, PAM_SUCCESS))
        self.assertGreater(first.elapsed, 1.5)
        self.assertEqual(len(world.token_requests()), asked + 1,
                         "only the uncached user went to the network")
        self.assertEqual(uncached.code, PAM_AUTHINFO_UNAVAIL)

    def test_outage_is_forgotten_after_any_online_success(self):
        self.server.add_user("chief", PASSWORD)
        self.sign_in_online()
        self.outage("http503", outage_memory="60")
        self.login()
        self.server.set_mode("normal")
        self.assertEqual(self.login(user="chief").code, PAM_SUCCESS)
        asked = len(world.token_requests())
        self.assertEqual(self.login().code, PAM_SUCCESS)
        self.assertEqual(len(world.token_requests()), asked + 1)
        self.assertEqual(world.token_requests()[-1]["status"], 200)

    # crash safety and concurrency

    def test_killed_logins_leave_the_old_record_or_the_new(self):
        self.sign_in_online()
        rng = random.Random(7)
        for i in range(200):
            proc = subprocess.Popen(
                [str(harness.DRIVE), str(world.confdir), "resgrid",
                 "responder"], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, env=world.env)
            proc.stdin.write((PASSWORD + "\n").encode())
            proc.stdin.flush()
            time.sleep(rng.uniform(0.0, 0.08))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdin.close()
            record = world.record("responder")
            self.assertTrue(record["verifier"].startswith("$y$"), i)
            self.assertEqual(record["user"], "responder")
        self.outage("http503")
        self.assertEqual(self.login().code, PAM_SUCCESS)

    def test_parallel_logins_of_one_user_keep_the_record_whole(self):
        with ThreadPoolExecutor(20) as pool:
            results = list(pool.map(lambda _: self.login(), range(20)))
        self.assertEqual({r.code for r in results}, {PAM_SUCCESS})
        self.assertEqual(world.record("responder")["user"], "responder")
        leftovers = [p.name for p in world.cache.iterdir()
                     if p.name.endswith(".tmp")]
        self.assertEqual(leftovers, [])

    def test_parallel_logins_of_fifty_users_each_get_their_record(self):
        users = [f"crew{i:02d}" for i in range(50)]
        for user in users:
            self.server.add_user(user, PASSWORD + user)
        # Fifty TLS handshakes at once are slow for a Python server.
        self.online_service(timeout="60", connect_timeout="30")
        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(
                lambda u: self.login(user=u, password=PASSWORD + u), users))
        self.assertEqual({r.code for r in results}, {PAM_SUCCESS})
        for user in users:
            self.assertEqual(world.record(user)["user"], user)
        self.outage("http503")
        self.assertEqual(self.login("crew17", PASSWORD + "crew17").code,
                         PAM_SUCCESS)
        self.assertEqual(self.login("crew18", PASSWORD + "crew17").code,
                         PAM_AUTH_ERR)


if __name__ == "__main__":
    harness.main()
