/*
 * parse_test: the strict conversions of lib/parse.c at their edges:
 * empty input, junk suffixes, overflow, the limits of each range.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "parse.h"

/* parse_uint(S, MIN, MAX) fails with errno ERR and leaves *out alone. */
static int
uint_fails(const char *s, uint64_t min, uint64_t max, int err)
{
	uint64_t out = 12345;

	errno = 0;
	if (parse_uint(s, min, max, &out) != -1 || errno != err ||
	    out != 12345) {
		printf("# parse_uint(\"%s\"): errno %d, want %d\n", s, errno,
		    err);
		return 0;
	}
	return 1;
}

static int
uint_is(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	uint64_t out = 12345;

	return parse_uint(s, min, max, &out) == 0 && out == want;
}

static void
parse_uint_accepts_numbers_in_range(void)
{
	CHECK(uint_is("0", 0, 10, 0));
	CHECK(uint_is("7", 0, 10, 7));
	CHECK(uint_is("10", 0, 10, 10));
	CHECK(uint_is("1", 1, 1, 1));
	CHECK(uint_is("007", 0, 10, 7));
	CHECK(uint_is("65535", 1, 65535, 65535));
	CHECK(uint_is("18446744073709551609", 0, UINT64_MAX,
	    UINT64_C(18446744073709551609)));
}

static void
parse_uint_accepts_uint64_max(void)
{
	CHECK(uint_is("18446744073709551615", 0, UINT64_MAX, UINT64_MAX));
	CHECK(uint_is("18446744073709551610", 0, UINT64_MAX,
	    UINT64_C(18446744073709551610)));
}

static void
parse_uint_rejects_empty_and_junk(void)
{
	CHECK(uint_fails("", 0, 10, EINVAL));
	CHECK(uint_fails("5x", 0, 10, EINVAL));
	CHECK(uint_fails("x5", 0, 10, EINVAL));
	CHECK(uint_fails(" 5", 0, 10, EINVAL));
	CHECK(uint_fails("5 ", 0, 10, EINVAL));
	CHECK(uint_fails("-1", 0, 10, EINVAL));
	CHECK(uint_fails("+1", 0, 10, EINVAL));
	CHECK(uint_fails("1.0", 0, 10, EINVAL));
	CHECK(uint_fails("0x1", 0, 10, EINVAL));
}

static void
parse_uint_rejects_out_of_range(void)
{
	CHECK(uint_fails("11", 0, 10, ERANGE));
	CHECK(uint_fails("0", 1, 10, ERANGE));
	CHECK(uint_fails("65536", 1, 65535, ERANGE));
}

static void
parse_uint_rejects_overflow(void)
{
	CHECK(uint_fails("18446744073709551616", 0, UINT64_MAX, ERANGE));
	CHECK(uint_fails("18446744073709551620", 0, UINT64_MAX, ERANGE));
	CHECK(uint_fails("99999999999999999999", 0, UINT64_MAX, ERANGE));
	CHECK(uint_fails("123456789012345678901234567890", 0, UINT64_MAX,
	    ERANGE));
}

/* parse_duration(S) fails with errno ERR and leaves *ms alone. */
static int
duration_fails(const char *s, int err)
{
	int64_t ms = 12345;

	errno = 0;
	if (parse_duration(s, &ms) != -1 || errno != err || ms != 12345) {
		printf("# parse_duration(\"%s\"): errno %d, want %d\n", s,
		    errno, err);
		return 0;
	}
	return 1;
}

static int
duration_is(const char *s, int64_t want)
{
	int64_t ms = -1;

	if (parse_duration(s, &ms) == 0 && ms == want)
		return 1;
	printf("# parse_duration(\"%s\") = %lld, want %lld\n", s,
	    (long long)ms, (long long)want);
	return 0;
}

static void
parse_duration_units(void)
{
	CHECK(duration_is("250ms", 250));
	CHECK(duration_is("10s", 10000));
	CHECK(duration_is("2m", 120000));
	CHECK(duration_is("1h", 3600000));
	CHECK(duration_is("5", 5000));
	CHECK(duration_is("0", 0));
	CHECK(duration_is("0ms", 0));
	CHECK(duration_is("1ms", 1));
	CHECK(duration_is("090s", 90000));
}

