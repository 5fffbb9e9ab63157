/*
 * show_test: what sid-ctl prints of a service, from lib/show: the status
 * line for people, the status table's header and rows, the JSON object
 * and the history lines, each with its exact text; every byte of a name
 * escaped; and no function writing past a buffer however small, each
 * line still ending in a newline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "escape.h"
#include "show.h"
#include "status.h"

#define SINCE	1763777400123LL		/* 2025-11-22 02:10:00.123 UTC */
#define NOW	(SINCE + 95000)		/* 1m35s later */

static char out[SHOW_SIZE];

/* DESIGN's example: up, ready, 3 restarts, last exit 1, attempt 7. */
static void
up_web(struct status_info *st)
{
	memset(st, 0, sizeof *st);
	strcpy(st->state, "up");
	strcpy(st->want, "up");
	st->pid = 4242;
	st->since_ms = SINCE;
	strcpy(st->ready, "yes");
	st->restarts = 3;
	strcpy(st->last_exit, "exit 1");
	strcpy(st->backoff, "0");
	st->attempt = 7;
	strcpy(st->health, "n/a");
}

/* Down, as sid-supervise leaves a service that was told to stop. */
static void
down_web(struct status_info *st)
{
	up_web(st);
	strcpy(st->state, "down");
	strcpy(st->want, "down");
	st->pid = 0;
	strcpy(st->ready, "n/a");
	strcpy(st->last_exit, "exit 0");
}

/* In backoff: 5s to wait, 1.8s of them gone at NOW_MS - 3.2s left. */
static void
backoff_web(struct status_info *st)
{
	up_web(st);
	strcpy(st->state, "backoff");
	st->pid = 0;
	strcpy(st->ready, "no");
	strcpy(st->backoff, "5s");
	st->backoff_ms = 5000;
	st->since_ms = NOW - 1800;
}

static const struct show_facts plain = { 0, 0 };
static const struct show_facts has_down = { 1, 0 };
static const struct show_facts colour = { 0, 1 };

static const char *
line(const char *name, const struct status_info *st,
    const struct show_facts *f, long long now)
{
	show_line(out, sizeof out, name, st, f, now);
	return out;
}

static const char *
row(int width, const char *name, const struct status_info *st,
    const char *unknown, const struct show_facts *f, long long now)
{
	show_row(out, sizeof out, width, name, st, unknown, f, now);
	return out;
}

static const char *
json(const char *name, const struct status_info *st, const char *unknown)
{
	show_json(out, sizeof out, name, st, unknown);
	return out;
}

static const char *
event(const char *text, int raw)
{
	static char in[4096];

	snprintf(in, sizeof in, "%s", text);
	show_event(out, sizeof out, in, raw);
	return out;
}

/* 1 when S holds a byte outside printable ASCII other than its end. */
static int
has_raw_byte(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 || *p > 0x7e) && !(*p == '\n' && p[1] == '\0'))
			return 1;
	return 0;
}

/* S without its SGR sequences (ESC [ ... m), into BUF. */
static const char *
visible(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	while (*s != '\0' && n + 1 < size) {
		if (s[0] == '\033' && s[1] == '[') {
			s += 2 + strspn(s + 2, "0123456789;");
			if (*s == 'm')
				s++;
			continue;
		}
		buf[n++] = *s++;
	}
	buf[n] = '\0';
	return buf;
}

/* Where column WORD starts in the header of WIDTH. */
static size_t
head_column(int width, const char *word)
{
	char head[256];
	const char *p;

	show_head(head, sizeof head, width);
	p = strstr(head, word);
	return p == NULL ? (size_t)-1 : (size_t)(p - head);
}

/* ---- a tiny JSON validator (RFC 8259), for show_json's output ---- */

static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	return p + strspn(p, " \t\r\n");
}

/* The well-formed UTF-8 sequence at P, or NULL: RFC 3629's table. */
static const char *
json_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return NULL;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return NULL;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return NULL;
	return s + len;
}

static const char *
json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)		/* a raw control byte, or the end */
			return NULL;
		if (c == '\\') {
			if (p[1] == 'u') {
				if (strspn(p + 2, "0123456789abcdefABCDEF") < 4)
					return NULL;
				p += 6;
			} else if (p[1] != '\0' && strchr("\"\\/bfnrt", p[1]))
				p += 2;
			else
				return NULL;
		} else if (c >= 0x80) {
			if ((p = json_utf8(p)) == NULL)
				return NULL;
		} else
			p++;
	}
}

static const char *
json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		p += strspn(p, "0123456789");
	else
		return NULL;
	if (*p == '.') {
		if (strspn(p + 1, "0123456789") == 0)
			return NULL;
		p += 1 + strspn(p + 1, "0123456789");
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (strspn(p, "0123456789") == 0)
			return NULL;
		p += strspn(p, "0123456789");
	}
	return p;
}

/* The members of an object (KEYED) or the elements of an array. */
static const char *
json_members(const char *p, char close, int keyed, int depth)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keyed) {
			if ((p = json_string(p)) == NULL)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if ((p = json_value(p, depth + 1)) == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = json_ws(p);
	}
}

