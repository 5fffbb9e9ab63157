"""Section "tree" of bench/bench.py: sid-svscan against s6-svscan and
runsvdir (when installed).

  1. Pickup: a service directory is symlinked into a running scanner's
     directory; the value is the child's first-instruction stamp (bench/
     stamp.c is the service's ./run) minus the moment of the symlink.
     Without any signal; with polling alone (sid built with
     -DSID_NO_INOTIFY); and right after the rescan command (`sid-ctl
     scan`, `s6-svscanctl -a`; runsvdir has none).
  2. A tree of 1000 services: start -> every child has stamped; PSS of
     the scanner + supervisors, and of the children; stop -> every child
     gone, and -> the scanner and every supervisor gone.
  3. An idle tree of 100 services: CPU time and wake-ups (context
     switches) of the scanner and all its supervisors over a window.
"""

import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time

from benchlib import (ROOT, BenchError, Column, ExitWatch, Outcome,
                      StampReader,
                      build_stamp, children_map, column_table,
                      context_switches, cpu_ms, footnote,
                      make_linked_service, memory_kb, ms, now_ns, spawn,
                      start, static_variant, status_notes, stop_proc, tail,
                      verdict, versions, wrap)

N_BIG = 1000            # services of the big tree
N_IDLE = 100            # services of the idle tree
FAST_ROUNDS = 10        # pickup rounds where it takes milliseconds
SLOW_ROUNDS = 3         # pickup rounds where it takes seconds
FAST_TIMEOUT = 3.0      # s: a pickup by event or command
SLOW_TIMEOUT = 6.5      # s: a pickup by polling (runsvdir: every 5 s)
SLOW_SETTLE = 1.5       # s: before each polled pickup (+ 0-5 s at random)
UP_TIMEOUT = 60.0       # s: the big tree must be up by then
STOP_TIMEOUT = 30.0     # s: ... and down by then
SETTLE = 1.0            # s: after a tree is up, before measuring it
POLL_LONG = 3600        # s: -t of the sid polling build for the command row


class Scanner(Column):
    stop_how = ""

    def argv(self, scandir):
        raise NotImplementedError

    def ready(self, scandir):
        """True once it can take a rescan command."""
        return True

    def rescan_argv(self, scandir):
        return None

    def env(self, scandir):
        return None

    def send_stop(self, proc, scandir, errpath):
        proc.send_signal(signal.SIGTERM)


class SidScan(Scanner):
    name = "sid-svscan"
    key = "sid"
    programs = ("sid-svscan", "sid-supervise", "sid-ctl")
    stop_how = "SIGTERM to sid-svscan"

    def __init__(self, tmp, argv0=None, period=None):
        super().__init__(tmp)
        self.argv0 = argv0 or self.path("sid-svscan")
        self.period = period

    def argv(self, scandir):
        t = ["-t", str(self.period)] if self.period else []
        return [self.argv0] + t + [scandir]

    def ready(self, scandir):
        return os.path.exists(os.path.join(scandir, ".sid-svscan",
                                           "control"))

    def rescan_argv(self, scandir):
        return [self.path("sid-ctl"), "scan"]

    def env(self, scandir):
        return dict(os.environ, SID_SCANDIR=scandir)


class S6Scan(Scanner):
    name = "s6-svscan"
    key = "s6"
    programs = ("s6-svscan", "s6-supervise", "s6-svscanctl")
    stop_how = "`s6-svscanctl -t DIR` (SIGTERM to every s6-supervise)"

    def argv(self, scandir):
        # -c: room for the big tree (by default it starts at most 500).
        return [self.path("s6-svscan"), "-c", str(2 * N_BIG + 100), scandir]

    def ready(self, scandir):
        return os.path.exists(os.path.join(scandir, ".s6-svscan",
                                           "control"))

    def rescan_argv(self, scandir):
        return [self.path("s6-svscanctl"), "-a", scandir]

    def send_stop(self, proc, scandir, errpath):
        pid = spawn([self.path("s6-svscanctl"), "-t", scandir], errpath)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise BenchError(f"s6-svscanctl -t failed: {tail(errpath, 1)}")


