#!/usr/bin/env python3
"""Benchmark sid-supervise against s6-supervise and runsv (when installed).

    python3 bench/bench.py [--quick] [--idle SECS] [--rounds N]
                           [--only sid,s6,runit] [-v]

Run by `make bench` after sid-supervise and sid-ctl are built.  Prints one
row per metric and one column per supervisor; a supervisor that is not
installed gets "not installed" in its column.

What it measures (see the footnotes it prints):
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

Everything lives under one temporary directory, removed at the end; every
process started is stopped at the end, on an exception or on Ctrl-C too.
Python 3.11 standard library only; no network.
"""

import argparse
import os
import platform
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAMP_SRC = os.path.join(ROOT, "bench", "stamp.c")

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


class BenchError(Exception):
    pass


def now_ns():
    return time.time_ns()


def ms(ns):
    return ns / 1e6


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def tail(path, lines=3):
    try:
        text = read_text(path).strip().splitlines()
    except OSError:
        return ""
    return " / ".join(text[-lines:])


# ---------------------------------------------------------------- /proc

def memory_kb(pid):
    """(pss, rss) in kB; pss is None without smaps_rollup; both None
    without /proc."""
    try:
        pss = rss = None
        for line in read_text(f"/proc/{pid}/smaps_rollup").splitlines():
            key, _, rest = line.partition(":")
            if key == "Pss":
                pss = int(rest.split()[0])
            elif key == "Rss":
                rss = int(rest.split()[0])
        if rss is not None:
            return pss, rss
    except (OSError, ValueError, IndexError):
        pass
    try:
        for line in read_text(f"/proc/{pid}/status").splitlines():
            if line.startswith("VmRSS:"):
                return None, int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None, None


def context_switches(pid):
    """Voluntary + involuntary context switches of every thread of PID,
    or None without /proc."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        tids = [str(pid)]
    total, seen = 0, False
    for tid in tids:
        base = f"/proc/{pid}/task/{tid}"
        try:
            status = read_text(base + "/status")
        except OSError:
            continue
        got = False
        for line in status.splitlines():
            if line.startswith(("voluntary_ctxt_switches:",
                                "nonvoluntary_ctxt_switches:")):
                total += int(line.split()[1])
                got = True
        if not got:
            try:    # schedstat: run ns, wait ns, timeslices run
                total += int(read_text(base + "/schedstat").split()[2])
                got = True
            except (OSError, ValueError, IndexError):
                pass
        seen = seen or got
    return total if seen else None


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
        return proc

    def stop(self, proc, timeout=3.0):
        """Ask the supervisor to take its child down and exit; SIGTERM,
        then SIGKILL, when it does not."""
        if proc.poll() is not None:
            return
        stop = self.stop_argv(proc.svcdir)
        try:
            if stop:
                subprocess.run(stop, cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=timeout)
            else:
                proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=timeout)
            return
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=timeout)
            return
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            proc.kill()
            proc.wait(timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            pass


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


# --------------------------------------------------------------- helpers

def build_stamp(tmp):
    """Compile bench/stamp.c into TMP, statically when the toolchain can.
    Returns (path, how)."""
    out = os.path.join(tmp, "stamp")
    cc = os.environ.get("CC") or "cc"
    base = [cc, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-O2", "-o", out,
            STAMP_SRC]
    errors = ""
    for extra, how in ((["-static"], "static"), ([], "dynamic")):
        try:
            r = subprocess.run(base + extra, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            errors = str(e)
            break
        if r.returncode == 0:
            return out, how
        errors = r.stderr.strip()
    prebuilt = os.path.join(ROOT, "bench", "stamp")
    if os.access(prebuilt, os.X_OK):
        return prebuilt, "prebuilt bench/stamp"
    raise BenchError(f"unable to compile {STAMP_SRC} with {cc}: {errors}")


def make_service(path, run):
    os.mkdir(path)
    runpath = os.path.join(path, "run")
    if isinstance(run, bytes):
        with open(runpath, "wb") as f:
            f.write(run)
    else:
        shutil.copyfile(run, runpath)
    os.chmod(runpath, 0o755)


def wait_until(cond, timeout, proc=None, step=0.005):
    deadline = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


class StampReader:
    """The bench's end of a service's stamp.fifo: lines "PID NS"."""

    def __init__(self, svcdir):
        path = os.path.join(svcdir, "stamp.fifo")
        os.mkfifo(path, 0o600)
        # Read-write: the writer's open never fails, we never see EOF.
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self.buf = b""
        self.pid = None     # the current child
        self.ns = None      # its stamp

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def next(self, timeout):
        """The stamp of a child other than the current one, or None."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                pid, ns = (int(x) for x in line.split())
                if pid != self.pid:
                    self.pid, self.ns = pid, ns
                    return pid, ns
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.buf += os.read(self.fd, 4096)
                except BlockingIOError:
                    pass


