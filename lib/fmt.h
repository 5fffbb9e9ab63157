/*
 * fmt: what sid-ctl and the events file show to people.  Pure, but for
 * fmt_local_time, which reads the time zone.
 *
 * The machine forms (supervise/status, conf) are parse.h's: "25600ms".
 * These are for reading: "25.6s", "4m10s", "2h05m".
 */
#ifndef SID_FMT_H
#define SID_FMT_H

#include <stddef.h>
#include <stdint.h>

/* FMT_DURATION_SIZE: room for any fmt_human_ms or fmt_age result. */
#define FMT_DURATION_SIZE	32

/*
 * fmt_human_ms: MS as people read a duration, into BUF: "999ms" below a
 * second; "1s", "25.6s", "59.9s" below a minute (tenths, cut, not
 * rounded, so 59999 stays "59.9s"); "1m00s", "4m10s" below an hour;
 * "1h00m", "2h05m" beyond.  A negative MS reads as 0.  Returns BUF.
 */
char	*fmt_human_ms(char *buf, size_t size, int64_t ms);

/*
 * fmt_age: how long a state has lasted, in whole seconds below a
 * minute ("0s", "59s"), else as fmt_human_ms.  Returns BUF.
 */
char	*fmt_age(char *buf, size_t size, int64_t ms);

/* FMT_TIME_SIZE: room for a fmt_local_time result. */
#define FMT_TIME_SIZE		32

/*
 * fmt_local_time: the unix time UNIX_MS as local time,
 * "2026-12-01 17:30:04.362", into BUF.  Returns BUF.
 */
char	*fmt_local_time(char *buf, size_t size, int64_t unix_ms);

#endif
