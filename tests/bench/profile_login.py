"""Where a pam_resgrid login spends its time, for bench.py --profile.

Three views of the same logins, in the world bench.py set up:

- CPU by component: callgrind's inclusive instruction counts for the
  library calls that matter (OpenSSL's start-up, the trust store, the TLS
  handshake, the yescrypt verifier, the cache), for an online and an
  offline login and for the curl CLI;
- wall time by phase: an online login under strace -ttt -T, cut at the
  socket's creation and closing and at the cache's lock, with the time
  spent inside fsync();
- the cost of one verifier and of one fsync'ed file replacement on
  their own.
"""

import os
import re
import statistics
import subprocess
import time

# (label, function names as callgrind_annotate prints them; the largest
# count found stands).  Inclusive counts nest: the rows are not a sum.
COMPONENTS = [
    ("whole process", ["PROGRAM TOTALS"]),
    ("pam_start (libpam, dlopen of the module and its libraries)",
     ["pam_start_confdir", "pam_start"]),
    ("pam_sm_authenticate", ["pam_sm_authenticate"]),
    ("  configuration", ["rg_config_load"]),
    ("  curl_global_init (OpenSSL start-up, openssl.cnf)",
     ["curl_global_init", "curl_global_init_mem"]),
    ("  curl_easy_perform (the HTTPS exchanges, and whatever runs in "
     "their callbacks)", ["curl_easy_perform"]),
    ("    SSL_CTX_new", ["SSL_CTX_new_ex", "SSL_CTX_new"]),
    ("    trust store loading (CA file or blob)",
     ["SSL_CTX_load_verify_file", "SSL_CTX_load_verify_locations",
      "X509_STORE_load_file", "X509_load_cert_crl_file",
      "PEM_X509_INFO_read_bio_ex", "PEM_X509_INFO_read_bio"]),
    ("    TLS handshake", ["SSL_do_handshake", "SSL_connect"]),
    ("  yescrypt (crypt_rn: verifier made or checked)", ["crypt_rn"]),
    ("  id_token and answer decoding", ["rg_token_classify"]),
    ("  cache: load", ["rg_cache_load"]),
    ("  cache: store (CPU only; fsync waits are not instructions)",
     ["rg_cache_store"]),
    ("pam_end", ["pam_end"]),
    ("the verifier's thread, beside pam_sm_authenticate (yescrypt)",
     ["hasher_main"]),
]

ANNOTATE_LINE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$")


def inclusive_counts(out_file):
    """function name -> inclusive instructions, from callgrind_annotate."""
    text = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100",
         str(out_file)], capture_output=True, text=True, check=True).stdout
    counts = {}
    for line in text.splitlines():
        m = ANNOTATE_LINE.match(line)
        if not m:
            continue
        count = int(m.group(1).replace(",", ""))
        where = m.group(2)
        if where.startswith("PROGRAM TOTALS"):
            name = "PROGRAM TOTALS"
        else:
            # "file:function [object]"; function may carry @@VERSION.
            name = where.rsplit(" [", 1)[0].rsplit(":", 1)[-1]
            name = name.split("@")[0]
        counts[name] = max(counts.get(name, 0), count)
    return counts


def callgrind(world, label, argv, env, stdin):
    out = world.dir / f"callgrind.{label}"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--trace-children=no",
         f"--callgrind-out-file={out}", *argv],
        input=stdin, capture_output=True, env=env, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"callgrind {label}: {done.stderr.decode()}")
    return inclusive_counts(out)


