/*
 * proc: fork and exec a service's program.
 *
 * Exec failure travels back to the parent over a close-on-exec pipe: the
 * parent reads until EOF, which comes either from the exec (the pipe was
 * closed by it) or after the child wrote its report.  So the caller knows,
 * before it goes on, whether the program is running, and why not.
 *
 * On Linux proc_spawn makes the child with vfork(2) instead, and the
 * report is written into the parent's memory, which the child shares
 * until its exec: the parent is held only until the exec has replaced
 * the child's memory, not until its page tables are copied and the exec
 * has closed every close-on-exec fd too.
 *
 * proc_start (sid-svscan, which starts a thousand sid-supervise at once
 * and holds four fds for each) makes a child that shares our fd table
 * too, and takes a table of its own with our lowest fds only: no copy
 * of thousands of fds per child, to be closed again by its exec.
 * Without that (not Linux, an older kernel) it forks and does not wait:
 * the report pipe is the caller's to look at later, through
 * proc_started.
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

#ifdef __linux__
#include <sys/syscall.h>
#include <stdint.h>
#ifdef SYS_clone3
#define CLONE_INTO_CGROUP_FLAG	0x200000000ULL	/* linux/sched.h */
/* struct clone_args of linux/sched.h, up to its cgroup field. */
struct clone3_args {
	uint64_t	flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t	stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#endif
#endif

#ifdef NSIG
#define SIG_LIMIT	NSIG
#else
#define SIG_LIMIT	65
#endif

#ifdef __linux__
long	syscall(long, ...);	/* not declared under _POSIX_C_SOURCE */

/*
 * vfork(2) left POSIX in 2008, so <unistd.h> does not declare it under
 * _POSIX_C_SOURCE=200809L; Linux has it, and glibc and musl too.  Not
 * under AddressSanitizer, whose stack bookkeeping a child that runs on
 * its parent's stack would upset.
 */
#if !defined(__SANITIZE_ADDRESS__)
#define HAVE_VFORK	1
pid_t	vfork(void) __attribute__((returns_twice));
#endif

/*
 * vfork(2) into the service's cgroup: clone3 with CLONE_VM, CLONE_VFORK
 * and CLONE_INTO_CGROUP, so that a start neither copies our memory (a
 * fork) nor migrates the child (see fork_into).  No C library wraps it,
 * and a child that shares our memory cannot return through a syscall()
 * wrapper: the frames it would return through are ours (vfork's own
 * wrappers are written in assembly for that reason).  So the child
 * never leaves the asm of vfork_into: it moves its stack pointer below
 * our red zone (we are suspended, nothing of ours is below it), calls
 * FN(ARG), which execs or _exits, and exits should FN return.  x86-64
 * only; elsewhere a child made in its cgroup is forked.
 */
#if defined(HAVE_VFORK) && defined(SYS_clone3) && defined(__x86_64__)
#define HAVE_VFORK_INTO	1
#define VFORK_INTO	1
#define VFORK_INTO_FLAGS	(0x00000100ULL | 0x00004000ULL)	/* VM, VFORK */
#else
#define VFORK_INTO	0
#endif

/*
 * proc_start's child shares our memory and our fd table (clone with
 * CLONE_VM, CLONE_VFORK and CLONE_FILES), then takes a table of its
 * own holding only our lowest fds (close_range with
 * CLOSE_RANGE_UNSHARE, Linux 5.9).  <sched.h> declares clone() only
 * under _GNU_SOURCE.
 */
#if defined(HAVE_VFORK) && defined(SYS_close_range)
#define HAVE_SHARED_START	1
int	clone(int (*)(void *), void *, int, void *, ...);
#define SHARED_CLONE_VM		0x00000100	/* linux/sched.h */
#define SHARED_CLONE_FILES	0x00000400
#define SHARED_CLONE_VFORK	0x00004000
#define CLOSE_RANGE_UNSHARE_FLAG	(1U << 1)	/* linux/close_range.h */
#endif

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

/* Where the child was when it failed. */
enum step {
	STEP_UNBORN = -2,	/* spawn_vfork's child, made in its cgroup,
				   has not run yet */
	STEP_NONE = -1,		/* no failure */
	STEP_SETSID,
	STEP_CGROUP,
	STEP_SIGMASK,
	STEP_CHDIR,
	STEP_FDS,
	STEP_EXEC,
};

/* What the #! line of a program that did not exec names. */
enum interp {
	INTERP_NONE,		/* no #! line (or the file cannot be read) */
	INTERP_EMPTY,		/* "#!" and nothing after it */
	INTERP_MISSING,		/* names a path that does not exist */
	INTERP_NOT_EXECUTABLE,	/* ... that is not an executable file */
	INTERP_OTHER,		/* ... that exists, or cannot be looked at */
	INTERP_ELF,		/* no #!: an ELF binary (its loader, then) */
};

/*
 * The child's report.  Smaller than PIPE_BUF (at least 512), so one
 * write(2) is atomic: the parent reads all of it or nothing.
 */
struct exec_report {
	int	step;		/* enum step */
	int	err;		/* the errno of that step */
	int	interp;		/* enum interp, for STEP_EXEC */
	char	path[256];	/* the interpreter named, NUL-terminated */
};

/*
 * Where the child tells the parent why it failed: the pipe ERRFD after
 * fork, or SHARED, the parent's own report, after vfork.
 */
struct report_to {
	int			 errfd;		/* -1 after vfork */
	struct exec_report	*shared;	/* NULL after fork */
	int			 joined;	/* made in the service's cgroup */
};

/* In the child: report STEP and errno to the parent and die. */
static void	child_report(const struct report_to *, struct exec_report *,
		    int) __attribute__((noreturn));

static void
child_report(const struct report_to *to, struct exec_report *rep, int step)
{
	rep->err = errno;
	rep->step = step;
	if (to->shared != NULL)
		memcpy(to->shared, rep, sizeof *rep);
	else if (write(to->errfd, rep, sizeof *rep) == -1) {
		/* Nothing left to tell it with. */
	}
	_exit(127);
}

static void	child_fail(const struct report_to *, int)
		    __attribute__((noreturn));

static void
child_fail(const struct report_to *to, int step)
{
	struct exec_report rep;

	memset(&rep, 0, sizeof rep);
	child_report(to, &rep, step);
}

/*
 * In the child, after execve(PATH) failed: what its #! line names, with
 * the kernel's view of it (our cwd, our credentials).  The kernel says
 * ENOENT both for a missing program and for a missing interpreter, and
 * EACCES for an interpreter that cannot be executed: only this tells
 * them apart.  Async-signal-safe calls only, as after any fork.
 */
static void
read_interp(const char *path, struct exec_report *rep)
{
	char head[sizeof rep->path + 2];
	struct stat st;
	ssize_t n;
	size_t i = 2, len = 0;
	int fd;

	rep->interp = INTERP_NONE;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, head, sizeof head);
	close(fd);
	if (n >= 4 && memcmp(head, "\177ELF", 4) == 0)
		rep->interp = INTERP_ELF;
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return;
	while (i < (size_t)n && (head[i] == ' ' || head[i] == '\t'))
		i++;
	while (i < (size_t)n && len < sizeof rep->path - 1 && head[i] != ' ' &&
	    head[i] != '\t' && head[i] != '\n' && head[i] != '\0')
		rep->path[len++] = head[i++];
	rep->path[len] = '\0';
	if (len == 0)
		rep->interp = INTERP_EMPTY;
	else if (stat(rep->path, &st) == -1)
		rep->interp = errno == ENOENT || errno == ENOTDIR ?
		    INTERP_MISSING : INTERP_OTHER;
	else if (!S_ISREG(st.st_mode) || access(rep->path, X_OK) == -1)
		rep->interp = INTERP_NOT_EXECUTABLE;
	else
		rep->interp = INTERP_OTHER;
}

