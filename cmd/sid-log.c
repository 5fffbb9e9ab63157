/*
 * sid-log [-s BYTES] [-n KEEP] [-t] LOGDIR: append stdin to LOGDIR/current,
 * rotate it by size, keep KEEP old files.
 *
 * Throughput comes from doing little per line: one read() of up to
 * 256 KiB, one clock reading and one timestamp per read (formatted anew
 * only when the second changes, else six digits), one write() per read.
 * With -t a line costs a memchr() and two memcpy() into the out buffer,
 * which holds a read's worth of stamped lines (logline_stamped()).
 * Without -t the bytes go out as they came, straight from the input
 * buffer, cut only at the line boundary where a rotation falls.
 * What is left is mostly the kernel's (perf, 1 M lines of 100 B with
 * -t): the file system's write path about half of it, the pipe's read
 * a fifth, and at each rotation the new current (on ext4 without a
 * journal, a create walks past every inode freed in recent minutes).
 *
 * Nothing is lost: a failing write is retried (the pipe fills meanwhile
 * and the writer waits).  A rotation renames current to @TIME.u at once
 * and goes on writing a new current, while a child process fsyncs the
 * .u file and only then renames it to @TIME.s: a crash at any point
 * leaves every line whole under one name or another, and a .u found at
 * start is finished first.  On SIGTERM sid-log finishes the line it is in, reading one byte at a
 * time, so it never takes from the pipe more than whole lines and the
 * next logger on the same pipe goes on exactly after it.
 *
 * Exit codes: 0 at end of input or on SIGTERM, 64 usage, 111 setup failed
 * (another sid-log holds LOGDIR/lock).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "escape.h"
#include "io.h"
#include "logline.h"
#include "msg.h"
#include "proc.h"
#include "parse.h"
#include "selfpipe.h"

#define IN_SIZE		(256 * 1024)
#define OUT_SIZE	(512 * 1024)	/* a read of 100-byte lines, stamped */
#define STAMP_LEN	LOGLINE_STAMP_LEN
#define TAIL_WAIT_MS	5000	/* on SIGTERM: wait this long for a line's end */
#define RETRY_MAX_MS	1000

static const char	*logdir;
static uint64_t		 max_size = 1000000;
static uint64_t		 keep = 10;
static int		 stamps;
static int		 cur = -1;		/* LOGDIR/current */
static uint64_t		 cur_size;		/* of current, written */
static char		 in[IN_SIZE];
static char		 out[OUT_SIZE];
static size_t		 pending;		/* bytes in out[] */
static struct logline	 ll;			/* where lines and files end */
static pid_t		 finisher;		/* finishing .u files */
static struct logline_clock stamp;	/* for the lines of this read */

/* A piece of a read and its stamp always fit in an empty out[]. */
_Static_assert(OUT_SIZE >= IN_SIZE + STAMP_LEN, "OUT_SIZE too small");

#define SYNOPSIS	"sid-log [-s BYTES] [-n KEEP] [-t] [--] LOGDIR"

static void	help(void) __attribute__((noreturn));

static void
help(void)
{
	printf("usage: " SYNOPSIS "\n"
	    "  -s BYTES  rotate current when it reaches BYTES "
	    "(default 1000000)\n"
	    "  -n KEEP   keep KEEP rotated files, delete older ones "
	    "(default 10)\n"
	    "  -t        put an ISO 8601 UTC timestamp before each line\n"
	    "  LOGDIR    the directory of current and the rotated files\n"
	    "  --help    print this and exit\n");
	exit(0);
}

/* A usage error: what was wrong, escaped, and the synopsis; exit 64. */
static void	usage(const char *, const char *) __attribute__((noreturn));

