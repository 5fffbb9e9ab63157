/*
 * sv: the supervision state machine of one service.
 *
 * A life of ./run:  starting -> up -> (stopping) -> (finishing) -> next,
 * where "next" is down, failed, an immediate start (r), or backoff and a
 * start when the delay is over.  Stopping covers two waits: for ./run
 * after a stop command, and for the rest of its process group after
 * ./run exited, so that a new instance never meets the old one (a port
 * still bound, a second copy).  Every transition goes out through
 * ops->event; the caller writes status and events from them.
 *
 * Reasons and error messages are read by people, so their durations are
 * fmt_human_ms's ("next start in 25.6s", "within 1m00s"); the machine
 * form stays in status's own keys (backoff=25600ms).
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "fmt.h"
#include "parse.h"
#include "sv.h"

#define LEN(a)		(sizeof(a) / sizeof((a)[0]))
#define CHECK_FIRST_MS	5	/* first probe or group check */
#define CHECK_MAX_MS	200	/* slowest probe or group check */
#define RUN_RETRY_MS	1000	/* ./run missing or not executable: look again */
#define HOLD_MAX_MS	1000	/* slowest retry of a start held by its port */
#define HOLD_MIN_MS	10	/* ... and quickest, even with backoff-initial 0 */
#define SV_TEXT_SIZE	384	/* why a spawn failed, for people */

static void	start(struct sv *, const struct sv_ops *, int explicit,
		    const char *reason, int64_t now);
static void	launched(struct sv *, const struct sv_ops *, int64_t now);
static void	health_arm(struct sv *, int64_t now);
static void	health_left(struct sv *, const struct sv_ops *,
		    enum sv_state to);
static int	health_timer(struct sv *, const struct sv_ops *, int64_t now);
static void	check_exited(struct sv *, const struct sv_ops *, int wstatus,
		    int64_t now);
static int	hold_for_needs(struct sv *, const struct sv_ops *,
		    const char *reason, int64_t now);

static const char *const state_names[] = {
	[SV_DOWN] = "down",
	[SV_STARTING] = "starting",
	[SV_UP] = "up",
	[SV_STOPPING] = "stopping",
	[SV_FINISHING] = "finishing",
	[SV_BACKOFF] = "backoff",
	[SV_FAILED] = "failed",
};

const char *
sv_state_name(enum sv_state state)
{
	return state_names[state];
}

const char *
sv_want_name(enum sv_want want)
{
	static const char *const names[] = {
		[SV_WANT_UP] = "up",
		[SV_WANT_DOWN] = "down",
		[SV_WANT_ONCE] = "once",
	};

	return names[want];
}

const char *
sv_ready_name(enum sv_ready ready)
{
	static const char *const names[] = {
		[SV_READY_NA] = "n/a",
		[SV_READY_NO] = "no",
		[SV_READY_YES] = "yes",
	};

	return names[ready];
}

const char *
sv_health_name(enum sv_health health)
{
	static const char *const names[] = {
		[SV_HEALTH_NA] = "n/a",
		[SV_HEALTH_OK] = "ok",
		[SV_HEALTH_FAILING] = "failing",
	};

	return names[health];
}

const char *
sv_start_error_code(enum sv_start_error why)
{
	static const char *const codes[] = {
		[SV_START_OK] = "",
		[SV_START_MISSING] = "run_missing",
		[SV_START_NOT_EXECUTABLE] = "run_not_executable",
		[SV_START_EXEC_FAILED] = "exec_failed",
	};

	return codes[why];
}

char *
sv_exit_text(char *buf, size_t size, int wstatus)
{
	const char *name;

	if (WIFSIGNALED(wstatus)) {
		if ((name = sig_name(WTERMSIG(wstatus))) != NULL)
			snprintf(buf, size, "signal %s", name);
		else
			snprintf(buf, size, "signal %d", WTERMSIG(wstatus));
	} else
		snprintf(buf, size, "exit %d", WEXITSTATUS(wstatus));
	return buf;
}

void
sv_init(struct sv *sv)
{
	memset(sv, 0, sizeof *sv);
	sv->state = SV_DOWN;
	sv->want = SV_WANT_DOWN;
	conf_defaults(&sv->conf);
	sv->recipe.fds[0] = 0;
	sv->recipe.fds[1] = 1;
	sv->recipe.fds[2] = 2;
	sv->recipe.notify_fd = -1;
	sv->recipe.cgroup_fd = -1;
	sv->recipe.cgroup_dir = -1;
	sv->timer_at = -1;
	sv->check_at = -1;
	sv->next_delay_ms = sv->conf.backoff_initial_ms;
	sv->check_run_at = -1;
	sv->check_kill_at = -1;
	sv->watchdog_at = -1;
}

/* A note in the history that changes no state. */
static void
note(struct sv *sv, const struct sv_ops *ops, const char *reason)
{
	sv->events++;
	ops->event(ops->ctx, sv->state, sv->state, reason);
}

static void
enter(struct sv *sv, const struct sv_ops *ops, enum sv_state to,
    const char *reason)
{
	enum sv_state from = sv->state;

	sv->state = to;
	sv->timer_at = -1;
	sv->check_at = -1;
	sv->backoff_ms = 0;
	sv->run_retry = 0;
	if (to != SV_BACKOFF)
		sv->holding = 0;
	health_left(sv, ops, to);
	sv->needs_wait = 0;
	sv->waiting[0] = '\0';
	sv->events++;
	ops->event(ops->ctx, from, to, reason);
}

static void
fail(struct sv *sv, const struct sv_ops *ops, const char *error)
{
	size_t len = strlen(error);

	if (len >= sizeof sv->error)
		len = sizeof sv->error - 1;
	memcpy(sv->error, error, len);
	sv->error[len] = '\0';
	enter(sv, ops, SV_FAILED, error);
}

