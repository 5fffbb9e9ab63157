/*
 * logline_test: logline_stamped() cuts and stamps exactly as the
 * logline_take() loop it replaces in sid-log, whatever the reads, the
 * rotation size, SIGALRM and the room in the out buffer; logline_clock
 * gives logline_stamp()'s text for the latest time, reformatting only
 * the microseconds within a second, never going backwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "logline.h"

#define STAMP		"2026-11-22T02:10:00.123456Z "
#define INPUT_MAX	8192
#define OUT_MAX		(INPUT_MAX * 40)

/* What a driver appended: every byte, and '|' where current rotated. */
struct log {
	struct logline	ll;
	char		text[OUT_MAX];
	size_t		len;
	size_t		cur_start;	/* where current begins in text */
};

static uint32_t	seed = 12345;

/* A small deterministic generator (xorshift32). */
static uint32_t
rnd(uint32_t below)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed % below;
}

static uint64_t
used(const struct log *lg)
{
	return lg->len - lg->cur_start;
}

/* As sid-log's rotate(): nothing when current is empty. */
static void
rotate(struct log *lg)
{
	lg->ll.rotate_asked = 0;
	if (used(lg) == 0)
		return;
	lg->text[lg->len++] = '|';
	lg->cur_start = lg->len;
}

static void
append(struct log *lg, const char *p, size_t n)
{
	memcpy(lg->text + lg->len, p, n);
	lg->len += n;
}

/* The reference: logline.h's loop of logline_take(). */
static void
take_all(struct log *lg, const char *p, size_t n)
{
	size_t len;
	int st;

	while (n > 0) {
		len = logline_take(&lg->ll, p, n, used(lg), &st);
		if (len == 0) {
			rotate(lg);
			continue;
		}
		if (st)
			append(lg, STAMP, LOGLINE_STAMP_LEN);
		append(lg, p, len);
		p += len;
		n -= len;
	}
	if (logline_due(&lg->ll, used(lg)))
		rotate(lg);
}

/*
 * As sid-log's process() with -t: logline_stamped() into an out buffer
 * of ROOM bytes, flushed (appended) when full, at a rotation and at the
 * end.
 */
static void
stamped_all(struct log *lg, const char *p, size_t n, size_t room)
{
	static char out[OUT_MAX];
	size_t pending = 0, len, took;

	while (n > 0) {
		if (logline_due(&lg->ll, used(lg) + pending)) {
			append(lg, out, pending);
			pending = 0;
			rotate(lg);
			continue;
		}
		len = logline_stamped(&lg->ll, STAMP, p, n, used(lg) + pending,
		    out + pending, room - pending, &took);
		CHECK(len <= room - pending);
		CHECK(took <= n);
		CHECK((took == 0) == (len == 0));
		if (took == 0) {
			CHECK(pending > 0);	/* else no progress, ever */
			if (pending == 0)
				return;
			append(lg, out, pending);
			pending = 0;
			continue;
		}
		pending += len;
		p += took;
		n -= took;
	}
	append(lg, out, pending);
	if (logline_due(&lg->ll, used(lg)))
		rotate(lg);
}

/* Random input: lines of 0 to 300 bytes, now and then a long one. */
static size_t
make_input(char *in, size_t size)
{
	size_t n = 0, len, i;

	while (n < size) {
		len = rnd(8) == 0 ? rnd(3000) : rnd(300);
		for (i = 0; i < len && n < size; i++)
			in[n++] = (char)('a' + rnd(26));
		if (n < size)
			in[n++] = '\n';
	}
	return n;
}

static void
stamped_cuts_as_take_does(void)
{
	static char in[INPUT_MAX];
	static struct log a, b;
	size_t n, off, len, room;
	int round;

	for (round = 0; round < 2000; round++) {
		n = make_input(in, 1 + rnd(INPUT_MAX));
		logline_init(&a.ll, 1 + rnd(round % 2 ? 50000 : 700), 1);
		b.ll = a.ll;
		a.len = b.len = a.cur_start = b.cur_start = 0;
		/* the out buffer: from just one piece to everything */
		room = round % 3 == 0 ? OUT_MAX : 1 + LOGLINE_STAMP_LEN +
		    rnd(4000);
		for (off = 0; off < n; off += len) {
			len = 1 + rnd(round % 4 == 0 ? 16 : 3000);
			if (len > n - off)
				len = n - off;
			if (len > room - LOGLINE_STAMP_LEN)
				len = room - LOGLINE_STAMP_LEN;
			if (rnd(10) == 0) {	/* SIGALRM between reads */
				a.ll.rotate_asked = b.ll.rotate_asked = 1;
				if (a.ll.at_line_start)
					rotate(&a);
				if (b.ll.at_line_start)
					rotate(&b);
			}
			take_all(&a, in + off, len);
			stamped_all(&b, in + off, len, room);
			CHECK(a.ll.at_line_start == b.ll.at_line_start);
			CHECK(a.ll.rotate_asked == b.ll.rotate_asked);
		}
		CHECK(a.len == b.len);
		if (a.len != b.len || memcmp(a.text, b.text, a.len) != 0) {
			CHECK(!"the same bytes and rotations");
			printf("# round %d: max_size %llu, room %zu\n", round,
			    (unsigned long long)a.ll.max_size, room);
			return;
		}
	}
}

