"""Section "log" of bench/bench.py: sid-log against s6-log, svlogd and
multilog (when installed), with `cat > file` as the ceiling.

  1. Throughput: 1,000,000 lines of 100 bytes, generated once into a
     file, fed through a pipe (`cat input | LOGGER`), rotation at
     1,000,000 bytes, 10 files kept; with and without timestamps.  Two
     times: until the writer (`cat input`) is done, and until the logger
     has exited.
  2. Restarts: a producer writes numbered lines at a steady rate into a
     pipe whose read end the bench holds (as sid-svscan does); the
     logger on it is restarted 10 times (SIGTERM, wait for its exit, a
     new one on the same pipe); then every number is looked for in the
     log directory: missing, duplicated, torn.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

from benchlib import (PROCS, Column, ExitWatch, Outcome, column_table,
                      footnote, now_ns, start, static_variant, status_notes,
                      stop_proc, tail, verdict, versions, wrap)

LINES = 1_000_000
LINE_LEN = 100          # bytes, newline included
SIZE = 1_000_000        # rotation
KEEP = 10
RUN_TIMEOUT = 180.0     # s: one throughput run
SLOW_RUN = 20.0         # s: a logger this slow gets one run, not --log-runs

LOSS_LINES = 30_000
LOSS_RATE = 10_000      # lines/s: 3 s of writing
RESTARTS = 10
FIRST_RESTART = 0.15    # s after the producer starts
RESTART_EVERY = 0.28    # s
LOSS_SIZE = 1_000_000   # rotation in the restart test ...
LOSS_KEEP = 100         # ... and nothing deleted
TERM_TIMEOUT = 10.0     # s: a logger must exit by then after SIGTERM
PAD = b"x" * 40
CHUNK = 4096            # the stdio-like variant's writes
LOSS_RE = re.compile(rb"seq (\d{7}) " + PAD)

# The producer of the restart test: numbered lines at a steady rate,
# either one write(2) per line, or (CHUNK > 0) in writes of CHUNK bytes
# that cut lines anywhere, as stdio does on a pipe; a blocked write (full
# pipe) just waits.
PRODUCER = r"""
import os, sys, time
n, rate, pad, chunk = (int(sys.argv[1]), float(sys.argv[2]),
                       sys.argv[3].encode(), int(sys.argv[4]))
t0 = time.monotonic()
i = 0
buf = b""
while i < n:
    due = min(n, int((time.monotonic() - t0) * rate) + 1)
    while i < due:
        line = b"seq %07d %s\n" % (i, pad)
        i += 1
        if not chunk:
            os.write(1, line)
            continue
        buf += line
        while len(buf) >= chunk:
            os.write(1, buf[:chunk])
            buf = buf[chunk:]
    time.sleep(0.0005)
if buf:
    os.write(1, buf)
