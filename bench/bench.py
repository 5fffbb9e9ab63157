#!/usr/bin/env python3
"""Benchmark sid against s6, runit and daemontools (when installed).

    python3 bench/bench.py [--summary] [--markdown FILE] [--no-static]
                           [--section supervise,tree,log,output] [--quick]
                           [--idle SECS] [--rounds N] [--tree-idle SECS]
                           [--tree-runs N] [--log-runs N]
                           [--only sid,s6,runit,daemontools]
                           [--output-lines N] [-v]

Run by `make bench` after the programs are built.  Each section prints a
table with one row per metric and one column per program; a program that
is not installed gets "not installed" in its column (the bench installs
nothing).  Last comes the summary table, the one thing a reader needs:
the machine (CPUs, CPU model, kernel, libc), the exact command, then one
row per headline figure (an idle supervisor's Private_Dirty, a 1000-
service tree's PSS, start and stop, death to new exec, restart command to
new exec, logger throughput with and without timestamps), one column per
suite (runit, s6, daemontools, sid, sid static) and sid's value over the
best anchor's, each figure a median (how many samples: its last column).
The "sid static" column is sid built with musl-gcc -static from a copy of
Makefile, cmd/ and lib/ in the temporary directory (never in the tree);
without musl-gcc it says so.

Options:
  --summary        only what the summary needs, no detailed tables (the
                   supervise, tree and log sections, without pickups,
                   idle trees, logger restarts or output): about 5 min
                   on 2 cores; a full run (no option) about 8-10 min.
  --markdown FILE  also write the summary as Markdown to FILE.
  --no-static      no static build, no "sid static" column.
  --section NAMES  the sections to run (default: all; the summary shows
                   "not run" in the rows of the others).
  --quick          short idle windows (supervise 2 s, tree 5 s), one tree
                   of 1000 and one throughput run per logger.
  --idle SECS      supervise: idle window (default 10, 1 with --summary).
  --rounds N       supervise: restart rounds (default 20, 9 --summary).
  --tree-idle SECS tree: idle window of the tree of 100 (default 30).
  --tree-runs N    tree: trees of 1000 per scanner (default 3).
  --log-runs N     log: throughput runs per logger and mode (default 3).
  --only NAMES     only these suites (sid includes its static build).
  --output-lines N output: lines the service writes (default 1000000).
  -v               every sample on stderr.

supervise: sid-supervise vs s6-supervise vs runsv vs daemontools'
  supervise (this file):
  1. PSS, RSS and Private_Dirty of an idle supervisor with one child
     (`sleep`), from /proc/PID/smaps_rollup (else VmRSS from
     /proc/PID/status), after os.sync(); median of 3 readings.
  2. Wake-ups of that idle supervisor: the growth of its voluntary plus
     involuntary context switches over the idle window (10 s, 2 s with
     --quick), every thread summed.
  3. Death to new exec: SIGKILL to the child at T0, then the CLOCK_REALTIME
     stamp taken by the new child's first instruction (bench/stamp.c, which
     is the service's ./run, compiled into the temporary directory).
  4. The restart command's round trip: wall time of `sid-ctl -w -r`
     (`sv restart`, `s6-svc -r -wr`, `svc -t`), its return minus the new
     exec, and the new exec minus its spawn.

tree: sid-svscan vs s6-svscan vs runsvdir vs svscan (bench/bench_tree.py):
  pickup of a new service (no signal, polling alone, rescan command),
  trees of 1000 services (start, PSS, stop; median of 3), an idle tree of
  100 (CPU, wake-ups; 30 s, 5 s with --quick).

log: sid-log vs s6-log vs svlogd vs multilog, `cat > file` as the ceiling
  (bench/bench_log.py): throughput of 1,000,000 lines with and without
  timestamps (median of 3), and lines lost across 10 restarts on one
  pipe.

output: a service without log/ writing 1,000,000 lines under sid-svscan,
  with its output kept in supervise/output versus written straight to
  /dev/null (bench/bench_output.py); alone: --section output.

Everything lives under one temporary directory, removed at the end; every
process started is stopped at the end, on an exception or on Ctrl-C too.
Python 3.11 standard library only; no network.
"""

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no bench/__pycache__ in the tree
import benchlib     # noqa: E402  (bench/, beside this file)
import bench_log    # noqa: E402
import bench_output  # noqa: E402
import bench_summary  # noqa: E402
import bench_tree   # noqa: E402
from benchlib import (ROOT, BenchError, StampReader, build_stamp,  # noqa
                      busy_share, context_switches, cpu_times, make_service,
                      memory_kb, ms, now_ns, private_dirty_kb, read_text,
                      spawn_wait, sweep, tail, wait_until, wrap)

