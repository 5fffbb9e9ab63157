/*
 * selfpipe: the caught signals as one readable descriptor.
 *
 * On Linux that is a signalfd(2): the caught signals stay blocked and
 * are read from it, so no handler ever runs.  That is for memory: a
 * handler runs on a signal frame that the kernel pushes below the
 * deepest frame of the loop (poll()'s), about 3.5 KiB with a CPU's
 * xsave state, and the stack page it reaches stays dirty for the life
 * of the process: one page more or not in every idle sid-supervise,
 * depending on where in its page the stack happened to start.
 *
 * Elsewhere, where signalfd() fails (a seccomp filter, an old kernel),
 * and built with -DSID_NO_SIGNALFD, handlers write the signal number to
 * a pipe: the self-pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__) && !defined(SID_NO_SIGNALFD)
#include <sys/signalfd.h>
#define HAVE_SIGNALFD	1
#endif

#include "io.h"
#include "selfpipe.h"

static int selfpipe[2] = { -1, -1 };
static volatile sig_atomic_t caught;	/* since selfpipe_read() began */

#ifdef HAVE_SIGNALFD
static int signal_fd = -1;		/* -1: the self-pipe is used */
static sigset_t signal_fd_set;		/* what signal_fd reads */
#endif

/*
 * With a signalfd it never runs (the signal is blocked), but it is the
 * disposition all the same: see selfpipe_catch.
 */
static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(selfpipe[1], &c, 1) == -1) {
		/* EAGAIN: the pipe is full, so a wakeup is already pending. */
	}
	caught = 1;
	errno = saved;
}

int
selfpipe_init(void)
{
	int i;

#ifdef HAVE_SIGNALFD
	sigemptyset(&signal_fd_set);
	signal_fd = signalfd(-1, &signal_fd_set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signal_fd != -1)
		return signal_fd;
#endif
	if (pipe(selfpipe) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if (io_nonblock(selfpipe[i]) == -1 ||
		    fcntl(selfpipe[i], F_SETFD, FD_CLOEXEC) == -1)
			return -1;
	return selfpipe[0];
}

#ifdef HAVE_SIGNALFD
/*
 * SIG blocked and read from signal_fd.  Blocked first, so that from the
 * moment its handler is set up it never runs; blocked, it waits for the
 * signalfd even while at SIG_IGN, as inherited, until then.
 */
static int
block_into_signal_fd(int sig)
{
	sigset_t one;

	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sigprocmask(SIG_BLOCK, &one, NULL) == -1)
		return -1;
	sigaddset(&signal_fd_set, sig);
	if (signalfd(signal_fd, &signal_fd_set, 0) == -1) {
		sigdelset(&signal_fd_set, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		return -1;
	}
	return 0;
}
#endif

int
selfpipe_catch(int sig)
{
	struct sigaction sa;

#ifdef HAVE_SIGNALFD
	if (signal_fd != -1 && block_into_signal_fd(sig) == -1)
		return -1;
#endif
	/*
	 * The handler is set for the signalfd too, which needs none, for
	 * the disposition: never an inherited SIG_IGN (POSIX leaves it
	 * open whether a blocked signal at SIG_IGN is kept or dropped, and
	 * for SIGCHLD it would reap every child before we saw it); and
	 * SA_NOCLDSTOP, so that a child stopped or continued raises no
	 * SIGCHLD at all.  A caught signal is thus caught the same way on
	 * both paths, and a child, which resets the mask, finds every one
	 * at its default.
	 */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

int
selfpipe_read(void)
{
	unsigned char c;
#ifdef HAVE_SIGNALFD
	struct signalfd_siginfo info;

	if (signal_fd != -1) {
		if (read(signal_fd, &info, sizeof info) == (ssize_t)sizeof info)
			return (int)info.ssi_signo;
		return 0;
	}
#endif
	/* Cleared first: a signal caught from here on sets it again. */
	caught = 0;
	if (read(selfpipe[0], &c, 1) == 1)
		return c;
	return 0;
}

int
selfpipe_pending(void)
{
	/*
	 * A signalfd is readable from the moment the signal is sent: poll()
	 * sees it, and no handler runs behind poll()'s back, so there is
	 * nothing it could miss (selfpipe.h).  caught stays 0 then.
	 */
	return caught != 0;
}
