/*
 * show: status lines, table rows, JSON objects and events lines.
 *
 * Each is written through a struct out, which appends to a buffer and
 * never writes past it: what does not fit is cut, and finish() ends
 * the line with its newline all the same.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "fmt.h"
#include "show.h"

struct out {
	char	*buf;
	size_t	 size, len;
	int	 cut;		/* a text was cut: nothing may follow it */
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->cut || o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n :
		    o->size - o->len - 1;
}

/* S escaped for people. */
static void
put_text(struct out *o, const char *s)
{
	if (o->cut || o->len + 1 >= o->size)
		return;
	esc_text(o->buf + o->len, o->size - o->len, s);
	o->len += strlen(o->buf + o->len);
	/* Cut before an escape that did not fit (4 bytes at most): what
	 * followed would read as the end of the text, a shorter name. */
	if (o->size - o->len <= 4)
		o->cut = 1;
}

/* S as a JSON string. */
static void
put_json(struct out *o, const char *s)
{
	if (o->cut || o->len + 1 >= o->size)
		return;
	o->len += esc_json(o->buf + o->len, o->size - o->len, s);
}

/* The first LEN bytes of S as a JSON string. */
static void
put_json_n(struct out *o, const char *s, size_t len)
{
	char part[1024];

	if (len >= sizeof part)
		len = sizeof part - 1;
	memcpy(part, s, len);
	part[len] = '\0';
	put_json(o, part);
}

/* The line's end: a newline, even when the text was cut. */
static size_t
finish(struct out *o)
{
	if (o->size == 0)
		return 0;
	if (o->size == 1) {
		o->buf[0] = '\0';
		return 0;
	}
	if (o->len > o->size - 2)
		o->len = o->size - 2;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
	return o->len;
}

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Starting or up: an instance runs. */
static int
running(const struct status_info *st)
{
	return is(st->state, "up") || is(st->state, "starting");
}

/* Down or failed though it would run: runit's "normally up". */
static int
normally_up(const struct status_info *st, const struct show_facts *f)
{
	return (is(st->state, "down") || is(st->state, "failed")) &&
	    (is(st->want, "up") || !f->has_down);
}

static int
normally_down(const struct status_info *st, const struct show_facts *f)
{
	return running(st) && f->has_down;
}

/* How long until the pending restart, or -1 when none is pending. */
static int64_t
next_start_in(const struct status_info *st, int64_t now_ms)
{
	int64_t left;

	if (!is(st->state, "backoff"))
		return -1;
	left = st->since_ms + st->backoff_ms - now_ms;
	return left > 0 ? left : 0;
}

/* The SGR colour of the state word, or NULL for none. */
static const char *
colour_of(const struct status_info *st, const struct show_facts *f)
{
	if (!f->colour || st == NULL)
		return NULL;
	if (is(st->state, "up"))
		return st->paused || is(st->ready, "no") ? "33" : "32";
	if (is(st->state, "failed") || normally_up(st, f))
		return "31";
	if (is(st->state, "down"))
		return NULL;
	return "33";		/* starting, stopping, finishing, backoff */
}

/* The state word, coloured, then spaces up to WIDTH (0: none). */
static void
put_state(struct out *o, const char *state, const char *colour, int width)
{
	size_t before, shown;

	if (colour != NULL)
		put(o, "\033[%sm", colour);
	before = o->len;
	put_text(o, state);
	shown = o->len - before;
	if (colour != NULL)
		put(o, "\033[0m");
	if ((size_t)width > shown)
		put(o, "%*s", width - (int)shown, "");
}

/* "exit 1" as "1", as runit shows it; anything else as it is. */
static const char *
last_exit_word(const char *last)
{
	return strncmp(last, "exit ", 5) == 0 ? last + 5 : last;
}