SECTIONS = ("supervise", "tree", "log", "output")
SUITES = ("sid", "s6", "runit", "daemontools")

START_TIMEOUT = 5.0     # s: a supervisor's first child must start by then
STAMP_TIMEOUT = 5.0     # s: a restarted child must stamp by then
CTL_TIMEOUT = 5         # s: given to each restart command
SETTLE = 0.5            # s: after the first start, before measuring idle
MEM_READINGS = 3        # memory readings over the idle window

GOALS = [
    ("pdirty", "Private_Dirty of an idle sid-supervise at most 80 kB",
     lambda v: v <= 80),
    ("wakeups", "zero idle wake-ups", lambda v: v == 0),
    ("respawn", "death to new exec under 1.5 ms with backoff-initial = 0",
     lambda v: v < 1.5),
    ("ctl_exec", "restart command to the new exec within 2.5 ms",
     lambda v: v <= 2.5),
]


# ---------------------------------------------------------- supervisors

class Supervisor(benchlib.Column):
    """One supervisor under test: how to start, restart and stop it."""

    # Seconds a child lives before the bench kills or restarts it: more
    # than runsv's 1 s throttle, and the same for all, so that a column
    # does not depend on which other supervisors are installed.
    min_age = 1.1

    def __init__(self, tmp):
        super().__init__(tmp)
        self.procs = []     # every Popen of this supervisor

    def argv(self, svcdir):
        raise NotImplementedError

    def restart_argv(self, svcdir):
        raise NotImplementedError

    def stop_argv(self, svcdir):
        return None

    def conf(self, svcdir, phase):
        pass

    def start(self, svcdir):
        name = f"{self.key}-{os.path.basename(svcdir)}.log"
        log = open(os.path.join(self.tmp, name), "ab")
        try:
            proc = subprocess.Popen(
                self.argv(svcdir), cwd=ROOT, stdin=subprocess.DEVNULL,
                stdout=log, stderr=log, start_new_session=True)
        finally:
            log.close()
        proc.svcdir = svcdir
        proc.logpath = log.name
        self.procs.append(proc)
        benchlib.PROCS.append(proc)
        return proc

    def stop(self, proc, timeout=3.0):
        """Ask the supervisor to take its child down and exit; SIGTERM,
        then SIGKILL, when it does not."""
        if proc.poll() is not None:
            return
        stop = self.stop_argv(proc.svcdir)
        if stop:
            try:
                subprocess.run(stop, cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=timeout)
                proc.wait(timeout=timeout)
                return
            except (OSError, subprocess.TimeoutExpired):
                pass
        benchlib.stop_proc(proc, timeout=timeout)


class Sid(Supervisor):
    name = "sid-supervise"
    key = "sid"
    programs = ("sid-supervise", "sid-ctl")

    def argv(self, svcdir):
        return [self.path("sid-supervise"), svcdir]

    def restart_argv(self, svcdir):
        return [self.path("sid-ctl"), "-w", "-T", str(CTL_TIMEOUT),
                "-r", svcdir]

    def stop_argv(self, svcdir):
        return [self.path("sid-ctl"), "-w", "-T", "3", "-x", svcdir]

    def conf(self, svcdir, phase):
        if phase == "latency":
            with open(os.path.join(svcdir, "conf"), "w") as f:
                f.write("backoff-initial = 0\n")


