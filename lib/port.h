/*
 * port: who listens on a service's ready-port.
 *
 * A listener "reaches" the port when a TCP connection to 127.0.0.1 or
 * ::1 on it would land there: one bound to 127.0.0.1, 0.0.0.0, ::1, ::
 * or ::ffff:127.0.0.1 (::ffff:0.0.0.0 too).  Two uses: before a start,
 * whether another process already holds the port (the start is then
 * held); after it, whether a listener of the service itself is there
 * (readiness).
 *
 * port_parse_tcp() is pure: it reads the text of /proc/net/tcp or
 * /proc/net/tcp6 given as a string.  The other functions look at the
 * system: /proc on Linux; elsewhere, or where /proc/net/tcp cannot be
 * read, a connect(2) to 127.0.0.1 and ::1, which cannot tell whose
 * listener answered.
 */
#ifndef SID_PORT_H
#define SID_PORT_H

#include <stddef.h>
#include <sys/types.h>

struct port_listener {
	char		addr[64];	/* "127.0.0.1:8080", "[::1]:8080" */
	unsigned long	inode;		/* of the socket, 0 if unknown */
	long		uid;		/* its owner, -1 if unknown */
};

/*
 * port_parse_tcp: the LISTEN sockets (state 0A) on PORT that 127.0.0.1
 * or ::1 reach, from TEXT, the contents of /proc/net/tcp (V6 = 0) or
 * /proc/net/tcp6 (V6 = 1): addresses as the kernel prints them, each
 * 32-bit word in the host's byte order.  Fills up to MAX entries of OUT,
 * in the order of TEXT, and returns how many there are in all (more
 * than MAX when OUT was too short).  Lines it cannot read are skipped.
 */
size_t	port_parse_tcp(const char *text, int v6, unsigned port,
	    struct port_listener *out, size_t max);

/*
 * port_holder: whether some process listens on PORT where 127.0.0.1 or
 * ::1 reach it.  Returns 1 and, in WHO, "127.0.0.1:8080 held by pid
 * 1234 (nginx)" (or "held by a process of uid 1000" when its pid cannot
 * be found, "held by another process" when nothing tells), or 0 when
 * the port is free.
 */
int	port_holder(unsigned port, char *who, size_t size);

/*
 * port_service_listens: 1 when a listener on PORT (as port_holder sees
 * them) belongs to the service: held open by a process in the cgroup
 * whose directory is CGROUP (NULL: none), or whose process group or
 * session is PGID, or a descendant of PGID or of SUPERVISOR (which
 * adopts the service's orphans).  Where /proc/net/tcp cannot be read,
 * 1 when a connection to 127.0.0.1 or ::1 on PORT succeeds.  Else 0.
 */
int	port_service_listens(unsigned port, pid_t pgid, pid_t supervisor,
	    const char *cgroup);

#endif
