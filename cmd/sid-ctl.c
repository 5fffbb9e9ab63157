/*
 * sid-ctl: the command line of sid.
 *
 *   sid-ctl [-w] [-v] [-T SECS] -u|-d|-o|-r|-t|-k|-h|-a|-i|-q|-1|-2|-p|-c|-x
 *       SERVICE...
 *   sid-ctl [-v] [-T SECS] VERB SERVICE...	(up, down, restart, ...)
 *   sid-ctl status [-j] [SERVICE...]
 *   sid-ctl wait -u|-d|-R [-T SECS] SERVICE...
 *   sid-ctl history [-n LINES] [-r] SERVICE
 *   sid-ctl log [-n LINES] [-f] SERVICE
 *   sid-ctl scan [-r] [-T SECS]
 *
 * Commands go to supervise/control; state is read from supervise/status.
 * Waiting polls the status file with a deadline, as runit's sv -w does.
 * What is printed (status lines, the table, JSON, history) is lib/show's.
 *
 * Whether a sid-supervise runs is told by its lock on supervise/lock,
 * which any user who can read the directory can test: the status is
 * readable by everyone, the control FIFO only by the supervisor's user.
 *
 * Exit codes: 0 done; 1 did not happen (a wait timed out, a service is
 * failed, a signal could not be sent); 2 no sid-supervise answers; 3 no
 * such service or its conf is invalid; 4 permission denied; 64 usage.
 * Every failure prints one line: on stderr, or with -v and the verbs as
 * the service's result line on stdout ("fail: web: ...").
 */
#include <sys/stat.h>
#include <sys/types.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "escape.h"
#include "fmt.h"
#include "io.h"
#include "msg.h"
#include "proc.h"
#include "show.h"
#include "status.h"
#include "svcheck.h"

#define EXIT_DONE	0
#define EXIT_NOT_DONE	1
#define EXIT_NO_SUPERVISOR 2
#define EXIT_NO_SERVICE	3
#define EXIT_DENIED	4
#define EXIT_USAGE	64
#define STATUS_MAX	4096
#define EVENTS_MAX	(1024 * 1024)

struct service {
	const char	*name;		/* as the user wrote it */
	char		 dir[PATH_MAX];
};

/* What a wait is for. */
enum goal {
	GOAL_NONE,
	GOAL_UP,
	GOAL_RAN,		/* o: up, or already run and ended */
	GOAL_DOWN,
	GOAL_READY,
	GOAL_NEW_PID,		/* up with a pid other than the old one */
	GOAL_PAUSED,
	GOAL_RUNNING,		/* not paused */
	GOAL_GONE,		/* the supervisor exited */
};

static const char help_text[] =
"usage: sid-ctl [-w] [-v] [-T SECS] COMMAND SERVICE...\n"
"       sid-ctl [-w] [-v] [-T SECS] VERB SERVICE...\n"
"       sid-ctl status [-j] [SERVICE...]\n"
"       sid-ctl wait -u|-d|-R [-T SECS] SERVICE...\n"
"       sid-ctl history [-n LINES] [-r] SERVICE\n"
"       sid-ctl log [-n LINES] [-f] SERVICE\n"
"       sid-ctl scan [-r] [-T SECS]\n"
"\n"
"Commands (letters as runit's sv, s6-svc and daemontools' svc take them):\n"
"  -u       up: start it, and restart it when it exits\n"
"  -d       down: stop it\n"
"  -o       once: start it, do not restart it\n"
"  -r       restart it now\n"
"  -t       send TERM to the child\n"
"  -k       send KILL\n"
"  -h       send HUP\n"
"  -a       send ALRM\n"
"  -i       send INT\n"
"  -q       send QUIT\n"
"  -1       send USR1\n"
"  -2       send USR2\n"
"  -p       pause the whole service\n"
"  -c       continue it\n"
"  -x       stop it, then its sid-supervise exits\n"
"Options:\n"
"  -w       wait until the command took effect (up and ready, down, new pid)\n"
"  -v       print one result line per service (ok:, timeout:, fail:); -w\n"
"  -T SECS  bound every wait (default 10)\n"
"  -j       status: one JSON object per service\n"
"  -n N     history, log: the last N lines (default 10)\n"
"  -r       history: raw unix times; scan: restart the changed services\n"
"  -R       wait: until ready (wait -u: up, wait -d: down)\n"
"  -f       log: follow it, across rotations\n"
"  --help   this text\n"
"Verbs, each printing a result line:\n"
"  up down once term kill hup alarm interrupt quit usr1 usr2 pause cont exit\n"
"           send the letter\n"
"  start stop restart\n"
"           -w -u, -w -d, -w -r\n"
"SERVICE: a name under $SID_SCANDIR (default /etc/sid/service), such as web\n"
"or web/log; a path when it begins with / or .; all: every service.\n"
"Exit: 0 done, 1 did not happen, 2 no sid-supervise, 3 no such service or\n"
"invalid conf, 4 permission denied, 64 usage.  See sid-ctl(8), sid(7).\n";

/* A usage error: what was wrong, then the short usage, in one line. */
static void usage(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void
usage(const char *fmt, ...)
{
	va_list ap;

	fputs("sid-ctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; usage: sid-ctl [-w] [-v] [-T SECS] COMMAND SERVICE... "
	    "(sid-ctl --help: all of it)\n", stderr);
	exit(EXIT_USAGE);
}

/*
 * The failure line of a service.  It goes to stderr; with -v and the
 * verbs (SAID set) the first one is kept instead, to stand in the
 * service's result line ("fail: web: ..."): one message per failure.
 */
struct said {
	int	timed_out;	/* the failure was a wait that timed out */
	char	line[4096];
};
static struct said *said;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	char line[sizeof said->line];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (said == NULL)
		sid_error("%s", line);
	else if (said->line[0] == '\0')
		memcpy(said->line, line, sizeof line);
}

/* A wait ran out of time: a result line says "timeout:". */
static void
said_timed_out(void)
{
	if (said != NULL)
		said->timed_out = 1;
}

static const char *
scan_dir(void)
{
	const char *dir = getenv("SID_SCANDIR");

	return dir != NULL && *dir != '\0' ? dir : "/etc/sid/service";
}

/*
 * S escaped for a line meant for people (esc_text).  The result lives
 * in one of SHOWN_SLOTS static buffers, taken in turn, so that many can
 * stand in one printf list.
 */
#define SHOWN_SLOTS	6
static const char *
shown(const char *s)
{
	static char bufs[SHOWN_SLOTS][ESC_SIZE(PATH_MAX)];
	static unsigned next;

	next = (next + 1) % SHOWN_SLOTS;
	return esc_text(bufs[next], sizeof bufs[next], s);
}