size_t
show_line(char *buf, size_t size, const char *name,
    const struct status_info *st, const struct show_facts *f, int64_t now_ms)
{
	struct out o = { buf, size, 0, 0 };
	char age[FMT_DURATION_SIZE], next[FMT_DURATION_SIZE];
	/* The want that goes without saying in each state. */
	const char *want_shown = running(st) || is(st->state, "backoff") ||
	    is(st->state, "failed") ? "up" : "down";
	int64_t left = next_start_in(st, now_ms);

	put_state(&o, st->state, colour_of(st, f), 0);
	put(&o, ": ");
	put_text(&o, name);
	put(&o, ": ");
	if (st->pid != 0)
		put(&o, "pid %ld, ", st->pid);
	put(&o, "%s", fmt_age(age, sizeof age, now_ms - st->since_ms));
	if (is(st->ready, "yes"))
		put(&o, ", ready");
	else if (is(st->ready, "no") && running(st))
		put(&o, ", not ready");
	if (st->paused)
		put(&o, ", paused");
	if (normally_up(st, f))
		put(&o, ", normally up");
	else if (normally_down(st, f))
		put(&o, ", normally down");
	if (is(st->want, "once"))
		put(&o, ", once");
	else if (!is(st->want, want_shown)) {
		put(&o, ", want ");
		put_text(&o, st->want);
	}
	if (is(st->health, "failing"))
		put(&o, ", health failing");
	put(&o, "; restarts %u, last exit ", st->restarts);
	put_text(&o, last_exit_word(st->last_exit));
	if (left >= 0)
		put(&o, "; next start in %s",
		    fmt_human_ms(next, sizeof next, left));
	if (st->waiting[0] != '\0') {
		put(&o, "; waiting for ");
		put_text(&o, st->waiting);
	}
	if (st->error[0] != '\0') {
		put(&o, "; error: ");
		put_text(&o, st->error);
	}
	return finish(&o);
}

#define ROW_FORMAT	"%-*s %-12s %7s %8s %5s %8s %-11s %s"

size_t
show_head(char *buf, size_t size, int width)
{
	struct out o = { buf, size, 0, 0 };

	put(&o, ROW_FORMAT, width, "NAME", "STATE", "PID", "UPTIME",
	    "READY", "RESTARTS", "LAST-EXIT", "NOTES");
	return finish(&o);
}

size_t
show_width(const char *name)
{
	char buf[ESC_SIZE(256)];

	/* A name longer than that is cut in the row all the same. */
	return strlen(esc_text(buf, sizeof buf, name));
}

/* A note of the NOTES column: TEXT, then ARG escaped (or NULL). */
static void
put_note(struct out *o, int *notes, const char *text, const char *arg)
{
	put(o, "%s%s", (*notes)++ ? ", " : "", text);
	if (arg != NULL)
		put_text(o, arg);
}

/* The NOTES column of ST. */
static void
put_notes(struct out *o, const struct status_info *st,
    const struct show_facts *f, int64_t now_ms)
{
	char next[FMT_DURATION_SIZE], code[64];
	int64_t left = next_start_in(st, now_ms);
	int notes = 0;

	if (normally_up(st, f))
		put_note(o, &notes, "normally up", NULL);
	else if (normally_down(st, f))
		put_note(o, &notes, "normally down", NULL);
	if (st->paused)
		put_note(o, &notes, "paused", NULL);
	if (st->error[0] != '\0') {
		snprintf(code, sizeof code, "%.*s",
		    (int)strcspn(st->error, ":"), st->error);
		put_note(o, &notes, "", code);
	}
	if (left >= 0)
		put_note(o, &notes, "next start in ",
		    fmt_human_ms(next, sizeof next, left));
	if (st->waiting[0] != '\0')
		put_note(o, &notes, "waiting ", st->waiting);
	if (is(st->health, "failing"))
		put_note(o, &notes, "health failing", NULL);
	if (notes == 0)
		put(o, "-");
}

size_t
show_row(char *buf, size_t size, int width, const char *name,
    const struct status_info *st, const char *unknown,
    const struct show_facts *f, int64_t now_ms)
{
	struct out o = { buf, size, 0, 0 };
	char pid[24] = "-", age[FMT_DURATION_SIZE], restarts[16];
	size_t before;

	before = o.len;
	put_text(&o, name);
	if (o.len - before < (size_t)width)
		put(&o, "%*s", width - (int)(o.len - before), "");
	put(&o, " ");
	if (st == NULL) {
		put_state(&o, unknown, NULL, 12);
		put(&o, " %7s %8s %5s %8s %-11s %s", "-", "-", "-", "-", "-",
		    "-");
		return finish(&o);
	}
	put_state(&o, st->state, colour_of(st, f), 12);
	if (st->pid != 0)
		snprintf(pid, sizeof pid, "%ld", st->pid);
	snprintf(restarts, sizeof restarts, "%u", st->restarts);
	put(&o, " %7s %8s ", pid,
	    fmt_age(age, sizeof age, now_ms - st->since_ms));
	before = o.len;
	put_text(&o, st->ready);
	if (o.len - before < 5)
		put(&o, "%*s", 5 - (int)(o.len - before), "");
	put(&o, " %8s ", restarts);
	before = o.len;
	put_text(&o, st->last_exit);
	if (o.len - before < 11)
		put(&o, "%*s", 11 - (int)(o.len - before), "");
	put(&o, " ");
	put_notes(&o, st, f, now_ms);
	return finish(&o);
}

