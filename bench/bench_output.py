"""Section "output" of bench/bench.py: what sid-svscan's keeping of the
output of a service without log/ costs.

A service without log/ writes 1,000,000 lines of 100 bytes (`cat` of a
file made once) under sid-svscan, whose stdout and stderr go to
/dev/null:

  captured:  the service's stdout is sid-svscan's pipe; sid-svscan
             forwards it to /dev/null and keeps its whole lines in
             supervise/output (64 KiB, then output.old).
  direct:    the same run script with `exec >/dev/null` first: no pipe,
             nothing kept (what a service without log/ cost before).

Times, from the run script's first line: until `cat` is done (the
writer's view: how long the service was held up), and for captured until
the last line is in supervise/output.  Lines/s and MB/s of each.

    python3 bench/bench.py --section output [--output-lines N]
"""

import os
import signal
import subprocess
import sys
import time

from benchlib import ROOT, BenchError, start, stop_proc

LINES = 1_000_000
LINE_LEN = 100          # bytes, newline included
RUN_TIMEOUT = 180.0     # s: one run

RUN = """#!/bin/sh
{redirect}
date +%s%N >t0
cat {input}
date +%s%N >t1
exec sleep 1000
"""


def make_input(path, lines):
    pad = b"x" * (LINE_LEN - 17)
    with open(path, "wb") as f:
        for i in range(lines):
            f.write(b"line %010d %s\n" % (i + 1, pad))


def last_line_of(path, lines):
    return b"line %010d " % lines


def kept_last(svc, want):
    """The last line is in supervise/output."""
    try:
        with open(os.path.join(svc, "supervise", "output"), "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 2 * LINE_LEN))
            return want in f.read()
    except OSError:
        return False


def read_ns(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def one_run(tmp, name, inpath, lines, captured):
    scan = os.path.join(tmp, "output-" + name)
    svc = os.path.join(scan, "svc")
    os.makedirs(svc)
    with open(os.path.join(svc, "run"), "w") as f:
        f.write(RUN.format(redirect="" if captured else "exec >/dev/null",
                           input=inpath))
    os.chmod(os.path.join(svc, "run"), 0o755)
    with open(os.devnull, "wb") as null:
        proc = start([os.path.join(ROOT, "sid-svscan"), scan],
                     os.path.join(tmp, name + ".err"), cwd=tmp, stdout=null)
    try:
        want = last_line_of(inpath, lines)
        deadline = time.monotonic() + RUN_TIMEOUT
        t1 = t2 = 0
        while time.monotonic() < deadline and proc.poll() is None:
            t1 = t1 or read_ns(os.path.join(svc, "t1"))
            if t1 and not captured:
                break
            if t1 and kept_last(svc, want):
                t2 = time.time_ns()
                break
            time.sleep(0.002)
        t0 = read_ns(os.path.join(svc, "t0"))
        if not t0 or not t1 or (captured and not t2):
            raise BenchError(f"output: the {name} run did not finish "
                             f"(see {name}.err)")
        return t1 - t0, (t2 - t0) if captured else None
    finally:
        stop_proc(proc, signal.SIGTERM, timeout=10.0)


def rate(lines, ns):
    s = ns / 1e9
    return f"{lines / s:>12,.0f} lines/s {lines * LINE_LEN / s / 1e6:>8.1f} MB/s"


def run(tmp, lines=LINES, verbose=False):
    """The output section; returns True (it has no goal to miss)."""
    print(f"bench: output: {lines:,} lines of {LINE_LEN} bytes from a "
          f"service without log/...", file=sys.stderr, flush=True)
    inpath = os.path.join(tmp, "output-input")
    make_input(inpath, lines)
    direct, _ = one_run(tmp, "direct", inpath, lines, False)
    wrote, kept = one_run(tmp, "captured", inpath, lines, True)
    os.unlink(inpath)
    print(f"\noutput of a service without log/: {lines:,} lines of "
          f"{LINE_LEN} bytes, sid-svscan's stdout to /dev/null")
    print(f"  direct (exec >/dev/null), writer done: {direct / 1e6:8.1f} ms "
          f"{rate(lines, direct)}")
    print(f"  captured, writer done:                 {wrote / 1e6:8.1f} ms "
          f"{rate(lines, wrote)}")
    print(f"  captured, last line kept in output:    {kept / 1e6:8.1f} ms "
          f"{rate(lines, kept)}")
    return True