class RunitScan(Scanner):
    name = "runsvdir"
    key = "runit"
    programs = ("runsvdir", "runsv")
    stop_how = ("SIGHUP to runsvdir (it sends TERM to every runsv, which "
                "stops its service and exits, and exits itself)")

    def argv(self, scandir):
        return [self.path("runsvdir"), scandir]

    def send_stop(self, proc, scandir, errpath):
        proc.send_signal(signal.SIGHUP)


class DaemontoolsScan(Scanner):
    name = "svscan"
    key = "daemontools"
    programs = ("svscan", "supervise", "svc")
    stop_how = ("SIGTERM to svscan (which it does not catch: it dies "
                "alone), then one `svc -dx` naming every service")

    def argv(self, scandir):
        return [self.path("svscan"), scandir]

    def send_stop(self, proc, scandir, errpath):
        # The documented way to stop it all; svscan first, or it would
        # start the supervise processes again at its next scan.
        proc.send_signal(signal.SIGTERM)
        names = sorted(os.listdir(scandir))
        if not names:
            return
        pid = spawn([self.path("svc"), "-dx"] +
                    [os.path.join(scandir, n) for n in names], errpath)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise BenchError(f"svc -dx failed: {tail(errpath, 1)}")


class Instance:
    """One running scanner on its own scan directory."""

    def __init__(self, col, label, tmp, stamp):
        self.col, self.label = col, label
        self.base = os.path.join(tmp, f"tree-pick-{label}")
        self.scandir = os.path.join(self.base, "scan")
        os.makedirs(self.scandir)
        os.mkdir(os.path.join(self.base, "svc"))
        self.stamp = stamp
        self.proc = start(col.argv(self.scandir),
                          os.path.join(tmp, f"tree-pick-{label}.log"),
                          cwd=tmp, env=col.env(self.scandir))
        self.n = 0
        self.link = None
        self.reader = None
        self.samples = []
        self.gave_up = None

    def new_service(self):
        """A new service directory, outside the scan dir; its reader."""
        if self.reader:
            self.reader.close()
        self.n += 1
        name = f"p{self.n:03d}"
        svc = os.path.join(self.base, "svc", name)
        make_linked_service(svc, self.stamp)
        self.reader = StampReader(svc)
        self.link = (svc, os.path.join(self.scandir, name))
        return self.reader

    def link_in(self):
        t0 = now_ns()
        os.symlink(*self.link)
        return t0

    def unlink(self):
        try:
            os.unlink(self.link[1])
        except OSError:
            pass

    def close(self):
        if self.reader:
            self.reader.close()
            self.reader = None


def poll_build(tmp):
    """The sid-svscan polling build (-DSID_NO_INOTIFY) beside a
    sid-supervise, so that it finds it: TMP/bin/sid-svscan-poll; built
    here from the sources when `make` did not."""
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir, exist_ok=True)
    sup = os.path.join(bindir, "sid-supervise")
    if not os.path.exists(sup):
        os.symlink(os.path.join(ROOT, "sid-supervise"), sup)
    dest = os.path.join(bindir, "sid-svscan-poll")
    if os.path.exists(dest):
        return dest, None
    built = os.path.join(ROOT, "test", "helpers", "sid-svscan-poll")
    if os.access(built, os.X_OK):
        os.symlink(built, dest)
        return dest, None
    lib = os.path.join(ROOT, "libsid.a")
    cc = os.environ.get("CC") or "cc"
    argv = [cc, "-std=c11", "-O2", "-D_POSIX_C_SOURCE=200809L",
            "-DSID_NO_INOTIFY", "-I", os.path.join(ROOT, "lib"), "-o", dest,
            os.path.join(ROOT, "cmd", "sid-svscan.c"), lib]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    if r.returncode != 0:
        return None, (r.stderr.strip().splitlines() or ["cc failed"])[-1]
    return dest, None


# ----------------------------------------------------------------- phases

