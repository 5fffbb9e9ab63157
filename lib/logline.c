/* logline: sid-log's cuts between lines, rotations and timestamps. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "logline.h"

#define LAST_SEC	253402300799LL	/* 9999-12-31T23:59:59Z */

void
logline_init(struct logline *ll, uint64_t max_size, int stamps)
{
	ll->max_size = max_size > 0 ? max_size : 1;
	ll->stamps = stamps;
	ll->at_line_start = 1;
	ll->rotate_asked = 0;
}

int
logline_due(const struct logline *ll, uint64_t used)
{
	return ll->at_line_start && (used >= ll->max_size || ll->rotate_asked);
}

size_t
logline_take(struct logline *ll, const char *p, size_t n, uint64_t used,
    int *stamp)
{
	const char *nl;
	size_t len;
	uint64_t room;

	*stamp = 0;
	if (logline_due(ll, used))
		return 0;
	if (ll->stamps) {
		/* One line (or the rest of the read), stamped at its start. */
		*stamp = ll->at_line_start;
		nl = memchr(p, '\n', n);
		len = nl != NULL ? (size_t)(nl - p) + 1 : n;
	} else {
		/*
		 * Everything while it fits; past the limit, or once a
		 * rotation is asked, up to the end of the line that
		 * reaches it.
		 */
		room = used >= ll->max_size || ll->rotate_asked ? 1 :
		    ll->max_size - used;
		if (room >= n)
			len = n;
		else {
			nl = memchr(p + room - 1, '\n', n - (size_t)(room - 1));
			len = nl != NULL ? (size_t)(nl - p) + 1 : n;
		}
	}
	ll->at_line_start = p[len - 1] == '\n';
	return len;
}

size_t
logline_stamped(struct logline *ll, const char *stamp, const char *p,
    size_t n, uint64_t used, char *out, size_t room, size_t *taken)
{
	const char *s = p, *end = p + n, *nl;
	char *o = out, *oend = out + room;
	uint64_t full;			/* bytes in OUT that fill current */
	size_t len;

	*taken = 0;
	if (logline_due(ll, used))
		return 0;
	if (!ll->at_line_start) {
		/* The rest of a line begun in an earlier read: no stamp. */
		nl = memchr(s, '\n', n);
		len = nl != NULL ? (size_t)(nl - s) + 1 : n;
		if (len > room)
			return 0;
		memcpy(o, s, len);
		o += len;
		s += len;
		ll->at_line_start = nl != NULL;
	}
	/*
	 * At a line start from here on: logline_due() is "OUT holds FULL
	 * bytes or more", and the room is checked once a line.
	 */
	full = ll->rotate_asked || used >= ll->max_size ? 0 :
	    ll->max_size - used;
	while (s < end && (uint64_t)(o - out) < full) {
		nl = memchr(s, '\n', (size_t)(end - s));
		len = nl != NULL ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		if (len > (size_t)(oend - o) ||
		    (size_t)(oend - o) - len < LOGLINE_STAMP_LEN)
			break;
		memcpy(o, stamp, LOGLINE_STAMP_LEN);
		memcpy(o + LOGLINE_STAMP_LEN, s, len);
		o += LOGLINE_STAMP_LEN + len;
		s += len;
		if (nl == NULL)
			ll->at_line_start = 0;
	}
	*taken = (size_t)(s - p);
	return (size_t)(o - out);
}

/* Times outside the years 1970 to 9999 become their ends. */
static void
clamp(int64_t *sec, long *nsec)
{
	if (*sec < 0 || *nsec < 0) {
		*sec = 0;
		*nsec = 0;
	}
	if (*nsec > 999999999L)
		*nsec = 999999999L;
	if (*sec > LAST_SEC) {
		*sec = LAST_SEC;
		*nsec = 999999999L;
	}
}

void
logline_stamp(char *buf, int64_t sec, long nsec)
{
	char text[64];
	struct tm tm;
	time_t t;

	clamp(&sec, &nsec);
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, nsec / 1000);
	memcpy(buf, text, LOGLINE_STAMP_LEN);
	buf[LOGLINE_STAMP_LEN] = '\0';
}

void
logline_clock_init(struct logline_clock *lc)
{
	memset(lc, 0, sizeof *lc);
	logline_stamp(lc->text, 0, 0);
}

void
logline_clock_set(struct logline_clock *lc, int64_t sec, long nsec)
{
	long usec;
	int i;

	clamp(&sec, &nsec);
	if (lc->set && (sec < lc->sec || (sec == lc->sec && nsec <= lc->nsec)))
		return;			/* earlier, or the same: as it is */
	if (!lc->set || sec != lc->sec) {
		logline_stamp(lc->text, sec, nsec);
	} else {
		/* The same second: only "uuuuuu" in "...:SS.uuuuuuZ ". */
		usec = nsec / 1000;
		for (i = 25; i >= 20; i--) {
			lc->text[i] = (char)('0' + usec % 10);
			usec /= 10;
		}
	}
	lc->sec = sec;
	lc->nsec = nsec;
	lc->set = 1;
}
