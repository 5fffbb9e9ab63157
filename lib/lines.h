/*
 * lines: cut a byte stream into whole lines.  Pure: no system calls.
 *
 * sid-svscan keeps the output of a service without log/ one whole line
 * at a time (its copy in supervise/output, its -p prefixed lines), while
 * the bytes come from a pipe in reads of any size:
 *
 *	struct lines l = LINES_INIT(4096);
 *	for each read of N bytes at P:
 *		lines_feed(&l, P, N, emit, ctx);
 *	at the end:
 *		lines_flush(&l, emit, ctx);
 *		lines_free(&l);
 *
 * EMIT(CTX, RUN, LEN) gets runs of one or more whole lines, in order:
 * each line ends in '\n' and has at most MAX bytes before it.  A line
 * longer than MAX is cut into pieces of MAX bytes, each ended with a
 * '\n' of its own.  Runs of whole lines point into the caller's bytes
 * (no copy); only a line that spans reads, or a piece of a long one, is
 * put together in the held buffer, which is allocated at its first use.
 */
#ifndef SID_LINES_H
#define SID_LINES_H

#include <stddef.h>

struct lines {
	char	*held;		/* MAX + 1 bytes, NULL until needed */
	size_t	 len;		/* bytes of a partial line in held */
	size_t	 max;		/* longest line, its newline aside; >= 1 */
};

#define LINES_INIT(max)	{ NULL, 0, (max) }

typedef void	lines_emit(void *ctx, const char *run, size_t len);

/*
 * lines_feed: the N bytes at P come next.  Returns 0, or -1 (ENOMEM)
 * when the held buffer could not be allocated: the bytes of the partial
 * line at the end of P (or the piece of a long line) were dropped, and
 * the next line starts afresh.
 */
int	lines_feed(struct lines *l, const char *p, size_t n,
	    lines_emit *emit, void *ctx);

/* lines_flush: the partial line held, if any, as a line of its own. */
void	lines_flush(struct lines *l, lines_emit *emit, void *ctx);

/* lines_free: drop the held buffer and what it holds. */
void	lines_free(struct lines *l);

#endif