static const char *
json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 16)
		return NULL;
	switch (*p) {
	case '{':
		return json_members(p, '}', 1, depth);
	case '[':
		return json_members(p, ']', 0, depth);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

/* 1 when S is one JSON object and then, at most, whitespace. */
static int
json_valid(const char *s)
{
	const char *p = json_ws(s);

	if (*p != '{' || (p = json_value(p, 0)) == NULL)
		return 0;
	return *json_ws(p) == '\0';
}

static void
json_validator_knows_good_from_bad(void)
{
	CHECK(json_valid("{}\n"));
	CHECK(json_valid("{\"a\":[1,-2.5e3,\"\\u00ff\\n\",null,true],"
	    "\"b\":{\"c\":false}}"));
	CHECK(json_valid("{\"\xc3\xa9\":0}"));
	CHECK(!json_valid(""));
	CHECK(!json_valid("{\"a\":1"));
	CHECK(!json_valid("{\"a\":1}}"));
	CHECK(!json_valid("{\"a\x01\":1}"));
	CHECK(!json_valid("{\"a\\x\":1}"));
	CHECK(!json_valid("{\"\xff\":1}"));
	CHECK(!json_valid("{\"\xed\xa0\x80\":1}"));
	CHECK(!json_valid("{\"a\":01}"));
	CHECK(!json_valid("{\"a\":1,}"));
	CHECK(!json_valid("{\"a\" 1}"));
}

/* ---- show_line ---- */

static void
line_up_with_pid_and_ready(void)
{
	struct status_info st;

	up_web(&st);
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready; restarts 3, last exit 1\n");
	CHECK(show_line(out, sizeof out, "web", &st, &plain, NOW) ==
	    strlen(out));
}

static void
line_read_back_from_a_status_text(void)
{
	struct status_info st;

	CHECK(status_parse("state=up\nwant=up\npid=4242\n"
	    "since=1763777400.123\nready=yes\npaused=no\nrestarts=3\n"
	    "last_exit=exit 1\nbackoff=0\nerror=\nattempt=7\nwaiting=\n"
	    "health=n/a\nnotice=\n", &st) == 0);
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready; restarts 3, last exit 1\n");
	/* An older writer, without the later keys: health reads n/a. */
	CHECK(status_parse("state=up\nwant=up\npid=4242\n"
	    "since=1763777400.123\nready=yes\npaused=no\nrestarts=3\n"
	    "last_exit=exit 1\nbackoff=0\nerror=\n", &st) == 0);
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready; restarts 3, last exit 1\n");
}

static void
line_age_at_each_boundary(void)
{
	struct status_info st;

	up_web(&st);
	CHECK_STR(line("web", &st, &plain, SINCE),
	    "up: web: pid 4242, 0s, ready; restarts 3, last exit 1\n");
	CHECK_STR(line("web", &st, &plain, SINCE + 999),
	    "up: web: pid 4242, 0s, ready; restarts 3, last exit 1\n");
	CHECK_STR(line("web", &st, &plain, SINCE + 59999),
	    "up: web: pid 4242, 59s, ready; restarts 3, last exit 1\n");
	CHECK_STR(line("web", &st, &plain, SINCE + 60000),
	    "up: web: pid 4242, 1m00s, ready; restarts 3, last exit 1\n");
	/* A clock behind the status's since: no negative age. */
	CHECK_STR(line("web", &st, &plain, SINCE - 5000),
	    "up: web: pid 4242, 0s, ready; restarts 3, last exit 1\n");
}

static void
line_normally_up_and_normally_down(void)
{
	struct status_info st;

	down_web(&st);
	/* Down, no down file: runit's "normally up". */
	CHECK_STR(line("web", &st, &plain, SINCE + 5000),
	    "down: web: 5s, normally up; restarts 3, last exit 0\n");
	/* Down with a down file, want down: nothing to say. */
	CHECK_STR(line("web", &st, &has_down, SINCE + 5000),
	    "down: web: 5s; restarts 3, last exit 0\n");
	/* Down with a down file but want up: normally up, and want up. */
	strcpy(st.want, "up");
	CHECK_STR(line("web", &st, &has_down, SINCE + 5000),
	    "down: web: 5s, normally up, want up; restarts 3, last exit 0\n");
	/* Up with a down file: "normally down". */
	up_web(&st);
	CHECK_STR(line("web", &st, &has_down, NOW),
	    "up: web: pid 4242, 1m35s, ready, normally down; restarts 3, "
	    "last exit 1\n");
}

static void
line_want_once_and_want_down(void)
{
	struct status_info st;

	up_web(&st);
	strcpy(st.want, "once");
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready, once; restarts 3, last exit 1\n");
	strcpy(st.want, "down");
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready, want down; restarts 3, "
	    "last exit 1\n");
	/* Starting counts as running: want up is what it shows. */
	strcpy(st.state, "starting");
	strcpy(st.want, "up");
	strcpy(st.ready, "no");
	CHECK_STR(line("web", &st, &plain, NOW),
	    "starting: web: pid 4242, 1m35s, not ready; restarts 3, "
	    "last exit 1\n");
}

static void
line_paused_and_not_ready(void)
{
	struct status_info st;

	up_web(&st);
	st.paused = 1;
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready, paused; restarts 3, "
	    "last exit 1\n");
	st.paused = 0;
	strcpy(st.ready, "no");
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, not ready; restarts 3, last exit 1\n");
	/* n/a (no readiness protocol): nothing about it. */
	strcpy(st.ready, "n/a");
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s; restarts 3, last exit 1\n");
	/* "no" of a service that is not running is not news. */
	down_web(&st);
	strcpy(st.ready, "no");
	CHECK_STR(line("web", &st, &has_down, SINCE + 5000),
	    "down: web: 5s; restarts 3, last exit 0\n");
}

