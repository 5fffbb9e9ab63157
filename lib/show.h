/*
 * show: what sid-ctl prints of a service's status, as text for people
 * and as JSON for scripts.  Pure: the caller reads the files and the
 * clock, and prints the lines these functions write into a buffer.
 *
 * Every name and message in a line for people is escaped (esc_text),
 * every string in JSON is esc_json's: no name can forge a line, move
 * the terminal or break a parser.  Each function writes one line with
 * its newline into BUF of SIZE bytes (cut to fit, still ending in a
 * newline when SIZE > 1) and returns its length.
 */
#ifndef SID_SHOW_H
#define SID_SHOW_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* SHOW_SIZE: room for any line of these functions, whatever its bytes. */
#define SHOW_SIZE	65536

/* What sid-ctl knows of a service beside its supervise/status. */
struct show_facts {
	int	has_down;	/* the service directory has a ./down file */
	int	colour;		/* colour the state word (a terminal) */
};

/*
 * show_line: runit's sv status line, for example
 * "up: web: pid 4242, 1m35s, ready; restarts 3, last exit 1".
 * After the age: ", ready" or ", not ready", ", paused",
 * ", normally up" (down or failed, though want is up or there is no
 * down file) or ", normally down" (up, with a down file), ", once" or
 * ", want STATE", ", health failing"; after the counts:
 * "; next start in 3.2s" (backoff), "; waiting for db cache",
 * "; error: CODE: message".  NOW_MS is the wall clock.
 */
size_t	show_line(char *buf, size_t size, const char *name,
	    const struct status_info *st, const struct show_facts *f,
	    int64_t now_ms);

/*
 * show_head: the header of the status table, whose first column is
 * WIDTH wide: NAME STATE PID UPTIME READY RESTARTS LAST-EXIT NOTES.
 */
size_t	show_head(char *buf, size_t size, int width);

/*
 * show_row: one row of the status table; ST NULL for a service with no
 * status to show, whose state column reads UNKNOWN ("unsupervised",
 * "unreadable").  PID "-" when there is no child.  NOTES, comma
 * separated: "normally up", "normally down", "paused", the error code,
 * "next start in 3.2s", "waiting db cache", "health failing".
 */
size_t	show_row(char *buf, size_t size, int width, const char *name,
	    const struct status_info *st, const char *unknown,
	    const struct show_facts *f, int64_t now_ms);

/* show_width: the width NAME takes in a row, escaped. */
size_t	show_width(const char *name);

/*
 * show_json: one JSON object with typed values, for example
 * {"name":"web","state":"up","want":"up","pid":4242,
 * "since":1763777400.123,"ready":"yes","paused":false,"restarts":3,
 * "attempt":7,"last_exit":{"code":1},"backoff_ms":0,"error":null,
 * "waiting":[],"health":"n/a","notice":null}.  "pid" is null with no
 * child; "last_exit" null, {"code":N} or {"signal":"TERM"}; "error"
 * null or {"code":"retry_cap","message":"..."}; "notice" null when
 * empty.  ST NULL: "state" is UNKNOWN and every other value null.
 */
size_t	show_json(char *buf, size_t size, const char *name,
	    const struct status_info *st, const char *unknown);

/*
 * show_event: one line of supervise/events (as written, escaped; LINE
 * is undone in place) for people: its unix time as local time
 * ("2026-12-01 17:30:04.362 up -> backoff exit 1"), or with RAW as it
 * stands.
 */
size_t	show_event(char *buf, size_t size, char *line, int raw);

#endif
