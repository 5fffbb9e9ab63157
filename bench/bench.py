#!/usr/bin/env python3
"""Benchmark sid against s6, runit and daemontools (when installed).

    python3 bench/bench.py [--section supervise,tree,log] [--quick]
                           [--idle SECS] [--rounds N] [--tree-idle SECS]
                           [--log-runs N] [--only sid,s6,runit,daemontools]
                           [--output-lines N]
                           [-v]

Run by `make bench` after the programs are built.  Three sections, each
printing a table with one row per metric and one column per program; a
program that is not installed gets "not installed" in its column.

supervise: sid-supervise vs s6-supervise vs runsv (this file):
  1. PSS and RSS of an idle supervisor with one child (`sleep`), from
     /proc/PID/smaps_rollup (else VmRSS from /proc/PID/status).
  2. Wake-ups of that idle supervisor: the growth of its voluntary plus
     involuntary context switches over the idle window (10 s, 2 s with
     --quick), every thread summed.
  3. Death to new exec: SIGKILL to the child at T0, then the CLOCK_REALTIME
     stamp taken by the new child's first instruction (bench/stamp.c, which
     is the service's ./run, compiled into the temporary directory).
  4. The restart command's round trip: wall time of `sid-ctl -w -r`
     (`sv restart`, `s6-svc -r -wr`), and its return minus the new exec.

tree: sid-svscan vs s6-svscan vs runsvdir (bench/bench_tree.py): pickup of
  a new service (no signal, polling alone, rescan command), a tree of 1000
  services (start, PSS, stop), an idle tree of 100 (CPU, wake-ups; 30 s,
  5 s with --quick).

log: sid-log vs s6-log vs svlogd vs multilog, `cat > file` as the ceiling
  (bench/bench_log.py): throughput of 1,000,000 lines with and without
  timestamps, and lines lost across 10 restarts on one pipe.

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
import bench_tree   # noqa: E402
from benchlib import (ROOT, BenchError, StampReader, build_stamp,  # noqa
                      busy_share, context_switches, cpu_times, make_service,
                      memory_kb, ms, now_ns, read_text, spawn_wait, sweep,
                      tail, version, wait_until, wrap)

SECTIONS = ("supervise", "tree", "log", "output")
SUITES = ("sid", "s6", "runit", "daemontools")

START_TIMEOUT = 5.0     # s: a supervisor's first child must start by then
STAMP_TIMEOUT = 5.0     # s: a restarted child must stamp by then
CTL_TIMEOUT = 5         # s: given to each restart command
SETTLE = 0.5            # s: after the first start, before measuring idle

GOALS = [
    ("pss", "PSS under 200 kB", lambda v: v < 200),
    ("wakeups", "zero idle wake-ups", lambda v: v == 0),
    ("respawn", "death to new exec under 1.5 ms with backoff-initial = 0",
     lambda v: v < 1.5),
    ("ctl_gap", "`sid-ctl -w -r` returns within 5 ms of the new exec",
     lambda v: v <= 5.0),
]


# ---------------------------------------------------------- supervisors

class Supervisor:
    """One supervisor under test: how to start, restart and stop it."""

    name = ""               # its column's title
    key = ""                # short name, for --only and file names
    programs = ()           # it runs only when all of them are found
    # Seconds a child lives before the bench kills or restarts it: more
    # than runsv's 1 s throttle, and the same for all, so that a column
    # does not depend on which other supervisors are installed.
    min_age = 1.1

    def __init__(self, tmp):
        self.tmp = tmp
        self.missing = [p for p in self.programs if not self.which(p)]
        self.available = not self.missing
        self.procs = []     # every Popen of this supervisor
        self.error = None   # why its column shows "error"
        self.skipped = False

    def which(self, prog):
        return shutil.which(prog)

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

    def which(self, prog):
        path = os.path.join(ROOT, prog)
        return path if os.access(path, os.X_OK) else None

    def argv(self, svcdir):
        return ["./sid-supervise", svcdir]

    def restart_argv(self, svcdir):
        return [os.path.join(ROOT, "sid-ctl"), "-w", "-T", str(CTL_TIMEOUT),
                "-r", svcdir]

    def stop_argv(self, svcdir):
        return ["./sid-ctl", "-w", "-T", "3", "-x", svcdir]

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
        before = {}
        for sup, proc, marker in live:
            pss, rss = memory_kb(proc.pid)
            results[sup.key]["pss"] = pss
            results[sup.key]["rss"] = rss
            before[sup.key] = context_switches(proc.pid)
        time.sleep(window)
        for sup, proc, marker in live:
            after = context_switches(proc.pid)
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
        samples = {sup.key: {"respawn": [], "ctl_wall": [], "ctl_gap": []}
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
    ("wakeups", "wake-ups in {window:g} s idle"),
    ("respawn", "death -> new exec, median (ms) [a]"),
    ("respawn_min", "death -> new exec, fastest (ms)"),
    ("ctl_wall", "restart command wall time, median (ms) [b]"),
    ("ctl_gap", "restart command return - new exec, median (ms)"),
]


def fmt(key, value):
    if value is None:
        return "n/a"
    if key in ("pss", "rss", "wakeups"):
        return str(value)
    return f"{value:.3f}" if value < 100 else f"{value:.1f}"


def table(sups, results, window):
    rows = [(key, label.format(window=window)) for key, label in ROWS]
    by_name = {sup.name: results[sup.key] for sup in sups}
    return benchlib.column_table(sups, by_name, rows, fmt)


def report(sups, results, notes, window, rounds, stamp_how, busy):
    print()
    print(f"== supervise: sid-supervise, s6-supervise, runsv; {rounds} "
          f"rounds, idle window {window:g} s ==")
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
        f"runs with conf `backoff-initial = 0`, runsv and s6-supervise with "
        f"their defaults. The children of sid-supervise and runsv live "
        f"{Sid.min_age:g} s before the bench kills or restarts them, as "
        f"runsv restarts a ./run that lived less than 1 s only 1 s after "
        f"its start. s6-supervise waits 1 s after every death, whatever the "
        f"child's age, before it starts ./run again, by design: its column "
        f"shows that second.", "  ", "      "))
    print(wrap(
        "[b] From spawning the command to its exit; the next row is its "
        "exit minus the new child's stamp (it can be slightly negative: a "
        "supervisor may report the new pid before the child's first "
        "instruction). Commands: `sid-ctl -w -r SVC`; `s6-svc -r -wr SVC` "
        "(-wr waits for the restart; -wu returns at once, the service being "
        "up when it is sent); `sv restart SVC` (sends t, c, u and waits "
        "by itself, polling the status every 420 ms).", "  ", "      "))
    print(wrap(
        "PSS divides each shared page (libc...) among the processes mapping "
        "it, so it depends on what else runs here. Wake-ups: voluntary + "
        "involuntary context switches (/proc/PID/status, every thread) "
        f"over {window:g} s while nothing happens; the supervisors are "
        "measured together, each with one `sleep` child."))
    if busy is not None:
        print(benchlib.busy_note(busy))
    vers = []
    for sup in sups:
        pkg = {"s6": "s6", "runit": "runit"}.get(sup.key)
        if pkg and sup.available:
            v = version(pkg)
            if v:
                vers.append(f"{pkg} {v}")
    if vers:
        print(wrap("Versions: " + ", ".join(vers) + "."))
    for sup in sups:
        if sup.skipped:
            continue
        if not sup.available:
            print(wrap(f"{sup.name}: not installed (no "
                       f"{' or '.join(sup.missing)} on PATH)."))
        elif sup.error:
            print(wrap(f"{sup.name}: error: {sup.error}"))
    for note in notes:
        print(wrap(note))


# ------------------------------------------------------------------- main

def on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run_supervise(tmp, stamp, stamp_how, only, window, rounds, verbose):
    """The supervise section; returns False when sid failed."""
    sups = [Sid(tmp), S6(tmp), Runit(tmp)]
    for s in sups:
        if only and s.key not in only:
            s.available, s.skipped = False, True
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
    report(sups, results, notes, window, rounds, stamp_how,
           busy_share(cpu0, cpu_times()))
    return not sups[0].error


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[2:8]))
    ap.add_argument("--section", metavar="NAMES",
                    help="comma-separated sections to run, in this order: "
                         "supervise, tree, log, output (default: all)")
    ap.add_argument("--quick", action="store_true",
                    help="short idle windows (supervise 2 s, tree 5 s) "
                         "and one throughput run per logger")
    ap.add_argument("--idle", type=float, metavar="SECS",
                    help="supervise: idle window in seconds (default 10; "
                         "overrides --quick)")
    ap.add_argument("--rounds", type=int, default=20, metavar="N",
                    help="supervise: restart rounds per supervisor "
                         "(default 20)")
    ap.add_argument("--tree-idle", type=float, metavar="SECS",
                    help="tree: idle window in seconds (default 30; "
                         "overrides --quick)")
    ap.add_argument("--log-runs", type=int, metavar="N",
                    help="log: throughput runs per logger and mode, the "
                         "median is shown (default 3, 1 with --quick)")
    ap.add_argument("--only", metavar="NAMES",
                    help="comma-separated suites to run (sid, s6, runit, "
                         "daemontools); the others show \"skipped\" "
                         "(`cat > file` always runs in the log section)")
    ap.add_argument("--output-lines", type=int, default=1_000_000,
                    metavar="N",
                    help="output: lines the service writes (default "
                         "1000000)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every sample on stderr")
    args = ap.parse_args()
    window = args.idle if args.idle is not None else (2.0 if args.quick
                                                     else 10.0)
    tree_window = args.tree_idle if args.tree_idle is not None else (
        5.0 if args.quick else 30.0)
    log_runs = args.log_runs if args.log_runs is not None else (
        1 if args.quick else 3)
    if args.rounds < 1 or window <= 0 or tree_window <= 0 or log_runs < 1:
        ap.error("--rounds, --idle, --tree-idle and --log-runs must be "
                 "positive")
    only = set(args.only.split(",")) if args.only else None
    if only and not only <= set(SUITES):
        ap.error("--only takes " + ", ".join(SUITES))
    sections = args.section.split(",") if args.section else list(SECTIONS)
    if not set(sections) <= set(SECTIONS):
        ap.error("--section takes " + ", ".join(SECTIONS))
    sections = [s for s in SECTIONS if s in sections]

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
    try:
        stamp, stamp_how = None, None
        if "supervise" in sections:
            try:
                stamp, stamp_how = build_stamp(tmp)
            except BenchError as e:
                print(f"bench: {e}", file=sys.stderr)
        print(f"sid bench: {platform.system()} {platform.release()}, "
              f"{os.cpu_count()} CPUs; sections: {', '.join(sections)}")
        for section in sections:
            cpu0 = cpu_times()
            if section == "supervise":
                ok &= run_supervise(tmp, stamp, stamp_how, only, window,
                                    args.rounds, args.verbose)
                continue
            if section == "tree":
                ok &= bench_tree.run(tmp, only, tree_window, args.verbose)
            elif section == "output":
                ok &= bench_output.run(tmp, args.output_lines, args.verbose)
            else:
                ok &= bench_log.run(tmp, only, log_runs, args.verbose)
            busy = busy_share(cpu0, cpu_times())
            if busy is not None:
                print(benchlib.busy_note(busy))
            sys.stdout.flush()
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