class S6(Supervisor):
    name = "s6-supervise"
    key = "s6"
    programs = ("s6-supervise", "s6-svc")
    # s6-supervise waits 1 s after every death whatever the child's age:
    # that second is its children's age already.
    min_age = 0.05

    def argv(self, svcdir):
        return [self.which("s6-supervise"), svcdir]

    def restart_argv(self, svcdir):
        return [self.which("s6-svc"), "-r", "-wr", "-T",
                str(CTL_TIMEOUT * 1000), svcdir]

    def stop_argv(self, svcdir):
        return [self.which("s6-svc"), "-xd", svcdir]


class Runit(Supervisor):
    name = "runsv"
    key = "runit"
    programs = ("runsv", "sv")

    def argv(self, svcdir):
        return [self.which("runsv"), svcdir]

    def restart_argv(self, svcdir):
        return [self.which("sv"), "-w", str(CTL_TIMEOUT), "restart", svcdir]

    def stop_argv(self, svcdir):
        return [self.which("sv"), "-w", "3", "exit", svcdir]


class Daemontools(Supervisor):
    name = "supervise"
    key = "daemontools"
    programs = ("supervise", "svc")
    # supervise sleeps 1 s after every start (deepsleep(1) in trystart),
    # deaf to commands and deaths meanwhile: min_age covers it.

    def argv(self, svcdir):
        return [self.which("supervise"), svcdir]

    def restart_argv(self, svcdir):
        # -t: SIGTERM to the child, which supervise restarts; svc does
        # not wait for anything.
        return [self.which("svc"), "-t", svcdir]

    def stop_argv(self, svcdir):
        return [self.which("svc"), "-dx", svcdir]


# ----------------------------------------------------------------- phases

def phase_idle(sups, tmp, window, results, notes):
    """Memory and wake-ups of each supervisor with one idle `sleep`."""
    run = (b"#!/bin/sh\n"
           b"echo started >> ./started\n"
           b"exec sleep 86400\n")
    live = []
    try:
        for sup in sups:
            svc = os.path.join(tmp, f"idle-{sup.key}")
            make_service(svc, run)
            sup.conf(svc, "idle")
            proc = sup.start(svc)
            marker = os.path.join(svc, "started")
            if not wait_until(lambda: os.path.exists(marker), START_TIMEOUT,
                              proc):
                sup.error = (f"its child did not start: "
                             f"{tail(proc.logpath) or 'no message'}")
                sup.stop(proc)
                continue
            live.append((sup, proc, marker))
        time.sleep(SETTLE)
        # Freshly written binaries (the static build, a `make` just run)
        # have dirty page-cache pages, which count as Private_Dirty while
        # one process maps them: written back first.
        os.sync()
        before = {}
        mem = {sup.key: [] for sup, _, _ in live}

        def read_memory():
            for sup, proc, marker in live:
                pss, rss = memory_kb(proc.pid)
                mem[sup.key].append((pss, rss, private_dirty_kb(proc.pid)))

        for sup, proc, marker in live:
            before[sup.key] = context_switches(proc.pid)
        # MEM_READINGS readings over the window, the median of each kept.
        for i in range(MEM_READINGS):
            if i:
                time.sleep(window / (MEM_READINGS - 1))
            read_memory()
        for sup, proc, marker in live:
            after = context_switches(proc.pid)
            for n, k in enumerate(("pss", "rss", "pdirty")):
                vals = [m[n] for m in mem[sup.key] if m[n] is not None]
                if vals:
                    results[sup.key][k] = statistics.median_low(vals)
                    results[sup.key]["mem_n"] = len(vals)
            if proc.poll() is not None:
                sup.error = (f"exited during the idle window: "
                             f"{tail(proc.logpath)}")
                continue
            if read_text(marker).count("started") != 1:
                notes.append(f"{sup.name}: its idle child was restarted "
                             f"during the window; wake-ups not counted")
                continue
            b = before[sup.key]
            results[sup.key]["wakeups"] = (
                None if b is None or after is None else after - b)
    finally:
        for sup, proc, _ in live:
            sup.stop(proc)


