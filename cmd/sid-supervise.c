/*
 * sid-supervise SVCDIR: run SVCDIR/run and keep it running.
 *
 * One loop around one poll() of {signal fd (selfpipe.h), control FIFO,
 * readiness pipe}, with the state machine's next deadline as the
 * timeout: an idle service costs no wakeups.  All decisions are
 * lib/sv.c's; this file only wires them to the system and writes
 * supervise/{status,pid,events}.
 *
 * Exit codes: 0 after x (or SIGTERM), 64 usage, 111 setup failed (for
 * example another sid-supervise holds supervise/lock).
 */
#include <sys/stat.h>
#include <sys/wait.h>

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
#include <sys/inotify.h>
#include <sys/prctl.h>
#endif

#include "cgroup.h"
#include "clock.h"
#include "envdir.h"
#include "escape.h"
#include "fingerprint.h"
#include "io.h"
#include "msg.h"
#include "notify.h"
#include "port.h"
#include "proc.h"
#include "selfpipe.h"
#include "status.h"
#include "sv.h"
#include "svcheck.h"

#define EVENTS_MAX	65536	/* supervise/events is trimmed beyond this */
#define EVENTS_KEEP	32768	/* ... to about this much, whole lines */
#define RETRY_MS	1000	/* retry of a failed status write */
#define STATUS_MAX	8192	/* the longest status: every field escaped */
#define EVENT_LINE_MAX	1024	/* the longest events line */
#define NEEDS_POLL_MS	100	/* needs, where they cannot be watched */

extern char **environ;

static struct sv	 sv;
static const char	*svdir;		/* as given, for messages */
static char		*conf_name;	/* "SVCDIR/conf", for messages */
static int		 sigfd = -1, fifo_fd = -1, notify_fd = -1;
static int		 watch_fd = -1;	/* the directory, while run is awaited */
static int		 devnull = -1, events_fd = -1;
static off_t		 events_size;
static char		**child_env;
static int64_t		 since_ms;	/* wall time of the last transition */
/*
 * The status last written, so that an unchanged one is not written
 * again (each rename wakes whoever watches it): in STATUS_SMALL when it
 * is short, as it nearly always is, else in a malloc'ed copy.
 */
static char		 status_small[512];
static char		*status_text = status_small;
static size_t		 status_len;
static pid_t		 status_pid = -1;
static pid_t		 child_pgid = -1;	/* as in supervise/child */
static struct fingerprint loaded;		/* as in supervise/loaded */
static int		 loaded_dirty;	/* ... to be written */
static int64_t		 retry_at = -1;	/* status write failed: retry then */
static int		 status_failed;	/* a warning was printed: status */
static int		 events_failed;	/* ... and events */
static struct cgroup	 cg;		/* the service's cgroup ... */
static int		 have_cgroup;	/* ... where it has one */
static int		 nsock_fd = -1;	/* the notify socket, supervise/notify */
static char		 nsock_path[128];	/* ... its absolute path */
static char		*needs_base;	/* the scan directory: NAME's parent */
static int		 needs_fd = -1;	/* inotify on the needs, while held */
static int		 needs_dirty;	/* look at the needs again */
static int64_t		 needs_poll_at = -1;	/* ... then, where unwatched */
static unsigned long	 needs_events;	/* sv.events when last looked */

#define SYNOPSIS	"sid-supervise [--] SVCDIR"

/* --help: on stdout, one option a line, within 80 columns. */
static void
help(void)
{
	fputs("usage: " SYNOPSIS "\n"
	    "Run SVCDIR/run and keep it running: restart it with backoff, stop\n"
	    "the whole service, answer SVCDIR/supervise/control, and write\n"
	    "SVCDIR/supervise/status and SVCDIR/supervise/events.\n"
	    "\n"
	    "  SVCDIR   the service directory (run; finish, conf, env/, down...)\n"
	    "  --       end of options, so that SVCDIR may begin with '-'\n"
	    "  --help   print this help and exit\n"
	    "\n"
	    "Exit status: 0 after x, SIGTERM or SIGINT; 64 usage error;\n"
	    "111 setup failed (e.g. another supervisor holds supervise/lock).\n"
	    "See sid-supervise(8) and sid(7).\n", stdout);
	exit(fflush(stdout) == 0 ? 0 : 111);
}

/* A usage error: one line naming ARG and why, then the short usage. */
static void usage_error(const char *, const char *) __attribute__((noreturn));

static void
usage_error(const char *why, const char *arg)
{
	char shown[ESC_SIZE(64)];

	sid_usage(SYNOPSIS, "%s%s%s", why, arg != NULL ? " " : "",
	    arg != NULL ? esc_text(shown, sizeof shown, arg) : "");
}

/*
 * The one operand, SVCDIR.  "--" ends the options, so a directory may
 * begin with '-'; before it, "--help" is the only option.
 */
static const char *
parse_args(int argc, char *argv[])
{
	const char *dir = NULL;
	int i, options = 1;

	for (i = 1; i < argc; i++) {
		if (options && strcmp(argv[i], "--") == 0) {
			options = 0;
			continue;
		}
		if (options && strcmp(argv[i], "--help") == 0)
			help();
		if (options && argv[i][0] == '-')
			usage_error("unknown option", argv[i]);
		if (dir != NULL)
			usage_error("one SVCDIR only, not also", argv[i]);
		dir = argv[i];
	}
	if (dir == NULL)
		usage_error("missing SVCDIR", NULL);
	return dir;
}