/* 0 when PATH is a directory, else -1 with errno set. */
static int
is_dir(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* The line and exit code for a NAME that is no service at PATH. */
static int
no_such(const char *name, const char *path, int err)
{
	if (err == ENOTDIR)
		say("%s: no such service: %s is not a directory", shown(name),
		    shown(path));
	else
		say("%s: no such service: %s: %s", shown(name), shown(path),
		    strerror(err));
	return EXIT_NO_SERVICE;
}

/*
 * NAME as a service directory: a path when it begins with '/' or '.';
 * else the name under the scan directory ("web", "web/log"), or, when
 * there is none there, the path relative to the current directory.
 */
static int
resolve(const char *name, struct service *svc)
{
	int n;

	if (*name == '\0')
		usage("an empty SERVICE name");
	svc->name = name;
	if (name[0] != '/' && name[0] != '.') {
		n = snprintf(svc->dir, sizeof svc->dir, "%s/%s", scan_dir(),
		    name);
		if (n > 0 && (size_t)n < sizeof svc->dir &&
		    is_dir(svc->dir) == 0)
			return EXIT_DONE;
		if (is_dir(name) == -1)
			return no_such(name, svc->dir, is_dir(svc->dir) == -1 ?
			    errno : ENAMETOOLONG);
	}
	n = snprintf(svc->dir, sizeof svc->dir, "%s", name);
	if (n < 0 || (size_t)n >= sizeof svc->dir) {
		say("%s: name too long", shown(name));
		return EXIT_NO_SERVICE;
	}
	if (is_dir(svc->dir) == -1)
		return no_such(name, svc->dir, errno);
	return EXIT_DONE;
}

static void
service_path(const struct service *svc, const char *file, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s/%s", svc->dir, file);
}

/*
 * 0 when SVC's conf and env/ load, else EXIT_NO_SERVICE with a line
 * said: a command that would reload them is not sent.
 */
static int
check_conf(const struct service *svc)
{
	char err[PATH_MAX + 256];

	if (svc_check(svc->dir, svc->dir, NULL, err, sizeof err) == 0)
		return EXIT_DONE;
	say("%s: config_invalid: %s", shown(svc->name), shown(err));
	return EXIT_NO_SERVICE;
}

/*
 * 1 when a sid-supervise runs for SVC, 0 when none does, -1 (errno
 * set) when we cannot tell.  Its lock on supervise/lock tells, and
 * testing a lock needs only read access, so every user who can read
 * the status can tell too: the FIFO is writable by its owner only.
 */
static int
supervised(const struct service *svc)
{
	char path[PATH_MAX + 32];
	pid_t holder;
	int r;

	service_path(svc, "supervise/lock", path, sizeof path);
	if ((r = io_lock_held(path, &holder)) == -1 &&
	    (errno == ENOENT || errno == ENOTDIR))
		return 0;		/* never locked: never supervised */
	return r;
}

/* The line and exit code for a supervised(SVC) of R, which is not 1. */
static int
not_supervised(const struct service *svc, int r)
{
	int err = errno;

	if (r == -1) {
		say("%s: %sunable to read %s/supervise/lock: %s",
		    shown(svc->name), err == EACCES || err == EPERM ?
		    "permission denied: " : "", shown(svc->dir),
		    strerror(err));
		return err == EACCES || err == EPERM ? EXIT_DENIED :
		    EXIT_NO_SUPERVISOR;
	}
	say("%s: no sid-supervise is running for %s", shown(svc->name),
	    shown(svc->dir));
	return EXIT_NO_SUPERVISOR;
}

static int
read_status(const struct service *svc, struct status_info *st)
{
	char path[PATH_MAX + 32], *text;
	size_t len;
	int r;

	service_path(svc, "supervise/status", path, sizeof path);
	if (io_read_file(path, STATUS_MAX, &text, &len) == -1)
		return -1;
	r = status_parse(text, st);
	free(text);
	return r;
}

struct chunk {
	char	*data;
	size_t	 len;
};

/* Read FD from where it stands to its end into a malloc'ed chunk. */
static int
read_all(int fd, struct chunk *c)
{
	size_t cap = 65536;
	ssize_t n;
	char *grown;

	c->len = 0;
	if ((c->data = malloc(cap)) == NULL)
		return -1;
	while ((n = read(fd, c->data + c->len, cap - c->len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		c->len += (size_t)n;
		if (c->len == cap) {
			if ((grown = realloc(c->data, cap *= 2)) == NULL)
				return -1;
			c->data = grown;
		}
	}
	return 0;
}

/*
 * Where supervise/events stood just before a command was sent, so that
 * what sid-supervise appended since can be found again, even after it
 * trimmed the file (a new file that starts with the old one's tail).
 */
struct events_mark {
	int	have;		/* 0: there was no events file */
	dev_t	dev;
	ino_t	ino;
	off_t	size;
	char	last[256];	/* its last line (or that line's end) */
};

static void
events_mark_take(const struct service *svc, struct events_mark *m)
{
	char path[PATH_MAX + 32], *line;
	struct stat st;
	ssize_t n;
	off_t from;
	int fd;

	memset(m, 0, sizeof *m);
	service_path(svc, "supervise/events", path, sizeof path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == 0) {
		m->have = 1;
		m->dev = st.st_dev;
		m->ino = st.st_ino;
		m->size = st.st_size;
		from = st.st_size - (off_t)(sizeof m->last - 1);
		n = pread(fd, m->last, sizeof m->last - 1, from > 0 ? from : 0);
		m->last[n > 0 ? n : 0] = '\0';
		/* Keep the last line only: the newline before it is cut. */
		n = (ssize_t)strlen(m->last);
		while (n > 1 && m->last[n - 2] != '\n')
			n--;
		if (n > 1) {
			line = m->last + n - 1;
			memmove(m->last, line, strlen(line) + 1);
		}
	}
	close(fd);
}

/*
 * The whole lines appended to SVC's events since M, as a malloc'ed
 * string (maybe empty), or NULL when the file cannot be read.
 */
static char *
events_since(const struct service *svc, const struct events_mark *m)
{
	char path[PATH_MAX + 32], *from, *end;
	struct chunk c = { NULL, 0 };
	struct stat st;
	int fd, same;

	service_path(svc, "supervise/events", path, sizeof path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	same = m->have && fstat(fd, &st) == 0 && st.st_dev == m->dev &&
	    st.st_ino == m->ino && st.st_size >= m->size;
	if ((same && lseek(fd, m->size, SEEK_SET) == -1) ||
	    read_all(fd, &c) == -1) {
		close(fd);
		free(c.data);
		return NULL;
	}
	close(fd);
	c.data[c.len] = '\0';		/* read_all leaves room */
	from = c.data;
	if (!same && m->have && m->last[0] != '\0' &&
	    (end = strstr(c.data, m->last)) != NULL)
		from = end + strlen(m->last);
	end = strrchr(from, '\n');	/* a line being written is not yet */
	end = end != NULL ? end + 1 : from;
	memmove(c.data, from, (size_t)(end - from));
	c.data[end - from] = '\0';
	return c.data;
}

/*
 * EXIT_NOT_DONE, with its line said, when TEXT (new events of SVC) tells
 * that sid-supervise could not send a signal: kill(2) failed, and
 * nothing else would say so.
 */
static int
signal_failed(const struct service *svc, char *text)
{
	char *p = strstr(text, "signal_failed:"), *nl;

	if (p == NULL)
		return EXIT_DONE;
	if ((nl = strchr(p, '\n')) != NULL)
		*nl = '\0';
	say("%s: %s", shown(svc->name), shown(p));
	return EXIT_NOT_DONE;
}

/* 1 when TEXT has the events line of control byte CMD. */
static int
has_control(const char *text, char cmd)
{
	char key[16];
	const char *p, *after;

	snprintf(key, sizeof key, "control: %c", cmd);
	/* "control: t", "control: t (no child)", "control: t: why". */
	for (p = text; (p = strstr(p, key)) != NULL; p = after) {
		after = p + strlen(key);
		if (*after == '\n' || *after == ':' ||
		    (after[0] == ' ' && after[1] == '('))
			return 1;
	}
	return 0;
}

/*
 * A wait: what for, and what the service was when the command was sent
 * (for -w), so that a new instance can be told from the old one.
 */
struct wait {
	enum goal		 goal;
	int			 after_command;	/* -w: a command was sent */
	long			 old_pid;
	unsigned long		 old_attempt;
	int			 old_running;	/* starting or up then */
	int64_t			 sent_ms;	/* wall time it was sent */
	const struct events_mark *mark;		/* events before it, or NULL */
};

/* 1 when ST (a status read since W's command) has GOAL. */
static int
reached(const struct status_info *st, const struct wait *w)
{
	switch (w->goal) {
	case GOAL_UP:
		/* After -u, readiness too, where it is configured. */
		return strcmp(st->state, "up") == 0 && (!w->after_command ||
		    strcmp(st->ready, "no") != 0);
	case GOAL_RAN:
		return strcmp(st->state, "up") == 0 ||
		    (strcmp(st->state, "down") == 0 &&
		    st->since_ms >= w->sent_ms &&
		    strcmp(st->last_exit, "none") != 0);
	case GOAL_DOWN:
		return strcmp(st->state, "down") == 0 ||
		    strcmp(st->state, "failed") == 0;
	case GOAL_READY:
		return strcmp(st->state, "up") == 0 &&
		    strcmp(st->ready, "no") != 0;
	case GOAL_NEW_PID:
		return strcmp(st->state, "up") == 0 && st->pid != w->old_pid &&
		    strcmp(st->ready, "no") != 0;
	case GOAL_PAUSED:
		return st->paused;
	case GOAL_RUNNING:
		return !st->paused;
	case GOAL_NONE:
	case GOAL_GONE:
		break;
	}
	return 1;
}

/*
 * 1 when the instance that -u or -r waits for has already ended: ST
 * shows no instance running, and one started since the command (the
 * attempt counter moved), or the one that was starting then is gone.
 * Also 1 when it came up but missed its ready-timeout.
 */
static int
ended_early(const struct status_info *st, const struct wait *w)
{
	int running = strcmp(st->state, "starting") == 0 ||
	    strcmp(st->state, "up") == 0;

	if (!w->after_command || (w->goal != GOAL_UP &&
	    w->goal != GOAL_NEW_PID))
		return 0;
	if (strcmp(st->state, "up") == 0 && strcmp(st->ready, "no") == 0)
		return 1;
	/* A second start since the command: the first one has ended. */
	if (st->attempt > w->old_attempt + 1)
		return 1;
	if (running || st->since_ms < w->sent_ms ||
	    strcmp(st->state, "stopping") == 0)
		return 0;
	return st->attempt > w->old_attempt ||
	    (w->goal == GOAL_UP && w->old_running);
}

/*
 * Whether the instance PID, up without a readiness signal, has settled:
 * it waits (sleeps in the kernel, or is stopped) rather than runs, so a
 * run that exits at once is not taken for up; or it has lived
 * SETTLE_MAX_MS.
 * Where /proc cannot tell, only the time counts (SETTLE_FALLBACK_MS).
 */
#define SETTLE_MAX_MS		1000
#define SETTLE_FALLBACK_MS	100
static int
settled(const struct status_info *st)
{
	int64_t age = clock_wall_ms() - st->since_ms;
	struct proc_info info;

	if (age >= SETTLE_MAX_MS)
		return 1;
	if (proc_read_info((pid_t)st->pid, &info) == -1)
		return access("/proc/self/stat", F_OK) != 0 &&
		    age >= SETTLE_FALLBACK_MS && kill((pid_t)st->pid, 0) == 0;
	return info.state == 'S' || info.state == 'T' || info.state == 't' ||
	    st->paused;
}

static void
pause_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Pause up to MS, or until something changes in DIR/supervise (status
 * and pid are replaced by rename, events appended to), where the system
 * can tell (inotify): a wait ends as soon as its answer is written,
 * however long the pause between looks.  A change that came between
 * the last look and the watch is seen at the end of the pause.
 */
static void
pause_for(const char *dir, int64_t ms)
{
#ifdef __linux__
	static int fd = -2;
	struct pollfd pfd;
	char path[PATH_MAX + 16], buf[512];

	if (fd == -2)
		fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd >= 0 && (size_t)snprintf(path, sizeof path, "%s/supervise",
	    dir) < sizeof path && inotify_add_watch(fd, path, IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE) >= 0) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)ms) > 0)
			while (read(fd, buf, sizeof buf) > 0)
				;
		return;
	}
