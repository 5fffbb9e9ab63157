/* fingerprint: hashes of run, conf and env/ (FNV-1a, a word at a time). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fingerprint.h"
#include "io.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define FP_MISSING	1	/* a missing file */
#define FP_WHOLE_MAX	65536	/* larger files: hashed by their metadata */

/*
 * FNV-1a, eight bytes at a step (a byte at a time took 50 us for a
 * 40 kB ./run, at every start), the high bits folded down at each so
 * that every bit reaches the next step; the last LEN % 8 bytes one by
 * one.  Hashing a file in pieces of hash_fd's buffer gives what hashing
 * it in one piece does: the words fall at the same offsets.
 */
static uint64_t
fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t w;

	for (; len >= sizeof w; p += sizeof w, len -= sizeof w) {
		memcpy(&w, p, sizeof w);
		h = (h ^ w) * FNV_PRIME;
		h ^= h >> 29;
	}
	while (len-- > 0) {
		h ^= *p++;
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t
hash_fd(uint64_t h, int fd)
{
	char buf[1024];	/* a small file: a few reads, a small stack */
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0 ||
	    (n == -1 && errno == EINTR))
		if (n > 0)
			h = fnv(h, buf, (size_t)n);
	return h;
}

/*
 * A small file (conf, env/, a script) is hashed whole; a large one (a
 * binary run) by its inode, size and modification time, so that hashing
 * never costs more than a small read.
 */
/* fp_file of NAME in the directory DIRFD (AT_FDCWD: the current one). */
static uint64_t
fp_file_at(int dirfd, const char *name)
{
	struct stat st;
	uint64_t h, meta[4];
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return FP_MISSING;
	if (fstat(fd, &st) == 0 && st.st_size > FP_WHOLE_MAX) {
		meta[0] = (uint64_t)st.st_ino;
		meta[1] = (uint64_t)st.st_size;
		meta[2] = (uint64_t)st.st_mtim.tv_sec;
		meta[3] = (uint64_t)st.st_mtim.tv_nsec;
		h = fnv(FNV_OFFSET, meta, sizeof meta);
	} else
		h = hash_fd(FNV_OFFSET, fd);
	close(fd);
	return h;
}

uint64_t
fp_file(const char *path)
{
	return fp_file_at(AT_FDCWD, path);
}

/* Each file by its name in the directory: no path buffer. */
uint64_t
fp_dir(const char *dir)
{
	char **names;
	uint64_t h = FNV_OFFSET, file;
	size_t n, i;
	int dirfd;

	if ((names = io_dir_names(dir, NULL, NULL, &n)) == NULL)
		return FP_MISSING;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < n; i++) {
		file = dirfd >= 0 ? fp_file_at(dirfd, names[i]) : FP_MISSING;
		h = fnv(h, names[i], strlen(names[i]) + 1);
		h = fnv(h, &file, sizeof file);
	}
	if (dirfd >= 0)
		close(dirfd);
	io_free_names(names);
	return h;
}

void
fp_service(const char *dir, struct fingerprint *fp)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/run", dir);
	fp->run = fp_file(path);
	snprintf(path, sizeof path, "%s/conf", dir);
	fp->conf = fp_file(path);
	snprintf(path, sizeof path, "%s/env", dir);
	fp->env = fp_dir(path);
}

size_t
fp_format(char *buf, size_t size, const struct fingerprint *fp)
{
	int n = snprintf(buf, size, "run=%016llx\nconf=%016llx\nenv=%016llx\n",
	    (unsigned long long)fp->run, (unsigned long long)fp->conf,
	    (unsigned long long)fp->env);

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int
fp_parse(const char *text, struct fingerprint *fp)
{
	unsigned long long run, conf, env;

	if (sscanf(text, "run=%llx\nconf=%llx\nenv=%llx", &run, &conf,
	    &env) != 3)
		return -1;
	fp->run = run;
	fp->conf = conf;
	fp->env = env;
	return 0;
}
