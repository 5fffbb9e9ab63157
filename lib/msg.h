/*
 * msg: diagnostics for the programs in cmd/.
 *
 * Every line reads "PROG: LEVEL: message", for example
 * "sid-supervise: fatal: unable to lock supervise/lock: Resource busy".
 * Library code never calls these: it returns -1 and sets errno.
 */
#ifndef SID_MSG_H
#define SID_MSG_H

/* msg_init: set the program name used as the prefix of every line. */
void	msg_init(const char *prog);

/* sid_die: print "PROG: fatal: MESSAGE" and exit with CODE. */
void	sid_die(int code, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

/* sid_die_sys: as sid_die, with ": strerror(errno)" appended. */
void	sid_die_sys(int code, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

/* sid_warn: print "PROG: warning: MESSAGE". */
void	sid_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sid_warn_sys: as sid_warn, with ": strerror(errno)" appended. */
void	sid_warn_sys(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* sid_error: print "PROG: MESSAGE" (a plain failure line, no level). */
void	sid_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * sid_usage: a usage error: "PROG: MESSAGE" and "usage: SYNOPSIS" on
 * stderr, then exit 64.
 */
void	sid_usage(const char *synopsis, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

/*
 * sid_long_options: before getopt(3), which knows no long options:
 * "--help" among the options of ARGV calls HELP (which exits), any
 * other "--WORD" there is a usage error naming it.  The options end at
 * "--" or at the first argument that does not begin with '-'.
 */
void	sid_long_options(int argc, char *argv[], const char *synopsis,
	    void (*help)(void));

#endif