#endif
	pause_ms(ms);
}

/*
 * The pause before the next look at a file we wait on, STARTED ms after
 * the wait began: 1 ms at first, so a quick answer is seen at once, then
 * growing to 20 ms, so a long wait costs little.
 */
static int64_t
poll_step(int64_t started)
{
	int64_t waited = clock_now_ms() - started;

	return waited < 200 ? 1 : waited < 1000 ? 5 : 20;
}

/*
 * After a command with a signal in it (t k h a i q 1 2 p c), wait until
 * sid-supervise has recorded CMD, the last byte sent, in its events
 * (appended since M), so that a kill(2) that failed (signal_failed) is
 * told: exit 1 with its line.
 */
static int
wait_recorded(const struct service *svc, const struct events_mark *m,
    char cmd, int64_t deadline)
{
	int64_t started = clock_now_ms();
	char *text;
	int r;

	for (;;) {
		if ((text = events_since(svc, m)) != NULL) {
			if ((r = signal_failed(svc, text)) == EXIT_DONE &&
			    !has_control(text, cmd))
				r = -1;
			free(text);
			if (r != -1)
				return r;
		}
		if ((r = supervised(svc)) != 1)
			return not_supervised(svc, r);
		if (clock_now_ms() >= deadline)
			break;
		pause_for(svc->dir, poll_step(started));
	}
	said_timed_out();
	say("%s: timed out: sid-supervise has not recorded %c in "
	    "%s/supervise/events", shown(svc->name), cmd, shown(svc->dir));
	return EXIT_NOT_DONE;
}

/* EXIT_DONE, or what a signal_failed in SVC's events since M says. */
static int
no_signal_failed(const struct service *svc, const struct events_mark *m)
{
	char *text;
	int r = EXIT_DONE;

	if (m != NULL && (text = events_since(svc, m)) != NULL) {
		r = signal_failed(svc, text);
		free(text);
	}
	return r;
}

/* The line and exit code for ended_early(ST): the instance is gone. */
static int
ended_line(const struct service *svc, const struct status_info *st)
{
	if (strcmp(st->state, "up") == 0 && strcmp(st->ready, "no") == 0 &&
	    st->error[0] != '\0')
		say("%s: up but not ready: %s", shown(svc->name),
		    shown(st->error));
	else if (st->error[0] != '\0')
		say("%s: ended before it was up: %s: %s",
		    shown(svc->name), shown(st->last_exit), shown(st->error));
	else
		say("%s: ended before it was up: %s, state is %s",
		    shown(svc->name), shown(st->last_exit), shown(st->state));
	return EXIT_NOT_DONE;
}

/*
 * Poll SVC's status until W's goal or DEADLINE (monotonic ms).  A
 * sid-supervise not running yet is waited for.  A state=failed ends the
 * wait at once (nothing will change by itself): for a command, one that
 * began after it was sent.  After -u and -r, so does the end of the new
 * instance before it is up (and ready, where configured), and a
 * signal_failed in the events appended since the command.
 */
static int
wait_goal(const struct service *svc, const struct wait *w, int64_t deadline)
{
	struct status_info st;
	int64_t started = clock_now_ms();
	int r, have = 0;

	for (;;) {
		if ((r = no_signal_failed(svc, w->mark)) != EXIT_DONE)
			return r;
		r = supervised(svc);
		if (w->goal == GOAL_GONE) {
			if (r == 0)
				return EXIT_DONE;
			if (r == -1)
				return not_supervised(svc, r);
		} else if (r == -1) {
			return not_supervised(svc, r);
		} else if (r == 1 && (have = read_status(svc, &st) == 0)) {
			if (ended_early(&st, w))
				return ended_line(svc, &st);
			if (reached(&st, w) && (!w->after_command ||
			    (w->goal != GOAL_UP && w->goal != GOAL_NEW_PID) ||
			    strcmp(st.ready, "n/a") != 0 || settled(&st)))
				return EXIT_DONE;
			if (w->after_command && w->goal == GOAL_PAUSED &&
			    st.pid == 0) {
				say("%s: no child to pause",
				    shown(svc->name));
				return EXIT_NOT_DONE;
			}
			if (strcmp(st.state, "failed") == 0 &&
			    st.since_ms >= w->sent_ms) {
				/* A result line says fail: already. */
				say("%s: %s%s", shown(svc->name), said != NULL ?
				    "" : "failed: ", shown(st.error));
				return EXIT_NOT_DONE;
			}
		}
		if (clock_now_ms() >= deadline)
			break;
		pause_for(svc->dir, poll_step(started));
	}
	if (w->goal != GOAL_GONE && supervised(svc) == 0)
		return not_supervised(svc, 0);
	said_timed_out();
	if (w->goal == GOAL_GONE || !have)
		say("%s: timed out", shown(svc->name));
	else
		say("%s: timed out, state is %s%s%s", shown(svc->name),
		    shown(st.state), st.error[0] != '\0' ? ": " : "",
		    shown(st.error));
	return EXIT_NOT_DONE;
}