/*
 * In the child: a WATCHDOG_PID= in ENVP (sid-supervise sets it for a
 * watchdog) is made to say the child's own pid, which only it knows.
 * Async-signal-safe: no stdio, no malloc.
 */
static void
own_watchdog_pid(char *const envp[])
{
	static char text[sizeof "WATCHDOG_PID=" + 24];
	char digits[24];
	size_t i, n = 0, len = sizeof "WATCHDOG_PID=" - 1;
	long pid = (long)getpid();

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], "WATCHDOG_PID=", len) == 0)
			break;
	if (envp == NULL || envp[i] == NULL)
		return;
	do
		digits[n++] = (char)('0' + pid % 10);
	while ((pid /= 10) > 0);
	memcpy(text, "WATCHDOG_PID=", len);
	while (n > 0)
		text[len++] = digits[--n];
	text[len] = '\0';
	((char **)envp)[i] = text;
}

/*
 * A fork whose child starts in the cgroup whose directory is CGROUP_DIR
 * (clone3 with CLONE_INTO_CGROUP, Linux 5.7): no migration through
 * cgroup.procs, which waits for an RCU grace period and so costs
 * milliseconds on every start.  Returns what fork() would, or -2 where
 * the system cannot (then the child joins through cgroup.procs).  The
 * child, like any after fork, makes only async-signal-safe calls.
 */
