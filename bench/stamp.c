/*
 * stamp: the child that bench/bench.py supervises to time a restart.
 *
 * The first thing it does is read CLOCK_REALTIME; then it appends
 * "PID NANOSECONDS\n" to ./stamp.log and writes the same line to the FIFO
 * ./stamp.fifo when someone holds it open, and waits for a signal.  It
 * is the service's ./run itself (no shell in between), so the stamp is
 * taken as soon after the supervisor's exec as a program can take it.
 * The bench links it statically when it can, to keep the dynamic
 * loader out of the measure.
 */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	struct timespec ts;
	char line[64];
	int fd, n;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof line, "%ld %lld\n", (long)getpid(),
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (n <= 0 || n >= (int)sizeof line)
		return 111;
	fd = open("stamp.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			return 111;
		close(fd);
	}
	fd = open("stamp.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			return 111;
		close(fd);
	}
	for (;;)
		pause();
}
