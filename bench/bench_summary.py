"""The summary table of bench/bench.py: one row per headline figure, one
column per suite (runit, s6, daemontools, sid, sid's static build), and
sid's value over the best anchor's.  Built from what the sections
measured (benchlib.Outcome); printed last, and written as Markdown with
--markdown FILE.

Python 3.11 standard library only.
"""

import os
import platform
import shlex
import sys

from benchlib import read_text, render, version, wrap

# The columns: (key of the sections' columns, title).  The anchors first.
ANCHORS = [("runit", "runit"), ("s6", "s6"), ("daemontools", "daemontools")]
SIDS = [("sid", "sid"), ("sid-static", "sid static")]
COLUMNS = ANCHORS + SIDS


class Row:
    def __init__(self, section, key, figure, unit, better, scale=1.0,
                 memory=False, runs=None):
        self.section, self.key = section, key
        self.figure, self.unit, self.better = figure, unit, better
        self.scale = scale          # the section's unit -> the row's
        self.memory = memory        # the static build's ratio shown too
        self.runs = runs            # (results key of the count, "what")


ROWS = [
    Row("supervise", "pdirty",
        "idle supervisor + 1 child, Private_Dirty [a]", "kB",
        "lower", memory=True, runs=("mem_n", "readings")),
    Row("tree", "pss_tree", "1000-service tree, PSS [b]", "MiB", "lower",
        memory=True, runs=("pss_tree_n", "trees")),
    Row("tree", "up", "1000 services, start -> all running [c]",
        "s", "lower", scale=1e-3, runs=("up_n", "trees")),
    Row("tree", "stop_all", "1000 services, stop -> tree gone [d]",
        "s", "lower", scale=1e-3, runs=("stop_all_n", "trees")),
    Row("supervise", "respawn", "child's death -> new exec [e]", "ms",
        "lower", runs=("respawn_n", "deaths")),
    Row("supervise", "ctl_exec", "restart command -> new exec [f]", "ms",
        "lower", runs=("ctl_exec_n", "restarts")),
    Row("log", "ts_elps", "logger, 1M lines, timestamps [g]",
        "M lines/s", "higher", runs=("ts_n", "runs")),
    Row("log", "plain_elps", "logger, 1M lines, no timestamps [g]",
        "M lines/s", "higher", runs=("plain_n", "runs")),
]


def num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) \
        else None


def fmt(v, unit):
    if unit == "kB" or v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def value(outcomes, row, key, static_why):
    """(number or None, cell text) of column KEY on ROW."""
    out = outcomes.get(row.section)
    if out is None:
        return None, "not run"
    col = out.column(key)
    if col is None:
        if key == "sid-static":
            return None, "not built" if static_why else "-"
        return None, "-"
    if col.skipped:
        return None, "skipped"
    if not col.available:
        return None, "not installed"
    v = num(out.results[col.name].get(row.key))
    if v is None:
        return None, "error" if col.error else "n/a"
    v *= row.scale
    return v, fmt(v, row.unit)


def runs_text(outcomes, row):
    """How many samples the medians of ROW took ("3 trees"; a range when
    the columns differ)."""
    out = outcomes.get(row.section)
    if out is None:
        return "-"
    ns = sorted({n for col in out.cols
                 for n in [out.results[col.name].get(row.runs[0])]
                 if isinstance(n, int)})
    if not ns:
        return "-"
    what = row.runs[1]
    if ns == [1]:
        return f"1 {what[:-1]}"     # "1 tree"
    n = str(ns[0]) if len(ns) == 1 else f"{ns[0]}-{ns[-1]}"
    return f"{n} {what}"


def ratio(sid, anchors, better):
    if sid is None or not anchors:
        return None
    best = min(anchors) if better == "lower" else max(anchors)
    return sid / best if best else None


def table_rows(outcomes, static_why):
    """The header and rows (lists of strings)."""
    header = ["figure", "unit", "better"] + [t for _, t in COLUMNS] + \
        ["sid / best anchor", "median of"]
    rows = []
    for row in ROWS:
        cells, vals = [], {}
        for key, _ in COLUMNS:
            v, text = value(outcomes, row, key, static_why)
            vals[key] = v
            cells.append(text)
        anchors = [vals[k] for k, _ in ANCHORS if vals[k] is not None]
        r = ratio(vals["sid"], anchors, row.better)
        text = "-" if r is None else f"{r:.2f}"
        if row.memory:
            rs = ratio(vals["sid-static"], anchors, row.better)
            if rs is not None:
                text = (f"{text} " if r is not None else "") + \
                    f"(static {rs:.2f})"
        rows.append([row.figure, row.unit, row.better] + cells +
                    [text, runs_text(outcomes, row)])
    return header, rows


# ---------------------------------------------------------------- text

def machine():
    """Lines describing this machine."""
    model = "unknown CPU"
    try:
        for line in read_text("/proc/cpuinfo").splitlines():
            k, _, v = line.partition(":")
            if k.strip() in ("model name", "Model", "cpu model"):
                model = " ".join(v.split())
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    lib, ver = platform.libc_ver()
    libc = f"{lib} {ver}".strip() or "unknown libc"
    musl = version("musl")
    if musl:
        libc += f" (static column: musl {musl})"
    anchors = [f"{p} {v}" for p in ("runit", "s6", "daemontools")
               for v in [version(p)] if v]
    return [
        f"machine: {usable} CPUs (nproc), {model}",
        f"kernel: {platform.system()} {platform.release()} "
        f"{platform.machine()}; libc: {libc}",
        "anchors: " + (", ".join(anchors) or "none installed (dpkg)"),
    ]