static void
line_backoff_says_when_the_next_start_is(void)
{
	struct status_info st;

	backoff_web(&st);
	CHECK_STR(line("web", &st, &plain, NOW),
	    "backoff: web: 1s; restarts 3, last exit 1; next start in 3.2s\n");
	/* Overdue: 0ms, never negative. */
	CHECK_STR(line("web", &st, &plain, NOW + 10000),
	    "backoff: web: 11s; restarts 3, last exit 1; next start in 0ms\n");
	/* Backoff without a wait left to count down from. */
	st.backoff_ms = 0;
	CHECK_STR(line("web", &st, &plain, NOW),
	    "backoff: web: 1s; restarts 3, last exit 1; next start in 0ms\n");
	/* Long waits in minutes. */
	st.backoff_ms = 5 * 60000;
	st.since_ms = NOW;
	CHECK_STR(line("web", &st, &plain, NOW),
	    "backoff: web: 0s; restarts 3, last exit 1; next start in 5m00s\n");
}

static void
line_failed_with_its_error(void)
{
	struct status_info st;

	down_web(&st);
	strcpy(st.state, "failed");
	strcpy(st.want, "up");
	st.restarts = 5;
	strcpy(st.last_exit, "exit 1");
	strcpy(st.error, "retry_cap: 5 restarts in 60s");
	CHECK_STR(line("web", &st, &plain, SINCE + 5000),
	    "failed: web: 5s, normally up; restarts 5, last exit 1; "
	    "error: retry_cap: 5 restarts in 60s\n");
	/* The error's text escaped, so it cannot forge a line. */
	strcpy(st.error, "config_invalid: conf:1: a\nup: web: \x1b[2J");
	CHECK_STR(line("web", &st, &plain, SINCE + 5000),
	    "failed: web: 5s, normally up; restarts 5, last exit 1; "
	    "error: config_invalid: conf:1: a\\nup: web: \\x1b[2J\n");
}

static void
line_waiting_and_health(void)
{
	struct status_info st;

	down_web(&st);
	strcpy(st.want, "up");
	strcpy(st.waiting, "db cache");
	CHECK_STR(line("web", &st, &has_down, SINCE + 5000),
	    "down: web: 5s, normally up, want up; restarts 3, last exit 0; "
	    "waiting for db cache\n");
	up_web(&st);
	strcpy(st.health, "failing");
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready, health failing; restarts 3, "
	    "last exit 1\n");
	strcpy(st.health, "ok");
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: pid 4242, 1m35s, ready; restarts 3, last exit 1\n");
}

static void
line_last_exit_signal_and_none(void)
{
	struct status_info st;

	down_web(&st);
	strcpy(st.last_exit, "signal TERM");
	CHECK_STR(line("web", &st, &has_down, SINCE + 5000),
	    "down: web: 5s; restarts 3, last exit signal TERM\n");
	strcpy(st.last_exit, "none");
	st.restarts = 0;
	CHECK_STR(line("web", &st, &has_down, SINCE + 5000),
	    "down: web: 5s; restarts 0, last exit none\n");
}

static void
line_without_pid_when_no_child(void)
{
	struct status_info st;

	up_web(&st);
	st.pid = 0;
	CHECK_STR(line("web", &st, &plain, NOW),
	    "up: web: 1m35s, ready; restarts 3, last exit 1\n");
	CHECK(strstr(out, "pid") == NULL);
}

static void
line_colour_only_when_asked(void)
{
	struct status_info st;

	up_web(&st);
	CHECK_STR(line("web", &st, &colour, NOW),
	    "\033[32mup\033[0m: web: pid 4242, 1m35s, ready; restarts 3, "
	    "last exit 1\n");
	line("web", &st, &plain, NOW);
	CHECK(strchr(out, '\033') == NULL);
}

static void
line_escapes_every_byte_of_a_name(void)
{
	struct status_info st;
	char name[256], want[ESC_SIZE(255)], wanted[2048];
	unsigned b;

	for (b = 1; b < 256; b++)
		name[b - 1] = (char)b;
	name[255] = '\0';
	up_web(&st);
	line(name, &st, &plain, NOW);
	CHECK(!has_raw_byte(out));
	CHECK(strchr(out, '\n') == out + strlen(out) - 1);
	snprintf(wanted, sizeof wanted,
	    "up: %s: pid 4242, 1m35s, ready; restarts 3, last exit 1\n",
	    esc_text(want, sizeof want, name));
	CHECK_STR(out, wanted);
	/* Each byte alone, too, between two letters. */
	for (b = 1; b < 256; b++) {
		char one[4] = { 'a', (char)b, 'z', '\0' };

		line(one, &st, &plain, NOW);
		if (has_raw_byte(out)) {
			printf("# byte 0x%02x shown raw\n", b);
			CHECK(!has_raw_byte(out));
		}
	}
	/* With colour, the only ESC bytes are the SGR sequences'. */
	line(name, &st, &colour, NOW);
	CHECK(strncmp(out, "\033[32mup\033[0m: ", 13) == 0);
	CHECK(strchr(out + 13, '\033') == NULL);
	CHECK(!has_raw_byte(out + 13));
}

/* ---- show_head, show_row ---- */

static void
head_names_the_columns(void)
{
	char head[256];

	show_head(head, sizeof head, 4);
	CHECK_STR(head, "NAME STATE            PID   UPTIME READY RESTARTS "
	    "LAST-EXIT   NOTES\n");
	show_head(head, sizeof head, 20);
	CHECK_STR(head, "NAME                 STATE            PID   UPTIME "
	    "READY RESTARTS LAST-EXIT   NOTES\n");
}

static void
row_of_an_up_service(void)
{
	struct status_info st;

	up_web(&st);
	CHECK_STR(row(4, "web", &st, NULL, &plain, NOW),
	    "web  up              4242    1m35s yes          3 exit 1      -\n");
	CHECK_STR(row(20, "web", &st, NULL, &plain, NOW),
	    "web                  up              4242    1m35s yes          3 "
	    "exit 1      -\n");
	CHECK(show_row(out, sizeof out, 4, "web", &st, NULL, &plain, NOW) ==
	    strlen(out));
}

