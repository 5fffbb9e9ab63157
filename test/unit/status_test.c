/*
 * status_test: supervise/status written by status_format() and read back
 * by status_parse(), and the shape of supervise/events lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "status.h"
#include "sv.h"

/* The ten keys every reader needs, in the order DESIGN.md lists them. */
static const char *const keys[] = { "state", "want", "pid", "since",
    "ready", "paused", "restarts", "last_exit", "backoff", "error" };
/* The keys that follow them, which an older writer may lack. */
static const char *const later_keys[] = { "attempt", "waiting", "health",
    "notice" };

static void
busy_service(struct sv *sv)
{
	sv_init(sv);
	sv->state = SV_BACKOFF;
	sv->want = SV_WANT_UP;
	sv->pid = 0;
	sv->ready = SV_READY_NO;
	sv->paused = 0;
	sv->restarts = 3;
	sv->attempts = 7;
	sv->have_exit = 1;
	sv->last_wstatus = exited(1);
	sv->backoff_ms = 400;
	snprintf(sv->error, sizeof sv->error, "retry_cap: x=1, more");
}

static void
status_format_writes_fourteen_keys_in_design_order(void)
{
	struct sv sv;
	char buf[2048];
	const char *p = buf, *key;
	size_t i, len;

	busy_service(&sv);
	len = status_format(buf, sizeof buf, &sv, 1763777400123LL);
	CHECK(len == strlen(buf));
	CHECK_STR(buf, "state=backoff\nwant=up\npid=0\n"
	    "since=1763777400.123\nready=no\npaused=no\nrestarts=3\n"
	    "last_exit=exit 1\nbackoff=400ms\nerror=retry_cap: x=1, more\n"
	    "attempt=7\nwaiting=\nhealth=n/a\nnotice=\n");
	for (i = 0; i < CHECK_LEN(keys) + CHECK_LEN(later_keys); i++) {
		key = i < CHECK_LEN(keys) ? keys[i] :
		    later_keys[i - CHECK_LEN(keys)];
		CHECK(strncmp(p, key, strlen(key)) == 0);
		CHECK(p[strlen(key)] == '=');
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	CHECK(p != NULL && *p == '\0');
}

/* A newline in an error (a path holds one) cannot forge a key. */
static void
status_and_events_keep_one_line_per_key(void)
{
	struct status_info st;
	struct sv sv;
	char buf[2048];

	sv_init(&sv);
	snprintf(sv.error, sizeof sv.error, "config_invalid: /s/x\nstate=up"
	    "/conf:1: bogus: unknown key");
	status_format(buf, sizeof buf, &sv, 5);
	CHECK(strstr(buf, "\nerror=config_invalid: /s/x\\nstate=up/conf:1: "
	    "bogus: unknown key\n") != NULL);
	CHECK(strstr(buf, "\nstate=up") == NULL);
	CHECK(status_parse(buf, &st) == 0);
	CHECK_STR(st.error, sv.error);
	CHECK_STR(st.state, "down");
	events_format(buf, sizeof buf, 5, SV_UP, SV_UP, "a\nb\x1b");
	CHECK_STR(buf, "0.005 up -> up a\\nb\\x1b\n");
}

static void
status_format_of_fresh_service(void)
{
	struct sv sv;
	char buf[1024];

	sv_init(&sv);
	status_format(buf, sizeof buf, &sv, 5);
	CHECK_STR(buf, "state=down\nwant=down\npid=0\nsince=0.005\n"
	    "ready=n/a\npaused=no\nrestarts=0\nlast_exit=none\nbackoff=0\n"
	    "error=\nattempt=0\nwaiting=\nhealth=n/a\nnotice=\n");
}

static void
status_round_trip(void)
{
	struct status_info st;
	struct sv sv;
	char buf[2048];

	busy_service(&sv);
	status_format(buf, sizeof buf, &sv, 1763777400123LL);
	CHECK(status_parse(buf, &st) == 0);
	CHECK_STR(st.state, "backoff");
	CHECK_STR(st.want, "up");
	CHECK(st.pid == 0);
	CHECK(st.since_ms == 1763777400123LL);
	CHECK_STR(st.ready, "no");
	CHECK(st.paused == 0);
	CHECK(st.restarts == 3);
	CHECK(st.attempt == 7);
	CHECK_STR(st.last_exit, "exit 1");
	CHECK_STR(st.backoff, "400ms");
	CHECK_STR(st.error, "retry_cap: x=1, more");
}

static void
status_round_trip_up_paused_after_signal(void)
{
	struct status_info st;
	struct sv sv;
	char buf[2048];

	sv_init(&sv);
	sv.state = SV_UP;
	sv.want = SV_WANT_ONCE;
	sv.pid = 4242;
	sv.ready = SV_READY_YES;
	sv.paused = 1;
	sv.restarts = 4000000000u;
	sv.have_exit = 1;
	sv.last_wstatus = killed(SIGKILL);
	status_format(buf, sizeof buf, &sv, 1000);
	CHECK(status_parse(buf, &st) == 0);
	CHECK_STR(st.state, "up");
	CHECK_STR(st.want, "once");
	CHECK(st.pid == 4242);
	CHECK(st.since_ms == 1000);
	CHECK_STR(st.ready, "yes");
	CHECK(st.paused == 1);
	CHECK(st.restarts == 4000000000u);
	CHECK_STR(st.last_exit, "signal KILL");
	CHECK_STR(st.backoff, "0");
	CHECK_STR(st.error, "");
}

static void
status_round_trip_every_state(void)
{
	static const enum sv_state states[] = { SV_DOWN, SV_STARTING, SV_UP,
	    SV_STOPPING, SV_FINISHING, SV_BACKOFF, SV_FAILED };
	struct status_info st;
	struct sv sv;
	char buf[2048];
	size_t i;

	for (i = 0; i < CHECK_LEN(states); i++) {
		sv_init(&sv);
		sv.state = states[i];
		status_format(buf, sizeof buf, &sv, 0);
		CHECK(status_parse(buf, &st) == 0);
		CHECK_STR(st.state, sv_state_name(states[i]));
	}
}

/* A need is met by state=up with ready yes or n/a, nothing else. */
static void
up_and_ready_reads_two_keys(void)
{
	static const struct {
		enum sv_state	state;
		enum sv_ready	ready;
		int		met;
	} cases[] = {
		{ SV_UP, SV_READY_YES, 1 }, { SV_UP, SV_READY_NA, 1 },
		{ SV_UP, SV_READY_NO, 0 }, { SV_STARTING, SV_READY_NA, 0 },
		{ SV_DOWN, SV_READY_NA, 0 }, { SV_FAILED, SV_READY_YES, 0 },
	};
	struct sv sv;
	char buf[4096];
	size_t i;

	for (i = 0; i < CHECK_LEN(cases); i++) {
		busy_service(&sv);
		sv.state = cases[i].state;
		sv.ready = cases[i].ready;
		status_format(buf, sizeof buf, &sv, 0);
		CHECK(status_up_and_ready(buf) == cases[i].met);
	}
	/* A key's name inside another's value is not the key. */
	CHECK(!status_up_and_ready("error=x\nstate=upx\nready=yes\n"));
	CHECK(!status_up_and_ready("notice=state=up\nready=yes\n"));
	CHECK(status_up_and_ready("want=up\nstate=up\nready=n/a"));
	CHECK(!status_up_and_ready("state=up\n"));
	CHECK(!status_up_and_ready(""));
}

/* BUF without the line of KEY, into OUT. */
static void
drop_key(const char *buf, const char *key, char *out, size_t size)
{
	const char *p = buf, *nl;
	size_t n = 0, len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
		if (!(strncmp(p, key, strlen(key)) == 0 &&
		    p[strlen(key)] == '=') && n + len < size) {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
}

static void
status_parse_rejects_each_missing_key(void)
{
	struct status_info st;
	struct sv sv;
	char buf[2048], cut[2048];
	size_t i;

	busy_service(&sv);
	status_format(buf, sizeof buf, &sv, 1763777400123LL);
	for (i = 0; i < CHECK_LEN(keys); i++) {
		drop_key(buf, keys[i], cut, sizeof cut);
		CHECK(strlen(cut) < strlen(buf));
		errno = 0;
		if (status_parse(cut, &st) != -1)
			printf("# accepted without %s\n", keys[i]);
		CHECK(status_parse(cut, &st) == -1 && errno == EINVAL);
	}
	CHECK(status_parse("", &st) == -1);
}

static void
status_parse_rejects_malformed_numbers(void)
{
	static const struct {
		const char	*key, *value;
	} bad[] = {
		{ "pid", "abc" }, { "pid", "-1" }, { "pid", "" },
		{ "pid", "4294967296" }, { "since", "12.3456" },
		{ "since", "x" }, { "since", "" }, { "restarts", "lots" },
		{ "restarts", "-2" },
	};
	const char *good = "state=up\nwant=up\npid=1\nsince=1.000\n"
	    "ready=n/a\npaused=no\nrestarts=0\nlast_exit=none\nbackoff=0\n"
	    "error=\n";
	struct status_info st;
	char text[1024];
	size_t i, len;

	CHECK(status_parse(good, &st) == 0);
	for (i = 0; i < CHECK_LEN(bad); i++) {
		drop_key(good, bad[i].key, text, sizeof text);
		len = strlen(text);
		snprintf(text + len, sizeof text - len, "%s=%s\n", bad[i].key,
		    bad[i].value);
		if (status_parse(text, &st) != -1)
			printf("# accepted %s=%s\n", bad[i].key, bad[i].value);
		CHECK(status_parse(text, &st) == -1);
	}
}

static void
status_parse_ignores_unknown_keys_and_order(void)
{
	const char *text = "version=2\nerror=\nbackoff=0\nlast_exit=none\n"
	    "restarts=1\npaused=no\nready=n/a\nsince=2.500\npid=7\nwant=up\n"
	    "state=up";
	struct status_info st;

	CHECK(status_parse(text, &st) == 0);
	CHECK_STR(st.state, "up");
	CHECK(st.pid == 7);
	CHECK(st.since_ms == 2500);
	CHECK(st.restarts == 1);
}

static void
events_format_line_shape(void)
{
	char buf[256];
	size_t len;

	len = events_format(buf, sizeof buf, 1763777400123LL, SV_UP,
	    SV_BACKOFF, "exit 1 (next start in 200ms)");
	CHECK_STR(buf,
	    "1763777400.123 up -> backoff exit 1 (next start in 200ms)\n");
	CHECK(len == strlen(buf));
	events_format(buf, sizeof buf, 7, SV_DOWN, SV_DOWN, "control: d");
	CHECK_STR(buf, "0.007 down -> down control: d\n");
	events_format(buf, sizeof buf, 1000, SV_STARTING, SV_FAILED,
	    "run_missing: ./run: No such file or directory");
	CHECK_STR(buf, "1.000 starting -> failed run_missing: ./run: No such "
	    "file or directory\n");
}

static void
events_format_truncates_with_newline(void)
{
	char buf[16];
	size_t len;

	len = events_format(buf, sizeof buf, 1763777400123LL, SV_UP,
	    SV_BACKOFF, "exit 1 (next start in 200ms)");
	CHECK(len == sizeof buf - 1);
	CHECK(strlen(buf) == sizeof buf - 1);
	CHECK(buf[len - 1] == '\n');
	CHECK(strncmp(buf, "1763777400.12", 13) == 0);
}

/* Cut for the newline, a line loses a whole escape, not half of one. */
static void
events_format_cuts_whole_escapes(void)
{
	char buf[22];	/* "5.000 up -> up ab\\x1b" and a newline: one short */

	CHECK(events_format(buf, sizeof buf, 5000, SV_UP, SV_UP, "ab\x1b") ==
	    18);
	CHECK_STR(buf, "5.000 up -> up ab\n");
	CHECK(events_format(buf, sizeof buf - 1, 5000, SV_UP, SV_UP,
	    "abc\n") == 19);
	CHECK_STR(buf, "5.000 up -> up abc\n");
}

/* The smallest buffers must not be written outside of. */
static void
events_format_tiny_buffer_stays_inside(void)
{
	char guard[8];
	size_t len;

	memset(guard, 'g', sizeof guard);
	len = events_format(guard + 2, 2, 1000, SV_UP, SV_DOWN, "x");
	CHECK(len == 1);
	CHECK_STR(guard + 2, "\n");
	CHECK(guard[0] == 'g' && guard[1] == 'g' && guard[4] == 'g');
	memset(guard, 'g', sizeof guard);
	len = events_format(guard + 2, 1, 1000, SV_UP, SV_DOWN, "x");
	CHECK(len == 0);
	CHECK(guard[2] == '\0');
	CHECK(guard[0] == 'g' && guard[1] == 'g' && guard[3] == 'g');
	memset(guard, 'g', sizeof guard);
	len = events_format(guard + 2, 0, 1000, SV_UP, SV_DOWN, "x");
	CHECK(len == 0);
	CHECK(guard[0] == 'g' && guard[1] == 'g' && guard[2] == 'g');
}

static void
fmt_unix_ms_pads_milliseconds(void)
{
	char buf[32];

	CHECK_STR(fmt_unix_ms(buf, sizeof buf, 0), "0.000");
	CHECK_STR(fmt_unix_ms(buf, sizeof buf, 5), "0.005");
	CHECK_STR(fmt_unix_ms(buf, sizeof buf, 1050), "1.050");
	CHECK_STR(fmt_unix_ms(buf, sizeof buf, 1763777400123LL),
	    "1763777400.123");
	CHECK_STR(fmt_unix_ms(buf, sizeof buf, -1500), "-1.500");
	CHECK_STR(fmt_unix_ms(buf, sizeof buf, INT64_MAX),
	    "9223372036854775.807");
	CHECK_STR(fmt_unix_ms(buf, 5, 1763777400123LL), "1763");	/* cut */
}

/*
 * A newline in the error (the name of a service directory is in a
 * config_invalid message) cannot add a line: "a\nstate=up\n" used to
 * make status_parse read state=up for a failed service.
 */
static void
status_error_with_newline_stays_one_line(void)
{
	struct status_info st;
	struct sv sv;
	char buf[2048];

	sv_init(&sv);
	sv.state = SV_FAILED;
	sv.want = SV_WANT_UP;
	strcpy(sv.error, "config_invalid: a\nstate=up\n/conf:1: x: "
	    "unknown key");
	status_format(buf, sizeof buf, &sv, 1000);
	CHECK(strstr(buf, "\nstate=up\n") == NULL);
	CHECK(status_parse(buf, &st) == 0);
	CHECK_STR(st.state, "failed");
	CHECK_STR(st.error, sv.error);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(status_format_writes_fourteen_keys_in_design_order),
		CHECK_TEST(status_format_of_fresh_service),
	CHECK_TEST(status_and_events_keep_one_line_per_key),
		CHECK_TEST(status_round_trip),
		CHECK_TEST(status_round_trip_up_paused_after_signal),
		CHECK_TEST(status_round_trip_every_state),
		CHECK_TEST(up_and_ready_reads_two_keys),
		CHECK_TEST(status_parse_rejects_each_missing_key),
		CHECK_TEST(status_parse_rejects_malformed_numbers),
		CHECK_TEST(status_parse_ignores_unknown_keys_and_order),
		CHECK_TEST(events_format_line_shape),
		CHECK_TEST(events_format_truncates_with_newline),
		CHECK_TEST(events_format_cuts_whole_escapes),
		CHECK_TEST(events_format_tiny_buffer_stays_inside),
		CHECK_TEST(fmt_unix_ms_pads_milliseconds),
		CHECK_TEST(status_error_with_newline_stays_one_line),
	};

	return check_run(tests, CHECK_LEN(tests));
}
