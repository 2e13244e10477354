"""The files the Debian package ships beside the build: the commented
configuration file stays in step with README's table and with what the
module accepts, and the package's version with configure's."""

import os
import re
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOP_SRCDIR = Path(os.environ.get("TOP_SRCDIR", HERE.parents[1]))
sys.path.insert(0, str(TOP_SRCDIR / "tests" / "integration"))

import harness  # noqa: E402
from harness import IGNORED, PAM_SERVICE_ERR  # noqa: E402

CONFFILE = TOP_SRCDIR / "debian" / "pam_resgrid.conf"
README = TOP_SRCDIR / "README.md"

world = None


def setUpModule():
    global world
    world = harness.World()


def tearDownModule():
    world.close()


def readme_keys():
    """key -> default as README's configuration table gives it; the
    default is None where the table says it in words."""
    text = README.read_text()
    section = text.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    keys = {}
    for match in re.finditer(r"^\| `([a-z_]+)` \| ([^|]*) \|", section,
                             re.MULTILINE):
        default = match.group(2).strip()
        literal = re.fullmatch(r"`([^`]*)`", default)
        keys[match.group(1)] = literal.group(1) if literal else None
    return keys


def commented_settings():
    """key -> value of each '#key = value' line of the shipped file."""
    settings = {}
    for line in CONFFILE.read_text().splitlines():
        match = re.fullmatch(r"#([a-z_]+) = (.+)", line)
        if match:
            settings[match.group(1)] = match.group(2)
    return settings


def uncommented(text):
    return re.sub(r"^#([a-z_]+ = )", r"\1", text, flags=re.MULTILINE)


class ConfigurationFile(unittest.TestCase):

    def test_readme_has_a_configuration_table(self):
        self.assertIn("api_url", readme_keys())

    def test_every_readme_key_is_listed_once_with_its_default(self):
        settings = commented_settings()
        for key, default in readme_keys().items():
            with self.subTest(key=key):
                self.assertIn(key, settings)
                self.assertEqual(CONFFILE.read_text().count(f"#{key} = "),
                                 1)
                if default is not None:
                    self.assertEqual(settings[key], default)

    def test_every_listed_key_is_in_readme(self):
        self.assertLessEqual(set(commented_settings()), set(readme_keys()))

    def test_nothing_is_set(self):
        for line in CONFFILE.read_text().splitlines():
            with self.subTest(line=line):
                self.assertTrue(line == "" or line.startswith("#"))

    def verdict_on(self, text):
        """What the module makes of a configuration file, without asking
        anybody: the password phase of a user who never signed in through
        Resgrid reads the file, then leaves the account alone.  (System
        accounts and root are left alone even when the file is broken.)"""
        path = world.dir / "packaged.conf"
        path.write_text(text)
        os.chmod(path, 0o644)
        world.service(lines=[
            f"password [success=done ignore=ignore default=die] "
            f"{harness.MODULE} config={path}",
            "password requisite pam_debug.so prechauthtok=cred_expired "
            "chauthtok=cred_expired"])
        return world.run("responder", phases=("chauthtok",)).code

    def test_the_module_accepts_the_file_as_shipped(self):
        self.assertEqual(self.verdict_on(CONFFILE.read_text()), IGNORED)

    def test_the_module_accepts_every_line_uncommented(self):
        text = uncommented(CONFFILE.read_text())
        self.assertNotEqual(text, CONFFILE.read_text())
        self.assertEqual(self.verdict_on(text), IGNORED)
        self.assertEqual(self.verdict_on(text + "no_such_key = 1\n"),
                         PAM_SERVICE_ERR)


class Version(unittest.TestCase):

    def test_package_version_is_configures(self):
        configure = (TOP_SRCDIR / "configure.ac").read_text()
        upstream = re.search(r"AC_INIT\(\[[^]]*\], \[([^]]*)\]",
                             configure).group(1)
        changelog = (TOP_SRCDIR / "debian" / "changelog").read_text()
        package = re.match(r"\S+ \(([^)]*)\)", changelog).group(1)
        self.assertEqual(package.split("-")[0], upstream)


if __name__ == "__main__":
    harness.main()