static int64_t
parse_timeout(const char *s)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(s, &end);
	/* Written so that NaN fails too: every comparison with it is false. */
	if (errno != 0 || end == s || *end != '\0' ||
	    !(secs >= 0 && secs <= 86400 * 30)) {
		usage("-T takes a number of seconds, not %s", shown(s));
	}
	return (int64_t)(secs * 1000);
}

static enum goal
goal_of(char cmd)
{
	switch (cmd) {
	case 'u': return GOAL_UP;
	case 'o': return GOAL_RAN;
	case 'd': return GOAL_DOWN;
	case 'r': return GOAL_NEW_PID;
	case 'p': return GOAL_PAUSED;
	case 'c': return GOAL_RUNNING;
	case 'x': return GOAL_GONE;
	default: return GOAL_NONE;
	}
}

/*
 * The line and exit code for a failed write of a command to the FIFO
 * PATH of SVC (errno set): nobody reads it, or we may not write it.
 */
static int
send_failed(const struct service *svc, const char *path)
{
	int err = errno;
	struct stat st;

	if ((err == EACCES || err == EPERM) && stat(path, &st) == 0) {
		say("%s: permission denied: %s is writable by uid %ld "
		    "only (mode %04o), not by uid %ld", shown(svc->name),
		    shown(path), (long)st.st_uid,
		    (unsigned)(st.st_mode & 07777), (long)geteuid());
		return EXIT_DENIED;
	}
	if (err == EACCES || err == EPERM) {
		say("%s: permission denied: %s: %s", shown(svc->name),
		    shown(path), strerror(err));
		return EXIT_DENIED;
	}
	if (err == ENXIO || err == ENOENT)
		return not_supervised(svc, 0);
	say("%s: unable to write %s: %s", shown(svc->name),
	    shown(path), strerror(err));
	return EXIT_NO_SUPERVISOR;
}

/* The commands that send a signal, told only through events. */
#define SIGNAL_CMDS	"tkhaiq12pc"

/*
 * Send CMDS to SVC's FIFO PATH, noting in W what the service was just
 * before.  With WAIT, a sid-supervise that is not there yet (no reader
 * on the FIFO) is waited for until DEADLINE.
 */
static int
send_cmds(const struct service *svc, const char *path, const char *cmds,
    int wait, int64_t deadline, struct wait *w)
{
	int64_t started = clock_now_ms();
	struct status_info st;

	for (;;) {
		if (read_status(svc, &st) == 0) {
			w->old_pid = st.pid;
			w->old_attempt = st.attempt;
			w->old_running = strcmp(st.state, "starting") == 0 ||
			    strcmp(st.state, "up") == 0;
		}
		w->sent_ms = clock_wall_ms();
		if (ctl_send(path, cmds, strlen(cmds)) == 0)
			return EXIT_DONE;
		if (!wait || (errno != ENXIO && errno != ENOENT) ||
		    clock_now_ms() >= deadline)
			return send_failed(svc, path);
		pause_ms(poll_step(started));
	}
}

/* A command to one service, from its sending to the end of its wait. */
struct job {
	struct service		svc;
	struct events_mark	mark;	/* events before it was sent */
	struct wait		w;
	struct said		said;	/* its failure line, with -v */
	int			r;	/* its exit code so far */
};

/* Check J's conf where CMDS would reload it, and send them. */
static int
job_send(struct job *j, const char *cmds, int wait, int64_t deadline)
{
	char path[PATH_MAX + 32];
	int r;

	if (strpbrk(cmds, "uor") != NULL && (r = check_conf(&j->svc)) != 0)
		return r;
	events_mark_take(&j->svc, &j->mark);
	j->w.after_command = 1;
	j->w.mark = &j->mark;
	service_path(&j->svc, "supervise/control", path, sizeof path);
	return send_cmds(&j->svc, path, cmds, wait, deadline, &j->w);
}

/*
 * After J's CMDS went out: a signal, or any command with a result line
 * (RECORDED), waits until sid-supervise recorded it, so that the line
 * shows the state after it (sid-supervise writes the status before the
 * events); with WAIT, the effect of the last command is waited for.
 */
static int
job_wait(struct job *j, const char *cmds, int wait, int recorded,
    int64_t deadline)
{
	char last = cmds[strlen(cmds) - 1];
	int r;

	if ((recorded || strpbrk(cmds, SIGNAL_CMDS) != NULL) &&
	    (r = wait_recorded(&j->svc, &j->mark, last, deadline)) != 0)
		return r;
	j->w.goal = wait ? goal_of(last) : GOAL_NONE;
	if (j->w.goal == GOAL_NONE)
		return EXIT_DONE;
	/* Status has a millisecond grain: a failure in the same ms counts. */
	j->w.sent_ms--;
	return wait_goal(&j->svc, &j->w, deadline);
}

static int colour;	/* colour the state word: stdout is a terminal */

/* What lib/show needs beside SVC's status: its down file. */
static struct show_facts
facts_of(const struct service *svc)
{
	char path[PATH_MAX + 32];
	struct show_facts f;

	service_path(svc, "down", path, sizeof path);
	f.has_down = access(path, F_OK) == 0;
	f.colour = colour;
	return f;
}

/* PREFIX and SVC's status line on stdout; -1 when it has no status. */
static int
print_line(const char *prefix, const struct service *svc)
{
	static char buf[SHOW_SIZE];
	struct show_facts f = facts_of(svc);
	struct status_info st;

	if (supervised(svc) == -1 || read_status(svc, &st) == -1)
		return -1;
	show_line(buf, sizeof buf, svc->name, &st, &f, clock_wall_ms());
	printf("%s%s", prefix, buf);
	return 0;
}

/*
 * The result line of job J, in runit's
 * words: "ok: " or "timeout: " and its status line, or "fail: " and
 * what went wrong.
 */
static void
print_result(const struct job *j)
{
	const struct said *sd = &j->said;

	if (j->r == EXIT_DONE && print_line("ok: ", &j->svc) == 0)
		return;
	if (j->r == EXIT_DONE)
		printf("ok: %s\n", shown(j->svc.name));
	else if (!sd->timed_out || print_line("timeout: ", &j->svc) == -1)
		printf("%s: %s\n", sd->timed_out ? "timeout" : "fail",
		    sd->line[0] != '\0' ? sd->line : shown(j->svc.name));
	fflush(stdout);
}

/* A list of service names, each malloc'ed. */
struct names {
	char	**v;
	size_t	  n, cap;
};

static void
names_add(struct names *l, const char *name)
{
	char **grown;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((grown = realloc(l->v, l->cap * sizeof *grown)) == NULL)
			sid_die_sys(111, "out of memory");
		l->v = grown;
	}
	if ((l->v[l->n++] = strdup(name)) == NULL)
		sid_die_sys(111, "out of memory");
}

static void
names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* io_dir_names filter: a service entry of the scan directory DIR. */
static int
is_service(const char *name, void *dir)
{
	char path[PATH_MAX];

	return name[0] != '.' && snprintf(path, sizeof path, "%s/%s",
	    (const char *)dir, name) < (int)sizeof path && is_dir(path) == 0;
}

/* Where the loggers ("web/log") go in a list of every service. */
enum order {
	LOGGERS_FIRST,		/* on the way up */
	LOGGERS_LAST,		/* on the way down: their last lines land */
	LOGGERS_BESIDE,		/* each after its service: the table */
};

/* NAME's logger into L when the scan directory DIR has one. */
static void
add_logger(struct names *l, const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof path, "%s/%s/log", dir, name) <
	    (int)sizeof path && is_dir(path) == 0) {
		snprintf(path, sizeof path, "%s/log", name);
		names_add(l, path);
	}
}

/*
 * Every service of the scan directory into L, by name, and the loggers
 * in ORDER.  -1 when the directory cannot be read, said.
 */
static int
add_all(struct names *l, enum order order)
{
	const char *dir = scan_dir();
	char **names;
	size_t n, i;

	if ((names = io_dir_names(dir, is_service, (void *)dir, &n)) == NULL) {
		say("unable to read the scan directory %s: %s",
		    shown(dir), strerror(errno));
		return -1;
	}
	for (i = 0; i < n && order == LOGGERS_FIRST; i++)
		add_logger(l, dir, names[i]);
	for (i = 0; i < n; i++) {
		names_add(l, names[i]);
		if (order == LOGGERS_BESIDE)
			add_logger(l, dir, names[i]);
	}
	for (i = 0; i < n && order == LOGGERS_LAST; i++)
		add_logger(l, dir, names[i]);
	io_free_names(names);
	return 0;
}

