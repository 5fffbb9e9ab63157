/*
 * proc: start a service's program with a clean slate, and look at processes.
 */
#ifndef SID_PROC_H
#define SID_PROC_H

#include <sys/types.h>

#include "sv.h"

/*
 * proc_spawn: start ARGV[0] (a path) with ARGV as RECIPE says: a new
 * session, an empty signal mask, every signal at its default, only the
 * recipe's fds 0-2 (and the notification fd) open.  Waits until the exec
 * happened, so every failure is reported here.
 *
 * When RECIPE has a notification fd, *NOTIFY gets the read end of its
 * pipe (non-blocking, close-on-exec); otherwise it is set to -1.
 *
 * Returns 0 with the pid in *PID, or -1 with errno and *WHY:
 * SV_START_MISSING (ENOENT), SV_START_NOT_EXECUTABLE, or
 * SV_START_EXEC_FAILED with the errno of the step that failed.
 */
int	proc_spawn(char *const argv[], const struct sv_recipe *recipe,
	    pid_t *pid, int *notify, enum sv_start_error *why);

/*
 * proc_spawn_text: proc_spawn, and on failure what to tell people after
 * the program's name, into TEXT of SIZE bytes (NULL, 0: nothing).  The
 * kernel's ENOENT and EACCES do not say whether the program or the
 * interpreter of its #! line is to blame; this does:
 * "interpreter /bin/nosh not found", "interpreter /tmp/x is not
 * executable", "#! names no interpreter", "Exec format error (not a
 * program for this system, and no #! line)", "unable to chdir to DIR:
 * ...", else strerror(errno).  The path is as the #! line has it, raw:
 * the caller escapes it where people read it.
 */
int	proc_spawn_text(char *const argv[], const struct sv_recipe *recipe,
	    pid_t *pid, int *notify, enum sv_start_error *why, char *text,
	    size_t size);

/*
 * proc_start: start ARGV[0] as proc_spawn does (RECIPE without a
 * notification fd), for a caller that starts many children and holds
 * many fds (sid-svscan).  On Linux the child shares our memory and fd
 * table until it has its own copy of our lowest fds only (see
 * proc.c), so its cost does not grow with the fds we hold; we wait
 * for its exec, and *ERRFD is -1 when it happened.  Elsewhere it is
 * made by fork and not waited for.  *ERRFD, when not -1, is the read
 * end of the pipe a failure is reported on (non-blocking,
 * close-on-exec), which proc_started reads.
 *
 * Returns 0 with the pid in *PID, or -1 with errno when no child runs
 * (the program missing or not executable: ENOENT, EACCES...; a shared
 * child whose failure had no pipe to wait in has exited, unreported).
 */
int	proc_start(char *const argv[], const struct sv_recipe *recipe,
	    pid_t *pid, int *errfd);

/*
 * proc_start_init: take now, while our fds are few, the low-numbered
 * ones proc_start's child keeps (the first proc_start does otherwise).
 */
void	proc_start_init(void);

/*
 * proc_started: what came of the exec of proc_start's child, by its
 * ERRFD: 0 not known yet; 1 it happened; -1 it failed: errno says why,
 * and TEXT (SIZE bytes) what to tell people, as proc_spawn_text would
 * (DIR: the child's directory, for a chdir that failed).  Once it
 * returns 1 or -1, ERRFD is closed.  The child that failed exits 127,
 * to be reaped by the caller; the report is there before it exits.
 */
int	proc_started(int errfd, const char *dir, char *text, size_t size);

/*
 * proc_start_time: a word that tells PID's process from a later one that
 * reuses the pid: its start time in clock ticks since boot where /proc
 * gives it (Linux), else "-".  Returns 0, or -1 when PID does not exist.
 */
int	proc_start_time(pid_t pid, char *buf, size_t size);

/*
 * proc_signal_descendants: SIG to every live descendant of the calling
 * process (a subreaper adopts its children's orphans, so that is the
 * whole tree they started) except the members of process group SKIP
 * (signalled already) and EXCEPT with its own descendants (0: none).
 * Where /proc lists processes (Linux); elsewhere there is nothing to
 * find and it returns 0.  Returns how many it found, or -1 with the
 * errno of a failure other than ESRCH.
 */
int	proc_signal_descendants(pid_t skip, pid_t except, int sig);

/* One process, as /proc/PID/stat tells where the system has it. */
struct proc_info {
	pid_t	pid, ppid, pgrp, session;
	char	state;		/* R, S, D, T, Z... */
	int	mark;		/* free for the caller */
};

/* proc_read_info: PID's entry.  Returns 0, or -1: gone, or no /proc. */
int	proc_read_info(pid_t pid, struct proc_info *info);

/*
 * proc_list: every live process (zombies left out), sorted by pid, in a
 * malloc'ed array of *COUNT; NULL when there is no /proc.
 */
struct proc_info *proc_list(size_t *count);

/* proc_find: PID's entry in ALL, as proc_list returned it, or NULL. */
struct proc_info *proc_find(struct proc_info *all, size_t n, pid_t pid);

/*
 * proc_describe: "runsv (pid 1234)" into BUF, with the program's name
 * where the system tells (/proc/PID/comm on Linux), "pid 1234" where it
 * does not, and "another process" for PID 0.  Returns BUF.
 */
char	*proc_describe(pid_t pid, char *buf, size_t size);

/*
 * proc_comm: PID's program name (/proc/PID/comm, without its newline)
 * into NAME of SIZE bytes.  Returns its length, 0 when the system does
 * not tell.
 */
size_t	proc_comm(pid_t pid, char *name, size_t size);

#endif
