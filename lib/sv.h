/*
 * sv: the supervision state machine of one service.  Pure.
 *
 * It takes events (a control byte, a child's exit, a timer, readiness)
 * with the time as an argument, and acts only through struct sv_ops: it
 * never calls the system itself, so unit tests drive it with a scripted
 * launcher and a fake clock.  All times are monotonic milliseconds.
 *
 * Calling sequence: sv_init(), sv_boot(), then for each wakeup any of
 * sv_on_control(), sv_on_exit(), sv_on_ready(), sv_on_timer(); while
 * sv_awaiting(), also sv_on_needs() when the needs may have changed;
 * sleep until sv_deadline(); stop when sv_done().
 */
#ifndef SID_SV_H
#define SID_SV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"

enum sv_state {
	SV_DOWN,
	SV_STARTING,
	SV_UP,
	SV_STOPPING,
	SV_FINISHING,
	SV_BACKOFF,
	SV_FAILED,
};

enum sv_want {
	SV_WANT_UP,
	SV_WANT_DOWN,
	SV_WANT_ONCE,
};

enum sv_health {
	SV_HEALTH_NA,		/* no ./check */
	SV_HEALTH_OK,
	SV_HEALTH_FAILING,	/* the last ./check failed, or none passed yet */
};

enum sv_ready {
	SV_READY_NA,		/* no readiness configured */
	SV_READY_NO,
	SV_READY_YES,
};

/* Why a spawn failed; the sv_error_code() names go into status. */
enum sv_start_error {
	SV_START_OK,
	SV_START_MISSING,		/* the program does not exist */
	SV_START_NOT_EXECUTABLE,	/* not a regular file with x bits */
	SV_START_EXEC_FAILED,		/* fork, setup or execve failed */
};

/*
 * How a child is started: the same for every start until the next
 * explicit u, o or r re-reads conf and env/.  Filled by ops->reload.
 */
struct sv_recipe {
	char *const	*envp;		/* environ, changed by env/ */
	const char	*dir;		/* the working directory */
	int		 fds[3];	/* become the child's 0, 1 and 2 */
	int		 notify_fd;	/* -1, or the notification fd */
	int		 cgroup_fd;	/* -1, or a cgroup.procs the child joins */
	int		 cgroup_dir;	/* with cgroup_fd: that cgroup's
					   directory, or -1; the child is
					   made in it where the system can
					   (Linux's clone3) */
	int		 has_check;	/* an executable ./check is there */
};

