/*
 * drip FIFO WATCH COUNT SIZE: write COUNT pieces of SIZE bytes of stdin
 * to FIFO, one write each, and after each wait until the file WATCH has
 * changed (size or inode) before the next.
 *
 * For a reader that records one line in WATCH per wakeup (sid-supervise
 * writes "control: N unknown bytes ignored" to supervise/events), that
 * makes each piece its own wakeup and its own line whatever the load:
 * the next piece is written only once the line of the last one is out,
 * that is, once the reader has left the read loop that took it.
 *
 * Exits 0 when every piece went, 1 when stdin ran short or WATCH did
 * not change within 10 s of a write, 64 on a usage error, 111 when FIFO
 * cannot be opened.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS		10000
#define STEP_NS		200000L		/* 0.2 ms between looks */

/* The size and inode of PATH, or 0 and 0 when it is missing. */
static void
look(const char *path, off_t *size, ino_t *ino)
{
	struct stat st;

	*size = 0;
	*ino = 0;
	if (stat(path, &st) == 0) {
		*size = st.st_size;
		*ino = st.st_ino;
	}
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
	off_t size0, size1;
	ino_t ino0, ino1;
	long waited;
	char *buf;
	int fd;

	if (argc != 5 || (count = strtoul(argv[3], NULL, 10)) == 0 ||
	    (size = strtoul(argv[4], NULL, 10)) == 0 || size > 4096) {
		fprintf(stderr, "usage: drip FIFO WATCH COUNT SIZE\n");
		return 64;
	}
	if ((buf = malloc(size)) == NULL ||
	    (fd = open(argv[1], O_WRONLY)) == -1) {
		fprintf(stderr, "drip: %s: %s\n", argv[1], strerror(errno));
		return 111;
	}
	for (i = 0; i < count; i++) {
		if (read_full(0, buf, size) == -1) {
			fprintf(stderr, "drip: stdin ended at piece %lu\n", i);
			return 1;
		}
		look(argv[2], &size0, &ino0);
		if (write(fd, buf, size) != (ssize_t)size) {
			fprintf(stderr, "drip: %s: %s\n", argv[1],
			    strerror(errno));
			return 1;
		}
		for (waited = 0;; waited++) {
			look(argv[2], &size1, &ino1);
			if (size1 != size0 || ino1 != ino0)
				break;
			if (waited * (STEP_NS / 1000) > WAIT_MS * 1000L) {
				fprintf(stderr, "drip: %s did not change "
				    "after piece %lu\n", argv[2], i);
				return 1;
			}
			nanosleep(&step, NULL);
		}
	}
	return 0;
}