static int	no_clone3;	/* clone3 into a cgroup failed once */

/*
 * Whether clone3 into a cgroup failed with ERR for good: ENOSYS, E2BIG,
 * EINVAL, an older kernel; EBADF, EOPNOTSUPP, not a v2 cgroup.  Anything
 * else (EAGAIN, ENOMEM) a fork or vfork would meet too.
 */
static int
clone3_unsupported(int err)
{
	return err == ENOSYS || err == E2BIG || err == EINVAL ||
	    err == EBADF || err == EOPNOTSUPP;
}

static pid_t
fork_into(int cgroup_dir)
{
#if defined(__linux__) && defined(SYS_clone3)
	struct clone3_args args;
	long pid;

	if (cgroup_dir < 0 || no_clone3)
		return -2;
	memset(&args, 0, sizeof args);
	args.flags = CLONE_INTO_CGROUP_FLAG;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)cgroup_dir;
	if ((pid = syscall(SYS_clone3, &args, sizeof args)) >= 0)
		return (pid_t)pid;
	if (clone3_unsupported(errno))
		no_clone3 = 1;
	return -2;
#else
	(void)cgroup_dir;
	return -2;
#endif
}

#ifdef HAVE_VFORK_INTO
/* The child of vfork_into runs FN(ARG); the parent gets its pid, or -1. */
static pid_t
vfork_into(int cgroup_dir, void (*fn)(void *), void *arg)
{
	struct clone3_args args;

	memset(&args, 0, sizeof args);
	args.flags = CLONE_INTO_CGROUP_FLAG | VFORK_INTO_FLAGS;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)cgroup_dir;
	/* Set here, after memset: a call may clobber them. */
	register long ret __asm__("rax") = SYS_clone3;
	register void (*f)(void *) __asm__("r8") = fn;
	register void *a __asm__("r9") = arg;
	__asm__ volatile (
	    "syscall\n\t"
	    "testq %%rax, %%rax\n\t"
	    "jnz 1f\n\t"
	    "subq $256, %%rsp\n\t"	/* the child: below our red zone */
	    "andq $-16, %%rsp\n\t"
	    "movq %%r9, %%rdi\n\t"
	    "callq *%%r8\n\t"
	    "movl $127, %%edi\n\t"
	    "movl %[exit], %%eax\n\t"
	    "syscall\n\t"
	    "hlt\n"
	    "1:"
	    : "+r"(ret)
	    : "D"(&args), "S"(sizeof args), "r"(f), "r"(a),
	      [exit] "i"(SYS_exit)
	    : "rcx", "r11", "memory", "cc");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (pid_t)ret;
}
#endif

#ifdef HAVE_VFORK
/* 1 when R's child can be made in its cgroup by fork_into. */
static int
can_fork_into(const struct sv_recipe *r)
{
#if defined(__linux__) && defined(SYS_clone3)
	return r->cgroup_fd >= 0 && r->cgroup_dir >= 0 && !no_clone3;
#else
	(void)r;
	return 0;
#endif
}
#endif

