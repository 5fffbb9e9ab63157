/*
 * check: the tiny harness of the C unit tests.
 *
 * CHECK(cond) records a failed condition with its file, line and text;
 * CHECK_STR(got, want) does the same for two strings and shows both.
 * check_run() runs a table of named test functions and prints TAP, one
 * "ok N - name" or "not ok N - name" line per test (test/run counts
 * them), with the failed checks as "#" comments before it.  main()
 * returns what check_run() returns: 1 when any test failed.
 *
 *	static const struct check_test tests[] = {
 *		CHECK_TEST(parse_uint_rejects_junk),
 *	};
 *	return check_run(tests, CHECK_LEN(tests));
 */
#ifndef SID_CHECK_H
#define SID_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct check_test {
	const char	*name;
	void		(*fn)(void);
};

/*
 * Wait statuses in the encoding Linux and the BSDs share: the exit code
 * in bits 8-15, the terminating signal in bits 0-6.  The code under test
 * reads them only through WIFEXITED() and friends, and sv_test's
 * wait_status_helpers_match_wait_macros checks that those agree here.
 */
static inline int
exited(int code)
{
	return (code & 0xff) << 8;
}

static inline int
killed(int sig)
{
	return sig & 0x7f;
}

#define CHECK_TEST(fn)	{ #fn, fn }
#define CHECK_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#define CHECK(cond) do {						\
	if (!(cond))							\
		check_fail(__FILE__, __LINE__, #cond);			\
} while (0)

#define CHECK_STR(got, want) do {					\
	if (check_str_differ(__FILE__, __LINE__, #got, (got), (want)))	\
		check_failures++;					\
} while (0)

static unsigned	check_failures;		/* failed checks in this test */

static void
check_fail(const char *file, int line, const char *expr)
{
	check_failures++;
	printf("# %s:%d: CHECK(%s) failed\n", file, line, expr);
}

/* Print S on one line, newlines escaped, so it cannot look like TAP. */
static void
check_print_escaped(const char *label, const char *s)
{
	printf("#   %s ", label);
	if (s == NULL)
		fputs("(null)", stdout);
	else {
		putchar('"');
		for (; *s != '\0'; s++)
			if (*s == '\n')
				fputs("\\n", stdout);
			else
				putchar(*s);
		putchar('"');
	}
	putchar('\n');
}

/* 1 (and a diagnostic) when GOT is not WANT; NULL is never equal. */
static int
check_str_differ(const char *file, int line, const char *expr,
    const char *got, const char *want)
{
	if (got != NULL && want != NULL && strcmp(got, want) == 0)
		return 0;
	printf("# %s:%d: %s\n", file, line, expr);
	check_print_escaped("got: ", got);
	check_print_escaped("want:", want);
	return 1;
}

static int
check_run(const struct check_test *tests, size_t count)
{
	size_t i, failed = 0;

	printf("1..%zu\n", count);
	for (i = 0; i < count; i++) {
		check_failures = 0;
		tests[i].fn();
		if (check_failures > 0)
			failed++;
		printf("%s %zu - %s\n", check_failures > 0 ? "not ok" : "ok",
		    i + 1, tests[i].name);
		fflush(stdout);
	}
	return failed > 0 ? 1 : 0;
}

#endif
