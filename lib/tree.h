/*
 * tree: the decisions of sid-svscan about its units, apart from the
 * syscalls.  Pure: no clock of its own (NOW is given), no I/O.
 *
 * - restarts: a sid-supervise that died is started again after a delay
 *   that starts at TREE_RESTART_MIN_MS and doubles on each death up to
 *   TREE_RESTART_MAX_MS, back to the minimum when the one that died had
 *   run TREE_HEALTHY_MS or more (tree_restart_*).
 * - starts: what a scan starts (all at once, a logger before its
 *   service), which pending starts are due, and what a death or a
 *   failed spawn leaves pending (tree_scan_starts, tree_due,
 *   tree_unit_*).
 * - the needs graph of the services (tree_build): its cycles, each
 *   written from its smallest name ("a -> b -> a"), and the order of a
 *   shutdown: a service is stopped once every service that needs it,
 *   directly or through others, is gone (members of one cycle are
 *   stopped together, so a cycle never holds a shutdown), and loggers
 *   once every service is gone.  Services not related by needs are
 *   stopped together.
 *
 * Calling sequence: fill an array of struct tree_node (sorted by name,
 * strcmp, no name twice), tree_build(), then ask tree_stop_now(),
 * tree_loggers_may_stop() and tree_cycle() as the nodes' alive and
 * asked fields change (no tree_build needed for those), tree_free().
 */
#ifndef SID_TREE_H
#define SID_TREE_H

#include <stddef.h>
#include <stdint.h>

#define TREE_RESTART_MIN_MS	250	/* a sid-supervise that died: first retry */
#define TREE_RESTART_MAX_MS	2000
#define TREE_HEALTHY_MS		10000	/* a sid-supervise this old died: retry fast */

/* The restart of one sid-supervise. */
struct tree_restart {
	int64_t		 started;	/* when it was last started */
	int64_t		 delay_ms;	/* the next restart delay */
};

/* tree_restart_init: nothing started yet; the next delay the minimum. */
void	tree_restart_init(struct tree_restart *r);

/* tree_restart_started: it was started at NOW. */
void	tree_restart_started(struct tree_restart *r, int64_t now);

/*
 * tree_restart_died: it died at NOW; returns when to start it again
 * (and doubles the delay for the next death).
 */
int64_t	tree_restart_died(struct tree_restart *r, int64_t now);

/*
 * Starts.  A unit is one sid-supervise, a service's or its logger's.
 * What sid-svscan starts and when is asked here with the facts (the
 * services a scan found new, which unit died, whether DIR is there,
 * NOW) and comes back as actions: start unit X now, or at time T.
 */
struct tree_unit {
	int64_t		 at;		/* -1: no start pending */
	struct tree_restart rs;		/* when it started, the next delay */
};

/* A service, for its starts: its units. */
struct tree_svc {
	struct tree_unit *log;		/* NULL: no log/ */
	struct tree_unit *main;
};

/* A service a scan found new. */
struct tree_found {
	int		 has_log;
	int		 ready;		/* its pipes are made */
};

/* Start unit (SVC, LOG) at AT: at NOW or before, now. */
struct tree_action {
	size_t		 svc;		/* the caller's index */
	int		 log;		/* 1: the service's logger */
	int64_t		 at;
};

/* tree_unit_init: no start pending; tree_restart_init. */
void	tree_unit_init(struct tree_unit *u);

/*
 * tree_scan_starts: the N services FOUND new by one scan are started
 * at once, at NOW: each its logger first, then the service.  One whose
 * pipes could not be made (not READY) gets no logger, and the service
 * is tried at NOW + TREE_RESTART_MAX_MS.  Into OUT (room for 2N), in
 * the order of FOUND; returns how many.
 */
size_t	tree_scan_starts(const struct tree_found *found, size_t n,
	    int64_t now, struct tree_action *out);

/*
 * tree_due: the units of SVCS (N) whose start is due at NOW, each
 * service's logger before the service; none while MISSING (DIR is
 * gone: the starts wait for it).  Into OUT (room for 2N), at NOW;
 * returns how many.
 */