static int
has_readiness(const struct sv *sv)
{
	return sv->conf.ready_port != 0 || sv->conf.notification_fd >= 0 ||
	    sv->conf.notify_socket || sv->recipe.has_check;
}

/*
 * ops->spawn, with what went wrong in TEXT for people: the spawn's own
 * words ("interpreter /bin/nosh not found"), else strerror.
 */
static int
spawn(const struct sv_ops *ops, char *const argv[],
    const struct sv_recipe *recipe, pid_t *pid, enum sv_start_error *err,
    char *text, size_t size)
{
	text[0] = '\0';
	if (ops->spawn(ops->ctx, argv, recipe, pid, err, text, size) == 0)
		return 0;
	if (text[0] == '\0')
		snprintf(text, size, "%s", strerror(errno));
	return -1;
}

/*
 * A kill(2) failed for a reason other than ESRCH (EPERM: the process
 * changed its user): say so in status and in the history, since the
 * service may now outlive the stop that was asked for.
 */
static void
signal_failed(struct sv *sv, const struct sv_ops *ops, int sig,
    const char *target, const char *reason)
{
	const char *name = sig_name(sig);
	int err = errno;

	snprintf(sv->error, sizeof sv->error, "signal_failed: SIG%s to %s: %s",
	    name != NULL ? name : "?", target, strerror(err));
	if (reason == NULL)
		note(sv, ops, sv->error);
	else {
		char why[sizeof sv->error + 40];

		snprintf(why, sizeof why, "%s: %s", reason, sv->error);
		note(sv, ops, why);
	}
}

/*
 * SIG to the whole service (its cgroup, or ./run's process group and
 * what it adopted), and with CONT a SIGCONT together with it
 * (stop_service); where that is already gone but ./run is not (it left
 * its group), to ./run itself.
 */
static void
signal_group(struct sv *sv, const struct sv_ops *ops, int sig, int cont)
{
	char target[48];

	if (sv->pgid == 0 || (cont ?
	    ops->stop_service(ops->ctx, sv->pgid, sig) :
	    ops->signal_service(ops->ctx, sv->pgid, sig)) == 0)
		return;
	snprintf(target, sizeof target, "process group %ld", (long)sv->pgid);
	if (errno == ESRCH) {
		if (sv->pid == 0)
			return;
		snprintf(target, sizeof target, "pid %ld", (long)sv->pid);
		if (ops->kill(ops->ctx, sv->pid, sig) == 0) {
			if (cont)
				ops->kill(ops->ctx, sv->pid, SIGCONT);
			return;
		}
		if (errno == ESRCH)
			return;
	}
	signal_failed(sv, ops, sig, target, NULL);
}

static int
group_alive(struct sv *sv, const struct sv_ops *ops)
{
	if (sv->pgid == 0)
		return 0;
	if (ops->signal_service(ops->ctx, sv->pgid, 0) == 0 || errno == EPERM)
		return 1;
	sv->pgid = 0;
	return 0;
}

static void
check_soon(struct sv *sv, int64_t now)
{
	sv->check_step = CHECK_FIRST_MS;
	sv->check_at = now + sv->check_step;
}

static void
check_later(struct sv *sv, int64_t now)
{
	sv->check_step *= 2;
	if (sv->check_step > CHECK_MAX_MS)
		sv->check_step = CHECK_MAX_MS;
	sv->check_at = now + sv->check_step;
}

/* Send stop-signal and SIGCONT to the group and wait up to stop-grace. */
static void
stop(struct sv *sv, const struct sv_ops *ops, const char *reason,
    int64_t now)
{
	signal_group(sv, ops, sv->conf.stop_signal, 1);
	sv->paused = 0;
	if (has_readiness(sv))
		sv->ready = SV_READY_NO;	/* it takes no traffic now */
	enter(sv, ops, SV_STOPPING, reason);
	sv->escalated = 0;
	sv->timer_at = now + sv->conf.stop_grace_ms;
	if (sv->pid == 0)
		check_soon(sv, now);
}

static int
policy_restarts(enum restart_policy policy, int wstatus)
{
	switch (policy) {
	case RESTART_ALWAYS:
		return 1;
	case RESTART_ON_FAILURE:
		return !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0;
	case RESTART_NEVER:
		return 0;
	}
	return 0;
}

/* Forget the automatic restarts: an explicit u, o or r. */
static void
reset_restarts(struct sv *sv)
{
	sv->restarts = 0;
	sv->restart_count = 0;
	sv->restart_first = 0;
	sv->next_delay_ms = sv->conf.backoff_initial_ms;
	sv->hold_delay_ms = sv->conf.backoff_initial_ms;
}

/*
 * The cap: more than max-restarts automatic restarts within the window
 * fails the service.  restart_at holds the times of the recent ones,
 * oldest first, in a ring.  Returns 0 and records NOW, or -1 when
 * another restart would break the cap.
 */
static int
count_restart(struct sv *sv, int64_t now)
{
	unsigned cap = sv->conf.max_restarts;

	if (cap == 0)
		return 0;
	while (sv->restart_count > 0 && sv->restart_at[sv->restart_first] <=
	    now - sv->conf.restart_window_ms) {
		sv->restart_first = (sv->restart_first + 1) % LEN(sv->restart_at);
		sv->restart_count--;
	}
	if (sv->restart_count >= cap)
		return -1;
	sv->restart_at[(sv->restart_first + sv->restart_count) %
	    LEN(sv->restart_at)] = now;
	sv->restart_count++;
	return 0;
}

