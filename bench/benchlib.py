"""What the sections of bench/bench.py share: /proc readings, the stamp
child, process bookkeeping and cleanup, and the table printer.

Python 3.11 standard library only.
"""

import os
import select
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAMP_SRC = os.path.join(ROOT, "bench", "stamp.c")

# Every process a section starts, so that the end of the bench (normal,
# exception or Ctrl-C) can stop what is left.
PROCS = []


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


def wrap(text, first="  ", rest="    "):
    return textwrap.fill(" ".join(text.split()), width=79,
                         break_on_hyphens=False,
                         initial_indent=first, subsequent_indent=rest)


def footnote(mark, text):
    return wrap(f"[{mark}] {text}", "  ", "      ")


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


def private_dirty_kb(pid):
    """Private_Dirty of PID in kB (anonymous memory and private copies of
    file pages it wrote to), from /proc/PID/smaps_rollup; None without
    it."""
    try:
        for line in read_text(f"/proc/{pid}/smaps_rollup").splitlines():
            key, _, rest = line.partition(":")
            if key == "Private_Dirty":
                return int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return None


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


def _stat_fields(pid):
    """The fields of /proc/PID/stat after the command name: [0] is the
    state, [1] the ppid, [11] utime, [12] stime."""
    text = read_text(f"/proc/{pid}/stat")
    return text[text.rindex(")") + 2:].split()