/*
 * In the child, after fork or vfork: everything up to the exec.  After
 * vfork it runs in the parent's memory, so it writes nothing there but
 * TO's report (and errno) and calls only async-signal-safe functions;
 * the dispositions and the mask it sets are its own (vfork shares no
 * signal handlers), and so are its fds and its directory.
 */
static void	child_exec(char *const [], const struct sv_recipe *, int,
		    struct report_to *) __attribute__((noreturn));

static void
child_exec(char *const argv[], const struct sv_recipe *r, int notify_w,
    struct report_to *to)
{
	struct exec_report rep;
	struct sigaction sa;
	sigset_t none;
	int i, tmp[3], saved;

	/* Made in its cgroup, the child first says it runs (spawn_fork). */
	if (to->joined && to->shared != NULL)
		to->shared->step = STEP_NONE;
	else if (to->joined && write(to->errfd, "", 1) != 1)
		_exit(127);
	if (setsid() == -1)
		child_fail(to, STEP_SETSID);
	/* Into the service's cgroup before anything can fork. */
	if (!to->joined && r->cgroup_fd >= 0 &&
	    write(r->cgroup_fd, "0", 1) == -1)
		child_fail(to, STEP_CGROUP);
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
		child_fail(to, STEP_SIGMASK);
	if (r->dir != NULL && chdir(r->dir) == -1)
		child_fail(to, STEP_CHDIR);
	/* Lift the sources above 2 first, so no dup2 overwrites another. */
	for (i = 0; i < 3; i++)
		if ((tmp[i] = fcntl(r->fds[i], F_DUPFD, 3)) == -1)
			child_fail(to, STEP_FDS);
	for (i = 0; i < 3; i++)
		if (dup2(tmp[i], i) == -1)
			child_fail(to, STEP_FDS);
	for (i = 0; i < 3; i++)
		close(tmp[i]);
	if (notify_w >= 0) {
		/* The error pipe must not be where the notification fd goes. */
		if (to->errfd >= 0 && to->errfd == r->notify_fd &&
		    ((to->errfd = fcntl(to->errfd, F_DUPFD,
		    r->notify_fd + 1)) == -1 ||
		    fcntl(to->errfd, F_SETFD, FD_CLOEXEC) == -1))
			_exit(127);
		if (notify_w == r->notify_fd)
			fcntl(notify_w, F_SETFD, 0);
		else if (dup2(notify_w, r->notify_fd) == -1)
			child_fail(to, STEP_FDS);
	}
	if (to->shared == NULL)
		own_watchdog_pid(r->envp);
	execve(argv[0], argv, r->envp);
	saved = errno;
	memset(&rep, 0, sizeof rep);
	read_interp(argv[0], &rep);
	errno = saved;
	child_report(to, &rep, STEP_EXEC);
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

/*
 * What the child's report tells people, into TEXT: the interpreter of
 * the #! line where the kernel's errno is about it, the step that
 * failed before the exec, else strerror.  Each case checks the errno
 * too: an ETXTBSY is about the program, whatever its #! line says.
 */
static void
explain(const struct exec_report *rep, const char *dir, char *text,
    size_t size)
{
	static const char *const steps[] = {
		[STEP_SETSID] = "unable to start a session",
		[STEP_CGROUP] = "unable to join the service's cgroup",
		[STEP_SIGMASK] = "unable to clear the signal mask",
		[STEP_CHDIR] = "unable to chdir",
		[STEP_FDS] = "unable to set up fds 0-2",
	};
	const char *why = strerror(rep->err);
	int err = rep->err;

	if (rep->step == STEP_CHDIR)
		snprintf(text, size, "unable to chdir to %s: %s", dir, why);
	else if (rep->step != STEP_EXEC)
		snprintf(text, size, "%s: %s", rep->step >= 0 &&
		    (size_t)rep->step < sizeof steps / sizeof steps[0] ?
		    steps[rep->step] : "unable to start", why);
	else if (rep->interp == INTERP_MISSING && (err == ENOENT ||
	    err == ENOTDIR))
		snprintf(text, size, "interpreter %s not found", rep->path);
	else if (rep->interp == INTERP_NOT_EXECUTABLE && err == EACCES)
		snprintf(text, size, "interpreter %s is not executable",
		    rep->path);
	else if (rep->interp == INTERP_EMPTY && err == ENOEXEC)
		snprintf(text, size, "#! names no interpreter");
	else if (rep->interp == INTERP_OTHER && (err == ENOENT ||
	    err == EACCES || err == ENOEXEC || err == ELOOP))
		snprintf(text, size, "interpreter %s: %s", rep->path, why);
	else if (rep->interp == INTERP_ELF && err == ENOENT)
		snprintf(text, size, "%s (its dynamic loader is missing)", why);
	else if (rep->interp == INTERP_NONE && err == ENOEXEC)
		snprintf(text, size, "%s (not a program for this system, and "
		    "no #! line)", why);
	else
		snprintf(text, size, "%s", why);
}

int
proc_spawn(char *const argv[], const struct sv_recipe *recipe, pid_t *pid,
    int *notify, enum sv_start_error *why)
{
	return proc_spawn_text(argv, recipe, pid, notify, why, NULL, 0);
}

#ifdef HAVE_VFORK
/* ENVP has a WATCHDOG_PID= that the child makes its own (own_watchdog_pid). */
static int
has_watchdog_pid(char *const envp[])
{
	size_t i;

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], "WATCHDOG_PID=", 13) == 0)
			return 1;
	return 0;
}
#endif

