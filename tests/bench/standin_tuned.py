#!/usr/bin/env python3
"""The stand-in Resgrid server, tuned as a production server would be.

Takes the same arguments as tests/standin/resgrid_standin.py and runs it
with two settings changed, for the benchmark only:

- TCP_NODELAY on every connection.  Python's HTTP server writes the
  header and the body of an answer in two sends; with Nagle's algorithm
  the body then waits for the client's delayed ACK, 40 ms on Linux, on
  every answer.  Kestrel, which Resgrid runs on, sets TCP_NODELAY, so
  that stall is the stand-in's, not the network's, and it would hit a
  client that makes two requests (pam_resgrid) twice.
- A listen backlog of 128 instead of socketserver's 5, so that 50
  clients connecting at once are not left to retry a dropped SYN a
  second later.

bench.py --standin as-is runs the stand-in unchanged, and bench.py
measures the stall either way.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "standin"))

import resgrid_standin  # noqa: E402

resgrid_standin.Handler.disable_nagle_algorithm = True
resgrid_standin.EndpointServer.request_queue_size = 128

if __name__ == "__main__":
    resgrid_standin.main()
