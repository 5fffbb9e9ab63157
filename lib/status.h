/*
 * status: the text of supervise/status and of supervise/events lines.
 * Pure; the files are written with io_replace() and read with
 * io_read_file().
 */
#ifndef SID_STATUS_H
#define SID_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "sv.h"

/* One supervise/status, as read back by sid-ctl. */
struct status_info {
	char		state[16];
	char		want[8];
	long		pid;
	int64_t		since_ms;	/* unix time in milliseconds */
	char		ready[8];
	int		paused;
	unsigned	restarts;
	char		last_exit[32];
	char		backoff[32];
	char		error[2100];	/* sv.error, escaped, fits */
	unsigned long	attempt;	/* 0 when the writer had no such key */
	int64_t		backoff_ms;	/* backoff, read as a duration */
	/* Later keys: empty (health "n/a") when the writer had none. */
	char		waiting[1024];	/* needed services, space-separated */
	char		health[16];
	char		notice[1024];	/* escaped like error, undone */
};

/*
 * status_format: SV's status text into BUF, SINCE_MS being the wall time
 * of the last transition.  Returns the length (truncated to SIZE - 1).
 */
size_t	status_format(char *buf, size_t size, const struct sv *sv,
	    int64_t since_ms);

/*
 * status_parse: read TEXT back.  Returns 0, or -1 (EINVAL) when a key is
 * missing or a value is malformed.
 */
int	status_parse(const char *text, struct status_info *st);

/*
 * status_up_and_ready: 1 when the status TEXT says state=up and ready
 * yes or n/a (a need is met), else 0.  Reads only those two keys, so it
 * needs no struct status_info.
 */
int	status_up_and_ready(const char *text);

/*
 * events_format: "UNIXTIME FROM -> TO reason\n" into BUF.  Returns the
 * length (truncated to SIZE - 1, still ending in a newline).
 */
size_t	events_format(char *buf, size_t size, int64_t wall_ms,
	    enum sv_state from, enum sv_state to, const char *reason);

/* fmt_unix_ms: "1763777400.123" into BUF, cut to SIZE as by snprintf. */
char	*fmt_unix_ms(char *buf, size_t size, int64_t ms);

#endif
