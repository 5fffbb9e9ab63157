/*
 * linelog FILE: a logger for tests.  Appends each line of stdin to FILE.
 * It reads one byte at a time, so it never takes more from the pipe than
 * the line it is writing: on SIGTERM it finishes that line and exits 0,
 * and the next logger on the same pipe continues exactly after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	char line[65536];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: linelog FILE\n");
		return 64;
	}
	if ((fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644)) == -1) {
		perror(argv[1]);
		return 111;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;	/* no SA_RESTART: read() returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop || len > 0) {
		n = read(0, line + len, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (line[len++] == '\n' || len == sizeof line) {
			if (write(fd, line, len) != (ssize_t)len)
				return 111;
			len = 0;
		}
	}
	if (len > 0 && write(fd, line, len) != (ssize_t)len)
		return 111;
	return 0;
}
