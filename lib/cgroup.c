/*
 * cgroup: one cgroup v2 per service, through the core interface files.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "io.h"

#define MEMBERS_MAX	(4 * 1024 * 1024)	/* cgroup.procs: read at most */

#ifdef __linux__
#include <sys/statfs.h>
#define CGROUP2_MAGIC	0x63677270UL	/* linux/magic.h */
#endif

/*
 * FN(LINE, ARG) for each line of the file PATH, without its newline,
 * until FN returns 1; a line longer than the buffer is skipped.  Read
 * in small pieces without stdio, so that a supervisor's heap and stack
 * stay small.  Returns 1 when FN did, 0 when none did, -1 with errno.
 */
static int
each_line(const char *path, int (*fn)(char *, void *), void *arg)
{
	char buf[1024], *line, *nl;
	size_t have = 0;
	ssize_t n;
	int fd, found = 0, skip = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (!found && (n = read(fd, buf + have, sizeof buf - 1 - have)) >
	    0) {
		have += (size_t)n;
		buf[have] = '\0';
		line = buf;
		while (!found && (nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			if (!skip)
				found = fn(line, arg);
			skip = 0;
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof buf - 1) {
			have = 0;	/* too long: skip to its end */
			skip = 1;
		}
	}
	close(fd);
	return found;
}

struct found {
	char	*buf;
	size_t	 size;
};

/*
 * A line of /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT
 * OPTIONS ... - cgroup2 SOURCE ...", the mount point when ROOT is "/".
 */
static int
mount_line(char *line, void *arg)
{
	struct found *f = arg;
	char *field[5], *p = line;
	size_t len;
	int i;

	/* Paths are escaped (\040), so the first " - " ends the options. */
	if ((p = strstr(line, " - ")) == NULL || strncmp(p + 3, "cgroup2 ", 8) !=
	    0)
		return 0;
	p = line;
	for (i = 0; i < 5; i++) {
		p += strspn(p, " ");
		field[i] = p;
		p += strcspn(p, " ");
		if (*p != '\0')
			*p++ = '\0';
	}
	len = strlen(field[4]);
	if (strcmp(field[3], "/") != 0 || len == 0 || len >= f->size)
		return 0;
	memcpy(f->buf, field[4], len + 1);
	return 1;
}

/* Our own cgroup, from the "0::/PATH" line of /proc/self/cgroup. */
static int
own_line(char *line, void *arg)
{
	struct found *f = arg;
	const char *path = line + 3;

	if (strncmp(line, "0::", 3) != 0)
		return 0;
	/* "/" is the root: no trailing slash wanted. */
	if (strcmp(path, "/") == 0)
		path = "";
	if (strlen(path) >= f->size)
		return 0;
	strcpy(f->buf, path);
	return 1;
}

/*
 * The cgroup2 hierarchy where it is usually mounted (/sys/fs/cgroup, or
 * /sys/fs/cgroup/unified beside v1): a root of one (statfs says cgroup2)
 * with OWN below it, into BUF.  Returns 0, or -1 to look further.
 */
static int
usual_mount(const char *own, char *buf, size_t size)
{
#ifdef __linux__
	static const char *const usual[] = { "/sys/fs/cgroup",
	    "/sys/fs/cgroup/unified" };
	struct statfs fs;
	struct stat st;
	size_t i;
	int n;

	for (i = 0; i < sizeof usual / sizeof usual[0]; i++) {
		if (statfs(usual[i], &fs) == -1 ||
		    (unsigned long)fs.f_type != CGROUP2_MAGIC)
			continue;
		n = snprintf(buf, size, "%s%s", usual[i], own);
		if (n > 0 && (size_t)n < size && stat(buf, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return 0;
	}
#else
	(void)own;
	(void)buf;
	(void)size;
#endif
	return -1;
}

/*
 * Where the cgroup2 hierarchy is mounted, then our own cgroup below it,
 * into BUF.  /proc/self/mountinfo says where, but prints every mount to
 * say it: it is read only when the usual places are not it.
 */
static int
find_own(char *buf, size_t size)
{
	char own[CG_PATH_MAX];
	struct found f = { own, sizeof own };
	size_t len;
	int r;

	if ((r = each_line("/proc/self/cgroup", own_line, &f)) != 1)
		goto none;
	if (usual_mount(own, buf, size) == 0)
		return 0;
	f.buf = buf;
	f.size = size;
	if ((r = each_line("/proc/self/mountinfo", mount_line, &f)) != 1)
		goto none;
	len = strlen(buf);
	if (len + strlen(own) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf + len, own);
	return 0;
none:
	if (r == 0)
		errno = ENOENT;
	return -1;
}

/* "web" for .../web, "web.log" for .../web/log; unusual bytes as '_'. */
static void
service_name(const char *cwd, char *buf, size_t size)
{
	const char *base = strrchr(cwd, '/'), *start;
	size_t n = 0;

	base = base != NULL ? base + 1 : cwd;
	start = base;
	if (strcmp(base, "log") == 0 && base - cwd >= 2) {
		for (start = base - 1; start > cwd && start[-1] != '/'; start--)
			;
	}
	for (; *start != '\0' && n + 1 < size && n < 64; start++)
		buf[n++] = (*start >= 'a' && *start <= 'z') ||
		    (*start >= 'A' && *start <= 'Z') ||
		    (*start >= '0' && *start <= '9') || *start == '-' ||
		    *start == '_' || *start == '.' ? *start :
		    *start == '/' ? '.' : '_';
	buf[n] = '\0';
}

/*
 * CG's cgroup.freeze: whether it says 1, and "1" or "0" into it.  The
 * descriptor is held: a stop writes it twice (cg_signal_cont), and a
 * thousand stops at once each looking the file up again queue longer on
 * the kernel's lock of the cgroup tree that every write takes.
 */
static int
is_frozen(const struct cgroup *cg)
{
	char c = '0';

	return pread(cg->freeze_fd, &c, 1, 0) == 1 && c == '1';
}

static int
set_frozen(struct cgroup *cg, int on)
{
	if (pwrite(cg->freeze_fd, on ? "1" : "0", 1, 0) != 1)
		return -1;
	cg->frozen = on;
	return 0;
}

int
cg_open(struct cgroup *cg)
{
	char *cwd, name[80];
	char file[sizeof cg->path + 16];
	struct stat st;
	size_t len;
	int n;

	cg->procs_fd = cg->members_fd = cg->dir_fd = cg->freeze_fd = -1;
	cg->frozen = 0;
	if (find_own(cg->path, sizeof cg->path) == -1 ||
	    stat(".", &st) == -1 || (cwd = io_cwd()) == NULL)
		return -1;
	service_name(cwd, name, sizeof name);
	free(cwd);
	len = strlen(cg->path);
	n = snprintf(cg->path + len, sizeof cg->path - len, "/sid.%s.%lx",
	    name, (unsigned long)st.st_ino);
	if (n < 0 || (size_t)n >= sizeof cg->path - len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(cg->path, 0755) == -1 && errno != EEXIST)
		return -1;
	snprintf(file, sizeof file, "%s/cgroup.freeze", cg->path);
	/*
	 * Without it (before Linux 5.2), p and c signal each process, and
	 * a stop's two signals go to each one back to back.
	 */
	cg->freeze_fd = open(file, O_RDWR | O_CLOEXEC);
	/* Left by a sid-supervise that was killed, maybe paused. */
	cg->frozen = is_frozen(cg);
	snprintf(file, sizeof file, "%s/cgroup.procs", cg->path);
	if ((cg->procs_fd = open(file, O_WRONLY | O_CLOEXEC)) == -1) {
		n = errno;
		if (cg->freeze_fd >= 0)
			close(cg->freeze_fd);
		cg->freeze_fd = -1;
		rmdir(cg->path);
		errno = n;
		return -1;
	}
	/* Without it, children join through cgroup.procs: slower, as safe. */
	cg->dir_fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Without it, each read looks the file up again. */
	cg->members_fd = open(file, O_RDONLY | O_CLOEXEC);
	return 0;
}

/* Write TEXT into the cgroup's FILE; -1 with errno when it cannot. */
static int
put(const struct cgroup *cg, const char *file, const char *text)
{
	char path[sizeof cg->path + 32];
	int fd, r;

	snprintf(path, sizeof path, "%s/%s", cg->path, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	r = io_write_all(fd, text, strlen(text));
	if (close(fd) == -1)
		r = -1;
	return r;
}

/*
 * Call FN(PID, ARG) for each pid of TEXT, as cgroup.procs lists them,
 * until one returns nonzero.  Returns how many there were (up to it).
 */
static int
each_pid(const char *text, int (*fn)(pid_t, void *), void *arg)
{
	const char *p;
	char *end;
	long pid;
	int n = 0;

	for (p = text;; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid <= 0)
			continue;
		n++;
		if (fn != NULL && fn((pid_t)pid, arg))
			break;
	}
	return n;
}

/* CG's cgroup.procs, into *TEXT (malloc'ed).  Returns 0, or -1 with errno. */
static int
read_members(const struct cgroup *cg, char **text)
{
	char path[sizeof cg->path + 16];
	size_t len;

	if (cg->members_fd >= 0)
		return io_reread(cg->members_fd, MEMBERS_MAX, text, &len);
	snprintf(path, sizeof path, "%s/cgroup.procs", cg->path);
	return io_read_file(path, MEMBERS_MAX, text, &len);
}

/*
 * Call FN(PID, ARG) for each member of CG (never more than one read of
 * cgroup.procs).  Returns how many there were, or -1 with errno.
 */
static int
each_member(const struct cgroup *cg, int (*fn)(pid_t, void *), void *arg)
{
	char *text;
	int n;

	if (read_members(cg, &text) == -1)
		return -1;
	n = each_pid(text, fn, arg);
	free(text);
	return n;
}

static int
take_first(pid_t pid, void *arg)
{
	*(pid_t *)arg = pid;
	return 1;
}

pid_t
cg_first_pid(const struct cgroup *cg)
{
	pid_t pid = 0;

	each_member(cg, take_first, &pid);
	return pid;
}

struct signalling {
	int	sig;
	int	cont;		/* SIGCONT after SIG */
	int	err;		/* the last failure other than ESRCH */
};

static int
signal_one(pid_t pid, void *arg)
{
	struct signalling *s = arg;

	if (kill(pid, s->sig) == -1 && errno != ESRCH)
		s->err = errno;
	else if (s->cont && kill(pid, SIGCONT) == -1 && errno != ESRCH)
		s->err = errno;
	return 0;
}

/* S's signals to each member in TEXT; 0, or -1 with errno. */
static int
signal_each(const char *text, struct signalling *s)
{
	if (each_pid(text, signal_one, s) == 0) {
		errno = ESRCH;
		return -1;
	}
	if (s->err == 0)
		return 0;
	errno = s->err;
	return -1;
}

/*
 * One read of cgroup.procs: whether there is any member, and whom to
 * signal.  A process a member forks meanwhile is not signalled, as one
 * forked just after a second read would not be: a stop ends with
 * cgroup.kill, which takes them all.
 */
int
cg_signal(struct cgroup *cg, int sig)
{
	struct signalling s = { sig, 0, 0 };
	char *text;
	int n, r;

	if (read_members(cg, &text) == -1)
		return -1;
	n = each_pid(text, NULL, NULL);
	/* Whole-cgroup operations, where the kernel has them (5.14, 5.2). */
	if (n == 0 || sig == 0 ||
	    (sig == SIGKILL && put(cg, "cgroup.kill", "1") == 0) ||
	    (sig == SIGSTOP && set_frozen(cg, 1) == 0)) {
		free(text);
		if (n > 0)
			return 0;
		errno = ESRCH;
		return -1;
	}
	if (sig == SIGCONT)
		cg_thaw(cg);
	r = signal_each(text, &s);
	free(text);
	return r;
}

int
cg_signal_cont(struct cgroup *cg, int sig)
{
	struct signalling s = { sig, 1, 0 };
	char *text;
	int r, saved;

	if (!cg->frozen)
		set_frozen(cg, 1);	/* if it cannot, the two go back to back */
	if ((r = read_members(cg, &text)) == 0) {
		r = signal_each(text, &s);
		free(text);
	}
	saved = errno;
	cg_thaw(cg);
	errno = saved;
	return r;
}

int
cg_thaw(struct cgroup *cg)
{
	if (!cg->frozen)
		return 0;
	return set_frozen(cg, 0);
}

void
cg_close(struct cgroup *cg)
{
	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	if (cg->members_fd >= 0)
		close(cg->members_fd);
	if (cg->dir_fd >= 0)
		close(cg->dir_fd);
	if (cg->freeze_fd >= 0)
		close(cg->freeze_fd);
	cg->procs_fd = cg->members_fd = cg->dir_fd = cg->freeze_fd = -1;
	rmdir(cg->path);
}
