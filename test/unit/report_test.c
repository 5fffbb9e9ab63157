/*
 * report_test: the scan report's lines, their order (by displayed name,
 * ties in the order given, conflicts by port after them), the count of
 * unchanged units (an added or removed service covers its logger), the
 * escaping of names and details, and the snprintf-like cut.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report.h"

static char	*text;		/* body()'s, freed at the next call */

/* The body of R. */
static const char *
body(struct report *r)
{
	size_t len = report_format(r, NULL, 0);

	free(text);
	if ((text = malloc(len + 1)) == NULL)
		return NULL;
	CHECK(report_format(r, text, len + 1) == len);
	return text;
}

static void
empty_report_is_unchanged_0(void)
{
	struct report r;

	report_init(&r);
	CHECK_STR(body(&r), "unchanged 0\n");
	report_clear(&r);
}

static void
first_scan_lists_added_sorted(void)
{
	struct report r;

	report_init(&r);
	report_add(&r, REPORT_ADDED, "m", NULL);
	report_add(&r, REPORT_ADDED, "c", NULL);
	report_add(&r, REPORT_ADDED, "a", NULL);
	report_add(&r, REPORT_ADDED, "b", NULL);
	report_unit(&r, "a");
	report_unit(&r, "b");
	report_unit(&r, "c");
	report_unit(&r, "m");
	report_unit(&r, "m/log");
	CHECK_STR(body(&r), "added a\nadded b\nadded c\nadded m\n"
	    "unchanged 0\n");
	report_clear(&r);
}

static void
every_kind_sorted_by_name_then_conflicts_then_count(void)
{
	struct report r;

	report_init(&r);
	/* Given in no order: what a scan gathers. */
	report_add(&r, REPORT_ADDED, "x", NULL);
	report_add(&r, REPORT_REMOVED, "b", NULL);
	report_changed(&r, "m/log", REPORT_RUN);
	report_add(&r, REPORT_INVALID, "w", "w/conf:1: restrat: unknown key");
	report_changed(&r, "a", REPORT_RUN | REPORT_CONF | REPORT_ENV);
	report_add(&r, REPORT_RESTARTED, "a", NULL);
	report_changed(&r, "c", REPORT_CONF);
	report_changed(&r, "m", REPORT_ENV);
	report_changed(&r, "d", REPORT_RUN | REPORT_ENV);
	report_port(&r, 8080, "q");
	report_port(&r, 22, "p2");
	report_port(&r, 8080, "p");
	report_port(&r, 22, "p1");
	report_port(&r, 9, "alone");
	report_port(&r, 0, "none");
	report_unit(&r, "a");
	report_unit(&r, "c");
	report_unit(&r, "d");
	report_unit(&r, "m");
	report_unit(&r, "m/log");
	report_unit(&r, "p");
	report_unit(&r, "p1");
	report_unit(&r, "p2");
	report_unit(&r, "q");
	report_unit(&r, "w");
	report_unit(&r, "x");
	CHECK_STR(body(&r),
	    "changed a: run conf env\n"
	    "restarted a\n"
	    "removed b\n"
	    "changed c: conf\n"
	    "changed d: run env\n"
	    "changed m: env\n"
	    "changed m/log: run\n"
	    "invalid w: w/conf:1: restrat: unknown key\n"
	    "added x\n"
	    "conflict port 22: p1 p2\n"
	    "conflict port 8080: p q\n"
	    "unchanged 4\n");
	CHECK(report_count(&r, REPORT_INVALID) == 1);
	CHECK(report_count(&r, REPORT_CHANGED) == 5);
	CHECK(report_has(&r, REPORT_RESTARTED, "a"));
	CHECK(!report_has(&r, REPORT_RESTARTED, "c"));
	report_clear(&r);
}

/* strcmp of the displayed name: "m-x" < "m/log" < "ma". */
static void
a_logger_sorts_by_its_displayed_name(void)
{
	struct report r;

	report_init(&r);
	report_changed(&r, "ma", REPORT_RUN);
	report_changed(&r, "m/log", REPORT_CONF);
	report_changed(&r, "m-x", REPORT_RUN);
	report_changed(&r, "m", REPORT_RUN);
	CHECK_STR(body(&r), "changed m: run\nchanged m-x: run\n"
	    "changed m/log: conf\nchanged ma: run\nunchanged 0\n");
	report_clear(&r);
}

/* A directory replaced: removed, then added anew, in that order. */
static void
lines_of_one_name_keep_their_order(void)
{
	struct report r;

	report_init(&r);
	report_add(&r, REPORT_REMOVED, "s", NULL);
	report_add(&r, REPORT_ADDED, "r", NULL);
	report_add(&r, REPORT_ADDED, "s", NULL);
	report_add(&r, REPORT_ADDED, "gone", NULL);
	report_add(&r, REPORT_REMOVED, "gone", NULL);
	CHECK_STR(body(&r), "added gone\nremoved gone\nadded r\n"
	    "removed s\nadded s\nunchanged 0\n");
	report_clear(&r);
}

static void
added_or_removed_covers_its_logger_changed_does_not(void)
{
	struct report r;

	report_init(&r);
	report_add(&r, REPORT_ADDED, "a", NULL);
	report_add(&r, REPORT_REMOVED, "b", NULL);
	report_changed(&r, "c", REPORT_RUN);
	report_changed(&r, "d/log", REPORT_RUN);
	report_add(&r, REPORT_INVALID, "e", "e/conf:2: x: unknown key");
	report_unit(&r, "a");
	report_unit(&r, "a/log");	/* covered by added a */
	report_unit(&r, "b/log");	/* covered by removed b */
	report_unit(&r, "c");
	report_unit(&r, "c/log");	/* not covered: unchanged */
	report_unit(&r, "d");		/* not covered: unchanged */
	report_unit(&r, "d/log");
	report_unit(&r, "e");
	report_unit(&r, "e/log");	/* not covered: unchanged */
	report_unit(&r, "f");		/* no line */
	report_unit(&r, "log");		/* a service named log */
	CHECK(report_unchanged(&r) == 5);
	report_clear(&r);
}