def phase_pickup(cols, tmp, stamp, results, notes, verbose):
    sid = next((c for c in cols if c.key == "sid"), None)
    insts = []          # every Instance, to stop at the end
    try:
        nosig, slow, cmd = [], [], []
        for col in cols:
            inst = Instance(col, col.key, tmp, stamp)
            insts.append(inst)
            (nosig if col.key == "sid" else slow).append(inst)
            if col.rescan_argv(inst.scandir):
                cmd.append(inst)
        if sid is not None:
            poll, why = poll_build(tmp)
            if poll:
                p1 = Instance(SidScan(tmp, poll), "sid-poll", tmp, stamp)
                p2 = Instance(SidScan(tmp, poll, POLL_LONG), "sid-cmd", tmp,
                              stamp)
                insts += [p1, p2]
                slow.append(p1)
                cmd = [p2 if i.col is sid else i for i in cmd]
            else:
                results[sid.name]["pick_poll"] = "not built"
                results[sid.name]["pick_cmd"] = "not built"
                cmd = [i for i in cmd if i.col is not sid]
                notes.append(f"No sid-svscan polling build: {why}")
        deadline = time.monotonic() + 5
        for inst in insts:
            while not inst.col.ready(inst.scandir):
                if inst.proc.poll() is not None or \
                        time.monotonic() > deadline:
                    raise BenchError(f"{inst.col.name} did not start: "
                                     f"{tail(inst.proc.logpath)}")
                time.sleep(0.01)
        time.sleep(0.3)

        def sample(inst, ns0, got):
            if got is None:
                return False
            inst.samples.append(ms(got[1] - ns0))
            return True

        # 1. Symlink only: the fast ones alone, then the slow together.
        rng = random.Random(1)
        for r in range(max(FAST_ROUNDS, SLOW_ROUNDS)):
            for inst in nosig if r < FAST_ROUNDS else []:
                inst.new_service()
                t0 = inst.link_in()
                if not sample(inst, t0, inst.reader.next(FAST_TIMEOUT)):
                    inst.gave_up = FAST_TIMEOUT
                time.sleep(0.02)
            group = [i for i in slow if r < SLOW_ROUNDS and not i.gave_up]
            t0s = []
            for inst in group:
                inst.new_service()
            if group:
                # runsvdir looks again 1 s after a change, then every 5 s:
                # in that steady state, at a random point of the period.
                time.sleep(SLOW_SETTLE + rng.uniform(0, 5))
            for inst in group:
                t0s.append(inst.link_in())
            end = time.monotonic() + SLOW_TIMEOUT
            for inst, t0 in zip(group, t0s):
                got = inst.reader.next(end - time.monotonic())
                if not sample(inst, t0, got):
                    inst.gave_up = SLOW_TIMEOUT
                    inst.unlink()   # not left for the command rounds
            nosig = [i for i in nosig if not i.gave_up]
        for inst in insts:
            if inst.label == "sid-cmd":
                continue
            key = "pick_poll" if inst.label == "sid-poll" else "pick_nosig"
            res = results[inst.col.name if inst.label != "sid-poll"
                          else sid.name]
            if inst.samples:
                res[key] = statistics.median(inst.samples)
            elif inst.gave_up:
                res[key] = f"none in {inst.gave_up:g} s"
            if verbose and inst.samples:
                print(f"{inst.label} {key}: " + " ".join(
                    f"{x:.3f}" for x in inst.samples), file=sys.stderr)
            inst.samples = []

        # 2. Symlink, then the rescan command.
        errpath = os.path.join(tmp, "rescan.err")
        for r in range(FAST_ROUNDS):
            for inst in cmd:
                if inst.gave_up == "cmd":
                    continue
                inst.new_service()
                inst.link_in()
                argv = inst.col.rescan_argv(inst.scandir)
                t0 = now_ns()
                pid = spawn(argv, errpath, env=inst.col.env(inst.scandir))
                got = inst.reader.next(FAST_TIMEOUT)
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                if code != 0 or not sample(inst, t0, got):
                    inst.gave_up = "cmd"
                    inst.col.error = (
                        f"`{' '.join(os.path.basename(a) for a in argv)}` "
                        f"exited {code}: {tail(errpath, 1)}" if code else
                        f"no child {FAST_TIMEOUT:g} s after the rescan "
                        f"command")
                time.sleep(0.02)
        for inst in cmd:
            col = sid if inst.label == "sid-cmd" else inst.col
            if inst.samples:
                results[col.name]["pick_cmd"] = statistics.median(
                    inst.samples)
                if verbose:
                    print(f"{inst.label} pick_cmd: " + " ".join(
                        f"{x:.3f}" for x in inst.samples), file=sys.stderr)
        for col in cols:
            if not col.rescan_argv("x"):
                results[col.name]["pick_cmd"] = "no command"
            if col.key != "sid":
                results[col.name]["pick_poll"] = "-"
    finally:
        errpath = os.path.join(tmp, "stop.err")
        for inst in insts:
            try:
                inst.col.send_stop(inst.proc, inst.scandir, errpath)
            except (OSError, BenchError):
                pass
        for inst in insts:
            try:
                inst.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                stop_proc(inst.proc)
            inst.close()