/* ARGV's names into L, "all" for every service; -1 as add_all. */
static int
expand(struct names *l, int argc, char *argv[], enum order order)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "all") == 0) {
			if (add_all(l, order) == -1)
				return -1;
		} else
			names_add(l, argv[i]);
	return 0;
}

/* How a command is carried out, from the options and the verb. */
struct run {
	int	wait;		/* -w: wait for its effect */
	int	verbose;	/* -v, verbs: a result line per service */
	int64_t	timeout;	/* -T, ms */
};

static int
is_logger(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && strcmp(name + len - 4, "/log") == 0;
}

/*
 * Send CMDS to the services of ARGV and return the worst exit code;
 * with RUN's verbose a result line for each.  The commands go out to
 * all of them before any is waited for, so that they take effect side
 * by side within the one -T, as runit's sv does; but on the way down
 * (d, x) with a wait, loggers that follow services go out only once
 * those are down, so their last lines land.
 */
static int
run_commands(const char *cmds, const struct run *run, int argc, char *argv[])
{
	int64_t deadline = clock_now_ms() + run->timeout;
	int down = strpbrk(cmds, "dx") != NULL;
	struct names l = { NULL, 0, 0 };
	struct said all_said = { 0, "" };
	struct job *jobs;
	size_t from, to, i;
	int worst = EXIT_DONE;

	said = run->verbose ? &all_said : NULL;
	if (expand(&l, argc, argv, down ? LOGGERS_LAST : LOGGERS_FIRST) ==
	    -1) {
		if (run->verbose)
			printf("fail: %s\n", all_said.line);
		names_free(&l);
		said = NULL;
		return EXIT_NO_SERVICE;
	}
	if ((jobs = calloc(l.n ? l.n : 1, sizeof *jobs)) == NULL)
		sid_die_sys(111, "out of memory");
	for (from = 0; from < l.n; from = to) {
		for (to = from + 1; to < l.n; to++)
			if (down && run->wait && is_logger(l.v[to]) &&
			    !is_logger(l.v[to - 1]))
				break;
		for (i = from; i < to; i++) {
			said = run->verbose ? &jobs[i].said : NULL;
			if ((jobs[i].r = resolve(l.v[i], &jobs[i].svc)) == 0)
				jobs[i].r = job_send(&jobs[i], cmds, run->wait,
				    deadline);
		}
		for (i = from; i < to; i++) {
			said = run->verbose ? &jobs[i].said : NULL;
			if (jobs[i].r == EXIT_DONE)
				jobs[i].r = job_wait(&jobs[i], cmds, run->wait,
				    run->verbose, deadline);
			if (run->verbose)
				print_result(&jobs[i]);
			if (jobs[i].r > worst)
				worst = jobs[i].r;
		}
	}
	said = NULL;
	free(jobs);
	names_free(&l);
	return worst;
}

/*
 * Words that stand for a command, as runit's sv takes them: each sends
 * its letter and returns once sid-supervise has taken it; start, stop
 * and restart wait for the effect too, as -w does.
 */
static const struct verb {
	const char	*word;
	char		 cmd;
	int		 wait;
} verbs[] = {
	{ "up", 'u', 0 }, { "down", 'd', 0 }, { "once", 'o', 0 },
	{ "term", 't', 0 }, { "kill", 'k', 0 }, { "hup", 'h', 0 },
	{ "alarm", 'a', 0 }, { "interrupt", 'i', 0 }, { "quit", 'q', 0 },
	{ "usr1", '1', 0 }, { "usr2", '2', 0 }, { "pause", 'p', 0 },
	{ "cont", 'c', 0 }, { "exit", 'x', 0 },
	{ "start", 'u', 1 }, { "stop", 'd', 1 }, { "restart", 'r', 1 },
};

static const struct verb *
find_verb(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].word, word) == 0)
			return &verbs[i];
	return NULL;
}

static int	cmd_status(int, char *[], struct run *);
static int	cmd_wait(int, char *[], struct run *);
static int	cmd_history(int, char *[], struct run *);
static int	cmd_log(int, char *[], struct run *);
static int	cmd_scan(int, char *[], struct run *);

/* The commands that are words of their own, with their options. */
static const struct command {
	const char	*word;
	int		(*run)(int argc, char *argv[], struct run *run);
} commands[] = {
	{ "status", cmd_status }, { "wait", cmd_wait },
	{ "history", cmd_history }, { "log", cmd_log }, { "scan", cmd_scan },
};

static const struct command *
find_command(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].word, word) == 0)
			return &commands[i];
	return NULL;
}

/* The first word of ARGV that names a command or a verb, or NULL. */
static const char *
command_word(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc; i++)
		if (find_verb(argv[i]) != NULL || find_command(argv[i]) != NULL)
			return argv[i];
	return NULL;
}

/*
 * The usage error of getopt's '?' for CMD (NULL: none) with OPTSTRING:
 * an unknown option, or one without its value, named.
 */
static void
bad_option(const char *cmd, const char *optstring, int argc, char *argv[])
{
	const char *word = cmd == NULL ? command_word(argc, argv) : NULL;
	char opt[3] = { '-', (char)optopt, '\0' };
	const char *o = shown(opt);
	int i;

	/* "--bogus": getopt saw '-' as the letter; name the whole word. */
	for (i = 1; optopt == '-' && i < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			o = shown(argv[i]);
			break;
		}

	if (optopt != ':' && strchr(optstring, optopt) != NULL)
		usage("%s%s%s needs a value", cmd ? cmd : "", cmd ? ": " : "",
		    o);
	if (word != NULL)
		usage("unknown option %s before %s", o, word);
	usage("%s%sunknown option %s", cmd ? cmd : "", cmd ? ": " : "", o);
}

static int
cmd_control(int argc, char *argv[], struct run *run)
{
	static const char optstring[] = "wvT:udortkhaiq12pcx";
	char cmds[64] = "";
	size_t n = 0;
	int c, sig;

	while ((c = getopt(argc, argv, optstring)) != -1) {
		if (c == 'w')
			run->wait = 1;
		else if (c == 'v')
			run->verbose = run->wait = 1;
		else if (c == 'T')
			run->timeout = parse_timeout(optarg);
		else if (c == '?' ||
		    ctl_parse((unsigned char)c, &sig) == CTL_UNKNOWN)
			bad_option(NULL, optstring, argc, argv);
		else if (n + 1 >= sizeof cmds)
			usage("more than %zu commands", sizeof cmds - 1);
		else
			cmds[n++] = (char)c;
	}
	if (n == 0)
		usage("no command");
	if (optind == argc)
		usage("no service after -%s", cmds);
	return run_commands(cmds, run, argc - optind, argv + optind);
}

/* A verb: its letter, then a result line per service. */
static int
cmd_verb(const struct verb *v, int argc, char *argv[], struct run *run)
{
	static const char optstring[] = "wvT:";
	char cmds[2] = { v->cmd, '\0' };
	int c;

	while ((c = getopt(argc, argv, optstring)) != -1) {
		if (c == 'w' || c == 'v')
			run->wait = 1;
		else if (c == 'T')
			run->timeout = parse_timeout(optarg);
		else
			bad_option(v->word, optstring, argc, argv);
	}
	if (optind == argc)
		usage("%s: no service", v->word);
	run->wait |= v->wait;
	run->verbose = 1;
	return run_commands(cmds, run, argc - optind, argv + optind);
}

/*
 * SVC's status: a line for people or a JSON object.  NAMED: the user
 * asked for it, and a failed one makes the exit code (1, or 3 for an
 * invalid conf) without a second line: the status line says why.
 */