static void
row_columns_line_up_with_the_head(void)
{
	static const char *const names[] = { "web", "a", "abcd" };
	static const int widths[] = { 4, 20 };
	struct status_info st;
	size_t i, j, notes;

	up_web(&st);
	for (i = 0; i < CHECK_LEN(widths); i++) {
		int w = widths[i];

		CHECK(head_column(w, "STATE") == (size_t)w + 1);
		CHECK(head_column(w, "PID") + 3 == (size_t)w + 1 + 12 + 1 + 7);
		notes = head_column(w, "NOTES");
		CHECK(notes == (size_t)w + 58);
		for (j = 0; j < CHECK_LEN(names); j++) {
			row(w, names[j], &st, NULL, &plain, NOW);
			CHECK(strncmp(out + w + 1, "up ", 3) == 0);
			CHECK(out[w] == ' ');
			CHECK(strlen(out) == notes + 2);	/* "-\n" */
			CHECK_STR(out + notes, "-\n");
		}
		row(w, "x", NULL, "unsupervised", &plain, NOW);
		CHECK(strncmp(out + w + 1, "unsupervised ", 13) == 0);
		CHECK_STR(out + notes, "-\n");
	}
	/* A name wider than the column pushes the row, and nothing is cut. */
	row(4, "longname", &st, NULL, &plain, NOW);
	CHECK(strncmp(out, "longname up ", 12) == 0);
	/* The width counts the name escaped. */
	CHECK(show_width("a\x01") == 5);
	CHECK(show_width("web") == 3);
	row((int)show_width("a\x01"), "a\x01", &st, NULL, &plain, NOW);
	CHECK(strncmp(out, "a\\x01 up ", 9) == 0);
}

static void
row_pid_dash_without_a_child(void)
{
	struct status_info st;

	down_web(&st);
	CHECK_STR(row(4, "web", &st, NULL, &has_down, SINCE + 5000),
	    "web  down               -       5s n/a          3 exit 0      -\n");
}

/* The NOTES column of ST (from the row of width 4). */
static const char *
notes_of(const struct status_info *st, const struct show_facts *f,
    long long now)
{
	row(4, "web", st, NULL, f, now);
	return strlen(out) > 62 ? out + 62 : "(short row)";
}

static void
row_notes_each_and_together(void)
{
	struct status_info st;

	down_web(&st);
	CHECK_STR(notes_of(&st, &plain, SINCE), "normally up\n");
	CHECK_STR(notes_of(&st, &has_down, SINCE), "-\n");
	up_web(&st);
	CHECK_STR(notes_of(&st, &has_down, NOW), "normally down\n");
	st.paused = 1;
	CHECK_STR(notes_of(&st, &plain, NOW), "paused\n");
	st.paused = 0;
	strcpy(st.health, "failing");
	CHECK_STR(notes_of(&st, &plain, NOW), "health failing\n");
	backoff_web(&st);
	CHECK_STR(notes_of(&st, &plain, NOW), "next start in 3.2s\n");
	CHECK_STR(row(4, "web", &st, NULL, &plain, NOW),
	    "web  backoff            -       1s no           3 exit 1      "
	    "next start in 3.2s\n");
	/* The error's code only, not its message. */
	down_web(&st);
	strcpy(st.state, "failed");
	strcpy(st.want, "up");
	strcpy(st.error, "retry_cap: 5 restarts in 60s");
	CHECK_STR(notes_of(&st, &has_down, SINCE), "normally up, retry_cap\n");
	strcpy(st.error, "no_colon_at_all");
	CHECK_STR(notes_of(&st, &has_down, SINCE),
	    "normally up, no_colon_at_all\n");
	/* A code with bytes to escape is escaped. */
	strcpy(st.error, "bad\x1b[2J: x");
	CHECK_STR(notes_of(&st, &has_down, SINCE),
	    "normally up, bad\\x1b[2J\n");
	/* Waiting, and everything at once, comma separated. */
	down_web(&st);
	strcpy(st.want, "up");
	strcpy(st.waiting, "db cache");
	CHECK_STR(notes_of(&st, &has_down, SINCE),
	    "normally up, waiting db cache\n");
	up_web(&st);
	st.paused = 1;
	strcpy(st.error, "retry_cap: 5 restarts in 60s");
	strcpy(st.waiting, "db");
	strcpy(st.health, "failing");
	CHECK_STR(notes_of(&st, &has_down, NOW),
	    "normally down, paused, retry_cap, waiting db, health failing\n");
}

static void
row_of_an_unsupervised_service(void)
{
	CHECK_STR(row(4, "gone", NULL, "unsupervised", &plain, NOW),
	    "gone unsupervised       -        -     -        - -           -\n");
	CHECK_STR(row(20, "gone", NULL, "unreadable", &colour, NOW),
	    "gone                 unreadable         -        -     -        - "
	    "-           -\n");
	CHECK(strchr(out, '\033') == NULL);
	/* An UNKNOWN longer than the column is not cut. */
	CHECK_STR(row(4, "gone", NULL, "unsupervised-for-long", &plain, NOW),
	    "gone unsupervised-for-long       -        -     -        - "
	    "-           -\n");
}