def tree_dir(tmp, label, n, stamp):
    """A scan dir of N services, each ./run a symlink to STAMP, each
    stamp.fifo a symlink to one FIFO; (scandir, reader)."""
    scandir = os.path.join(tmp, label)
    os.mkdir(scandir)
    reader = StampReader(path=os.path.join(tmp, label + ".fifo"))
    for i in range(n):
        make_linked_service(os.path.join(scandir, f"s{i:04d}"), stamp,
                            reader.path)
    return scandir, reader


def tree_pids(proc):
    """(supervisors, children) of a running scanner, from /proc."""
    kids = children_map()
    sups = kids.get(proc.pid, [])
    return sups, [c for s in sups for c in kids.get(s, [])]


def pss_mib(pids):
    total, none = 0, False
    for pid in pids:
        pss, rss = memory_kb(pid)
        if pss is None:
            none = True
            pss = rss or 0
        total += pss
    return total / 1024.0, none


def big_once(col, tmp, stamp, n, res, notes):
    """One start, measure and stop of a tree of N_BIG services; its
    figures added to the lists of RES."""
    errpath = os.path.join(tmp, "stop.err")
    label = f"tree-big-{col.key}-{n}"
    scandir, reader = tree_dir(tmp, label, N_BIG, stamp)
    proc = None
    try:
        t0 = now_ns()
        proc = start(col.argv(scandir), os.path.join(tmp, label + ".log"),
                     cwd=tmp, env=col.env(scandir))
        if not reader.collect(N_BIG, UP_TIMEOUT,
                              lambda: proc.poll() is None):
            col.error = (f"{len(reader.seen)} of {N_BIG} children ran "
                         f"within {UP_TIMEOUT:g} s "
                         f"({tail(proc.logpath, 1) or 'no message'})")
            return
        res["up"].append(ms(max(reader.seen.values()) - t0))
        time.sleep(SETTLE)
        sups, kids = tree_pids(proc)
        if len(kids) != N_BIG:
            notes.append(f"{col.name}: {len(kids)} children under "
                         f"{len(sups)} supervisors after the start, "
                         f"not {N_BIG}")
        pss, none1 = pss_mib([proc.pid] + sups)
        res["pss_tree"].append(pss)
        pss, none2 = pss_mib(kids)
        res["pss_kids"].append(pss)
        if (none1 or none2) and not res["rss_note"]:
            res["rss_note"].append(1)
            notes.append("No /proc/PID/smaps_rollup: RSS in place of PSS.")
        watch = ExitWatch(kids + sups + [proc.pid])
        try:
            t0 = now_ns()
            col.send_stop(proc, scandir, errpath)
            done = watch.wait(STOP_TIMEOUT)
            gone = [watch.when[p] for p in kids if p in watch.when]
            if len(gone) == len(kids):
                res["stop_kids"].append(ms(max(gone) - t0))
            if done:
                res["stop_all"].append(ms(watch.last_ns - t0))
            else:
                notes.append(f"{col.name}: {len(watch.left)} processes "
                             f"of its tree still ran {STOP_TIMEOUT:g} s "
                             f"after the stop")
        finally:
            watch.close()
        proc.wait(timeout=5)
    except (BenchError, OSError, subprocess.TimeoutExpired) as e:
        col.error = str(e)
    finally:
        reader.close()
        if proc is not None and proc.poll() is None:
            try:
                col.send_stop(proc, scandir, errpath)
                proc.wait(timeout=10)
            except (BenchError, OSError, subprocess.TimeoutExpired):
                stop_proc(proc)
        shutil.rmtree(scandir, ignore_errors=True)


