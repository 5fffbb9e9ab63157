/*
 * sid-svscan [-t SECS] [-p] [DIR]: run one sid-supervise per service of
 * DIR (and one for its log/), and keep the tree whole.  DIR defaults to
 * $SID_SCANDIR, else /etc/sid/service, never to the current directory
 * (which may hold anything with a run file: a source tree's test/); the
 * first line on stderr names the directory scanned (or, when it cannot
 * be scanned, the fatal line names it).
 *
 * For a service with log/, sid-svscan creates a pipe once and holds both
 * ends for the life of the service: the service's sid-supervise gets the
 * write end as stdout, the logger's gets the read end as stdin.  Since
 * we always hold a write end, a logger never sees EOF while the service
 * lives, and since we always hold the read end, a service never gets
 * EPIPE while its logger restarts: lines wait in the pipe.
 *
 * A service without log/ gets two pipes of ours, made once and held the
 * same way, for its stdout and its stderr.  We forward what comes on
 * each, unchanged, to our own stdout resp. stderr (with -p: as
 * "NAME: line" lines, both to stdout, through one pipe), and keep a copy
 * of its whole lines in NAME/supervise/output for sid-ctl log (see
 * "kept output").  Two pipes cannot tell which of two writes came
 * first: lines of stdout and stderr that wait in them together are
 * kept stdout first.
 *
 * One poll() loop: the signal fd (selfpipe.h), DIR/.sid-svscan/control
 * (bytes from "sid-ctl scan"), the directory watch where the system has
 * one, and the output pipes of the services without log/.  Timers: the
 * rescan period, the restart of a sid-supervise that died, and the drain
 * of a logger.
 * Where the system has epoll, the output pipes are in an epoll set,
 * polled as one fd: a thousand services without log/ are two thousand
 * pipes, and a wakeup (one exit of a thousand at a shutdown) looks at
 * those that have something, not at all of them.
 *
 * DIR itself may be removed and made again, or moved away, under us: we
 * work in it by its absolute path, and every scan first checks that "."
 * is still what that path names and that .sid-svscan/control is still
 * the FIFO we read.  When DIR is missing its services keep running and
 * we look for it once a second; when it is back we move into it, make
 * .sid-svscan/ again and scan it as usual: a name whose directory is not
 * the one we started is removed, then added anew.
 *
 * Names come from the file system: every line meant for people shows
 * them escaped (lib/escape.h), and a sid-supervise gets "./NAME", which
 * cannot be taken for an option.
 *
 * What a scan starts (the services it found new, all at once, each
 * logger before its service), what to start again and when, the needs
 * between services (their cycles, said in the scan report and once on
 * stderr) and the order of a shutdown (dependents first, unrelated
 * services together, loggers after every service) are decided in
 * lib/tree.h; this file wires them to the directory, fork/exec, pipes,
 * signals and poll.
 *
 * Exit codes: 0 after SIGTERM or SIGINT (never on its own as PID 1), 64
 * usage, 111 setup failed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/prctl.h>
#define HAVE_EPOLL 1
#ifndef SID_NO_INOTIFY
#include <sys/inotify.h>
#define HAVE_INOTIFY 1
#endif
#endif

#include "clock.h"
#include "conf.h"
#include "ctl.h"
#include "escape.h"
#include "fingerprint.h"
#include "io.h"
#include "lines.h"
#include "msg.h"
#include "proc.h"
#include "report.h"
#include "selfpipe.h"
#include "status.h"
#include "svcheck.h"
#include "tree.h"

#define CTL_DIR		".sid-svscan"
#define FOREIGN_MS	100	/* another tree's sid-supervise: recheck */
#define DRAIN_STEP_MS	20	/* logger drain: status check period */
#define DRAIN_MAX_MS	5000	/* logger drain: then x regardless */
#define STOP_MARGIN_MS	5000	/* shutdown: beyond the largest grace */
#define LINE_MAX_PREFIX	65536	/* -p: longer lines are split */
#define OUTPUT_MAX	65536	/* supervise/output: then output.old */
#define OUTPUT_LINE_MAX	4096	/* supervise/output: longer lines are cut */
#define OUTPUT_RETRY_MS	1000	/* supervise/output failed: retry then */
#define READ_SIZE	65536	/* output pipes: one read */
#define READS_MAX	16	/* output pipes: reads of one per wakeup */
#define MISSING_MS	1000	/* DIR is gone: look for it this often */
#define LEN(a)		(sizeof(a) / sizeof((a)[0]))

extern char **environ;

/* One sid-supervise we run, for a service or its logger. */
struct sup {
	pid_t		 pid;		/* 0: not running */
	int		 errfd;		/* its exec not seen yet: proc_started */
	struct tree_unit u;		/* its start pending, its delay */
	int		 quitting;	/* x sent: do not restart */
};

/*
 * The stdout or stderr of a service without log/: the pipe we hold,
 * where its bytes are forwarded, and the partial lines held back from
 * supervise/output and from the -p lines.
 */
struct stream {
	struct svc	*svc;		/* whose */
	int		 r, w;		/* the pipe; -1 when none */
	int		 to;		/* 1 or 2: our fd it is forwarded to */
	struct lines	 kept;		/* lines for supervise/output */
	struct lines	 shown;		/* -p: lines for "NAME: line" */
};

/* NAME/supervise/output, as we append to it. */
struct output {
	int		 fd;		/* -1: not open */
	off_t		 size;		/* what it holds */
	int		 failed;	/* warned, not written since */
	int64_t		 retry_at;	/* after a failure: not before */
};

struct svc {
	char		*name;		/* the entry in DIR */
	char		*label;		/* the name, escaped for messages */
	char		*dir;		/* where it leads: reachable after rm */
	dev_t		 dev;		/* the directory it was added as */
	ino_t		 ino;
	int		 seen;		/* found by the current scan */
	int		 removed;	/* gone from DIR, or shutting down */
	int		 has_log;
	int		 fresh;		/* added by this scan, not started */
	int		 ready;		/* its pipes are made */
	struct sup	 main, log;
	int		 pipe_r, pipe_w;	/* -1 when none */
	int		 draining;	/* logger told to end at EOF */
	int64_t		 drain_until;
	int64_t		 foreign_until;	/* takeover: x a foreign logger then */
	struct stream	 out[2];	/* without log/: stdout, stderr */
	int		 epolled;	/* their read ends are in outfd */
	struct output	 kept;
	char		**needs;	/* conf's needs, as last loaded */
	size_t		 nneeds;
	int64_t		 grace_ms;	/* conf's stop-grace, as last loaded */
	struct stat	 conf_st;	/* the conf they were loaded from */
	int		 conf_known;
};

static char		 scan_abs[PATH_MAX];	/* DIR, absolute */
static char		 scan_label[ESC_SIZE(PATH_MAX)];	/* escaped */
static dev_t		 scan_dev;	/* the directory we are in */
static ino_t		 scan_ino;
static int		 scan_missing;	/* DIR is gone: waiting for it */
static char		 supervise_bin[PATH_MAX];
static int		 prefix_output;
static int64_t		 scan_period_ms;
static int64_t		 user_period_ms = -1;	/* -t, when given */
static struct svc	**svcs;
static size_t		 nsvcs, capsvcs;
static int		 sigfd = -1, watchfd = -1, devnull = -1;
static int		 outfd = -1;	/* epoll: the output pipes */
static int		 ctlfd = -1, ctlwfd = -1, lockfd = -1;
static dev_t		 ctl_dev;	/* the control FIFO we read */
static ino_t		 ctl_ino;
static int64_t		 ctl_lost_at = -1;	/* when it was found missing */
static int		 exit_code;
static int64_t		 next_scan_at;
static int		 shutting_down;
static int64_t		 shutdown_until;
static unsigned long	 report_seq;
static struct report	 pending;	/* added/removed since the report */

#define SYNOPSIS	"sid-svscan [-t SECS] [-p] [--] [DIR]"
#define DEFAULT_DIR	"/etc/sid/service"

static void	help(void) __attribute__((noreturn));