/*
 * The child, by fork: it reports a failure over a close-on-exec pipe,
 * read here until the exec closes it.  Returns 0 when it runs, 1 when
 * it failed (REP says why; it is still to be reaped), -1 with errno when
 * there is no child.
 */
static int
spawn_fork(char *const argv[], const struct sv_recipe *r, int notify_w,
    pid_t *pid, struct exec_report *rep)
{
	struct report_to to;
	int errpipe[2], saved, wstatus, retried = 0;
	ssize_t n;
	char alive;

again:
	to.errfd = -1;
	to.shared = NULL;
	to.joined = 1;
	if (cloexec_pipe(errpipe) == -1)
		return -1;
	if (r->cgroup_fd < 0 || retried ||
	    (*pid = fork_into(r->cgroup_dir)) == -2) {
		to.joined = 0;
		*pid = fork();
	}
	if (*pid == -1) {
		saved = errno;
		close(errpipe[0]);
		close(errpipe[1]);
		errno = saved;
		return -1;
	}
	if (*pid == 0) {
		close(errpipe[0]);
		to.errfd = errpipe[1];
		child_exec(argv, r, notify_w, &to);
	}
	close(errpipe[1]);
	/*
	 * A child made in its cgroup first says it runs.  Some kernels
	 * (6.1x, with cgroup.kill's kill_seq) SIGKILL every child made
	 * into a cgroup once cgroup.kill was written there: such a child
	 * ends before it says anything, and from then on children join
	 * through cgroup.procs.
	 */
	if (to.joined) {
		while ((n = read(errpipe[0], &alive, 1)) == -1 && errno == EINTR)
			;
		if (n != 1) {
			close(errpipe[0]);
			while (waitpid(*pid, &wstatus, 0) == -1 && errno == EINTR)
				;
			if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
				no_clone3 = 1;
			retried = 1;	/* once, by fork */
			goto again;
		}
	}
	while ((n = read(errpipe[0], rep, sizeof *rep)) == -1 &&
	    errno == EINTR)
		;
	close(errpipe[0]);
	return n == (ssize_t)sizeof *rep;
}

#ifdef HAVE_VFORK
/* What the child of vfork_into is to run. */
struct vfork_start {
	char *const		*argv;
	const struct sv_recipe	*recipe;
	int			 notify_w;
	struct report_to	*to;
};

static void
vfork_child(void *arg)
{
	struct vfork_start *s = arg;

	child_exec(s->argv, s->recipe, s->notify_w, s->to);
}