def phase_big(cols, tmp, stamp, runs, results, notes, verbose):
    """RUNS trees of N_BIG services per scanner, one scanner at a time,
    the scanners in turn; the median of each figure."""
    keys = ("up", "pss_tree", "pss_kids", "stop_kids", "stop_all")
    samples = {c.name: {k: [] for k in keys + ("rss_note",)} for c in cols}
    for n in range(runs):
        for col in cols:
            if not col.error:
                big_once(col, tmp, stamp, n, samples[col.name], notes)
    for col in cols:
        for k in keys:
            v = samples[col.name][k]
            if v:
                results[col.name][k] = statistics.median(v)
                results[col.name][k + "_n"] = len(v)
            if verbose and v:
                print(f"{col.name} {k}: " + " ".join(
                    f"{x:.1f}" for x in v), file=sys.stderr)


def phase_idle(cols, tmp, stamp, window, results, notes):
    live = []
    errpath = os.path.join(tmp, "stop.err")
    try:
        for col in cols:
            label = f"tree-idle-{col.key}"
            scandir, reader = tree_dir(tmp, label, N_IDLE, stamp)
            proc = start(col.argv(scandir),
                         os.path.join(tmp, label + ".log"), cwd=tmp,
                         env=col.env(scandir))
            live.append((col, proc, scandir, reader))
        for col, proc, scandir, reader in live:
            if not reader.collect(N_IDLE, UP_TIMEOUT,
                                  lambda: proc.poll() is None):
                col.error = (f"idle tree: {len(reader.seen)} of {N_IDLE} "
                             f"children ran ({tail(proc.logpath, 1)})")
        time.sleep(SETTLE)
        before = {}
        for col, proc, scandir, reader in live:
            if col.error:
                continue
            sups, _ = tree_pids(proc)
            pids = [proc.pid] + sups
            before[col.name] = (pids, [cpu_ms(p) for p in pids],
                                [context_switches(p) for p in pids])
        time.sleep(window)
        for col, proc, scandir, reader in live:
            if col.name not in before:
                continue
            pids, cpu0, cs0 = before[col.name]
            cpu1 = [cpu_ms(p) for p in pids]
            cs1 = [context_switches(p) for p in pids]
            n = len(reader.seen)
            reader.collect(n + 1, 0)
            if len(reader.seen) > n or proc.poll() is not None or \
                    None in cpu1 or None in cs1:
                notes.append(f"{col.name}: its idle tree changed during the "
                             f"window (a child or supervisor restarted or "
                             f"exited); not counted")
                continue
            if None in cpu0 or None in cs0:
                continue
            res = results[col.name]
            res["idle_cpu"] = sum(cpu1) - sum(cpu0)
            res["idle_wake"] = sum(cs1) - sum(cs0)
            res["idle_n"] = len(pids)
    finally:
        for col, proc, scandir, reader in live:
            try:
                col.send_stop(proc, scandir, errpath)
            except (OSError, BenchError):
                pass
        for col, proc, scandir, reader in live:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stop_proc(proc)
            reader.close()


# ----------------------------------------------------------------- report

ROWS = [
    (None, "a new service's child runs (ms):"),
    ("pick_nosig", "  symlinked, no signal, median [a]"),
    ("pick_poll", "  symlinked, polling alone, median [b]"),
    ("pick_cmd", "  symlinked + rescan command, median [c]"),
    (None, f"a tree of {N_BIG} services:"),
    ("up", f"  start -> all {N_BIG} children run (ms) [d]"),
    ("pss_tree", "  PSS, scanner + supervisors (MiB) [e]"),
    ("pss_kids", f"  PSS, the {N_BIG} children (MiB)"),
    ("stop_kids", "  stop -> every child gone (ms) [f]"),
    ("stop_all", "  stop -> scanner + supervisors gone (ms)"),
    (None, f"an idle tree of {N_IDLE} services, {{window:g}} s [g]:"),
    ("idle_cpu", "  CPU time, scanner + supervisors (ms)"),
    ("idle_wake", "  wake-ups, scanner + supervisors"),
]


