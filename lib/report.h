/*
 * report: the scan report of sid-svscan ("sid-ctl scan").  Pure: the
 * caller gathers the facts (what was added and removed, which units
 * changed or do not load, who declares which ready-port, which units
 * it supervises), this module decides the lines, their order and the
 * count of unchanged units, and formats the text.
 *
 * A unit is one sid-supervise: a service NAME or its logger NAME/log.
 * The body, one line each:
 *
 *	added NAME
 *	removed NAME
 *	changed NAME: run conf env	(only the parts that changed)
 *	restarted NAME			(after its changed line, with -r)
 *	invalid NAME: FILE:LINE: what
 *	conflict port N: a b
 *	cycle a -> b -> a		(services that need each other)
 *	unchanged N
 *
 * Lines that name a unit come first, sorted by the displayed name
 * (strcmp; a logger is NAME/log), those of one name in the order they
 * were given (a name removed and added again says so in that order).
 * A cycle line sorts by its text, which begins with its smallest name,
 * among the others, and names no unit of its own (the services in it
 * are counted as any other).
 * Then the conflicts, sorted by port; last "unchanged N": the units
 * given by report_unit() that no line names (an added or removed NAME
 * names NAME/log too; a conflict line names no unit of its own).
 *
 * Names and details are stored escaped (lib/escape.h), so no name or
 * message can forge a line.
 *
 * Calling sequence: report_init(), any number of report_add(),
 * report_changed(), report_port() and report_unit() in any order,
 * report_format() (as often as wanted), report_clear() (which leaves an
 * empty report, ready for the next).
 */
#ifndef SID_REPORT_H
#define SID_REPORT_H

#include <stddef.h>

#define REPORT_MAX_LINES	100000	/* beyond: report_add fails */

enum report_kind {
	REPORT_ADDED,
	REPORT_REMOVED,
	REPORT_CHANGED,		/* detail: "run conf env", or some */
	REPORT_RESTARTED,
	REPORT_INVALID,		/* detail: why it does not load */
	REPORT_CYCLE,		/* name: "a -> b -> a"; see report_cycle */
};

/* The parts of report_changed(). */
#define REPORT_RUN	1u
#define REPORT_CONF	2u
#define REPORT_ENV	4u

struct report_line {
	enum report_kind	 kind;
	char			*name;		/* escaped */
	char			*detail;	/* escaped; NULL when none */
	size_t			 seq;		/* order given: ties keep it */
};

struct report_port {
	unsigned		 port;
	char			*name;		/* escaped */
};

struct report {
	struct report_line	*lines;
	size_t			 nlines, caplines;
	struct report_port	*ports;
	size_t			 nports, capports;
	char			**units;	/* escaped */
	size_t			 nunits, capunits;
	size_t			 seq;
	int			 sorted;
};

/* report_init: an empty report. */
void	report_init(struct report *r);

/*
 * report_add: a line of KIND for the unit NAME (raw bytes), with DETAIL
 * (raw; NULL when the kind has none).  Returns 0, or -1 with errno
 * ENOMEM, or ENOBUFS when the report already holds REPORT_MAX_LINES.
 */
int	report_add(struct report *r, enum report_kind kind, const char *name,
	    const char *detail);

/*
 * report_changed: "changed NAME: ..." with the PARTS (REPORT_RUN |
 * REPORT_CONF | REPORT_ENV) that changed, in that order.  PARTS 0 adds
 * nothing.  Returns as report_add().
 */
int	report_changed(struct report *r, const char *name, unsigned parts);

/*
 * report_cycle: "cycle a -> b -> a" for the N names of NAMES (raw; the
 * first again last, as lib/tree.h's tree_cycle gives them), each
 * escaped.  Returns as report_add().
 */
int	report_cycle(struct report *r, const char *const *names, size_t n);

/*
 * report_cycle_text: the N names of NAMES escaped and joined by " -> ",
 * as the cycle line has them: malloc'd, or NULL (ENOMEM).
 */
char	*report_cycle_text(const char *const *names, size_t n);

/*
 * report_port: the unit NAME declares ready-port PORT (0: none, nothing
 * recorded).  Two or more units on one port make a conflict line.
 * Returns 0, or -1 with errno ENOMEM.
 */
int	report_port(struct report *r, unsigned port, const char *name);

/*
 * report_unit: NAME is a unit being supervised, counted in "unchanged
 * N" when no line names it.  Returns 0, or -1 with errno ENOMEM.
 */
int	report_unit(struct report *r, const char *name);

/* report_has: 1 when a line of KIND names NAME (raw), else 0. */
int	report_has(const struct report *r, enum report_kind kind,
	    const char *name);

/* report_count: the number of lines of KIND. */
size_t	report_count(const struct report *r, enum report_kind kind);

/* report_unchanged: the N of "unchanged N". */
size_t	report_unchanged(struct report *r);

/*
 * report_format: the body into BUF of SIZE bytes (NUL-terminated when
 * SIZE > 0), as snprintf does: returns the length of the whole body,
 * so a return of SIZE or more means it was cut (report_format(r, NULL,
 * 0) measures it).  Sorts R's lines first.
 */
size_t	report_format(struct report *r, char *buf, size_t size);

/* report_clear: free what R holds; R is an empty report again. */
void	report_clear(struct report *r);

#endif