"""


class Logger(Column):
    stamp_how = ""      # its timestamp option, for the footnote

    def setup(self, logdir, size, keep):
        os.makedirs(logdir)

    def argv(self, logdir, stamps, size, keep):
        raise NotImplementedError

    def output(self, logdir):
        """The file its stdout goes to, when that is its log."""
        return None

    def files(self, logdir):
        """Its log files, oldest first, current last."""
        names = sorted(n for n in os.listdir(logdir) if n.startswith("@"))
        return [os.path.join(logdir, n) for n in names + ["current"]
                if os.path.isfile(os.path.join(logdir, n))]


class SidLog(Logger):
    name = "sid-log"
    key = "sid"
    programs = ("sid-log",)
    stamp_how = "-t (ISO 8601 UTC, microseconds)"

    def argv(self, logdir, stamps, size, keep):
        return [self.path("sid-log"), "-s", str(size), "-n", str(keep)] + \
            (["-t"] if stamps else []) + [logdir]


class S6Log(Logger):
    name = "s6-log"
    key = "s6"
    programs = ("s6-log",)
    stamp_how = "T (ISO 8601)"

    def argv(self, logdir, stamps, size, keep):
        return [self.path("s6-log"), "-b", f"n{keep}", f"s{size}"] + \
            (["T"] if stamps else []) + [logdir]


class Svlogd(Logger):
    name = "svlogd"
    key = "runit"
    programs = ("svlogd",)
    stamp_how = "-tt (UTC, YYYY-MM-DD_HH:MM:SS.xxxxx)"

    def setup(self, logdir, size, keep):
        os.makedirs(logdir)
        with open(os.path.join(logdir, "config"), "w") as f:
            f.write(f"s{size}\nn{keep}\n")

    def argv(self, logdir, stamps, size, keep):
        return [self.path("svlogd")] + (["-tt"] if stamps else []) + [logdir]


class Multilog(Logger):
    name = "multilog"
    key = "daemontools"
    programs = ("multilog",)
    stamp_how = "t (TAI64N)"

    def argv(self, logdir, stamps, size, keep):
        return [self.path("multilog")] + (["t"] if stamps else []) + \
            [f"s{size}", f"n{keep}", logdir]


class Cat(Logger):
    name = "cat > file"
    key = "cat"
    programs = ("cat",)
    stamp_how = None

    def argv(self, logdir, stamps, size, keep):
        return None if stamps else [self.path("cat")]

    def output(self, logdir):
        return os.path.join(logdir, "current")


def make_input(path):
    """LINES lines of LINE_LEN bytes; the last one's text."""
    filler = b"abcdefghijklmnopqrstuvwxyz0123456789" * 3
    head = len(b"bench line 0000000 ")
    body = filler[:LINE_LEN - 1 - head]
    with open(path, "wb") as f:
        for base in range(0, LINES, 100_000):
            f.write(b"".join(b"bench line %07d %s\n" % (i, body)
                             for i in range(base, min(LINES,
                                                      base + 100_000))))
    return b"bench line %07d %s" % (LINES - 1, body)


def last_line(path):
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 4096))
            data = f.read()
    except OSError:
        return b""
    lines = data.rstrip(b"\n").split(b"\n")
    return lines[-1] if lines else b""


def open_out(lg, logdir, append=False):
    out = lg.output(logdir)
    if out is None:
        return None
    return open(out, "ab" if append else "wb")


# ----------------------------------------------------------------- phases

def one_run(lg, tmp, inpath, last, stamps):
    """One throughput run; (writer s, logger s) or raises RuntimeError."""
    logdir = os.path.join(tmp, f"tput-{lg.key}")
    shutil.rmtree(logdir, ignore_errors=True)
    lg.setup(logdir, SIZE, KEEP)
    os.sync()       # earlier runs' dirty pages are not this run's work
    r, w = os.pipe()
    out = open_out(lg, logdir)
    logpath = os.path.join(tmp, f"tput-{lg.key}.log")
    writer = logger = None
    try:
        logger = start(lg.argv(logdir, stamps, SIZE, KEEP), logpath,
                       cwd=tmp, stdin=r, stdout=out)
        os.close(r)
        r = -1
        time.sleep(0.1)     # its start is not measured
        if logger.poll() is not None:
            raise RuntimeError(f"exited at once: {tail(logpath, 1)}")
        t0 = now_ns()
        writer = subprocess.Popen(["cat", inpath], stdin=subprocess.DEVNULL,
                                  stdout=w, cwd=tmp, start_new_session=True)
        PROCS.append(writer)
        os.close(w)
        w = -1
        watch = ExitWatch([writer.pid, logger.pid])
        try:
            if not watch.wait(RUN_TIMEOUT):
                raise RuntimeError(f"not done in {RUN_TIMEOUT:g} s")
        finally:
            watch.close()
        wt = (watch.when[writer.pid] - t0) / 1e9
        lt = (watch.when[logger.pid] - t0) / 1e9
        writer.wait()
        if logger.wait() != 0:
            raise RuntimeError(f"exited {logger.returncode}: "
                               f"{tail(logpath, 1)}")
        # The newest non-empty file ends with the last line (current is
        # empty when the last line filled the one before it).
        files = [f for f in lg.files(logdir) if os.path.getsize(f) > 0]
        got = last_line(files[-1]) if files else b""
        if not got.endswith(last):
            raise RuntimeError(f"the log does not end with the last line "
                               f"(it ends with {got[-60:]!r})")
        return wt, lt
    finally:
        for fd in (r, w):
            if fd >= 0:
                os.close(fd)
        if out:
            out.close()
        for p in (writer, logger):
            if p is not None:
                stop_proc(p)


