/* status: format and parse supervise/status; format supervise/events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "parse.h"
#include "status.h"

/*
 * By hand, not by snprintf: musl writes a zero, or the zeros of
 * "%03lld", on a 256-byte buffer of its own, and this runs at every
 * events line and status.  That made the stack of an idle sid-supervise
 * one page deeper, or not, depending on the milliseconds.
 */
char *
fmt_unix_ms(char *buf, size_t size, int64_t ms)
{
	char text[32], *p = text + sizeof text;
	uint64_t v = ms < 0 ? -(uint64_t)ms : (uint64_t)ms;
	size_t len;
	int i;

	*--p = '\0';
	for (i = 0; i < 3; i++, v /= 10)
		*--p = (char)('0' + v % 10);
	*--p = '.';
	do {
		*--p = (char)('0' + v % 10);
	} while ((v /= 10) > 0);
	if (ms < 0)
		*--p = '-';
	if (size == 0)
		return buf;
	len = (size_t)(text + sizeof text - 1 - p);
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

/*
 * Append TEXT (escaped when ESCAPE, so that a path with a newline stays
 * one key, one line) to BUF, which holds *LEN bytes of SIZE; cut at the
 * end of BUF.  The text is escaped in place, so that no copy of it
 * takes room on the stack.
 */
static void
put(char *buf, size_t size, size_t *len, const char *text, int escape)
{
	size_t n;

	if (*len + 1 >= size)
		return;
	if (escape) {
		esc_text(buf + *len, size - *len, text);
		*len += strlen(buf + *len);
		return;
	}
	n = strlen(text);
	if (n > size - *len - 1)
		n = size - *len - 1;
	memcpy(buf + *len, text, n);
	*len += n;
	buf[*len] = '\0';
}

size_t
status_format(char *buf, size_t size, const struct sv *sv, int64_t since_ms)
{
	char since[32], last_exit[32] = "none", backoff[32] = "0";
	char head[192];
	size_t len = 0;
	int n;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (sv->have_exit)
		sv_exit_text(last_exit, sizeof last_exit, sv->last_wstatus);
	if (sv->backoff_ms > 0)
		fmt_duration(backoff, sizeof backoff, sv->backoff_ms);
	/* health and notice stay empty until ./check and the notify
	 * socket exist; readers rely on every key. */
	n = snprintf(head, sizeof head,
	    "state=%s\nwant=%s\npid=%ld\nsince=%s\nready=%s\npaused=%s\n"
	    "restarts=%u\nlast_exit=%s\nbackoff=%s\nerror=",
	    sv_state_name(sv->state), sv_want_name(sv->want),
	    (long)sv->pid, fmt_unix_ms(since, sizeof since, since_ms),
	    sv_ready_name(sv->ready), sv->paused ? "yes" : "no",
	    sv->restarts, last_exit, backoff);
	if (n < 0)
		return 0;
	put(buf, size, &len, head, 0);
	put(buf, size, &len, sv->error, 1);
	snprintf(head, sizeof head, "\nattempt=%lu\nwaiting=", sv->attempts);
	put(buf, size, &len, head, 0);
	put(buf, size, &len, sv->waiting, 1);
	put(buf, size, &len, "\nhealth=", 0);
	put(buf, size, &len, sv_health_name(sv->health), 0);
	put(buf, size, &len, "\nnotice=", 0);
	put(buf, size, &len, sv->notice, 1);
	put(buf, size, &len, "\n", 0);
	return len;
}

static void
copy_value(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static int
parse_since(const char *v, size_t len, int64_t *ms)
{
	char buf[32], *dot;
	uint64_t sec, frac = 0;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if ((dot = strchr(buf, '.')) != NULL) {
		*dot = '\0';
		if (strlen(dot + 1) != 3 || parse_uint(dot + 1, 0, 999,
		    &frac) == -1)
			return -1;
	}
	if (parse_uint(buf, 0, INT64_MAX / 1000 - 1, &sec) == -1)
		return -1;
	*ms = (int64_t)(sec * 1000 + frac);
	return 0;
}

static int
parse_number(const char *v, size_t len, uint64_t max, uint64_t *out)
{
	char buf[32];

	if (len >= sizeof buf)
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return parse_uint(buf, 0, max, out);
}

/*
 * Store one key=value.  Returns the key's bit in the set of the ten
 * keys, 0 for an unknown key (ignored: newer versions may add keys), or
 * -1 for a malformed value.
 */
static int
parse_pair(const char *key, size_t klen, const char *v, size_t vlen,
    struct status_info *st)
{
	static const char *const strings[] = { "state", "want", "ready",
	    "last_exit", "backoff", "error" };
	char *const dst[] = { st->state, st->want, st->ready, st->last_exit,
	    st->backoff, st->error };
	const size_t size[] = { sizeof st->state, sizeof st->want,
	    sizeof st->ready, sizeof st->last_exit, sizeof st->backoff,
	    sizeof st->error };
	uint64_t n;
	size_t i;

#define IS(k)	(klen == strlen(k) && memcmp(key, k, klen) == 0)
	for (i = 0; i < sizeof strings / sizeof strings[0]; i++)
		if (IS(strings[i])) {
			copy_value(dst[i], size[i], v, vlen);
			return 1 << i;
		}
	if (IS("pid")) {
		if (parse_number(v, vlen, 0x7fffffff, &n) == -1)
			return -1;
		st->pid = (long)n;
		return 1 << 6;
	}
	if (IS("since"))
		return parse_since(v, vlen, &st->since_ms) == -1 ? -1 : 1 << 7;
	if (IS("paused")) {
		st->paused = vlen == 3 && memcmp(v, "yes", 3) == 0;
		return 1 << 8;
	}
	if (IS("restarts")) {
		if (parse_number(v, vlen, 0xffffffff, &n) == -1)
			return -1;
		st->restarts = (unsigned)n;
		return 1 << 9;
	}
	/* Later keys: read when present, not required of older writers. */
	if (IS("attempt")) {
		if (parse_number(v, vlen, UINT64_MAX, &n) == -1)
			return -1;
		st->attempt = (unsigned long)n;
		return 0;
	}
	if (IS("waiting"))
		copy_value(st->waiting, sizeof st->waiting, v, vlen);
	else if (IS("health"))
		copy_value(st->health, sizeof st->health, v, vlen);
	else if (IS("notice"))
		copy_value(st->notice, sizeof st->notice, v, vlen);
#undef IS
	return 0;
}

int
status_parse(const char *text, struct status_info *st)
{
	const char *p = text, *nl, *eq;
	int seen = 0, bit;

	memset(st, 0, sizeof *st);
	strcpy(st->health, "n/a");
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq != NULL) {
			bit = parse_pair(p, (size_t)(eq - p), eq + 1,
			    (size_t)(nl - eq - 1), st);
			if (bit == -1)
				goto bad;
			seen |= bit;
		}
		p = *nl != '\0' ? nl + 1 : nl;
	}
	if (seen == (1 << 10) - 1 &&
	    parse_duration(st->backoff, &st->backoff_ms) == 0) {
		esc_undo(st->error);	/* written escaped, one line */
		esc_undo(st->notice);
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}

/* The value of KEY in status TEXT, LEN bytes, or NULL. */
static const char *
status_value(const char *text, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *line;

	for (line = text; *line != '\0'; line += strcspn(line, "\n") +
	    (line[strcspn(line, "\n")] == '\n'))
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			line += klen + 1;
			*len = strcspn(line, "\n");
			return line;
		}
	return NULL;
}

int
status_up_and_ready(const char *text)
{
	const char *v;
	size_t len;

	if ((v = status_value(text, "state", &len)) == NULL || len != 2 ||
	    strncmp(v, "up", 2) != 0)
		return 0;
	if ((v = status_value(text, "ready", &len)) == NULL)
		return 0;
	return (len == 3 && strncmp(v, "yes", 3) == 0) ||
	    (len == 3 && strncmp(v, "n/a", 3) == 0);
}

size_t
events_format(char *buf, size_t size, int64_t wall_ms, enum sv_state from,
    enum sv_state to, const char *reason)
{
	char when[32];
	size_t len = 0;
	int n;

	if (size < 2) {
		if (size == 1)
			buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, size, "%s %s -> %s ",
	    fmt_unix_ms(when, sizeof when, wall_ms), sv_state_name(from),
	    sv_state_name(to));
	if (n < 0)
		return 0;
	len = (size_t)n < size ? (size_t)n : size - 1;
	/* Room kept for the newline: it never takes half of an escape. */
	put(buf, size - 1, &len, reason, 1);
	put(buf, size, &len, "\n", 0);
	if (buf[len - 1] != '\n')	/* the head alone filled BUF */
		buf[len - 1] = '\n';
	return len;
}
