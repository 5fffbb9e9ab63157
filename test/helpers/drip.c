/*
 * drip FIFO PID COUNT SIZE: write COUNT pieces of SIZE bytes of stdin to
 * FIFO, one write each, and after each wait until the reader PID has
 * taken all of it and sleeps in poll() again before the next.
 *
 * For a reader that records one line per wakeup (sid-supervise writes
 * "control: N unknown bytes ignored" to supervise/events), that makes
 * each piece its own wakeup and its own line whatever the load: the FIFO
 * is empty (FIONREAD), so the piece was read, and the reader is back in
 * poll(), which it calls only once it is done with what it read.
 *
 * Linux only (/proc/PID/wchan).  Exits 0 when every piece went, 1 when
 * stdin ran short or PID was not back in poll() within 10 s of a write,
 * 2 where the system cannot tell (no FIONREAD, no /proc/PID/wchan), 64 on
 * a usage error, 111 when FIFO cannot be opened.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS		10000
#define STEP_NS		200000L		/* 0.2 ms between looks */

static char wchan_path[64];

/* 1 when the FIFO on FD holds no byte, 0 when it does, -1 on error. */
static int
fifo_empty(int fd)
{
#ifdef FIONREAD
	int n;

	if (ioctl(fd, FIONREAD, &n) == -1)
		return -1;
	return n == 0;
#else
	(void)fd;
	errno = ENOTSUP;
	return -1;
#endif
}

/* 1 when the process sleeps in poll(), 0 when not, -1 on error. */
static int
in_poll(void)
{
	char buf[128];
	ssize_t n;
	int fd;

	if ((fd = open(wchan_path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return strstr(buf, "poll") != NULL;
}

static int
read_full(int fd, char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = read(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct timespec step = { 0, STEP_NS };
	unsigned long count, size, i;
	long waited;
	char *buf;
	int fd, empty, polling;

	if (argc != 5 || strtol(argv[2], NULL, 10) <= 0 ||
	    (count = strtoul(argv[3], NULL, 10)) == 0 ||
	    (size = strtoul(argv[4], NULL, 10)) == 0 || size > 4096) {
		fprintf(stderr, "usage: drip FIFO PID COUNT SIZE\n");
		return 64;
	}
	snprintf(wchan_path, sizeof wchan_path, "/proc/%s/wchan", argv[2]);
	if ((buf = malloc(size)) == NULL ||
	    (fd = open(argv[1], O_WRONLY)) == -1) {
		fprintf(stderr, "drip: %s: %s\n", argv[1], strerror(errno));
		return 111;
	}
	if (fifo_empty(fd) == -1 || in_poll() == -1) {
		fprintf(stderr, "drip: cannot tell when %s is read: %s\n",
		    argv[1], strerror(errno));
		return 2;
	}
	for (i = 0; i < count; i++) {
		if (read_full(0, buf, size) == -1) {
			fprintf(stderr, "drip: stdin ended at piece %lu\n", i);
			return 1;
		}
		if (write(fd, buf, size) != (ssize_t)size) {
			fprintf(stderr, "drip: %s: %s\n", argv[1],
			    strerror(errno));
			return 1;
		}
		/* Empty first, then in poll(): a poll() after the read. */
		for (waited = 0;; waited++) {
			empty = fifo_empty(fd);
			polling = empty == 1 ? in_poll() : 0;
			if (empty == -1 || polling == -1) {
				fprintf(stderr, "drip: %s: %s\n", argv[1],
				    strerror(errno));
				return 1;
			}
			if (empty && polling)
				break;
			if (waited * (STEP_NS / 1000) > WAIT_MS * 1000L) {
				fprintf(stderr, "drip: piece %lu: %s not back "
				    "in poll() with the FIFO empty\n", i,
				    argv[2]);
				return 1;
			}
			nanosleep(&step, NULL);
		}
	}
	return 0;
}
