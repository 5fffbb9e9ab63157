/*
 * lines_test: whole lines out of reads of any size, long lines cut,
 * runs that point into the caller's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lines.h"

/* What EMIT was given: the bytes, and one '|' after each run. */
struct got {
	char	text[4096];
	size_t	len;
	int	runs;
};

static void
record(void *ctx, const char *run, size_t len)
{
	struct got *g = ctx;

	if (g->len + len + 1 < sizeof g->text) {
		memcpy(g->text + g->len, run, len);
		g->len += len;
		g->text[g->len++] = '|';
		g->text[g->len] = '\0';
	}
	g->runs++;
}

/* Feed S in reads of STEP bytes (0: all at once) to lines of MAX. */
static const char *
feed(const char *s, size_t step, size_t max, int flush)
{
	static struct got g;
	struct lines l = LINES_INIT(max);
	size_t n = strlen(s), at, take;

	memset(&g, 0, sizeof g);
	for (at = 0; at < n; at += take) {
		take = step == 0 || n - at < step ? n - at : step;
		CHECK(lines_feed(&l, s + at, take, record, &g) == 0);
	}
	if (flush)
		lines_flush(&l, record, &g);
	lines_free(&l);
	return g.text;
}

static void
whole_lines_in_one_read_make_one_run(void)
{
	CHECK_STR(feed("a\nbb\nccc\n", 0, 8, 0), "a\nbb\nccc\n|");
	CHECK_STR(feed("", 0, 8, 1), "");
}

static void
a_partial_line_is_held_until_its_newline(void)
{
	CHECK_STR(feed("a\nbb", 0, 8, 0), "a\n|");
	CHECK_STR(feed("a\nbb", 0, 8, 1), "a\n|bb\n|");
	CHECK_STR(feed("a\nbb\nc", 1, 8, 1), "a\n|bb\n|c\n|");
	CHECK_STR(feed("one\ntwo\nthree\n", 5, 8, 0),
	    "one\n|two\n|three\n|");
}

static void
a_line_longer_than_max_is_cut_into_lines(void)
{
	CHECK_STR(feed("abcdefghij\nk\n", 0, 4, 0), "abcd\n|efgh\n|ij\nk\n|");
	CHECK_STR(feed("abcdefghij\nk\n", 3, 4, 0), "abcd\n|efgh\n|ij\n|k\n|");
	CHECK_STR(feed("abcd\nefgh", 0, 4, 0), "abcd\n|");
	/* A line of exactly max is one line, however it is read. */
	CHECK_STR(feed("abcd", 0, 4, 1), "abcd\n|");
	CHECK_STR(feed("abcd\nx\n", 2, 4, 0), "abcd\n|x\n|");
	CHECK_STR(feed("abcdefgh\n", 2, 4, 0), "abcd\n|efgh\n|");
	CHECK_STR(feed("abcdefghi", 1, 4, 1), "abcd\n|efgh\n|i\n|");
}

static void
empty_lines_are_lines(void)
{
	CHECK_STR(feed("\n\nx\n", 0, 4, 0), "\n\nx\n|");
	CHECK_STR(feed("\n\nx\n", 1, 4, 0), "\n|\n|x\n|");
}

static void
runs_point_into_the_input(void)
{
	struct got g;
	struct lines l = LINES_INIT(16);
	const char *s = "x\nyy\n";

	memset(&g, 0, sizeof g);
	CHECK(lines_feed(&l, s, strlen(s), record, &g) == 0);
	CHECK(g.runs == 1);
	CHECK(l.held == NULL);		/* never needed */
	lines_free(&l);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(whole_lines_in_one_read_make_one_run),
		CHECK_TEST(a_partial_line_is_held_until_its_newline),
		CHECK_TEST(a_line_longer_than_max_is_cut_into_lines),
		CHECK_TEST(empty_lines_are_lines),
		CHECK_TEST(runs_point_into_the_input),
	};

	return check_run(tests, CHECK_LEN(tests));
}
