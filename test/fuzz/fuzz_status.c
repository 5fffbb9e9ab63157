/*
 * fuzz_status: status_parse on any text, and status_format then
 * status_parse on any struct sv: what is written reads back the same.
 *
 * The first byte picks the mode: even, the rest is a status file; odd,
 * the rest fills a struct sv.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "sv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
require(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "INVARIANT: %s\n", what);
		abort();
	}
}

static int
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void
parse_text(const uint8_t *data, size_t size)
{
	struct status_info st;
	char *text;

	if ((text = malloc(size + 1)) == NULL)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (status_parse(text, &st) == 0) {
		require(terminated(st.state, sizeof st.state), "state");
		require(terminated(st.want, sizeof st.want), "want");
		require(terminated(st.ready, sizeof st.ready), "ready");
		require(terminated(st.last_exit, sizeof st.last_exit),
		    "last_exit");
		require(terminated(st.backoff, sizeof st.backoff), "backoff");
		require(terminated(st.error, sizeof st.error), "error");
		require(st.pid >= 0, "pid");
		require(st.since_ms >= 0, "since");
		require(st.paused == 0 || st.paused == 1, "paused");
	}
	free(text);
}

/* Take N bytes from the input, zeros past its end. */
static void
take(const uint8_t **p, const uint8_t *end, void *out, size_t n)
{
	size_t have = (size_t)(end - *p) < n ? (size_t)(end - *p) : n;

	memset(out, 0, n);
	memcpy(out, *p, have);
	*p += have;
}

static void
round_trip(const uint8_t *data, size_t size)
{
	static struct sv sv;
	const uint8_t *p = data, *end = data + size;
	struct status_info st;
	char text[8192], want[64];
	uint8_t b[4];
	uint32_t u;
	uint64_t since;
	size_t n, len;

	sv_init(&sv);
	take(&p, end, b, sizeof b);
	sv.state = (enum sv_state)(b[0] % 7);
	sv.want = (enum sv_want)(b[1] % 3);
	sv.ready = (enum sv_ready)(b[2] % 3);
	sv.paused = b[3] & 1;
	sv.have_exit = (b[3] >> 1) & 1;
	take(&p, end, &u, sizeof u);
	sv.pid = (pid_t)(u & 0x7fffffff);
	take(&p, end, &u, sizeof u);
	sv.restarts = u;
	take(&p, end, &u, sizeof u);
	sv.last_wstatus = (int)(u & 0xffff);
	take(&p, end, &u, sizeof u);
	sv.backoff_ms = u % (30LL * 24 * 3600 * 1000 + 1);
	take(&p, end, &u, sizeof u);
	sv.attempts = u;
	take(&p, end, &since, sizeof since);
	since %= 4102444800000ULL;	/* before 2100 */
	/* The rest is the error text, newlines too (a directory's name). */
	n = (size_t)(end - p);
	if (n >= sizeof sv.error)
		n = sizeof sv.error - 1;
	memcpy(sv.error, p, n);
	sv.error[n] = '\0';

	len = status_format(text, sizeof text, &sv, (int64_t)since);
	require(len < sizeof text && text[len] == '\0', "status terminated");
	require(len == strlen(text), "status length");
	require(status_parse(text, &st) == 0, "a written status parses");
	require(strcmp(st.state, sv_state_name(sv.state)) == 0, "state");
	require(strcmp(st.want, sv_want_name(sv.want)) == 0, "want");
	require(strcmp(st.ready, sv_ready_name(sv.ready)) == 0, "ready");
	require(st.pid == (long)sv.pid, "pid");
	require(st.since_ms == (int64_t)since, "since");
	require(st.paused == sv.paused, "paused");
	require(st.restarts == sv.restarts, "restarts");
	require(st.attempt == sv.attempts, "attempt");
	if (sv.have_exit)
		sv_exit_text(want, sizeof want, sv.last_wstatus);
	else
		strcpy(want, "none");
	require(strcmp(st.last_exit, want) == 0, "last_exit");
	/* One line per key (the error is written escaped) ... */
	for (n = 0, p = (const uint8_t *)text; *p != '\0'; p++)
		n += *p == '\n';
	require(n == 14, "14 lines, one per key");
	/* ... and read back as it was. */
	require(strcmp(st.error, sv.error) == 0, "error");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		round_trip(data + 1, size - 1);
	else
		parse_text(data + 1, size - 1);
	return 0;
}