/* The delay before the next automatic restart, and the step after it. */
static int64_t
next_delay(struct sv *sv, int64_t lived_ms)
{
	int64_t delay;

	if (lived_ms >= sv->conf.healthy_after_ms)
		sv->next_delay_ms = sv->conf.backoff_initial_ms;
	delay = sv->next_delay_ms;
	sv->next_delay_ms = delay * 2 > sv->conf.backoff_max_ms ?
	    sv->conf.backoff_max_ms : delay * 2;
	return delay;
}

/* ./run and its group are gone, and ./finish too: what comes next. */
static void
after_run(struct sv *sv, const struct sv_ops *ops, const char *reason,
    int64_t now)
{
	char why[256], dur[FMT_DURATION_SIZE], win[FMT_DURATION_SIZE];
	int64_t delay;

	if (sv->exiting) {
		enter(sv, ops, SV_DOWN, reason);
		sv->done = 1;
	} else if (sv->restart_now) {
		/* A u, o or r came while the old run was ending. */
		sv->restart_now = 0;
		start(sv, ops, 1, reason, now);
	} else if (sv->want != SV_WANT_UP ||
	    !policy_restarts(sv->conf.restart, sv->unhealthy ? 1 << 8 :
	    sv->last_wstatus)) {
		enter(sv, ops, SV_DOWN, reason);
	} else if (count_restart(sv, now) == -1) {
		snprintf(why, sizeof why, "retry_cap: more than %u restarts "
		    "within %s", sv->conf.max_restarts, fmt_human_ms(win,
		    sizeof win, sv->conf.restart_window_ms));
		fail(sv, ops, why);
	} else {
		/* A failed check or watchdog is no healthy run. */
		delay = next_delay(sv, sv->unhealthy ? 0 : now -
		    sv->started_at);
		sv->restarts++;
		snprintf(why, sizeof why, "%s (next start in %s)", reason,
		    fmt_human_ms(dur, sizeof dur, delay));
		enter(sv, ops, SV_BACKOFF, why);
		sv->backoff_ms = delay;
		sv->timer_at = now + delay;
		if (delay == 0)
			sv_on_timer(sv, ops, now);
	}
}

/*
 * ./finish did not start, ERR saying why and TEXT for people: a note.
 * Apart from run_ended, whose frame is under every restart (after_run,
 * and its events line and status): WHY takes stack only now.
 */
static void	finish_failed(struct sv *, const struct sv_ops *,
		    enum sv_start_error, const char *)
		    __attribute__((noinline));

static void
finish_failed(struct sv *sv, const struct sv_ops *ops,
    enum sv_start_error err, const char *text)
{
	char why[SV_TEXT_SIZE + 64];

	snprintf(why, sizeof why, "finish: %s: ./finish: %s",
	    sv_start_error_code(err), text);
	note(sv, ops, why);
}

/* ./run and its whole group are gone: run ./finish, or go on. */
static void
run_ended(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char reason[64], code[16], sig[16], text[SV_TEXT_SIZE];
	char *argv[] = { "./finish", code, sig, NULL };
	struct sv_recipe recipe = sv->recipe;
	enum sv_start_error err;

	recipe.notify_fd = -1;		/* readiness is ./run's alone */
	recipe.cgroup_fd = -1;		/* the cgroup holds ./run's processes */
	sv_exit_text(reason, sizeof reason, sv->last_wstatus);
	snprintf(code, sizeof code, "%d", WIFEXITED(sv->last_wstatus) ?
	    WEXITSTATUS(sv->last_wstatus) : 256);
	snprintf(sig, sizeof sig, "%d", WIFSIGNALED(sv->last_wstatus) ?
	    WTERMSIG(sv->last_wstatus) : 0);
	sv->pgid = 0;
	if (sv->leftover) {
		sv->leftover = 0;
		after_run(sv, ops, "earlier instance gone", now);
		return;
	}
	if (spawn(ops, argv, &recipe, &sv->finish_pid, &err, text,
	    sizeof text) == 0) {
		enter(sv, ops, SV_FINISHING, reason);
		sv->timer_at = now + sv->conf.finish_timeout_ms;
		return;
	}
	sv->finish_pid = 0;
	if (err != SV_START_MISSING)
		finish_failed(sv, ops, err, text);
	after_run(sv, ops, reason, now);
}

static void
become_up(struct sv *sv, const struct sv_ops *ops, enum sv_ready ready,
    const char *reason)
{
	sv->ready = ready;
	if (ready != SV_READY_NO)
		sv->error[0] = '\0';
	enter(sv, ops, SV_UP, reason);
}

/* Read conf and env/ again; on failure the service is failed. */
static int
reload(struct sv *sv, const struct sv_ops *ops)
{
	/* Why, after its code: one buffer, for a small stack. */
	char msg[sizeof sv->error + 32] = "config_invalid: ";
	size_t code = strlen(msg);

	if (ops->reload(ops->ctx, &sv->conf, &sv->recipe, msg + code,
	    sizeof sv->error) == -1) {
		fail(sv, ops, msg);
		return -1;
	}
	sv->next_delay_ms = sv->conf.backoff_initial_ms;
	sv->ready = has_readiness(sv) ? SV_READY_NO : SV_READY_NA;
	return 0;
}

static int
run_is_absent(enum sv_start_error err)
{
	return err == SV_START_MISSING || err == SV_START_NOT_EXECUTABLE;
}

/*
 * ./run could not be started.  When it is missing or not executable and
 * the service still wants to run, look again every RUN_RETRY_MS (and
 * whenever sv_on_run_changed() says the directory changed): a run being
 * written in place starts as soon as it is whole, as runit's does.
 */
