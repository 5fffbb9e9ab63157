/*
 * logline: where sid-log cuts its input, and its timestamps.  Pure.
 *
 * Every read goes through logline_take() until it is used up:
 *
 *	while (n > 0) {
 *		len = logline_take(&ll, p, n, used, &stamp);
 *		if (len == 0) { rotate; continue; }
 *		append the timestamp when stamp is 1, then LEN bytes of P;
 *		p += len; n -= len;
 *	}
 *	if (logline_due(&ll, used)) rotate;
 *
 * where USED is what current holds, appended bytes included, and a
 * rotation clears rotate_asked.  With stamps, logline_stamped() does
 * such a run of calls and the appending at once, into a buffer.  A rotation falls only between lines:
 * without stamps the bytes go out in runs as they came, cut at the end
 * of the line where current reaches max_size; with stamps one line at a
 * time, each with the timestamp before it.  A line may span any number
 * of reads; the last one may lack its newline.
 */
#ifndef SID_LOGLINE_H
#define SID_LOGLINE_H

#include <stddef.h>
#include <stdint.h>

#define LOGLINE_STAMP_LEN	28	/* "2026-11-22T02:10:00.123456Z " */

struct logline {
	uint64_t	max_size;	/* rotate once current holds this */
	int		stamps;		/* a timestamp before each line */
	int		at_line_start;	/* what comes next begins a line */
	int		rotate_asked;	/* rotate at the next line start */
};

/* logline_init: at a line start, nothing asked; MAX_SIZE >= 1. */
void	logline_init(struct logline *ll, uint64_t max_size, int stamps);

/*
 * logline_due: 1 when a rotation must come first: at a line start with
 * USED >= max_size, or a rotation asked.
 */
int	logline_due(const struct logline *ll, uint64_t used);

/*
 * logline_take: how many of the N > 0 bytes at P to append next to
 * current, which holds USED bytes, with *STAMP 1 when the timestamp goes
 * before them; 0 when logline_due() (rotate first).  The bytes are
 * taken as appended: the next call continues after them.
 */
size_t	logline_take(struct logline *ll, const char *p, size_t n,
	    uint64_t used, int *stamp);

/*
 * logline_stamped: with stamps, what logline_take() calls and the
 * appending would do with the N > 0 bytes at P, up to the next rotation:
 * each piece, after STAMP (LOGLINE_STAMP_LEN bytes) when it starts a line,
 * copied to OUT while it fits in ROOM bytes.  Returns the bytes put in
 * OUT; *TAKEN is how many of P's bytes they hold, 0 only when
 * logline_due() or when the first piece with its stamp needs more than
 * ROOM.  The same cuts as logline_take(), with one memchr() and two
 * memcpy() a line.
 */
size_t	logline_stamped(struct logline *ll, const char *stamp, const char *p,
	    size_t n, uint64_t used, char *out, size_t room, size_t *taken);

/*
 * A timestamp kept from one time to the next, so that most times cost
 * six digits: a read's lines share one, and reads come faster than the
 * second changes.
 */
struct logline_clock {
	int64_t		sec;		/* the latest time given, clamped */
	long		nsec;
	int		set;		/* any time given yet */
	char		text[LOGLINE_STAMP_LEN + 1];
};

/*
 * logline_clock_init: no time given yet.
 */
void	logline_clock_init(struct logline_clock *lc);

/*
 * logline_clock_set: LC->text becomes the timestamp of SEC.NSEC, as
 * logline_stamp() writes it, or stays that of the latest time given
 * before when SEC.NSEC is earlier: stamps never go backwards, even when
 * the clock is set back.  The date and time of day are formatted again
 * only when the second changes.
 */
void	logline_clock_set(struct logline_clock *lc, int64_t sec, long nsec);

/*
 * logline_stamp: the timestamp of SEC.NSEC (unix time, UTC) as
 * "YYYY-MM-DDTHH:MM:SS.uuuuuuZ ", LOGLINE_STAMP_LEN bytes and a NUL,
 * into BUF.  Times outside the years 1970 to 9999 are clamped to them.
 */
void	logline_stamp(char *buf, int64_t sec, long nsec);

#endif