static int
status_one(const struct service *svc, int json, int named)
{
	static char buf[SHOW_SIZE];
	struct show_facts f = facts_of(svc);
	struct status_info st;
	int r, err;

	if ((r = supervised(svc)) != 1) {
		if (named)
			return not_supervised(svc, r);
		show_json(buf, sizeof buf, svc->name, NULL, r == 0 ?
		    "unsupervised" : "unreadable");
		fputs(buf, stdout);
		return EXIT_DONE;
	}
	if (read_status(svc, &st) == -1) {
		err = errno;
		if (!named) {
			/* Locked, but no status yet: it is just starting. */
			show_json(buf, sizeof buf, svc->name, NULL,
			    err == EACCES ? "unreadable" : "unknown");
			fputs(buf, stdout);
			return EXIT_DONE;
		}
		say("%s: %sunable to read %s/supervise/status: %s",
		    shown(svc->name), err == EACCES ? "permission denied: " : "",
		    shown(svc->dir), strerror(err));
		return err == EACCES ? EXIT_DENIED : EXIT_NO_SUPERVISOR;
	}
	if (json)
		show_json(buf, sizeof buf, svc->name, &st, NULL);
	else
		show_line(buf, sizeof buf, svc->name, &st, &f,
		    clock_wall_ms());
	fputs(buf, stdout);
	if (!named || strcmp(st.state, "failed") != 0)
		return EXIT_DONE;
	return strncmp(st.error, "config_invalid", 14) == 0 ?
	    EXIT_NO_SERVICE : EXIT_NOT_DONE;
}

/* One row of the table for SVC. */
static void
print_row(int width, const struct service *svc, int64_t now)
{
	static char buf[SHOW_SIZE];
	struct show_facts f = facts_of(svc);
	struct status_info st;
	int r = supervised(svc);

	if (r == 1 && read_status(svc, &st) == 0)
		show_row(buf, sizeof buf, width, svc->name, &st, NULL, &f, now);
	else
		show_row(buf, sizeof buf, width, svc->name, NULL, r == 0 ?
		    "unsupervised" : r == 1 && errno != EACCES ? "unknown" :
		    "unreadable", &f, now);
	fputs(buf, stdout);
}

/*
 * Every service of the scan directory and its logger, by name: a table,
 * or with JSON one object per line.
 */
static int
status_all(int json)
{
	static char buf[SHOW_SIZE];
	struct names l = { NULL, 0, 0 };
	struct service svc;
	int64_t now = clock_wall_ms();
	size_t i, width = 4;

	if (add_all(&l, LOGGERS_BESIDE) == -1)
		return EXIT_NO_SERVICE;
	for (i = 0; i < l.n; i++)
		if (show_width(l.v[i]) > width && show_width(l.v[i]) < 200)
			width = show_width(l.v[i]);
	if (!json) {
		show_head(buf, sizeof buf, (int)width);
		fputs(buf, stdout);
	}
	for (i = 0; i < l.n; i++) {
		svc.name = l.v[i];
		if (snprintf(svc.dir, sizeof svc.dir, "%s/%s", scan_dir(),
		    l.v[i]) >= (int)sizeof svc.dir)
			continue;
		if (json)
			status_one(&svc, 1, 0);
		else
			print_row((int)width, &svc, now);
	}
	names_free(&l);
	return EXIT_DONE;
}

static int
cmd_status(int argc, char *argv[], struct run *run)
{
	struct names l = { NULL, 0, 0 };
	struct service svc;
	size_t i;
	int c, json = 0, r, worst = EXIT_DONE;

	(void)run;	/* -T and -v mean nothing here */

	while ((c = getopt(argc, argv, "j")) != -1)
		if (c == 'j')
			json = 1;
		else
			bad_option("status", "j", argc, argv);
	if (optind == argc)
		return status_all(json);
	if (expand(&l, argc - optind, argv + optind, LOGGERS_BESIDE) == -1)
		return EXIT_NO_SERVICE;
	for (i = 0; i < l.n; i++) {
		if ((r = resolve(l.v[i], &svc)) == EXIT_DONE)
			r = status_one(&svc, json, 1);
		if (r > worst)
			worst = r;
	}
	names_free(&l);
	return worst;
}

static int
cmd_wait(int argc, char *argv[], struct run *run)
{
	static const char optstring[] = "udRT:";
	struct names l = { NULL, 0, 0 };
	struct service svc;
	struct wait w = { .goal = GOAL_NONE };
	int64_t timeout = run->timeout, deadline;
	size_t i;
	int c, r, worst = EXIT_DONE;

	while ((c = getopt(argc, argv, optstring)) != -1) {
		switch (c) {
		case 'u': w.goal = GOAL_UP; break;
		case 'd': w.goal = GOAL_DOWN; break;
		case 'R': w.goal = GOAL_READY; break;
		case 'T': timeout = parse_timeout(optarg); break;
		default: bad_option("wait", optstring, argc, argv);
		}
	}
	if (w.goal == GOAL_NONE)
		usage("wait: -u, -d or -R needed");
	if (optind == argc)
		usage("wait: no service");
	if (expand(&l, argc - optind, argv + optind, w.goal == GOAL_DOWN ?
	    LOGGERS_LAST : LOGGERS_FIRST) == -1)
		return EXIT_NO_SERVICE;
	deadline = clock_now_ms() + timeout;
	for (i = 0; i < l.n; i++) {
		if ((r = resolve(l.v[i], &svc)) == EXIT_DONE)
			r = wait_goal(&svc, &w, deadline);
		if (r > worst)
			worst = r;
	}
	names_free(&l);
	return worst;
}

/* A number of lines for -n, or a usage error naming CMD. */
static unsigned long
parse_lines(const char *cmd, const char *s)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-')
		usage("%s: -n takes a number of lines, not %s", cmd, shown(s));
	return n;
}

/*
 * The last LINES lines of supervise/events, for people: local times
 * (with RAW the unix time), each line escaped so that what a reason
 * quotes (a conf line, an error text) cannot forge one.
 */
static int
cmd_history(int argc, char *argv[], struct run *run)
{
	static char buf[SHOW_SIZE];
	char path[PATH_MAX + 32], *text, *p, *nl, *end;
	struct service svc;
	unsigned long lines = 10, seen = 0;
	size_t len;
	int c, r, err, raw = 0;

	(void)run;	/* -T and -v mean nothing here */

	while ((c = getopt(argc, argv, "n:r")) != -1) {
		if (c == 'n')
			lines = parse_lines("history", optarg);
		else if (c == 'r')
			raw = 1;
		else
			bad_option("history", "n:r", argc, argv);
	}
	if (optind != argc - 1)
		usage("history: one service needed");
	if ((r = resolve(argv[optind], &svc)) != EXIT_DONE)
		return r;
	service_path(&svc, "supervise/events", path, sizeof path);
	if (io_read_file(path, EVENTS_MAX, &text, &len) == -1) {
		err = errno;
		say("%s: %sunable to read %s: %s", shown(svc.name),
		    err == EACCES ? "permission denied: " : "", shown(path),
		    strerror(err));
		return err == ENOENT ? EXIT_NO_SUPERVISOR : err == EACCES ?
		    EXIT_DENIED : EXIT_NOT_DONE;
	}
	/* Walk back over LINES newlines (the last one ends the file). */
	for (p = text + len; p > text; p--)
		if (p[-1] == '\n' && p != text + len && ++seen == lines)
			break;
	for (end = text + len; lines > 0 && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		show_event(buf, sizeof buf, p, raw);
		fputs(buf, stdout);
	}
	free(text);
	return EXIT_DONE;
}

/* ---- sid-ctl log ---- */

static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * Where a service's log is: the directory of its sid-log (current, and
 * the rotated files @TIME.s, or @TIME.u while being synced), or, for a
 * service without log/, the output that sid-svscan keeps for it
 * (supervise/output, and supervise/output.old before it).  Either way
 * one file is being written and older ones sort before it by name, so
 * the same tail and follow read both.
 */
struct log_src {
	char		 dir[PATH_MAX];
	const char	*current;	/* "current" or "output" */
	int		(*is_rotated)(const char *name, void *unused);
};

/* io_dir_names filter: a rotated log file, finished or not. */
static int
is_log_file(const char *name, void *unused)
{
	size_t len = strlen(name);

	(void)unused;
	return name[0] == '@' && len > 3 && name[len - 2] == '.' &&
	    (name[len - 1] == 's' || name[len - 1] == 'u');
}

