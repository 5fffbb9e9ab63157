/*
 * port: the listeners on a service's ready-port, from /proc/net/tcp and
 * /proc/net/tcp6 on Linux (the socket's inode leads to the processes
 * that hold it, through /proc/PID/fd), else from a connect(2).
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "port.h"
#include "proc.h"

#define MAX_LISTENERS	32	/* of one port: more are not looked at */
#define TCP_FILE_MAX	(64 * 1024 * 1024)

/*
 * The kernel prints an address as 32-bit words, each with %08X of the
 * word as it lies in memory (network order), so a word read back as a
 * number and stored in the host's order gives the address's bytes.
 */
static int
decode_words(const char *hex, size_t words, unsigned char *addr)
{
	char word[9];
	uint32_t value;
	size_t i;
	char *end;

	if (strlen(hex) != words * 8)
		return -1;
	for (i = 0; i < words; i++) {
		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		value = (uint32_t)strtoul(word, &end, 16);
		if (*end != '\0')
			return -1;
		memcpy(addr + i * 4, &value, 4);
	}
	return 0;
}

/* 127.0.0.1 or 0.0.0.0: what a connection to 127.0.0.1 reaches. */
static int
v4_reached(const unsigned char *a)
{
	static const unsigned char loopback[4] = { 127, 0, 0, 1 };
	static const unsigned char any[4] = { 0, 0, 0, 0 };

	return memcmp(a, loopback, 4) == 0 || memcmp(a, any, 4) == 0;
}

/*
 * The listener's address as "127.0.0.1:8080" or "[::1]:8080" into OUT,
 * when 127.0.0.1 or ::1 reach it; else -1.
 */
static int
reached_text(const unsigned char *a, int v6, unsigned port, char *out,
    size_t size)
{
	static const unsigned char zero[12] = { 0 };
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };

	if (!v6) {
		if (!v4_reached(a))
			return -1;
		snprintf(out, size, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
		    port);
		return 0;
	}
	if (memcmp(a, zero, 12) == 0 && a[12] == 0 && a[13] == 0 &&
	    a[14] == 0 && (a[15] == 0 || a[15] == 1))
		snprintf(out, size, "[::%s]:%u", a[15] == 1 ? "1" : "", port);
	else if (memcmp(a, mapped, 12) == 0 && v4_reached(a + 12))
		snprintf(out, size, "[::ffff:%u.%u.%u.%u]:%u", a[12], a[13],
		    a[14], a[15], port);
	else
		return -1;
	return 0;
}

/* One line of /proc/net/tcp{,6} into *L; -1 when it is not a match. */
static int
parse_line(const char *line, int v6, unsigned port, struct port_listener *l)
{
	char hex[40];
	unsigned char addr[16];
	unsigned lport, state;
	unsigned long inode;
	long uid;

	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %ld "
	    "%*s %lu", hex, &lport, &state, &uid, &inode) != 5)
		return -1;
	if (state != 0x0A || lport != port || port == 0)
		return -1;
	if (decode_words(hex, v6 ? 4 : 1, addr) == -1 ||
	    reached_text(addr, v6, port, l->addr, sizeof l->addr) == -1)
		return -1;
	l->inode = inode;
	l->uid = uid;
	return 0;
}

size_t
port_parse_tcp(const char *text, int v6, unsigned port,
    struct port_listener *out, size_t max)
{
	struct port_listener l;
	char line[512];
	const char *end;
	size_t len, n = 0;

	for (; *text != '\0'; text = *end == '\n' ? end + 1 : end) {
		if ((end = strchr(text, '\n')) == NULL)
			end = text + strlen(text);
		len = (size_t)(end - text);
		if (len >= sizeof line)
			continue;
		memcpy(line, text, len);
		line[len] = '\0';
		if (parse_line(line, v6, port, &l) == -1)
			continue;
		if (n < max)
			out[n] = l;
		n++;
	}
	return n;
}

/*
 * 1 when a TCP connection to ADDR (127.0.0.1 or ::1) on PORT succeeds
 * within a few milliseconds, else 0.
 */
static int
connect_ok(int family, unsigned port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa;
	struct pollfd pfd;
	socklen_t salen, len = sizeof(int);
	int fd, err = -1;

	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (family == AF_INET) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa = (struct sockaddr *)&sin;
		salen = sizeof sin;
	} else {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((unsigned short)port);
		sin6.sin6_addr = in6addr_loopback;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof sin6;
	}
	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		return 0;	/* no IPv6 here, for one */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	io_nonblock(fd);
	if (connect(fd, sa, salen) == 0)
		err = 0;
	else if (errno == EINPROGRESS) {
		/* Loopback answers at once; a few ms covers a busy host. */
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 20) == 1)
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	}
	close(fd);
	return err == 0;
}

/* The fallback: 127.0.0.1 or ::1 accepts, by whoever.  Its address. */
static const char *
connect_any(unsigned port)
{
	if (connect_ok(AF_INET, port))
		return "127.0.0.1";
	if (connect_ok(AF_INET6, port))
		return "[::1]";
	return NULL;
}

#ifdef __linux__
/*
 * The listeners on PORT from /proc/net/tcp and tcp6, into OUT (at most
 * MAX_LISTENERS).  Returns how many, or -1 when neither file can be
 * read (no /proc here).  A missing tcp6 is a kernel without IPv6.
 */
static int
read_listeners(unsigned port, struct port_listener *out)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	size_t n = 0, found, i;
	int readable = 0;
	char *text;
	size_t len;

	for (i = 0; i < 2; i++) {
		if (io_read_file(files[i], TCP_FILE_MAX, &text, &len) == -1)
			continue;
		readable = 1;
		found = port_parse_tcp(text, (int)i, port, out + n,
		    MAX_LISTENERS - n);
		free(text);
		n += found < MAX_LISTENERS - n ? found : MAX_LISTENERS - n;
	}
	return readable ? (int)n : -1;
}