static void
stamped_stops_where_out_is_full(void)
{
	struct logline ll;
	char out[2 * LOGLINE_STAMP_LEN + 8];
	size_t len, took;

	logline_init(&ll, 1000, 1);
	/* two lines of 4 bytes; room for one stamped line and 3 more bytes */
	len = logline_stamped(&ll, STAMP, "abc\ndef\n", 8, 0, out,
	    LOGLINE_STAMP_LEN + 4 + LOGLINE_STAMP_LEN + 3, &took);
	CHECK(took == 4);
	CHECK(len == LOGLINE_STAMP_LEN + 4);
	CHECK(memcmp(out, STAMP "abc\n", len) == 0);
	CHECK(ll.at_line_start);
	/* no room for the stamp and one byte: nothing */
	len = logline_stamped(&ll, STAMP, "def\n", 4, 0, out,
	    LOGLINE_STAMP_LEN + 3, &took);
	CHECK(len == 0 && took == 0);
	/* the rest of a line needs no stamp */
	logline_init(&ll, 1000, 1);
	len = logline_stamped(&ll, STAMP, "ab", 2, 0, out, sizeof out, &took);
	CHECK(len == LOGLINE_STAMP_LEN + 2 && took == 2 && !ll.at_line_start);
	len = logline_stamped(&ll, STAMP, "c\nd", 3, 30, out, 2, &took);
	CHECK(len == 2 && took == 2 && memcmp(out, "c\n", 2) == 0);
	CHECK(ll.at_line_start);
}

static void
stamped_stops_at_the_rotation(void)
{
	struct logline ll;
	char out[256];
	size_t len, took;

	/* current holds 10 of 40 bytes: the line that reaches 40 is last */
	logline_init(&ll, 40, 1);
	len = logline_stamped(&ll, STAMP, "a\nb\nc\n", 6, 10, out, sizeof out,
	    &took);
	CHECK(took == 2 && len == LOGLINE_STAMP_LEN + 2);
	CHECK(logline_due(&ll, 10 + len));
	len = logline_stamped(&ll, STAMP, "b\nc\n", 4, 10 + len, out,
	    sizeof out, &took);
	CHECK(len == 0 && took == 0);
	/* a rotation asked mid-line falls at that line's end */
	logline_init(&ll, 1000, 1);
	logline_stamped(&ll, STAMP, "ab", 2, 0, out, sizeof out, &took);
	ll.rotate_asked = 1;
	len = logline_stamped(&ll, STAMP, "c\nd\n", 4, 30, out, sizeof out,
	    &took);
	CHECK(took == 2 && len == 2 && logline_due(&ll, 32));
}

/* CLOCK's text is logline_stamp()'s for SEC.NSEC. */
static int
shows(const struct logline_clock *lc, int64_t sec, long nsec)
{
	char want[LOGLINE_STAMP_LEN + 1];

	logline_stamp(want, sec, nsec);
	if (strcmp(lc->text, want) == 0)
		return 1;
	printf("# got  %s\n# want %s\n", lc->text, want);
	return 0;
}

static void
clock_follows_time_within_and_across_seconds(void)
{
	struct logline_clock lc;

	logline_clock_init(&lc);
	logline_clock_set(&lc, 1795000000, 123456789);
	CHECK(shows(&lc, 1795000000, 123456789));
	logline_clock_set(&lc, 1795000000, 123457000);	/* next usec */
	CHECK(shows(&lc, 1795000000, 123457000));
	logline_clock_set(&lc, 1795000000, 999999999);
	CHECK(shows(&lc, 1795000000, 999999999));
	logline_clock_set(&lc, 1795000001, 5000);	/* next second */
	CHECK(shows(&lc, 1795000001, 5000));
	logline_clock_set(&lc, 1795000001, 7000);
	CHECK(shows(&lc, 1795000001, 7000));
	logline_clock_set(&lc, 1795086400, 42000);	/* next day */
	CHECK(shows(&lc, 1795086400, 42000));
	CHECK_STR(lc.text, "2026-11-19T11:06:40.000042Z ");
}

static void
clock_never_goes_backwards(void)
{
	struct logline_clock lc;

	logline_clock_init(&lc);
	logline_clock_set(&lc, 1795000000, 500000000);
	logline_clock_set(&lc, 1795000000, 400000000);	/* same second */
	CHECK(shows(&lc, 1795000000, 500000000));
	logline_clock_set(&lc, 1794999999, 900000000);	/* set back */
	CHECK(shows(&lc, 1795000000, 500000000));
	logline_clock_set(&lc, 1795000000, 500000000);	/* the same */
	CHECK(shows(&lc, 1795000000, 500000000));
	logline_clock_set(&lc, 1795000000, 500001000);
	CHECK(shows(&lc, 1795000000, 500001000));
}

static void
clock_clamps_as_stamp_does(void)
{
	struct logline_clock lc;

	logline_clock_init(&lc);
	logline_clock_set(&lc, -5, 3000);		/* before 1970 */
	CHECK_STR(lc.text, "1970-01-01T00:00:00.000000Z ");
	logline_clock_set(&lc, 0, 2000000000L);		/* nsec too big */
	CHECK(shows(&lc, 0, 999999999));
	logline_clock_set(&lc, 253402300799LL, 1000);
	CHECK_STR(lc.text, "9999-12-31T23:59:59.000001Z ");
	logline_clock_set(&lc, 300000000000LL, 0);	/* after 9999 */
	CHECK_STR(lc.text, "9999-12-31T23:59:59.999999Z ");
	logline_clock_set(&lc, 1795000000, 0);		/* earlier: kept */
	CHECK_STR(lc.text, "9999-12-31T23:59:59.999999Z ");
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(stamped_cuts_as_take_does),
		CHECK_TEST(stamped_stops_where_out_is_full),
		CHECK_TEST(stamped_stops_at_the_rotation),
		CHECK_TEST(clock_follows_time_within_and_across_seconds),
		CHECK_TEST(clock_never_goes_backwards),
		CHECK_TEST(clock_clamps_as_stamp_does),
	};

	return check_run(tests, CHECK_LEN(tests));
}