static void
parse_duration_limit_is_30_days(void)
{
	CHECK(duration_is("720h", 2592000000LL));
	CHECK(duration_is("43200m", 2592000000LL));
	CHECK(duration_is("2592000s", 2592000000LL));
	CHECK(duration_is("2592000", 2592000000LL));
	CHECK(duration_is("2592000000ms", 2592000000LL));
	CHECK(duration_fails("721h", ERANGE));
	CHECK(duration_fails("43201m", ERANGE));
	CHECK(duration_fails("2592001", ERANGE));
	CHECK(duration_fails("2592000001ms", ERANGE));
	CHECK(duration_fails("99999999999999999999h", ERANGE));
	CHECK(duration_fails("123456789012345678901234567890123456789s",
	    ERANGE));
}

static void
parse_duration_rejects_empty_and_junk(void)
{
	CHECK(duration_fails("", EINVAL));
	CHECK(duration_fails("ms", EINVAL));
	CHECK(duration_fails("s", EINVAL));
	CHECK(duration_fails("10x", EINVAL));
	CHECK(duration_fails("10sec", EINVAL));
	CHECK(duration_fails("10mss", EINVAL));
	CHECK(duration_fails("10 s", EINVAL));
	CHECK(duration_fails(" 10s", EINVAL));
	CHECK(duration_fails("10s ", EINVAL));
	CHECK(duration_fails("1.5s", EINVAL));
	CHECK(duration_fails("-1s", EINVAL));
	CHECK(duration_fails("+1s", EINVAL));
	CHECK(duration_fails("1h30m", EINVAL));
}

static int
signal_is(const char *s, const char *names, int want)
{
	int sig = -1;

	if (parse_signal(s, names, &sig) == 0 && sig == want)
		return 1;
	printf("# parse_signal(\"%s\") = %d, want %d\n", s, sig, want);
	return 0;
}

static int
signal_fails(const char *s, const char *names)
{
	int sig = -1;

	errno = 0;
	if (parse_signal(s, names, &sig) == -1 && errno == EINVAL &&
	    sig == -1)
		return 1;
	printf("# parse_signal(\"%s\") accepted or wrong errno\n", s);
	return 0;
}

static void
parse_signal_names_and_numbers(void)
{
	CHECK(signal_is("TERM", NULL, SIGTERM));
	CHECK(signal_is("SIGTERM", NULL, SIGTERM));
	CHECK(signal_is("KILL", NULL, SIGKILL));
	CHECK(signal_is("USR1", NULL, SIGUSR1));
	CHECK(signal_is("CONT", NULL, SIGCONT));
	CHECK(signal_is("9", NULL, 9));
	CHECK(signal_is("1", NULL, 1));
	CHECK(signal_is("64", NULL, 64));
}

static void
parse_signal_rejects_bad_words(void)
{
	CHECK(signal_fails("", NULL));
	CHECK(signal_fails("SIG", NULL));
	CHECK(signal_fails("0", NULL));
	CHECK(signal_fails("65", NULL));
	CHECK(signal_fails("-9", NULL));
	CHECK(signal_fails("9x", NULL));
	CHECK(signal_fails("BOGUS", NULL));
	CHECK(signal_fails("term", NULL));
	CHECK(signal_fails("SIGSIGTERM", NULL));
	CHECK(signal_fails(" TERM", NULL));
	CHECK(signal_fails("99999999999999999999999", NULL));
}

static void
parse_signal_honours_the_name_list(void)
{
	const char *list = "TERM INT QUIT HUP USR1 USR2";

	CHECK(signal_is("TERM", list, SIGTERM));
	CHECK(signal_is("SIGUSR2", list, SIGUSR2));
	CHECK(signal_is("HUP", list, SIGHUP));
	CHECK(signal_is("9", list, 9));	/* numbers are always fine */
	CHECK(signal_fails("KILL", list));
	CHECK(signal_fails("SIGKILL", list));
	CHECK(signal_fails("ERM", list));	/* part of a word */
	CHECK(signal_fails("USR", list));
	CHECK(signal_fails("TERM INT", list));
	CHECK(signal_fails("", list));
}