def spawn_wait(argv, errpath):
    """Run ARGV, its stdout to /dev/null and stderr to ERRPATH;
    (exit status, wall ns, end ns)."""
    with open(os.devnull, "r+b") as null, open(errpath, "wb") as err:
        fa = [(os.POSIX_SPAWN_DUP2, null.fileno(), 0),
              (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
              (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        t0 = now_ns()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
        _, status = os.waitpid(pid, 0)
        t1 = now_ns()
    return os.waitstatus_to_exitcode(status), t1 - t0, t1


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


# ---------------------------------------------------------------- cleanup

def sweep(tmp, sups):
    """Kill whatever still runs in TMP (every supervisor and child we
    started has its cwd there), then any supervisor still alive."""
    real = os.path.realpath(tmp)
    killed = 0
    for _ in range(2):
        found = False
        try:
            pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            pids = []
        for pid in pids:
            if pid == os.getpid():
                continue
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                continue
            if cwd == real or cwd.startswith(real + os.sep):
                found = True
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
                except OSError:
                    pass
        if not found:
            break
        time.sleep(0.1)
    for sup in sups:
        for proc in sup.procs:
            if proc.poll() is None:
                killed += 1
                try:
                    proc.kill()
                    proc.wait(timeout=3)
                except (OSError, subprocess.TimeoutExpired):
                    pass
    return killed


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
    header = ["metric"] + [s.name for s in sups]
    rows = []
    for key, label in ROWS:
        row = [label.format(window=window)]
        for sup in sups:
            if sup.skipped:
                row.append("skipped")
            elif not sup.available:
                row.append("not installed")
            elif sup.error and key not in results[sup.key]:
                row.append("error")
            else:
                row.append(fmt(key, results[sup.key].get(key)))
        rows.append(row)
    widths = [max(len(r[i]) for r in [header] + rows)
              for i in range(len(header))]
    lines = []
    for n, r in enumerate([header] + rows):
        cells = [r[0].ljust(widths[0])] + \
                [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def version(pkg):
    if not shutil.which("dpkg-query"):
        return None
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 and r.stdout else None


def cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat, or None."""
    try:
        first = read_text("/proc/stat").split("\n", 1)[0]
        f = [int(x) for x in first.split()[1:]]
    except (OSError, ValueError):
        return None
    idle = f[3] + (f[4] if len(f) > 4 else 0)     # idle + iowait
    total = sum(f[:8])                              # without guest time
    return total - idle, total


def busy_share(before, after):
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def wrap(text, first="  ", rest="    "):
    return textwrap.fill(" ".join(text.split()), width=79,
                         break_on_hyphens=False,
                         initial_indent=first, subsequent_indent=rest)


def report(sups, results, notes, window, rounds, stamp_how, busy):
    print()
    print(f"sid bench: {platform.system()} {platform.release()}, "
          f"{os.cpu_count()} CPUs, {rounds} rounds, idle window "
          f"{window:g} s")
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
        text = (f"The CPUs were {100 * busy:.0f}% busy during the bench "
                f"(the bench itself takes a few %).")
        if busy >= 0.15:
            text += (" Other work competed with it: the latencies are "
                     "noisy (-v prints every sample).")
        print(wrap(text))
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="idle window of 2 s instead of 10 s")
    ap.add_argument("--idle", type=float, metavar="SECS",
                    help="idle window in seconds (overrides --quick)")
    ap.add_argument("--rounds", type=int, default=20, metavar="N",
                    help="restart rounds per supervisor (default 20)")
    ap.add_argument("--only", metavar="NAMES",
                    help="comma-separated supervisors to run (sid, s6, "
                         "runit); the others show \"skipped\"")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every sample on stderr")
    args = ap.parse_args()
    window = args.idle if args.idle is not None else (2.0 if args.quick
                                                     else 10.0)
    if args.rounds < 1 or window <= 0:
        ap.error("--rounds and --idle must be positive")
    only = set(args.only.split(",")) if args.only else None
    if only and not only <= {"sid", "s6", "runit"}:
        ap.error("--only takes sid, s6 and runit")

    for prog in ("sid-supervise", "sid-ctl"):
        if not os.access(os.path.join(ROOT, prog), os.X_OK):
            print(f"bench: {ROOT}/{prog} is missing: run `make "
                  f"sid-supervise sid-ctl` first", file=sys.stderr)
            return 1

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    tmp = tempfile.mkdtemp(prefix="sid-bench.")
    sups = []
    try:
        sups = [Sid(tmp), S6(tmp), Runit(tmp)]
        for s in sups:
            if only and s.key not in only:
                s.available, s.skipped = False, True
        results = {s.key: {} for s in sups}
        notes = []
        try:
            stamp, stamp_how = build_stamp(tmp)
        except BenchError as e:
            stamp, stamp_how = None, None
            notes.append(f"No latencies: {e}")
        ready = [s for s in sups if s.available]
        print(f"bench: idle window {window:g} s, then {args.rounds} rounds "
              f"of restarts ({', '.join(s.name for s in ready)})...",
              file=sys.stderr, flush=True)
        cpu0 = cpu_times()
        phase_idle(ready, tmp, window, results, notes)
        if stamp:
            phase_latency(ready, tmp, stamp, args.rounds, results, notes,
                          args.verbose)
        report(sups, results, notes, window, args.rounds, stamp_how,
               busy_share(cpu0, cpu_times()))
        return 1 if sups[0].error else 0
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
        for sup in sups:
            for proc in sup.procs:
                sup.stop(proc)
        if sweep(tmp, sups):
            print("bench: some processes outlived their supervisor's stop "
                  "and were killed", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