static void
start_failed(struct sv *sv, const struct sv_ops *ops, enum sv_start_error err,
    const char *text, int64_t now)
{
	char why[sizeof sv->error];

	sv->pid = 0;
	snprintf(why, sizeof why, "%s: ./run: %s", sv_start_error_code(err),
	    text);
	fail(sv, ops, why);
	if (run_is_absent(err) && sv->want != SV_WANT_DOWN) {
		sv->run_retry = 1;
		sv->timer_at = now + RUN_RETRY_MS;
	}
}

/*
 * Before ./run starts: is its ready-port taken by another process?  Then
 * a listener that is not the service's would answer for it, and the run
 * would fail to bind.  The start is held in backoff instead, and tried
 * again on the backoff ladder capped at min(backoff-max, HOLD_MAX_MS),
 * so that it follows soon after the port is free.  Nothing ran, so it is
 * no restart (max-restarts is not touched).  The first hold, and a new
 * holder, make an event; a retry that finds the same holder is quiet.
 * Returns 1 when the start is held.
 */
static int
hold_for_port(struct sv *sv, const struct sv_ops *ops, const char *reason,
    int64_t now)
{
	char who[sizeof sv->hold_who], why[sizeof sv->error + 96];
	char dur[FMT_DURATION_SIZE];
	int64_t cap, delay;
	int again;

	who[0] = '\0';
	if (sv->conf.ready_port == 0 || ops->port_holder(ops->ctx,
	    sv->conf.ready_port, who, sizeof who) != 1) {
		sv->holding = 0;
		return 0;
	}
	again = sv->state == SV_BACKOFF && sv->holding;
	if (!again)
		sv->hold_delay_ms = sv->conf.backoff_initial_ms;
	cap = sv->conf.backoff_max_ms < HOLD_MAX_MS ?
	    sv->conf.backoff_max_ms : HOLD_MAX_MS;
	delay = sv->hold_delay_ms < cap ? sv->hold_delay_ms : cap;
	if (delay < HOLD_MIN_MS)
		delay = HOLD_MIN_MS;
	sv->hold_delay_ms = delay * 2 < cap ? delay * 2 : cap;
	snprintf(sv->error, sizeof sv->error, "port_in_use: %s", who);
	if (!again || strcmp(who, sv->hold_who) != 0) {
		snprintf(why, sizeof why, "%s: %s (next start in %s)", reason,
		    sv->error, fmt_human_ms(dur, sizeof dur, delay));
		enter(sv, ops, SV_BACKOFF, why);
	}
	memcpy(sv->hold_who, who, sizeof who);
	sv->holding = 1;
	sv->backoff_ms = delay;
	sv->timer_at = now + delay;
	return 1;
}

/* Start ./run; EXPLICIT (u, o, r) reads conf and env/ first. */
static void
start(struct sv *sv, const struct sv_ops *ops, int explicit,
    const char *reason, int64_t now)
{
	char *argv[] = { "./run", NULL }, text[SV_TEXT_SIZE];
	enum sv_start_error err;

	if (explicit && reload(sv, ops) == -1)
		return;
	if (hold_for_needs(sv, ops, reason, now))
		return;
	if (hold_for_port(sv, ops, reason, now))
		return;
	enter(sv, ops, SV_STARTING, reason);
	sv->paused = 0;
	if (spawn(ops, argv, &sv->recipe, &sv->pid, &err, text,
	    sizeof text) == -1) {
		start_failed(sv, ops, err, text, now);
		return;
	}
	launched(sv, ops, now);
}

/*
 * Look for ./run again, quietly while it is still missing or not
 * executable: only a start, or a new kind of failure, is news.
 */
static void
retry_run(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char *argv[] = { "./run", NULL }, text[SV_TEXT_SIZE];
	enum sv_start_error err;
	pid_t pid;

	if (hold_for_needs(sv, ops, "./run looked for again", now))
		return;
	if (hold_for_port(sv, ops, "./run looked for again", now))
		return;
	if (spawn(ops, argv, &sv->recipe, &pid, &err, text,
	    sizeof text) == -1) {
		if (run_is_absent(err)) {
			sv->timer_at = now + RUN_RETRY_MS;
			return;
		}
		enter(sv, ops, SV_STARTING, "./run changed");
		start_failed(sv, ops, err, text, now);
		return;
	}
	enter(sv, ops, SV_STARTING, "./run is ready");
	sv->paused = 0;
	sv->pid = pid;
	launched(sv, ops, now);
}

void
sv_on_run_changed(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	if (sv->state == SV_FAILED && sv->run_retry)
		retry_run(sv, ops, now);
}

/* ./run is running as sv->pid: up now, or once it is ready. */
static void
launched(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	sv->attempts++;
	sv->pgid = sv->pid;
	sv->started_at = now;
	/* It runs: an earlier start error is history (events keeps it). */
	if (strncmp(sv->error, "stop_escalated", 14) != 0 &&
	    strncmp(sv->error, "check_failed", 12) != 0 &&
	    strncmp(sv->error, "watchdog_timeout", 16) != 0)
		sv->error[0] = '\0';
	health_arm(sv, now);
	if (!has_readiness(sv)) {
		become_up(sv, ops, SV_READY_NA, "started");
		return;
	}
	sv->ready = SV_READY_NO;
	sv->timer_at = now + sv->conf.ready_timeout_ms;
	if (sv->conf.ready_port != 0)
		check_soon(sv, now);
}

void
sv_boot(struct sv *sv, const struct sv_ops *ops, int want_up,
    const char *reason, int64_t now)
{
	if (want_up) {
		sv->want = SV_WANT_UP;
		start(sv, ops, 1, reason, now);
	} else if (reload(sv, ops) == 0)
		note(sv, ops, reason);
}