/* io_dir_names filter: the output sid-svscan kept before output. */
static int
is_old_output(const char *name, void *unused)
{
	(void)unused;
	return strcmp(name, "output.old") == 0;
}

/* The rotated files of SRC, oldest first (names sort by time). */
static char **
log_files(const struct log_src *src, size_t *count)
{
	char **names;

	if ((names = io_dir_names(src->dir, src->is_rotated, NULL,
	    count)) == NULL &&
	    (names = calloc(1, sizeof *names)) == NULL)
		sid_die_sys(111, "out of memory");
	return names;
}

/*
 * Open the rotated file NAME of DIR (with ST: stat it instead).  sid-log
 * renames @X.u to @X.s once it is synced, maybe since we listed it: on
 * ENOENT a .u is looked for as .s.
 */
static int
log_file(const char *dir, const char *name, struct stat *st)
{
	size_t len = strlen(name);
	char path[PATH_MAX];
	int r = -1, pass;

	for (pass = 0; pass < 2; pass++) {
		if (snprintf(path, sizeof path, "%s/%.*s%s", dir,
		    (int)(len - (size_t)pass), name, pass ? "s" : "") >=
		    (int)sizeof path)
			return -1;
		r = st != NULL ? stat(path, st) :
		    open(path, O_RDONLY | O_CLOEXEC);
		if (r != -1 || errno != ENOENT || name[len - 1] != 'u')
			break;
	}
	return r;
}

/*
 * Print the last LINES lines of CHUNKS (oldest first): walk back from
 * the end counting line ends; a last line without one counts too.
 */
static void
print_last(struct chunk *chunks, size_t n, unsigned long lines)
{
	size_t i = n, pos = 0, at_end = 1;
	unsigned long seen = 0;

	while (i > 0 && seen < lines) {
		i--;
		for (pos = chunks[i].len; pos > 0; pos--) {
			if (chunks[i].data[pos - 1] == '\n' && !at_end &&
			    ++seen == lines)
				break;
			at_end = 0;
		}
		if (seen == lines)
			break;
	}
	if (lines == 0)
		return;
	for (; i < n; i++, pos = 0)
		fwrite(chunks[i].data + pos, 1, chunks[i].len - pos, stdout);
	fflush(stdout);
}

/*
 * The last LINES lines across the rotated files and current (read from
 * CURFD, which then stands at its end for -f).
 */
static int
log_tail(const struct log_src *src, int curfd, unsigned long lines)
{
	const char *dir = src->dir;
	struct chunk *chunks;
	char **names;
	struct stat held, st;
	unsigned long seen = 0;
	size_t n = 0, nnames, older, i, j;
	int fd;

	names = log_files(src, &nnames);
	older = nnames;
	if ((chunks = calloc(nnames + 1, sizeof *chunks)) == NULL)
		sid_die_sys(111, "out of memory");
	/* If current was rotated since we opened it, only older files count. */
	if (fstat(curfd, &held) == 0)
		for (i = 0; i < nnames; i++)
			if (log_file(dir, names[i], &st) == 0 &&
			    st.st_ino == held.st_ino) {
				older = i;
				break;
			}
	/* Newest first, until enough lines; then put them in order. */
	if (read_all(curfd, &chunks[n++]) == -1)
		return -1;
	for (j = 0; j < chunks[0].len; j++)
		seen += chunks[0].data[j] == '\n';
	for (i = older; i > 0 && seen <= lines; i--) {
		if ((fd = log_file(dir, names[i - 1], NULL)) == -1)
			continue;	/* pruned meanwhile */
		if (read_all(fd, &chunks[n]) == 0)
			for (j = 0; j < chunks[n].len; j++)
				seen += chunks[n].data[j] == '\n';
		close(fd);
		n++;
	}
	for (i = 0; i < n / 2; i++) {
		struct chunk t = chunks[i];

		chunks[i] = chunks[n - 1 - i];
		chunks[n - 1 - i] = t;
	}
	print_last(chunks, n, lines);
	for (i = 0; i < n; i++)
		free(chunks[i].data);
	free(chunks);
	io_free_names(names);
	return 0;
}

/* Copy what FD has now to stdout; -1 when stdout is gone. */
static int
copy_new(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n ||
		    fflush(stdout) == EOF)
			return -1;
	return 0;
}

/*
 * The rotated file of DIR that follows HELD by name, opened, or -1 when
 * none does yet.  If HELD was already pruned, everything older went
 * with it: the oldest left follows it.
 */
static int
open_rotated_after(const struct log_src *src, const struct stat *held)
{
	const char *dir = src->dir;
	char **names;
	size_t n, i, from = 0;
	struct stat st;
	int fd = -1;

	names = log_files(src, &n);
	for (i = 0; i < n; i++)
		if (log_file(dir, names[i], &st) == 0 &&
		    st.st_ino == held->st_ino && st.st_dev == held->st_dev)
			from = i + 1;
	for (i = from; i < n && fd == -1; i++)
		fd = log_file(dir, names[i], NULL);
	io_free_names(names);
	return fd;
}

/*
 * The file that follows HELD (just rotated away from current): the
 * rotated file after it, else current.  Current is taken only when no
 * rotated file follows HELD after it was opened either: the file that
 * was current when we looked may have been rotated before we opened
 * "current", which is then the one after it, and taking that would
 * skip a whole file.
 */
static int
open_next(const struct log_src *src, const struct stat *held)
{
	char path[PATH_MAX];
	int fd, next;

	if ((fd = open_rotated_after(src, held)) != -1)
		return fd;
	if (snprintf(path, sizeof path, "%s/%s", src->dir, src->current) >=
	    (int)sizeof path || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((next = open_rotated_after(src, held)) == -1)
		return fd;
	close(fd);
	return next;
}

/*
 * -f: follow the log like tail -F.  We read the file we hold to its end;
 * once current is another file, ours was rotated and is complete, so we
 * go on with the file after it, one by one up to current: no line is
 * missed, none is read twice.
 */
static int
log_follow(const struct log_src *src, int fd)
{
	char path[PATH_MAX];
	struct stat held, now;
	struct sigaction sa;
	int next;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);	/* a closed stdout: EPIPE, exit 0 */
	if (snprintf(path, sizeof path, "%s/%s", src->dir, src->current) >=
	    (int)sizeof path)
		return EXIT_NOT_DONE;
	fstat(fd, &held);
	while (!interrupted) {
		if (copy_new(fd) == -1)
			break;
		if (stat(path, &now) == 0 && (now.st_ino != held.st_ino ||
		    now.st_dev != held.st_dev)) {
			if (copy_new(fd) == -1)
				break;
			if ((next = open_next(src, &held)) != -1) {
				close(fd);
				fd = next;
				fstat(fd, &held);
				continue;
			}
		}
		pause_ms(50);
	}
	close(fd);
	return EXIT_DONE;
}

/*
 * Where the service's log is.  Its sid-log's directory (conf's log-dir,
 * relative to the service, log/main by default) when the service has a
 * log/ or its conf sets a log-dir other than the default; else, for a
 * service whose output sid-svscan keeps, supervise/output.
 */
static int
log_dir_of(const struct service *svc, struct log_src *src)
{
	char path[PATH_MAX + 8], err[PATH_MAX + 256];
	struct sv_conf conf;
	struct stat st;
	int n;

	service_path(svc, "conf", path, sizeof path);
	if (conf_load(path, path, &conf, err, sizeof err) == -1) {
		sid_error("%s: config_invalid: %s", shown(svc->name),
		    shown(err));
		return EXIT_NO_SERVICE;
	}
	service_path(svc, "log", path, sizeof path);
	src->current = "current";
	src->is_rotated = is_log_file;
	if (strcmp(conf.log_dir, "log/main") == 0 &&
	    (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))) {
		n = snprintf(src->dir, sizeof src->dir, "%s/supervise",
		    svc->dir);
		src->current = "output";
		src->is_rotated = is_old_output;
	} else if (conf.log_dir[0] == '/')
		n = snprintf(src->dir, sizeof src->dir, "%s", conf.log_dir);
	else
		n = snprintf(src->dir, sizeof src->dir, "%s/%s", svc->dir,
		    conf.log_dir);
	if (n < 0 || (size_t)n >= sizeof src->dir) {
		sid_error("%s: log-dir path too long", shown(svc->name));
		return EXIT_NO_SERVICE;
	}
	return EXIT_DONE;
}

