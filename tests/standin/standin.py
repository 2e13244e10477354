"""Run the stand-in Resgrid server from a test script.

    from standin import Standin

    with Standin().start(workdir) as server:
        server.add_user("alice", "secret")
        ...point pam_resgrid at server.url() and server.ca_file...
        assert server.requests()[-1]["form"]["password"] == "secret"

The control API goes through the "main" endpoint, which start() therefore
requires.  The server's output goes to WORKDIR/standin.log.
"""

import json
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER = HERE / "resgrid_standin.py"
MAKE_CERTS = HERE.parent / "make-certs.sh"
CERT_FILES = ("ca.pem", "server.pem", "wronghost.pem", "rogue-ca.pem",
              "rogue.pem", "expired.pem", "idtoken.key")
START_SECONDS = 10
STOP_SECONDS = 5


class StandinError(RuntimeError):
    """The stand-in did not start, or refused a control request."""


class Standin:
    def __init__(self):
        self._proc = None
        self._ports = {}
        self._certs = None
        self._log = None
        self._tls = None

    def start(self, workdir, endpoints=None):
        """Start the server under WORKDIR; return self.

        ENDPOINTS maps listener names to certificate base names in
        WORKDIR/certs, which make-certs.sh fills if anything is missing;
        the default is {"main": "server"}."""
        endpoints = endpoints or {"main": "server"}
        if "main" not in endpoints:
            raise ValueError("the control API needs a 'main' endpoint")
        workdir = Path(workdir)
        self._certs = workdir / "certs"
        if not all((self._certs / name).exists() for name in CERT_FILES):
            subprocess.run(["bash", str(MAKE_CERTS), str(self._certs)],
                           check=True)

        state_dir = workdir / "standin-state"
        state_dir.mkdir(parents=True, exist_ok=True)
        for name in endpoints:
            (state_dir / f"{name}.port").unlink(missing_ok=True)
        command = [sys.executable, str(SERVER), "--certs", str(self._certs),
                   "--state-dir", str(state_dir)]
        for name, base in endpoints.items():
            command += ["--endpoint", f"{name}={base}"]

        self._log = workdir / "standin.log"
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=log)
        self._ports = self._wait_for_ports(state_dir, endpoints)
        self._tls = ssl.create_default_context(cafile=self.ca_file)
        return self

    def _wait_for_ports(self, state_dir, endpoints):
        deadline = time.monotonic() + START_SECONDS
        files = {name: state_dir / f"{name}.port" for name in endpoints}
        while not all(path.exists() for path in files.values()):
            if self._proc.poll() is not None:
                raise StandinError(
                    f"the stand-in exited with {self._proc.returncode}:\n"
                    + self._log.read_text(errors="replace"))
            if time.monotonic() > deadline:
                self.stop()
                raise StandinError(
                    "the stand-in wrote no port files in "
                    f"{START_SECONDS} s:\n"
                    + self._log.read_text(errors="replace"))
            time.sleep(0.05)
        return {name: int(path.read_text()) for name, path in files.items()}

    def stop(self):
        """SIGTERM, then SIGKILL if it lingers; return the exit status."""
        if self._proc is None:
            return None
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def ca_file(self):
        return str(self._certs / "ca.pem")

    @property
    def cert_dir(self):
        return str(self._certs)

    def port(self, name="main"):
        return self._ports[name]

    def url(self, name="main"):
        return f"https://127.0.0.1:{self.port(name)}"

    def control(self, path, obj=None):
        """GET /__standin/PATH, or POST OBJ there as JSON; return the
        parsed answer."""
        data = None if obj is None else json.dumps(obj).encode("utf-8")
        request = urllib.request.Request(
            f"{self.url()}/__standin/{path}", data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if obj is None else "POST")
        try:
            with urllib.request.urlopen(request, context=self._tls,
                                        timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise StandinError(f"{path}: {error.code} {detail}") from None

    def reset(self):
        return self.control("reset", {})

    def add_user(self, username, password, **fields):
        """Fields: sub, stored_name, expires_in, session_limit,
        not_allowed, disabled, rights (see resgrid_standin.py)."""
        return self.control("user", dict(fields, username=username,
                                         password=password))

    def configure(self, **settings):
        """Settings: mode, rate_limit, rate_window, lockout_seconds,
        delay_ms."""
        return self.control("config", settings)

    def set_mode(self, mode):
        return self.configure(mode=mode)

    def requests(self):
        return self.control("requests")

    def state(self):
        return self.control("state")