/*
 * Whether PID holds one of the N sockets of L open: the index of the
 * first, or -1 (also when its fds cannot be read).
 */
static int
holds_socket(pid_t pid, const struct port_listener *l, size_t n)
{
	char dir[64], path[320], link[64];
	unsigned long inode;
	struct dirent *de;
	int found = -1;
	ssize_t len;
	size_t i;
	DIR *d;

	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while (found < 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((len = readlink(path, link, sizeof link - 1)) <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &inode) != 1)
			continue;
		for (i = 0; i < n; i++)
			if (l[i].inode != 0 && l[i].inode == inode) {
				found = (int)i;
				break;
			}
	}
	closedir(d);
	return found;
}

/* A pid from a name in /proc, or 0. */
static pid_t
pid_of(const char *name)
{
	char *end;
	long pid = strtol(name, &end, 10);

	return *end == '\0' && pid > 0 ? (pid_t)pid : 0;
}

/* "pid 1234 (nginx)", or "pid 1234" when its name cannot be read. */
static void
describe(pid_t pid, char *buf, size_t size)
{
	char name[64];

	if (proc_comm(pid, name, sizeof name) > 0)
		snprintf(buf, size, "pid %ld (%s)", (long)pid, name);
	else
		snprintf(buf, size, "pid %ld", (long)pid);
}

int
port_holder(unsigned port, char *who, size_t size)
{
	struct port_listener l[MAX_LISTENERS];
	char holder[128];
	struct dirent *de;
	const char *addr;
	int n, which = -1;
	pid_t pid = 0;
	DIR *d;

	if ((n = read_listeners(port, l)) == -1) {
		if ((addr = connect_any(port)) == NULL)
			return 0;
		snprintf(who, size, "%s:%u held by another process", addr,
		    port);
		return 1;
	}
	if (n == 0)
		return 0;
	/* The lowest pid that holds one of them, for a stable answer. */
	if ((d = opendir("/proc")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			pid_t p = pid_of(de->d_name);
			int i;

			if (p == 0 || (pid != 0 && p > pid))
				continue;
			if ((i = holds_socket(p, l, (size_t)n)) >= 0) {
				pid = p;
				which = i;
			}
		}
		closedir(d);
	}
	if (pid != 0) {
		describe(pid, holder, sizeof holder);
		snprintf(who, size, "%s held by %s", l[which].addr, holder);
	} else if (l[0].uid >= 0)
		snprintf(who, size, "%s held by a process of uid %ld",
		    l[0].addr, l[0].uid);
	else
		snprintf(who, size, "%s held by another process", l[0].addr);
	return 1;
}

/* Whether PID is listed in the cgroup.procs text TEXT. */
static int
in_procs(const char *text, pid_t pid)
{
	char *end;
	long p;

	while (text != NULL && *text != '\0') {
		p = strtol(text, &end, 10);
		if (end == text)
			break;
		if (p == (long)pid)
			return 1;
		text = end;
	}
	return 0;
}

/*
 * Mark the processes of the service: in its cgroup, in its group or
 * session, and then every descendant of those or of SUPERVISOR, one
 * generation at least per pass.  ALL is sorted by pid.
 */
static void
mark_service(struct proc_info *all, size_t n, pid_t pgid, pid_t supervisor,
    const char *procs)
{
	struct proc_info *parent;
	size_t i;
	int changed = 1;

	for (i = 0; i < n; i++)
		all[i].mark = all[i].pid != supervisor && (all[i].pid == pgid ||
		    all[i].pgrp == pgid || all[i].session == pgid ||
		    in_procs(procs, all[i].pid));
	while (changed) {
		changed = 0;
		for (i = 0; i < n; i++) {
			if (all[i].mark || all[i].pid == supervisor)
				continue;
			parent = proc_find(all, n, all[i].ppid);
			if ((supervisor > 0 && all[i].ppid == supervisor) ||
			    (parent != NULL && parent->mark))
				all[i].mark = changed = 1;
		}
	}
}

int
port_service_listens(unsigned port, pid_t pgid, pid_t supervisor,
    const char *cgroup)
{
	struct port_listener l[MAX_LISTENERS];
	struct proc_info *all;
	char path[600], *procs = NULL;
	size_t count, i, len;
	int n, found = 0;

	if ((n = read_listeners(port, l)) == -1)
		return connect_any(port) != NULL;
	if (n == 0 || pgid <= 0)
		return 0;
	if (cgroup != NULL) {
		snprintf(path, sizeof path, "%s/cgroup.procs", cgroup);
		if (io_read_file(path, 4 * 1024 * 1024, &procs, &len) == -1)
			procs = NULL;
	}
	if ((all = proc_list(&count)) != NULL) {
		mark_service(all, count, pgid, supervisor, procs);
		for (i = 0; i < count && !found; i++)
			if (all[i].mark && holds_socket(all[i].pid, l,
			    (size_t)n) >= 0)
				found = 1;
		free(all);
	}
	free(procs);
	return found;
}

#else /* !__linux__ */

int
port_holder(unsigned port, char *who, size_t size)
{
	const char *addr = connect_any(port);

	if (addr == NULL)
		return 0;
	snprintf(who, size, "%s:%u held by another process", addr, port);
	return 1;
}

int
port_service_listens(unsigned port, pid_t pgid, pid_t supervisor,
    const char *cgroup)
{
	(void)pgid;
	(void)supervisor;
	(void)cgroup;
	return connect_any(port) != NULL;
}

#endif
