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

#endif
