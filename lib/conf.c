/* conf: parse a service's conf file into struct sv_conf. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "io.h"
#include "parse.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define CONF_MAX_SIZE	65536

struct key {
	const char	*name;
	/* Returns 0, or -1 with a short reason in WHY. */
	int		(*set)(struct sv_conf *, const char *, const char **why);
};

static int
set_duration(int64_t *dst, const char *v, const char **why)
{
	if (parse_duration(v, dst) == -1) {
		*why = "not a duration (like 250ms, 10s, 2m, 1h)";
		return -1;
	}
	return 0;
}

static int
set_restart(struct sv_conf *c, const char *v, const char **why)
{
	if (strcmp(v, "always") == 0)
		c->restart = RESTART_ALWAYS;
	else if (strcmp(v, "on-failure") == 0)
		c->restart = RESTART_ON_FAILURE;
	else if (strcmp(v, "never") == 0)
		c->restart = RESTART_NEVER;
	else {
		*why = "must be always, on-failure or never";
		return -1;
	}
	return 0;
}

static int
set_backoff_initial(struct sv_conf *c, const char *v, const char **why)
{
	return set_duration(&c->backoff_initial_ms, v, why);
}

static int
set_backoff_max(struct sv_conf *c, const char *v, const char **why)
{
	return set_duration(&c->backoff_max_ms, v, why);
}

static int
set_healthy_after(struct sv_conf *c, const char *v, const char **why)
{
	return set_duration(&c->healthy_after_ms, v, why);
}

static int
set_max_restarts(struct sv_conf *c, const char *v, const char **why)
{
	const char *slash = strchr(v, '/');
	char count[32];
	size_t n = slash != NULL ? (size_t)(slash - v) : strlen(v);
	uint64_t max;

	if (n < sizeof count) {
		memcpy(count, v, n);
		count[n] = '\0';
	} else
		count[0] = '\0';	/* too long to be a count: rejected */
	if (parse_uint(count, 0, CONF_MAX_RESTARTS, &max) == -1) {
		*why = "must be N or N/WINDOW with N from 0 to 256";
		return -1;
	}
	c->max_restarts = (unsigned)max;
	c->restart_window_ms = 60000;
	if (slash != NULL && (parse_duration(slash + 1,
	    &c->restart_window_ms) == -1 || c->restart_window_ms == 0)) {
		*why = "WINDOW is not a duration above zero";
		return -1;
	}
	return 0;
}

static int
set_stop_signal(struct sv_conf *c, const char *v, const char **why)
{
	if (parse_signal(v, "TERM INT QUIT HUP USR1 USR2",
	    &c->stop_signal) == -1) {
		*why = "must be TERM, INT, QUIT, HUP, USR1, USR2 or 1-64";
		return -1;
	}
	return 0;
}

static int
set_stop_grace(struct sv_conf *c, const char *v, const char **why)
{
	return set_duration(&c->stop_grace_ms, v, why);
}

static int
set_finish_timeout(struct sv_conf *c, const char *v, const char **why)
{
	return set_duration(&c->finish_timeout_ms, v, why);
}

static int
set_ready_port(struct sv_conf *c, const char *v, const char **why)
{
	uint64_t port;

	if (parse_uint(v, 1, 65535, &port) == -1) {
		*why = "must be a port from 1 to 65535";
		return -1;
	}
	c->ready_port = (unsigned)port;
	return 0;
}

static int
set_ready_timeout(struct sv_conf *c, const char *v, const char **why)
{
	return set_duration(&c->ready_timeout_ms, v, why);
}

static int
set_notification_fd(struct sv_conf *c, const char *v, const char **why)
{
	uint64_t fd;

	if (parse_uint(v, 3, 1023, &fd) == -1) {
		*why = "must be a descriptor number from 3 to 1023";
		return -1;
	}
	c->notification_fd = (int)fd;
	return 0;
}