/*
 * The child, by vfork, or into its cgroup by vfork_into: we are
 * suspended until it has exec'd or exited, and it writes its failure
 * into REP, which we share until then.  Every signal is blocked
 * meanwhile, so that none of our handlers runs in the child before it
 * has set every disposition to its default.  A child made in its
 * cgroup that never ran was killed as it was made (see spawn_fork): it
 * is made again by vfork, and joins through cgroup.procs.  Returns as
 * spawn_fork does.
 */
static int
spawn_vfork(char *const argv[], const struct sv_recipe *r, int notify_w,
    pid_t *pid, struct exec_report *rep)
{
	struct report_to to = { -1, rep, 0 };
	sigset_t all, old;
	pid_t child = -1;
	int saved, wstatus = 0;

	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &old) == -1)
		return -1;
	memset(rep, 0, sizeof *rep);
#ifdef HAVE_VFORK_INTO
	if (can_fork_into(r)) {
		struct vfork_start s = { argv, r, notify_w, &to };

		rep->step = STEP_UNBORN;
		to.joined = 1;
		child = vfork_into(r->cgroup_dir, vfork_child, &s);
		if (child == -1 && clone3_unsupported(errno))
			no_clone3 = 1;
		if (child > 0 && ((volatile struct exec_report *)rep)->step ==
		    STEP_UNBORN) {
			while (waitpid(child, &wstatus, 0) == -1 &&
			    errno == EINTR)
				;
			if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
				no_clone3 = 1;
			child = -1;	/* once more, by vfork */
		}
	}
#endif
	if (child == -1) {
		rep->step = STEP_NONE;
		to.joined = 0;
		if ((child = vfork()) == 0)
			child_exec(argv, r, notify_w, &to);
	}
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (child == -1) {
		errno = saved;
		return -1;
	}
	*pid = child;
	return ((volatile struct exec_report *)rep)->step >= 0;
}
#endif

int
proc_spawn_text(char *const argv[], const struct sv_recipe *recipe,
    pid_t *pid, int *notify, enum sv_start_error *why, char *text,
    size_t size)
{
	int notifypipe[2] = { -1, -1 }, failed, saved;
	struct exec_report rep;

	*notify = -1;
	if (check_program(argv[0], why) == -1)
		goto fail_text;
	*why = SV_START_EXEC_FAILED;
	if (recipe->notify_fd >= 0 && cloexec_pipe(notifypipe) == -1)
		goto fail_text;
	/*
	 * By vfork, into the service's cgroup where it has one and the
	 * system lets us (vfork_into); else, where it has one, by a fork
	 * made in it (fork_into).  A child that must rewrite a
	 * WATCHDOG_PID= (not in our memory) is forked.
	 */
#ifdef HAVE_VFORK
	if (!has_watchdog_pid(recipe->envp) && (!can_fork_into(recipe) ||
	    VFORK_INTO))
		failed = spawn_vfork(argv, recipe, notifypipe[1], pid, &rep);
	else
#endif
		failed = spawn_fork(argv, recipe, notifypipe[1], pid, &rep);
	saved = errno;
	if (notifypipe[1] >= 0)
		close(notifypipe[1]);
	if (failed != 0 && notifypipe[0] >= 0)
		close(notifypipe[0]);
	if (failed == -1) {
		errno = saved;
		goto fail_text;
	}
	if (failed) {
		while (waitpid(*pid, NULL, 0) == -1 && errno == EINTR)
			;
		rep.path[sizeof rep.path - 1] = '\0';
		if (text != NULL && size > 0)
			explain(&rep, recipe->dir != NULL ? recipe->dir : ".",
			    text, size);
		errno = rep.err;
		return -1;
	}
	if (notifypipe[0] >= 0)
		io_nonblock(notifypipe[0]);
	*notify = notifypipe[0];
	return 0;

fail_text:
	saved = errno;
	if (text != NULL && size > 0)
		snprintf(text, size, "%s", strerror(saved));
	errno = saved;
	return -1;
}

