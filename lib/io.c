/* io: whole-file reads, atomic replacement, descriptor flags. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__OpenBSD__) || defined(__APPLE__)
#include <sys/file.h>		/* flock(2): not POSIX, but everywhere */
#endif

#include "io.h"

#ifdef __linux__
#include <sys/syscall.h>
#ifdef SYS_close_range
#define CLOSE_RANGE_CLOEXEC_FLAG	(1U << 2)	/* linux/close_range.h */
long	syscall(long, ...);	/* not declared under _POSIX_C_SOURCE */
#endif
#endif

#define READ_MIN	512	/* io_read_file: the first read at least */

int
io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The rest of FD into *BUF, starting with a buffer of SIZE bytes. */
static int
read_rest(int fd, size_t size, size_t max, char **buf, size_t *len)
{
	char *data, *grown;
	size_t have = 0;
	ssize_t n;
	int saved;

	/* Files of /proc and cgroupfs say 0 bytes: not read 2 at a time. */
	if (size < READ_MIN && max + 1 > READ_MIN)
		size = READ_MIN;
	if ((data = malloc(size)) == NULL)
		return -1;
	for (;;) {
		if (have == size && size < max + 1) {
			size = size * 2 < max + 1 ? size * 2 : max + 1;
			if ((grown = realloc(data, size)) == NULL)
				goto fail;
			data = grown;
		}
		n = read(fd, data + have, size - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	data[have] = '\0';
	*buf = data;
	*len = have;
	return 0;
fail:
	saved = errno;
	free(data);
	errno = saved;
	return -1;
}

int
io_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t size;
	int fd, r, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	size = fstat(fd, &st) == 0 && st.st_size >= 0 &&
	    (size_t)st.st_size < max ? (size_t)st.st_size + 2 : max + 1;
	r = read_rest(fd, size, max, buf, len);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int
io_reread(int fd, size_t max, char **buf, size_t *len)
{
	if (lseek(fd, 0, SEEK_SET) == -1)
		return -1;
	return read_rest(fd, READ_MIN, max, buf, len);
}

/*
 * The usual PATH is short ("supervise/status"): its PATH.new is built on
 * a small stack buffer, and only a long one costs a malloc, so that a
 * supervisor's stack stays a page or two deep.
 */
int
io_replace(const char *path, const void *buf, size_t len)
{
	char small[256], *tmp = small;
	size_t size = strlen(path) + sizeof ".new";
	int fd, saved;

	if (size > sizeof small && (tmp = malloc(size)) == NULL)
		return -1;
	memcpy(tmp, path, size - sizeof ".new");
	memcpy(tmp + size - sizeof ".new", ".new", sizeof ".new");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		saved = errno;
		goto out;
	}
	if (io_write_all(fd, buf, len) == -1) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		goto fail;
	}
	if (tmp != small)
		free(tmp);
	return 0;
fail:
	unlink(tmp);
out:
	if (tmp != small)
		free(tmp);
	errno = saved;
	return -1;
}

/*
 * On Linux /proc/self/cwd names it without getcwd(), which in some C
 * libraries (musl) takes a PATH_MAX buffer of stack whatever the
 * caller's buffer; a deleted directory is left to getcwd().
 */
char *
io_cwd(void)
{
	size_t size = 128;
	char *buf = NULL, *bigger;
#ifdef __linux__
	ssize_t n;

	for (;;) {
		if ((bigger = realloc(buf, size)) == NULL) {
			free(buf);
			return NULL;
		}
		buf = bigger;
		if ((n = readlink("/proc/self/cwd", buf, size)) < 0 ||
		    (size_t)n < size)
			break;
		size *= 2;
	}
	if (n > 0 && buf[0] == '/' && !(n >= 10 &&
	    memcmp(buf + n - 10, " (deleted)", 10) == 0)) {
		buf[n] = '\0';
		return buf;
	}
#endif
	for (;;) {
		if ((bigger = realloc(buf, size)) == NULL)
			break;
		buf = bigger;
		if (getcwd(buf, size) != NULL)
			return buf;
		if (errno != ERANGE)
			break;
		size *= 2;
	}
	free(buf);
	return NULL;
}

int
io_empty(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1)
		return errno == ELOOP ? io_replace(path, "", 0) : -1;
	return close(fd);
}

