/*
 * conf: a service's sid settings, read from its conf file.
 *
 * The format is one "key = value" per line, '#' starts a comment, blank
 * lines are fine.  An unknown key, a bad value or a duplicate key is an
 * error naming the file and the line.
 */
#ifndef SID_CONF_H
#define SID_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_RESTARTS	256	/* largest N of max-restarts */
#define CONF_MAX_NEEDS		32	/* names in needs */
#define CONF_NAME_MAX		255	/* bytes of a needed service's name */
#define CONF_NEEDS_SIZE		1024	/* bytes of all of them, with a NUL each */
#define CONF_MAX_CHECK_FAILURES	1000

enum restart_policy {
	RESTART_ALWAYS,
	RESTART_ON_FAILURE,
	RESTART_NEVER,
};

enum stderr_mode {
	STDERR_LOG,
	STDERR_INHERIT,
};

struct sv_conf {
	enum restart_policy	restart;
	int64_t			backoff_initial_ms;
	int64_t			backoff_max_ms;
	int64_t			healthy_after_ms;
	unsigned		max_restarts;		/* 0: no cap */
	int64_t			restart_window_ms;
	int			stop_signal;
	int64_t			stop_grace_ms;
	int64_t			finish_timeout_ms;
	unsigned		ready_port;		/* 0: none */
	int64_t			ready_timeout_ms;
	int			notification_fd;	/* -1: none */
	enum stderr_mode	stderr_mode;
	char			log_dir[256];
	/*
	 * Siblings (../NAME) up and ready before each start: NNEEDS names,
	 * each ending in a NUL, one after the other (conf_need() finds the
	 * Nth).  Packed, so that a conf without needs is small to keep.
	 */
	unsigned		nneeds;
	char			needs[CONF_NEEDS_SIZE];
	int			notify_socket;		/* 0 or 1 */
	int64_t			watchdog_ms;		/* 0: none */
	int64_t			check_interval_ms;
	int64_t			check_timeout_ms;
	unsigned		check_failures;
};

/*
 * conf_needs_self: 1 when CONF needs NAME, the service's own name (a
 * cross-field error the caller, who knows the name, reports).
 */
int	conf_needs_self(const struct sv_conf *conf, const char *name);

/* conf_need: the Ith name of CONF's needs, I < conf->nneeds. */
const char *conf_need(const struct sv_conf *conf, unsigned i);

/* conf_defaults: fill CONF with the defaults of every key. */
void	conf_defaults(struct sv_conf *conf);

/*
 * conf_parse: parse LEN bytes of TEXT (the contents of the file named
 * NAME, used in messages) into CONF, which starts from the defaults.
 * Returns 0, or -1 with "NAME:LINE: what is wrong" in ERR.  Pure.
 */
int	conf_parse(const char *text, size_t len, const char *name,
	    struct sv_conf *conf, char *err, size_t errlen);

/*
 * conf_load: read and parse the file PATH (NAME in messages).  A missing
 * file gives the defaults.  Returns 0, or -1 with the reason in ERR.
 */
int	conf_load(const char *path, const char *name, struct sv_conf *conf,
	    char *err, size_t errlen);

#endif
