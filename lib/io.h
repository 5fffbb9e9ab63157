/*
 * io: small file helpers shared by the tools.  Each returns -1 with errno
 * set on failure and never prints.
 */
#ifndef SID_IO_H
#define SID_IO_H

#include <stddef.h>
#include <sys/types.h>

/* io_write_all: write all LEN bytes of BUF to FD, retrying on EINTR. */
int	io_write_all(int fd, const void *buf, size_t len);

/*
 * io_read_file: read the whole file PATH (at most MAX bytes, else EFBIG)
 * into a malloc'ed, NUL-terminated buffer *BUF of *LEN bytes.
 */
int	io_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * io_reread: the whole of the open file FD, from its start, as
 * io_read_file reads a file: no lookup of its path each time (a
 * cgroup's cgroup.procs, read at every signal).
 */
int	io_reread(int fd, size_t max, char **buf, size_t *len);

/*
 * io_replace: write LEN bytes of BUF to PATH.new, then rename it over
 * PATH, so readers see the old or the new contents, never a mix.  No
 * fsync: this is runtime state.
 */
int	io_replace(const char *path, const void *buf, size_t len);

/*
 * io_cwd: the current directory, malloc'ed (free it), or NULL with
 * errno.  No PATH_MAX buffer on the caller's stack.
 */
char	*io_cwd(void);

/*
 * io_empty: make PATH empty, as io_replace(PATH, "", 0) would (created
 * when missing), but in place: a reader sees the old contents or none,
 * and no new file is made (on ext4 each new file costs a search of the
 * inode table that grows with the files deleted lately).  A symlink is
 * replaced, not followed: then it is io_replace.
 */
int	io_empty(const char *path);

/* io_nonblock: set O_NONBLOCK on FD. */
int	io_nonblock(int fd);

/*
 * io_dir_names: the names in DIR for which KEEP(name, ARG) is true
 * (every name not starting with '.' when KEEP is NULL), sorted, as a
 * NULL-terminated malloc'ed array; *COUNT gets their number.  Returns
 * NULL (errno set) when DIR cannot be read or memory runs out.
 */
char	**io_dir_names(const char *dir, int (*keep)(const char *, void *),
	    void *arg, size_t *count);

/* io_free_names: free what io_dir_names returned (NULL is fine). */
void	io_free_names(char **names);

/*
 * io_lock: open PATH (created 0644) and take an exclusive lock on it,
 * kept until exit: flock(2) where the system has it (runit's and
 * daemontools' lock) and fcntl(2) (s6's and POSIX's).  Returns the
 * descriptor, or -1: EAGAIN when another process holds either lock (its
 * pid in *HOLDER when known, else 0).
 */
int	io_lock(const char *path, pid_t *holder);

/* io_cloexec_from: mark every open descriptor >= LOWFD close-on-exec. */
void	io_cloexec_from(int lowfd);

/*
 * io_lock_held: 1 when a process holds PATH's fcntl lock (as io_lock
 * takes it), its pid in *HOLDER when known (else 0); 0 when nobody
 * holds it; -1 with errno when PATH cannot be opened (ENOENT: never
 * locked).  Needs only read access, so any user who can read PATH can
 * tell whether its owner runs.  A lock held by the caller itself is not
 * seen (fcntl locks are per process).
 */
int	io_lock_held(const char *path, pid_t *holder);

#endif