/* A conflict line is about a port: its units still count unchanged. */
static void
a_conflict_names_no_unit(void)
{
	struct report r;

	report_init(&r);
	report_port(&r, 1, "p2");
	report_port(&r, 1, "p1");
	report_unit(&r, "p1");
	report_unit(&r, "p2");
	CHECK_STR(body(&r), "conflict port 1: p1 p2\nunchanged 2\n");
	report_clear(&r);
}

static void
names_and_details_are_escaped(void)
{
	struct report r;

	report_init(&r);
	report_add(&r, REPORT_ADDED, "evil\nremoved web", NULL);
	report_add(&r, REPORT_INVALID, "esc\x1b[31m",
	    "esc\x1b[31m/conf:1: a\tb: unknown key");
	report_port(&r, 5, "p\n");
	report_port(&r, 5, "q");
	report_unit(&r, "evil\nremoved web");
	report_unit(&r, "evil\nremoved web/log");
	CHECK_STR(body(&r),
	    "invalid esc\\x1b[31m: esc\\x1b[31m/conf:1: a\\tb: unknown key\n"
	    "added evil\\nremoved web\n"
	    "conflict port 5: p\\n q\n"
	    "unchanged 0\n");
	CHECK(report_has(&r, REPORT_ADDED, "evil\nremoved web"));
	report_clear(&r);
}

static void
a_small_buffer_is_cut_and_terminated(void)
{
	struct report r;
	char buf[10];
	size_t len;

	report_init(&r);
	report_add(&r, REPORT_ADDED, "abcdef", NULL);
	len = report_format(&r, buf, sizeof buf);
	CHECK(len == strlen("added abcdef\nunchanged 0\n"));
	CHECK_STR(buf, "added abc");
	CHECK(report_format(&r, buf, 0) == len);
	report_clear(&r);
}

/* After report_clear the next report starts empty, and can grow again. */
static void
clear_starts_a_new_report(void)
{
	struct report r;
	char name[16];
	int i;

	report_init(&r);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "s%03d", 99 - i);
		CHECK(report_add(&r, REPORT_ADDED, name, NULL) == 0);
		CHECK(report_unit(&r, name) == 0);
		CHECK(report_port(&r, 7, name) == 0);
	}
	CHECK(strncmp(body(&r), "added s000\nadded s001\n", 22) == 0);
	report_clear(&r);
	CHECK_STR(body(&r), "unchanged 0\n");
	report_add(&r, REPORT_REMOVED, "z", NULL);
	CHECK_STR(body(&r), "removed z\nunchanged 0\n");
	report_clear(&r);
}

static void
changed_with_no_part_adds_nothing(void)
{
	struct report r;

	report_init(&r);
	CHECK(report_changed(&r, "a", 0) == 0);
	report_unit(&r, "a");
	CHECK_STR(body(&r), "unchanged 1\n");
	report_clear(&r);
}

static void
more_than_max_lines_is_refused(void)
{
	struct report r;
	size_t i;
	int failed = 0;

	report_init(&r);
	for (i = 0; i < REPORT_MAX_LINES; i++)
		failed |= report_add(&r, REPORT_ADDED, "s", NULL) == -1;
	CHECK(!failed);
	errno = 0;
	CHECK(report_add(&r, REPORT_ADDED, "s", NULL) == -1);
	CHECK(errno == ENOBUFS);
	CHECK(report_count(&r, REPORT_ADDED) == REPORT_MAX_LINES);
	report_clear(&r);
}

static void
a_cycle_sorts_by_name_and_names_no_unit(void)
{
	static const char *const ab[] = { "b", "c", "b" };
	static const char *const odd[] = { "x\ny", "z", "x\ny" };
	struct report r;

	report_init(&r);
	report_add(&r, REPORT_ADDED, "c", NULL);
	CHECK(report_cycle(&r, ab, 3) == 0);
	report_add(&r, REPORT_ADDED, "a", NULL);
	CHECK(report_cycle(&r, odd, 3) == 0);
	report_unit(&r, "a");
	report_unit(&r, "b");
	report_unit(&r, "c");
	report_unit(&r, "z");
	CHECK(report_count(&r, REPORT_CYCLE) == 2);
	CHECK_STR(body(&r), "added a\ncycle b -> c -> b\nadded c\n"
	    "cycle x\\ny -> z -> x\\ny\nunchanged 2\n");
	report_clear(&r);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(empty_report_is_unchanged_0),
		CHECK_TEST(first_scan_lists_added_sorted),
		CHECK_TEST(every_kind_sorted_by_name_then_conflicts_then_count),
		CHECK_TEST(a_logger_sorts_by_its_displayed_name),
		CHECK_TEST(lines_of_one_name_keep_their_order),
		CHECK_TEST(added_or_removed_covers_its_logger_changed_does_not),
		CHECK_TEST(a_conflict_names_no_unit),
		CHECK_TEST(names_and_details_are_escaped),
		CHECK_TEST(a_small_buffer_is_cut_and_terminated),
		CHECK_TEST(clear_starts_a_new_report),
		CHECK_TEST(changed_with_no_part_adds_nothing),
		CHECK_TEST(more_than_max_lines_is_refused),
		CHECK_TEST(a_cycle_sorts_by_name_and_names_no_unit),
	};
	int failed = check_run(tests, CHECK_LEN(tests));

	free(text);
	return failed;
}