static void
help(void)
{
	printf("usage: " SYNOPSIS "\n"
	    "  -t SECS  rescan every SECS seconds (default 60 if watched, "
	    "else 1)\n"
	    "  -p       show output of services without log/ as NAME: line, "
	    "on stdout\n"
	    "  DIR      the scan directory (default $SID_SCANDIR, else "
	    DEFAULT_DIR ")\n"
	    "  --help   print this and exit\n");
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

static void	read_output(struct svc *, const struct pollfd *);
static void	set_needs(struct svc *, const struct sv_conf *, size_t);
static void	advance_shutdown(int64_t);
static void	check_cycles(int);
static void	flush_output(struct svc *);
static int	check_scan_dir(int64_t);

/*
 * A line of the next scan report: KIND and a service's name.  Nobody
 * may ask for a report for long: past REPORT_MAX_LINES, lines are lost
 * rather than memory.
 */
static void
note_change(enum report_kind kind, const char *name)
{
	report_add(&pending, kind, name, NULL);
}

/* ---- the table of services, sorted by name ---- */

static size_t
find_slot(const char *name, int *found)
{
	size_t lo = 0, hi = nsvcs, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(svcs[mid]->name, name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

static struct svc *
add_svc(const char *name, size_t slot)
{
	struct svc *s, **grown;
	size_t i;

	if (nsvcs == capsvcs) {
		capsvcs = capsvcs ? capsvcs * 2 : 64;
		if ((grown = realloc(svcs, capsvcs * sizeof *svcs)) == NULL)
			return NULL;
		svcs = grown;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	if ((s->name = strdup(name)) == NULL ||
	    (s->label = malloc(ESC_SIZE(strlen(name)))) == NULL) {
		free(s->name);
		free(s);
		return NULL;
	}
	esc_text(s->label, ESC_SIZE(strlen(name)), name);
	s->pipe_r = s->pipe_w = -1;
	for (i = 0; i < LEN(s->out); i++) {
		s->out[i].svc = s;
		s->out[i].r = s->out[i].w = -1;
		s->out[i].to = (int)i + 1;
		s->out[i].kept = (struct lines)LINES_INIT(OUTPUT_LINE_MAX);
		s->out[i].shown = (struct lines)LINES_INIT(LINE_MAX_PREFIX);
	}
	s->kept.fd = -1;
	s->main.errfd = s->log.errfd = -1;
	tree_unit_init(&s->main.u);
	tree_unit_init(&s->log.u);
	memmove(svcs + slot + 1, svcs + slot, (nsvcs - slot) * sizeof *svcs);
	svcs[slot] = s;
	nsvcs++;
	return s;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * The read ends of S's output pipes into the epoll set, or out of it
 * (before they are closed: a child we started may still hold a copy of
 * them until its exec, and the set would keep them meanwhile).  Where
 * they are not in it, poll() is given them one by one.
 */
static void
epoll_streams(struct svc *s, int add)
{
#ifdef HAVE_EPOLL
	struct epoll_event ev;
	size_t i;

	if (outfd < 0 || s->epolled == add)
		return;
	for (i = 0; i < LEN(s->out); i++) {
		if (s->out[i].r < 0)
			continue;
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.ptr = &s->out[i];
		if (epoll_ctl(outfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    s->out[i].r, &ev) == -1 && add) {
			s->epolled = 1;
			epoll_streams(s, 0);	/* all or none */
			return;
		}
	}
	s->epolled = add;
#else
	(void)s;
	(void)add;
#endif
}

static void
free_svc(struct svc *s)
{
	int found;
	size_t slot = find_slot(s->name, &found);

	size_t i;

	/* Its last words, and a last line without a newline. */
	read_output(s, NULL);
	flush_output(s);

	if (found && svcs[slot] == s) {
		memmove(svcs + slot, svcs + slot + 1,
		    (nsvcs - slot - 1) * sizeof *svcs);
		nsvcs--;
	}
	epoll_streams(s, 0);
	close_fd(&s->main.errfd);
	close_fd(&s->log.errfd);
	close_fd(&s->pipe_r);
	close_fd(&s->pipe_w);
	for (i = 0; i < LEN(s->out); i++) {
		close_fd(&s->out[i].r);
		close_fd(&s->out[i].w);
		lines_free(&s->out[i].kept);
		lines_free(&s->out[i].shown);
	}
	close_fd(&s->kept.fd);
	set_needs(s, NULL, 0);
	free(s->dir);
	free(s->label);
	free(s->name);
	free(s);
	next_scan_at = clock_now_ms();	/* it may be back already */
}

/* ---- talking to a sid-supervise ---- */

static void
sup_path(const struct svc *s, const struct sup *p, const char *file,
    char *buf, size_t size)
{
	snprintf(buf, size, "%s%s/supervise/%s", s->dir, p == &s->log ?
	    "/log" : "", file);
}

/* Send CMD; returns 0, or -1 when no sid-supervise reads the FIFO. */
static int
sup_send(const struct svc *s, const struct sup *p, const char *cmd)
{
	char path[PATH_MAX];

	sup_path(s, p, "control", path, sizeof path);
	return ctl_send(path, cmd, strlen(cmd));
}

/* x, or SIGTERM (which means x) when the FIFO is out of reach. */
static void
sup_quit(struct svc *s, struct sup *p)
{
	p->quitting = 1;
	if (sup_send(s, p, "x") == -1 && p->pid != 0)
		kill(p->pid, SIGTERM);
}

static int
sup_status(const struct svc *s, const struct sup *p, struct status_info *st)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	sup_path(s, p, "status", path, sizeof path);
	if (io_read_file(path, 4096, &text, &len) == -1)
		return -1;
	r = status_parse(text, st);
	free(text);
	return r;
}

/* The logger's run has ended (it read its input to the end). */
static int
logger_down(const struct svc *s)
{
	struct status_info st;

	return sup_status(s, &s->log, &st) == 0 &&
	    (strcmp(st.state, "down") == 0 || strcmp(st.state, "failed") == 0);
}

/*
 * A sid-supervise that is not ours holds the service (an earlier
 * sid-svscan was killed): ask it to leave, so that the tree is ours
 * again with our pipes.  Its logger is told to end at EOF first and to
 * exit once the service's old supervisor is gone, so no line is lost.
 */
static int
evict_foreign(struct svc *s, struct sup *p, int64_t now)
{
	if (sup_send(s, p, "") == -1)
		return 0;
	tree_unit_later(&p->u, now + FOREIGN_MS);
	if (p == &s->main) {
		sup_send(s, p, "x");
		return 1;
	}
	sup_send(s, p, "o");
	if (s->main.pid == 0 && sup_send(s, &s->main, "") == 0)
		return 1;	/* the old service still writes */
	/* The old service is gone: x once its logger drained the pipe. */
	if (s->foreign_until == 0)
		s->foreign_until = now + DRAIN_MAX_MS;
	if (now >= s->foreign_until || logger_down(s))
		sup_send(s, p, "x");
	return 1;
}

static void
unit_dir(const struct svc *s, const struct sup *p, char *dir, size_t size)
{
	snprintf(dir, size, "%s%s", s->dir, p == &s->log ? "/log" : "");
}

/*
 * Whether P's sid-supervise was exec'd, where proc_start left that to
 * be read later: once known, its report pipe is closed, and a failure
 * said.  A child that failed exits 127 and is restarted as one that
 * died.
 */
static void
check_exec(const struct svc *s, struct sup *p)
{
	char dir[PATH_MAX], why[PATH_MAX + 64];
	int r;

	if (p->errfd < 0)
		return;
	unit_dir(s, p, dir, sizeof dir);
	if ((r = proc_started(p->errfd, dir, why, sizeof why)) == 0)
		return;
	p->errfd = -1;
	if (r == -1)
		sid_warn("unable to start %s %s: %s", supervise_bin, dir, why);
}

static void
start_sup(struct svc *s, struct sup *p, int64_t now)
{
	struct sv_recipe r = { .envp = environ, .fds = { -1, -1, -1 },
	    .notify_fd = -1, .cgroup_fd = -1, .cgroup_dir = -1 };
	char dir[PATH_MAX], *argv[] = { supervise_bin, dir, NULL };
	int ok = 1;

	tree_unit_cancel(&p->u);
	if (evict_foreign(s, p, now))
		return;
	unit_dir(s, p, dir, sizeof dir);
	if (p == &s->log) {
		r.fds[0] = s->pipe_r;
		r.fds[1] = 1;
		r.fds[2] = 2;
	} else if (s->has_log) {
		r.fds[0] = devnull;
		r.fds[1] = s->pipe_w >= 0 ? s->pipe_w : 1;
		r.fds[2] = 2;
	} else {
		/* Without our pipes (none could be made), straight to ours. */
		r.fds[0] = devnull;
		r.fds[1] = s->out[0].w >= 0 ? s->out[0].w : 1;
		r.fds[2] = s->out[1].w >= 0 ? s->out[1].w :
		    s->out[0].w >= 0 ? s->out[0].w : 2;
	}
	/*
	 * A child that costs the same with four fds of ours or four
	 * thousand, or one by fork not waited for (see proc_start).  A
	 * failed exec is said when its pipe tells (check_exec).
	 */
	close_fd(&p->errfd);
	if (proc_start(argv, &r, &p->pid, &p->errfd) == -1) {
		sid_warn_sys("unable to start %s %s", supervise_bin, dir);
		p->pid = 0;
		ok = 0;
	}
	tree_unit_started(&p->u, ok, now);
}

/* What lib/tree.h says: unit A of S, now or later. */
static void
do_start(struct svc *s, const struct tree_action *a, int64_t now)
{
	struct sup *p = a->log ? &s->log : &s->main;

	if (a->at <= now)
		start_sup(s, p, now);
	else
		tree_unit_later(&p->u, a->at);
}

/* The units of S, for lib/tree.h. */
static struct tree_svc
tree_svc_of(struct svc *s)
{
	struct tree_svc ts = { s->has_log ? &s->log.u : NULL, &s->main.u };

	return ts;
}

/* ---- scanning ---- */

static int
is_dir(const char *path, struct stat *st)
{
	return stat(path, st) == 0 && S_ISDIR(st->st_mode);
}

static int
has_run(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/run", name);
	return access(path, F_OK) == 0;
}

/*
 * An entry of DIR that is a directory or a symlink to one, into ST (the
 * directory's); *LINK says which.  One lstat for a directory: a scan
 * looks at every entry, and most are directories.
 */
static int
entry_dir(const char *name, struct stat *st, int *link)
{
	if (lstat(name, st) == -1)
		return 0;
	*link = S_ISLNK(st->st_mode);
	if (*link && stat(name, st) == -1)
		return 0;
	return S_ISDIR(st->st_mode);
}

/*
 * The directory NAME leads to, as its sid-supervise gets it: for a
 * symlink (LINK) its target (relative to DIR, where we are), so the
 * service stays reachable when the link is gone; a relative one with
 * "./" in front, so that no name (such as "-dash") can be taken for an
 * option.
 */
static char *
service_path(const char *name, int link)
{
	char target[PATH_MAX], *path;
	ssize_t n;
	size_t size;

	if (link) {
		if ((n = readlink(name, target, sizeof target - 1)) <= 0)
			return NULL;
		target[n] = '\0';
		name = target;
	}
	size = strlen(name) + 3;
	if ((path = malloc(size)) != NULL)
		snprintf(path, size, "%s%s", name[0] == '/' ? "" : "./", name);
	return path;
}

static int
make_pipe(int *r, int *w)
{
	int fds[2];

	if (pipe(fds) == -1)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	*r = fds[0];
	*w = fds[1];
	return 0;
}

/*
 * The pipe to the logger, or without log/ the two we read: their read
 * ends non-blocking, so that the loop never waits on them.  With -p,
 * where both streams come out on our stdout, one pipe takes both, so
 * that their lines keep the order they were written in.
 */
static int
open_pipes(struct svc *s)
{
	size_t i;

	if (s->has_log)
		return make_pipe(&s->pipe_r, &s->pipe_w);
	for (i = 0; i < (prefix_output ? 1 : LEN(s->out)); i++) {
		if (make_pipe(&s->out[i].r, &s->out[i].w) == -1) {
			close_fd(&s->out[0].r);
			close_fd(&s->out[0].w);
			return -1;
		}
		io_nonblock(s->out[i].r);
	}
	epoll_streams(s, 1);
	return 0;
}

/*
 * NAME, the directory ST (through a symlink when LINK), is new in DIR:
 * add it, to be made ready and started when the scan is over
 * (start_fresh).
 */
static void
new_service(const char *name, size_t slot, const struct stat *st, int link)
{
	char log[PATH_MAX], label[ESC_SIZE(NAME_MAX)];
	struct stat lst;
	struct svc *s;

	if ((s = add_svc(name, slot)) == NULL) {
		sid_warn_sys("unable to add %s", esc_text(label, sizeof label,
		    name));
		return;
	}
	s->seen = 1;
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	if ((s->dir = service_path(name, link)) == NULL) {
		sid_warn_sys("unable to read %s", s->label);
		free_svc(s);
		return;
	}
	snprintf(log, sizeof log, "%s/log", s->dir);
	s->has_log = is_dir(log, &lst);
	s->fresh = 1;
}

/*
 * The pipes of S, a service a scan found new, made just before it is
 * started: every fd we hold is copied into each child we start and
 * closed by its exec, so a thousand services found at once are started
 * while we hold the pipes of those started before them, not of all.
 */
static void
make_ready(struct svc *s)
{
	if (open_pipes(s) == -1) {
		sid_warn_sys("unable to create a pipe for %s", s->label);
		return;
	}
	s->ready = 1;
	note_change(REPORT_ADDED, s->name);
}

/*
 * The services this scan added, started as lib/tree.h says: all at
 * once, each its logger first.  In batches, so that no memory is needed.
 */
static void
start_fresh(int64_t now)
{
	struct tree_found found[64];
	struct tree_action act[2 * LEN(found)];
	struct svc *batch[LEN(found)];
	size_t i = 0, n = 0, k, j;

	while (i < nsvcs) {
		/*
		 * The last batch's execs, most of them done by now: their
		 * report pipes closed, the next children copy fewer fds.
		 */
		for (j = 0; j < n; j++) {
			check_exec(batch[j], &batch[j]->main);
			check_exec(batch[j], &batch[j]->log);
		}
		for (n = 0; i < nsvcs && n < LEN(found); i++) {
			if (!svcs[i]->fresh)
				continue;
			svcs[i]->fresh = 0;
			make_ready(svcs[i]);
			batch[n] = svcs[i];
			found[n].has_log = svcs[i]->has_log;
			found[n].ready = svcs[i]->ready;
			n++;
		}
		k = tree_scan_starts(found, n, now, act);
		for (j = 0; j < k; j++)
			do_start(batch[act[j].svc], &act[j], now);
	}
}

/* A service left DIR (or we shut down): stop it, its logger after. */
static void
remove_service(struct svc *s, int64_t now)
{
	if (!s->removed && !shutting_down)
		note_change(REPORT_REMOVED, s->name);
	s->removed = 1;
	tree_unit_cancel(&s->main.u);
	tree_unit_cancel(&s->log.u);
	if (s->main.pid != 0) {
		sup_quit(s, &s->main);
	} else if (s->log.pid != 0 && !s->draining) {
		s->draining = 1;
		s->drain_until = now + DRAIN_MAX_MS;
		if (sup_send(s, &s->log, "o") == -1)
			sup_quit(s, &s->log);
		close_fd(&s->pipe_w);
	} else if (s->log.pid == 0)
		free_svc(s);
}

/*
 * One entry of DIR.  A name we run whose directory is another one now
 * (deleted and made again, a link pointed elsewhere) is removed; once
 * its old sid-supervise is gone, a later scan adds the new one.
 * Returns 1 for a service directory still waiting for its run.
 */
static int
scan_entry(const char *name, int64_t now)
{
	struct stat st;
	struct svc *s;
	size_t slot;
	int found, link;

	if (name[0] == '.' || !entry_dir(name, &st, &link))
		return 0;
	slot = find_slot(name, &found);
	if (found) {
		s = svcs[slot];
		s->seen = 1;
		if (!s->removed && (s->dev != st.st_dev || s->ino != st.st_ino))
			remove_service(s, now);
		return 0;
	}
	if (!has_run(name))
		return 1;	/* still being written */
	if (!shutting_down)
		new_service(name, slot, &st, link);
	return 0;
}

static void
scan(int64_t now)
{
	struct dirent *de;
	struct svc *s;
	size_t i;
	int waiting = 0;
	DIR *d;

	next_scan_at = now + scan_period_ms;
	if (!check_scan_dir(now))
		return;
	if ((d = opendir(".")) == NULL) {
		sid_warn_sys("unable to read %s", scan_label);
		return;
	}
	for (i = 0; i < nsvcs; i++)
		svcs[i]->seen = 0;
	while ((de = readdir(d)) != NULL)
		waiting |= scan_entry(de->d_name, now);
	closedir(d);
	start_fresh(now);
	for (i = nsvcs; i-- > 0;) {
		s = svcs[i];
		if (!s->seen && !s->removed)
			remove_service(s, now);
	}
	if (waiting && next_scan_at > now + 100)
		next_scan_at = now + 100;
	if (!shutting_down)
		check_cycles(0);
}

/* ---- children ---- */

/* At shutdown, say which services needed SIGKILL to stop. */
static void
report_escalation(const struct svc *s)
{
	struct status_info st;
	char error[ESC_SIZE(sizeof st.error)];

	if (sup_status(s, &s->main, &st) == 0 &&
	    strncmp(st.error, "stop_escalated", 14) == 0)
		sid_warn("%s: stop needed SIGKILL (%s)", s->label,
		    esc_text(error, sizeof error, st.error));
}

/*
 * A sid-supervise died: lib/tree.h says when it starts again (soon,
 * later if it keeps dying; never when its service is removed or we shut
 * down).
 */
static void
on_main_exit(struct svc *s, int64_t now)
{
	check_exec(s, &s->main);
	s->main.pid = 0;
	tree_unit_died(&s->main.u, shutting_down || s->removed, now);
	if (shutting_down) {
		report_escalation(s);
		advance_shutdown(now);
		return;
	}
	if (s->removed)
		remove_service(s, now);
}

static void
on_log_exit(struct svc *s, int64_t now)
{
	check_exec(s, &s->log);
	s->log.pid = 0;
	tree_unit_died(&s->log.u, s->removed, now);
	if (s->removed && s->main.pid == 0)
		free_svc(s);
}

static void
reap(int64_t now)
{
	pid_t pid;
	size_t i;
	int wstatus;

	/* As PID 1 (or a subreaper) we also reap orphans: ignore those. */
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (i = 0; i < nsvcs; i++) {
			if (svcs[i]->main.pid == pid) {
				on_main_exit(svcs[i], now);
				break;
			}
			if (svcs[i]->log.pid == pid) {
				on_log_exit(svcs[i], now);
				break;
			}
		}
	}
}

/* ---- sid-ctl scan: a report of what changed ---- */

/*
 * Which of run, conf and env/ of DIR differ from what P's sid-supervise
 * last loaded (supervise/loaded): REPORT_RUN | ...; 0 when none does,
 * or when P has not said yet.
 */
static unsigned
changed_parts(const struct sup *p, const char *dir)
{
	char path[PATH_MAX + sizeof "/supervise/loaded"], *text;
	struct fingerprint then, now;
	unsigned parts = 0;
	size_t len;

	if (p->pid == 0)
		return 0;
	snprintf(path, sizeof path, "%s/supervise/loaded", dir);
	if (io_read_file(path, 4096, &text, &len) == -1)
		return 0;
	if (fp_parse(text, &then) == 0) {
		fp_service(dir, &now);
		parts = (then.run != now.run ? REPORT_RUN : 0) |
		    (then.conf != now.conf ? REPORT_CONF : 0) |
		    (then.env != now.env ? REPORT_ENV : 0);
	}
	free(text);
	return parts;
}

/*
 * The lines of one unit, the service S or (P == &S->log) its logger:
 * invalid when its conf or env/ does not load now, else changed (and
 * with RESTART restarted: r makes its sid-supervise read conf and env/
 * again), and the ready-port it declares.  An invalid unit is never
 * touched: it keeps running as it was.
 */
static void
gather_unit(struct svc *s, struct sup *p, int restart)
{
	char dir[PATH_MAX], name[PATH_MAX], err[PATH_MAX + 256];
	const char *suffix = p == &s->log ? "/log" : "";
	struct sv_conf conf;
	unsigned parts;

	snprintf(dir, sizeof dir, "%s%s", s->dir, suffix);
	snprintf(name, sizeof name, "%s%s", s->name, suffix);
	report_unit(&pending, name);
	if (svc_check(dir, name, &conf, err, sizeof err) == -1) {
		report_add(&pending, REPORT_INVALID, name, err);
		return;
	}
	report_port(&pending, conf.ready_port, name);
	if ((parts = changed_parts(p, dir)) == 0)
		return;
	report_changed(&pending, name, parts);
	if (restart && sup_send(s, p, "r") == 0)
		report_add(&pending, REPORT_RESTARTED, name, NULL);
}

/*
 * .sid-svscan/report: "scan N", then the lines of lib/report.h: the
 * added and removed since the last report, and for every unit of the
 * tree (removed ones aside) whether it is invalid or changed now.
 */
static void
write_report(int restart)
{
	char head[64];
	char *text;
	size_t i, n, len;

	for (i = 0; i < nsvcs; i++) {
		if (svcs[i]->removed)
			continue;
		gather_unit(svcs[i], &svcs[i]->main, restart);
		if (svcs[i]->has_log)
			gather_unit(svcs[i], &svcs[i]->log, restart);
	}
	check_cycles(1);
	n = (size_t)snprintf(head, sizeof head, "scan %lu\n", ++report_seq);
	len = report_format(&pending, NULL, 0);
	if ((text = malloc(n + len + 1)) == NULL) {
		sid_warn_sys("unable to write %s/%s/report", scan_label,
		    CTL_DIR);
		report_clear(&pending);
		return;
	}
	memcpy(text, head, n);
	report_format(&pending, text + n, len + 1);
	report_clear(&pending);
	if (io_replace(CTL_DIR "/report", text, n + len) == -1)
		sid_warn_sys("unable to write %s/%s/report", scan_label,
		    CTL_DIR);
	free(text);
}

/*
 * "a" asks for a scan and a report, "A" for one that also restarts the
 * changed services.  All that one wakeup brings makes one scan and one
 * report (A when any byte was A): a flood of bytes costs one scan.
 */
static void
read_control(int64_t now)
{
	char buf[4096];
	ssize_t n, i;
	int asked = 0, restart = 0;

	while (ctlfd >= 0 && (n = read(ctlfd, buf, sizeof buf)) > 0)
		for (i = 0; i < n; i++) {
			asked |= buf[i] == 'a' || buf[i] == 'A';
			restart |= buf[i] == 'A';
		}
	if (!asked)
		return;
	scan(now);
	if (!scan_missing)
		write_report(restart);
}

/* ---- output of services without log/ ---- */

/* -p: one line, as "NAME: line", in one write to stdout. */
static void
put_line(const struct svc *s, const char *line, size_t len)
{
	static char out[LINE_MAX_PREFIX + ESC_SIZE(NAME_MAX) + 3];
	size_t nlen = strlen(s->label);

	/* One write per line, so lines of services never interleave. */
	memcpy(out, s->label, nlen);
	memcpy(out + nlen, ": ", 2);
	memcpy(out + nlen + 2, line, len);
	out[nlen + 2 + len] = '\n';
	if (io_write_all(1, out, nlen + 3 + len) == -1 && errno != EPIPE)
		sid_warn_sys("unable to write to stdout");
}

/* lines_emit for -p: each line of RUN prefixed. */
static void
show_lines(void *ctx, const char *run, size_t len)
{
	const char *nl;

	while (len > 0 && (nl = memchr(run, '\n', len)) != NULL) {
		put_line(ctx, run, (size_t)(nl - run));
		len -= (size_t)(nl + 1 - run);
		run = nl + 1;
	}
}

/*
 * Kept output.  NAME/supervise/output holds whole lines of both streams
 * (each at most OUTPUT_LINE_MAX bytes and its newline), in the order we
 * read them.  When a run of lines would take it past OUTPUT_MAX bytes,
 * it is renamed to output.old (replacing that) and a new output begins.
 * A rotation comes only when the old file could not take the next run,
 * so right after one, output.old and output hold more than OUTPUT_MAX
 * bytes between them, and they only grow until the next: once that
 * much was written, the two always hold at least the last OUTPUT_MAX
 * bytes (64 KiB), and never more than 2 * OUTPUT_MAX (128 KiB).  sid-ctl
 * log reads output.old, then output.
 *
 * A file that cannot be opened or written (no supervise/ yet, a full
 * disk) costs only the copy: the output is still forwarded, we warn
 * once (see output_failed), and try again OUTPUT_RETRY_MS later.  A failed write is cut
 * back to the last whole line, so the file never holds a partial one.
 */
static void
output_path(const struct svc *s, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s/supervise/%s", s->dir, file);
}

/*
 * No supervise/ (not made yet, or the service directory removed) is no
 * news: sid-supervise makes it, and says so when it cannot.  Anything
 * else (EACCES, ENOSPC, EROFS) is said once until a write works again.
 */
static void
output_failed(struct svc *s, const char *verb, const char *file)
{
	if (!s->kept.failed && errno != ENOENT && errno != ENOTDIR)
		sid_warn_sys("unable to %s %s/supervise/%s; its output is "
		    "not kept until that works", verb, s->label, file);
	s->kept.failed = 1;
	s->kept.retry_at = clock_now_ms() + OUTPUT_RETRY_MS;
	close_fd(&s->kept.fd);
}

static int
output_open(struct svc *s, int flags)
{
	char path[PATH_MAX];
	struct stat st;

	if (s->kept.fd >= 0)
		return 0;
	if (s->kept.failed && clock_now_ms() < s->kept.retry_at)
		return -1;
	output_path(s, "output", path, sizeof path);
	if ((s->kept.fd = open(path, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC | flags, 0644)) == -1 || fstat(s->kept.fd, &st) == -1) {
		output_failed(s, "open", "output");
		return -1;
	}
	s->kept.size = st.st_size;
	return 0;
}

/* output becomes output.old; a new output begins (truncated, whatever
 * was there: if the rename failed, that keeps the bound). */
static int
output_rotate(struct svc *s)
{
	char path[PATH_MAX], old[PATH_MAX];

	output_path(s, "output", path, sizeof path);
	output_path(s, "output.old", old, sizeof old);
	close_fd(&s->kept.fd);
	if (rename(path, old) == -1 && errno != ENOENT)
		sid_warn_sys("unable to rename %s/supervise/output", s->label);
	return output_open(s, O_TRUNC);
}

/* How much of RUN, whole lines, fits in ROOM bytes. */
static size_t
fit_lines(const char *run, size_t len, size_t room)
{
	if (len <= room)
		return len;
	while (room > 0 && run[room - 1] != '\n')
		room--;
	return room;
}

/* lines_emit for supervise/output: RUN appended, rotating as it must. */
static void
keep_lines(void *ctx, const char *run, size_t len)
{
	struct svc *s = ctx;
	size_t take, room;

	while (len > 0) {
		if (output_open(s, 0) == -1)
			return;
		room = s->kept.size >= OUTPUT_MAX ? 0 :
		    (size_t)(OUTPUT_MAX - s->kept.size);
		if ((take = fit_lines(run, len, room)) == 0) {
			if (output_rotate(s) == -1)
				return;
			continue;
		}
		if (io_write_all(s->kept.fd, run, take) == -1) {
			if (ftruncate(s->kept.fd, s->kept.size) == -1) {
				/* the next open finds the size it has */
			}
			output_failed(s, "write", "output");
			return;
		}
		s->kept.failed = 0;
		s->kept.size += (off_t)take;
		run += take;
		len -= take;
	}
}

/* N bytes that came on stream ST of S: forwarded, and kept. */
static void
take_output(struct svc *s, struct stream *st, const char *buf, size_t n)
{
	static int warned[3];

	if (prefix_output)
		lines_feed(&st->shown, buf, n, show_lines, s);
	else if (io_write_all(st->to, buf, n) == -1 && errno != EPIPE &&
	    !warned[st->to]++)
		sid_warn_sys("unable to write to %s", st->to == 1 ? "stdout" :
		    "stderr");
	if (lines_feed(&st->kept, buf, n, keep_lines, s) == -1)
		sid_warn_sys("%s: a line dropped from supervise/output",
		    s->label);
}

/*
 * What the pipe of ST holds, in reads of READ_SIZE: with ALL to the
 * end, else at most READS_MAX, so one busy service cannot hold the
 * loop: poll() comes back at once for the rest.
 */
static void
read_stream(struct stream *st, int all)
{
	static char buf[READ_SIZE];
	ssize_t n;
	int reads;

	if (st->r < 0)
		return;
	for (reads = 0; all || reads < READS_MAX; reads++) {
		if ((n = read(st->r, buf, sizeof buf)) > 0)
			take_output(st->svc, st, buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			break;
	}
}

/*
 * What the pipes of S hold, as read_stream.  With PFD (the two entries
 * of S), only the streams it says are readable; without, all of them,
 * to the end.
 */
static void
read_output(struct svc *s, const struct pollfd *pfd)
{
	size_t i;

	if (s->has_log)
		return;
	for (i = 0; i < LEN(s->out); i++)
		if (pfd == NULL || (pfd[i].revents & (POLLIN | POLLHUP |
		    POLLERR)))
			read_stream(&s->out[i], pfd == NULL);
}

/* What the epoll set says is readable (HAVE_EPOLL), as read_output. */
static void
read_epolled(void)
{
#ifdef HAVE_EPOLL
	struct epoll_event ev[64];
	int n, i;

	if ((n = epoll_wait(outfd, ev, (int)LEN(ev), 0)) <= 0)
		return;
	for (i = 0; i < n; i++)
		read_stream(ev[i].data.ptr, 0);
#endif
}

/* The partial lines held: out as lines of their own (at removal). */
static void
flush_output(struct svc *s)
{
	size_t i;

	if (s->has_log)
		return;
	for (i = 0; i < LEN(s->out); i++) {
		if (prefix_output)
			lines_flush(&s->out[i].shown, show_lines, s);
		lines_flush(&s->out[i].kept, keep_lines, s);
	}
}

/* ---- timers ---- */

/*
 * A logger whose service is gone was told "o": it ends at EOF, after
 * the last line.  Once it is down (or after DRAIN_MAX_MS), x.
 */
static void
check_drain(struct svc *s, int64_t now)
{
	if (!s->log.quitting && (now >= s->drain_until || logger_down(s)))
		sup_quit(s, &s->log);
}

static void
run_timers(int64_t now)
{
	struct tree_action act[2];
	struct tree_svc ts;
	struct svc *s;
	size_t i, k, j;

	if (now >= next_scan_at && !shutting_down)
		scan(now);
	for (i = 0; i < nsvcs; i++) {
		s = svcs[i];
		/* Due starts (none with DIR gone), its logger first. */
		ts = tree_svc_of(s);
		k = tree_due(&ts, 1, scan_missing, now, act);
		for (j = 0; j < k; j++)
			do_start(s, &act[j], now);
		if (s->draining && s->log.pid != 0)
			check_drain(s, now);
	}
}

static int64_t
next_deadline(int64_t now)
{
	int64_t at = shutting_down ? shutdown_until : next_scan_at;
	struct tree_svc ts;
	struct svc *s;
	size_t i;

#define EARLIER(t)	do { if ((t) >= 0 && (t) < at) at = (t); } while (0)
	for (i = 0; i < nsvcs; i++) {
		s = svcs[i];
		ts = tree_svc_of(s);
		EARLIER(tree_next_start(&ts, 1, scan_missing));
		if (s->draining && !s->log.quitting)
			EARLIER(now + DRAIN_STEP_MS);
	}
#undef EARLIER
	return at;
}

/* ---- needs: cycles and the order of a shutdown (lib/tree.h) ---- */

static char		**cycles_seen;	/* said on stderr, as they were */
static size_t		  ncycles_seen;

/* S needs the N first names of CONF's needs now (NULL: none). */
static void
set_needs(struct svc *s, const struct sv_conf *conf, size_t n)
{
	size_t i;

	for (i = 0; i < s->nneeds; i++)
		free(s->needs[i]);
	free(s->needs);
	s->needs = NULL;
	s->nneeds = 0;
	if (conf == NULL || n == 0)
		return;
	if ((s->needs = calloc(n, sizeof *s->needs)) == NULL)
		return;
	for (i = 0; i < n; i++)
		if ((s->needs[s->nneeds] = strdup(conf_need(conf, (unsigned)i))) != NULL)
			s->nneeds++;
}

/*
 * S's needs and stop-grace from its conf, read again only when the file
 * changed.  A conf that does not load keeps the ones it had (the scan
 * report says it is invalid).
 */
static void
load_needs(struct svc *s)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	struct sv_conf conf;
	struct stat st;

	snprintf(path, sizeof path, "%s/conf", s->dir);
	if (stat(path, &st) == -1) {
		if (s->conf_known && s->conf_st.st_ino == 0)
			return;
		memset(&s->conf_st, 0, sizeof s->conf_st);
		s->conf_known = 1;
		set_needs(s, NULL, 0);
		conf_defaults(&conf);
		s->grace_ms = conf.stop_grace_ms;
		return;
	}
	if (s->conf_known && st.st_dev == s->conf_st.st_dev &&
	    st.st_ino == s->conf_st.st_ino &&
	    st.st_size == s->conf_st.st_size &&
	    st.st_mtim.tv_sec == s->conf_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == s->conf_st.st_mtim.tv_nsec)
		return;
	if (conf_load(path, path, &conf, err, sizeof err) == -1)
		return;
	s->conf_st = st;
	s->conf_known = 1;
	set_needs(s, &conf, conf.nneeds);
	s->grace_ms = conf.stop_grace_ms;
}

/*
 * The tree of the services we run (removed ones too when ALL), into T
 * with NODES (room for nsvcs; the caller frees both).  Returns 0, or
 * -1 (out of memory: no order, no cycles).
 */
static int
build_tree(struct tree *t, struct tree_node **nodes, int all)
{
	struct tree_node *n;
	size_t i, k = 0;

	if ((*nodes = calloc(nsvcs + 1, sizeof **nodes)) == NULL)
		return -1;
	for (i = 0; i < nsvcs; i++) {
		if (!all && svcs[i]->removed)
			continue;
		n = &(*nodes)[k++];
		n->name = svcs[i]->name;
		n->needs = (const char *const *)svcs[i]->needs;
		n->nneeds = svcs[i]->nneeds;
		n->alive = svcs[i]->main.pid != 0;
		n->asked = svcs[i]->main.quitting;
	}
	if (tree_build(t, *nodes, k) == -1) {
		free(*nodes);
		return -1;
	}
	return 0;
}

/* The names of cycle K, escaped, joined by " -> ": malloc'd. */
static char *
cycle_label(const struct tree *t, size_t k)
{
	const char **names;
	char *text;
	size_t n;

	if ((names = calloc(t->n + 2, sizeof *names)) == NULL)
		return NULL;
	n = tree_cycle(t, k, names);
	text = report_cycle_text(names, n);
	free(names);
	return text;
}

/*
 * After a scan: the needs as the confs say now, and one line on stderr
 * for each cycle not seen at the last scan.  With REPORT, the cycle
 * lines of the scan report too.
 */
static void
check_cycles(int report)
{
	struct tree_node *nodes;
	const char **names;
	struct tree t;
	char **now = NULL, *text;
	size_t i, j, k, n = 0;
	int old;

	for (i = 0; i < nsvcs; i++)
		if (!svcs[i]->removed)
			load_needs(svcs[i]);
	if (build_tree(&t, &nodes, 0) == -1)
		return;
	if (tree_ncycles(&t) > 0 &&
	    (now = calloc(tree_ncycles(&t), sizeof *now)) == NULL)
		goto out;
	for (k = 0; k < tree_ncycles(&t); k++) {
		if ((text = cycle_label(&t, k)) == NULL)
			continue;
		for (old = 0, j = 0; j < ncycles_seen && !old; j++)
			old = strcmp(cycles_seen[j], text) == 0;
		if (!old)
			sid_error("cycle %s: these services wait for each "
			    "other", text);
		now[n++] = text;
		if (report && (names = calloc(t.n + 2, sizeof *names)) !=
		    NULL) {
			report_cycle(&pending, names, tree_cycle(&t, k,
			    names));
			free(names);
		}
	}
	for (j = 0; j < ncycles_seen; j++)
		free(cycles_seen[j]);
	free(cycles_seen);
	cycles_seen = now;
	ncycles_seen = n;
out:
	tree_free(&t);
	free(nodes);
}

/*
 * Shutting down: x to every service that no running service needs any
 * more (lib/tree.h decides; a cycle goes together), and once every
 * service is gone, the loggers.
 */
static void
advance_shutdown(int64_t now)
{
	struct tree_node *nodes;
	struct tree t;
	size_t *stop, n, i, k = 0;
	int loggers, alive = 0, unasked = 0;

	/*
	 * Each exit of a service's sid-supervise brings us here: when every
	 * one still running was told already, nobody else may be told yet,
	 * and no graph is needed to say so.
	 */
	for (i = 0; i < nsvcs; i++)
		if (svcs[i]->main.pid != 0) {
			alive = 1;
			unasked |= !svcs[i]->main.quitting;
		}
	if (alive && !unasked)
		return;
	if (build_tree(&t, &nodes, 1) == -1) {
		/* No order without memory: everything at once, as before. */
		for (i = nsvcs; i-- > 0;)
			remove_service(svcs[i], now);
		return;
	}
	if ((stop = calloc(t.n + 1, sizeof *stop)) == NULL) {
		tree_free(&t);
		free(nodes);
		for (i = nsvcs; i-- > 0;)
			remove_service(svcs[i], now);
		return;
	}
	k = tree_stop_now(&t, stop);
	loggers = tree_loggers_may_stop(&t);
	/* nodes[] are svcs[] in order (all of them): the same index. */
	for (n = 0; n < k; n++)
		remove_service(svcs[stop[n]], now);
	free(stop);
	tree_free(&t);
	free(nodes);
	if (loggers)
		for (i = nsvcs; i-- > 0;)
			if (svcs[i]->main.pid == 0)
				remove_service(svcs[i], now);
}

/* ---- shutdown ---- */

static void
begin_shutdown(int64_t now)
{
	struct tree_node *nodes;
	struct tree t;
	int64_t grace = 0;
	size_t i, depth = 1;

	if (shutting_down)
		return;
	shutting_down = 1;
	for (i = 0; i < nsvcs; i++) {
		load_needs(svcs[i]);
		if (svcs[i]->grace_ms > grace)
			grace = svcs[i]->grace_ms;
	}
	if (grace == 0)
		grace = 10000;
	/*
	 * Escalation takes one grace; a group stuck after it, another.  A
	 * chain of needs stops one link after the other: that, each link.
	 */
	if (build_tree(&t, &nodes, 1) == 0) {
		if ((depth = tree_depth(&t)) < 1)
			depth = 1;
		tree_free(&t);
		free(nodes);
	}
	shutdown_until = now + (int64_t)depth * 2 * grace + STOP_MARGIN_MS;
	for (i = 0; i < nsvcs; i++) {
		svcs[i]->removed = 1;
		tree_unit_cancel(&svcs[i]->main.u);
		tree_unit_cancel(&svcs[i]->log.u);
	}
	/* Dependents first, what they need after, loggers last. */
	advance_shutdown(now);
}

/* Past the deadline: kill what is left, and say so. */
static void
abandon_shutdown(void)
{
	size_t i;

	for (i = 0; i < nsvcs; i++) {
		sid_warn("%s: still running at the shutdown deadline; "
		    "SIGKILL to its sid-supervise", svcs[i]->label);
		if (svcs[i]->main.pid != 0)
			kill(svcs[i]->main.pid, SIGKILL);
		if (svcs[i]->log.pid != 0)
			kill(svcs[i]->log.pid, SIGKILL);
	}
}

/* ---- setup ---- */

/*
 * sid-supervise beside our own binary, else the first one in PATH, as an
 * absolute path: we chdir into DIR before we start any.
 */
static void
find_supervise(const char *argv0)
{
	char cwd[PATH_MAX], dir[PATH_MAX], *slash;
	const char *path, *p, *end;
	int n;

	if (getcwd(cwd, sizeof cwd) == NULL)
		sid_die_sys(111, "unable to get the working directory");
	if (strchr(argv0, '/') != NULL) {
		n = snprintf(dir, sizeof dir, "%s%s%s", argv0[0] == '/' ?
		    "" : cwd, argv0[0] == '/' ? "" : "/", argv0);
		slash = strrchr(dir, '/');
		if (n > 0 && (size_t)n < sizeof dir && snprintf(slash + 1,
		    sizeof dir - (size_t)(slash + 1 - dir), "sid-supervise") <
		    (int)(sizeof dir - (size_t)(slash + 1 - dir)) &&
		    access(dir, X_OK) == 0) {
			memcpy(supervise_bin, dir, sizeof dir);
			return;
		}
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		n = snprintf(dir, sizeof dir, "%s%s%.*s/sid-supervise",
		    *p == '/' ? "" : cwd, *p == '/' ? "" : "/",
		    (int)(end - p), p);
		if (end > p && n > 0 && (size_t)n < sizeof dir &&
		    access(dir, X_OK) == 0) {
			memcpy(supervise_bin, dir, sizeof dir);
			return;
		}
	}
	sid_die(111, "unable to find sid-supervise beside %s or in PATH",
	    argv0);
}

/* Go on numbering reports where an earlier sid-svscan stopped. */
static unsigned long
last_report_seq(void)
{
	unsigned long seq = 0;
	size_t len;
	char *text;

	if (io_read_file(CTL_DIR "/report", 1024 * 1024, &text, &len) == 0) {
		if (sscanf(text, "scan %lu", &seq) != 1)
			seq = 0;
		free(text);
	}
	return seq;
}

static void
close_control(void)
{
	close_fd(&ctlfd);
	close_fd(&ctlwfd);
	close_fd(&lockfd);
}

/* Making .sid-svscan failed: fatal at start, a warning later on. */
static void
control_failed(int fatal, const char *verb, const char *file)
{
	if (fatal)
		sid_die_sys(111, "unable to %s %s/%s%s", verb, scan_label,
		    CTL_DIR, file);
	sid_warn_sys("unable to %s %s/%s%s; sid-ctl scan will not work",
	    verb, scan_label, CTL_DIR, file);
	close_control();
}

/*
 * DIR/.sid-svscan holds our lock (one sid-svscan per directory), the
 * FIFO that "sid-ctl scan" writes to, and the scan report.  A read-only
 * DIR still works, without sid-ctl scan.  Returns 0, or -1 when another
 * sid-svscan holds the lock (FATAL: at start, where that is an exit).
 */
static int
open_control(int fatal)
{
	struct stat st;
	char who[128];
	pid_t holder;

	if (mkdir(CTL_DIR, 0700) == -1 && errno != EEXIST) {
		control_failed(0, "create", "");
		return 0;
	}
	if ((lockfd = io_lock(CTL_DIR "/lock", &holder)) == -1) {
		if (errno != EAGAIN) {
			control_failed(fatal, "lock", "/lock");
			return 0;
		}
		proc_describe(holder, who, sizeof who);
		if (fatal)
			sid_die(111, "%s is already scanned by %s", scan_label,
			    who);
		sid_warn("%s is scanned by %s now; stopping this tree",
		    scan_label, who);
		return -1;
	}
	if (mkfifo(CTL_DIR "/control", 0600) == -1 && errno != EEXIST) {
		control_failed(fatal, "create", "/control");
		return 0;
	}
	if ((ctlfd = open(CTL_DIR "/control", O_RDONLY | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || (ctlwfd = open(CTL_DIR "/control",
	    O_WRONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(ctlfd, &st) == -1) {
		control_failed(fatal, "open", "/control");
		return 0;
	}
	ctl_dev = st.st_dev;
	ctl_ino = st.st_ino;
	if (last_report_seq() > report_seq)
		report_seq = last_report_seq();
	return 0;
}

static void
open_watch(void)
{
	close_fd(&watchfd);
#ifdef HAVE_INOTIFY
	/* The SELF events (and IN_IGNORED): DIR itself removed or moved. */
	watchfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (watchfd >= 0 && inotify_add_watch(watchfd, ".", IN_CREATE |
	    IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
	    IN_DELETE_SELF | IN_MOVE_SELF) == -1)
		close_fd(&watchfd);
#endif
	/* With a watch, the period is only a safety net. */
	scan_period_ms = user_period_ms >= 0 ? user_period_ms :
	    watchfd >= 0 ? 60000 : 1000;
}

/* Move into DIR by its absolute path; remember which directory it is. */
static int
enter_scan_dir(void)
{
	struct stat st;

	if (chdir(scan_abs) == -1 || stat(".", &st) == -1)
		return -1;
	scan_dev = st.st_dev;
	scan_ino = st.st_ino;
	return 0;
}

/* DIR as given, made absolute (we chdir into it, and back after rm). */
static void
set_scan_dir(const char *dir)
{
	char cwd[PATH_MAX];
	int n;

	if (dir[0] == '/')
		n = snprintf(scan_abs, sizeof scan_abs, "%s", dir);
	else if (getcwd(cwd, sizeof cwd) == NULL)
		sid_die_sys(111, "unable to get the working directory");
	else if (strcmp(dir, ".") == 0)
		n = snprintf(scan_abs, sizeof scan_abs, "%s", cwd);
	else
		n = snprintf(scan_abs, sizeof scan_abs, "%s/%s", cwd, dir);
	esc_text(scan_label, sizeof scan_label, scan_abs);
	if (n < 0 || (size_t)n >= sizeof scan_abs)
		sid_die(111, "%s: the path is too long", scan_label);
}

static void
setup(const char *argv0, const char *dir)
{
	static const int caught[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP,
	    SIGPIPE };
	size_t i;

	io_cloexec_from(3);
	proc_start_init();
	find_supervise(argv0);
	set_scan_dir(dir);
	if (enter_scan_dir() == -1)
		sid_die_sys(111, "unable to chdir to %s", scan_label);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		sid_die_sys(111, "unable to open /dev/null");
	if ((sigfd = selfpipe_init()) == -1)
		sid_die_sys(111, "unable to set up signals");
	for (i = 0; i < LEN(caught); i++)
		if (selfpipe_catch(caught[i]) == -1)
			sid_die_sys(111, "unable to catch signal %d", caught[i]);
#ifdef HAVE_EPOLL
	/* Without it, poll() is given every pipe. */
	outfd = epoll_create1(EPOLL_CLOEXEC);
#endif
#ifdef PR_SET_CHILD_SUBREAPER
	/* Orphans of the tree come to us, and we reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	open_control(1);
	open_watch();
	/* The first line: which directory (a failure above names it too). */
	sid_error("scanning %s", scan_label);
}

/* ---- the scan directory removed, moved, made again ---- */

/* DIR is gone: its services keep running; look for it once a second. */
static void
lose_scan_dir(int64_t now)
{
	if (!scan_missing)
		sid_warn("%s was removed; waiting for it to come back",
		    scan_label);
	scan_missing = 1;
	close_fd(&watchfd);
	if (next_scan_at > now + MISSING_MS)
		next_scan_at = now + MISSING_MS;
}

/*
 * Make .sid-svscan again.  When another sid-svscan took DIR meanwhile,
 * leave it the tree: stop ours, and exit 111 then.  Returns 0 then.
 */
static int
reopen_control(int64_t now)
{
	close_control();
	ctl_lost_at = -1;
	if (open_control(0) == 0)
		return 1;
	exit_code = 111;
	begin_shutdown(now);
	return 0;
}

/*
 * .sid-svscan/control is still the FIFO we read: else make it again, a
 * second later and only when DIR is still there then, so that we never
 * put it back into a DIR that "rm -rf" is emptying.
 */
static int
check_control(int64_t now)
{
	struct stat st;

	if (ctlfd < 0 || (stat(CTL_DIR "/control", &st) == 0 &&
	    st.st_dev == ctl_dev && st.st_ino == ctl_ino)) {
		ctl_lost_at = -1;
		return 1;
	}
	if (ctl_lost_at < 0)
		ctl_lost_at = now;
	if (now < ctl_lost_at + MISSING_MS) {
		if (next_scan_at > ctl_lost_at + MISSING_MS)
			next_scan_at = ctl_lost_at + MISSING_MS;
		return 1;
	}
	ctl_lost_at = -1;
	sid_warn("%s/%s/control was removed; making it again", scan_label,
	    CTL_DIR);
	return reopen_control(now);
}

/*
 * Before each scan: is "." still DIR, and .sid-svscan ours?  When DIR
 * names another directory now (or again), move into it.  Returns 1 when
 * the scan may go on.
 */
static int
check_scan_dir(int64_t now)
{
	struct stat st;
	int moved;

	if (stat(scan_abs, &st) == -1 || !S_ISDIR(st.st_mode)) {
		lose_scan_dir(now);
		return 0;
	}
	moved = st.st_dev != scan_dev || st.st_ino != scan_ino;
	if (!moved && !scan_missing)
		return check_control(now);
	lose_scan_dir(now);		/* says so, once */
	if (moved && (enter_scan_dir() == -1 || !reopen_control(now)))
		return 0;
	if (!moved && !check_control(now))
		return 0;
	scan_missing = 0;
	open_watch();
	next_scan_at = now + scan_period_ms;
	sid_warn("%s is back; scanning it", scan_label);
	return 1;
}

/* ---- the loop ---- */

static void
handle_signals(int64_t now)
{
	int sig;

	while ((sig = selfpipe_read()) != 0) {
		if (sig == SIGCHLD)
			reap(now);
		else if (sig == SIGHUP)
			next_scan_at = now;
		else if (sig == SIGTERM || sig == SIGINT)
			begin_shutdown(now);
	}
}

static void
drain_watch(int64_t now)
{
	char buf[4096];

	while (read(watchfd, buf, sizeof buf) > 0)
		;
	next_scan_at = now;
}

/* A service whose output pipes poll() is given one by one. */
static int
polled_alone(const struct svc *s)
{
	return !s->has_log && !s->epolled;
}

/*
 * The fds to poll: the signal fd, the control FIFO, the watch, the
 * epoll set, then two for each service without log/ whose pipes are
 * not in that set (its stdout and stderr pipes), in the order of svcs,
 * then the report pipe of each sid-supervise whose exec is not seen
 * yet (see check_exec), in the same order.  Returns how many.
 */
static size_t
poll_set(struct pollfd **pfd, size_t *cap)
{
	struct pollfd *grown;
	size_t n, i;

	if (*cap < 4 * nsvcs + 4) {
		*cap = (4 * nsvcs + 4) * 2;
		if ((grown = realloc(*pfd, *cap * sizeof **pfd)) == NULL)
			sid_die_sys(111, "out of memory");
		*pfd = grown;
	}
	(*pfd)[0].fd = sigfd;
	(*pfd)[1].fd = ctlfd;
	(*pfd)[2].fd = watchfd;
	(*pfd)[3].fd = outfd;
	for (n = 4, i = 0; i < nsvcs; i++)
		if (polled_alone(svcs[i])) {
			(*pfd)[n++].fd = svcs[i]->out[0].r;
			(*pfd)[n++].fd = svcs[i]->out[1].r;
		}
	for (i = 0; i < nsvcs; i++) {
		if (svcs[i]->main.errfd >= 0)
			(*pfd)[n++].fd = svcs[i]->main.errfd;
		if (svcs[i]->log.errfd >= 0)
			(*pfd)[n++].fd = svcs[i]->log.errfd;
	}
	for (i = 0; i < n; i++) {
		(*pfd)[i].events = POLLIN;
		(*pfd)[i].revents = 0;
	}
	return n;
}

static void
run_loop(void)
{
	struct pollfd *pfd = NULL;
	size_t cap = 0, n, i;
	int64_t now, at;
	int timeout;

	while (!shutting_down || nsvcs > 0) {
		now = clock_now_ms();
		n = poll_set(&pfd, &cap);
		at = next_deadline(now);
		timeout = at <= now ? 0 : at - now > INT_MAX ? INT_MAX :
		    (int)(at - now);
		if (poll(pfd, (nfds_t)n, timeout) == -1) {
			if (errno != EINTR)
				sid_warn_sys("poll");
			for (i = 0; i < n; i++)
				pfd[i].revents = 0;	/* not set by poll */
		}
		/*
		 * Output first: svcs is still the table pfd was made of, and
		 * no service the epoll set names is gone yet.
		 */
		if (outfd >= 0 && (pfd[3].revents & POLLIN))
			read_epolled();
		for (n = 4, i = 0; i < nsvcs; i++)
			if (polled_alone(svcs[i])) {
				read_output(svcs[i], pfd + n);
				n += 2;
			}
		for (i = 0; i < nsvcs; i++) {
			if (svcs[i]->main.errfd >= 0 && pfd[n++].revents != 0)
				check_exec(svcs[i], &svcs[i]->main);
			if (svcs[i]->log.errfd >= 0 && pfd[n++].revents != 0)
				check_exec(svcs[i], &svcs[i]->log);
		}
		now = clock_now_ms();
		handle_signals(now);
		if (ctlfd >= 0 && (pfd[1].revents & POLLIN))
			read_control(now);
		if (watchfd >= 0 && (pfd[2].revents & POLLIN))
			drain_watch(now);
		run_timers(now);
		if (shutting_down && now >= shutdown_until && nsvcs > 0) {
			abandon_shutdown();
			break;
		}
	}
	free(pfd);
}

int
main(int argc, char *argv[])
{
	const char *dir;
	char *end, opt[3] = "-?";
	double secs;
	int c;

	msg_init("sid-svscan");
	sid_long_options(argc, argv, SYNOPSIS, help);
	opterr = 0;
	while ((c = getopt(argc, argv, ":pt:")) != -1) {
		opt[1] = (char)optopt;
		switch (c) {
		case 'p':
			prefix_output = 1;
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || secs <= 0 ||
			    secs > 86400)
				usage("-t takes seconds, above 0 and at most "
				    "86400: ", optarg);
			user_period_ms = (int64_t)(secs * 1000);
			break;
		case ':':
			usage("a value is needed after ", opt);
		default:
			usage("unknown option ", opt);
		}
	}
	if (argc - optind > 1)
		usage("one DIR at most, not also ", argv[optind + 1]);
	/* Never the current directory by default: the tree is the system's. */
	if ((dir = argv[optind]) == NULL &&
	    ((dir = getenv("SID_SCANDIR")) == NULL || *dir == '\0'))
		dir = DEFAULT_DIR;
	setup(argv[0], dir);
	scan(clock_now_ms());
	run_loop();
	return exit_code;
}