/*
 * The file being written, opened.  Between the rename of output to
 * output.old and the making of a new one there is no output: the old
 * one is then the newest there is.
 */
static int
open_current(const struct log_src *src, char *path, size_t size)
{
	char old[PATH_MAX + 16];
	int fd, err;

	if (snprintf(path, size, "%s/%s", src->dir, src->current) >=
	    (int)size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1 || errno != ENOENT ||
	    src->is_rotated != is_old_output)
		return fd;
	err = errno;
	snprintf(old, sizeof old, "%s/output.old", src->dir);
	if ((fd = open(old, O_RDONLY | O_CLOEXEC)) == -1)
		errno = err;
	return fd;
}

static int
cmd_log(int argc, char *argv[], struct run *run)
{
	char path[PATH_MAX], dir[PATH_MAX + 16];
	unsigned long lines = 10;
	struct log_src src;
	struct service svc;
	int c, follow = 0, fd, r, err;

	(void)run;	/* -T and -v mean nothing here */

	while ((c = getopt(argc, argv, "n:f")) != -1) {
		if (c == 'f')
			follow = 1;
		else if (c == 'n')
			lines = parse_lines("log", optarg);
		else
			bad_option("log", "n:f", argc, argv);
	}
	if (optind != argc - 1)
		usage("log: one service needed");
	if ((r = resolve(argv[optind], &svc)) != EXIT_DONE ||
	    (r = log_dir_of(&svc, &src)) != EXIT_DONE)
		return r;
	/*
	 * A supervised service that has written nothing yet has no output
	 * file: nothing to show, and -f waits for its first line.
	 */
	service_path(&svc, "supervise", dir, sizeof dir);
	while ((fd = open_current(&src, path, sizeof path)) == -1 &&
	    errno == ENOENT && src.is_rotated == is_old_output &&
	    is_dir(dir) == 0) {
		if (!follow)
			return EXIT_DONE;
		pause_ms(50);
	}
	if (fd == -1) {
		err = errno;
		sid_error("%s: %s: %s: %s", shown(svc.name), err == EACCES ?
		    "permission denied" : src.is_rotated == is_old_output ?
		    "no log/ and no output kept" : "no log", shown(path),
		    strerror(err));
		return err == EACCES ? EXIT_DENIED : EXIT_NOT_DONE;
	}
	if (log_tail(&src, fd, lines) == -1) {
		err = errno;
		sid_error("%s: unable to read %s: %s", shown(svc.name),
		    shown(src.dir), strerror(err));
		close(fd);
		return err == EACCES ? EXIT_DENIED : EXIT_NOT_DONE;
	}
	if (follow)
		return log_follow(&src, fd);
	close(fd);
	return EXIT_DONE;
}

/* The number on the first line of a scan report, "scan N"; 0: none. */
static unsigned long
report_seq(const char *path, char **text)
{
	unsigned long seq = 0;
	size_t len;

	*text = NULL;
	if (io_read_file(path, 1024 * 1024, text, &len) == -1)
		return 0;
	if (sscanf(*text, "scan %lu", &seq) != 1)
		seq = 0;
	return seq;
}

/*
 * The report's "invalid NAME: ..." lines (sid-svscan wrote them
 * escaped): one line on stderr for them, the first one and how many
 * more.  Returns their number.
 */
static size_t
report_invalid(const char *body)
{
	const char *line, *next, *first = NULL;
	size_t n = 0, len, first_len = 0;

	for (line = body; *line != '\0'; line = next) {
		len = strcspn(line, "\n");
		next = line + len + (line[len] == '\n');
		if (strncmp(line, "invalid ", 8) == 0 && n++ == 0) {
			first = line;
			first_len = len;
		}
	}
	if (n == 1)
		say("scan: %.*s", (int)first_len, first);
	else if (n > 1)
		say("scan: %.*s (and %zu more invalid)", (int)first_len,
		    first, n - 1);
	return n;
}

/*
 * Ask sid-svscan to rescan now ("a"; with -r "A": and restart the
 * units whose run, conf or env/ changed and whose conf and env/ are
 * valid) and print its report.  3 when it says a unit is invalid.
 */
static int
cmd_scan(int argc, char *argv[], struct run *run)
{
	char control[PATH_MAX], report[PATH_MAX], *text, *body;
	int64_t timeout = run->timeout, deadline, started;
	unsigned long old;
	int c, restart = 0, err, code;

	while ((c = getopt(argc, argv, "rT:")) != -1) {
		if (c == 'r')
			restart = 1;
		else if (c == 'T')
			timeout = parse_timeout(optarg);
		else
			bad_option("scan", "rT:", argc, argv);
	}
	if (optind != argc)
		usage("scan takes no service");
	snprintf(control, sizeof control, "%s/.sid-svscan/control",
	    scan_dir());
	snprintf(report, sizeof report, "%s/.sid-svscan/report", scan_dir());
	old = report_seq(report, &text);
	free(text);
	if (ctl_send(control, restart ? "A" : "a", 1) == -1) {
		err = errno;
		if (err == EACCES || err == EPERM) {
			say("permission denied: unable to write %s: %s",
			    shown(control), strerror(err));
			return EXIT_DENIED;
		}
		say("no sid-svscan is running on %s (%s: %s)",
		    shown(scan_dir()), shown(control), strerror(err));
		return EXIT_NO_SUPERVISOR;
	}
	started = clock_now_ms();
	deadline = started + timeout;
	while (report_seq(report, &text) == old) {
		free(text);
		if (clock_now_ms() >= deadline) {
			say("scan: no report from sid-svscan on %s",
			    shown(scan_dir()));
			return EXIT_NOT_DONE;
		}
		pause_ms(poll_step(started));
	}
	body = strchr(text, '\n');
	body = body != NULL ? body + 1 : text + strlen(text);
	fputs(body, stdout);
	fflush(stdout);
	code = report_invalid(body) > 0 ? EXIT_NO_SERVICE : EXIT_DONE;
	free(text);
	return code;
}

/*
 * The options before a command word ("-v", "-w", "-T SECS"): into RUN.
 * Returns the index of the first other argument.
 */
static int
leading_options(int argc, char *argv[], struct run *run)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-T") == 0 && i + 1 < argc)
			run->timeout = parse_timeout(argv[++i]);
		else if (strncmp(argv[i], "-T", 2) == 0 && argv[i][2] != '\0')
			run->timeout = parse_timeout(argv[i] + 2);
		else if (argv[i][strspn(argv[i] + 1, "vw") + 1] == '\0' &&
		    argv[i][1] != '\0') {
			run->wait |= 1;
			run->verbose |= strchr(argv[i], 'v') != NULL;
		} else
			break;
	}
	return i;
}

int
main(int argc, char *argv[])
{
	struct run run = { 0, 0, 10000 };
	const struct command *cmd;
	const struct verb *v;
	const char *no_color = getenv("NO_COLOR");
	char **rest;
	int i;

	msg_init("sid-ctl");
	opterr = 0;		/* usage() says it in one line */
	if (argc < 2)
		usage("no command");
	/* --help wherever it stands among the options. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0) {
			fputs(help_text, stdout);
			return fflush(stdout) == 0 ? EXIT_DONE : EXIT_NOT_DONE;
		}
	colour = isatty(STDOUT_FILENO) && (no_color == NULL ||
	    *no_color == '\0');
	i = leading_options(argc, argv, &run);
	if (i < argc && argv[i][0] != '-') {
		rest = argv + i;
		if ((cmd = find_command(rest[0])) != NULL)
			return cmd->run(argc - i, rest, &run);
		if ((v = find_verb(rest[0])) != NULL)
			return cmd_verb(v, argc - i, rest, &run);
		usage("unknown command %s", shown(rest[0]));
	}
	run = (struct run){ 0, 0, 10000 };
	return cmd_control(argc, argv, &run);
}