struct sv_ops {
	/*
	 * reload: read conf and env/ into CONF and RECIPE.  Returns 0, or
	 * -1 with "file:line: what" in ERR (then the service fails with
	 * config_invalid).
	 */
	int	(*reload)(void *ctx, struct sv_conf *conf,
		    struct sv_recipe *recipe, char *err, size_t errlen);
	/*
	 * spawn: start ARGV[0] with ARGV in a new session as RECIPE says.
	 * Returns 0 and the pid in *PID, or -1 with *WHY and errno set,
	 * and may put in TEXT (SIZE bytes, "" on the call) what to tell
	 * people after the program's name where strerror(errno) would
	 * mislead: "interpreter /bin/nosh not found".  Left "", the
	 * message says strerror(errno).
	 */
	int	(*spawn)(void *ctx, char *const argv[],
		    const struct sv_recipe *recipe, pid_t *pid,
		    enum sv_start_error *why, char *text, size_t size);
	/* kill: kill(2) to one process, PID > 0. */
	int	(*kill)(void *ctx, pid_t pid, int sig);
	/*
	 * signal_service: SIG to every process of the service whose
	 * process group is PGID: its cgroup where it has one, else the
	 * group and the descendants adopted from it.  SIGSTOP and SIGCONT
	 * pause and continue it whole; SIG 0 only tests for a live one.
	 * Returns 0, or -1 with errno: ESRCH when none is left.
	 */
	int	(*signal_service)(void *ctx, pid_t pgid, int sig);
	/*
	 * stop_service: SIG, then SIGCONT, to every process of the service
	 * as signal_service sends each, but together: where the system
	 * can, none of them runs, or forks, between the two.  Returns as
	 * signal_service does for SIG.
	 */
	int	(*stop_service)(void *ctx, pid_t pgid, int sig);
	/*
	 * probe: 1 when a listener of the service (its cgroup, process
	 * group or session PGID, or their descendants, where the system
	 * tells) accepts TCP connections on PORT at 127.0.0.1 or ::1, else
	 * 0.  A foreign listener on the port does not count.
	 */
	int	(*probe)(void *ctx, unsigned port, pid_t pgid);
	/*
	 * port_holder: asked before each start of ./run of a service with
	 * a ready-port: 1 when another process already listens on PORT
	 * where 127.0.0.1 or ::1 reach it, with "127.0.0.1:8080 held by
	 * pid 1234 (nginx)" in WHO; 0 when the port is free.
	 */
	int	(*port_holder)(void *ctx, unsigned port, char *who,
		    size_t size);
	/*
	 * event: the state went from FROM to TO (equal for a note, such as
	 * a control command that changed no state) because of REASON.
	 */
	void	(*event)(void *ctx, enum sv_state from, enum sv_state to,
		    const char *reason);
	/*
	 * needs_unmet: the names of CONF's needs that are not up and ready
	 * now, in conf order, space-separated, into UNMET (SIZE bytes,
	 * "" on the call; "" when all are met).  NULL: all are met.
	 */
	void	(*needs_unmet)(void *ctx, const struct sv_conf *conf,
		    char *unmet, size_t size);
	void	*ctx;
};

#define SV_WAITING_SIZE	1024	/* needs not met, space-separated */

struct sv {
	enum sv_state	state;
	enum sv_want	want;
	enum sv_ready	ready;
	int		paused;
	pid_t		pid;		/* ./run, 0 once reaped */
	pid_t		pgid;		/* its group, 0 once empty */
	pid_t		finish_pid;	/* ./finish, 0 when none */
	unsigned	restarts;	/* automatic, since the last u/o/r */
	unsigned long	attempts;	/* starts of ./run, never reset */
	int		last_wstatus;
	int		have_exit;	/* last_wstatus is set */
	int64_t		backoff_ms;	/* delay of the pending restart */
	char		error[512];	/* "" or "code: message" */
	struct sv_conf	conf;
	struct sv_recipe recipe;

	int64_t		timer_at;	/* state deadline, -1: none */
	int64_t		check_at;	/* next probe or group check, -1 */
	int64_t		check_step;
	int64_t		started_at;
	int64_t		next_delay_ms;	/* backoff ladder */
	int64_t		restart_at[CONF_MAX_RESTARTS];	/* a ring */
	unsigned	restart_first, restart_count;
	int		restart_now;	/* start again once stopped */
	int		escalated;	/* SIGKILL sent in this stop */
	int		exiting;	/* x received */
	int		leftover;	/* stopping an earlier instance */
	int		run_retry;	/* failed: ./run missing or not executable */
	int		holding;	/* backoff: a start held, port in use */
	char		hold_who[256];	/* ... by what port_holder said */
	int64_t		hold_delay_ms;	/* its retry ladder */
	int		done;
	unsigned long	events;		/* events emitted so far */

	/* ./check, the notify socket and the watchdog (sv_health_*). */
	enum sv_health	health;
	pid_t		check_pid;	/* a running ./check, 0 when none */
	int		check_stale;	/* ... left from an earlier run */
	int		check_timed_out; /* ... and killed at check-timeout */
	int64_t		check_run_at;	/* the next ./check, -1: none */
	int64_t		check_kill_at;	/* the running one's timeout, -1 */
	unsigned	check_fails;	/* failed checks in a row */
	int64_t		watchdog_at;	/* no WATCHDOG=1 by then: restart */
	int		unhealthy;	/* this stop counts as a failed exit */
	char		notice[256];	/* the last STATUS= */
	int		needs_wait;	/* starting: a start held for needs */
	char		waiting[SV_WAITING_SIZE];	/* ... those unmet */
};