def phase_latency(sups, tmp, stamp, rounds, results, notes, verbose):
    """Death to new exec, and the restart command's round trip."""
    started, live = [], []
    try:
        for sup in sups:
            if sup.error:
                continue
            svc = os.path.join(tmp, f"lat-{sup.key}")
            make_service(svc, stamp)
            sup.conf(svc, "latency")
            reader = StampReader(svc)
            proc = sup.start(svc)
            started.append((sup, proc, reader))
            if reader.next(START_TIMEOUT) is None:
                sup.error = (f"its first child did not start: "
                             f"{tail(proc.logpath) or 'no message'}")
        live = [x for x in started if not x[0].error]
        samples = {sup.key: {"respawn": [], "ctl_wall": [], "ctl_gap": [],
                             "ctl_exec": []}
                   for sup, _, _ in live}
        errpath = os.path.join(tmp, "restart.err")
        # A failure ends the column: its child may be gone, and its pid
        # must not be signalled again.
        for _ in range(rounds):
            for kind in ("kill", "ctl"):
                for sup, proc, reader in live:
                    if sup.error:
                        continue
                    age = (now_ns() - reader.ns) / 1e9
                    if age < sup.min_age:
                        time.sleep(sup.min_age - age)
                    s = samples[sup.key]
                    if kind == "kill":
                        t0 = now_ns()
                        try:
                            os.kill(reader.pid, signal.SIGKILL)
                        except OSError as e:
                            sup.error = f"its child {reader.pid}: {e}"
                            continue
                        got = reader.next(STAMP_TIMEOUT)
                        if got is not None:
                            s["respawn"].append(ms(got[1] - t0))
                            continue
                        why = (f"no new child {STAMP_TIMEOUT:g} s after "
                               f"SIGKILL")
                    else:
                        argv = sup.restart_argv(proc.svcdir)
                        code, wall, end = spawn_wait(argv, errpath)
                        got = reader.next(STAMP_TIMEOUT if code == 0 else 0.5)
                        if code == 0 and got is not None:
                            s["ctl_wall"].append(ms(wall))
                            s["ctl_gap"].append(ms(end - got[1]))
                            s["ctl_exec"].append(ms(got[1] - (end - wall)))
                            continue
                        cmd = " ".join(os.path.basename(a) for a in argv)
                        why = (f"`{cmd}` exited {code}: {tail(errpath, 1)}"
                               if code != 0 else
                               f"`{cmd}` returned but no new child started")
                    sup.error = (f"{why} (its log: "
                                 f"{tail(proc.logpath) or 'empty'})")
        for sup, _, _ in live:
            s = samples[sup.key]
            for k, v in s.items():
                if v:
                    results[sup.key][k] = statistics.median(v)
                    results[sup.key][k + "_min"] = min(v)
                    results[sup.key][k + "_n"] = len(v)
                if verbose and v:
                    print(f"{sup.name} {k}: " +
                          " ".join(f"{x:.3f}" for x in v), file=sys.stderr)
    finally:
        for sup, proc, reader in started:
            sup.stop(proc)
            reader.close()


# ----------------------------------------------------------------- report

ROWS = [
    ("pss", "PSS, idle with 1 child (kB)"),
    ("rss", "RSS, idle with 1 child (kB)"),
    ("pdirty", "Private_Dirty, idle with 1 child (kB)"),
    ("wakeups", "wake-ups in {window:g} s idle"),
    ("respawn", "death -> new exec, median (ms) [a]"),
    ("respawn_min", "death -> new exec, fastest (ms)"),
    ("ctl_wall", "restart command wall time, median (ms) [b]"),
    ("ctl_gap", "restart command return - new exec, median (ms)"),
    ("ctl_exec", "restart command spawn -> new exec, median (ms)"),
]