def command():
    exe = os.path.basename(sys.executable) or "python3"
    return shlex.join([exe] + sys.argv)


def run_note(took, busy):
    text = f"The run took {took:.0f} s"
    if busy is not None:
        text += (f"; the CPUs were {100 * busy:.0f}% busy meanwhile (the "
                 f"bench and what it runs included)")
    return text + "."


def legend(outcomes, static_why):
    """The notes under the table, as paragraphs."""
    out = [
        "sid / best anchor: sid's value divided by the best installed "
        "anchor's (runit, s6, daemontools) on that row: the lowest where "
        "lower is better, the highest where higher is better. For the "
        "\"lower\" rows < 1 means sid wins; for the throughput rows > 1 "
        "means sid wins. On the two memory rows, \"(static X)\" is the "
        "same ratio for sid's static build. \"not installed\": the "
        "anchor's programs are not on PATH (the bench installs nothing); "
        "the ratio uses the installed ones only.",
        "sid static: sid built against musl, statically (`make all "
        "CC=musl-gcc LDFLAGS=-static` in a copy of Makefile, cmd/ and "
        "lib/ under the bench's temporary directory)" +
        (f"; not built here: {static_why}." if static_why else "."),
        "[a] Private_Dirty of /proc/PID/smaps_rollup of the supervisor "
        "alone (sid-supervise, s6-supervise, runsv, supervise) with one "
        "`sleep` child, read after os.sync() (freshly written binaries "
        "have dirty page-cache pages that would count).",
        "[b] Sum of Pss of the scanner (sid-svscan, s6-svscan, runsvdir, "
        "svscan) and its 1000 supervisors, not the services' children, "
        "1 s after the last child started.",
        "[c] The 1000 service directories exist before the scanner is "
        "spawned (T0); until the last child's first instruction (each "
        "./run is a small stamp program). svscan scans at its start.",
        "[c], [e], [f]: the child (./run) is bench/stamp.c, the same for "
        "every suite, built with musl-gcc where it is installed (glibc's "
        "start-up probes the CPU before main, a quarter of a millisecond "
        "of cpuid traps on a virtual machine, which would count as the "
        "supervisor's).",
        "[d] sid-svscan: SIGTERM; s6-svscan: `s6-svscanctl -t`; runsvdir: "
        "SIGHUP (its way to take the tree down; SIGTERM would leave the "
        "runsv processes); daemontools: SIGTERM to svscan, then `svc -dx` "
        "on every service (svscan does not stop its tree). Until every "
        "process of the tree (scanner, supervisors, children) has exited.",
        "[e] SIGKILL to the child, until the new child's first "
        "instruction. sid with conf `backoff-initial = 0`; the others as "
        "they are: s6-supervise waits 1 s after every death by design; "
        "runsv and supervise restart a child that lived over 1 s at once.",
        "[f] From spawning the command to the new child's first "
        "instruction: `sid-ctl -w -r`, `sv restart` (returns only after "
        "polling the status), `s6-svc -r -wr`, `svc -t` (returns at "
        "once).",
        "[g] 1,000,000 lines of 100 B through a pipe, rotation every "
        "1,000,000 B, 10 files kept; until the logger has exited after "
        "EOF (every line written, rotated files fsynced). Timestamps: "
        "`sid-log -t`, `s6-log T`, `svlogd -tt`, `multilog t`.",
    ]
    errs = []
    for name, o in outcomes.items():
        for col in o.cols:
            if col.available and col.error:
                errs.append(f"{col.name} ({name}): {col.error}")
    if errs:
        out.append("Errors: " + "; ".join(errs) + ".")
    return out


def print_summary(outcomes, static_why, took, busy):
    header, rows = table_rows(outcomes, static_why)
    print()
    print("== summary ==")
    print()
    for line in machine():
        print(line)
    print(f"command: {command()}")
    print()
    print(render(header, rows))
    print()
    for para in legend(outcomes, static_why) + [run_note(took, busy)]:
        print(wrap(para))


def markdown(outcomes, static_why, took, busy):
    header, rows = table_rows(outcomes, static_why)

    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + \
            " |"

    text = ["# Benchmarks", "",
            "Written by `make bench` (bench/bench.py); the figures are "
            "medians of the counts in the last column.", ""]
    text += [f"- {m}" for m in machine()]
    text += [f"- command: `{command()}`", "", line(header),
             "| " + " | ".join(["---"] * 3 + ["---:"] * (len(header) - 3))
             + " |"]
    text += [line(r) for r in rows]
    text.append("")
    for para in legend(outcomes, static_why) + [run_note(took, busy)]:
        text += [para, ""]
    return "\n".join(text)


def write_markdown(path, outcomes, static_why, took, busy):
    with open(path, "w", encoding="utf-8") as f:
        f.write(markdown(outcomes, static_why, took, busy))