static void
sig_name_knows_common_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGKILL,
	    SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP,
	    SIGSEGV, SIGPIPE, SIGABRT };
	size_t i;
	int back;

	CHECK_STR(sig_name(SIGTERM), "TERM");
	CHECK_STR(sig_name(SIGKILL), "KILL");
	CHECK_STR(sig_name(SIGUSR2), "USR2");
	CHECK(sig_name(0) == NULL);
	CHECK(sig_name(-1) == NULL);
	CHECK(sig_name(1000) == NULL);
	for (i = 0; i < CHECK_LEN(sigs); i++) {
		CHECK(sig_name(sigs[i]) != NULL);
		back = -1;
		if (sig_name(sigs[i]) != NULL)
			CHECK(parse_signal(sig_name(sigs[i]), NULL, &back) ==
			    0 && back == sigs[i]);
	}
}

static void
fmt_duration_shortest_exact_word(void)
{
	char buf[32];

	CHECK_STR(fmt_duration(buf, sizeof buf, 0), "0ms");
	CHECK_STR(fmt_duration(buf, sizeof buf, 1), "1ms");
	CHECK_STR(fmt_duration(buf, sizeof buf, 250), "250ms");
	CHECK_STR(fmt_duration(buf, sizeof buf, 1000), "1s");
	CHECK_STR(fmt_duration(buf, sizeof buf, 1500), "1500ms");
	CHECK_STR(fmt_duration(buf, sizeof buf, 10000), "10s");
	CHECK_STR(fmt_duration(buf, sizeof buf, 60000), "1m");
	CHECK_STR(fmt_duration(buf, sizeof buf, 90000), "90s");
	CHECK_STR(fmt_duration(buf, sizeof buf, 3600000), "1h");
	CHECK_STR(fmt_duration(buf, sizeof buf, 5400000), "90m");
	CHECK_STR(fmt_duration(buf, sizeof buf, 2592000000LL), "720h");
}

static void
fmt_duration_round_trips_through_parse_duration(void)
{
	static const int64_t values[] = { 0, 1, 99, 100, 999, 1000, 1001,
	    59000, 60000, 61000, 3599999, 3600000, 7200000, 2592000000LL };
	char buf[32];
	int64_t back;
	size_t i;

	for (i = 0; i < CHECK_LEN(values); i++) {
		back = -1;
		CHECK(parse_duration(fmt_duration(buf, sizeof buf, values[i]),
		    &back) == 0);
		CHECK(back == values[i]);
	}
}

static void
fmt_duration_truncates_to_buffer(void)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	CHECK(fmt_duration(buf, 4, 123456) == buf);
	CHECK_STR(buf, "123");
	CHECK(buf[4] == 'x');
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(parse_uint_accepts_numbers_in_range),
		CHECK_TEST(parse_uint_accepts_uint64_max),
		CHECK_TEST(parse_uint_rejects_empty_and_junk),
		CHECK_TEST(parse_uint_rejects_out_of_range),
		CHECK_TEST(parse_uint_rejects_overflow),
		CHECK_TEST(parse_duration_units),
		CHECK_TEST(parse_duration_limit_is_30_days),
		CHECK_TEST(parse_duration_rejects_empty_and_junk),
		CHECK_TEST(parse_signal_names_and_numbers),
		CHECK_TEST(parse_signal_rejects_bad_words),
		CHECK_TEST(parse_signal_honours_the_name_list),
		CHECK_TEST(sig_name_knows_common_signals),
		CHECK_TEST(fmt_duration_shortest_exact_word),
		CHECK_TEST(fmt_duration_round_trips_through_parse_duration),
		CHECK_TEST(fmt_duration_truncates_to_buffer),
	};

	return check_run(tests, CHECK_LEN(tests));
}
