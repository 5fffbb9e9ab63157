/*
 * fuzz_logline: sid-log's line handling (lib/logline.c) as sid-log
 * drives it, on input in reads of any size, with SIGALRM (a rotation
 * asked) between reads and end of input where the input says.  Checked:
 * the lines come out whole and in order, each with a timestamp when
 * stamping; a file ends only at a line end; a file is rotated at the
 * first line end at or past max_size, or at the first line end after a
 * rotation was asked; current never rotates empty.  And the timestamps:
 * always the same shape, in the order of the times.  With flag 8 (and
 * stamps) the reads go through logline_stamped() into an out buffer of
 * a size the flags give, flushed when full, as sid-log -t does; the
 * checks are the same.
 *
 * Input: flags, max_size (2 bytes), two times (12 bytes), then
 * operations: read N bytes, SIGALRM, end of input, bytes one by one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logline.h"

#define OUT_MAX		(1 << 20)
#define FILES_MAX	4096

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct logline	ll;
static char		stamp[LOGLINE_STAMP_LEN + 1];
static char		in[OUT_MAX];		/* every byte given, and the \n at EOF */
static size_t		nin;
static char		out[2 * OUT_MAX + 64 * LOGLINE_STAMP_LEN];
static size_t		nout;			/* bytes of every file */
static size_t		cur_start;		/* where current begins in out */
static size_t		file_end[FILES_MAX];	/* ends of rotated files */
static int		file_asked[FILES_MAX];	/* rotated by SIGALRM */
static size_t		nfiles;
static size_t		asked_at;		/* input offset of SIGALRM */
static int		asked;
static int		use_stamped;		/* logline_stamped() */
static size_t		room;			/* its out buffer's size */

static void
require(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "INVARIANT: %s\n", what);
		abort();
	}
}

static uint64_t
used(void)
{
	return nout - cur_start;
}

/* As sid-log's rotate(): nothing when current is empty. */
static void
rotate(void)
{
	int by_alarm = ll.rotate_asked;

	ll.rotate_asked = 0;
	asked = 0;
	if (used() == 0)
		return;
	require(nfiles < FILES_MAX, "few files");
	require(out[nout - 1] == '\n', "a file ends at a line end");
	file_asked[nfiles] = by_alarm;
	file_end[nfiles++] = nout;
	cur_start = nout;
}

static void
append(const char *p, size_t n)
{
	memcpy(out + nout, p, n);
	nout += n;
}

/* As sid-log's process() with -t: through an out buffer of ROOM bytes. */
static void
process_stamped(const char *p, size_t n)
{
	static char buf[LOGLINE_STAMP_LEN + 4096];
	size_t pending = 0, len, took;

	while (n > 0) {
		if (logline_due(&ll, used() + pending)) {
			append(buf, pending);
			pending = 0;
			rotate();
			continue;
		}
		len = logline_stamped(&ll, stamp, p, n, used() + pending,
		    buf + pending, room - pending, &took);
		require(len <= room - pending && took <= n, "within bounds");
		require((len == 0) == (took == 0), "nothing only when nothing");
		if (took == 0) {
			require(pending > 0, "a piece fits an empty buffer");
			append(buf, pending);
			pending = 0;
			continue;
		}
		pending += len;
		p += took;
		n -= took;
		require(ll.at_line_start == (buf[pending - 1] == '\n'),
		    "at_line_start follows the newlines");
	}
	append(buf, pending);
	if (logline_due(&ll, used()))
		rotate();
}

/* As sid-log's process(). */
static void
process(const char *p, size_t n)
{
	size_t len;
	int st;

	memcpy(in + nin, p, n);
	nin += n;
	if (use_stamped) {
		process_stamped(p, n);
		return;
	}
	while (n > 0) {
		len = logline_take(&ll, p, n, used(), &st);
		if (len == 0) {
			require(logline_due(&ll, used()), "0 only when due");
			rotate();
			continue;
		}
		require(len <= n, "take at most what there is");
		require(st == (ll.stamps && (nout == cur_start ||
		    out[nout - 1] == '\n')), "a stamp exactly at line starts");
		if (st)
			append(stamp, LOGLINE_STAMP_LEN);
		append(p, len);
		p += len;
		n -= len;
		require(ll.at_line_start == (out[nout - 1] == '\n'),
		    "at_line_start follows the newlines");
	}
	if (logline_due(&ll, used()))
		rotate();
}

static void
alarm_now(void)
{
	ll.rotate_asked = 1;
	if (!asked)
		asked_at = nin;
	asked = 1;
	if (ll.at_line_start)
		rotate();
}

/* The offset of the end of the first line ending at or after AT in in[]. */
static size_t
line_end_after(size_t at)
{
	const char *nl;

	if (at > 0 && in[at - 1] == '\n')
		return at;
	nl = memchr(in + at, '\n', nin - at);
	return nl != NULL ? (size_t)(nl - in) + 1 : (size_t)-1;
}

