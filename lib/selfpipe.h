/*
 * selfpipe: turn the signals a daemon catches into one readable
 * descriptor, so a poll() loop sees them as one more fd.
 *
 * On Linux it is a signalfd: the caught signals are blocked and no
 * handler ever runs (so the kernel never pushes a signal frame on the
 * stack).  Elsewhere, or where signalfd() fails, it is the read end of
 * a pipe that handlers write the signal numbers to.  The calling
 * sequence is the same: selfpipe_init, selfpipe_catch for each signal,
 * then poll the descriptor and selfpipe_read until it returns 0.
 *
 * A caught signal is blocked, on Linux, in every process forked from
 * here on: a child that execs must empty its mask (proc.c does).
 */
#ifndef SID_SELFPIPE_H
#define SID_SELFPIPE_H

/*
 * selfpipe_init: the descriptor (non-blocking, close-on-exec), with no
 * signal in it yet.  Returns it, or -1 with errno.
 */
int	selfpipe_init(void);

/*
 * selfpipe_catch: deliver SIG into the descriptor.  Its disposition is
 * a handler (SA_RESTART; for SIGCHLD also SA_NOCLDSTOP, so a stopped or
 * continued child raises none) on both paths; with the signalfd SIG is
 * blocked too, and the handler never runs.  Returns 0, or -1 with
 * errno.
 */
int	selfpipe_catch(int sig);

/*
 * selfpipe_read: the next pending signal number, or 0 when none is
 * pending.  Signals of one number that came together may be read once.
 */
int	selfpipe_read(void);

/*
 * selfpipe_pending: 1 when a signal may be waiting that poll() did not
 * report, else 0: a loop that reads the descriptor only then saves a
 * read() that finds nothing on every wakeup, while a signal sent before
 * the input poll() returned for still acts before that input is read.
 *
 * With the pipe, a handler can run after poll() looked at the pipe (on
 * the way out of it, or after it returned): that sets the flag this
 * returns, until selfpipe_read() is next called.  With the signalfd
 * nothing happens behind poll()'s back: a signal makes the descriptor
 * readable the moment it is sent, and poll() looks at its fds in their
 * order, so a signal sent before the input of an fd listed before the
 * signal's is in the same poll()'s report.  It returns 0 then.
 */
int	selfpipe_pending(void);

#endif