void
sv_boot_leftover(struct sv *sv, const struct sv_ops *ops, pid_t pgid,
    int want_up, int64_t now)
{
	char why[sizeof sv->error];

	/* The stop needs stop-signal and stop-grace; a bad conf waits. */
	if (ops->reload(ops->ctx, &sv->conf, &sv->recipe, why,
	    sizeof why) == -1)
		conf_defaults(&sv->conf);
	sv->want = want_up ? SV_WANT_UP : SV_WANT_DOWN;
	sv->restart_now = want_up;
	sv->leftover = 1;
	sv->pgid = pgid;
	stop(sv, ops, "instance left by an earlier sid-supervise", now);
}

/* Start now if nothing runs, else once the current run has ended. */
static void
start_or_queue(struct sv *sv, const struct sv_ops *ops, const char *reason,
    int64_t now)
{
	switch (sv->state) {
	case SV_DOWN:
	case SV_FAILED:
	case SV_BACKOFF:
		start(sv, ops, 1, reason, now);
		break;
	case SV_STOPPING:
	case SV_FINISHING:
		sv->restart_now = 1;
		break;
	case SV_STARTING:
	case SV_UP:
		break;
	}
}

static void
on_signal_cmd(struct sv *sv, const struct sv_ops *ops, int sig,
    const char *reason)
{
	char why[160];

	if (sv->pid == 0) {
		snprintf(why, sizeof why, "%s (no child)", reason);
		note(sv, ops, why);
		return;
	}
	if (ops->kill(ops->ctx, sv->pid, sig) == -1) {
		if (errno == ESRCH) {
			snprintf(why, sizeof why, "%s (no child)", reason);
			note(sv, ops, why);
		} else {
			snprintf(why, sizeof why, "pid %ld", (long)sv->pid);
			signal_failed(sv, ops, sig, why, reason);
		}
	}
}

/* p and c: stop or continue every process of the service, not one. */
static void
on_pause_cmd(struct sv *sv, const struct sv_ops *ops, int pause,
    const char *reason)
{
	char why[160];
	int sig = pause ? SIGSTOP : SIGCONT;

	if (sv->pid == 0 || sv->pgid == 0) {
		snprintf(why, sizeof why, "%s (no child)", reason);
		note(sv, ops, why);
		return;
	}
	if (ops->signal_service(ops->ctx, sv->pgid, sig) == -1 &&
	    errno != ESRCH) {
		snprintf(why, sizeof why, "process group %ld", (long)sv->pgid);
		signal_failed(sv, ops, sig, why, reason);
		return;
	}
	sv->paused = pause;
}

static void
on_stop_cmd(struct sv *sv, const struct sv_ops *ops, const char *reason,
    int64_t now)
{
	if (sv->needs_wait)	/* nothing runs yet: the wait ends */
		enter(sv, ops, SV_DOWN, reason);
	switch (sv->state) {
	case SV_STARTING:
	case SV_UP:
		stop(sv, ops, reason, now);
		break;
	case SV_BACKOFF:
	case SV_FAILED:
		enter(sv, ops, SV_DOWN, reason);
		break;
	case SV_DOWN:
	case SV_STOPPING:
	case SV_FINISHING:
		break;
	}
	if (sv->exiting && (sv->state == SV_DOWN || sv->state == SV_FAILED))
		sv->done = 1;
}

int
sv_on_control(struct sv *sv, const struct sv_ops *ops, unsigned char byte,
    int64_t now)
{
	unsigned long before = sv->events;
	char reason[32];
	int sig = 0;
	enum ctl_cmd cmd = ctl_parse(byte, &sig);

	if (cmd == CTL_UNKNOWN)
		return -1;
	/* x is carried out: the supervisor exits, nothing starts again. */
	if (sv->done)
		return 0;
	snprintf(reason, sizeof reason, "control: %c", byte);
	switch (cmd) {
	case CTL_UP:
	case CTL_ONCE:
		sv->want = cmd == CTL_UP ? SV_WANT_UP : SV_WANT_ONCE;
		reset_restarts(sv);
		start_or_queue(sv, ops, reason, now);
		break;
	case CTL_RESTART:
		sv->want = SV_WANT_UP;
		reset_restarts(sv);
		if (sv->needs_wait)	/* nothing to stop: wait anew */
			start(sv, ops, 1, reason, now);
		else if (sv->state == SV_STARTING || sv->state == SV_UP) {
			sv->restart_now = 1;
			stop(sv, ops, reason, now);
		} else
			start_or_queue(sv, ops, reason, now);
		break;
	case CTL_EXIT:
		sv->exiting = 1;
		/* FALLTHROUGH */
	case CTL_DOWN:
		sv->want = SV_WANT_DOWN;
		sv->restart_now = 0;
		on_stop_cmd(sv, ops, reason, now);
		break;
	case CTL_SIGNAL:
		on_signal_cmd(sv, ops, sig, reason);
		break;
	case CTL_PAUSE:
	case CTL_CONT:
		on_pause_cmd(sv, ops, cmd == CTL_PAUSE, reason);
		break;
	case CTL_UNKNOWN:
		break;
	}
	if (sv->events == before)
		note(sv, ops, reason);
	return 0;
}

/* ./run exited, or its group emptied: continue the stop, or end the run. */
static void
run_exited(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char why[128];

	if (group_alive(sv, ops)) {
		if (sv->state == SV_STOPPING) {
			check_soon(sv, now);
			/*
			 * SIGKILL went out while ./run lived, so nothing
			 * was waiting to give up on the group: it gets one
			 * more stop-grace from now, as on_stopping_timer
			 * gives it.
			 */
			if (sv->escalated && sv->timer_at < 0)
				sv->timer_at = now + sv->conf.stop_grace_ms;
			return;
		}
		/* An unexpected exit that left the group behind. */
		sv_exit_text(why, sizeof why, sv->last_wstatus);
		strcat(why, " (process group still running)");
		stop(sv, ops, why, now);
		return;
	}
	run_ended(sv, ops, now);
}

