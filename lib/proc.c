/*
 * proc: fork and exec a service's program.
 *
 * Exec failure travels back to the parent over a close-on-exec pipe: the
 * parent reads until EOF, which comes either from the exec (the pipe was
 * closed by it) or after the child wrote its errno.  So the caller knows,
 * before it goes on, whether the program is running.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "proc.h"

#ifdef NSIG
#define SIG_LIMIT	NSIG
#else
#define SIG_LIMIT	65
#endif

#ifdef __linux__
#include <sys/syscall.h>
long	syscall(long, ...);

/*
 * glibc's sigaction() refuses the two signals it keeps for its threads
 * (32 and 33), so a disposition inherited for them would reach the
 * service: GNU make, for one, runs its commands with both ignored.  The
 * kernel takes an all-zero action as SIG_DFL with no flags and an empty
 * mask, whatever the architecture's layout; the size of its sigset_t is
 * 8 bytes, or 16 on MIPS.
 */
static void
default_reserved(int sig)
{
	unsigned long zero[16] = { 0 };

	if (syscall(SYS_rt_sigaction, sig, zero, (void *)NULL, 8) == -1)
		syscall(SYS_rt_sigaction, sig, zero, (void *)NULL, 16);
}
#endif

static int
cloexec_pipe(int fds[2])
{
	if (pipe(fds) == -1)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

/* In the child: report errno to the parent and die. */
static void
child_fail(int errfd)
{
	int err = errno;

	if (write(errfd, &err, sizeof err) == -1) {
		/* Nothing left to tell it with. */
	}
	_exit(127);
}

/* In the child, after fork: everything up to the exec. */
static void
child_exec(char *const argv[], const struct sv_recipe *r, int notify_w,
    int errfd)
{
	struct sigaction sa;
	sigset_t none;
	int i, tmp[3];

	if (setsid() == -1)
		child_fail(errfd);
	/* Into the service's cgroup before anything can fork. */
	if (r->cgroup_fd >= 0 && write(r->cgroup_fd, "0", 1) == -1)
		child_fail(errfd);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 1; i < SIG_LIMIT; i++)
		if (i != SIGKILL && i != SIGSTOP && sigaction(i, &sa,
		    NULL) == -1) {
#ifdef __linux__
			default_reserved(i);
#endif
		}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		child_fail(errfd);
	if (r->dir != NULL && chdir(r->dir) == -1)
		child_fail(errfd);
	/* Lift the sources above 2 first, so no dup2 overwrites another. */
	for (i = 0; i < 3; i++)
		if ((tmp[i] = fcntl(r->fds[i], F_DUPFD, 3)) == -1)
			child_fail(errfd);
	for (i = 0; i < 3; i++)
		if (dup2(tmp[i], i) == -1)
			child_fail(errfd);
	for (i = 0; i < 3; i++)
		close(tmp[i]);
	if (notify_w >= 0) {
		/* The error pipe must not be where the notification fd goes. */
		if (errfd == r->notify_fd && ((errfd = fcntl(errfd, F_DUPFD,
		    r->notify_fd + 1)) == -1 ||
		    fcntl(errfd, F_SETFD, FD_CLOEXEC) == -1))
			_exit(127);
		if (notify_w == r->notify_fd)
			fcntl(notify_w, F_SETFD, 0);
		else if (dup2(notify_w, r->notify_fd) == -1)
			child_fail(errfd);
	}
	execve(argv[0], argv, r->envp);
	child_fail(errfd);
}

static int
check_program(const char *path, enum sv_start_error *why)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		*why = errno == ENOENT ? SV_START_MISSING :
		    SV_START_EXEC_FAILED;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) == -1) {
		*why = SV_START_NOT_EXECUTABLE;
		errno = S_ISREG(st.st_mode) ? errno : EACCES;
		return -1;
	}
	return 0;
}