def fmt(key, value):
    if value is None:
        return "n/a"
    if key in ("pss", "rss", "pdirty", "wakeups"):
        return str(value)
    return f"{value:.3f}" if value < 100 else f"{value:.1f}"


def table(sups, results, window):
    rows = [(key, label.format(window=window)) for key, label in ROWS]
    by_name = {sup.name: results[sup.key] for sup in sups}
    return benchlib.column_table(sups, by_name, rows, fmt)


def report(sups, results, notes, window, rounds, stamp_how, busy):
    print()
    print(f"== supervise: sid-supervise, s6-supervise, runsv, supervise; "
          f"{rounds} rounds, idle window {window:g} s ==")
    print()
    print(table(sups, results, window))
    print()
    sid = results["sid"]
    print("Goals for sid-supervise:")
    for key, text, ok in GOALS:
        v = sid.get(key)
        verdict = "n/a" if v is None else ("met" if ok(v) else "NOT met")
        print(f"  - {text}: {fmt(key, v)} -> {verdict}")
    print()
    print("Notes:")
    print(wrap(
        f"[a] SIGKILL to the child at T0; value = the new child's stamp - T0. "
        f"The child is bench/stamp.c (linked {stamp_how or '-'}), which is "
        f"./run itself and reads CLOCK_REALTIME first thing. sid-supervise "
        f"runs with conf `backoff-initial = 0`, runsv, s6-supervise and "
        f"daemontools' supervise with their defaults. The children of "
        f"sid-supervise, runsv and supervise live "
        f"{Sid.min_age:g} s before the bench kills or restarts them, as "
        f"runsv restarts a ./run that lived less than 1 s only 1 s after "
        f"its start, and supervise sleeps 1 s after every start. "
        f"s6-supervise waits 1 s after every death, whatever the "
        f"child's age, before it starts ./run again, by design: its column "
        f"shows that second.", "  ", "      "))
    print(wrap(
        "[b] From spawning the command to its exit; the next row is its "
        "exit minus the new child's stamp (it can be slightly negative: a "
        "supervisor may report the new pid before the child's first "
        "instruction). Commands: `sid-ctl -w -r SVC`; `s6-svc -r -wr SVC` "
        "(-wr waits for the restart; -wu returns at once, the service being "
        "up when it is sent); `sv restart SVC` (sends t, c, u and waits "
        "by itself, polling the status every 420 ms); `svc -t SVC` "
        "(daemontools: SIGTERM to the child, returns at once, so its "
        "return is before the new exec). The last row is the new exec "
        "minus the command's spawn, whether the command waits or not.",
        "  ", "      "))
    print(wrap(
        "PSS divides each shared page (libc...) among the processes mapping "
        "it, so it depends on what else runs here; Private_Dirty is the "
        "supervisor's own memory (anonymous pages and its private copies), "
        f"read after os.sync(). Memory: median of {MEM_READINGS} readings "
        "over the idle window. Wake-ups: voluntary + "
        "involuntary context switches (/proc/PID/status, every thread) "
        f"over {window:g} s while nothing happens; the supervisors are "
        "measured together, each with one `sleep` child."))
    if busy is not None:
        print(benchlib.busy_note(busy))
    v = benchlib.versions(sups, {"s6": "s6", "runit": "runit",
                                 "daemontools": "daemontools"})
    if v:
        print(v)
    for line in benchlib.status_notes(sups):
        print(line)
    for note in notes:
        print(wrap(note))


# ------------------------------------------------------------------- main

def on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def select(cols, only):
    """Mark the columns --only leaves out as skipped."""
    for c in cols:
        if only and c.suite not in only:
            c.available, c.skipped = False, True
    return cols


