"""The benchmark's verdicts, on made-up figures: each target passes on
figures within its limit and fails on figures past it.  The benchmark
itself needs root and minutes; what it concludes is checked here."""

import copy
import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(os.environ.get(
    "TOP_SRCDIR", Path(__file__).resolve().parents[2]))
    / "tests" / "integration"))

import bench  # noqa: E402
import harness  # noqa: E402

# Wall ms, CPU ms and peak KiB of each case, all within the limits.
FIGURES = {
    "permit": (1.5, 1.4, 1900),
    "curl": (15.0, 8.6, 12400),
    "exec": (18.0, 14.2, 12200),
    "online": (17.0, 20.0, 28600),
    "onlinebare": (15.0, 9.7, 12500),
    "curlsys": (34.5, 27.4, 13300),
    "onlinesys": (17.5, 20.5, 28600),
    "curl50": (119.0, 9.5, 12400),
    "exec50": (123.0, 15.7, 12200),
    "online50": (123.0, 25.0, 28200),
    "offline": (25.0, 36.0, 43100),
    "unix": (28.0, 27.5, 18900),
    "bh_first": (3023.0, 37.0, 28100),
    "bh_after": (20.0, 19.6, 26800),
}


def results():
    series = {name: {"label": name, "runs": 61, "errors": 0,
                     "wall_ms": wall, "wall_p90_ms": wall, "cpu_ms": cpu,
                     "rss_kib": rss}
              for name, (wall, cpu, rss) in FIGURES.items()}
    crowd = {name: {"label": name, "batches": 3, "logins": 150,
                    "failed": 0, "granted": 150, "batch_wall_ms": 800.0,
                    "stagger_ms": 600.0, "login_median_ms": 300.0,
                    "login_max_ms": 500.0, "cpu_per_login_ms": 25.0,
                    "rss_kib": 28000, "listen_drops": 0}
             for name in ("curl", "exec", "online")}
    return {"build": "/build", "commit": "abc1234", "baseline": None,
            "driver": "pamtester", "runs": 61, "date": "2026-12-03",
            "load": [0.1, 0.2], "series": series, "crowd": crowd,
            "notes": [], "server": {
                "tls_handshake_ms": 2.6, "token_answer_ms": 5.7,
                "curl_total_ms": 9.0, "openssl_sign_ms": 4.4,
                "rights_answer_ms": 0.5}}


def verdicts(figures):
    """Target line's start -> pass or FAIL, from the report."""
    out = {}
    for line in bench.report(figures).splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[3] in ("pass", "FAIL"):
            out[cells[0].split(":")[0]] = cells[3]
    return out


class Verdicts(unittest.TestCase):
    def setUp(self):
        self.r = copy.deepcopy(results())

    def assert_only_failure(self, target):
        got = verdicts(self.r)
        self.assertEqual(got.pop(target), "FAIL")
        self.assertEqual(set(got.values()), {"pass"}, got)

    def test_figures_within_every_limit_pass(self):
        got = verdicts(self.r)
        self.assertEqual(len(got), 6, got)
        self.assertEqual(set(got.values()), {"pass"}, got)

    def test_online_slower_than_pam_exec_fails(self):
        self.r["series"]["online"]["wall_ms"] = 18.2
        self.assert_only_failure("3 ÷ 2")

    def test_online_over_the_round_trip_past_the_limit_fails(self):
        # (online50 - permit) / curl50 = (126.6 - 1.5) / 119 = 1.051
        self.r["series"]["online50"]["wall_ms"] = 126.6
        self.assert_only_failure("4")

    def test_slow_offline_login_fails(self):
        self.r["series"]["offline"]["wall_ms"] = 33.7
        self.assert_only_failure("5")

    def test_slow_login_during_a_blackhole_fails(self):
        self.r["series"]["bh_after"]["wall_ms"] = 33.7
        self.assert_only_failure("6")

    def test_failed_login_in_the_crowd_fails(self):
        self.r["crowd"]["online"]["failed"] = 1
        self.assert_only_failure("7")

    def test_crowd_login_not_granted_online_fails(self):
        # All logins succeeded, but 14 never got a token from the stand-in.
        self.r["crowd"]["online"]["granted"] = 136
        self.assert_only_failure("7")

    def test_cpu_over_curl_and_pam_unix_together_fails(self):
        self.r["series"]["online"]["cpu_ms"] = 36.2
        self.assert_only_failure("CPU")


def main():
    """TAP, as the integration tests print it; this needs no module, no
    server and no pam-drive, so nothing is skipped."""
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Verdicts)
    result = harness.TapResult()
    suite.run(result)
    print(f"1..{result.count}", flush=True)


if __name__ == "__main__":
    main()
