/* lines: cut a byte stream into whole lines (see lines.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"

/* The held line, ended with a newline, goes out; held is empty again. */
static void
emit_held(struct lines *l, lines_emit *emit, void *ctx)
{
	l->held[l->len++] = '\n';
	emit(ctx, l->held, l->len);
	l->len = 0;
}

/*
 * Whole lines that lie in P (nothing held before them, no longer than
 * max) make up one run, emitted when something else comes: a line that
 * must go through held, or the end of P.
 */
int
lines_feed(struct lines *l, const char *p, size_t n, lines_emit *emit,
    void *ctx)
{
	const char *run = p, *nl;
	size_t take, room;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (l->len == 0 && nl != NULL && take <= l->max) {
			p = nl + 1;
			n -= take + 1;
			continue;
		}
		if (p > run)
			emit(ctx, run, (size_t)(p - run));
		if (l->held == NULL && (l->held = malloc(l->max + 1)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		/*
		 * Past max, the held bytes go out as a line; a line of max
		 * bytes waits for one more byte, which may be its newline.
		 */
		room = l->max - l->len;
		if (take > room) {
			memcpy(l->held + l->len, p, room);
			l->len += room;
			p += room;
			n -= room;
			emit_held(l, emit, ctx);
		} else {
			memcpy(l->held + l->len, p, take);
			l->len += take;
			p += take;
			n -= take;
			if (nl != NULL) {
				p++;
				n--;
				emit_held(l, emit, ctx);
			}
		}
		run = p;
	}
	if (p > run)
		emit(ctx, run, (size_t)(p - run));
	return 0;
}

void
lines_flush(struct lines *l, lines_emit *emit, void *ctx)
{
	if (l->len > 0)
		emit_held(l, emit, ctx);
}

void
lines_free(struct lines *l)
{
	free(l->held);
	l->held = NULL;
	l->len = 0;
}