def component_table(profiles):
    """Markdown: one row per component, one column per profile, in
    millions of instructions."""
    names = list(profiles)
    lines = ["| CPU, million instructions (inclusive) | "
             + " | ".join(names) + " |",
             "| --- |" + " ---: |" * len(names)]
    for label, functions in COMPONENTS:
        cells = []
        for name in names:
            counts = profiles[name]
            found = max((counts[f] for f in functions if f in counts),
                        default=None)
            cells.append("" if found is None else f"{found / 1e6:.1f}")
        if any(cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


STRACE_LINE = re.compile(
    r"^(\d+)\s+(\d+\.\d+) (\w+)\((.*?)\)\s+= (-?\d+|\?)"
    r"(?:.*<(\d+\.\d+)>)?")


def strace_phases(world, argv, env, stdin):
    """Wall time in ms of one online login by phase, from an strace
    timeline."""
    trace = world.dir / "strace.online"
    subprocess.run(
        ["strace", "-f", "-ttt", "-T", "-o", str(trace), "-e",
         "trace=execve,socket,close,openat,fsync,fdatasync,renameat,"
         "rename,exit_group,poll,ppoll", *argv],
        input=stdin, capture_output=True, env=env, check=True, timeout=60)
    events = []
    for line in trace.read_text().splitlines():
        m = STRACE_LINE.match(line)
        if m:
            events.append((float(m.group(2)), m.group(3), m.group(4),
                           m.group(5), float(m.group(6) or 0)))
    start = events[0][0]
    end = events[-1][0]
    sock = next(e for e in events
                if e[1] == "socket" and "AF_INET" in e[2])
    fd = sock[3]
    net_end = next(e[0] for e in events
                   if e[0] > sock[0] and e[1] == "close" and e[2] == fd)
    lock = next((e[0] for e in events
                 if e[0] > net_end and e[1] == "openat"
                 and ".lock" in e[2]), None)
    polls = sum(e[4] for e in events
                if e[1] in ("poll", "ppoll") and sock[0] <= e[0] <= net_end)
    fsyncs = [e[4] for e in events if e[1] in ("fsync", "fdatasync")]
    phases = {
        "start-up to the socket (exec, libpam, module, config, OpenSSL "
        "start-up; the verifier's thread from just before the socket)":
        sock[0] - start,
        "socket open: TLS, the requests, what runs in libcurl's "
        "callbacks": net_end - sock[0],
        "  of which waiting for the server (poll)": polls,
    }
    if lock is not None:
        phases["after the network, before the cache lock (the verifier, "
               "or waiting for its thread)"] = lock - net_end
        phases["cache lock to exit (record write)"] = end - lock
    phases["time in fsync(), all calls"] = sum(fsyncs)
    phases["whole login under strace"] = end - start
    phases = {label: 1000 * seconds for label, seconds in phases.items()}
    phases["fsync() calls (a count, not ms)"] = len(fsyncs)
    return phases


def micro(world):
    """The verifier and a durable file replacement on their own."""
    import crypt  # deprecated, but Debian 12's python3 has it
    hashed = subprocess.run(
        ["mkpasswd", "--method=yescrypt", "--rounds=5", "--stdin"],
        input=b"x", capture_output=True, check=True).stdout.decode().strip()
    runs = []
    for _ in range(9):
        t = time.perf_counter()
        crypt.crypt("Engine 7 & Ladder=3 +%", hashed)
        runs.append(time.perf_counter() - t)
    yescrypt_ms = 1000 * statistics.median(runs)

    folder = world.dir / "fsync-test"
    folder.mkdir()
    dirfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    runs = []
    for i in range(20):
        t = time.perf_counter()
        fd = os.open(folder / "r.tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     0o600)
        os.write(fd, b"{" + b"x" * 700 + b"}\n")
        os.fsync(fd)
        os.close(fd)
        os.rename(folder / "r.tmp", folder / "r.json")
        os.fsync(dirfd)
        runs.append(time.perf_counter() - t)
    os.close(dirfd)
    return yescrypt_ms, 1000 * statistics.median(runs)


def run(world):
    """Profiles each build world measures; returns {"text": markdown,
    ...figures}."""
    profiles, phases = {}, {}
    for tag, module in world.modules.items():
        name = "this build" if not tag else "baseline"
        online_argv, stdin = world.login(f"bench-online{tag}", f"online{tag}")
        offline_argv, _ = world.login(f"bench-offline{tag}",
                                      f"offline{tag}")
        profiles[f"online, {name}"] = callgrind(
            world, f"online{tag}", online_argv, world.env, stdin)
        profiles[f"offline, {name}"] = callgrind(
            world, f"offline{tag}", offline_argv, world.env, stdin)
        phases[name] = strace_phases(world, online_argv, world.env, stdin)
    profiles["curl CLI"] = callgrind(world, "curl", world.curl(world.url),
                                     world.bare_env, b"")
    yescrypt_ms, replace_ms = micro(world)

    lines = ["Profile of " + " and ".join(
        f"`{module}`" for module in world.modules.values()) + ":", ""]
    lines += component_table(profiles)
    lines += ["", "| online login, wall time by phase, ms | "
              + " | ".join(phases) + " |",
              "| --- |" + " ---: |" * len(phases)]
    labels = []
    for build in phases.values():
        labels += [label for label in build if label not in labels]
    for label in labels:
        cells = [f"{build[label]:.1f}" if label in build else ""
                 for build in phases.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["",
              f"On their own: one yescrypt hash at cost 5 takes "
              f"{yescrypt_ms:.1f} ms; one record replacement (write, "
              f"fsync, rename, fsync of the folder) under /var/tmp "
              f"{replace_ms:.2f} ms."]
    return {"text": "\n".join(lines),
            "components": {name: {label: max(
                (counts[f] for f in functions if f in counts), default=None)
                for label, functions in COMPONENTS}
                for name, counts in profiles.items()},
            "phases_ms": phases,
            "yescrypt_ms": yescrypt_ms, "replace_ms": replace_ms}
