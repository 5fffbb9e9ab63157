/* ctl: control bytes, parsed and sent. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

enum ctl_cmd
ctl_parse(unsigned char byte, int *sig)
{
	switch (byte) {
	case 'u': return CTL_UP;
	case 'd': return CTL_DOWN;
	case 'o': return CTL_ONCE;
	case 'r': return CTL_RESTART;
	case 'p': return CTL_PAUSE;
	case 'c': return CTL_CONT;
	case 'x': return CTL_EXIT;
	case 't': *sig = SIGTERM; return CTL_SIGNAL;
	case 'k': *sig = SIGKILL; return CTL_SIGNAL;
	case 'h': *sig = SIGHUP; return CTL_SIGNAL;
	case 'a': *sig = SIGALRM; return CTL_SIGNAL;
	case 'i': *sig = SIGINT; return CTL_SIGNAL;
	case 'q': *sig = SIGQUIT; return CTL_SIGNAL;
	case '1': *sig = SIGUSR1; return CTL_SIGNAL;
	case '2': *sig = SIGUSR2; return CTL_SIGNAL;
	default: return CTL_UNKNOWN;
	}
}

int
ctl_send(const char *path, const char *cmds, size_t len)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int fd, tries = 100, saved;
	ssize_t n;

	/* O_NONBLOCK: with no reader, open fails with ENXIO at once. */
	if ((fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	while (len > 0) {
		n = write(fd, cmds, len);
		if (n > 0) {
			cmds += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EAGAIN && tries-- > 0) {
			nanosleep(&pause, NULL);
		} else if (n == -1 && errno != EINTR) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
	}
	return close(fd);
}