def fmt(key, value):
    if value is None:
        return "n/a"
    if key == "idle_wake":
        return str(value)
    if key in ("pss_tree", "pss_kids"):
        return f"{value:.1f}"
    if key == "idle_cpu":
        return f"{value:.2f}"
    return f"{value:.3f}" if value < 100 else f"{value:.0f}"


def goals(window):
    per_min = max(1, math.ceil(window / 60))
    return [
        ("pick_nosig", "pickup without a signal under 20 ms (inotify)",
         lambda v: v < 20),
        ("pick_poll", "pickup with polling alone under 1 s",
         lambda v: v < 1000),
        ("pick_cmd", "pickup after `sid-ctl scan` under 5 ms",
         lambda v: v < 5),
        ("up", f"{N_BIG} services running within 1 s", lambda v: v <= 1000),
        ("pss_tree", f"the {N_BIG}-service tree under 64 MiB PSS",
         lambda v: v < 64),
        ("stop_kids", f"all {N_BIG} stopped within 0.5 s",
         lambda v: v <= 500),
        ("idle_wake", f"an idle tree of {N_IDLE} at most 1 wake-up a minute "
         f"(<= {per_min} in {window:g} s)", lambda v: v <= per_min),
    ]


def report(cols, results, notes, window, stamp_how, runs):
    print()
    print(f"== tree: sid-svscan, s6-svscan, runsvdir, svscan ==")
    print()
    rows = [(k, l.format(window=window)) for k, l in ROWS]
    print(column_table(cols, results, rows, fmt))
    print()
    sid = results[cols[0].name]
    print("Goals for sid-svscan:")
    for key, text, ok in goals(window):
        v = sid.get(key)
        if isinstance(v, (int, float)):
            shown, good = fmt(key, v), ok(v)
        else:
            shown, good = v or "n/a", None
        print(f"  - {text}: {shown} -> {verdict(good)}")
    print()
    print("Notes:")
    print(footnote("a", (
        f"A service directory is symlinked into the scan directory of a "
        f"running scanner at T0. Its ./run is a symlink to bench/stamp.c's "
        f"binary ({stamp_how or '-'}: a small file, like the scripts "
        f"services run), which stamps CLOCK_REALTIME as its first "
        f"instruction; value = that stamp - T0, median of {FAST_ROUNDS} "
        f"rounds "
        f"where it takes milliseconds, {SLOW_ROUNDS} where the scanner "
        f"polls (each waited for at most {SLOW_TIMEOUT:g} s). sid-svscan "
        f"watches the directory with inotify (and rescans every 60 s as "
        f"a safety net); s6-svscan by default never rescans on its own "
        f"(only on `s6-svscanctl -a` or SIGALRM, or with -t); runsvdir "
        f"polls the directory's mtime, 1 s after a change and every 5 s "
        f"otherwise, and has no other trigger; daemontools' svscan looks "
        f"every 5 s and has no trigger either: their rounds (and sid's "
        f"polling build's) start {SLOW_SETTLE:g} to {SLOW_SETTLE + 5:g} s "
        f"(at random) after the previous pickup, so at a random point of "
        f"that 5 s period.")))
    print(footnote("b", (
        "sid-svscan built with -DSID_NO_INOTIFY (test/helpers/"
        "sid-svscan-poll), default -t 1: it rescans every second. The "
        "others' polling is the row above.")))
    print(footnote("c", (
        f"The symlink, then T0 = the spawn of the rescan command: "
        f"`SID_SCANDIR=DIR sid-ctl scan` (it returns once the scan report "
        f"is written) or `s6-svscanctl -a DIR`. sid's column uses the "
        f"polling build with -t {POLL_LONG}, so that only the command "
        f"triggers the scan (with inotify the symlink alone starts the "
        f"service before the command lands). runsvdir and svscan have no "
        f"command.")))
    print(footnote("d", (
        f"{N_BIG} service directories exist in the scan directory before "
        f"the scanner starts (T0 = its spawn); each ./run is a symlink to "
        f"the stamp program, each stamp.fifo a symlink to one FIFO the "
        f"bench reads. Value = the last of the {N_BIG} first stamps - T0: "
        f"every child exists and has run its first instruction. The same "
        f"criterion for all; the children are then counted in /proc as "
        f"a check. s6-svscan runs with -c {2 * N_BIG + 100}: by default it "
        f"starts at most 500 services. runsvdir and svscan start at most "
        f"1000. svscan scans at its start, then every 5 s. Median of "
        f"{runs} trees per scanner (the scanners in turn), for this row "
        f"and the four below.")))
    print(footnote("e", (
        "Sum of /proc/PID/smaps_rollup Pss, 1 s after the tree is up: the "
        "scanner and its children (the supervisors) is the fair "
        "comparison; the next row is the supervised children (the same "
        "program under every scanner). PSS shares each page "
        "among the processes mapping it, so the more processes, the "
        "less a shared page weighs on each.")))
    print(footnote("f", (
        "T0, then the stop: " + "; ".join(
            f"{c.name}: {c.stop_how}" for c in cols) +
        ". Value = the exit of the last child (pidfds, else /proc "
        "polled every ms) - T0; the next row, of the last process of "
        "the tree.")))
    print(footnote("g", (
        f"{N_IDLE} services per scanner, all the trees at once, "
        f"{SETTLE:g} s after the last child started: CPU time (/proc/PID/"
        f"schedstat, else utime + stime) and voluntary + involuntary "
        f"context switches of the scanner and every supervisor, over "
        f"{window:g} s. The children (`pause`) are not counted.")))
    v = versions(cols, {"s6": "s6", "runit": "runit",
                        "daemontools": "daemontools"})
    if v:
        print(v)
    for line in status_notes(cols):
        print(line)
    for note in notes:
        print(wrap(note))