static void
row_colour_keeps_the_columns(void)
{
	static const char *const states[] = { "up", "down", "failed",
	    "backoff", "starting", "stopping", "finishing" };
	struct status_info st;
	char plain_row[512], seen[512];
	size_t i;

	up_web(&st);
	CHECK_STR(row(4, "web", &st, NULL, &colour, NOW),
	    "web  \033[32mup\033[0m              4242    1m35s yes          3 "
	    "exit 1      -\n");
	/* Yellow while not ready or paused; red when failed. */
	strcpy(st.ready, "no");
	CHECK(strncmp(row(4, "web", &st, NULL, &colour, NOW),
	    "web  \033[33mup\033[0m ", 15) == 0);
	strcpy(st.ready, "yes");
	st.paused = 1;
	CHECK(strncmp(row(4, "web", &st, NULL, &colour, NOW),
	    "web  \033[33mup\033[0m ", 15) == 0);
	st.paused = 0;
	for (i = 0; i < CHECK_LEN(states); i++) {
		strcpy(st.state, states[i]);
		row(20, "web", &st, NULL, &plain, NOW);
		CHECK(strchr(out, '\033') == NULL);
		strncpy(plain_row, out, sizeof plain_row - 1);
		plain_row[sizeof plain_row - 1] = '\0';
		row(20, "web", &st, NULL, &colour, NOW);
		CHECK_STR(visible(seen, sizeof seen, out), plain_row);
	}
	strcpy(st.state, "failed");
	CHECK(strstr(row(4, "web", &st, NULL, &colour, NOW),
	    "\033[31mfailed\033[0m      ") != NULL);
	/* Down and wanted down: no colour at all. */
	down_web(&st);
	CHECK(strchr(row(4, "web", &st, NULL, &(struct show_facts){ 1, 1 },
	    NOW), '\033') == NULL);
}

static void
row_escapes_every_field(void)
{
	struct status_info st;
	char name[256];
	unsigned b;

	for (b = 1; b < 256; b++)
		name[b - 1] = (char)b;
	name[255] = '\0';
	up_web(&st);
	strcpy(st.ready, "y\x01");
	strcpy(st.last_exit, "exit \x1b");
	strcpy(st.waiting, "d\nb");
	strcpy(st.error, "e\x7f: m");
	row(20, name, &st, NULL, &plain, NOW);
	CHECK(!has_raw_byte(out));
	CHECK(strstr(out, " y\\x01 ") != NULL);
	CHECK(strstr(out, " exit \\x1b ") != NULL);
	CHECK(strstr(out, "e\\x7f, waiting d\\nb\n") != NULL);
	row(20, name, NULL, "a\x1b", &plain, NOW);
	CHECK(!has_raw_byte(out));
}

/* ---- show_json ---- */

static const char design_json[] = "{\"name\":\"web\",\"state\":\"up\","
    "\"want\":\"up\",\"pid\":4242,\"since\":1763777400.123,\"ready\":\"yes\","
    "\"paused\":false,\"restarts\":3,\"attempt\":7,\"last_exit\":{\"code\":1},"
    "\"backoff_ms\":0,\"error\":null,\"waiting\":[],\"health\":\"n/a\","
    "\"notice\":null}\n";

static void
json_of_designs_example(void)
{
	struct status_info st;

	up_web(&st);
	CHECK_STR(json("web", &st, NULL), design_json);
	CHECK(json_valid(out));
	CHECK(show_json(out, sizeof out, "web", &st, NULL) == strlen(out));
	CHECK(status_parse("state=up\nwant=up\npid=4242\n"
	    "since=1763777400.123\nready=yes\npaused=no\nrestarts=3\n"
	    "last_exit=exit 1\nbackoff=0\nerror=\nattempt=7\nwaiting=\n"
	    "health=n/a\nnotice=\n", &st) == 0);
	CHECK_STR(json("web", &st, NULL), design_json);
}

static void
json_pid_since_and_last_exit(void)
{
	struct status_info st;

	down_web(&st);
	st.since_ms = 5;
	strcpy(st.last_exit, "none");
	CHECK_STR(json("web", &st, NULL), "{\"name\":\"web\",\"state\":\"down\","
	    "\"want\":\"down\",\"pid\":null,\"since\":0.005,\"ready\":\"n/a\","
	    "\"paused\":false,\"restarts\":3,\"attempt\":7,\"last_exit\":null,"
	    "\"backoff_ms\":0,\"error\":null,\"waiting\":[],\"health\":\"n/a\","
	    "\"notice\":null}\n");
	CHECK(json_valid(out));
	strcpy(st.last_exit, "exit 0");
	CHECK(strstr(json("web", &st, NULL), ",\"last_exit\":{\"code\":0},")
	    != NULL);
	strcpy(st.last_exit, "exit 255");
	CHECK(strstr(json("web", &st, NULL), ",\"last_exit\":{\"code\":255},")
	    != NULL);
	strcpy(st.last_exit, "signal TERM");
	CHECK(strstr(json("web", &st, NULL),
	    ",\"last_exit\":{\"signal\":\"TERM\"},") != NULL);
	CHECK(json_valid(out));
	strcpy(st.last_exit, "signal 40");
	CHECK(strstr(json("web", &st, NULL),
	    ",\"last_exit\":{\"signal\":\"40\"},") != NULL);
	/* Anything else reads as no exit at all. */
	strcpy(st.last_exit, "exit 1x");
	CHECK(strstr(json("web", &st, NULL), ",\"last_exit\":null,") != NULL);
	strcpy(st.last_exit, "signal \"\x01");
	json("web", &st, NULL);
	CHECK(json_valid(out));
	CHECK(strstr(out, ",\"last_exit\":{\"signal\":\"\\\"\\u0001\"},")
	    != NULL);
}