size_t	tree_due(const struct tree_svc *svcs, size_t n, int missing,
	    int64_t now, struct tree_action *out);

/* tree_next_start: the earliest start pending in SVCS, -1 for none. */
int64_t	tree_next_start(const struct tree_svc *svcs, size_t n, int missing);

/*
 * tree_unit_started: U was started at NOW, and its spawn worked (OK),
 * or not: then it is tried again after its current delay (not doubled).
 * Returns the start now pending, -1 for none.
 */
int64_t	tree_unit_started(struct tree_unit *u, int ok, int64_t now);

/* tree_unit_later: a start pending at AT (a foreign one: look again). */
void	tree_unit_later(struct tree_unit *u, int64_t at);

/* tree_unit_cancel: no start pending (its service removed, a shutdown). */
void	tree_unit_cancel(struct tree_unit *u);

/*
 * tree_unit_died: U's sid-supervise died at NOW.  GONE (its service
 * removed, or a shutdown): never started again; else at
 * tree_restart_died().  Returns the start pending, -1 for none.
 */
int64_t	tree_unit_died(struct tree_unit *u, int gone, int64_t now);

/* One service of the tree, as the caller knows it. */
struct tree_node {
	const char	 *name;
	const char *const *needs;	/* names of the services it needs */
	size_t		  nneeds;
	int		  alive;	/* its sid-supervise runs */
	int		  asked;	/* told to stop already */
};

struct tree {
	struct tree_node *nodes;	/* the caller's */
	size_t		  n;
	size_t		 *edge;		/* edges of node i: edge[first[i]..first[i+1]) */
	size_t		 *first;	/* n + 1 */
	size_t		 *redge;	/* reverse edges (who needs i) */
	size_t		 *rfirst;
	size_t		 *comp;		/* strongly connected component of i */
	size_t		 *compsize;	/* by component */
	size_t		 *cycles;	/* a node of each cycle (its smallest) */
	size_t		  ncycles;
	size_t		 *mark;		/* scratch */
	size_t		 *stack;	/* scratch */
	size_t		  stamp;
};

/*
 * tree_build: the graph of NODES (N of them, sorted by name).  A need
 * that names no node is no edge (it may come later).  Returns 0, or -1
 * with errno ENOMEM.
 */
int	tree_build(struct tree *t, struct tree_node *nodes, size_t n);

/* tree_free: what tree_build took; T may be built again. */
void	tree_free(struct tree *t);

/*
 * tree_may_stop: node I may be told to stop now: no node that needs it
 * (directly or through others), outside its own cycle, is alive.
 */
int	tree_may_stop(struct tree *t, size_t i);

/*
 * tree_stop_now: the nodes to tell to stop now, into OUT (room for N):
 * alive, not asked, and tree_may_stop().  Marks them asked.  Returns
 * how many.
 */
size_t	tree_stop_now(struct tree *t, size_t *out);

/*
 * tree_depth: the number of rounds a shutdown takes at most: the
 * longest chain of needs, a cycle counting as one (1 for services that
 * need nothing of the tree, 0 for no services).
 */
size_t	tree_depth(const struct tree *t);

/* tree_loggers_may_stop: no node is alive: the loggers' turn. */
int	tree_loggers_may_stop(const struct tree *t);

/* tree_ncycles: the number of cycles (one per strongly connected group). */
size_t	tree_ncycles(const struct tree *t);

/*
 * tree_cycle: cycle K (in the order of its smallest name) as its names,
 * the smallest first and last again: into NAMES (room for N + 1),
 * returns how many (2 + the members in between... that is, the length
 * of the cycle + 1).
 */
size_t	tree_cycle(const struct tree *t, size_t k, const char **names);

/*
 * tree_cycle_text: cycle K as "a -> b -> a" into BUF of SIZE (cut as
 * snprintf does); returns the whole length.  Names as they are (raw).
 */
size_t	tree_cycle_text(const struct tree *t, size_t k, char *buf,
	    size_t size);

#endif