void
sv_on_exit(struct sv *sv, const struct sv_ops *ops, pid_t pid, int wstatus,
    int64_t now)
{
	char why[128];

	if (pid <= 0)
		return;
	if (pid == sv->check_pid) {
		check_exited(sv, ops, wstatus, now);
		return;
	}
	if (pid == sv->finish_pid) {
		sv->finish_pid = 0;
		if (sv->state == SV_FINISHING) {
			sv_exit_text(why, sizeof why, sv->last_wstatus);
			after_run(sv, ops, why, now);
		}
		return;
	}
	if (pid != sv->pid) {
		/* An orphan of the group: maybe the last one. */
		if (sv->state == SV_STOPPING && sv->pid == 0 &&
		    !group_alive(sv, ops))
			run_ended(sv, ops, now);
		return;
	}
	sv->pid = 0;
	sv->paused = 0;
	sv->last_wstatus = wstatus;
	sv->have_exit = 1;
	if (has_readiness(sv))
		sv->ready = SV_READY_NO;
	run_exited(sv, ops, now);
}

void
sv_on_ready(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	(void)now;
	if (sv->needs_wait)
		return;		/* no ./run of this start yet */
	if (sv->state == SV_STARTING)
		become_up(sv, ops, SV_READY_YES, "ready");
	else if (sv->state == SV_UP && sv->ready == SV_READY_NO) {
		sv->ready = SV_READY_YES;
		sv->error[0] = '\0';
		note(sv, ops, "ready");
	}
}

static void
on_starting_timer(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char why[sizeof sv->error], dur[FMT_DURATION_SIZE];

	if (sv->check_at >= 0 && now >= sv->check_at) {
		if (ops->probe(ops->ctx, sv->conf.ready_port, sv->pgid)) {
			become_up(sv, ops, SV_READY_YES, "ready");
			return;
		}
		check_later(sv, now);
	}
	if (sv->timer_at < 0 || now < sv->timer_at)
		return;
	fmt_human_ms(dur, sizeof dur, sv->conf.ready_timeout_ms);
	if (sv->conf.ready_port != 0)
		snprintf(why, sizeof why, "started_but_unbound: port %u not "
		    "listening after %s", sv->conf.ready_port, dur);
	else if (sv->conf.notification_fd < 0 && sv->conf.notify_socket)
		snprintf(why, sizeof why, "started_but_unbound: no READY=1 "
		    "on the notify socket after %s", dur);
	else if (sv->conf.notification_fd < 0)
		snprintf(why, sizeof why, "started_but_unbound: ./check did "
		    "not pass after %s", dur);
	else
		snprintf(why, sizeof why, "started_but_unbound: no readiness "
		    "notification on fd %d after %s",
		    sv->conf.notification_fd, dur);
	strcpy(sv->error, why);
	become_up(sv, ops, SV_READY_NO, why);
}

/*
 * Stop grace is over.  The first time, SIGKILL the group.  If the group
 * still lingers one more grace later (a process stuck in the kernel),
 * go on without it rather than hang the service forever.
 */
static void
on_stopping_timer(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char why[160], dur[FMT_DURATION_SIZE];

	if (sv->check_at >= 0 && now >= sv->check_at) {
		if (!group_alive(sv, ops)) {
			run_ended(sv, ops, now);
			return;
		}
		check_later(sv, now);
	}
	if (sv->timer_at < 0 || now < sv->timer_at)
		return;
	fmt_human_ms(dur, sizeof dur, sv->conf.stop_grace_ms);
	if (!sv->escalated) {
		sv->escalated = 1;
		snprintf(sv->error, sizeof sv->error, "stop_escalated: "
		    "SIGKILL to process group %ld after %s", (long)sv->pgid,
		    dur);
		note(sv, ops, sv->error + strlen("stop_escalated: "));
		signal_group(sv, ops, SIGKILL, 0);
		sv->timer_at = now + sv->conf.stop_grace_ms;
	} else if (sv->pid == 0) {
		snprintf(why, sizeof why, "process group %ld still present "
		    "after SIGKILL; going on", (long)sv->pgid);
		note(sv, ops, why);
		run_ended(sv, ops, now);
	} else
		sv->timer_at = -1;	/* only ./run's exit can help now */
}

static void
on_finishing_timer(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char why[64], dur[FMT_DURATION_SIZE];

	(void)now;
	if (sv->timer_at < 0 || now < sv->timer_at)
		return;
	sv->timer_at = -1;
	snprintf(why, sizeof why, "finish timed out after %s, SIGKILL",
	    fmt_human_ms(dur, sizeof dur, sv->conf.finish_timeout_ms));
	note(sv, ops, why);
	if (ops->kill(ops->ctx, -sv->finish_pid, SIGKILL) == -1 &&
	    errno == ESRCH)
		ops->kill(ops->ctx, sv->finish_pid, SIGKILL);
}

/*
 * ./check, the notify socket and the watchdog.
 *
 * While ./run is starting, ./check is polled every CHECK_POLL_MS and its
 * first pass makes the service ready; once up it runs every
 * check-interval.  Each run is killed (its process group) after
 * check-timeout, which counts as a failure, and a new one starts only
 * after the last has been reaped.  check-failures failures in a row,
 * or a watchdog not fed in time, stop the service as d would and start
 * it again, counted as an unhealthy exit.  None of these timers exists
 * for a service without ./check or watchdog.
 */