static void
json_error_waiting_and_notice(void)
{
	struct status_info st;

	backoff_web(&st);
	strcpy(st.error, "retry_cap: 5 restarts in 60s");
	strcpy(st.waiting, "db cache");
	strcpy(st.notice, "reloaded \"conf\"");
	CHECK_STR(json("web", &st, NULL), "{\"name\":\"web\","
	    "\"state\":\"backoff\",\"want\":\"up\",\"pid\":null,"
	    "\"since\":1763777493.323,\"ready\":\"no\",\"paused\":false,"
	    "\"restarts\":3,\"attempt\":7,\"last_exit\":{\"code\":1},"
	    "\"backoff_ms\":5000,\"error\":{\"code\":\"retry_cap\","
	    "\"message\":\"5 restarts in 60s\"},\"waiting\":[\"db\",\"cache\"],"
	    "\"health\":\"n/a\",\"notice\":\"reloaded \\\"conf\\\"\"}\n");
	CHECK(json_valid(out));
	/* An error without a message; words spaced oddly. */
	strcpy(st.error, "retry_cap");
	strcpy(st.waiting, "  db   cache ");
	json("web", &st, NULL);
	CHECK(strstr(out, ",\"error\":{\"code\":\"retry_cap\","
	    "\"message\":\"\"},\"waiting\":[\"db\",\"cache\"],") != NULL);
	CHECK(json_valid(out));
	strcpy(st.error, "x:y");
	strcpy(st.waiting, " ");
	json("web", &st, NULL);
	CHECK(strstr(out, ",\"error\":{\"code\":\"x\",\"message\":\"y\"},"
	    "\"waiting\":[],") != NULL);
	/* A message with a newline and quotes stays one JSON string. */
	strcpy(st.error, "config_invalid: conf:1: \"a\"\nb\\");
	json("web", &st, NULL);
	CHECK(strstr(out, "\"message\":\"conf:1: \\\"a\\\"\\u000ab\\\\\"}")
	    != NULL);
	CHECK(json_valid(out));
}

static void
json_of_an_unknown_service(void)
{
	CHECK_STR(json("gone", NULL, "unsupervised"), "{\"name\":\"gone\","
	    "\"state\":\"unsupervised\",\"want\":null,\"pid\":null,"
	    "\"since\":null,\"ready\":null,\"paused\":null,\"restarts\":null,"
	    "\"attempt\":null,\"last_exit\":null,\"backoff_ms\":null,"
	    "\"error\":null,\"waiting\":null,\"health\":null,"
	    "\"notice\":null}\n");
	CHECK(json_valid(out));
}

static void
json_of_every_byte_stays_valid(void)
{
	struct status_info st;
	char name[256];
	unsigned b;

	for (b = 1; b < 256; b++)
		name[b - 1] = (char)b;
	name[255] = '\0';
	up_web(&st);
	json(name, &st, NULL);
	CHECK(json_valid(out));
	for (b = 0; out[b] != '\0'; b++)
		if ((unsigned char)out[b] < 0x20 && out[b + 1] != '\0') {
			CHECK(!"a raw control byte");
			break;
		}
	CHECK(strstr(out, ",\"state\":\"up\",") != NULL);
	/* Every value escaped, in the known and the unknown objects. */
	strcpy(st.state, "\x01\"\xff");
	strcpy(st.ready, "\x7f\"");
	strcpy(st.last_exit, "signal \xff\x01");
	strcpy(st.error, name);
	memcpy(st.waiting, name, 256);
	strcpy(st.health, "\xc3");
	strcpy(st.notice, name);
	CHECK(json_valid(json(name, &st, NULL)));
	CHECK(json_valid(json(name, NULL, name)));
	/* Well-formed UTF-8 passes through. */
	CHECK_STR(json("caf\xc3\xa9", NULL, "x"), "{\"name\":\"caf\xc3\xa9\","
	    "\"state\":\"x\",\"want\":null,\"pid\":null,\"since\":null,"
	    "\"ready\":null,\"paused\":null,\"restarts\":null,\"attempt\":null,"
	    "\"last_exit\":null,\"backoff_ms\":null,\"error\":null,"
	    "\"waiting\":null,\"health\":null,\"notice\":null}\n");
	/* Each byte alone, in a name. */
	for (b = 1; b < 256; b++) {
		char one[4] = { 'a', (char)b, 'z', '\0' };

		if (!json_valid(json(one, &st, NULL))) {
			printf("# byte 0x%02x breaks the JSON\n", b);
			CHECK(json_valid(out));
		}
	}
}

/* ---- show_event ---- */

static void
utc(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
}

static void
event_time_as_local_time(void)
{
	utc();
	CHECK_STR(event("1763777400.123 up -> backoff exit 1", 0),
	    "2025-11-22 02:10:00.123 up -> backoff exit 1\n");
	CHECK_STR(event("0.005 down -> starting", 0),
	    "1970-01-01 00:00:00.005 down -> starting\n");
	CHECK_STR(event("1763777400.123", 0), "2025-11-22 02:10:00.123\n");
	setenv("TZ", "UTC-1", 1);
	tzset();
	CHECK_STR(event("1763777400.123 up -> backoff exit 1", 0),
	    "2025-11-22 03:10:00.123 up -> backoff exit 1\n");
	utc();
}

static void
event_raw_keeps_the_unix_time(void)
{
	utc();
	CHECK_STR(event("1763777400.123 up -> backoff exit 1", 1),
	    "1763777400.123 up -> backoff exit 1\n");
	CHECK(show_event(out, sizeof out,
	    (char []){ "1763777400.123 up -> down" }, 1) == strlen(out));
	CHECK_STR(out, "1763777400.123 up -> down\n");
}

