/*
 * fuzz_conf: conf_parse on any bytes.
 *
 * A parse that succeeds gives values within the bounds DESIGN.md sets,
 * and gives the same conf again when that conf is written out as a conf
 * file.  A parse that fails says "NAME:..." in a terminated message.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "parse.h"

#define DAY30	(30LL * 24 * 3600 * 1000)

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
duration_ok(int64_t ms)
{
	return ms >= 0 && ms <= DAY30;
}

static int
same_conf(const struct sv_conf *a, const struct sv_conf *b)
{
	return a->restart == b->restart &&
	    a->backoff_initial_ms == b->backoff_initial_ms &&
	    a->backoff_max_ms == b->backoff_max_ms &&
	    a->healthy_after_ms == b->healthy_after_ms &&
	    a->max_restarts == b->max_restarts &&
	    (a->max_restarts == 0 ||
	    a->restart_window_ms == b->restart_window_ms) &&
	    a->stop_signal == b->stop_signal &&
	    a->stop_grace_ms == b->stop_grace_ms &&
	    a->finish_timeout_ms == b->finish_timeout_ms &&
	    a->ready_port == b->ready_port &&
	    a->ready_timeout_ms == b->ready_timeout_ms &&
	    a->notification_fd == b->notification_fd &&
	    a->stderr_mode == b->stderr_mode &&
	    strcmp(a->log_dir, b->log_dir) == 0;
}

/* C as conf text, every key written. */
static size_t
render(char *buf, size_t size, const struct sv_conf *c)
{
	static const char *const policies[] = { "always", "on-failure",
	    "never" };
	char d[6][32], w[32];
	int n;

	fmt_duration(d[0], sizeof d[0], c->backoff_initial_ms);
	fmt_duration(d[1], sizeof d[1], c->backoff_max_ms);
	fmt_duration(d[2], sizeof d[2], c->healthy_after_ms);
	fmt_duration(d[3], sizeof d[3], c->stop_grace_ms);
	fmt_duration(d[4], sizeof d[4], c->finish_timeout_ms);
	fmt_duration(d[5], sizeof d[5], c->ready_timeout_ms);
	fmt_duration(w, sizeof w, c->restart_window_ms);
	n = snprintf(buf, size, "restart = %s\nbackoff-initial = %s\n"
	    "backoff-max = %s\nhealthy-after = %s\nmax-restarts = %u/%s\n"
	    "stop-signal = %d\nstop-grace = %s\nfinish-timeout = %s\n"
	    "ready-timeout = %s\nstderr = %s\nlog-dir = %s\n",
	    policies[c->restart], d[0], d[1], d[2], c->max_restarts, w,
	    c->stop_signal, d[3], d[4], d[5],
	    c->stderr_mode == STDERR_LOG ? "log" : "inherit", c->log_dir);
	require(n > 0 && (size_t)n < size, "rendered conf fits");
	if (c->ready_port != 0)
		n += snprintf(buf + n, size - (size_t)n, "ready-port = %u\n",
		    c->ready_port);
	if (c->notification_fd >= 0)
		n += snprintf(buf + n, size - (size_t)n,
		    "notification-fd = %d\n", c->notification_fd);
	require((size_t)n < size, "rendered conf fits");
	return (size_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP,
	    SIGUSR1, SIGUSR2 };
	struct sv_conf c, again;
	char err[700], text[2048], *copy;
	size_t errlen, i, len, dlen;
	int r, sig_ok;

	/* The first byte picks the size of the message buffer. */
	if (size < 1)
		return 0;
	errlen = 1 + data[0] % sizeof err;
	data++;
	size--;
	/* An exact copy, so any read past the end is caught. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	memset(err, 'x', sizeof err);
	r = conf_parse(copy, size, "svc/conf", &c, err, errlen);
	if (r == -1) {
		require(memchr(err, '\0', errlen) != NULL,
		    "error message terminated");
		require(errlen < 10 || strncmp(err, "svc/conf:", 9) == 0,
		    "error message names the file");
		free(copy);
		return 0;
	}
	require(r == 0, "conf_parse returns 0 or -1");
	require(c.restart == RESTART_ALWAYS || c.restart ==
	    RESTART_ON_FAILURE || c.restart == RESTART_NEVER, "restart");
	require(duration_ok(c.backoff_initial_ms), "backoff-initial");
	require(duration_ok(c.backoff_max_ms), "backoff-max");
	require(c.backoff_max_ms >= c.backoff_initial_ms,
	    "backoff-max >= backoff-initial");
	require(duration_ok(c.healthy_after_ms), "healthy-after");
	require(c.max_restarts <= CONF_MAX_RESTARTS, "max-restarts");
	require(c.restart_window_ms > 0 && c.restart_window_ms <= DAY30,
	    "restart window");
	sig_ok = 0;
	for (i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
		sig_ok |= c.stop_signal == stop_signals[i];
	require(sig_ok || (c.stop_signal >= 1 && c.stop_signal <= 64),
	    "stop-signal");
	require(duration_ok(c.stop_grace_ms), "stop-grace");
	require(duration_ok(c.finish_timeout_ms), "finish-timeout");
	require(c.ready_port <= 65535, "ready-port");
	require(duration_ok(c.ready_timeout_ms), "ready-timeout");
	require(c.notification_fd == -1 || (c.notification_fd >= 3 &&
	    c.notification_fd <= 1023), "notification-fd");
	require(c.stderr_mode == STDERR_LOG || c.stderr_mode ==
	    STDERR_INHERIT, "stderr");
	dlen = strnlen(c.log_dir, sizeof c.log_dir);
	require(dlen > 0 && dlen < sizeof c.log_dir, "log-dir");
	/* A value never holds what ends it: a newline or a comment. */
	require(strpbrk(c.log_dir, "\n#") == NULL, "log-dir has no \\n or #");

	/* The same conf, written out and read again. */
	len = render(text, sizeof text, &c);
	r = conf_parse(text, len, "again", &again, err, sizeof err);
	if (r != 0)
		fprintf(stderr, "%.*s%s\n", (int)len, text, err);
	require(r == 0, "a rendered conf parses");
	require(same_conf(&c, &again), "a rendered conf reads back the same");
	free(copy);
	return 0;
}