#define CHECK_POLL_MS	100

static int
health_live(const struct sv *sv)
{
	return sv->state == SV_STARTING || sv->state == SV_UP;
}

/* ./run was just launched: arm what it has. */
static void
health_arm(struct sv *sv, int64_t now)
{
	sv->check_fails = 0;
	sv->unhealthy = 0;
	sv->notice[0] = '\0';
	sv->check_run_at = -1;
	sv->watchdog_at = -1;
	sv->health = sv->recipe.has_check ? SV_HEALTH_FAILING : SV_HEALTH_NA;
	if (sv->recipe.has_check)
		sv->check_run_at = now;
	if (sv->conf.notify_socket && sv->conf.watchdog_ms > 0)
		sv->watchdog_at = now + sv->conf.watchdog_ms;
}

/* Leaving starting and up: no checks, no watchdog; a running check dies. */
static void
health_left(struct sv *sv, const struct sv_ops *ops, enum sv_state to)
{
	if (to == SV_STARTING || to == SV_UP)
		return;
	sv->check_run_at = -1;
	sv->check_kill_at = -1;
	sv->watchdog_at = -1;
	if (sv->check_pid != 0 && !sv->check_stale) {
		sv->check_stale = 1;
		if (ops->kill(ops->ctx, -sv->check_pid, SIGKILL) == -1)
			ops->kill(ops->ctx, sv->check_pid, SIGKILL);
	}
}

/* Stop as d would, start again with backoff: ERROR says why. */
static void
unhealthy_stop(struct sv *sv, const struct sv_ops *ops, const char *error,
    int64_t now)
{
	snprintf(sv->error, sizeof sv->error, "%s", error);
	sv->unhealthy = 1;
	stop(sv, ops, error, now);
}

static void
check_spawn(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char *argv[] = { "./check", NULL }, text[SV_TEXT_SIZE];
	char why[SV_TEXT_SIZE + 64];
	struct sv_recipe recipe = sv->recipe;
	enum sv_start_error err;
	pid_t pid;

	recipe.notify_fd = -1;		/* readiness is ./run's alone */
	recipe.cgroup_fd = -1;
	sv->check_run_at = -1;
	if (spawn(ops, argv, &recipe, &pid, &err, text, sizeof text) == 0) {
		sv->check_pid = pid;
		sv->check_stale = 0;
		sv->check_timed_out = 0;
		sv->check_kill_at = now + sv->conf.check_timeout_ms;
		return;
	}
	if (err == SV_START_MISSING) {
		/* Removed: the service has no check any more. */
		sv->health = SV_HEALTH_NA;
		note(sv, ops, "./check is gone");
		return;
	}
	snprintf(why, sizeof why, "check: %s: ./check: %s",
	    sv_start_error_code(err), text);
	note(sv, ops, why);
	sv->check_run_at = now + (sv->state == SV_STARTING ? CHECK_POLL_MS :
	    sv->conf.check_interval_ms);
}

static void
check_exited(struct sv *sv, const struct sv_ops *ops, int wstatus,
    int64_t now)
{
	char result[64], why[160], dur[FMT_DURATION_SIZE];
	int passed = !sv->check_timed_out && WIFEXITED(wstatus) &&
	    WEXITSTATUS(wstatus) == 0;

	sv->check_pid = 0;
	sv->check_kill_at = -1;
	if (sv->check_stale || !health_live(sv)) {
		/* Killed with an earlier run: a new run checks afresh. */
		sv->check_stale = 0;
		if (health_live(sv) && sv->recipe.has_check)
			sv->check_run_at = now;
		return;
	}
	if (sv->state == SV_STARTING) {
		if (passed) {
			sv->health = SV_HEALTH_OK;
			sv->check_run_at = now + sv->conf.check_interval_ms;
			become_up(sv, ops, SV_READY_YES, "ready: ./check passed");
		} else
			sv->check_run_at = now + CHECK_POLL_MS;
		return;
	}
	if (passed) {
		sv->check_fails = 0;
		if (sv->health != SV_HEALTH_OK && sv->check_fails == 0)
			note(sv, ops, "./check passed");
		sv->health = SV_HEALTH_OK;
		if (sv->ready == SV_READY_NO) {
			sv->ready = SV_READY_YES;
			sv->error[0] = '\0';
		}
		sv->check_run_at = now + sv->conf.check_interval_ms;
		return;
	}
	if (sv->check_timed_out)
		snprintf(result, sizeof result, "timed out after %s",
		    fmt_human_ms(dur, sizeof dur, sv->conf.check_timeout_ms));
	else
		sv_exit_text(result, sizeof result, wstatus);
	sv->check_fails++;
	sv->health = SV_HEALTH_FAILING;
	if (sv->check_fails >= sv->conf.check_failures) {
		snprintf(why, sizeof why, "check_failed: %s (%u in a row)",
		    result, sv->check_fails);
		unhealthy_stop(sv, ops, why, now);
		return;
	}
	snprintf(why, sizeof why, "./check failed: %s (%u in a row)", result,
	    sv->check_fails);
	note(sv, ops, why);
	sv->check_run_at = now + sv->conf.check_interval_ms;
}

/* Returns 1 when the service was stopped (nothing else is due now). */
static int
health_timer(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	char why[128], dur[FMT_DURATION_SIZE];

	if (!health_live(sv))
		return 0;
	if (sv->watchdog_at >= 0 && now >= sv->watchdog_at) {
		snprintf(why, sizeof why, "watchdog_timeout: no WATCHDOG=1 "
		    "for %s", fmt_human_ms(dur, sizeof dur,
		    sv->conf.watchdog_ms));
		unhealthy_stop(sv, ops, why, now);
		return 1;
	}
	if (sv->check_pid != 0 && sv->check_kill_at >= 0 &&
	    now >= sv->check_kill_at) {
		sv->check_kill_at = -1;
		sv->check_timed_out = 1;
		if (ops->kill(ops->ctx, -sv->check_pid, SIGKILL) == -1)
			ops->kill(ops->ctx, sv->check_pid, SIGKILL);
	}
	if (sv->check_pid == 0 && sv->check_run_at >= 0 &&
	    now >= sv->check_run_at)
		check_spawn(sv, ops, now);
	return 0;
}

