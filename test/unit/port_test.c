/*
 * port_test: port_parse_tcp() on the text of /proc/net/tcp and tcp6,
 * built here as the kernel prints it (each 32-bit address word with
 * %08X of the word as it lies in memory, so in the host's byte order);
 * then, on Linux, port_holder() and port_service_listens() on a socket
 * of this process's own.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "port.h"

#define HEADER	"  sl  local_address rem_address   st tx_queue rx_queue tr " \
		"tm->when retrnsmt   uid  timeout inode\n"

/* Bytes A..D as the kernel prints one address word. */
static void
word(char *out, unsigned a, unsigned b, unsigned c, unsigned d)
{
	unsigned char bytes[4] = { a, b, c, d };
	uint32_t value;

	memcpy(&value, bytes, 4);
	sprintf(out, "%08X", (unsigned)value);
}

/* A /proc/net/tcp line for LOCAL (hex words), PORT, STATE, UID, INODE. */
static void
line(char *out, const char *local, unsigned port, unsigned state, long uid,
    unsigned long inode)
{
	sprintf(out, "   0: %s:%04X 00000000:0000 %02X 00000000:00000000 "
	    "00:00000000 00000000 %5ld        0 %lu 1 0000000000000000 100 0 "
	    "0 10 0\n", local, port, state, uid, inode);
}

static void
v4(char *out, unsigned a, unsigned b, unsigned c, unsigned d)
{
	word(out, a, b, c, d);
}

/* An IPv6 address from its 16 bytes. */
static void
v6(char *out, const unsigned char *a)
{
	int i;

	for (i = 0; i < 4; i++)
		word(out + i * 8, a[i * 4], a[i * 4 + 1], a[i * 4 + 2],
		    a[i * 4 + 3]);
}

static void
v4_loopback_listener_is_found(void)
{
	struct port_listener l[4];
	char addr[16], text[1024];

	v4(addr, 127, 0, 0, 1);
	strcpy(text, HEADER);
	line(text + strlen(text), addr, 8080, 0x0A, 1000, 12345);
	CHECK(port_parse_tcp(text, 0, 8080, l, 4) == 1);
	CHECK_STR(l[0].addr, "127.0.0.1:8080");
	CHECK(l[0].inode == 12345);
	CHECK(l[0].uid == 1000);
	CHECK(port_parse_tcp(text, 0, 8081, l, 4) == 0);
}

/* As the kernel prints it on x86: the bytes of each word reversed. */
static void
literal_little_endian_line(void)
{
	static const char text[] = HEADER
	    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 777 1 0000000000000000 "
	    "100 0 0 10 0\n";
	const uint32_t one = 1;
	struct port_listener l[1];

	if (*(const unsigned char *)&one != 1)
		return;		/* big-endian: the words read otherwise */
	CHECK(port_parse_tcp(text, 0, 8080, l, 1) == 1);
	CHECK_STR(l[0].addr, "127.0.0.1:8080");
	CHECK(l[0].inode == 777);
	CHECK(l[0].uid == 0);
}

static void
v4_only_addresses_loopback_reaches(void)
{
	struct port_listener l[4];
	char addr[16], text[2048];

	text[0] = '\0';
	v4(addr, 0, 0, 0, 0);
	line(text + strlen(text), addr, 80, 0x0A, 0, 1);
	v4(addr, 10, 0, 0, 5);
	line(text + strlen(text), addr, 80, 0x0A, 0, 2);
	v4(addr, 127, 0, 0, 2);
	line(text + strlen(text), addr, 80, 0x0A, 0, 3);
	v4(addr, 192, 168, 1, 1);
	line(text + strlen(text), addr, 80, 0x0A, 0, 4);
	CHECK(port_parse_tcp(text, 0, 80, l, 4) == 1);
	CHECK_STR(l[0].addr, "0.0.0.0:80");
	CHECK(l[0].inode == 1);
}

static void
only_listen_sockets_count(void)
{
	struct port_listener l[4];
	char addr[16], text[2048];

	text[0] = '\0';
	v4(addr, 127, 0, 0, 1);
	line(text + strlen(text), addr, 8080, 0x01, 0, 1);  /* established */
	line(text + strlen(text), addr, 8080, 0x06, 0, 2);  /* time wait */
	line(text + strlen(text), addr, 8080, 0x0A, 0, 3);
	CHECK(port_parse_tcp(text, 0, 8080, l, 4) == 1);
	CHECK(l[0].inode == 3);
}