def phase_throughput(lgs, tmp, reps, results, notes, verbose):
    inpath = os.path.join(tmp, "log-input")
    last = make_input(inpath)
    size = os.path.getsize(inpath)
    try:
        for stamps in (False, True):
            mode = "ts" if stamps else "plain"
            for lg in lgs:
                if lg.argv("x", stamps, SIZE, KEEP) is None:
                    for k in ("writer", "exit", "wlps", "elps", "embs"):
                        results[lg.name][f"{mode}_{k}"] = "-"
                    continue
                if lg.error:
                    continue
                runs = []
                for _ in range(reps):
                    try:
                        runs.append(one_run(lg, tmp, inpath, last, stamps))
                    except RuntimeError as e:
                        lg.error = (f"{'with' if stamps else 'without'} "
                                    f"timestamps: {e}")
                        break
                    if runs[0][1] > SLOW_RUN:
                        break       # slow: the noise is small beside it
                if not runs or lg.error:
                    continue
                if verbose:
                    print(f"{lg.name} {mode}: " + " ".join(
                        f"{a:.3f}/{b:.3f}" for a, b in runs),
                        file=sys.stderr)
                wt = statistics.median(a for a, _ in runs)
                lt = statistics.median(b for _, b in runs)
                res = results[lg.name]
                res[f"{mode}_writer"] = wt
                res[f"{mode}_exit"] = lt
                res[f"{mode}_wlps"] = LINES / wt / 1e6
                res[f"{mode}_elps"] = LINES / lt / 1e6
                res[f"{mode}_embs"] = size / lt / 1e6
                res[f"{mode}_n"] = len(runs)
    finally:
        try:
            os.unlink(inpath)
        except OSError:
            pass
        for lg in lgs:
            shutil.rmtree(os.path.join(tmp, f"tput-{lg.key}"),
                          ignore_errors=True)


def count_lines(lg, logdir):
    """(missing, duplicated, torn) numbers of the restart test."""
    seen = {}
    torn = 0
    for path in lg.files(logdir):
        with open(path, "rb") as f:
            for line in f.read().split(b"\n"):
                if not line:
                    continue
                m = LOSS_RE.fullmatch(line)
                if m:
                    n = int(m.group(1))
                    seen[n] = seen.get(n, 0) + 1
                else:
                    torn += 1
    missing = sum(1 for i in range(LOSS_LINES) if i not in seen)
    dup = sum(c - 1 for c in seen.values())
    return missing, dup, torn


