/*
 * cgroup: a cgroup v2 of its own for a service, where the system has a
 * writable hierarchy (Linux).  Elsewhere cg_open() fails and the caller
 * contains the service by its process group and the descendants it
 * adopts instead (proc_descendants()).
 *
 * The cgroup is a child of the caller's own: "OWN/sid.NAME.INODE", NAME
 * the service directory's name ("web", or "web.log" for web/log), INODE
 * the directory's inode in hex, so that two services of one name in two
 * trees never share one, and a sid-supervise started after one was
 * killed finds the same cgroup again.  No controller is enabled: only
 * the core files (cgroup.procs, cgroup.kill, cgroup.freeze) are used.
 */
#ifndef SID_CGROUP_H
#define SID_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

#define CG_PATH_MAX	512	/* a cgroup's path, with its NUL */

struct cgroup {
	char	path[CG_PATH_MAX];	/* the cgroup's directory */
	int	procs_fd;	/* its cgroup.procs, open for writing */
	int	members_fd;	/* ... and for reading, or -1 */
	int	dir_fd;		/* its directory, for clone3(2), or -1 */
	int	freeze_fd;	/* its cgroup.freeze, or -1 */
	int	frozen;		/* we froze it, or found it frozen */
};

/*
 * cg_open: create (or find) the cgroup of the service whose directory
 * is the current one, and open its cgroup.procs for writing
 * (close-on-exec).  Returns 0, or -1 with errno when there is no
 * writable cgroup v2 hierarchy here.
 */
int	cg_open(struct cgroup *cg);

/*
 * cg_signal: SIG to every process of CG.  SIGKILL uses cgroup.kill where
 * the kernel has it; SIGSTOP freezes the cgroup where cgroup.freeze
 * exists, and SIGCONT thaws it when it is frozen (and sends SIGCONT);
 * SIG 0 only tests.  Returns 0, or -1 with errno: ESRCH when the cgroup
 * has no process.
 */
int	cg_signal(struct cgroup *cg, int sig);

/*
 * cg_signal_cont: SIG, then SIGCONT, to every process of CG, as a stop
 * sends them, with CG frozen meanwhile where cgroup.freeze exists: no
 * process of it acts on SIG before SIGCONT is there too, and none forks
 * one that would miss them.  A SIGCONT that came later could land in
 * the middle of an exit that SIG set off, where it is not harmless: it
 * drops the SIGSTOP of a PTRACE_ATTACH, which a process that stops
 * itself to look at its memory (LeakSanitizer at exit) then waits for
 * for ever.  CG is thawed after, as SIGCONT does.  Returns 0, or -1
 * with errno as cg_signal does for SIG.
 */
int	cg_signal_cont(struct cgroup *cg, int sig);

/*
 * cg_thaw: let CG run again if it is frozen, members or none: a process
 * made in a frozen cgroup would wait there.  Frozen means by cg_signal,
 * or found so by cg_open; a cgroup.freeze written by someone else
 * meanwhile is theirs to undo (a stop still ends it: SIGKILL goes
 * through a freeze).  Writing cgroup.freeze takes the kernel's lock of
 * every cgroup, so it is not written for nothing.  Returns 0, or -1
 * with errno.
 */
int	cg_thaw(struct cgroup *cg);

/* cg_first_pid: some process of CG, or 0 when it has none. */
pid_t	cg_first_pid(const struct cgroup *cg);

/* cg_close: close CG and remove its directory when it is empty. */
void	cg_close(struct cgroup *cg);

#endif
