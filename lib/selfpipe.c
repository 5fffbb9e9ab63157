/* selfpipe: signal handlers that write the signal number to a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "selfpipe.h"

static int selfpipe[2] = { -1, -1 };
static volatile sig_atomic_t caught;	/* since selfpipe_read() began */

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

	if (pipe(selfpipe) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if (io_nonblock(selfpipe[i]) == -1 ||
		    fcntl(selfpipe[i], F_SETFD, FD_CLOEXEC) == -1)
			return -1;
	return selfpipe[0];
}

int
selfpipe_catch(int sig)
{
	struct sigaction sa;

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

	/* Cleared first: a signal caught from here on sets it again. */
	caught = 0;
	if (read(selfpipe[0], &c, 1) == 1)
		return c;
	return 0;
}

int
selfpipe_pending(void)
{
	return caught != 0;
}
