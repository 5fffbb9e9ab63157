/*
 * ctl: the one-byte commands of supervise/control.
 */
#ifndef SID_CTL_H
#define SID_CTL_H

#include <stddef.h>

enum ctl_cmd {
	CTL_UNKNOWN,
	CTL_UP,			/* u */
	CTL_DOWN,		/* d */
	CTL_ONCE,		/* o */
	CTL_RESTART,		/* r */
	CTL_SIGNAL,		/* t k h a i q 1 2: a signal to the child */
	CTL_PAUSE,		/* p */
	CTL_CONT,		/* c */
	CTL_EXIT,		/* x */
};

/*
 * ctl_parse: the command for BYTE; for CTL_SIGNAL the signal goes into
 * *SIG.  Pure.
 */
enum ctl_cmd ctl_parse(unsigned char byte, int *sig);

/*
 * ctl_send: write the LEN command bytes of CMDS to the FIFO PATH without
 * ever blocking on a missing reader.  Returns 0, or -1 with errno: ENXIO
 * (or ENOENT) means no sid-supervise is reading; EAGAIN, the FIFO stayed
 * full for a second.
 */
int	ctl_send(const char *path, const char *cmds, size_t len);

#endif