#ifdef HAVE_SHARED_START
/*
 * A fork copies every fd of ours into the child, and its exec then
 * closes them one by one: sid-svscan holds four per service, which made
 * each start of a thousand cost 0.2 ms more than the first.  So the
 * child of proc_start shares our fd table, then unshares it keeping
 * only fds 0 to low.top: the fds it is to have as 0-2 are put first
 * in low.fd[0-2], slots kept at low numbers for the purpose (our own
 * 0-2 and whatever else is that low is copied too, and closed by the
 * exec when it is close-on-exec, as after a fork).  Between starts the
 * slots hold /dev/null (low.fd[3]), so they keep no pipe open.
 */
static struct {
	int	fd[4];		/* the child's 0-2 for a start; /dev/null */
	int	top;		/* the highest of them */
	int	state;		/* 0 not tried; 1 held; -1 no shared start */
} low;

/* What the shared child needs: it runs on shared_stack. */
struct shared_start {
	char *const		*argv;
	struct sv_recipe	 recipe;	/* fds[] are low.fd[0-2] */
	struct report_to	 to;
	int			 unshared;	/* close_range did it */
};

#define SHARED_STACK	16384	/* the child's: malloc'ed by low_hold */
static char	*shared_stack;	/* not static data: in sid-supervise too */

/* dup3 with O_CLOEXEC (<unistd.h> has it under _GNU_SOURCE only). */
static int
dup_cloexec(int from, int to)
{
	return syscall(SYS_dup3, from, to, O_CLOEXEC) == -1 ? -1 : 0;
}

