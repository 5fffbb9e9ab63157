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

/*
 * Where the cgroup2 hierarchy is mounted: /proc/self/mountinfo has
 * "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - cgroup2 SOURCE ...".
 * It may be /sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1.
 */
static int
find_mount(char *buf, size_t size)
{
	char line[1024], root[PATH_MAX], point[PATH_MAX], *sep;
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/mountinfo", "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		if ((sep = strstr(line, " - cgroup2 ")) == NULL)
			continue;
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) == 2 &&
		    strcmp(root, "/") == 0 &&
		    (size_t)snprintf(buf, size, "%s", point) < size)
			found = 1;
	}
	fclose(f);
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

/* Our own cgroup, from the "0::/PATH" line of /proc/self/cgroup. */
static int
find_own(char *buf, size_t size)
{
	char line[1024];
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/cgroup", "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			/* "/" is the root: no trailing slash wanted. */
			found = (size_t)snprintf(buf, size, "%s",
			    strcmp(line + 3, "/") == 0 ? "" : line + 3) < size;
		}
	fclose(f);
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
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

int
cg_open(struct cgroup *cg)
{
	char mount[PATH_MAX], own[PATH_MAX], cwd[PATH_MAX], name[80];
	char procs[sizeof cg->path + 16];
	struct stat st;
	int n;

	cg->procs_fd = -1;
	if (find_mount(mount, sizeof mount) == -1 ||
	    find_own(own, sizeof own) == -1 ||
	    getcwd(cwd, sizeof cwd) == NULL || stat(".", &st) == -1)
		return -1;
	service_name(cwd, name, sizeof name);
	n = snprintf(cg->path, sizeof cg->path, "%s%s/sid.%s.%lx", mount, own,
	    name, (unsigned long)st.st_ino);
	if (n < 0 || (size_t)n >= sizeof cg->path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(cg->path, 0755) == -1 && errno != EEXIST)
		return -1;
	snprintf(procs, sizeof procs, "%s/cgroup.procs", cg->path);
	if ((cg->procs_fd = open(procs, O_WRONLY | O_CLOEXEC)) == -1) {
		n = errno;
		rmdir(cg->path);
		errno = n;
		return -1;
	}
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

	snprintf(path, sizeof path, "%s/cgroup.procs", cg->path);
	return io_read_file(path, 4 * 1024 * 1024, text, &len);
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
	int	err;		/* the last failure other than ESRCH */
};

static int
signal_one(pid_t pid, void *arg)
{
	struct signalling *s = arg;

	if (kill(pid, s->sig) == -1 && errno != ESRCH)
		s->err = errno;
	return 0;
}

/*
 * One read of cgroup.procs: whether there is any member, and whom to
 * signal.  A process a member forks meanwhile is not signalled, as one
 * forked just after a second read would not be: a stop ends with
 * cgroup.kill, which takes them all.
 */
int
cg_signal(const struct cgroup *cg, int sig)
{
	struct signalling s = { sig, 0 };
	char *text;
	int n;

	if (read_members(cg, &text) == -1)
		return -1;
	n = each_pid(text, NULL, NULL);
	/* Whole-cgroup operations, where the kernel has them (5.14, 5.2). */
	if (n == 0 || sig == 0 ||
	    (sig == SIGKILL && put(cg, "cgroup.kill", "1") == 0) ||
	    (sig == SIGSTOP && put(cg, "cgroup.freeze", "1") == 0)) {
		free(text);
		if (n > 0)
			return 0;
		errno = ESRCH;
		return -1;
	}
	if (sig == SIGCONT)
		put(cg, "cgroup.freeze", "0");
	each_pid(text, signal_one, &s);
	free(text);
	if (s.err == 0)
		return 0;
	errno = s.err;
	return -1;
}

void
cg_close(struct cgroup *cg)
{
	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	cg->procs_fd = -1;
	rmdir(cg->path);
}
