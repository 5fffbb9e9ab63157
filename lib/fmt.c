/*
 * fmt: durations and times for people.
 */
#include <stdio.h>
#include <time.h>

#include "fmt.h"

char *
fmt_human_ms(char *buf, size_t size, int64_t ms)
{
	long long v = ms < 0 ? 0 : (long long)ms;

	if (v < 1000)
		snprintf(buf, size, "%lldms", v);
	else if (v < 60000 && v % 1000 < 100)
		snprintf(buf, size, "%llds", v / 1000);
	else if (v < 60000)
		snprintf(buf, size, "%lld.%llds", v / 1000, v % 1000 / 100);
	else if (v < 3600000)
		snprintf(buf, size, "%lldm%02llds", v / 60000,
		    v % 60000 / 1000);
	else
		snprintf(buf, size, "%lldh%02lldm", v / 3600000,
		    v % 3600000 / 60000);
	return buf;
}

char *
fmt_age(char *buf, size_t size, int64_t ms)
{
	if (ms < 60000)
		snprintf(buf, size, "%llds", ms < 0 ? 0LL :
		    (long long)(ms / 1000));
	else
		fmt_human_ms(buf, size, ms);
	return buf;
}

char *
fmt_local_time(char *buf, size_t size, int64_t unix_ms)
{
	time_t secs = (time_t)(unix_ms / 1000);
	struct tm tm;
	size_t n;

	tzset();	/* localtime_r need not look at TZ itself */
	if (localtime_r(&secs, &tm) == NULL ||
	    (n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm)) == 0) {
		snprintf(buf, size, "%lld.%03lld", (long long)(unix_ms / 1000),
		    (long long)(unix_ms % 1000));
		return buf;
	}
	snprintf(buf + n, size - n, ".%03lld", (long long)(unix_ms % 1000));
	return buf;
}
