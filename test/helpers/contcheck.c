/*
 * contcheck FILE: wait for SIGTERM and, acting on it, append to FILE
 * "cont pending" when the SIGCONT that a stop sends after it is there
 * already, else "cont late"; then exit 0.
 *
 * The SIGTERM handler holds SIGCONT back (sa_mask), so a SIGCONT that
 * came first waits in sigpending() while it runs; a SIGCONT handler
 * keeps it from being dropped as ignored.  A service whose stop-signal
 * sets off work that a later SIGCONT disturbs (a PTRACE_ATTACH, as
 * LeakSanitizer's at exit) needs "cont pending".
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *file;

static void
on_cont(int sig)
{
	(void)sig;
}

static void
on_term(int sig)
{
	const char *verdict;
	sigset_t pending;
	int fd;

	(void)sig;
	sigpending(&pending);
	verdict = sigismember(&pending, SIGCONT) ? "cont pending\n" :
	    "cont late\n";
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, verdict, strlen(verdict)) == -1)
		_exit(1);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;

	if (argc != 2) {
		fputs("usage: contcheck FILE\n", stderr);
		return 64;
	}
	file = argv[1];
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
	sigaddset(&sa.sa_mask, SIGCONT);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	for (;;)
		pause();
}