/*
 * Rewrite events keeping only its last EVENTS_KEEP bytes, whole lines.
 * Only that tail is read, however large the file has grown.
 */
static void
events_trim(void)
{
	char *text, *keep;
	struct stat st;
	ssize_t n = -1;
	int fd;

	if ((text = malloc(EVENTS_KEEP)) == NULL)
		return;
	if ((fd = open("supervise/events", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (fstat(fd, &st) == 0 && lseek(fd, st.st_size > EVENTS_KEEP ?
		    st.st_size - EVENTS_KEEP : 0, SEEK_SET) != -1)
			n = read(fd, text, EVENTS_KEEP);
		close(fd);
	}
	if (n <= 0) {
		free(text);
		return;
	}
	/* Start at a whole line, unless the file was small enough. */
	keep = text;
	if (st.st_size > EVENTS_KEEP) {
		keep = memchr(text, '\n', (size_t)n);
		keep = keep != NULL ? keep + 1 : text + n;
	}
	if (io_replace("supervise/events", keep, (size_t)(text + n - keep)) ==
	    0) {
		close(events_fd);
		events_fd = open("supervise/events",
		    O_WRONLY | O_APPEND | O_CLOEXEC);
		events_size = (off_t)(text + n - keep);
	}
	free(text);
}

/*
 * The events lines of this turn of the loop, appended by events_flush()
 * after supervise/status is written: whoever reads a line there (sid-ctl
 * waits for "control: d") then finds a status at least as new.  A turn
 * with more lines than the small queue holds (a flood of control bytes)
 * moves them to a malloc'ed one, given back at the flush.
 */
static char	 events_small[2048];
static char	*events_queue = events_small;
static size_t	 events_cap = sizeof events_small, events_queued;

static void	flush_status(int64_t);

/* Room for one more line of EVENT_LINE_MAX; -1 when memory ran out. */
static int
events_room(void)
{
	char *bigger;

	if (events_cap - events_queued >= EVENT_LINE_MAX)
		return 0;
	if (events_queue == events_small) {
		if ((bigger = malloc(2 * events_cap)) == NULL)
			return -1;
		memcpy(bigger, events_small, events_queued);
	} else if ((bigger = realloc(events_queue, 2 * events_cap)) == NULL)
		return -1;
	events_queue = bigger;
	events_cap *= 2;
	return 0;
}

/* One events line, formatted in the queue itself: no copy on the stack. */
static void
events_append(int64_t now, enum sv_state from, enum sv_state to,
    const char *reason)
{
	if (events_room() == -1)
		flush_status(clock_now_ms());	/* out of memory: write now */
	events_queued += events_format(events_queue + events_queued,
	    EVENT_LINE_MAX, now, from, to, reason);
}

static void
events_flush(void)
{
	size_t len = events_queued;
	int failed, saved;

	if (len == 0)
		return;
	events_queued = 0;
	failed = events_fd == -1 ||
	    io_write_all(events_fd, events_queue, len) == -1;
	saved = errno;
	if (events_queue != events_small) {
		free(events_queue);
		events_queue = events_small;
		events_cap = sizeof events_small;
	}
	errno = saved;
	if (failed) {
		if (!events_failed)
			sid_warn_sys("unable to write %s/supervise/events",
			    svdir);
		events_failed = 1;
		return;
	}
	if (events_failed)
		sid_warn("writing %s/supervise/events works again", svdir);
	events_failed = 0;
	events_size += (off_t)len;
	if (events_size > EVENTS_MAX)
		events_trim();
}

static void
on_event(void *ctx, enum sv_state from, enum sv_state to, const char *reason)
{
	int64_t now = clock_wall_ms();

	(void)ctx;
	if (from != to)
		since_ms = now;
	events_append(now, from, to, reason);
}

/* supervise/loaded changed: flush_status() writes it. */
static void
write_loaded(void)
{
	loaded_dirty = 1;
}

static int
has_log_dir(void)
{
	struct stat st;

	return stat("log", &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * A logger (the service directory is NAME/log) reads its service's
 * output from our stdin; every other service reads /dev/null.
 */
static int
is_logger(void)
{
	size_t len = strlen(svdir);
	const char *base;

	while (len > 1 && svdir[len - 1] == '/')
		len--;
	base = svdir + len;
	while (base > svdir && base[-1] != '/')
		base--;
	return (size_t)(svdir + len - base) == 3 && strncmp(base, "log", 3) == 0;
}

/*
 * The notify socket: opened when conf asks for it, closed when it no
 * longer does.  A path too long for a socket address is a conf error,
 * named so: the service cannot have what conf asks for.
 */
static int
notify_socket(const struct sv_conf *conf, char *err, size_t errlen)
{
	char *cwd, path[sizeof nsock_path + 1];
	int n;

	if (!conf->notify_socket) {
		if (nsock_fd >= 0) {
			close(nsock_fd);
			unlink("supervise/notify");
			nsock_fd = -1;
		}
		return 0;
	}
	if (nsock_fd >= 0)
		return 0;
	if ((cwd = io_cwd()) == NULL) {
		snprintf(err, errlen, "notify-socket: unable to tell the "
		    "directory: %s", strerror(errno));
		return -1;
	}
	n = snprintf(path, sizeof path, "%s%ssupervise/notify", cwd,
	    strcmp(cwd, "/") == 0 ? "" : "/");
	if (n < 0 || (size_t)n >= sizeof nsock_path) {
		errno = ENAMETOOLONG;
		nsock_fd = -1;
	} else
		nsock_fd = notify_open(path);
	if (nsock_fd == -1) {
		if (errno == ENAMETOOLONG)
			snprintf(err, errlen, "notify-socket: %s%ssupervise/"
			    "notify is %d bytes, longer than a socket path may "
			    "be (%zu)", cwd, strcmp(cwd, "/") == 0 ? "" : "/",
			    n, notify_path_max());
		else
			snprintf(err, errlen, "notify-socket: unable to bind "
			    "%s: %s", path, strerror(errno));
		free(cwd);
		return -1;
	}
	free(cwd);
	memcpy(nsock_path, path, (size_t)n + 1);
	return 0;
}

/*
 * environ with NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as CONF
 * says (proc_spawn makes WATCHDOG_PID the child's own), and without
 * them otherwise: a malloc'ed array of environ's strings and static
 * ones, for envdir_build to copy.
 */
static char **
health_env(const struct sv_conf *conf)
{
	static char sock[sizeof nsock_path + 16], usec[48];
	static char pid[] = "WATCHDOG_PID=0";
	char **base;
	size_t n = 0, i, k = 0;

	while (environ[n] != NULL)
		n++;
	if ((base = malloc((n + 4) * sizeof *base)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) != 0 &&
		    strncmp(environ[i], "WATCHDOG_USEC=", 14) != 0 &&
		    strncmp(environ[i], "WATCHDOG_PID=", 13) != 0)
			base[k++] = environ[i];
	if (conf->notify_socket) {
		snprintf(sock, sizeof sock, "NOTIFY_SOCKET=%s", nsock_path);
		base[k++] = sock;
		if (conf->watchdog_ms > 0) {
			snprintf(usec, sizeof usec, "WATCHDOG_USEC=%lld",
			    (long long)conf->watchdog_ms * 1000);
			base[k++] = usec;
			base[k++] = pid;
		}
	}
	base[k] = NULL;
	return base;
}

/* ./check: a regular file with execute permission. */
static int
has_check(void)
{
	struct stat st;

	return stat("check", &st) == 0 && S_ISREG(st.st_mode) &&
	    access("check", X_OK) == 0;
}

/*
 * 1 when CONF needs this service: its real name, or the name given.
 * NAME is asked for only when CONF has needs, in a function of its
 * own: the page of stack under NAME would otherwise be touched by every
 * reload, one page more for every sid-supervise, needs or not.
 */
static int	needs_self_named(const struct sv_conf *)
		    __attribute__((noinline));

static int
needs_self(const struct sv_conf *conf)
{
	return conf->nneeds > 0 && needs_self_named(conf);
}

static int
needs_self_named(const struct sv_conf *conf)
{
	char name[PATH_MAX];
	size_t len = strlen(svdir);
	const char *last;

	if (conf_needs_self(conf, svc_name(".", name, sizeof name)))
		return 1;
	while (len > 1 && svdir[len - 1] == '/')
		len--;
	for (last = svdir + len; last > svdir && last[-1] != '/'; last--)
		;
	if ((size_t)(svdir + len - last) >= sizeof name)
		return 0;
	memcpy(name, last, (size_t)(svdir + len - last));
	name[svdir + len - last] = '\0';
	return conf_needs_self(conf, name);
}

/*
 * Where the needs are: the directory SVCDIR is in, by the path given
 * (so that a service linked into the scan directory finds its siblings
 * there, not beside the link's target), made absolute before chdir.
 */
static void
needs_base_init(void)
{
	char *cwd;
	size_t len = strlen(svdir), dirlen;
	const char *last;
	int weird;

	while (len > 1 && svdir[len - 1] == '/')
		len--;
	for (last = svdir + len; last > svdir && last[-1] != '/'; last--)
		;
	weird = (svdir + len - last == 1 && last[0] == '.') ||
	    (svdir + len - last == 2 && last[0] == '.' && last[1] == '.');
	dirlen = weird ? len : (size_t)(last - svdir);
	while (dirlen > 1 && svdir[dirlen - 1] == '/')
		dirlen--;		/* "/srv/" is "/srv", "/" stays */
	if ((cwd = io_cwd()) == NULL && (cwd = strdup(".")) == NULL)
		sid_die_sys(111, "out of memory");
	if ((needs_base = malloc(strlen(cwd) + dirlen + 8)) == NULL)
		sid_die_sys(111, "out of memory");
	if (svdir[0] == '/')
		needs_base[0] = '\0';
	else {
		strcpy(needs_base, cwd);
		if (dirlen > 0 && strcmp(cwd, "/") != 0)
			strcat(needs_base, "/");
	}
	strncat(needs_base, svdir, dirlen);
	if (weird)
		strcat(needs_base, "/..");
	free(cwd);
}

/*
 * 1 when NAME, a sibling, is up and ready (yes or n/a) by its status,
 * and a sid-supervise holds its lock: a status left by a supervisor that
 * died tells nothing.  (Where the lock cannot be read, the status tells.)
 */
static int
need_met(const char *name)
{
	char *path, *text;
	size_t len, size = strlen(needs_base) + strlen(name) + 20;
	pid_t holder;
	int met = 0, held;

	if ((path = malloc(size)) == NULL)
		return 0;
	snprintf(path, size, "%s/%s/supervise/lock", needs_base, name);
	held = io_lock_held(path, &holder);
	if (held == 1 || (held == -1 && errno != ENOENT)) {
		strcpy(path + strlen(path) - strlen("lock"), "status");
		if (io_read_file(path, 16384, &text, &len) == 0) {
			met = status_up_and_ready(text);
			free(text);
		}
	}
	free(path);
	return met;
}

static void
op_needs_unmet(void *ctx, const struct sv_conf *conf, char *unmet,
    size_t size)
{
	const char *name;
	size_t len = 0, n;
	unsigned i;

	(void)ctx;
	unmet[0] = '\0';
	for (i = 0; i < conf->nneeds; i++) {
		name = conf_need(conf, i);
		if (need_met(name))
			continue;
		n = strlen(name);
		if (len + (len > 0) + n >= size)
			break;
		if (len > 0)
			unmet[len++] = ' ';
		memcpy(unmet + len, name, n);
		len += n;
		unmet[len] = '\0';
	}
}

static int
op_reload(void *ctx, struct sv_conf *conf, struct sv_recipe *recipe,
    char *err, size_t errlen)
{
	static struct sv_conf fresh;	/* static: keeps the stack small */
	char **env, **base;

	(void)ctx;
	if (conf_load("conf", conf_name, &fresh, err, errlen) == -1)
		return -1;
	if (needs_self(&fresh)) {
		snprintf(err, errlen, "%s: needs names the service itself",
		    conf_name);
		return -1;
	}
	if (notify_socket(&fresh, err, errlen) == -1)
		return -1;
	if ((base = health_env(&fresh)) == NULL) {
		snprintf(err, errlen, "environment: %s", strerror(errno));
		return -1;
	}
	env = envdir_build("env", base, err, errlen);
	free(base);
	if (env == NULL)
		return -1;
	envdir_free(child_env);
	child_env = env;
	*conf = fresh;
	loaded.run = fp_file("run");
	loaded.conf = fp_file("conf");
	loaded.env = fp_dir("env");
	write_loaded();
	recipe->envp = child_env;
	recipe->dir = ".";
	recipe->fds[0] = is_logger() ? 0 : devnull;
	recipe->fds[1] = 1;
	recipe->fds[2] = conf->stderr_mode == STDERR_LOG && has_log_dir() ?
	    1 : 2;
	recipe->notify_fd = conf->notification_fd;
	recipe->cgroup_fd = have_cgroup ? cg.procs_fd : -1;
	recipe->cgroup_dir = have_cgroup ? cg.dir_fd : -1;
	recipe->has_check = has_check();
	return 0;
}

static int
op_spawn(void *ctx, char *const argv[], const struct sv_recipe *recipe,
    pid_t *pid, enum sv_start_error *why, char *text, size_t size)
{
	struct sv_recipe quiet;
	int fd;

	(void)ctx;
	/* Paused, then ./run died: the next one must not start frozen. */
	if (have_cgroup)
		cg_thaw(&cg);
	if (strcmp(argv[0], "./check") == 0) {
		/* A check reads nothing: not a logger's input either. */
		quiet = *recipe;
		quiet.fds[0] = devnull;
		recipe = &quiet;
	}
	if (proc_spawn_text(argv, recipe, pid, &fd, why, text, size) == -1)
		return -1;
	if (strcmp(argv[0], "./run") == 0) {
		loaded.run = fp_file("run");
		write_loaded();
	}
	if (fd >= 0) {
		if (notify_fd >= 0)
			close(notify_fd);
		notify_fd = fd;
	}
	return 0;
}

static int
op_kill(void *ctx, pid_t pid, int sig)
{
	(void)ctx;
	return kill(pid, sig);
}

/*
 * The whole service without a cgroup: its process group and every
 * process we adopted from it as a subreaper (not ./finish, which is not
 * part of the service's run).  SIG, and with CONT SIGCONT right after
 * it to each: the search of /proc for the adopted takes milliseconds,
 * which the group's SIGCONT does not wait for.
 */
static int
signal_tree(pid_t pgid, int sig, int cont)
{
	int r, saved, found;

	r = kill(-pgid, sig);
	saved = errno;
	if (cont && r == 0)
		kill(-pgid, SIGCONT);
	if ((found = proc_signal_descendants(pgid, sv.finish_pid, sig)) == -1)
		return -1;
	if (cont && found > 0)
		proc_signal_descendants(pgid, sv.finish_pid, SIGCONT);
	if (r == 0 || found > 0)
		return 0;
	errno = saved;
	return -1;
}

/* The whole service: its cgroup where it has one, else signal_tree. */
static int
op_signal_service(void *ctx, pid_t pgid, int sig)
{
	(void)ctx;
	if (have_cgroup)
		return cg_signal(&cg, sig);
	return signal_tree(pgid, sig, 0);
}

/* A stop: with a cgroup, frozen between the two signals (cgroup.h). */
static int
op_stop_service(void *ctx, pid_t pgid, int sig)
{
	(void)ctx;
	if (have_cgroup)
		return cg_signal_cont(&cg, sig);
	return signal_tree(pgid, sig, 1);
}

/*
 * Ready by port: a listener of the service, not any.  The service is its
 * cgroup where it has one, else its group, session and descendants
 * (ours too: we adopt its orphans).
 */
static int
op_probe(void *ctx, unsigned port, pid_t pgid)
{
	(void)ctx;
	return port_service_listens(port, pgid, getpid(),
	    have_cgroup ? cg.path : NULL);
}

static int
op_port_holder(void *ctx, unsigned port, char *who, size_t size)
{
	(void)ctx;
	return port_holder(port, who, size);
}

static const struct sv_ops ops = {
	.reload = op_reload,
	.spawn = op_spawn,
	.kill = op_kill,
	.signal_service = op_signal_service,
	.stop_service = op_stop_service,
	.probe = op_probe,
	.port_holder = op_port_holder,
	.needs_unmet = op_needs_unmet,
	.event = on_event,
	.ctx = NULL,
};

/*
 * supervise/ may be a symlink into a tmpfs such as /run, dangling after
 * a reboot: create its target then.  (Apart, so that its PATH_MAX
 * buffer takes no stack in the usual case.)
 */
static void	make_link_target(void);

static void
make_supervise_dir(void)
{
	struct stat st;

	if (mkdir("supervise", 0755) == 0 || errno != EEXIST ||
	    stat("supervise", &st) == 0)
		return;
	make_link_target();
}

static void
make_link_target(void)
{
	char target[PATH_MAX];
	ssize_t n;

	n = readlink("supervise", target, sizeof target - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	if (mkdir(target, 0755) == -1 && errno != EEXIST)
		sid_die_sys(111, "unable to create %s", target);
}

/* One supervisor per directory: ours, runsv, supervise or s6-supervise. */
static void
take_lock(void)
{
	char who[128];
	pid_t holder;

	if (io_lock("supervise/lock", &holder) != -1)
		return;
	if (errno != EAGAIN)
		sid_die_sys(111, "unable to lock %s/supervise/lock", svdir);
	sid_die(111, "%s is already supervised by %s", svdir,
	    proc_describe(holder, who, sizeof who));
}

/*
 * The FIFO is opened for writing too, so that read() never sees EOF when
 * the last client closes, and poll() never spins on POLLHUP.
 */
static void
open_fifo(void)
{
	struct stat st;

	if (lstat("supervise/control", &st) == 0 && !S_ISFIFO(st.st_mode))
		unlink("supervise/control");
	if (mkfifo("supervise/control", 0600) == -1 && errno != EEXIST)
		sid_die_sys(111, "unable to create %s/supervise/control",
		    svdir);
	if (chmod("supervise/control", 0600) == -1)
		sid_die_sys(111, "unable to chmod %s/supervise/control",
		    svdir);
	fifo_fd = open("supervise/control", O_RDONLY | O_NONBLOCK |
	    O_CLOEXEC);
	if (fifo_fd == -1 || open("supervise/control", O_WRONLY |
	    O_NONBLOCK | O_CLOEXEC) == -1)
		sid_die_sys(111, "unable to open %s/supervise/control", svdir);
}

/*
 * A cgroup of the service's own, where the system lets us make one:
 * supervise/cgroup names it.  Elsewhere the service is contained by its
 * process group and what we adopt as a subreaper.
 */
static void
open_cgroup(void)
{
	char text[sizeof cg.path + 1];
	int n;

	if (cg_open(&cg) == -1) {
		if (unlink("supervise/cgroup") == -1 && errno != ENOENT)
			sid_warn_sys("unable to remove %s/supervise/cgroup",
			    svdir);
		return;
	}
	have_cgroup = 1;
	n = snprintf(text, sizeof text, "%s\n", cg.path);
	if (io_replace("supervise/cgroup", text, (size_t)n) == -1)
		sid_warn_sys("unable to write %s/supervise/cgroup", svdir);
}

static void
setup(void)
{
	struct stat st;
	int sig;
	static const int caught[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP,
	    SIGPIPE };

	io_cloexec_from(3);
	if (chdir(svdir) == -1)
		sid_die_sys(111, "unable to chdir to %s", svdir);
	make_supervise_dir();
	take_lock();
	open_fifo();
	open_cgroup();
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		sid_die_sys(111, "unable to open /dev/null");
	events_fd = open("supervise/events", O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644);
	if (events_fd == -1)
		sid_die_sys(111, "unable to open %s/supervise/events", svdir);
	if (fstat(events_fd, &st) == 0)
		events_size = st.st_size;
	if ((sigfd = selfpipe_init()) == -1)
		sid_die_sys(111, "unable to set up signals");
	for (sig = 0; sig < (int)(sizeof caught / sizeof caught[0]); sig++)
		if (selfpipe_catch(caught[sig]) == -1)
			sid_die_sys(111, "unable to catch signal %d",
			    caught[sig]);
#ifdef PR_SET_CHILD_SUBREAPER
	/* Orphans of the service come to us, so the group's end is seen. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	since_ms = clock_wall_ms();
}

/*
 * supervise/child: "PGID STARTTIME" of the service's process group while
 * it lives, so that a sid-supervise started after this one was killed
 * can find that group and tell it from a recycled pid.  Emptied in
 * place (io_empty), as supervise/pid is: a stop writes no new file but
 * status.
 */
static int
write_child(void)
{
	char text[128], start[64];
	size_t len = 0;

	if (sv.pgid != 0 && proc_start_time(sv.pgid, start, sizeof start) == 0)
		len = (size_t)snprintf(text, sizeof text, "%ld %s\n",
		    (long)sv.pgid, start);
	return len > 0 ? io_replace("supervise/child", text, len) :
	    io_empty("supervise/child");
}

/*
 * The group recorded in supervise/child by an earlier sid-supervise, or
 * 0.  Its leader must still have the recorded start time; a group whose
 * leader is gone is taken as ours while it has members (a new group of
 * that number needs the pid reused first, and a process that leads it).
 */
static pid_t
recorded_group(void)
{
	char *text, start[64], now[64];
	size_t len;
	long pgid = 0;

	if (io_read_file("supervise/child", 256, &text, &len) == -1)
		return 0;
	if (sscanf(text, "%ld %63s", &pgid, start) != 2 || pgid <= 1)
		pgid = 0;
	free(text);
	if (pgid == 0)
		return 0;
	if (proc_start_time((pid_t)pgid, now, sizeof now) == 0)
		return strcmp(now, start) == 0 && getpgid((pid_t)pgid) ==
		    (pid_t)pgid ? (pid_t)pgid : 0;
	return kill(-(pid_t)pgid, 0) == 0 ? (pid_t)pgid : 0;
}

/*
 * What an earlier, killed sid-supervise left running, as a group to
 * stop, or 0.  With a cgroup, the cgroup tells: anything still in it,
 * even a daemon whose group leader is long gone.
 */
static pid_t
find_leftover(void)
{
	pid_t pgid = recorded_group();

	if (!have_cgroup)
		return pgid;
	if (cg_signal(&cg, 0) == -1)
		return 0;
	return pgid != 0 ? pgid : cg_first_pid(&cg);
}

/* Why supervise/ cannot be written, said once. */
static void
warn_unwritable(void)
{
	struct stat st;
	int saved = errno;

	/* A directory removed while we are in it has no links left. */
	if (stat(".", &st) == 0 && st.st_nlink == 0)
		sid_warn("%s was removed; the service runs on until it is "
		    "stopped", svdir);
	else {
		errno = saved;
		sid_warn_sys("unable to write %s/supervise/; retrying", svdir);
	}
}

/*
 * Write supervise/status, pid and child when they changed.  A failure
 * (a full disk, an immutable supervise/) is said once and retried every
 * RETRY_MS; the first write that then succeeds is said once too.
 */
/* TEXT as the status last written (none kept when memory ran out). */
static void
remember_status(const char *text, size_t len)
{
	char *copy = status_small;

	if (len > sizeof status_small && (copy = malloc(len)) == NULL) {
		copy = status_small;
		len = 0;	/* nothing kept: the next one is written */
	}
	if (status_text != status_small)
		free(status_text);
	status_text = copy;
	memcpy(status_text, text, len);
	status_len = len;
}

static void
write_files(const char *text, size_t len, int64_t now)
{
	char loaded_text[128], pidtext[32];
	size_t n, pidlen = 0;
	int wrote = 0;

	if (loaded_dirty) {
		/* What the running service was started from. */
		n = fp_format(loaded_text, sizeof loaded_text, &loaded);
		if (io_replace("supervise/loaded", loaded_text, n) == -1)
			goto fail;
		loaded_dirty = 0;
		wrote = 1;
	}
	if (sv.pgid != child_pgid) {
		if (write_child() == -1)
			goto fail;
		child_pgid = sv.pgid;
		wrote = 1;
	}
	if (sv.pid != status_pid) {
		if (sv.pid != 0)
			pidlen = (size_t)snprintf(pidtext, sizeof pidtext,
			    "%ld\n", (long)sv.pid);
		if ((pidlen > 0 ? io_replace("supervise/pid", pidtext,
		    pidlen) : io_empty("supervise/pid")) == -1)
			goto fail;
		status_pid = sv.pid;
		wrote = 1;
	}
	if (len != status_len || memcmp(text, status_text, len) != 0) {
		if (io_replace("supervise/status", text, len) == -1)
			goto fail;
		remember_status(text, len);
		wrote = 1;
	}
	if (status_failed && wrote) {
		sid_warn("writing %s/supervise/ works again", svdir);
		status_failed = 0;
	}
	retry_at = -1;
	return;
fail:
	if (!status_failed)
		warn_unwritable();
	status_failed = 1;
	retry_at = now + RETRY_MS;
}

/*
 * The status is formatted on a small buffer, the size of the one it is
 * remembered in; only a long one (a long error or waiting list,
 * escaped) takes a malloc'ed STATUS_MAX.  The buffer and the snprintf
 * under it are the deepest the stack of a plain service's sid-supervise
 * goes: each byte here makes one more page of it likelier.
 */
static void
write_status(int64_t now)
{
	char small[sizeof status_small], *big;
	size_t len;

	if (retry_at >= 0 && now < retry_at)
		return;
	len = status_format(small, sizeof small, &sv, since_ms);
	if (len + 1 < sizeof small) {
		write_files(small, len, now);
		return;
	}
	if ((big = malloc(STATUS_MAX)) == NULL) {
		retry_at = now + RETRY_MS;	/* never a status cut short */
		return;
	}
	len = status_format(big, STATUS_MAX, &sv, since_ms);
	write_files(big, len, now);
	free(big);
}

/* The status files, then the events lines that led to them. */
static void
flush_status(int64_t now)
{
	write_status(now);
	events_flush();
}

/*
 * Not inlined: its buffers would stay on the stack under every call
 * run_loop makes, status writes and spawns too.
 */
static void	read_control(int64_t) __attribute__((noinline));

static void
read_control(int64_t now)
{
	unsigned char buf[256];	/* read in pieces: a small stack */
	char line[64];
	unsigned long unknown = 0;
	ssize_t n, i;

	while ((n = read(fifo_fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++)
			if (sv_on_control(&sv, &ops, buf[i], now) == -1)
				unknown++;
		if (sv_done(&sv))
			break;
	}
	if (unknown > 0) {
		snprintf(line, sizeof line, "control: %lu unknown byte%s "
		    "ignored", unknown, unknown == 1 ? "" : "s");
		on_event(NULL, sv.state, sv.state, line);
	}
}

/* A line on the notification fd means ready; EOF means it never will. */
static void
read_notify(int64_t now)
{
	char buf[512];
	ssize_t n;

	n = read(notify_fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && memchr(buf, '\n', (size_t)n) == NULL)
		return;
	if (n > 0)
		sv_on_ready(&sv, &ops, now);
	close(notify_fd);
	notify_fd = -1;
}

/*
 * While ./run is missing or not executable, watch the directory where
 * the system can, so that it starts as soon as it is whole; sv retries
 * every second by itself as well, and only in that state.
 */
static void
watch_run(void)
{
#ifdef __linux__
	if (sv.run_retry && watch_fd < 0) {
		watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (watch_fd >= 0 && inotify_add_watch(watch_fd, ".", IN_ATTRIB |
		    IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) == -1) {
			close(watch_fd);
			watch_fd = -1;
		}
	} else if (!sv.run_retry && watch_fd >= 0) {
		close(watch_fd);
		watch_fd = -1;
	}
#endif
}

/* Each read takes at least one inotify event with a name, 272 bytes. */
#define INOTIFY_BUF	512

static void
read_watch(int64_t now)
{
	char buf[INOTIFY_BUF];

	while (read(watch_fd, buf, sizeof buf) > 0)
		;
	sv_on_run_changed(&sv, &ops, now);
}

/* PID is listed in the cgroup.procs of the service's cgroup. */
static int
in_cgroup(pid_t pid)
{
	char path[sizeof cg.path + 16], *text, *p, *end;
	size_t len;
	long got;
	int found = 0;

	snprintf(path, sizeof path, "%s/cgroup.procs", cg.path);
	if (io_read_file(path, 4 * 1024 * 1024, &text, &len) == -1)
		return 0;
	for (p = text; *p != '\0' && !found; p = end) {
		got = strtol(p, &end, 10);
		if (end == p)
			break;
		found = got == (long)pid;
	}
	free(text);
	return found;
}

/*
 * Whether a datagram from PID comes from the service: its cgroup, its
 * process group or session, or a descendant of ./run.  Where the
 * system tells no pid (0), or has no /proc, every sender is taken.
 */
static int
from_service(pid_t pid)
{
	struct proc_info info;
	int depth;

	if (pid <= 0 || access("/proc/self/stat", F_OK) == -1)
		return 1;
	if (sv.pgid == 0 && sv.pid == 0)
		return 0;
	if (have_cgroup && in_cgroup(pid))
		return 1;
	for (depth = 0; depth < 64 && pid > 1 && pid != getpid(); depth++) {
		if (proc_read_info(pid, &info) == -1)
			return 0;
		if (pid == sv.pid || (sv.pgid != 0 && (info.pgrp == sv.pgid ||
		    info.session == sv.pgid)))
			return 1;
		pid = info.ppid;
	}
	return 0;
}

static void
read_nsock(int64_t now)
{
	static pid_t ignored;	/* the last foreign sender, noted once */
	char buf[4096], line[128];
	ssize_t n;
	pid_t pid;
	int i;

	for (i = 0; i < 64; i++) {
		if ((n = notify_recv(nsock_fd, buf, sizeof buf, &pid)) == -1)
			return;
		if (from_service(pid))
			sv_on_notify(&sv, &ops, buf, (size_t)n, now);
		else if (pid != ignored) {
			ignored = pid;
			snprintf(line, sizeof line, "notify: message from pid "
			    "%ld ignored (not of the service)", (long)pid);
			on_event(NULL, sv.state, sv.state, line);
		}
	}
}

#ifdef __linux__
/* An inotify watch on PATH; 1 when made, or PATH is not there yet. */
static int
watch_path(const char *path, uint32_t mask)
{
	return inotify_add_watch(needs_fd, path, mask | IN_ONLYDIR) >= 0 ||
	    errno == ENOENT;
}
#endif

/*
 * Watch what tells that a need came up: NAME/supervise/ (status is
 * replaced by rename), NAME/ (for supervise/ made later) and the scan
 * directory (for NAME made later).  Returns 1 when all is watched, 0
 * when the needs must be polled instead.
 */
static int
watch_needs_paths(void)
{
#ifdef __linux__
	char path[PATH_MAX];
	unsigned i;
	int all = 1;

	if (needs_fd < 0 &&
	    (needs_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return 0;
	if (inotify_add_watch(needs_fd, needs_base, IN_CREATE | IN_MOVED_TO |
	    IN_ONLYDIR) < 0)
		all = 0;
	for (i = 0; i < sv.conf.nneeds; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s/%s", needs_base,
		    conf_need(&sv.conf, i)) >= sizeof path - sizeof "/supervise") {
			all = 0;
			continue;
		}
		if (!watch_path(path, IN_CREATE | IN_MOVED_TO))
			all = 0;
		strcat(path, "/supervise");
		if (!watch_path(path, IN_MOVED_TO | IN_CLOSE_WRITE))
			all = 0;
	}
	return all;
#else
	return 0;
#endif
}

/*
 * While a start is held for its needs: watch them, and look at their
 * status whenever something changed there (or every NEEDS_POLL_MS
 * where that cannot be watched), telling sv what is still unmet.  No
 * watch and no timer otherwise.
 */
static void	look_at_needs(int64_t) __attribute__((noinline));

static void
check_needs(int64_t now)
{
	if (!sv_awaiting(&sv)) {
		if (needs_fd >= 0)
			close(needs_fd);
		needs_fd = -1;
		needs_poll_at = -1;
		needs_dirty = 0;
		return;
	}
	if (sv.events != needs_events || needs_fd < 0 ||
	    (needs_poll_at >= 0 && now >= needs_poll_at))
		needs_dirty = 1;
	if (!needs_dirty)
		return;
	needs_dirty = 0;
	look_at_needs(now);
	if (!sv_awaiting(&sv))
		check_needs(now);	/* the watch is done with */
}

/*
 * Apart from check_needs, which runs at every turn of the loop: its
 * buffers (the waiting list, a path) take stack only while needs are
 * looked at.
 */
static void
look_at_needs(int64_t now)
{
	char unmet[SV_WAITING_SIZE];

	/* Watch first, then look: nothing is missed in between. */
	needs_poll_at = watch_needs_paths() ? -1 : now + NEEDS_POLL_MS;
	op_needs_unmet(NULL, &sv.conf, unmet, sizeof unmet);
	sv_on_needs(&sv, &ops, unmet, now);
	needs_events = sv.events;
}

static void
read_needs(void)
{
	char buf[INOTIFY_BUF];

	while (read(needs_fd, buf, sizeof buf) > 0)
		;
	needs_dirty = 1;
}

static void
reap(int64_t now)
{
	pid_t pid;
	int wstatus;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
		sv_on_exit(&sv, &ops, pid, wstatus, now);
}

static void
handle_signals(int64_t now)
{
	int sig;

	while ((sig = selfpipe_read()) != 0)
		if (sig == SIGTERM || sig == SIGINT)
			sv_on_control(&sv, &ops, 'x', now);
}

static int
poll_timeout(int64_t now)
{
	int64_t deadline = sv_deadline(&sv);

	if (retry_at >= 0 && (deadline < 0 || retry_at < deadline))
		deadline = retry_at;
	if (needs_poll_at >= 0 && (deadline < 0 || needs_poll_at < deadline))
		deadline = needs_poll_at;
	if (deadline < 0)
		return -1;
	if (deadline <= now)
		return 0;
	return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

static void
run_loop(void)
{
	struct pollfd pfd[6];
	int64_t now;
	nfds_t n;

	while (!sv_done(&sv)) {
		now = clock_now_ms();
		watch_run();
		pfd[0].fd = sigfd;
		pfd[1].fd = fifo_fd;
		pfd[2].fd = notify_fd;
		pfd[3].fd = watch_fd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		pfd[3].events = POLLIN;
		pfd[4].fd = nsock_fd;
		pfd[4].events = POLLIN;
		pfd[5].fd = needs_fd;
		pfd[5].events = POLLIN;
		pfd[5].revents = 0;
		n = 6;
		if (poll(pfd, n, poll_timeout(now)) == -1) {
			if (errno != EINTR)
				sid_warn_sys("poll");
			pfd[2].revents = pfd[3].revents = 0;	/* not set */
			pfd[4].revents = pfd[5].revents = 0;
		}
		now = clock_now_ms();
		handle_signals(now);
		/*
		 * Commands before exits, and on every wakeup: a command was
		 * sent before the exit that woke us with it (sid-svscan sends
		 * a logger "o" before it closes the logger's input), so it
		 * applies first.  The FIFO does not block.
		 */
		read_control(now);
		reap(now);
		if (notify_fd >= 0 && pfd[2].fd == notify_fd &&
		    (pfd[2].revents & (POLLIN | POLLHUP)))
			read_notify(now);
		if (watch_fd >= 0 && pfd[3].fd == watch_fd &&
		    (pfd[3].revents & POLLIN))
			read_watch(now);
		if (nsock_fd >= 0 && pfd[4].fd == nsock_fd &&
		    (pfd[4].revents & POLLIN))
			read_nsock(now);
		if (needs_fd >= 0 && pfd[5].fd == needs_fd &&
		    (pfd[5].revents & POLLIN))
			read_needs();
		sv_on_timer(&sv, &ops, now);
		check_needs(now);
		flush_status(now);
	}
}

int
main(int argc, char *argv[])
{
	pid_t leftover;

	msg_init("sid-supervise");
	svdir = parse_args(argc, argv);
	if ((conf_name = malloc(strlen(svdir) + sizeof "/conf")) == NULL)
		sid_die_sys(111, "out of memory");
	strcpy(conf_name, svdir);
	strcat(conf_name, "/conf");
	needs_base_init();
	setup();
	sv_init(&sv);
	if ((leftover = find_leftover()) != 0)
		sv_boot_leftover(&sv, &ops, leftover, access("down", F_OK) == -1,
		    clock_now_ms());
	else
		sv_boot(&sv, &ops, access("down", F_OK) == -1,
		    "sid-supervise started", clock_now_ms());
	check_needs(clock_now_ms());
	flush_status(clock_now_ms());
	run_loop();
	retry_at = -1;
	flush_status(clock_now_ms());
	if (nsock_fd >= 0)
		unlink("supervise/notify");
	if (have_cgroup)
		cg_close(&cg);
	return 0;
}