int
io_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
io_dir_names(const char *dir, int (*keep)(const char *, void *), void *arg,
    size_t *count)
{
	char **names, **grown;
	size_t n = 0, cap = 16;
	struct dirent *de;
	int saved;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return NULL;
	if ((names = calloc(cap, sizeof *names)) == NULL)
		goto fail;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (keep != NULL ? !keep(de->d_name, arg) :
		    de->d_name[0] == '.')
			continue;
		if (n + 1 == cap) {
			if ((grown = realloc(names, 2 * cap *
			    sizeof *names)) == NULL)
				goto fail;
			names = grown;
			cap *= 2;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto fail;
		names[++n] = NULL;
	}
	if (errno != 0)
		goto fail;
	closedir(d);
	qsort(names, n, sizeof *names, compare_names);
	*count = n;
	return names;
fail:
	saved = errno;
	closedir(d);
	io_free_names(names);
	errno = saved;
	return NULL;
}

void
io_free_names(char **names)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

/*
 * Who holds the flock(2) lock on the file FD refers to: /proc/locks
 * lists "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE ..." where the system
 * has it (Linux).  0 when it cannot tell.
 */
static pid_t
flock_holder(int fd)
{
	char want[64], line[256], kind[16], dev[64];
	struct stat st;
	long pid;
	FILE *f;

	if (fstat(fd, &st) == -1 || (f = fopen("/proc/locks", "r")) == NULL)
		return 0;
	snprintf(want, sizeof want, ":%lu", (unsigned long)st.st_ino);
	pid = 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%*s %15s %*s %*s %ld %63s", kind, &pid,
		    dev) == 3 && strcmp(kind, "FLOCK") == 0 &&
		    strlen(dev) > strlen(want) && strcmp(dev + strlen(dev) -
		    strlen(want), want) == 0)
			break;
		else
			pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/*
 * Both kinds of lock, so that every other supervisor sees this one:
 * runit and daemontools take flock(2), s6 fcntl(2).  Where the system
 * has no flock, fcntl alone.
 */
int
io_lock(const char *path, pid_t *holder)
{
	struct flock fl;
	int fd, saved;

	*holder = 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return -1;
#ifdef LOCK_EX
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		saved = errno == EWOULDBLOCK ? EAGAIN : errno;
		if (saved == EAGAIN)
			*holder = flock_holder(fd);
		close(fd);
		errno = saved;
		return -1;
	}
#endif
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return fd;
	saved = errno == EACCES ? EAGAIN : errno;
	if (saved == EAGAIN && fcntl(fd, F_GETLK, &fl) == 0 &&
	    fl.l_type != F_UNLCK)
		*holder = fl.l_pid;
	close(fd);
	errno = saved;
	return -1;
}

static void
cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags != -1 && !(flags & FD_CLOEXEC))
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/*
 * Descriptors inherited from whoever started us must not reach the
 * services.  /dev/fd lists the open ones where the system has it (Linux,
 * the BSDs, macOS); elsewhere try every number below the limit.
 */
void
io_cloexec_from(int lowfd)
{
	struct dirent *de;
	long max, fd;
	DIR *dir;

#ifdef CLOSE_RANGE_CLOEXEC_FLAG
	/* One call (Linux 5.11), no directory read and its 32 KiB buffer. */
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U,
	    CLOSE_RANGE_CLOEXEC_FLAG) == 0)
		return;
#endif
	if ((dir = opendir("/dev/fd")) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			fd = strtol(de->d_name, NULL, 10);
			if (de->d_name[0] != '.' && fd >= lowfd &&
			    fd != dirfd(dir))
				cloexec((int)fd);
		}
		closedir(dir);
		return;
	}
	if ((max = sysconf(_SC_OPEN_MAX)) < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		cloexec((int)fd);
}

int
io_lock_held(const char *path, pid_t *holder)
{
	struct flock fl;
	int fd, r, saved;

	*holder = 0;
	/* F_GETLK asks about a write lock without needing write access. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	r = fcntl(fd, F_GETLK, &fl);
	saved = errno;
	close(fd);
	if (r == -1) {
		errno = saved;
		return -1;
	}
	if (fl.l_type == F_UNLCK)
		return 0;
	*holder = fl.l_pid > 0 ? fl.l_pid : 0;
	return 1;
}
