/*
 * notify: the systemd-style notify socket of a service, a datagram
 * socket (AF_UNIX, SOCK_DGRAM) whose senders are known where the
 * system tells (SCM_CREDENTIALS on Linux).
 */
#ifndef SID_NOTIFY_H
#define SID_NOTIFY_H

#include <stddef.h>
#include <sys/types.h>

/*
 * notify_open: bind a fresh socket at PATH (absolute; an old socket
 * there is removed).  Returns the fd (non-blocking, close-on-exec), or
 * -1 with errno (ENAMETOOLONG when PATH does not fit in sun_path).
 */
int	notify_open(const char *path);

/* notify_path_max: the longest PATH notify_open takes, in bytes. */
size_t	notify_path_max(void);

/*
 * notify_recv: one datagram into BUF (at most SIZE bytes, the rest of a
 * longer one dropped).  *PID gets the sender's pid where the system
 * tells, else 0.  Returns its length, or -1 (EAGAIN: none waiting).
 */
ssize_t	notify_recv(int fd, char *buf, size_t size, pid_t *pid);

#endif
