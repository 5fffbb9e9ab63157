/*
 * fmt_test: the formats sid-ctl shows to people.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"

static const char *
human(long long ms)
{
	static char buf[FMT_DURATION_SIZE];

	return fmt_human_ms(buf, sizeof buf, ms);
}

static const char *
age(long long ms)
{
	static char buf[FMT_DURATION_SIZE];

	return fmt_age(buf, sizeof buf, ms);
}

static void
human_durations_at_each_boundary(void)
{
	CHECK_STR(human(0), "0ms");
	CHECK_STR(human(250), "250ms");
	CHECK_STR(human(999), "999ms");
	CHECK_STR(human(1000), "1s");
	CHECK_STR(human(1099), "1s");
	CHECK_STR(human(1100), "1.1s");
	CHECK_STR(human(25600), "25.6s");
	CHECK_STR(human(59900), "59.9s");
	CHECK_STR(human(59999), "59.9s");
	CHECK_STR(human(60000), "1m00s");
	CHECK_STR(human(250000), "4m10s");
	CHECK_STR(human(3599999), "59m59s");
	CHECK_STR(human(3600000), "1h00m");
	CHECK_STR(human(7500000), "2h05m");
	CHECK_STR(human(100LL * 3600000), "100h00m");
	CHECK_STR(human(-5), "0ms");
	CHECK(strlen(human(999999999999LL)) < FMT_DURATION_SIZE);
}

static void
ages_in_whole_seconds_below_a_minute(void)
{
	CHECK_STR(age(0), "0s");
	CHECK_STR(age(999), "0s");
	CHECK_STR(age(1000), "1s");
	CHECK_STR(age(59999), "59s");
	CHECK_STR(age(60000), "1m00s");
	CHECK_STR(age(95000), "1m35s");
	CHECK_STR(age(-2000), "0s");
}

static void
local_time_in_a_fixed_zone(void)
{
	char buf[FMT_TIME_SIZE];

	setenv("TZ", "UTC", 1);
	CHECK_STR(fmt_local_time(buf, sizeof buf, 1763777400123LL),
	    "2025-11-22 02:10:00.123");
	CHECK_STR(fmt_local_time(buf, sizeof buf, 5LL),
	    "1970-01-01 00:00:00.005");
	setenv("TZ", "UTC-1", 1);
	CHECK_STR(fmt_local_time(buf, sizeof buf, 1763777400123LL),
	    "2025-11-22 03:10:00.123");
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(human_durations_at_each_boundary),
		CHECK_TEST(ages_in_whole_seconds_below_a_minute),
		CHECK_TEST(local_time_in_a_fixed_zone),
	};

	return check_run(tests, CHECK_LEN(tests));
}