static void
v6_addresses_loopback_reaches(void)
{
	static const unsigned char loop[16] = { [15] = 1 };
	static const unsigned char any[16] = { 0 };
	static const unsigned char mapped[16] = { [10] = 0xff, [11] = 0xff,
	    [12] = 127, [13] = 0, [14] = 0, [15] = 1 };
	static const unsigned char mapped_other[16] = { [10] = 0xff,
	    [11] = 0xff, [12] = 10, [15] = 1 };
	static const unsigned char link[16] = { 0xfe, 0x80, [15] = 1 };
	static const unsigned char two[16] = { [15] = 2 };
	struct port_listener l[8];
	char addr[40], text[4096];

	text[0] = '\0';
	v6(addr, loop);
	line(text + strlen(text), addr, 443, 0x0A, 1000, 11);
	v6(addr, link);
	line(text + strlen(text), addr, 443, 0x0A, 1000, 12);
	v6(addr, any);
	line(text + strlen(text), addr, 443, 0x0A, 1000, 13);
	v6(addr, mapped_other);
	line(text + strlen(text), addr, 443, 0x0A, 1000, 14);
	v6(addr, mapped);
	line(text + strlen(text), addr, 443, 0x0A, 1000, 15);
	v6(addr, two);
	line(text + strlen(text), addr, 443, 0x0A, 1000, 16);
	CHECK(port_parse_tcp(text, 1, 443, l, 8) == 3);
	CHECK_STR(l[0].addr, "[::1]:443");
	CHECK(l[0].inode == 11);
	CHECK_STR(l[1].addr, "[::]:443");
	CHECK(l[1].inode == 13);
	CHECK_STR(l[2].addr, "[::ffff:127.0.0.1]:443");
	CHECK(l[2].inode == 15);
	/* A v6 line read as v4 (or the reverse) is no match. */
	CHECK(port_parse_tcp(text, 0, 443, l, 8) == 0);
}

static void
junk_and_short_input_are_skipped(void)
{
	struct port_listener l[2];
	char addr[16], text[1024];

	CHECK(port_parse_tcp("", 0, 80, l, 2) == 0);
	CHECK(port_parse_tcp(HEADER, 0, 80, l, 2) == 0);
	CHECK(port_parse_tcp("garbage\n\n   0: zz:0050 00\n", 0, 80, l,
	    2) == 0);
	/* The last line without its newline still counts. */
	v4(addr, 127, 0, 0, 1);
	line(text, addr, 80, 0x0A, 5, 9);
	text[strlen(text) - 1] = '\0';
	CHECK(port_parse_tcp(text, 0, 80, l, 2) == 1);
	CHECK(l[0].uid == 5);
	/* Port 0 is never a ready-port. */
	line(text, addr, 0, 0x0A, 5, 9);
	CHECK(port_parse_tcp(text, 0, 0, l, 2) == 0);
}

static void
more_listeners_than_room_are_counted(void)
{
	struct port_listener l[2];
	char addr[16], text[2048];

	text[0] = '\0';
	v4(addr, 127, 0, 0, 1);
	line(text + strlen(text), addr, 80, 0x0A, 0, 1);
	v4(addr, 0, 0, 0, 0);
	line(text + strlen(text), addr, 80, 0x0A, 0, 2);
	line(text + strlen(text), addr, 80, 0x0A, 0, 3);
	CHECK(port_parse_tcp(text, 0, 80, l, 2) == 3);
	CHECK(l[0].inode == 1 && l[1].inode == 2);
	CHECK(port_parse_tcp(text, 0, 80, NULL, 0) == 3);
}

#define NOBODY	0x7ffffff0	/* a pid no process has */

/* A listener of this process's own, on a port the kernel picks. */
static int
listen_loopback(unsigned *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 4) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
own_listener_is_named_and_is_ours(void)
{
	char who[256], want[256];
	unsigned port;
	int fd;

	if ((fd = listen_loopback(&port)) == -1)
		return;		/* no loopback to test with */
	CHECK(port_holder(port, who, sizeof who) == 1);
#ifdef __linux__
	/* The name is port_test, or valgrind's while it runs us. */
	snprintf(want, sizeof want, "127.0.0.1:%u held by pid %ld (", port,
	    (long)getpid());
	CHECK(strncmp(who, want, strlen(want)) == 0);
	if (strncmp(who, want, strlen(want)) != 0)
		printf("# %s\n", who);
	/* Ours: our process group; not a group nobody is in. */
	CHECK(port_service_listens(port, getpgrp(), NOBODY + 1, NULL) == 1);
	CHECK(port_service_listens(port, NOBODY, NOBODY + 1, NULL) == 0);
#else
	(void)want;
	CHECK(port_service_listens(port, getpgrp(), NOBODY + 1, NULL) == 1);
#endif
	close(fd);
	CHECK(port_holder(port, who, sizeof who) == 0);
	CHECK(port_service_listens(port, getpgrp(), NOBODY + 1, NULL) == 0);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(v4_loopback_listener_is_found),
		CHECK_TEST(literal_little_endian_line),
		CHECK_TEST(v4_only_addresses_loopback_reaches),
		CHECK_TEST(only_listen_sockets_count),
		CHECK_TEST(v6_addresses_loopback_reaches),
		CHECK_TEST(junk_and_short_input_are_skipped),
		CHECK_TEST(more_listeners_than_room_are_counted),
		CHECK_TEST(own_listener_is_named_and_is_ours),
	};

	return check_run(tests, CHECK_LEN(tests));
}