/* Take the slots: 1 when they are held. */
static int
low_hold(void)
{
	const char *preload;
	int i;

	if (low.state != 0)
		return low.state == 1;
	low.state = -1;
	/* Valgrind ends a process that clones so (it has vfork, not this). */
	if ((preload = getenv("LD_PRELOAD")) != NULL &&
	    strstr(preload, "/vgpreload_") != NULL)
		return 0;
	if ((shared_stack = malloc(SHARED_STACK)) == NULL)
		return 0;
	if ((low.fd[0] = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return 0;
	for (i = 1; i < 4; i++)
		if ((low.fd[i] = fcntl(low.fd[0], F_DUPFD_CLOEXEC, 0)) == -1) {
			while (i-- > 0)
				close(low.fd[i]);
			return 0;
		}
	low.top = 0;
	for (i = 0; i < 4; i++)
		if (low.fd[i] > low.top)
			low.top = low.fd[i];
	low.state = 1;
	return 1;
}

static int
shared_child(void *arg)
{
	struct shared_start *s = arg;

	if (syscall(SYS_close_range, (unsigned)low.top + 1, ~0U,
	    CLOSE_RANGE_UNSHARE_FLAG) == -1)
		_exit(127);
	s->unshared = 1;
	child_exec(s->argv, &s->recipe, -1, &s->to);
}

/*
 * proc_start's child, as above.  Returns as spawn_vfork does, or -2
 * where it cannot be made so (then it is made by fork).
 */
static int
start_shared(char *const argv[], const struct sv_recipe *r, pid_t *pid,
    struct exec_report *rep)
{
	struct shared_start s;
	sigset_t all, old;
	pid_t child;
	int i, saved;

	if (has_watchdog_pid(r->envp) || !low_hold())
		return -2;
	memset(rep, 0, sizeof *rep);
	rep->step = -1;
	s.argv = argv;
	s.recipe = *r;
	s.to.errfd = -1;
	s.to.shared = rep;
	s.to.joined = 0;
	s.unshared = 0;
	for (i = 0; i < 3; i++)
		if (dup_cloexec(r->fds[i], low.fd[i]) == -1)
			goto reset;
	for (i = 0; i < 3; i++)
		s.recipe.fds[i] = low.fd[i];
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	child = clone(shared_child, shared_stack + SHARED_STACK,
	    SHARED_CLONE_VM | SHARED_CLONE_VFORK | SHARED_CLONE_FILES |
	    SIGCHLD, &s);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (child != -1 && !((volatile struct shared_start *)&s)->unshared) {
		/* An older kernel: no CLOSE_RANGE_UNSHARE. */
		while (waitpid(child, NULL, 0) == -1 && errno == EINTR)
			;
		low.state = -1;
		child = -1;
		saved = EINVAL;
	}
	for (i = 0; i < 3; i++)
		dup_cloexec(low.fd[3], low.fd[i]);
	if (child == -1) {
		errno = saved;
		return low.state == 1 ? -1 : -2;
	}
	*pid = child;
	return ((volatile struct exec_report *)rep)->step >= 0;

reset:
	saved = errno;
	while (i-- > 0)
		dup_cloexec(low.fd[3], low.fd[i]);
	errno = saved;
	return -1;
}
/*
 * REP, the failure of a shared child, into a pipe for proc_started to
 * read: *ERRFD.  Without a pipe, -1 with the child's errno (the child
 * has exited 127 all the same; its pid is the caller's to ignore).
 */
static int
report_later(const struct exec_report *rep, int *errfd)
{
	int fds[2];

	if (cloexec_pipe(fds) == -1) {
		errno = rep->err;
		return -1;
	}
	if (write(fds[1], rep, sizeof *rep) == -1) {
		/* Empty, the pipe takes the report whole (PIPE_BUF). */
	}
	close(fds[1]);
	io_nonblock(fds[0]);
	*errfd = fds[0];
	return 0;
}
#endif

void
proc_start_init(void)
{
#ifdef HAVE_SHARED_START
	low_hold();
#endif
}

int
proc_start(char *const argv[], const struct sv_recipe *recipe, pid_t *pid,
    int *errfd)
{
	struct report_to to = { -1, NULL, 0 };
	enum sv_start_error why;
	sigset_t all, old;
	int errpipe[2], saved;
#ifdef HAVE_SHARED_START
	struct exec_report rep;
	int failed;
#endif

	if (recipe->notify_fd >= 0) {
		errno = EINVAL;
		return -1;
	}
	if (check_program(argv[0], &why) == -1)
		return -1;
#ifdef HAVE_SHARED_START
	if ((failed = start_shared(argv, recipe, pid, &rep)) != -2) {
		*errfd = -1;
		return failed == 1 ? report_later(&rep, errfd) : failed;
	}
#endif
	if (cloexec_pipe(errpipe) == -1)
		return -1;
	/*
	 * The child starts with every signal blocked: one sent to it before
	 * it has set every disposition to its default (we go on meanwhile,
	 * and may be quick to stop it) waits for that, instead of running
	 * our handler there and being lost.
	 */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	*pid = fork();
	saved = errno;
	if (*pid == 0) {
		close(errpipe[0]);
		to.errfd = errpipe[1];
		child_exec(argv, recipe, -1, &to);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (*pid == -1) {
		close(errpipe[0]);
		close(errpipe[1]);
		errno = saved;
		return -1;
	}
	close(errpipe[1]);
	io_nonblock(errpipe[0]);
	*errfd = errpipe[0];
	return 0;
}

int
proc_started(int errfd, const char *dir, char *text, size_t size)
{
	struct exec_report rep;
	ssize_t n;

	while ((n = read(errfd, &rep, sizeof rep)) == -1 && errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return 0;
	close(errfd);
	/* The report is written whole or not at all (PIPE_BUF). */
	if (n != (ssize_t)sizeof rep)
		return 1;
	rep.path[sizeof rep.path - 1] = '\0';
	if (text != NULL && size > 0)
		explain(&rep, dir, text, size);
	errno = rep.err;
	return -1;
}

int
proc_start_time(pid_t pid, char *buf, size_t size)
{
	/*
	 * Field 22 comes after a pid, a comm of 16 bytes at most and 19
	 * numbers of 20 digits at most: within 512 bytes of the start.
	 */
	char path[64], text[512], *p;
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

size_t
proc_comm(pid_t pid, char *name, size_t size)
{
	char path[64];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	if (size > 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, name, size - 1);
		close(fd);
	}
	while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == '\0'))
		n--;
	if (size > 0)
		name[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

char *
proc_describe(pid_t pid, char *buf, size_t size)
{
	char name[64];

	if (pid <= 0)
		snprintf(buf, size, "another process");
	else if (proc_comm(pid, name, sizeof name) > 0)
		snprintf(buf, size, "%s (pid %ld)", name, (long)pid);
	else
		snprintf(buf, size, "pid %ld", (long)pid);
	return buf;
}