static void
copy_notice(struct sv *sv, const char *text, size_t len)
{
	if (len >= sizeof sv->notice)
		len = sizeof sv->notice - 1;
	memcpy(sv->notice, text, len);
	sv->notice[len] = '\0';
}

void
sv_on_notify(struct sv *sv, const struct sv_ops *ops, const char *msg,
    size_t len, int64_t now)
{
	const char *line = msg, *end = msg + len, *nl;
	size_t n;

	if (!health_live(sv) || !sv->conf.notify_socket)
		return;
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = (size_t)((nl != NULL ? nl : end) - line);
		if (n == 7 && memcmp(line, "READY=1", 7) == 0)
			sv_on_ready(sv, ops, now);
		else if (n >= 7 && memcmp(line, "STATUS=", 7) == 0)
			copy_notice(sv, line + 7, n - 7);
		else if (n == 10 && memcmp(line, "WATCHDOG=1", 10) == 0 &&
		    sv->watchdog_at >= 0)
			sv->watchdog_at = now + sv->conf.watchdog_ms;
		if (!health_live(sv))
			return;
		line += n + 1;
	}
}

void
sv_on_timer(struct sv *sv, const struct sv_ops *ops, int64_t now)
{
	if (health_timer(sv, ops, now))
		return;
	switch (sv->state) {
	case SV_STARTING:
		on_starting_timer(sv, ops, now);
		break;
	case SV_STOPPING:
		on_stopping_timer(sv, ops, now);
		break;
	case SV_FINISHING:
		on_finishing_timer(sv, ops, now);
		break;
	case SV_BACKOFF:
		if (sv->timer_at >= 0 && now >= sv->timer_at)
			start(sv, ops, 0, "backoff over", now);
		break;
	case SV_FAILED:
		if (sv->run_retry && sv->timer_at >= 0 && now >= sv->timer_at)
			retry_run(sv, ops, now);
		break;
	case SV_DOWN:
	case SV_UP:
		break;
	}
}

static int64_t
earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0 || a < b)
		return a;
	return b;
}

int64_t
sv_deadline(const struct sv *sv)
{
	int64_t at = earliest(sv->timer_at, sv->check_at);

	if (sv->state != SV_STARTING && sv->state != SV_UP)
		return at;
	at = earliest(at, sv->watchdog_at);
	if (sv->check_pid != 0)
		return earliest(at, sv->check_kill_at);
	return earliest(at, sv->check_run_at);
}

int
sv_done(const struct sv *sv)
{
	return sv->done;
}

/*
 * Start order.  A start (boot, u, o, r, backoff over) of a service with
 * needs asks ops->needs_unmet first; while some are not up and ready it
 * is held in starting with no child, their names in sv->waiting, and
 * sv_on_needs() carries it on once the caller sees them all met.  The
 * wait takes no timer here: the caller watches the needs' status files.
 */
static void
set_waiting(struct sv *sv, const char *unmet)
{
	size_t len = strlen(unmet);

	if (len >= sizeof sv->waiting)
		len = sizeof sv->waiting - 1;
	memcpy(sv->waiting, unmet, len);
	sv->waiting[len] = '\0';
}

/* Returns 1 when the start is held until needs are met. */
static int
hold_for_needs(struct sv *sv, const struct sv_ops *ops, const char *reason,
    int64_t now)
{
	char unmet[SV_WAITING_SIZE], why[SV_WAITING_SIZE + 160];

	(void)now;
	if (sv->conf.nneeds == 0 || ops->needs_unmet == NULL)
		return 0;
	unmet[0] = '\0';
	ops->needs_unmet(ops->ctx, &sv->conf, unmet, sizeof unmet);
	if (unmet[0] == '\0')
		return 0;
	snprintf(why, sizeof why, "%s (waiting for %s)", reason, unmet);
	enter(sv, ops, SV_STARTING, why);
	sv->paused = 0;
	sv->pid = 0;
	sv->needs_wait = 1;
	set_waiting(sv, unmet);
	return 1;
}

void
sv_on_needs(struct sv *sv, const struct sv_ops *ops, const char *unmet,
    int64_t now)
{
	char why[SV_WAITING_SIZE + 32], text[SV_TEXT_SIZE];
	char *argv[] = { "./run", NULL };
	enum sv_start_error err;

	if (!sv->needs_wait || sv->state != SV_STARTING)
		return;
	if (unmet[0] != '\0') {
		if (strncmp(unmet, sv->waiting, sizeof sv->waiting - 1) != 0) {
			set_waiting(sv, unmet);
			snprintf(why, sizeof why, "waiting for %s", sv->waiting);
			note(sv, ops, why);
		}
		return;
	}
	sv->needs_wait = 0;
	sv->waiting[0] = '\0';
	if (hold_for_port(sv, ops, "needs met", now))
		return;
	note(sv, ops, "needs met");
	if (spawn(ops, argv, &sv->recipe, &sv->pid, &err, text,
	    sizeof text) == -1) {
		start_failed(sv, ops, err, text, now);
		return;
	}
	launched(sv, ops, now);
}

int
sv_awaiting(const struct sv *sv)
{
	return sv->needs_wait;
}