def cpu_ms(pid):
    """CPU time of PID in ms, or None: the time on CPU from
    /proc/PID/schedstat (ns), else utime + stime (clock ticks)."""
    try:
        return int(read_text(f"/proc/{pid}/schedstat").split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        pass
    try:
        f = _stat_fields(pid)
        ticks = int(f[11]) + int(f[12])
    except (OSError, ValueError, IndexError):
        return None
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def all_pids():
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []


def children_map():
    """{ppid: [pid, ...]} of every process, from /proc."""
    kids = {}
    for pid in all_pids():
        try:
            ppid = int(_stat_fields(pid)[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(pid)
    return kids


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


def busy_note(busy):
    text = (f"The CPUs were {100 * busy:.0f}% busy during this section "
            f"(the bench itself takes a few %).")
    if busy >= 0.15:
        text += (" Other work competed with it: the timings are noisy "
                 "(-v prints every sample).")
    return wrap(text)


class ExitWatch:
    """The moment each of a set of processes exits (becomes a zombie or
    goes away), whoever its parent: pidfds where the system has them,
    else /proc polled every millisecond."""

    def __init__(self, pids):
        self.left = set(pids)
        self.last_ns = None         # when the last one was seen gone
        self.when = {}              # pid -> when it was seen gone
        self.fds = {}
        if hasattr(os, "pidfd_open"):
            try:
                import resource
                soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
                want = len(self.left) + 256
                if soft < want and (hard == resource.RLIM_INFINITY or
                                    hard >= want):
                    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            except (ImportError, ValueError, OSError):
                pass
            try:
                for pid in list(self.left):
                    try:
                        self.fds[os.pidfd_open(pid)] = pid
                    except ProcessLookupError:
                        self._done(pid, now_ns())
            except OSError:
                self.close()
                self.left = set(pids)

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.fds = {}

    def _done(self, pid, t):
        self.left.discard(pid)
        self.when[pid] = t
        self.last_ns = t

    def _gone(self, pid):
        try:
            return _stat_fields(pid)[0] in ("Z", "X")
        except (OSError, IndexError):
            return True

    def wait(self, timeout):
        """True when every one exited within TIMEOUT seconds."""
        deadline = time.monotonic() + timeout
        if self.fds:
            poller = select.poll()
            for fd in self.fds:
                poller.register(fd, select.POLLIN)
            while self.left:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                for fd, _ in poller.poll(int(left * 1000) + 1):
                    t = now_ns()
                    poller.unregister(fd)
                    self._done(self.fds[fd], t)
            return True
        while self.left:
            for pid in list(self.left):
                if self._gone(pid):
                    self._done(pid, now_ns())
            if not self.left:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.001)
        return True


# ------------------------------------------------------------ processes

def which(prog):
    return shutil.which(prog)


def start(argv, logpath, cwd=None, stdin=subprocess.DEVNULL, stdout=None,
          env=None):
    """Popen ARGV in a new session, stderr (and stdout unless given) to
    LOGPATH; remembered in PROCS."""
    log = open(logpath, "ab")
    try:
        proc = subprocess.Popen(
            argv, cwd=cwd or ROOT, stdin=stdin,
            stdout=log if stdout is None else stdout, stderr=log,
            start_new_session=True, env=env)
    finally:
        log.close()
    proc.logpath = logpath
    PROCS.append(proc)
    return proc


def spawn_wait(argv, errpath, env=None):
    """Run ARGV, its stdout to /dev/null and stderr to ERRPATH;
    (exit status, wall ns, end ns)."""
    with open(os.devnull, "r+b") as null, open(errpath, "wb") as err:
        fa = [(os.POSIX_SPAWN_DUP2, null.fileno(), 0),
              (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
              (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        t0 = now_ns()
        pid = os.posix_spawn(argv[0], argv, env or os.environ,
                             file_actions=fa)
        _, status = os.waitpid(pid, 0)
        t1 = now_ns()
    return os.waitstatus_to_exitcode(status), t1 - t0, t1


def spawn(argv, errpath, env=None):
    """Start ARGV (stdout to /dev/null, stderr to ERRPATH) without
    waiting; its pid.  Reap it with os.waitpid."""
    with open(os.devnull, "r+b") as null, open(errpath, "ab") as err:
        fa = [(os.POSIX_SPAWN_DUP2, null.fileno(), 0),
              (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
              (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        return os.posix_spawn(argv[0], argv, env or os.environ,
                              file_actions=fa)


def stop_proc(proc, sig=signal.SIGTERM, timeout=3.0):
    """SIG, then SIGKILL, to a Popen that still runs."""
    if proc.poll() is not None:
        return
    for s in (sig, signal.SIGKILL):
        try:
            proc.send_signal(s)
            proc.wait(timeout=timeout)
            return
        except (OSError, subprocess.TimeoutExpired):
            pass


def sweep(tmp):
    """Kill whatever still runs in TMP (every process the bench starts
    has its cwd there), then any process of PROCS still alive; the
    number killed."""
    real = os.path.realpath(tmp)
    killed = 0
    for _ in range(3):
        found = False
        for pid in all_pids():
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
    for proc in PROCS:
        if proc.poll() is None:
            killed += 1
            try:
                proc.kill()
                proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                pass
    return killed


# ---------------------------------------------------------------- stamp

def build_stamp(tmp, static=True, name="stamp"):
    """Compile bench/stamp.c into TMP/NAME, statically when asked and the
    toolchain can, with musl-gcc where it is installed: glibc's start-up
    probes the CPU before main (dozens of cpuid, each a trap on a virtual
    machine: a quarter of a millisecond here), which would be counted in
    every suite's latency as if the supervisor took it.  Returns (path,
    how)."""
    out = os.path.join(tmp, name)
    ccs = [c for c in ("musl-gcc",) if shutil.which(c)]
    ccs.append(os.environ.get("CC") or "cc")
    errors = ""
    links = [(["-static"], "static")] if static else []
    for cc in ccs:
        base = [cc, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-O2", "-o",
                out, STAMP_SRC]
        for extra, how in links + [([], "dynamic")]:
            try:
                r = subprocess.run(base + extra, stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True,
                                   timeout=60)
            except (OSError, subprocess.TimeoutExpired) as e:
                errors = str(e)
                break
            if r.returncode == 0 and runs(out):
                libc = "musl" if cc == "musl-gcc" else "the C library of cc"
                return out, f"{how}, {libc}"
            errors = r.stderr.strip()
    prebuilt = os.path.join(ROOT, "bench", "stamp")
    if os.access(prebuilt, os.X_OK):
        return prebuilt, "prebuilt bench/stamp"
    raise BenchError(f"unable to compile {STAMP_SRC}: {errors}")


def runs(program):
    """Whether PROGRAM starts here (a musl binary needs musl's loader): run
    with a fresh directory, it stamps and then waits for a signal."""
    with tempfile.TemporaryDirectory() as d:
        try:
            p = subprocess.Popen([program], cwd=d, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        except OSError:
            return False
        log = os.path.join(d, "stamp.log")
        ok = wait_until(lambda: os.path.exists(log) and
                        os.path.getsize(log) > 0, 5.0, proc=p)
        p.kill()
        p.wait()
        return ok


def build_static(tmp):
    """sid built statically against musl from a copy of the sources (the
    Makefile, cmd/ and lib/, without objects) in TMP/static: never in the
    tree, whose objects stay as they are.  (bindir, None), or (None, why)
    when musl-gcc is missing or the build fails."""
    if not shutil.which("musl-gcc"):
        return None, "no musl-gcc on PATH (Debian: musl-tools)"
    src = os.path.join(tmp, "static")
    os.mkdir(src)
    shutil.copy(os.path.join(ROOT, "Makefile"), src)
    skip = shutil.ignore_patterns("*.o", "*.a")
    for sub in ("cmd", "lib"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(src, sub),
                        ignore=skip)
    argv = ["make", "-C", src, f"-j{os.cpu_count() or 1}", "all",
            "CC=musl-gcc", "LDFLAGS=-static"]
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"`make all CC=musl-gcc LDFLAGS=-static`: {e}"
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["failed"])[-1]
        return None, f"`make all CC=musl-gcc LDFLAGS=-static`: {last}"
    return src, None


def static_variant(cls, tmp, bindir, **kw):
    """An instance of the sid column CLS that runs the static build in
    BINDIR: its own column ("... (static)", key sid-static), suite sid."""
    variant = type(cls.__name__ + "Static", (cls,), {
        "name": cls.name + " (static)", "key": "sid-static",
        "suite": "sid", "bindir": bindir})
    return variant(tmp, **kw)


def make_service(path, run):
    """A service directory PATH whose run is RUN: bytes (a script), or
    the path of a program (copied, or symlinked when link is wanted:
    see make_linked_service)."""
    os.mkdir(path)
    runpath = os.path.join(path, "run")
    if isinstance(run, bytes):
        with open(runpath, "wb") as f:
            f.write(run)
    else:
        shutil.copyfile(run, runpath)
    os.chmod(runpath, 0o755)


def make_linked_service(path, program, fifo=None):
    """A service directory PATH whose run is a symlink to PROGRAM (one
    binary for a thousand services) and, with FIFO, whose stamp.fifo is
    a symlink to that shared FIFO."""
    os.mkdir(path)
    os.symlink(program, os.path.join(path, "run"))
    if fifo:
        os.symlink(fifo, os.path.join(path, "stamp.fifo"))


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
    """The bench's end of a stamp FIFO: lines "PID NS".  One per service
    (next: the stamp of a new child), or shared by many (collect: the
    first stamp of every child)."""

    def __init__(self, svcdir=None, path=None):
        path = path or os.path.join(svcdir, "stamp.fifo")
        self.path = path
        os.mkfifo(path, 0o600)
        # Read-write: the writer's open never fails, we never see EOF.
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self.buf = b""
        self.pid = None     # the current child
        self.ns = None      # its stamp
        self.seen = {}      # collect: pid -> first stamp

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _fill(self, timeout):
        """Read what there is, waiting at most TIMEOUT s; True if any."""
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return False
            self.buf += data
            return bool(data)
        return False

    def _lines(self):
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            try:
                pid, ns = (int(x) for x in line.split())
            except ValueError:
                continue
            yield pid, ns

    def next(self, timeout):
        """The stamp of a child other than the current one, or None."""
        deadline = time.monotonic() + timeout
        while True:
            for pid, ns in self._lines():
                if pid != self.pid:
                    self.pid, self.ns = pid, ns
                    return pid, ns
            left = deadline - time.monotonic()
            # Past the deadline, what is already there still counts.
            if not self._fill(left) and left <= 0:
                return None

    def collect(self, count, timeout, alive=None):
        """Read stamps until COUNT distinct children have stamped, or
        TIMEOUT seconds, or ALIVE() is false; True when COUNT reached."""
        deadline = time.monotonic() + timeout
        while True:
            for pid, ns in self._lines():
                self.seen.setdefault(pid, ns)
            if len(self.seen) >= count:
                return True
            left = deadline - time.monotonic()
            if not self._fill(min(left, 0.2)) and (
                    left <= 0 or (alive is not None and not alive())):
                return False


# ---------------------------------------------------------------- tables

class Column:
    """One implementation under test: a column of a table."""

    name = ""           # its column's title
    key = ""            # its results' key: sid, sid-static, s6, runit, ...
    suite = None        # for --only (sid, s6, runit, daemontools): key
    programs = ()       # it runs only when all of them are found
    bindir = ROOT       # where the sid-* programs are

    def __init__(self, tmp):
        self.tmp = tmp
        self.suite = self.suite or self.key
        self.missing = [p for p in self.programs if not self.which(p)]
        self.available = not self.missing
        self.skipped = False
        self.error = None   # why its column shows "error"

    def which(self, prog):
        if prog.startswith("sid-") or "/" in prog:
            path = os.path.join(self.bindir, prog)
            return path if os.access(path, os.X_OK) else None
        return shutil.which(prog)

    def path(self, prog):
        return self.which(prog)


class Outcome:
    """What a section measured, for the summary: its columns, their
    results by column name, its notes."""

    def __init__(self, cols, results, notes):
        self.cols, self.results, self.notes = cols, results, notes

    def column(self, key):
        """The column whose key is KEY (sid, sid-static, s6, ...), or
        None."""
        return next((c for c in self.cols if c.key == key), None)


def cell(col, results, key, fmt):
    """A column's text for the row KEY."""
    if col.skipped:
        return "skipped"
    if not col.available:
        return "not installed"
    if key not in results and col.error:
        return "error"
    value = results.get(key)
    if isinstance(value, str):
        return value
    return fmt(key, value)


def render(header, rows):
    """A table: HEADER and ROWS are lists of strings, the first column
    left-aligned, the others right-aligned; a row None is a blank line."""
    body = [r for r in rows if r is not None]
    widths = [max(len(r[i]) for r in [header] + body)
              for i in range(len(header))]
    lines = []
    for n, r in enumerate([header] + rows):
        if r is None:
            lines.append("")
            continue
        cells = [r[0].ljust(widths[0])] + \
                [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def column_table(cols, results, rows, fmt):
    """The table of COLS (Column) for ROWS [(key, label)] from RESULTS
    {col.key-ish: {row key: value}}; a row (None, label) is a heading."""
    header = ["metric"] + [c.name for c in cols]
    out = []
    for key, label in rows:
        if key is None:
            out.append([label] + [""] * len(cols))
            continue
        out.append([label] + [cell(c, results[c.name], key, fmt)
                              for c in cols])
    return render(header, out)


def version(pkg):
    if not shutil.which("dpkg-query"):
        return None
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 and r.stdout else None


def versions(cols, packages):
    """"Versions: s6 2.11, ..." for the installed packages of COLS."""
    seen = []
    for col in cols:
        pkg = packages.get(col.key)
        if pkg and col.available and pkg not in seen:
            seen.append(pkg)
    vers = [f"{p} {v}" for p in seen for v in [version(p)] if v]
    return wrap("Versions: " + ", ".join(vers) + ".") if vers else None


def status_notes(cols):
    """One line per column not installed or in error."""
    out = []
    for col in cols:
        if col.skipped:
            continue
        if not col.available:
            out.append(wrap(f"{col.name}: not installed (no "
                            f"{' or '.join(col.missing)} on PATH)."))
        elif col.error:
            out.append(wrap(f"{col.name}: error: {col.error}"))
    return out


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "NOT met")