static void
check_output(void)
{
	size_t f, start, end, i, line, inpos = 0;

	for (f = 0; f <= nfiles; f++) {
		start = f == 0 ? 0 : file_end[f - 1];
		end = f < nfiles ? file_end[f] : nout;
		if (f < nfiles) {
			require(end > start, "no empty rotated file");
			require(out[end - 1] == '\n', "rotated at a line end");
			if (!file_asked[f])
				require(end - start >= ll.max_size,
				    "rotated only once full");
		}
		/* Every line starts before max_size, stamped when stamping. */
		for (i = start; i < end; ) {
			require(i - start < ll.max_size,
			    "no line starts past max_size");
			if (ll.stamps) {
				require(end - i >= LOGLINE_STAMP_LEN &&
				    memcmp(out + i, stamp,
				    LOGLINE_STAMP_LEN) == 0, "stamped line");
				i += LOGLINE_STAMP_LEN;
			}
			line = i;
			while (i < end && out[i] != '\n')
				i++;
			if (i < end)
				i++;
			require(inpos + (i - line) <= nin &&
			    memcmp(out + line, in + inpos, i - line) == 0,
			    "the lines as they came");
			inpos += i - line;
		}
	}
	require(inpos == nin, "nothing lost, nothing added");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	uint64_t max;
	int64_t sec[2];
	long nsec[2];
	char s2[LOGLINE_STAMP_LEN + 1];
	size_t n, i, fin;
	int eof = 0;

	if (size < 15)
		return 0;
	max = 1 + ((size_t)p[1] | (size_t)p[2] << 8) % 600;
	logline_init(&ll, max, p[0] & 1);
	use_stamped = (p[0] & 9) == 9;
	room = LOGLINE_STAMP_LEN + 1 + (size_t)(p[0] >> 4) * 272;
	memcpy(&sec[0], p + 3, 4);	/* little-endian, any 32 bits */
	memcpy(&sec[1], p + 7, 4);
	sec[0] = (int64_t)(uint32_t)sec[0] * (p[0] & 2 ? 70 : 1) -
	    (p[0] & 4 ? 1000 : 0);
	sec[1] = (int64_t)(uint32_t)sec[1] * (p[0] & 2 ? 70 : 1);
	nsec[0] = (long)(p[11] | p[12] << 8) * 15259L;
	nsec[1] = (long)(p[13] | p[14] << 8) * 15259L;
	p += 15;

	/* The timestamps. */
	logline_stamp(stamp, sec[0], nsec[0]);
	logline_stamp(s2, sec[1], nsec[1]);
	for (i = 0; i < 2; i++) {
		const char *s = i == 0 ? stamp : s2;
		const char *shape = "dddd-dd-ddTdd:dd:dd.ddddddZ ";
		size_t k;

		require(strlen(s) == LOGLINE_STAMP_LEN, "stamp length");
		for (k = 0; k < LOGLINE_STAMP_LEN; k++)
			require(shape[k] == 'd' ? s[k] >= '0' && s[k] <= '9' :
			    s[k] == shape[k], "stamp shape");
	}
	if (sec[0] < sec[1] || (sec[0] == sec[1] && nsec[0] <= nsec[1]))
		require(strcmp(stamp, s2) <= 0, "stamps in time order");

	nin = nout = cur_start = nfiles = 0;
	asked = 0;
	while (p < end && !eof) {
		switch (*p++ % 4) {
		case 0:		/* one read */
			if (p >= end)
				break;
			n = *p++;
			n = n * n / 16 + 1;	/* up to about 4 KiB */
			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			if (use_stamped && n > room - LOGLINE_STAMP_LEN)
				n = room - LOGLINE_STAMP_LEN;	/* as in sid-log */
			if (n > 0 && nin + n < sizeof in)
				process((const char *)p, n);
			p += n;
			break;
		case 1:
			alarm_now();
			break;
		case 2:		/* end of input: a last line is ended */
			if (!ll.at_line_start)
				process("\n", 1);
			eof = 1;
			break;
		case 3:		/* SIGTERM: a byte at a time */
			n = p < end ? *p++ % 16 : 0;
			for (i = 0; i < n && p < end && nin + 1 < sizeof in;
			    i++)
				process((const char *)p++, 1);
			break;
		}
		/* An asked rotation falls at the first line end after it. */
		if (asked) {
			fin = line_end_after(asked_at);
			require(fin == (size_t)-1 || fin > nin,
			    "rotated at the line end after SIGALRM");
		}
		/* A full current is rotated at the line end that fills it. */
		require(!(ll.at_line_start && used() >= ll.max_size),
		    "full current rotated at once");
	}
	check_output();
	return 0;
}
