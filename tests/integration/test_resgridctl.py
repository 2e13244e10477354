"""resgridctl against the stand-in and a prepared cache: each command's
output, human and --json, and exit status; and no secret in any output."""

import json
import os
import re
import shutil
import subprocess
import unittest

import harness
from harness import PASSWORD

CTL = harness.TOP_BUILDDIR / "tools" / "resgridctl"
world = None

# Exit codes of resgridctl(8).
OK, NO, USAGE, UNAVAILABLE, CONFIG, CACHE = 0, 1, 2, 3, 4, 5

ADMIN = {"DepartmentId": "7", "DepartmentCode": "ST7", "IsAdmin": True,
         "Groups": [{"GroupId": "10", "IsGroupAdmin": True}]}


def setUpModule():
    global world
    world = harness.World()


def tearDownModule():
    world.close()


class Ctl(unittest.TestCase):

    def setUp(self):
        self.server = world.server
        self.server.reset()
        self.server.configure(rate_limit=0)
        self.server.add_user("chief", PASSWORD, rights=ADMIN)
        shutil.rmtree(world.cache, ignore_errors=True)
        self.config = world.dir / "ctl.conf"
        self.write_config(self.server.url())
        self.outputs = []

    def tearDown(self):
        verifiers = []
        if world.cache.exists():
            for path in world.cache.glob("*.json"):
                try:
                    verifier = json.loads(path.read_text())["verifier"]
                except (ValueError, KeyError):
                    continue
                if verifier:
                    verifiers.append(verifier)
        for text in self.outputs:
            self.assertNotIn(PASSWORD, text)
            self.assertNotIn("$y$", text, "a verifier was printed")
            self.assertNotRegex(text, r"eyJ[\w-]{20,}\.", "a token printed")
            for verifier in verifiers:
                self.assertNotIn(verifier, text)

    def write_config(self, url, **extra):
        lines = [f"api_url = {url}", f"ca_file = {self.server.ca_file}",
                 f"cache_dir = {world.cache}", "verifier_cost = 1"]
        lines += [f"{k} = {v}" for k, v in extra.items()]
        self.config.write_text("\n".join(lines) + "\n")
        os.chmod(self.config, 0o644)

    def ctl(self, *args, password=None):
        proc = subprocess.run(
            [str(CTL), "--config", str(self.config), *args],
            input=None if password is None else password + "\n",
            capture_output=True, text=True, timeout=60, env=world.env)
        self.outputs += [proc.stdout, proc.stderr]
        return proc

    def json_of(self, *args, **kw):
        proc = self.ctl("--json", *args, **kw)
        return proc, json.loads(proc.stdout)

    # check

    def test_check_passes_against_a_working_server(self):
        proc = self.ctl("check")
        self.assertEqual(proc.returncode, OK, proc.stdout + proc.stderr)
        self.assertIn("a login can work from here", proc.stdout)
        self.assertRegex(proc.stdout, r"issuer +CN = pam_resgrid test CA")
        self.assertIn("resolving 127.0.0.1", proc.stderr)
        self.assertIn("connecting to", proc.stderr)

    def test_check_in_json(self):
        proc, doc = self.json_of("check")
        self.assertEqual(proc.returncode, OK)
        self.assertTrue(doc["ok"])
        self.assertTrue(doc["tls"]["ok"])
        self.assertEqual(doc["https"]["status"], 200)
        self.assertLessEqual(abs(doc["clock"]["skew_s"]), 5)

    def test_check_in_json_survives_a_path_that_is_not_utf8(self):
        folder = os.fsencode(str(world.dir)) + b"/caf\xe9"
        proc = subprocess.run(
            [str(CTL), "--config", str(self.config), "--cache-dir", folder,
             "--json", "check"], capture_output=True, timeout=60,
            env=world.env)
        doc = json.loads(proc.stdout)
        self.assertTrue(doc["cache"]["folder"].endswith("/caf\\xe9"))
        self.assertTrue(doc["config"]["ok"])

    def test_check_reports_an_unreachable_server(self):
        self.write_config("https://127.0.0.1:1")
        proc = self.ctl("check")
        self.assertEqual(proc.returncode, UNAVAILABLE)
        self.assertIn("a login cannot work from here", proc.stdout)

    def test_check_reports_a_bad_certificate(self):
        for endpoint, words in [("rogue", "unable to get local issuer"),
                                ("wronghost", "matches target host"),
                                ("expired", "expired")]:
            with self.subTest(endpoint=endpoint):
                self.write_config(self.server.url(endpoint))
                proc, doc = self.json_of("check")
                self.assertEqual(proc.returncode, UNAVAILABLE)
                self.assertFalse(doc["https"]["ok"])
                self.assertIn(words, doc["https"]["detail"])

    def test_check_reports_a_broken_configuration(self):
        self.config.write_text("api_url = http://insecure.example\n")
        proc = self.ctl("check")
        self.assertEqual(proc.returncode, CONFIG)
        self.assertIn("bad value for 'api_url'", proc.stderr)

    def test_check_reports_every_configuration_problem(self):
        self.config.write_text("timeout = soon\nfrobnicate = 1\n")
        proc = self.ctl("check")
        self.assertEqual(proc.returncode, CONFIG)
        self.assertIn("'timeout'", proc.stderr)
        self.assertIn("'frobnicate'", proc.stderr)

    def test_check_reports_an_open_cache_folder(self):
        world.cache.mkdir(mode=0o755)
        os.chmod(world.cache, 0o755)
        proc = self.ctl("check")
        self.assertEqual(proc.returncode, NO)
        self.assertIn("mode 0755 is too open", proc.stdout)

    # login

    def test_login_shows_outcome_claims_and_rights(self):
        proc = self.ctl("login", "chief", password=PASSWORD)
        self.assertEqual(proc.returncode, OK, proc.stderr)
        self.assertIn("outcome: accepted (HTTP 200)", proc.stdout)
        self.assertIn("name chief", proc.stdout)
        self.assertIn("department ST7", proc.stdout)
        self.assertIn("group 10 (group admin)", proc.stdout)
        self.assertFalse(world.cache.exists(), "cache written without --save")

    def test_login_in_json(self):
        proc, doc = self.json_of("login", "chief", password=PASSWORD)
        self.assertEqual(doc["outcome"], "accepted")
        self.assertEqual(doc["claims"]["name"], "chief")
        self.assertTrue(doc["rights"]["is_admin"])
        self.assertFalse(doc["saved"])
        self.assertNotIn("access_token", proc.stdout)

    def test_login_with_save_writes_the_record(self):
        proc = self.ctl("login", "--save", "chief", password=PASSWORD)
        self.assertEqual(proc.returncode, OK)
        self.assertEqual(world.record("chief")["user"], "chief")

    def test_login_exit_codes(self):
        self.assertEqual(self.ctl("login", "chief", password="nope")
                         .returncode, NO)
        self.server.set_mode("http503")
        self.assertEqual(self.ctl("login", "chief", password=PASSWORD)
                         .returncode, UNAVAILABLE)
        self.server.set_mode("invalid_client")
        self.assertEqual(self.ctl("login", "chief", password=PASSWORD)
                         .returncode, CONFIG)
        self.assertEqual(self.ctl("login", "bad!name", password=PASSWORD)
                         .returncode, USAGE)
        self.assertEqual(self.ctl("login").returncode, USAGE)
        self.assertEqual(self.ctl("login", "chief", password="")
                         .returncode, USAGE)

    def test_login_sends_the_password_exactly(self):
        self.ctl("login", "chief", password=PASSWORD)
        self.assertEqual(world.token_requests()[-1]["form"]["password"],
                         PASSWORD)

    # cache

    def prepare(self):
        self.assertEqual(self.ctl("login", "--save", "chief",
                                  password=PASSWORD).returncode, OK)

    def test_cache_list(self):
        self.prepare()
        proc = self.ctl("cache", "list")
        self.assertEqual(proc.returncode, OK)
        self.assertRegex(proc.stdout, r"\nchief +ST7 .* usable\n")

    def test_cache_list_in_json(self):
        self.prepare()
        proc, doc = self.json_of("cache", "list")
        (record,) = doc["records"]
        self.assertEqual((record["user"], record["state"]),
                         ("chief", "usable"))
        self.assertNotIn("verifier", record)

    def test_cache_list_flags_a_corrupt_record(self):
        self.prepare()
        path = world.record_path("chief")
        os.truncate(path, 20)
        proc = self.ctl("cache", "list")
        self.assertEqual(proc.returncode, OK)
        self.assertIn(f"{path.name} untrusted: not valid JSON", proc.stdout)
        self.assertEqual(self.ctl("cache", "show", "chief").returncode, CACHE)

    def test_cache_show(self):
        self.prepare()
        proc = self.ctl("cache", "show", "chief")
        self.assertEqual(proc.returncode, OK)
        self.assertIn("state:         usable", proc.stdout)
        self.assertIn("department ST7", proc.stdout)
        self.assertEqual(self.ctl("cache", "show", "medic").returncode,
                         CACHE)

    def test_cache_revoke_stops_offline_logins(self):
        self.prepare()
        self.assertEqual(self.ctl("cache", "revoke", "chief").returncode, OK)
        self.assertIsNone(world.record("chief")["verifier"])
        self.assertIn("revoked", self.ctl("cache", "list").stdout)
        world.service(offline_grace="3d")
        self.server.set_mode("http503")
        self.assertEqual(world.run("chief", PASSWORD).code,
                         harness.PAM_AUTHINFO_UNAVAIL)

    def test_cache_purge_one_and_all(self):
        self.server.add_user("medic", PASSWORD)
        self.prepare()
        self.ctl("login", "--save", "medic", password=PASSWORD)
        self.assertEqual(self.ctl("cache", "purge", "medic").returncode, OK)
        self.assertFalse(world.record_path("medic").exists())
        self.assertTrue(world.record_path("chief").exists())
        self.assertEqual(self.ctl("cache", "purge", "--all").returncode, OK)
        self.assertEqual(list(world.cache.glob("*.json")), [])

    @unittest.skipUnless(os.geteuid() == 0, "needs root to change owners")
    def test_cache_changes_need_the_cache_owner(self):
        self.prepare()
        os.chown(world.cache, 65534, 65534)
        try:
            proc = self.ctl("cache", "revoke", "chief")
        finally:
            os.chown(world.cache, 0, 0)
        self.assertEqual(proc.returncode, CACHE)
        self.assertIn("owned by uid 65534", proc.stderr)
        self.assertIsNotNone(world.record("chief")["verifier"])

    # the rest of the interface

    def test_help_version_and_usage(self):
        self.assertEqual(self.ctl("--help").returncode, OK)
        version = self.ctl("--version")
        self.assertRegex(version.stdout, r"^resgridctl \(pam_resgrid\) \d")
        self.assertEqual(self.ctl().returncode, USAGE)
        self.assertEqual(self.ctl("frobnicate").returncode, USAGE)
        self.assertEqual(self.ctl("cache").returncode, USAGE)
        self.assertEqual(self.ctl("cache", "show").returncode, USAGE)


if __name__ == "__main__":
    harness.main()