class Pipe:
    """One logger of the restart test: its pipe (whose read end the bench
    holds), its producer, its current logger."""

    def __init__(self, lg, tmp, variant, chunk):
        self.lg = lg
        self.logdir = os.path.join(tmp, f"loss-{variant}-{lg.key}")
        lg.setup(self.logdir, LOSS_SIZE, LOSS_KEEP)
        self.argv = lg.argv(self.logdir, False, LOSS_SIZE, LOSS_KEEP)
        self.logpath = os.path.join(tmp, f"loss-{variant}-{lg.key}.log")
        self.r, self.w = os.pipe()
        self.terms, self.killed = [], 0
        self.logger = self.producer = None
        self.start_logger()
        self.producer = start([sys.executable, "-c", PRODUCER,
                               str(LOSS_LINES), str(LOSS_RATE),
                               PAD.decode(), str(chunk)], self.logpath,
                              cwd=tmp, stdout=self.w)
        os.close(self.w)
        self.w = -1

    def start_logger(self):
        out = open_out(self.lg, self.logdir, append=True)
        try:
            self.logger = start(self.argv, self.logpath, cwd=self.lg.tmp,
                                stdin=self.r, stdout=out)
        finally:
            if out:
                out.close()

    def restart(self):
        watch = ExitWatch([self.logger.pid])
        try:
            t0 = now_ns()
            self.logger.send_signal(signal.SIGTERM)
            if watch.wait(TERM_TIMEOUT):
                self.terms.append((watch.last_ns - t0) / 1e6)
            else:
                self.killed += 1
                self.terms.append(TERM_TIMEOUT * 1000)
        finally:
            watch.close()
        stop_proc(self.logger, signal.SIGKILL)  # reaps it; kills if needed
        self.start_logger()

    def finish(self):
        """After the producer: the last logger reads to EOF."""
        self.producer.wait(timeout=60)
        os.close(self.r)    # ours; the logger has its own
        self.r = -1
        self.logger.wait(timeout=30)
        if self.producer.returncode != 0:
            raise RuntimeError(f"the producer exited "
                               f"{self.producer.returncode}: "
                               f"{tail(self.logpath, 1)}")

    def close(self):
        for fd in (self.r, self.w):
            if fd >= 0:
                os.close(fd)
        self.r = self.w = -1
        for p in (self.producer, self.logger):
            if p is not None:
                stop_proc(p)


def phase_restarts(lgs, tmp, variant, chunk, results, notes, verbose):
    """Every logger at once, each on its own pipe with its own producer:
    RESTARTS restarts, the same moments for all."""
    pipes = []
    try:
        for lg in lgs:
            try:
                pipes.append(Pipe(lg, tmp, variant, chunk))
            except OSError as e:
                lg.error = f"restart test: {e}"
        t_start = time.monotonic()
        for k in range(RESTARTS):
            due = t_start + FIRST_RESTART + k * RESTART_EVERY
            time.sleep(max(0.0, due - time.monotonic()))
            for p in list(pipes):
                try:
                    p.restart()
                except OSError as e:
                    p.lg.error = f"restart test ({variant}): {e}"
                    p.close()
                    pipes.remove(p)
        for p in pipes:
            lg = p.lg
            try:
                p.finish()
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                lg.error = f"restart test ({variant}): {e}"
                continue
            missing, dup, torn = count_lines(lg, p.logdir)
            res = results[lg.name]
            res[f"{variant}_lost"] = missing
            res[f"{variant}_dup"] = dup
            res[f"{variant}_torn"] = torn
            res[f"{variant}_ldt"] = f"{missing}/{dup}/{torn}"
            res[f"{variant}_term"] = (f"{statistics.median(p.terms):.1f}/"
                                      f"{max(p.terms):.1f}")
            if p.killed:
                notes.append(f"{lg.name}: {p.killed} of {RESTARTS} SIGTERMs "
                             f"left it running {TERM_TIMEOUT:g} s "
                             f"({variant}); SIGKILL")
            if verbose:
                print(f"{lg.name} {variant} TERM -> exit (ms): " + " ".join(
                    f"{x:.1f}" for x in p.terms), file=sys.stderr)
    finally:
        for p in pipes:
            p.close()


# ----------------------------------------------------------------- report

