/* notify: the notify socket; SCM_CREDENTIALS needs _GNU_SOURCE. */
#ifdef __linux__
#define _GNU_SOURCE
#endif
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

size_t
notify_path_max(void)
{
	struct sockaddr_un sun;

	return sizeof sun.sun_path - 1;
}

int
notify_open(const char *path)
{
	struct sockaddr_un sun;
	int fd, saved;

	if (strlen(path) > notify_path_max()) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		goto fail;
#ifdef SO_PASSCRED
	{
		int on = 1;

		if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on,
		    sizeof on) == -1)
			goto fail;
	}
#endif
	if (unlink(path) == -1 && errno != ENOENT)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

ssize_t
notify_recv(int fd, char *buf, size_t size, pid_t *pid)
{
	struct msghdr mh;
	struct iovec iov;
	union {
		struct cmsghdr	align;
		char		space[256];
	} control;
	ssize_t n;

	*pid = 0;
	memset(&mh, 0, sizeof mh);
	iov.iov_base = buf;
	iov.iov_len = size;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = control.space;
	mh.msg_controllen = sizeof control.space;
	if ((n = recvmsg(fd, &mh, 0)) == -1)
		return -1;
#ifdef SCM_CREDENTIALS
	{
		struct cmsghdr *c;
		struct ucred cred;

		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh,
		    c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_CREDENTIALS &&
			    c->cmsg_len >= CMSG_LEN(sizeof cred)) {
				memcpy(&cred, CMSG_DATA(c), sizeof cred);
				*pid = cred.pid;
			}
	}
#endif
	return n;
}
