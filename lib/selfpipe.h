/*
 * selfpipe: turn signals into bytes on a pipe, so a poll() loop sees them
 * as one more readable descriptor.
 */
#ifndef SID_SELFPIPE_H
#define SID_SELFPIPE_H

/*
 * selfpipe_init: create the pipe (both ends non-blocking, close-on-exec).
 * Returns its read end, or -1.
 */
int	selfpipe_init(void);

/*
 * selfpipe_catch: deliver SIG into the pipe (SA_RESTART; for SIGCHLD also
 * SA_NOCLDSTOP).  Returns 0 or -1.
 */
int	selfpipe_catch(int sig);

/*
 * selfpipe_read: the next pending signal number, or 0 when none is
 * pending.
 */
int	selfpipe_read(void);

/*
 * selfpipe_pending: 1 when a signal was caught since selfpipe_read() was
 * last called, else 0 (and then the pipe is empty, or poll() says so):
 * a loop that reads the pipe only then saves a read() that finds nothing
 * on every wakeup, while a signal caught after poll() returned still acts
 * before the work poll() returned for.
 */
int	selfpipe_pending(void);

#endif