def run(tmp, only, window, verbose, static=None, runs=3,
        phases=("pickup", "big", "idle"), show=True):
    """The tree section; (sid ok, its Outcome).  STATIC: the bin
    directory of sid's static build (its own column; not in the pickup
    phase); RUNS: trees of N_BIG per scanner; PHASES: which to run; SHOW:
    print the section's table."""
    cols = [SidScan(tmp)]
    if static:
        cols.append(static_variant(SidScan, tmp, static))
    cols += [S6Scan(tmp), RunitScan(tmp), DaemontoolsScan(tmp)]
    for c in cols:
        if only and c.suite not in only:
            c.available, c.skipped = False, True
    results = {c.name: {} for c in cols}
    notes = []
    ready = [c for c in cols if c.available]
    what = {"pickup": "pickups", "big": f"{runs} x {N_BIG} services",
            "idle": f"{window:g} s idle"}
    print(f"bench: tree: {', '.join(what[p] for p in phases)} "
          f"({', '.join(c.name for c in ready)})...", file=sys.stderr,
          flush=True)
    # A small ./run: the stamp program linked dynamically (a few kB; the
    # static one is hundreds), like the small scripts services run.
    try:
        stamp, how = build_stamp(tmp, static=False, name="stamp-small")
    except BenchError as e:
        stamp, how = None, None
        notes.append(f"Nothing measured: {e}")
    if stamp is not None:
        how = f"linked {how}, {os.path.getsize(stamp) // 1024} KiB"
        if "pickup" in phases:
            try:
                phase_pickup([c for c in ready if c.key != "sid-static"],
                             tmp, stamp, results, notes, verbose)
            except BenchError as e:
                notes.append(f"pickup: {e}")
            for c in ready:
                if c.key == "sid-static":
                    for k in ("pick_nosig", "pick_poll", "pick_cmd"):
                        results[c.name][k] = "-"
        if "big" in phases:
            phase_big(ready, tmp, stamp, runs, results, notes, verbose)
        if "idle" in phases:
            phase_idle(ready, tmp, stamp, window, results, notes)
    if show:
        report(cols, results, notes, window, how, runs)
    return not cols[0].error, Outcome(cols, results, notes)