static void
usage(const char *what, const char *arg)
{
	char shown[ESC_SIZE(64)];

	sid_usage(SYNOPSIS, "%s%s", what, esc_text(shown, sizeof shown, arg));
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Write all of BUF to current.  A failure (disk full, EIO) is not an
 * end: warn once, wait a growing delay, and try the rest again.
 */
static void
write_retry(const char *buf, size_t len)
{
	long delay = 10;
	int warned = 0;
	ssize_t n;

	while (len > 0) {
		n = write(cur, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			cur_size += (uint64_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (!warned)
			sid_warn_sys("unable to write %s/current; retrying",
			    logdir);
		warned = 1;
		pause_ms(delay);
		if ((delay *= 2) > RETRY_MAX_MS)
			delay = RETRY_MAX_MS;
	}
	if (warned)
		sid_warn("writing %s/current works again", logdir);
}

static void
flush(void)
{
	write_retry(out, pending);
	pending = 0;
}

/* The timestamp for the lines of this read: never going backwards. */
static void
take_stamp(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	logline_clock_set(&stamp, (int64_t)now.tv_sec, now.tv_nsec);
}

/* io_dir_names filter: "@....s" (finished) or "@....u" (*SUFFIX). */
static int
is_rotated(const char *name, void *suffix)
{
	size_t len = strlen(name);

	return name[0] == '@' && len > 3 && name[len - 2] == '.' &&
	    name[len - 1] == *(char *)suffix;
}

/* The names of the rotated files ending in SUFFIX, oldest first. */
static char **
list_rotated(char suffix, size_t *count)
{
	return io_dir_names(".", is_rotated, &suffix, count);
}

static void
sync_dir(void)
{
	int fd = open(".", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static void
open_current(void)
{
	struct stat st;

	while ((cur = open("current", O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644)) == -1) {
		sid_warn_sys("unable to open %s/current; retrying", logdir);
		pause_ms(RETRY_MAX_MS);
	}
	cur_size = fstat(cur, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/*
 * Finish every @TIME.u: fsync it, then rename it to @TIME.s (a rename
 * that a crash can make durable only after the data), fsync the
 * directory.  Files beyond KEEP are deleted first, oldest first, so a
 * .u that would go at once is never synced.  Runs in a child process,
 * or at start and exit.
 */
static void
finish_rotated(void)
{
	char **done, **todo, name[96];
	size_t ndone, ntodo, drop, i;
	int fd;

	while ((todo = list_rotated('u', &ntodo)) != NULL && ntodo > 0) {
		if ((done = list_rotated('s', &ndone)) == NULL)
			ndone = 0;
		drop = ndone + ntodo > keep ? ndone + ntodo - keep : 0;
		for (i = 0; i < ndone + ntodo; i++) {
			const char *f = i < ndone ? done[i] : todo[i - ndone];

			if (i < drop) {
				if (unlink(f) == -1)
					sid_warn_sys("unable to remove %s/%s",
					    logdir, f);
				continue;
			}
			if (i < ndone)
				continue;
			if ((fd = open(f, O_RDONLY | O_CLOEXEC)) >= 0) {
				while (fsync(fd) == -1 && errno == EINTR)
					;
				close(fd);
			}
			snprintf(name, sizeof name, "%.*s.s",
			    (int)strlen(f) - 2, f);
			if (rename(f, name) == -1)
				sid_warn_sys("unable to rename %s/%s", logdir, f);
		}
		io_free_names(done);
		io_free_names(todo);
		sync_dir();
	}
	io_free_names(todo);
}

/* Run finish_rotated() in a child, unless one is at it already. */
static void
start_finisher(void)
{
	struct sigaction sa;

	if (finisher != 0)
		return;
	if ((finisher = fork()) == -1) {
		finisher = 0;
		finish_rotated();	/* no child: do it here */
		return;
	}
	if (finisher > 0)
		return;
	/* The child ends its work even when the group is told to stop. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	finish_rotated();
	_exit(0);
}

/* The finisher exited: a file renamed since its last look needs another. */
static void
reap_finisher(void)
{
	size_t n = 0;
	char **names;

	while (finisher != 0 && waitpid(finisher, NULL, WNOHANG) == finisher) {
		finisher = 0;
		if ((names = list_rotated('u', &n)) != NULL)
			io_free_names(names);
		if (n > 0)
			start_finisher();
	}
}

/* A name @YYYYMMDDTHHMMSS.uuuuuuZ that no rotated file has yet. */
static void
rotated_name(char *name, size_t size)
{
	struct timespec now;
	char other[96];
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	for (;;) {
		gmtime_r(&now.tv_sec, &tm);
		snprintf(name, size, "@%04d%02d%02dT%02d%02d%02d.%06ldZ.u",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, now.tv_nsec / 1000);
		snprintf(other, sizeof other, "%.*s.s", (int)strlen(name) - 2,
		    name);
		if (access(name, F_OK) == -1 && access(other, F_OK) == -1)
			return;
		/* Same microsecond as the last one: the next name. */
		if ((now.tv_nsec += 1000) >= 1000000000L) {
			now.tv_sec++;
			now.tv_nsec -= 1000000000L;
		}
	}
}

static void
rotate(void)
{
	char name[96];

	flush();
	ll.rotate_asked = 0;
	if (cur_size == 0)
		return;
	rotated_name(name, sizeof name);
	if (rename("current", name) == -1) {
		sid_warn_sys("unable to rename %s/current to %s", logdir, name);
		return;
	}
	close(cur);
	open_current();
	start_finisher();
}

/*
 * Append N <= IN_SIZE bytes of input at P; logline.h says where they are
 * cut.  With -t the stamped lines gather in out[], written when full, at
 * a rotation and at the end; without, each run is written as it is.
 */
static void
process(const char *p, size_t n)
{
	size_t len;
	int stamp_first;

	if (stamps)
		take_stamp();
	while (n > 0) {
		if (logline_due(&ll, cur_size + pending)) {
			rotate();
			continue;
		}
		if (stamps) {
			pending += logline_stamped(&ll, stamp.text, p, n,
			    cur_size + pending, out + pending,
			    OUT_SIZE - pending, &len);
			if (len == 0) {
				flush();	/* out[] full: room for any piece */
				continue;
			}
		} else {
			len = logline_take(&ll, p, n, cur_size, &stamp_first);
			write_retry(p, len);
		}
		p += len;
		n -= len;
	}
	if (logline_due(&ll, cur_size + pending))
		rotate();
	flush();
}

/*
 * Wait up to MS for stdin; 1 when readable.  A signal's handler (the
 * self-pipe's) does not end the wait: SIGCHLD from the finisher or a
 * SIGALRM would otherwise cut the line short.
 */
static int
wait_input(int ms)
{
	struct pollfd pfd = { 0, POLLIN, 0 };
	int64_t deadline = clock_now_ms() + ms, now;
	int n;

	while ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR) {
		if ((now = clock_now_ms()) >= deadline)
			return 0;
		ms = (int)(deadline - now);
	}
	return n > 0;
}

/*
 * SIGTERM: end the line we are in, one byte at a time, so the pipe keeps
 * every byte after it for the next logger.
 */
static void
finish_line(void)
{
	char c;
	ssize_t n;

	while (!ll.at_line_start && wait_input(TAIL_WAIT_MS)) {
		n = read(0, &c, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		process(&c, 1);
	}
}

static void
take_lock(void)
{
	char who[128];
	pid_t holder;

	if (io_lock("lock", &holder) != -1)
		return;
	if (errno != EAGAIN)
		sid_die_sys(111, "unable to lock %s/lock", logdir);
	sid_die(111, "%s is already written by %s", logdir,
	    proc_describe(holder, who, sizeof who));
}

/* Returns the signal fd (selfpipe.h). */
static int
setup(void)
{
	int sigfd;

	if (mkdir(logdir, 0755) == -1 && errno != EEXIST)
		sid_die_sys(111, "unable to create %s", logdir);
	if (chdir(logdir) == -1)
		sid_die_sys(111, "unable to chdir to %s", logdir);
	take_lock();
	if ((sigfd = selfpipe_init()) == -1 || selfpipe_catch(SIGTERM) == -1 ||
	    selfpipe_catch(SIGALRM) == -1 || selfpipe_catch(SIGPIPE) == -1 ||
	    selfpipe_catch(SIGCHLD) == -1)
		sid_die_sys(111, "unable to set up signals");
	finish_rotated();		/* what a crash left half done */
	open_current();
	logline_init(&ll, max_size, stamps);
	logline_clock_init(&stamp);
	return sigfd;
}

/* Returns 1 once SIGTERM came. */
static int
handle_signals(void)
{
	int sig, term = 0;

	while ((sig = selfpipe_read()) != 0) {
		if (sig == SIGTERM)
			term = 1;
		else if (sig == SIGCHLD)
			reap_finisher();
		else if (sig == SIGALRM) {
			ll.rotate_asked = 1;
			if (ll.at_line_start)
				rotate();
		}
	}
	return term;
}

static void
run_loop(int sigfd)
{
	/* stdin first: see selfpipe_pending(). */
	struct pollfd pfd[2] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
	ssize_t n;

	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno != EINTR)
				sid_die_sys(111, "poll");
			continue;	/* revents are stale: poll again */
		}
		/*
		 * A signal that came with the input it preceded must act
		 * before that input is read, without a read() of the signal
		 * fd at each wakeup.  A signalfd (Linux) shows in revents
		 * here: it is listed after stdin, which poll() looks at
		 * first.  With the self-pipe, whose handler may run on the
		 * way out of poll(), selfpipe_pending() knows of it.
		 */
		if ((pfd[1].revents != 0 || selfpipe_pending()) &&
		    handle_signals()) {
			finish_line();
			return;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(0, in, sizeof in);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1)
			sid_die_sys(111, "unable to read stdin");
		if (n == 0) {
			if (!ll.at_line_start)
				process("\n", 1);	/* a last line, ended */
			return;
		}
		process(in, (size_t)n);
	}
}

int
main(int argc, char *argv[])
{
	char opt[3] = "-?";
	int c, sigfd;

	msg_init("sid-log");
	sid_long_options(argc, argv, SYNOPSIS, help);
	opterr = 0;
	while ((c = getopt(argc, argv, ":s:n:t")) != -1) {
		opt[1] = (char)optopt;
		switch (c) {
		case 's':
			if (parse_uint(optarg, 1, UINT64_MAX / 2, &max_size) == -1)
				usage("-s takes a size in bytes, at least 1: ",
				    optarg);
			break;
		case 'n':
			if (parse_uint(optarg, 0, 100000, &keep) == -1)
				usage("-n takes a number of files, 0 to 100000: ",
				    optarg);
			break;
		case 't':
			stamps = 1;
			break;
		case ':':
			usage("a value is needed after ", opt);
		default:
			usage("unknown option ", opt);
		}
	}
	if (argc - optind > 1)
		usage("one LOGDIR only, not also ", argv[optind + 1]);
	if (argc - optind != 1)
		usage("LOGDIR is missing", "");
	logdir = argv[optind];
	sigfd = setup();
	run_loop(sigfd);
	flush();
	while (fsync(cur) == -1 && errno == EINTR)
		;
	while (finisher != 0 && waitpid(finisher, NULL, 0) == -1 &&
	    errno == EINTR)
		;
	finish_rotated();
	return 0;
}