ROWS = [
    (None, f"{LINES // 1_000_000}M lines of {LINE_LEN} B, no timestamps [a]:"),
    ("plain_writer", "  until the writer is done (s)"),
    ("plain_exit", "  until the logger exits (s)"),
    ("plain_wlps", "  M lines/s, writer done"),
    ("plain_elps", "  M lines/s, logger exits"),
    ("plain_embs", "  MB/s, logger exits"),
    (None, "the same with timestamps [b]:"),
    ("ts_writer", "  until the writer is done (s)"),
    ("ts_exit", "  until the logger exits (s)"),
    ("ts_wlps", "  M lines/s, writer done"),
    ("ts_elps", "  M lines/s, logger exits"),
    ("ts_embs", "  MB/s, logger exits"),
    (None, f"{RESTARTS} restarts, one write per line [c]:"),
    ("line_ldt", "  lines lost/duplicated/torn"),
    ("line_term", "  SIGTERM -> exit, median/max (ms)"),
    (None, f"{RESTARTS} restarts, {CHUNK} B writes (stdio) [d]:"),
    ("chunk_ldt", "  lines lost/duplicated/torn"),
    ("chunk_term", "  SIGTERM -> exit, median/max (ms)"),
]


def fmt(key, value):
    if value is None:
        return "n/a"
    if key.endswith(("_writer", "_exit")):
        return f"{value:.3f}"
    if key.endswith("lps"):
        return f"{value:.2f}"
    if key.endswith("mbs"):
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    return str(value)


def goals(results, cols):
    sid = results[cols[0].name]
    s6 = results.get("s6-log", {})
    cat = results.get("cat > file", {})
    out = []

    def num(v):
        return v if isinstance(v, (int, float)) else None

    # 1. >= 3 M lines/s with -t, and twice s6-log's (s6-log T)
    parts, oks = [], []
    for side, k in (("writer done", "ts_wlps"), ("logger exits", "ts_elps")):
        v, ref = num(sid.get(k)), num(s6.get(k))
        if v is None:
            parts.append(f"{side} n/a")
            oks.append(None)
            continue
        ok = v >= 3.0 and (ref is None or v >= 2 * ref)
        vs = f", s6-log {ref:.2f}" if ref is not None else ""
        parts.append(f"{side} {v:.2f}{vs} -> {verdict(ok)}")
        oks.append(ok)
    out.append("at least 3 M lines/s with -t, twice s6-log's: " +
               "; ".join(parts))
    # 2. within 2x of cat without -t
    parts = []
    for side, k in (("writer done", "plain_writer"),
                    ("logger exits", "plain_exit")):
        v, ref = num(sid.get(k)), num(cat.get(k))
        if v is None or ref is None:
            parts.append(f"{side} n/a")
            continue
        parts.append(f"{side} {v / ref:.2f}x -> {verdict(v <= 2 * ref)}")
    out.append("within 2x of `cat > file` without -t: " + "; ".join(parts))
    # 3. zero lines lost
    parts = []
    for variant, what in (("line", "one write per line"),
                          ("chunk", f"{CHUNK} B writes")):
        vals = [num(sid.get(f"{variant}_{k}"))
                for k in ("lost", "dup", "torn")]
        if None in vals:
            parts.append(f"{what}: n/a")
        else:
            parts.append(f"{what}: {vals[0]} / {vals[1]} / {vals[2]} -> "
                         f"{verdict(sum(vals) == 0)}")
    out.append(f"zero lines lost (or duplicated, or torn) across "
               f"{RESTARTS} restarts: " + "; ".join(parts))
    return out