def run_supervise(tmp, stamp, stamp_how, only, window, rounds, verbose,
                  static=None, show=True):
    """The supervise section; (sid ok, its Outcome).  STATIC: the bin
    directory of sid's static build, which gets a column of its own;
    SHOW: print the section's table."""
    sups = [Sid(tmp)]
    if static:
        sups.append(benchlib.static_variant(Sid, tmp, static))
    sups = select(sups + [S6(tmp), Runit(tmp), Daemontools(tmp)], only)
    results = {s.key: {} for s in sups}
    notes = []
    if stamp is None:
        notes.append("No latencies: no stamp program.")
    ready = [s for s in sups if s.available]
    print(f"bench: supervise: idle window {window:g} s, then {rounds} "
          f"rounds of restarts ({', '.join(s.name for s in ready)})...",
          file=sys.stderr, flush=True)
    cpu0 = cpu_times()
    try:
        phase_idle(ready, tmp, window, results, notes)
        if stamp:
            phase_latency(ready, tmp, stamp, rounds, results, notes,
                          verbose)
    finally:
        for sup in sups:
            for proc in sup.procs:
                sup.stop(proc)
    if show:
        report(sups, results, notes, window, rounds, stamp_how,
               busy_share(cpu0, cpu_times()))
    out = benchlib.Outcome(sups, {s.name: results[s.key] for s in sups},
                           notes)
    return not sups[0].error, out


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[2:3] +
                             __doc__.split("\n\n")[4:]))
    ap.add_argument("--summary", action="store_true",
                    help="only what the summary table needs: no detailed "
                         "tables, no pickups, idle trees, logger restarts "
                         "or output section; 9 restart rounds unless "
                         "--rounds")
    ap.add_argument("--markdown", metavar="FILE",
                    help="also write the summary table as Markdown to "
                         "FILE")
    ap.add_argument("--no-static", action="store_true",
                    help="no \"sid static\" column (no musl build)")
    ap.add_argument("--section", metavar="NAMES",
                    help="comma-separated sections to run, in this order: "
                         "supervise, tree, log, output (default: all)")
    ap.add_argument("--quick", action="store_true",
                    help="short idle windows (supervise 2 s, tree 5 s), "
                         "one tree of 1000 and one throughput run per "
                         "logger")
    ap.add_argument("--idle", type=float, metavar="SECS",
                    help="supervise: idle window in seconds (default 10, "
                         "1 with --summary; overrides --quick)")
    ap.add_argument("--rounds", type=int, metavar="N",
                    help="supervise: restart rounds per supervisor "
                         "(default 20, 9 with --summary)")
    ap.add_argument("--tree-idle", type=float, metavar="SECS",
                    help="tree: idle window in seconds (default 30; "
                         "overrides --quick)")
    ap.add_argument("--tree-runs", type=int, metavar="N",
                    help="tree: trees of 1000 per scanner, the median is "
                         "shown (default 3, 1 with --quick)")
    ap.add_argument("--log-runs", type=int, metavar="N",
                    help="log: throughput runs per logger and mode, the "
                         "median is shown (default 3, 1 with --quick)")
    ap.add_argument("--only", metavar="NAMES",
                    help="comma-separated suites to run (sid, s6, runit, "
                         "daemontools; sid includes its static build); the "
                         "others show \"skipped\" (`cat > file` always "
                         "runs in the log section)")
    ap.add_argument("--output-lines", type=int, default=1_000_000,
                    metavar="N",
                    help="output: lines the service writes (default "
                         "1000000)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every sample on stderr")
    args = ap.parse_args()
    window = args.idle if args.idle is not None else (
        1.0 if args.summary else 2.0 if args.quick else 10.0)
    tree_window = args.tree_idle if args.tree_idle is not None else (
        5.0 if args.quick else 30.0)
    log_runs = args.log_runs if args.log_runs is not None else (
        1 if args.quick else 3)
    tree_runs = args.tree_runs if args.tree_runs is not None else (
        1 if args.quick else 3)
    rounds = args.rounds if args.rounds is not None else (
        9 if args.summary else 20)
    if rounds < 1 or window <= 0 or tree_window <= 0 or log_runs < 1 or \
            tree_runs < 1:
        ap.error("--rounds, --idle, --tree-idle, --tree-runs and "
                 "--log-runs must be positive")
    only = set(args.only.split(",")) if args.only else None
    if only and not only <= set(SUITES):
        ap.error("--only takes " + ", ".join(SUITES))
    default = ["supervise", "tree", "log"] if args.summary else SECTIONS
    sections = args.section.split(",") if args.section else list(default)
    if not set(sections) <= set(SECTIONS):
        ap.error("--section takes " + ", ".join(SECTIONS))
    sections = [s for s in SECTIONS if s in sections]
    show = not args.summary

    need = {"supervise": ("sid-supervise", "sid-ctl"),
            "tree": ("sid-svscan", "sid-supervise", "sid-ctl"),
            "log": ("sid-log",),
            "output": ("sid-svscan", "sid-supervise")}
    for section in sections:
        for prog in need[section]:
            if not os.access(os.path.join(ROOT, prog), os.X_OK):
                print(f"bench: {ROOT}/{prog} is missing: run `make` "
                      f"first", file=sys.stderr)
                return 1

    # Ctrl-C, TERM and HUP all end in the cleanup below (SIGINT too when
    # a non-interactive shell started us in the background, ignoring it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    tmp = tempfile.mkdtemp(prefix="sid-bench.")
    ok = True
    t_start = time.monotonic()
    run_cpu0 = cpu_times()
    try:
        stamp, stamp_how = None, None
        if "supervise" in sections:
            try:
                stamp, stamp_how = build_stamp(tmp)
            except BenchError as e:
                print(f"bench: {e}", file=sys.stderr)
        static, static_why = None, None
        if args.no_static:
            static_why = "--no-static"
        elif only and "sid" not in only:
            static_why = "--only without sid"
        elif set(sections) & {"supervise", "tree", "log"}:
            print("bench: building sid statically against musl...",
                  file=sys.stderr, flush=True)
            static, static_why = benchlib.build_static(tmp)
            if static_why:
                print(f"bench: no sid static column: {static_why}",
                      file=sys.stderr)
        print(f"sid bench: {platform.system()} {platform.release()}, "
              f"{os.cpu_count()} CPUs; sections: {', '.join(sections)}"
              f"{' (summary only)' if args.summary else ''}")
        outcomes = {}
        for section in sections:
            cpu0 = cpu_times()
            if section == "supervise":
                good, outcomes[section] = run_supervise(
                    tmp, stamp, stamp_how, only, window, rounds,
                    args.verbose, static, show)
            elif section == "tree":
                phases = ("big",) if args.summary else (
                    "pickup", "big", "idle")
                good, outcomes[section] = bench_tree.run(
                    tmp, only, tree_window, args.verbose, static,
                    tree_runs, phases, show)
            elif section == "output":
                good = bench_output.run(tmp, args.output_lines,
                                        args.verbose)
            else:
                good, outcomes[section] = bench_log.run(
                    tmp, only, log_runs, args.verbose, static,
                    restarts=not args.summary, show=show)
            ok &= good
            busy = busy_share(cpu0, cpu_times())
            # (the supervise section's table has its own)
            if busy is not None and section != "supervise" and (
                    show or section == "output"):
                print(benchlib.busy_note(busy))
            sys.stdout.flush()
        took = time.monotonic() - t_start
        busy = busy_share(run_cpu0, cpu_times())
        bench_summary.print_summary(outcomes, static_why, took, busy)
        if args.markdown:
            bench_summary.write_markdown(args.markdown, outcomes,
                                         static_why, took, busy)
            print(f"bench: summary written to {args.markdown}",
                  file=sys.stderr)
        return 0 if ok else 1
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for proc in benchlib.PROCS:
            benchlib.stop_proc(proc)
        if sweep(tmp):
            print("bench: some processes outlived their supervisor's stop "
                  "and were killed", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