/* "exit 1" as {"code":1}, "signal TERM" as {"signal":"TERM"}. */
static void
put_json_exit(struct out *o, const char *last)
{
	unsigned code;
	char tail;

	if (sscanf(last, "exit %u%c", &code, &tail) == 1)
		put(o, "{\"code\":%u}", code);
	else if (strncmp(last, "signal ", 7) == 0) {
		put(o, "{\"signal\":");
		put_json(o, last + 7);
		put(o, "}");
	} else
		put(o, "null");
}

/* "CODE: message" as {"code":"CODE","message":"message"}. */
static void
put_json_error(struct out *o, const char *error)
{
	size_t code = strcspn(error, ":");
	const char *message = error + code;

	if (*error == '\0') {
		put(o, "null");
		return;
	}
	if (*message == ':')
		message += message[1] == ' ' ? 2 : 1;
	put(o, "{\"code\":");
	put_json_n(o, error, code);
	put(o, ",\"message\":");
	put_json(o, message);
	put(o, "}");
}

/* "db cache" as ["db","cache"]. */
static void
put_json_words(struct out *o, const char *s)
{
	size_t len;
	int n = 0;

	put(o, "[");
	for (; *s != '\0'; s += len) {
		s += strspn(s, " ");
		if ((len = strcspn(s, " ")) == 0)
			break;
		put(o, "%s", n++ ? "," : "");
		put_json_n(o, s, len);
	}
	put(o, "]");
}

size_t
show_json(char *buf, size_t size, const char *name,
    const struct status_info *st, const char *unknown)
{
	struct out o = { buf, size, 0, 0 };

	put(&o, "{\"name\":");
	put_json(&o, name);
	put(&o, ",\"state\":");
	if (st == NULL) {
		put_json(&o, unknown);
		put(&o, ",\"want\":null,\"pid\":null,\"since\":null,"
		    "\"ready\":null,\"paused\":null,\"restarts\":null,"
		    "\"attempt\":null,\"last_exit\":null,\"backoff_ms\":null,"
		    "\"error\":null,\"waiting\":null,\"health\":null,"
		    "\"notice\":null}");
		return finish(&o);
	}
	put_json(&o, st->state);
	put(&o, ",\"want\":");
	put_json(&o, st->want);
	if (st->pid != 0)
		put(&o, ",\"pid\":%ld", st->pid);
	else
		put(&o, ",\"pid\":null");
	put(&o, ",\"since\":%lld.%03lld,\"ready\":",
	    (long long)(st->since_ms / 1000), (long long)(st->since_ms % 1000));
	put_json(&o, st->ready);
	put(&o, ",\"paused\":%s,\"restarts\":%u,\"attempt\":%lu,"
	    "\"last_exit\":", st->paused ? "true" : "false", st->restarts,
	    st->attempt);
	put_json_exit(&o, st->last_exit);
	put(&o, ",\"backoff_ms\":%lld,\"error\":", (long long)st->backoff_ms);
	put_json_error(&o, st->error);
	put(&o, ",\"waiting\":");
	put_json_words(&o, st->waiting);
	put(&o, ",\"health\":");
	put_json(&o, st->health);
	put(&o, ",\"notice\":");
	if (st->notice[0] != '\0')
		put_json(&o, st->notice);
	else
		put(&o, "null");
	put(&o, "}");
	return finish(&o);
}

size_t
show_event(char *buf, size_t size, char *line, int raw)
{
	struct out o = { buf, size, 0, 0 };
	char when[FMT_TIME_SIZE];
	long long secs;
	unsigned ms;
	size_t digits;

	esc_undo(line);		/* sid-supervise wrote it escaped */
	/* A first word of digits, a dot and three digits, as
	 * fmt_unix_ms writes it: no sign, no space, nothing to overflow. */
	digits = strspn(line, "0123456789");
	if (!raw && digits > 0 && digits <= 15 && line[digits] == '.' &&
	    strspn(line + digits + 1, "0123456789") == 3 &&
	    (line[digits + 4] == ' ' || line[digits + 4] == '\0') &&
	    sscanf(line, "%lld.%3u", &secs, &ms) == 2) {
		put(&o, "%s", fmt_local_time(when, sizeof when,
		    secs * 1000 + ms));
		line += digits + 4;
	}
	put_text(&o, line);
	return finish(&o);
}