int
proc_spawn(char *const argv[], const struct sv_recipe *recipe, pid_t *pid,
    int *notify, enum sv_start_error *why)
{
	int errpipe[2], notifypipe[2] = { -1, -1 }, err, saved;
	ssize_t n;

	*notify = -1;
	if (check_program(argv[0], why) == -1)
		return -1;
	*why = SV_START_EXEC_FAILED;
	if (cloexec_pipe(errpipe) == -1)
		return -1;
	if (recipe->notify_fd >= 0 && cloexec_pipe(notifypipe) == -1)
		goto fail_errpipe;
	if ((*pid = fork()) == -1)
		goto fail_notify;
	if (*pid == 0) {
		close(errpipe[0]);
		child_exec(argv, recipe, notifypipe[1], errpipe[1]);
	}
	close(errpipe[1]);
	while ((n = read(errpipe[0], &err, sizeof err)) == -1 &&
	    errno == EINTR)
		;
	close(errpipe[0]);
	if (notifypipe[1] >= 0)
		close(notifypipe[1]);
	if (n == (ssize_t)sizeof err) {
		while (waitpid(*pid, NULL, 0) == -1 && errno == EINTR)
			;
		if (notifypipe[0] >= 0)
			close(notifypipe[0]);
		errno = err;
		return -1;
	}
	if (notifypipe[0] >= 0)
		io_nonblock(notifypipe[0]);
	*notify = notifypipe[0];
	return 0;

fail_notify:
	saved = errno;
	if (notifypipe[0] >= 0) {
		close(notifypipe[0]);
		close(notifypipe[1]);
	}
	errno = saved;
fail_errpipe:
	saved = errno;
	close(errpipe[0]);
	close(errpipe[1]);
	errno = saved;
	return -1;
}

int
proc_start_time(pid_t pid, char *buf, size_t size)
{
	char path[64], text[1024], *p;
	ssize_t n;
	int fd, field;

	if (kill(pid, 0) == -1 && errno != EPERM)
		return -1;
	snprintf(buf, size, "-");
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* The name in parentheses may hold anything: count from its end. */
	if ((p = strrchr(text, ')')) == NULL)
		return 0;
	for (field = 2; field < 22 && p != NULL; field++)
		if ((p = strchr(p + 1, ' ')) != NULL)
			p++;
	if (p != NULL)
		snprintf(buf, size, "%.*s", (int)strcspn(p, " "), p);
	return 0;
}

int
proc_read_info(pid_t pid, struct proc_info *info)
{
	char path[64], text[512], *p;
	long ppid, pgrp, session;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	/* The name in parentheses may hold anything: read from its end. */
	if ((p = strrchr(text, ')')) == NULL ||
	    sscanf(p + 1, " %c %ld %ld %ld", &info->state, &ppid, &pgrp,
	    &session) != 4)
		return -1;
	info->pid = pid;
	info->ppid = (pid_t)ppid;
	info->pgrp = (pid_t)pgrp;
	info->session = (pid_t)session;
	info->mark = 0;
	return 0;
}

static int
by_pid(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct proc_info *
proc_list(size_t *count)
{
	struct proc_info *all = NULL, *grown;
	struct dirent *de;
	size_t n = 0, cap = 0;
	char *end;
	long pid;
	DIR *d;

	*count = 0;
	if ((d = opendir("/proc")) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((grown = realloc(all, cap * sizeof *all)) == NULL)
				break;
			all = grown;
		}
		if (proc_read_info((pid_t)pid, &all[n]) == 0 &&
		    all[n].state != 'Z')
			n++;
	}
	closedir(d);
	if (all != NULL)
		qsort(all, n, sizeof *all, by_pid);
	*count = n;
	return all;
}

struct proc_info *
proc_find(struct proc_info *all, size_t n, pid_t pid)
{
	struct proc_info key;

	memset(&key, 0, sizeof key);
	key.pid = pid;
	return all == NULL ? NULL : bsearch(&key, all, n, sizeof *all, by_pid);
}

int
proc_signal_descendants(pid_t skip, pid_t except, int sig)
{
	struct proc_info *all, *parent;
	size_t n, i;
	int changed = 1, found = 0, err = 0;
	pid_t self = getpid();

	if ((all = proc_list(&n)) == NULL)
		return 0;
	/* Mark the tree below us, at least one generation per pass. */
	while (changed) {
		changed = 0;
		for (i = 0; i < n; i++) {
			if (all[i].mark || all[i].pid == except)
				continue;
			parent = proc_find(all, n, all[i].ppid);
			if (all[i].ppid == self || (parent != NULL &&
			    parent->mark))
				all[i].mark = changed = 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (!all[i].mark || (skip > 0 && all[i].pgrp == skip))
			continue;
		found++;
		if (sig != 0 && kill(all[i].pid, sig) == -1 && errno != ESRCH)
			err = errno;
	}
	free(all);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return found;
}

char *
proc_describe(pid_t pid, char *buf, size_t size)
{
	char path[64], name[64];
	ssize_t n = 0;
	int fd;

	if (pid <= 0) {
		snprintf(buf, size, "another process");
		return buf;
	}
	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, name, sizeof name - 1);
		close(fd);
	}
	while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == '\0'))
		n--;
	if (n > 0)
		snprintf(buf, size, "%.*s (pid %ld)", (int)n, name, (long)pid);
	else
		snprintf(buf, size, "pid %ld", (long)pid);
	return buf;
}