static void
event_without_a_time_stays_as_it_is(void)
{
	static const char *const lines[] = {
		"hello world",
		"",
		"up -> down",
		"1763777400 up -> down",	/* no milliseconds */
		"1763777400.12 up -> down",	/* two digits */
		"1763777400.1234 up -> down",	/* four */
		"1763777400.123x up",
		"1763777400. 12 up",
		"1763777400.+12 up",
		"1763777400.-12 up",
		"-1.123 up",
		"-0.123 up",
		"+5.123 up",
		" 5.123 up",
		".123 up",
		"12.3e4 up",
		"99999999999999999999.123 up",	/* beyond any time */
		"9223372036854775807.999 up",
		"1234567890123456.000 up",	/* 16 digits: too many */
	};
	char want[256];
	size_t i;

	utc();
	for (i = 0; i < CHECK_LEN(lines); i++) {
		snprintf(want, sizeof want, "%s\n", lines[i]);
		CHECK_STR(event(lines[i], 0), want);
	}
	/* Fifteen digits still read as a time, far off. */
	event("999999999999999.999 up", 0);
	CHECK(strncmp(out, "999999999999999", 15) != 0);
	CHECK(strlen(out) > 8 && strcmp(out + strlen(out) - 8, ".999 up\n")
	    == 0);
}

static void
event_content_escaped_again(void)
{
	utc();
	/* Written escaped: undone, then escaped for the terminal again. */
	CHECK_STR(event("1763777400.123 up -> up control: \\x1b[2Jx", 0),
	    "2025-11-22 02:10:00.123 up -> up control: \\x1b[2Jx\n");
	CHECK(strchr(out, '\033') == NULL);
	CHECK_STR(event("1763777400.123 up -> up control: \\x1b[2Jx", 1),
	    "1763777400.123 up -> up control: \\x1b[2Jx\n");
	CHECK(strchr(out, '\033') == NULL);
	/* An escaped newline cannot forge a second line. */
	CHECK_STR(event("1.000 up -> down a\\n1763777400.123 forged", 0),
	    "1970-01-01 00:00:01.000 up -> down a\\n1763777400.123 forged\n");
	CHECK(strchr(out, '\n') == out + strlen(out) - 1);
	CHECK_STR(event("1.000 up -> down a\\\\b \\t \\xff", 0),
	    "1970-01-01 00:00:01.000 up -> down a\\\\b \\t \\xff\n");
	/* Raw control bytes in a line (a damaged file) escaped too. */
	CHECK_STR(event("1.000 up\x01 -> \x1b[31mdown\r\x7f\xc3\xa9", 0),
	    "1970-01-01 00:00:01.000 up\\x01 -> \\x1b[31mdown\\r\\x7f\\xc3\\xa9\n");
	CHECK_STR(event("x\x1b y", 1), "x\\x1b y\n");
	/* An escaped time word is a time word once undone. */
	CHECK_STR(event("\\x31.000 up", 0), "1970-01-01 00:00:01.000 up\n");
}

static void
event_every_byte_escaped(void)
{
	char text[512];
	unsigned b;

	utc();
	strcpy(text, "1.000 ");
	for (b = 1; b < 256; b++)
		text[5 + b] = (char)b;
	text[5 + 256] = '\0';
	CHECK(!has_raw_byte(event(text, 0)));
	CHECK(strncmp(out, "1970-01-01 00:00:01.000 ", 24) == 0);
	CHECK(!has_raw_byte(event(text, 1)));
}

/* ---- small buffers ---- */

enum kind { LINE, HEAD, ROW, ROW_NULL, JSON, JSON_NULL, EVENT, EVENT_RAW };

static const char *const kind_names[] = { "show_line", "show_head",
    "show_row", "show_row (no status)", "show_json", "show_json (no status)",
    "show_event", "show_event -r" };

/* Call KIND's function with BUF of SIZE. */
static size_t
call(enum kind kind, char *buf, size_t size, const char *name,
    const struct status_info *st, const struct show_facts *f)
{
	char text[2048];

	switch (kind) {
	case LINE:
		return show_line(buf, size, name, st, f, NOW);
	case HEAD:
		return show_head(buf, size, 20);
	case ROW:
		return show_row(buf, size, 20, name, st, NULL, f, NOW);
	case ROW_NULL:
		return show_row(buf, size, 20, name, NULL, "unsupervised", f,
		    NOW);
	case JSON:
		return show_json(buf, size, name, st, NULL);
	case JSON_NULL:
		return show_json(buf, size, name, NULL, "unsupervised");
	case EVENT:
	case EVENT_RAW:
		snprintf(text, sizeof text, "1763777400.123 up -> backoff %s",
		    name);
		return show_event(buf, size, text, kind == EVENT_RAW);
	}
	return 0;
}

#define CANARY	0x5a

/*
 * KIND into buffers of every size up to the whole line and beyond: no
 * byte written past SIZE, a line ending in a newline when SIZE > 1, an
 * empty string when SIZE is 1, nothing at all when 0.  A line for
 * people that is cut is the start of the whole line.
 */