static int
set_stderr(struct sv_conf *c, const char *v, const char **why)
{
	if (strcmp(v, "log") == 0)
		c->stderr_mode = STDERR_LOG;
	else if (strcmp(v, "inherit") == 0)
		c->stderr_mode = STDERR_INHERIT;
	else {
		*why = "must be log or inherit";
		return -1;
	}
	return 0;
}

static int
set_log_dir(struct sv_conf *c, const char *v, const char **why)
{
	if (strlen(v) >= sizeof c->log_dir) {
		*why = "path too long";
		return -1;
	}
	strcpy(c->log_dir, v);
	return 0;
}

/* A positive duration. */
static int
set_period(int64_t *dst, const char *v, const char **why)
{
	if (set_duration(dst, v, why) == -1)
		return -1;
	if (*dst == 0) {
		*why = "must be more than 0";
		return -1;
	}
	return 0;
}

/*
 * "db, cache": names of siblings, each a plain directory name (no '/',
 * not "." or ".."), each once.
 */
static int
set_needs(struct sv_conf *c, const char *v, const char **why)
{
	const char *p = v, *end;
	size_t len, i, used = 0;

	c->nneeds = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			*why = "an empty name";
			return -1;
		}
		if (len > CONF_NAME_MAX || memchr(p, '/', len) != NULL ||
		    (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			*why = "not a service name of the scan directory";
			return -1;
		}
		if (c->nneeds == CONF_MAX_NEEDS) {
			*why = "more than 32 names";
			return -1;
		}
		if (used + len + 1 > sizeof c->needs) {
			*why = "names longer than 1023 bytes in all";
			return -1;
		}
		memcpy(c->needs + used, p, len);
		c->needs[used + len] = '\0';
		for (i = 0; i < c->nneeds; i++)
			if (strcmp(conf_need(c, (unsigned)i), c->needs + used) ==
			    0) {
				*why = "a name given twice";
				return -1;
			}
		used += len + 1;
		c->nneeds++;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

static int
set_notify_socket(struct sv_conf *c, const char *v, const char **why)
{
	if (strcmp(v, "yes") == 0)
		c->notify_socket = 1;
	else if (strcmp(v, "no") == 0)
		c->notify_socket = 0;
	else {
		*why = "must be yes or no";
		return -1;
	}
	return 0;
}

static int
set_watchdog(struct sv_conf *c, const char *v, const char **why)
{
	return set_period(&c->watchdog_ms, v, why);
}

static int
set_check_interval(struct sv_conf *c, const char *v, const char **why)
{
	return set_period(&c->check_interval_ms, v, why);
}

static int
set_check_timeout(struct sv_conf *c, const char *v, const char **why)
{
	return set_period(&c->check_timeout_ms, v, why);
}

static int
set_check_failures(struct sv_conf *c, const char *v, const char **why)
{
	uint64_t n;

	if (parse_uint(v, 1, CONF_MAX_CHECK_FAILURES, &n) == -1) {
		*why = "must be a number from 1 to 1000";
		return -1;
	}
	c->check_failures = (unsigned)n;
	return 0;
}

static const struct key keys[] = {
	{ "restart", set_restart },
	{ "backoff-initial", set_backoff_initial },
	{ "backoff-max", set_backoff_max },
	{ "healthy-after", set_healthy_after },
	{ "max-restarts", set_max_restarts },
	{ "stop-signal", set_stop_signal },
	{ "stop-grace", set_stop_grace },
	{ "finish-timeout", set_finish_timeout },
	{ "ready-port", set_ready_port },
	{ "ready-timeout", set_ready_timeout },
	{ "notification-fd", set_notification_fd },
	{ "stderr", set_stderr },
	{ "log-dir", set_log_dir },
	{ "needs", set_needs },
	{ "notify-socket", set_notify_socket },
	{ "watchdog", set_watchdog },
	{ "check-interval", set_check_interval },
	{ "check-timeout", set_check_timeout },
	{ "check-failures", set_check_failures },
};

void
conf_defaults(struct sv_conf *c)
{
	memset(c, 0, sizeof *c);
	c->restart = RESTART_ALWAYS;
	c->backoff_initial_ms = 100;
	c->backoff_max_ms = 30000;
	c->healthy_after_ms = 10000;
	c->max_restarts = 0;
	c->restart_window_ms = 60000;
	c->stop_signal = SIGTERM;
	c->stop_grace_ms = 10000;
	c->finish_timeout_ms = 5000;
	c->ready_port = 0;
	c->ready_timeout_ms = 10000;
	c->notification_fd = -1;
	c->stderr_mode = STDERR_LOG;
	strcpy(c->log_dir, "log/main");
	c->check_interval_ms = 10000;
	c->check_timeout_ms = 5000;
	c->check_failures = 3;
}

/* Strip leading and trailing blanks of S, in place. */
static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Parse one line (already without its newline); see conf_parse. */
static int
parse_line(char *line, struct sv_conf *c, unsigned *seen, const char **why,
    const char **key_name)
{
	char *hash, *eq, *key, *value;
	size_t i;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	line = trim(line);
	if (*line == '\0')
		return 0;
	if ((eq = strchr(line, '=')) == NULL) {
		*why = "expected key = value";
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	*key_name = key;
	for (i = 0; i < LEN(keys); i++)
		if (strcmp(keys[i].name, key) == 0)
			break;
	if (i == LEN(keys)) {
		*why = "unknown key";
		return -1;
	}
	if (*seen & (1u << i)) {
		*why = "duplicate key";
		return -1;
	}
	*seen |= 1u << i;
	if (*value == '\0') {
		*why = "empty value";
		return -1;
	}
	return keys[i].set(c, value, why);
}

int
conf_parse(const char *text, size_t len, const char *name,
    struct sv_conf *conf, char *err, size_t errlen)
{
	char line[1024];
	const char *p = text, *end = text + len, *start, *nl, *why, *key;
	unsigned seen = 0, lineno = 0;
	size_t n;

	conf_defaults(conf);
	while (p < end) {
		lineno++;
		start = p;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - start);
		p = nl != NULL ? nl + 1 : end;
		why = NULL;
		key = NULL;
		if (n >= sizeof line)
			why = "line too long";
		else if (memchr(start, '\0', n) != NULL)
			why = "NUL byte in line";
		else {
			memcpy(line, start, n);
			line[n] = '\0';
			if (parse_line(line, conf, &seen, &why, &key) == 0)
				continue;
		}
		if (key != NULL)
			snprintf(err, errlen, "%s:%u: %s: %s", name, lineno,
			    key, why);
		else
			snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
		return -1;
	}
	if (conf->backoff_max_ms < conf->backoff_initial_ms) {
		snprintf(err, errlen, "%s: backoff-max is below backoff-initial",
		    name);
		return -1;
	}
	if (conf->watchdog_ms > 0 && !conf->notify_socket) {
		snprintf(err, errlen, "%s: watchdog needs notify-socket = yes",
		    name);
		return -1;
	}
	return 0;
}

int
conf_needs_self(const struct sv_conf *conf, const char *name)
{
	unsigned i;

	for (i = 0; i < conf->nneeds; i++)
		if (strcmp(conf_need(conf, i), name) == 0)
			return 1;
	return 0;
}

const char *
conf_need(const struct sv_conf *conf, unsigned i)
{
	const char *name = conf->needs;

	while (i-- > 0)
		name += strlen(name) + 1;
	return name;
}

int
conf_load(const char *path, const char *name, struct sv_conf *conf,
    char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r;

	if (io_read_file(path, CONF_MAX_SIZE, &text, &len) == -1) {
		if (errno == ENOENT) {
			conf_defaults(conf);
			return 0;
		}
		snprintf(err, errlen, "%s: %s", name, errno == EFBIG ?
		    "larger than 64 KiB" : strerror(errno));
		return -1;
	}
	r = conf_parse(text, len, name, conf, err, errlen);
	free(text);
	return r;
}