def report(cols, results, notes, reps):
    print()
    print("== log: sid-log, s6-log, svlogd, multilog, cat > file ==")
    print()
    print(column_table(cols, results, ROWS, fmt))
    print()
    print("Goals for sid-log:")
    for line in goals(results, cols):
        print(wrap(f"- {line}", "  ", "    "))
    print()
    print("Notes:")
    print(footnote("a", (
        f"The input ({LINES:,} lines of {LINE_LEN} bytes, "
        f"{LINES * LINE_LEN / 1e6:g} MB) is generated once into a file; "
        f"the logger starts on a pipe, 0.1 s later T0 and `cat input` "
        f"writes into the pipe. Rotation at {SIZE:,} bytes, {KEEP} files "
        f"kept: `sid-log -s {SIZE} -n {KEEP} DIR`, `s6-log -b n{KEEP} "
        f"s{SIZE} DIR`, svlogd with DIR/config `s{SIZE}` `n{KEEP}`, "
        f"`multilog s{SIZE} n{KEEP} DIR`, `cat > DIR/current` (no "
        f"rotation). \"Writer done\" = the exit of `cat input`: every line "
        f"is in the pipe or beyond, which is what a service feels (the "
        f"last <= 64 KiB may still be in the pipe). \"Logger exits\" = "
        f"every line written and the logger gone after EOF: this includes "
        f"the fsync of rotated files (sid-log fsyncs and renames them in "
        f"a child process during the run, off the write path, and waits "
        f"for it at the end; s6-log, svlogd and multilog fsync in line "
        f"at each rotation). Median of {reps} run(s) (one for a logger "
        f"whose first run took over {SLOW_RUN:g} s); os.sync() before "
        f"each; MB = 10^6 bytes. Each run checks that the logger exited 0 "
        f"and that current ends with the last input line.")))
    print(footnote("b", (
        "; ".join(f"{c.name} {c.stamp_how}" for c in cols if c.stamp_how)
        + ". `cat` has none.")))
    print(footnote("c", (
        f"Every logger at once, each on its own pipe with its own "
        f"producer: {LOSS_LINES:,} numbered lines (`seq NNNNNNN x...`, "
        f"{len(b'seq 0000000 ') + len(PAD) + 1} bytes) at "
        f"{LOSS_RATE:,} lines/s, one write(2) per line. The bench holds "
        f"the read end open for the whole test, as sid-svscan does (so "
        f"the producer never gets EPIPE and the lines wait in the pipe "
        f"while no logger runs). A restart = SIGTERM to the logger, wait "
        f"for its exit, a new one on the same pipe and directory; the "
        f"first {FIRST_RESTART:g} s after the start, then every "
        f"{RESTART_EVERY:g} s. After the producer's end the last logger "
        f"reads to EOF. Then every file of the directory (current and @*) "
        f"is read: a number never found is lost, found twice duplicated; "
        f"a line that is not exactly one produced line is torn (a line "
        f"cut at a restart). `cat >> current` is the naive baseline. "
        f"SIGTERM -> exit is the bench's wait at each restart.")))
    print(footnote("d", (
        f"The same, but the producer writes {CHUNK}-byte chunks, as stdio "
        f"does when stdout is a pipe: most writes end in the middle of a "
        f"line, so a logger told to stop often has half a line in hand "
        f"and the rest still to come.")))
    v = versions(cols, {"s6": "s6", "runit": "runit",
                        "daemontools": "daemontools"})
    if v:
        print(v)
    for line in status_notes(cols):
        print(line)
    for note in notes:
        print(wrap(note))


def run(tmp, only, reps, verbose, static=None, restarts=True, show=True):
    """The log section; (sid ok, its Outcome).  STATIC: the bin directory
    of sid's static build (its own column); RESTARTS: run the restart
    tests too; SHOW: print the section's table."""
    cols = [SidLog(tmp)]
    if static:
        cols.append(static_variant(SidLog, tmp, static))
    cols += [S6Log(tmp), Svlogd(tmp), Multilog(tmp), Cat(tmp)]
    for c in cols:
        if only and c.suite not in only and c.key != "cat":
            c.available, c.skipped = False, True
    results = {c.name: {} for c in cols}
    notes = []
    ready = [c for c in cols if c.available]
    then = f", then 2 x {RESTARTS} restarts" if restarts else ""
    print(f"bench: log: {LINES:,} lines x {reps} run(s){then} "
          f"({', '.join(c.name for c in ready)})...",
          file=sys.stderr, flush=True)
    phase_throughput(ready, tmp, reps, results, notes, verbose)
    if restarts:
        phase_restarts(ready, tmp, "line", 0, results, notes, verbose)
        phase_restarts(ready, tmp, "chunk", CHUNK, results, notes, verbose)
    if show:
        report(cols, results, notes, reps)
    return not cols[0].error, Outcome(cols, results, notes)