static void
check_sizes(enum kind kind, const char *name, const struct status_info *st,
    const struct show_facts *f)
{
	static char full[SHOW_SIZE], buf[SHOW_SIZE + 64];
	size_t whole, size, n, i;
	unsigned bad = 0;

	whole = call(kind, full, sizeof full, name, st, f);
	if (whole == 0 || full[whole - 1] != '\n') {
		printf("# %s: no whole line\n", kind_names[kind]);
		CHECK(!"a whole line");
		return;
	}
	for (size = 0; size <= whole + 2 && bad < 3; size++) {
		memset(buf, CANARY, size + 64);
		n = call(kind, buf, size, name, st, f);
		for (i = size; i < size + 64; i++)
			if ((unsigned char)buf[i] != CANARY)
				break;
		if (i < size + 64) {
			printf("# %s: size %zu: byte %zu written\n",
			    kind_names[kind], size, i);
			bad++;
			CHECK(!"no byte past the buffer");
			continue;
		}
		if (size == 0) {
			if (n != 0) {
				bad++;
				CHECK(n == 0);
			}
			continue;
		}
		if (size == 1) {
			if (n != 0 || buf[0] != '\0') {
				bad++;
				CHECK(n == 0 && buf[0] == '\0');
			}
			continue;
		}
		if (n == 0 || n > size - 1 || strlen(buf) != n ||
		    buf[n - 1] != '\n' || memchr(buf, '\n', n - 1) != NULL) {
			printf("# %s: size %zu: returned %zu, \"%.*s\"\n",
			    kind_names[kind], size, n, (int)size, buf);
			bad++;
			CHECK(!"one line, ending in a newline");
			continue;
		}
		if (size > whole && (n != whole || strcmp(buf, full) != 0)) {
			printf("# %s: size %zu: not the whole line\n",
			    kind_names[kind], size);
			bad++;
			CHECK(!"the whole line when it fits");
			continue;
		}
		/* JSON closes a cut string with a quote: no prefix there. */
		if (kind != JSON && kind != JSON_NULL &&
		    memcmp(buf, full, n - 1) != 0) {
			printf("# %s: size %zu: \"%.*s\" does not start "
			    "\"%.*s\"\n", kind_names[kind], size, (int)n - 1,
			    buf, (int)n - 1, full);
			bad++;
			CHECK(!"a cut line is the start of the whole");
		}
	}
}

static void
tiny_buffers_never_overrun(void)
{
	static const size_t sizes[] = { 0, 1, 2, 10 };
	struct status_info st;
	char buf[10 + 16];
	size_t i, n;
	int k;

	up_web(&st);
	for (k = LINE; k <= EVENT_RAW; k++)
		for (i = 0; i < CHECK_LEN(sizes); i++) {
			memset(buf, CANARY, sizeof buf);
			n = call((enum kind)k, buf, sizes[i], "web", &st,
			    &colour);
			CHECK((unsigned char)buf[sizes[i]] == CANARY);
			CHECK((unsigned char)buf[sizes[i] + 15] == CANARY);
			if (sizes[i] == 0)
				CHECK((unsigned char)buf[0] == CANARY);
			else if (sizes[i] == 1)
				CHECK(buf[0] == '\0' && n == 0);
			else
				CHECK(n >= 1 && n <= sizes[i] - 1 &&
				    buf[n - 1] == '\n' && buf[n] == '\0' &&
				    strlen(buf) == n);
		}
}

static void
every_size_of_every_line(void)
{
	struct status_info st;
	char name[256];
	unsigned b;
	int k;

	utc();
	for (b = 1; b < 256; b++)
		name[b - 1] = (char)b;
	name[255] = '\0';
	up_web(&st);
	strcpy(st.error, "retry_cap: \x1b\x01\\ 5 restarts");
	strcpy(st.waiting, "db \x7f cache");
	strcpy(st.health, "failing");
	strcpy(st.notice, "n\x02");
	st.paused = 1;
	for (k = LINE; k <= EVENT_RAW; k++) {
		check_sizes((enum kind)k, "web", &st, &plain);
		check_sizes((enum kind)k, "a\x01\x02z\x1b", &st, &colour);
		check_sizes((enum kind)k, name, &st, &colour);
	}
	backoff_web(&st);
	for (k = LINE; k <= EVENT_RAW; k++)
		check_sizes((enum kind)k, name, &st, &has_down);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(json_validator_knows_good_from_bad),
		CHECK_TEST(line_up_with_pid_and_ready),
		CHECK_TEST(line_read_back_from_a_status_text),
		CHECK_TEST(line_age_at_each_boundary),
		CHECK_TEST(line_normally_up_and_normally_down),
		CHECK_TEST(line_want_once_and_want_down),
		CHECK_TEST(line_paused_and_not_ready),
		CHECK_TEST(line_backoff_says_when_the_next_start_is),
		CHECK_TEST(line_failed_with_its_error),
		CHECK_TEST(line_waiting_and_health),
		CHECK_TEST(line_last_exit_signal_and_none),
		CHECK_TEST(line_without_pid_when_no_child),
		CHECK_TEST(line_colour_only_when_asked),
		CHECK_TEST(line_escapes_every_byte_of_a_name),
		CHECK_TEST(head_names_the_columns),
		CHECK_TEST(row_of_an_up_service),
		CHECK_TEST(row_columns_line_up_with_the_head),
		CHECK_TEST(row_pid_dash_without_a_child),
		CHECK_TEST(row_notes_each_and_together),
		CHECK_TEST(row_of_an_unsupervised_service),
		CHECK_TEST(row_colour_keeps_the_columns),
		CHECK_TEST(row_escapes_every_field),
		CHECK_TEST(json_of_designs_example),
		CHECK_TEST(json_pid_since_and_last_exit),
		CHECK_TEST(json_error_waiting_and_notice),
		CHECK_TEST(json_of_an_unknown_service),
		CHECK_TEST(json_of_every_byte_stays_valid),
		CHECK_TEST(event_time_as_local_time),
		CHECK_TEST(event_raw_keeps_the_unix_time),
		CHECK_TEST(event_without_a_time_stays_as_it_is),
		CHECK_TEST(event_content_escaped_again),
		CHECK_TEST(event_every_byte_escaped),
		CHECK_TEST(tiny_buffers_never_overrun),
		CHECK_TEST(every_size_of_every_line),
	};

	return check_run(tests, CHECK_LEN(tests));
}