/* sv_init: a service that is down and wants down, with default conf. */
void	sv_init(struct sv *sv);

/*
 * sv_boot: load conf and env/ through ops->reload and, when WANT_UP,
 * start the service.  REASON goes into the first event.
 */
void	sv_boot(struct sv *sv, const struct sv_ops *ops, int want_up,
	    const char *reason, int64_t now);

/*
 * sv_boot_leftover: instead of sv_boot, when the process group PGID of
 * an earlier sid-supervise's child still runs (that supervisor was
 * killed): stop that group as a stop command would, then start the
 * service when WANT_UP.  ./finish is not run for it.
 */
void	sv_boot_leftover(struct sv *sv, const struct sv_ops *ops, pid_t pgid,
	    int want_up, int64_t now);

/*
 * sv_on_control: one byte from the control FIFO.  Returns 0, or -1 for a
 * byte that is no command (nothing is done or recorded for it).
 */
int	sv_on_control(struct sv *sv, const struct sv_ops *ops,
	    unsigned char byte, int64_t now);

/*
 * sv_on_exit: PID exited with WSTATUS.  A pid that is neither ./run nor
 * ./finish (an orphan we reaped) may end a wait for the process group.
 */
void	sv_on_exit(struct sv *sv, const struct sv_ops *ops, pid_t pid,
	    int wstatus, int64_t now);

/* sv_on_ready: the child wrote its readiness notification. */
void	sv_on_ready(struct sv *sv, const struct sv_ops *ops, int64_t now);

/*
 * sv_on_run_changed: the service directory changed (./run may have been
 * created or made executable).  A service that failed because ./run was
 * missing or not executable, and still wants to run, tries again now; it
 * also tries every second by itself (sv_deadline) while in that state.
 */
void	sv_on_run_changed(struct sv *sv, const struct sv_ops *ops,
	    int64_t now);

/*
 * sv_on_notify: one datagram of LEN bytes from the notify socket, sent
 * by a process of the service: newline-separated assignments, of which
 * READY=1, STATUS=text and WATCHDOG=1 are acted on.
 */
void	sv_on_notify(struct sv *sv, const struct sv_ops *ops,
	    const char *msg, size_t len, int64_t now);

/*
 * sv_on_needs: UNMET, space-separated, are the needs not up and ready
 * now ("" when all are).  A start held for them (sv_awaiting) goes on
 * when none is left; otherwise the waiting list follows.  Outside such
 * a wait it does nothing: a need lost after the start stops nothing.
 */
void	sv_on_needs(struct sv *sv, const struct sv_ops *ops,
	    const char *unmet, int64_t now);

/* sv_awaiting: 1 while a start is held until needs are met. */
int	sv_awaiting(const struct sv *sv);

/* sv_on_timer: act on every deadline at or before NOW. */
void	sv_on_timer(struct sv *sv, const struct sv_ops *ops, int64_t now);

/* sv_deadline: when sv_on_timer is next due, or -1 for never. */
int64_t	sv_deadline(const struct sv *sv);

/* sv_done: 1 once an x command has been carried out. */
int	sv_done(const struct sv *sv);

/* Names used in status and events. */
const char *sv_state_name(enum sv_state state);
const char *sv_want_name(enum sv_want want);
const char *sv_ready_name(enum sv_ready ready);
const char *sv_health_name(enum sv_health health);
const char *sv_start_error_code(enum sv_start_error why);

/* sv_exit_text: "exit N" or "signal NAME" for WSTATUS, into BUF. */
char	*sv_exit_text(char *buf, size_t size, int wstatus);

#endif
