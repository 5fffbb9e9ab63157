/*
 * fuzz_sv: lib/sv.c's state machine driven through its seam (struct
 * sv_ops) by a sequence of events the input chooses: control bytes,
 * deaths with any wait status of ./run, ./finish and the processes ./run
 * forked, reaps, timers at the deadline or later, readiness, failing
 * spawns, reloads and signals (EPERM, ESRCH), a ready-port another
 * process holds, processes that ignore signals or survive SIGKILL.
 *
 * The fake is a small process table like test/unit/sv_test.c's: each
 * process has a pid and the service instance (process group) it
 * belongs to; signal_service(pgid, sig) acts on every process of that
 * instance, kill(pid, sig) on one.  A process dies when the input says,
 * or on a signal it does not catch; one that sid-supervise started (or
 * inherited as subreaper) stays a zombie until the input reaps it.
 *
 * After every step the invariants of a correct supervisor are checked,
 * and a violation aborts with "INVARIANT: what" on stderr.  They come
 * from DESIGN.md and lib/sv.h: one ./run at a time, never started while
 * anything of an earlier instance lives (unless sv gave up on processes
 * that survive SIGKILL); a state, want, pid and readiness that agree
 * with what happened; the backoff ladder and the retry cap; SIGKILL only
 * after stop-grace; ./finish once after each run, with its arguments;
 * nothing started after x; no busy loop on a deadline in the past.
 *
 * Input: boot and conf bytes, then operations, one byte each plus their
 * arguments (see step()).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fmt.h"
#include "parse.h"
#include "sv.h"

#define MAX_PROCS	24
#define MAX_TIMES	300
#define FIRST_PID	100
#define LEFTOVER_PGID	50

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum kind { K_RUN, K_FINISH, K_CHILD, K_LEFTOVER };

struct proc {
	pid_t		pid;
	pid_t		group;		/* its service instance: ./run's pid */
	enum kind	kind;
	int		zombie;		/* dead, not yet reaped by us */
	int		ours;		/* sid-supervise reaps it */
	int		stopped;	/* SIGSTOP */
	int		pending;	/* a signal held while stopped */
	int		catches;	/* survives every signal but SIGKILL */
	int		foreign;	/* signals to it fail with EPERM */
	int		unkillable;	/* survives SIGKILL (stuck in the kernel) */
	int		kill_pending;	/* ... which it meets when it returns */
	int		given_up;	/* sv said it goes on without it */
	int		wstatus;
};

struct world {
	/* What the fake answers. */
	struct sv_conf	conf;		/* what reload reads */
	int		reload_fails;
	enum sv_start_error run_fails;	/* SV_START_OK: ./run starts */
	int		has_finish;
	int		finish_fails;
	int		probe_ok;
	int		port_held;	/* another process has the ready-port */
	int		run_foreign;	/* ./run runs as another user */
	int64_t		run_ok_since;	/* ./run can be started since then */
	unsigned long	attempts;	/* ./run started */
	pid_t		next_pid;
	struct proc	procs[MAX_PROCS];
	size_t		nprocs;
	int64_t		now;

	/* The model: what a correct supervisor has done so far. */
	struct sv_conf	loaded;		/* the conf sv runs with */
	int		in_leftover_boot;
	enum sv_state	state;		/* as the events said */
	enum sv_want	want;
	int		exiting;	/* x was received */
	int		done_seen;
	pid_t		run_pid;	/* latest ./run, 0 once reaped */
	int64_t		run_started;
	int64_t		run_reaped;
	int		last_wstatus;	/* of the latest reaped ./run */
	int		have_exit;
	int		finish_due;	/* a ./run was reaped, no ./finish yet */
	int64_t		stopping_since;
	int64_t		since;		/* when the state was entered */
	int64_t		group_killed_at;	/* SIGKILL to the group, -1 */
	int		finish_killed;	/* SIGKILL to ./finish */
	int		restart_asked;	/* u, o or r wait for the stop */
	unsigned	call;		/* sv_* calls so far */
	unsigned	stop_sig_call, cont_call;	/* last such signals */
	int64_t		next_delay;	/* the backoff ladder */
	unsigned	restarts;
	int64_t		restart_times[MAX_TIMES];
	size_t		nrestart_times;
	int		in_call;	/* inside an sv_* call */
	int		holding;	/* backoff: a start held, port in use */
	int64_t		hold_asked;	/* when port_holder was last asked */
};

#define HOLD_MIN_MS	10	/* lib/sv.c: a held start's quickest retry */
#define HOLD_MAX_MS	1000	/* ... and slowest */

static struct world	 w;
static int		 trace;		/* FUZZ_TRACE=1: print the steps */
static struct sv	 sv;
static struct sv_ops	 ops;

static void
violation(const char *fmt, ...)
{
	va_list ap;
	size_t i;

	fprintf(stderr, "INVARIANT: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  sv: state=%s want=%s pid=%ld pgid=%ld "
	    "finish_pid=%ld ready=%s paused=%d backoff=%lld restarts=%u "
	    "error=%s now=%lld deadline=%lld\n", sv_state_name(sv.state),
	    sv_want_name(sv.want), (long)sv.pid, (long)sv.pgid,
	    (long)sv.finish_pid, sv_ready_name(sv.ready), sv.paused,
	    (long long)sv.backoff_ms, sv.restarts, sv.error,
	    (long long)w.now, (long long)sv_deadline(&sv));
	for (i = 0; i < w.nprocs; i++)
		fprintf(stderr, "  proc %ld group %ld kind %d%s%s%s%s%s%s\n",
		    (long)w.procs[i].pid, (long)w.procs[i].group,
		    w.procs[i].kind, w.procs[i].zombie ? " zombie" : "",
		    w.procs[i].stopped ? " stopped" : "",
		    w.procs[i].catches ? " catches" : "",
		    w.procs[i].foreign ? " foreign" : "",
		    w.procs[i].unkillable ? " unkillable" : "",
		    w.procs[i].given_up ? " given-up" : "");
	abort();
}

#define require(cond, ...) do {						\
	if (!(cond))							\
		violation(__VA_ARGS__);					\
} while (0)

/* The process table. */

static struct proc *
find_kind(enum kind kind)
{
	size_t i;

	for (i = 0; i < w.nprocs; i++)
		if (w.procs[i].kind == kind)
			return &w.procs[i];
	return NULL;
}

static size_t
count_kind(enum kind kind, int live_only)
{
	size_t i, n = 0;

	for (i = 0; i < w.nprocs; i++)
		if (w.procs[i].kind == kind && (!live_only ||
		    !w.procs[i].zombie))
			n++;
	return n;
}

static void
proc_remove(struct proc *p)
{
	*p = w.procs[--w.nprocs];
}

static struct proc *
proc_add(pid_t pid, pid_t group, enum kind kind, int ours)
{
	struct proc *p;

	if (w.nprocs >= MAX_PROCS)
		return NULL;
	p = &w.procs[w.nprocs++];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->group = group;
	p->kind = kind;
	p->ours = ours;
	return p;
}

/*
 * A live process of the service other than ./run's current instance
 * (the run, its children) that sv has not given up on: one that must be
 * gone before anything new starts.
 */
static int
old_service_process_lives(pid_t except_group)
{
	size_t i;

	for (i = 0; i < w.nprocs; i++) {
		const struct proc *p = &w.procs[i];

		if (p->zombie || p->given_up || p->kind == K_FINISH ||
		    (except_group != 0 && p->group == except_group))
			continue;
		return 1;
	}
	return 0;
}

/* P dies with WSTATUS: a zombie when we reap it, else gone. */
static void
die(struct proc *p, int wstatus)
{
	size_t i;

	if (p->zombie)
		return;
	p->wstatus = wstatus;
	p->stopped = 0;
	if (p->kind == K_RUN)
		/* Its children are orphans now, and come to us (subreaper). */
		for (i = 0; i < w.nprocs; i++)
			if (w.procs[i].kind == K_CHILD &&
			    w.procs[i].group == p->group)
				w.procs[i].ours = 1;
	if (p->ours)
		p->zombie = 1;
	else
		proc_remove(p);
}

static int
terminates(int sig)
{
	return sig != 0 && sig != SIGCHLD && sig != SIGCONT &&
	    sig != SIGURG && sig != SIGWINCH && sig != SIGSTOP &&
	    sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU;
}

/* SIG arrives at P (already allowed). */
static void
deliver(struct proc *p, int sig)
{
	if (p->zombie || sig == 0)
		return;
	if (sig == SIGKILL) {
		if (!p->unkillable)
			die(p, SIGKILL);
		else
			p->kill_pending = 1;
		return;
	}
	if (sig == SIGSTOP) {
		p->stopped = 1;
		return;
	}
	if (sig == SIGCONT) {
		p->stopped = 0;
		if (p->pending) {
			p->pending = 0;
			die(p, SIGTERM);
		}
		return;
	}
	if (!terminates(sig) || p->catches)
		return;
	if (p->stopped)
		p->pending = 1;
	else
		die(p, sig);
}

/* kill(2) on the table: PID > 0 one process, < 0 a group. */
static int
table_kill(pid_t pid, int sig)
{
	struct proc *targets[MAX_PROCS];
	size_t i, n = 0, allowed = 0;

	for (i = 0; i < w.nprocs; i++)
		if (pid > 0 ? w.procs[i].pid == pid :
		    w.procs[i].group == -pid)
			targets[n++] = &w.procs[i];
	if (n == 0) {
		errno = ESRCH;
		return -1;
	}
	for (i = 0; i < n; i++)
		allowed += !targets[i]->foreign;
	if (allowed == 0) {
		errno = EPERM;
		return -1;
	}
	/* Backwards: a death may remove the entry (never one before it). */
	for (i = n; i-- > 0; )
		if (!targets[i]->foreign)
			deliver(targets[i], sig);
	return 0;
}

/* The model's rules that need the conf. */

static int
has_readiness(const struct sv_conf *c)
{
	return c->ready_port != 0 || c->notification_fd >= 0;
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

static size_t
restarts_in_window(void)
{
	size_t i, n = 0;

	for (i = 0; i < w.nrestart_times; i++)
		if (w.restart_times[i] > w.now - w.loaded.restart_window_ms)
			n++;
	return n;
}

static void
reset_restarts(void)
{
	w.restarts = 0;
	w.nrestart_times = 0;
	w.next_delay = w.loaded.backoff_initial_ms;
}

/* The fake ops. */

static int
fake_reload(void *ctx, struct sv_conf *conf, struct sv_recipe *recipe,
    char *err, size_t errlen)
{
	static char *env[] = { "PATH=/bin", NULL };

	(void)ctx;
	if (w.reload_fails) {
		snprintf(err, errlen, "conf:1: restart: must be always, "
		    "on-failure or never");
		return -1;
	}
	*conf = w.conf;
	recipe->envp = env;
	recipe->dir = ".";
	recipe->fds[0] = 0;
	recipe->fds[1] = 1;
	recipe->fds[2] = 2;
	recipe->notify_fd = conf->notification_fd;
	w.loaded = w.conf;
	/* sv_boot_leftover only borrows stop-signal and stop-grace. */
	if (!w.in_leftover_boot)
		w.next_delay = w.loaded.backoff_initial_ms;
	return 0;
}

static int
fake_spawn(void *ctx, char *const argv[], const struct sv_recipe *recipe,
    pid_t *pid, enum sv_start_error *why, char *text, size_t size)
{
	char code[16], sig[16];
	struct proc *p;

	(void)ctx;
	(void)recipe;
	(void)text;
	(void)size;
	require(!w.done_seen, "a spawn of %s after sv_done()", argv[0]);
	if (strcmp(argv[0], "./run") == 0) {
		require(argv[1] == NULL, "./run takes no arguments");
		require(!w.exiting, "./run started after x");
		require(count_kind(K_RUN, 0) == 0,
		    "./run started while the last one is not reaped");
		require(!old_service_process_lives(0),
		    "./run started while a process of the old instance lives");
		require(count_kind(K_FINISH, 1) == 0,
		    "./run started while ./finish runs");
		require(!w.finish_due, "./run started before ./finish ran");
		require(!w.port_held || w.loaded.ready_port == 0,
		    "./run started while another process has its port");
		w.restart_asked = 0;
		if (w.run_fails != SV_START_OK) {
			*why = w.run_fails;
			errno = w.run_fails == SV_START_MISSING ? ENOENT :
			    w.run_fails == SV_START_NOT_EXECUTABLE ? EACCES :
			    ENOMEM;
			return -1;
		}
		if ((p = proc_add(w.next_pid, w.next_pid, K_RUN, 1)) == NULL) {
			*why = SV_START_EXEC_FAILED;
			errno = EAGAIN;
			return -1;
		}
		p->foreign = w.run_foreign;
		w.attempts++;
		*pid = w.next_pid++;
		w.restart_asked = 0;
		w.run_pid = *pid;
		w.run_started = w.now;
		return 0;
	}
	require(strcmp(argv[0], "./finish") == 0, "spawn of %s", argv[0]);
	require(w.finish_due, "./finish without a ./run that ended");
	require(count_kind(K_RUN, 0) == 0, "./finish before ./run is reaped");
	require(!old_service_process_lives(0),
	    "./finish while a process of the instance lives");
	require(count_kind(K_FINISH, 0) == 0, "two ./finish");
	snprintf(code, sizeof code, "%d", WIFEXITED(w.last_wstatus) ?
	    WEXITSTATUS(w.last_wstatus) : 256);
	snprintf(sig, sizeof sig, "%d", WIFSIGNALED(w.last_wstatus) ?
	    WTERMSIG(w.last_wstatus) : 0);
	require(argv[1] != NULL && argv[2] != NULL && argv[3] == NULL &&
	    strcmp(argv[1], code) == 0 && strcmp(argv[2], sig) == 0,
	    "./finish %s %s, want %s %s", argv[1], argv[2], code, sig);
	require(recipe->notify_fd == -1, "./finish gets no notification fd");
	w.finish_due = 0;
	if (!w.has_finish) {
		*why = SV_START_MISSING;
		errno = ENOENT;
		return -1;
	}
	if (w.finish_fails) {
		*why = SV_START_NOT_EXECUTABLE;
		errno = EACCES;
		return -1;
	}
	if (proc_add(w.next_pid, w.next_pid, K_FINISH, 1) == NULL) {
		*why = SV_START_EXEC_FAILED;
		errno = EAGAIN;
		return -1;
	}
	*pid = w.next_pid++;
	return 0;
}

static void
record_signal(pid_t target, int sig)
{
	struct proc *fin = find_kind(K_FINISH);

	if (sig == w.loaded.stop_signal)
		w.stop_sig_call = w.call;
	if (sig == SIGCONT)
		w.cont_call = w.call;
	if (sig == SIGKILL && fin != NULL && (target == fin->pid ||
	    target == -fin->pid))
		w.finish_killed = 1;
}

static int
fake_kill(void *ctx, pid_t pid, int sig)
{
	(void)ctx;
	require(pid != 0 && pid != -1, "kill(%ld): never everyone",
	    (long)pid);
	record_signal(pid, sig);
	return table_kill(pid, sig);
}

static int
fake_signal_service(void *ctx, pid_t pgid, int sig)
{
	(void)ctx;
	require(pgid > 1, "signal_service(%ld)", (long)pgid);
	if (sig == SIGKILL) {
		require(w.state == SV_STOPPING && w.now - w.stopping_since >=
		    w.loaded.stop_grace_ms, "SIGKILL before stop-grace");
		if (w.group_killed_at < 0)
			w.group_killed_at = w.now;
	}
	record_signal(-pgid, sig);
	return table_kill(-pgid, sig);
}

/* Two signals in a row: the model has no way to run between them. */
static int
fake_stop_service(void *ctx, pid_t pgid, int sig)
{
	int r, saved;

	r = fake_signal_service(ctx, pgid, sig);
	saved = errno;
	fake_signal_service(ctx, pgid, SIGCONT);
	errno = saved;
	return r;
}

static int
fake_probe(void *ctx, unsigned port, pid_t pgid)
{
	(void)ctx;
	require(port != 0 && port == w.loaded.ready_port, "probe of port %u",
	    port);
	require(w.state == SV_STARTING, "probe while %s",
	    sv_state_name(w.state));
	require(pgid != 0 && pgid == w.run_pid, "probe for group %ld, ./run "
	    "is %ld", (long)pgid, (long)w.run_pid);
	return w.probe_ok;
}

/* Asked before a start, never while the service runs. */
static int
fake_port_holder(void *ctx, unsigned port, char *who, size_t size)
{
	(void)ctx;
	require(port != 0 && port == w.loaded.ready_port,
	    "port_holder of port %u", port);
	require(w.state != SV_STARTING && w.state != SV_UP,
	    "port_holder while %s", sv_state_name(w.state));
	w.hold_asked = w.now;
	if (!w.port_held)
		return 0;
	snprintf(who, size, "127.0.0.1:%u held by pid 7 (other)", port);
	return 1;
}

static int64_t
hold_cap(void)
{
	int64_t cap = w.loaded.backoff_max_ms < HOLD_MAX_MS ?
	    w.loaded.backoff_max_ms : HOLD_MAX_MS;

	return cap < HOLD_MIN_MS ? HOLD_MIN_MS : cap;
}

static void
fake_event(void *ctx, enum sv_state from, enum sv_state to,
    const char *reason)
{
	char want[64], dur[32];
	int64_t expected, lived;
	size_t n, i;

	(void)ctx;
	if (trace)
		fprintf(stderr, "  %lld: %s -> %s %s\n", (long long)w.now,
		    sv_state_name(from), sv_state_name(to), reason);
	require(w.in_call, "an event outside any call");
	require(from == w.state, "event from %s, but the state was %s",
	    sv_state_name(from), sv_state_name(w.state));
	if (to != SV_BACKOFF)
		w.holding = 0;
	if (to == SV_BACKOFF && strstr(reason, "port_in_use: ") != NULL) {
		/* A held start: nothing ran, so no restart is counted. */
		require(w.loaded.ready_port != 0 && w.port_held,
		    "port_in_use, but the port is free");
		require(!w.exiting && w.want != SV_WANT_DOWN,
		    "a start held while want %s", sv_want_name(w.want));
		require(w.hold_asked == w.now, "held without asking");
		w.restart_asked = 0;
		w.holding = 1;
		if (from != to)
			w.since = w.now;
		w.state = to;
		return;
	}
	w.state = to;
	if (strncmp(reason, "process group ", 14) == 0 &&
	    strstr(reason, "going on") != NULL) {
		/* sv gives up on what survived SIGKILL: allowed, once. */
		require(from == SV_STOPPING, "gave up outside stopping");
		for (n = 0; n < w.nprocs; n++)
			if (!w.procs[n].zombie && !w.procs[n].given_up &&
			    w.procs[n].group == sv.pgid) {
				require(w.procs[n].unkillable ||
				    w.procs[n].foreign, "gave up on pid %ld "
				    "that SIGKILL would end",
				    (long)w.procs[n].pid);
				w.procs[n].given_up = 1;
			}
	}
	if (from == to)
		return;
	w.since = w.now;
	if (to == SV_STOPPING) {
		w.stopping_since = w.now;
		w.group_killed_at = -1;
		/* A stop is stop-signal, then SIGCONT, to what lives. */
		if (sv.pgid != 0 && old_service_process_lives(0))
			require(w.stop_sig_call == w.call && w.cont_call ==
			    w.call, "stopping without stop-signal and SIGCONT");
	}
	if (to == SV_FINISHING)
		w.finish_killed = 0;
	if ((to == SV_BACKOFF || to == SV_DOWN) && !w.exiting)
		require(!w.restart_asked, "%s, but a start was asked for",
		    sv_state_name(to));
	if (to == SV_FAILED)
		w.restart_asked = 0;
	if (to == SV_BACKOFF) {
		require(w.want == SV_WANT_UP, "backoff while want %s",
		    sv_want_name(w.want));
		require(!w.exiting, "backoff after x");
		require(w.have_exit && policy_restarts(w.loaded.restart,
		    w.last_wstatus), "backoff against the restart policy");
		n = restarts_in_window();
		require(w.loaded.max_restarts == 0 ||
		    n < w.loaded.max_restarts, "restart %zu within the window "
		    "breaks max-restarts %u", n + 1, w.loaded.max_restarts);
		/* Keep those in the window (time only goes forward). */
		for (n = i = 0; i < w.nrestart_times; i++)
			if (w.restart_times[i] > w.now -
			    w.loaded.restart_window_ms)
				w.restart_times[n++] = w.restart_times[i];
		w.nrestart_times = n;
		require(n < MAX_TIMES, "model: too many restarts in a window");
		w.restart_times[w.nrestart_times++] = w.now;
		w.restarts++;
		lived = w.now - w.run_started;
		expected = lived >= w.loaded.healthy_after_ms ?
		    w.loaded.backoff_initial_ms : w.next_delay;
		w.next_delay = expected * 2 > w.loaded.backoff_max_ms ?
		    w.loaded.backoff_max_ms : expected * 2;
		snprintf(want, sizeof want, "(next start in %s)",
		    fmt_human_ms(dur, sizeof dur, expected));
		require(strstr(reason, want) != NULL, "backoff \"%s\", want "
		    "%s", reason, want);
	}
	if (to == SV_FAILED && strncmp(reason, "retry_cap", 9) == 0) {
		require(w.loaded.max_restarts > 0 && restarts_in_window() >=
		    w.loaded.max_restarts, "retry_cap with %zu restarts "
		    "within the window, max %u", restarts_in_window(),
		    w.loaded.max_restarts);
		require(w.want == SV_WANT_UP && w.have_exit &&
		    policy_restarts(w.loaded.restart, w.last_wstatus),
		    "retry_cap where no restart was due");
	}
	if (to == SV_DOWN && (from == SV_STOPPING || from == SV_FINISHING) &&
	    w.want == SV_WANT_UP && !w.exiting && w.have_exit)
		require(!policy_restarts(w.loaded.restart, w.last_wstatus),
		    "down after an exit the policy restarts");
}

/* The invariants of the state, after every step. */

static void
check_state(void)
{
	struct proc *run = find_kind(K_RUN), *fin = find_kind(K_FINISH);
	int64_t deadline = sv_deadline(&sv);
	size_t i;

	require(sv.state == w.state, "state %s, events said %s",
	    sv_state_name(sv.state), sv_state_name(w.state));
	require(sv.want == w.want, "want %s, commands said %s",
	    sv_want_name(sv.want), sv_want_name(w.want));
	require(count_kind(K_RUN, 0) <= 1, "two ./run");
	require(count_kind(K_FINISH, 0) <= 1, "two ./finish");

	/* pid: ./run until it is reaped, and only while it may run. */
	require(sv.pid == (run != NULL ? run->pid : 0), "pid %ld, ./run %ld",
	    (long)sv.pid, run != NULL ? (long)run->pid : 0L);
	if (sv.pid != 0)
		require(sv.state == SV_STARTING || sv.state == SV_UP ||
		    sv.state == SV_STOPPING, "a pid while %s",
		    sv_state_name(sv.state));
	if (sv.state == SV_STARTING || sv.state == SV_UP)
		require(sv.pid != 0, "%s without a pid",
		    sv_state_name(sv.state));
	if (sv.pgid != 0 && sv.pid != 0)
		require(sv.pgid == sv.pid, "pgid %ld of pid %ld",
		    (long)sv.pgid, (long)sv.pid);

	/* Nothing of the service lives in down, backoff, failed. */
	if (sv.state == SV_DOWN || sv.state == SV_BACKOFF ||
	    sv.state == SV_FAILED) {
		require(sv.pid == 0 && sv.finish_pid == 0,
		    "a child while %s", sv_state_name(sv.state));
		require(!old_service_process_lives(0),
		    "a process of the service lives while %s",
		    sv_state_name(sv.state));
		require(count_kind(K_FINISH, 1) == 0, "./finish lives while %s",
		    sv_state_name(sv.state));
	}
	if (sv.state == SV_FINISHING) {
		require(sv.pid == 0, "./run while finishing");
		require(!old_service_process_lives(0),
		    "a process of the service lives while finishing");
	}
	require((sv.state == SV_FINISHING) == (sv.finish_pid != 0),
	    "finish_pid %ld while %s", (long)sv.finish_pid,
	    sv_state_name(sv.state));
	if (sv.finish_pid != 0)
		require(fin != NULL && fin->pid == sv.finish_pid,
		    "finish_pid %ld is no ./finish", (long)sv.finish_pid);

	/* A state that waits has a way out. */
	if (sv.state == SV_STOPPING && sv.pid == 0)
		require(deadline >= 0, "stopping for the group with no timer");
	if (sv.state == SV_STARTING || sv.state == SV_BACKOFF)
		require(deadline >= 0, "%s with no timer",
		    sv_state_name(sv.state));
	if (sv.state == SV_STOPPING && sv.pid == 0)
		require(sv.pgid != 0, "stopping for no group");

	/* The backoff. */
	require(sv.backoff_ms >= 0 && sv.backoff_ms <= (w.holding ?
	    hold_cap() : w.loaded.backoff_max_ms), "backoff %lld beyond "
	    "[0, %lld]", (long long)sv.backoff_ms,
	    (long long)w.loaded.backoff_max_ms);
	if (sv.backoff_ms > 0)
		require(sv.state == SV_BACKOFF, "backoff %lld while %s",
		    (long long)sv.backoff_ms, sv_state_name(sv.state));
	if (sv.state == SV_BACKOFF && w.holding) {
		require(sv.backoff_ms >= HOLD_MIN_MS,
		    "a held start retried too soon");
		require(strncmp(sv.error, "port_in_use: ", 13) == 0,
		    "a held start with error \"%s\"", sv.error);
	} else if (sv.state == SV_BACKOFF)
		require(sv.backoff_ms >= w.loaded.backoff_initial_ms,
		    "backoff below backoff-initial");
	if (sv.state == SV_BACKOFF) {
		require(deadline <= w.now + sv.backoff_ms,
		    "backoff deadline beyond the delay");
	}
	require(sv.restarts == w.restarts, "restarts %u, want %u",
	    sv.restarts, w.restarts);
	require(sv.attempts == w.attempts, "attempts %lu, want %lu",
	    sv.attempts, w.attempts);

	/* Readiness: yes only while up, never without a way to tell. */
	if (sv.ready == SV_READY_YES)
		require(sv.state == SV_UP, "ready=yes while %s",
		    sv_state_name(sv.state));
	if (sv.ready != SV_READY_NA)
		require(has_readiness(&sv.conf), "ready=%s without readiness",
		    sv_ready_name(sv.ready));

	/*
	 * paused: the child is stopped, and only then (or it died and is
	 * not reaped yet: a stop signal to a zombie succeeds).
	 */
	if (sv.paused)
		require(run != NULL && (run->stopped || run->zombie ||
		    run->foreign),
		    "paused, not stopped");
	else if (run != NULL && !run->zombie && !run->foreign)
		require(!run->stopped, "stopped, not paused");
#ifndef FUZZ_SV_LEADER_PAUSE
	/* p and c act on the whole service (DESIGN.md, Containment). */
	if (sv.paused)
		for (i = 0; i < w.nprocs; i++)
			if (w.procs[i].group == run->group &&
			    !w.procs[i].zombie && !w.procs[i].foreign &&
			    !run->zombie)
				require(w.procs[i].stopped, "paused, but pid "
				    "%ld of the service runs",
				    (long)w.procs[i].pid);
#endif

	/* What is failed says why; a down service that wants up is done. */
	if (sv.state == SV_FAILED)
		require(strncmp(sv.error, "config_invalid: ", 16) == 0 ||
		    strncmp(sv.error, "run_missing: ", 13) == 0 ||
		    strncmp(sv.error, "run_not_executable: ", 20) == 0 ||
		    strncmp(sv.error, "exec_failed: ", 13) == 0 ||
		    strncmp(sv.error, "retry_cap: ", 11) == 0,
		    "failed with error \"%s\"", sv.error);
	if (sv.state == SV_DOWN && sv.want == SV_WANT_UP && !w.exiting)
		require(w.have_exit && !policy_restarts(w.loaded.restart,
		    w.last_wstatus), "down, wants up, and nothing to say why");
	if (sv_done(&sv)) {
		require(w.exiting && (sv.state == SV_DOWN || sv.state ==
		    SV_FAILED) && sv.pid == 0, "done while %s",
		    sv_state_name(sv.state));
		require(!old_service_process_lives(0) &&
		    count_kind(K_FINISH, 1) == 0, "done, and the service lives");
	}
	(void)i;
}

/* Driving it. */

/* After the timers ran at NOW: nothing due is left undone. */
static void
check_timers(void)
{
	switch (sv.state) {
	case SV_STARTING:
		require(w.now < w.since + w.loaded.ready_timeout_ms,
		    "starting after ready-timeout");
		break;
	case SV_BACKOFF:
		/* A held start that is still held waits again, quietly. */
		require(w.now < (w.holding && w.hold_asked > w.since ?
		    w.hold_asked : w.since) + sv.backoff_ms,
		    "backoff after its delay");
		break;
	case SV_STOPPING:
		if (!old_service_process_lives(0))
			break;
		require(w.now < w.stopping_since + w.loaded.stop_grace_ms ||
		    w.group_killed_at >= 0, "no SIGKILL after stop-grace");
		/* Given up on one more stop-grace after SIGKILL. */
		if (sv.pid == 0 && w.group_killed_at >= 0)
			require(w.now < (w.group_killed_at > w.run_reaped ?
			    w.group_killed_at : w.run_reaped) +
			    w.loaded.stop_grace_ms, "stopping for a group that "
			    "outlived SIGKILL by stop-grace");
		break;
	case SV_FAILED:
		/* A run written in place starts within a second. */
		if ((strncmp(sv.error, "run_missing", 11) == 0 ||
		    strncmp(sv.error, "run_not_executable", 18) == 0) &&
		    w.want != SV_WANT_DOWN && w.run_fails == SV_START_OK)
			require(w.now < (w.run_ok_since > w.since ?
			    w.run_ok_since : w.since) + 1000, "./run can start, "
			    "but the service stays failed");
		break;
	case SV_FINISHING:
		if (count_kind(K_FINISH, 1) > 0)
			require(w.now < w.since + w.loaded.finish_timeout_ms ||
			    w.finish_killed, "./finish not killed after "
			    "finish-timeout");
		break;
	default:
		break;
	}
}

static void
call_timer(void)
{
	int64_t deadline;
	int rounds = 0;

	/* As sid-supervise: a deadline at or before now wakes it again. */
	do {
		w.in_call = 1;
		w.call++;
		sv_on_timer(&sv, &ops, w.now);
		w.in_call = 0;
		check_state();
		deadline = sv_deadline(&sv);
		require(++rounds <= 4, "busy loop: deadline %lld, now %lld",
		    (long long)deadline, (long long)w.now);
	} while (deadline >= 0 && deadline <= w.now && !sv_done(&sv));
	if (!sv_done(&sv))
		check_timers();
}

static void
control(unsigned char byte)
{
	int sig = 0;

	if (trace)
		fprintf(stderr, "control %c (%u)\n", byte > 32 && byte < 127 ?
		    byte : '?', byte);
	/* After x is carried out, a command changes nothing. */
	switch (w.done_seen || sv_done(&sv) ? 0 : byte) {
	case 'u':
	case 'o':
	case 'r':
		w.want = byte == 'o' ? SV_WANT_ONCE : SV_WANT_UP;
		reset_restarts();
		/* Not running: start now, or once the stop is over. */
		if (w.state == SV_STOPPING || w.state == SV_FINISHING ||
		    (byte == 'r' && (w.state == SV_STARTING ||
		    w.state == SV_UP)))
			w.restart_asked = 1;
		break;
	case 'x':
		w.exiting = 1;
		/* FALLTHROUGH */
	case 'd':
		w.want = SV_WANT_DOWN;
		w.restart_asked = 0;
		break;
	}
	(void)sig;
	w.in_call = 1;
	w.call++;
	sv_on_control(&sv, &ops, byte, w.now);
	w.in_call = 0;
}

/* Bytes of input, zeros past the end. */
struct input {
	const uint8_t	*p, *end;
};

static unsigned
byte(struct input *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

static int
wait_status(struct input *in)
{
	unsigned a = byte(in), b = byte(in);
	int s;

	if (a & 1)
		return ((int)(b % 64) + 1) | (a & 2 ? 0x80 : 0);  /* signal */
	if (a & 4) {
		/* Any 16 bits that waitpid(2) reports for an end. */
		s = (int)(a << 8 | b) & 0xffff;
		return (s & 0x7f) == 0x7f ? s & 0xff00 : s;
	}
	return (int)(b & 0xff) << 8;			/* exit */
}

static struct proc *
pick(struct input *in, int zombie)
{
	struct proc *c[MAX_PROCS];
	size_t i, n = 0;
	unsigned k = byte(in);

	for (i = 0; i < w.nprocs; i++)
		if (w.procs[i].zombie == zombie)
			c[n++] = &w.procs[i];
	return n > 0 ? c[k % n] : NULL;
}

static void
reap(struct proc *p)
{
	pid_t pid = p->pid;
	int wstatus = p->wstatus, is_run = p->kind == K_RUN;

	require(p->zombie && p->ours, "reap of a process not ours");
	proc_remove(p);
	if (is_run) {
		w.run_pid = 0;
		w.run_reaped = w.now;
		w.last_wstatus = wstatus;
		w.have_exit = 1;
		w.finish_due = 1;
	}
	w.in_call = 1;
	w.call++;
	sv_on_exit(&sv, &ops, pid, wstatus, w.now);
	w.in_call = 0;
}

static int64_t
duration(unsigned b)
{
	static const int64_t table[] = { 0, 1, 5, 10, 50, 100, 200, 1000,
	    5000, 10000, 30000, 60000 };

	return b < 12 ? table[b] : (int64_t)(b - 12) * (b - 12) * 37;
}

static void
read_conf(struct input *in, struct sv_conf *c)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP,
	    SIGUSR1, SIGUSR2 };
	static const unsigned caps[] = { 0, 0, 1, 2, 3, 5, 256 };
	unsigned b;

	conf_defaults(c);
	b = byte(in);
	c->restart = (enum restart_policy)(b % 3);
	c->stderr_mode = b & 4 ? STDERR_INHERIT : STDERR_LOG;
	c->ready_port = b & 8 ? 8080 : 0;
	c->notification_fd = b & 16 ? 3 : -1;
	c->backoff_initial_ms = duration(byte(in) % 16);
	c->backoff_max_ms = c->backoff_initial_ms + duration(byte(in) % 20);
	c->healthy_after_ms = duration(byte(in) % 16);
	b = byte(in);
	c->max_restarts = caps[b % 7];
	c->restart_window_ms = 1 + duration((b >> 3) % 16);
	c->stop_signal = sigs[byte(in) % 6];
	c->stop_grace_ms = duration(byte(in) % 16);
	c->finish_timeout_ms = duration(byte(in) % 16);
	c->ready_timeout_ms = duration(byte(in) % 16);
}

/* One operation of the input.  Returns 0 at its end. */
static int
step(struct input *in)
{
	static const char cmds[] = "udorxtkhaiq12pc";
	unsigned op, b;
	struct proc *p, *run;
	int timer;

	if (in->p >= in->end)
		return 0;
	op = byte(in);
	timer = !(op & 0x80);		/* the wakeup ends with the timers */
	if (trace)
		fprintf(stderr, "op %u%s (next byte %u)\n", op % 16,
		    timer ? "" : " (no timer)", in->p < in->end ? *in->p : 0);
	if (w.done_seen && op % 16 > 2)
		return 0;		/* sid-supervise has exited */
	switch (op % 16) {
	case 0:				/* a command */
	case 1:
		control(cmds[byte(in) % (sizeof cmds - 1)]);
		break;
	case 2:				/* any byte on the FIFO */
		control((unsigned char)byte(in));
		break;
	case 3:				/* ./run dies and is reaped */
		if ((run = find_kind(K_RUN)) != NULL) {
			die(run, wait_status(in));
			reap(run);
		}
		break;
	case 4:				/* a process dies */
		if ((p = pick(in, 0)) != NULL)
			die(p, wait_status(in));
		break;
	case 5:				/* a zombie is reaped */
		if ((p = pick(in, 1)) != NULL)
			reap(p);
		break;
	case 6:				/* ./run forks */
		b = byte(in);
		run = find_kind(K_RUN);
		/* Not while stopped, nor stuck in the kernel. */
		if (run != NULL && !run->zombie && !run->stopped &&
		    !run->kill_pending &&
		    (p = proc_add(w.next_pid, run->group, K_CHILD, 0)) != NULL) {
			w.next_pid++;
			p->catches = b & 1;
			/* A child has its parent's owner, maybe another. */
			p->foreign = run->foreign || (b & 6) == 6;
			p->unkillable = (b & 24) == 24;
		}
		break;
	case 7:				/* the deadline comes */
		if (sv_deadline(&sv) > w.now)
			w.now = sv_deadline(&sv);
		break;
	case 8:				/* time passes */
		b = byte(in);
		w.now += (int64_t)b * b * b / 4;
		break;
	case 9:				/* readiness */
		if (w.loaded.notification_fd >= 0) {
			w.in_call = 1;
			w.call++;
			sv_on_ready(&sv, &ops, w.now);
			w.in_call = 0;
		} else		/* another process takes the port, or frees it */
			w.port_held = !w.port_held;
		break;
	case 10:			/* the world changes */
		b = byte(in);
		w.reload_fails = b & 1;
		if (w.run_fails != SV_START_OK && ((b >> 1) & 3) == 0)
			w.run_ok_since = w.now;
		w.run_fails = (enum sv_start_error)((b >> 1) & 3);
		w.has_finish = (b >> 3) & 1;
		w.finish_fails = ((b >> 4) & 3) == 3;
		w.probe_ok = (b >> 6) & 1;
		w.run_foreign = (b >> 7) & 1;
		break;
	case 11:			/* a process changes */
		b = byte(in);
		if ((p = pick(in, 0)) != NULL) {
			p->catches = b & 1;
			p->unkillable = (b & 24) == 24;
			if (!p->unkillable && p->kill_pending)
				die(p, SIGKILL);
		}
		break;
	case 12:			/* a new conf for the next reload */
		read_conf(in, &w.conf);
		break;
	case 13:			/* a little time passes */
		w.now += byte(in) % 32;
		break;
	case 15:			/* the service directory changed */
		w.in_call = 1;
		w.call++;
		sv_on_run_changed(&sv, &ops, w.now);
		w.in_call = 0;
		break;
	default:			/* ./run exits now */
		if ((run = find_kind(K_RUN)) != NULL && !run->zombie) {
			die(run, wait_status(in));
			reap(run);
		}
		break;
	}
	check_state();
	if (timer && !sv_done(&sv))
		call_timer();
	if (sv_done(&sv))
		w.done_seen = 1;
	return 1;
}

/* Every need is met: start order is sv_test.c's. */
static void
fake_needs_unmet(void *ctx, const struct sv_conf *conf, char *unmet,
    size_t size)
{
	(void)ctx;
	(void)conf;
	if (size > 0)
		unmet[0] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, data + size };
	unsigned boot, b, i, n;
	struct proc *p;

	trace = getenv("FUZZ_TRACE") != NULL;
	memset(&w, 0, sizeof w);
	w.next_pid = FIRST_PID;
	w.now = 1000000;
	w.group_killed_at = -1;
	w.has_finish = 1;
	ops = (struct sv_ops){
		.reload = fake_reload,
		.spawn = fake_spawn,
		.kill = fake_kill,
		.signal_service = fake_signal_service,
		.stop_service = fake_stop_service,
		.probe = fake_probe,
		.port_holder = fake_port_holder,
		.needs_unmet = fake_needs_unmet,
		.event = fake_event,
		.ctx = &w,
	};
	boot = byte(&in);
	read_conf(&in, &w.conf);
	b = byte(&in);
	w.reload_fails = (b & 3) == 3;
	w.run_fails = (b >> 2) & 1 ? (enum sv_start_error)((b >> 3) % 4) :
	    SV_START_OK;
	w.has_finish = (b >> 5) & 1;

	sv_init(&sv);
	conf_defaults(&w.loaded);
	w.next_delay = w.loaded.backoff_initial_ms;
	w.state = SV_DOWN;
	w.want = SV_WANT_DOWN;
	w.in_call = 1;
	w.call++;
	switch (boot % 3) {
	case 0:
		w.want = SV_WANT_UP;
		reset_restarts();
		sv_boot(&sv, &ops, 1, "boot", w.now);
		break;
	case 1:
		sv_boot(&sv, &ops, 0, "boot", w.now);
		break;
	case 2:
		/* An earlier sid-supervise left a group behind. */
		n = 1 + (boot >> 2) % 3;
		for (i = 0; i < n; i++)
			if ((p = proc_add(LEFTOVER_PGID + (pid_t)i,
			    LEFTOVER_PGID, K_LEFTOVER, 0)) != NULL) {
				p->catches = (boot >> 4) & 1;
				p->unkillable = (boot >> 5) == 7 && i == 0;
			}
		w.want = boot & 0x80 ? SV_WANT_UP : SV_WANT_DOWN;
		w.restart_asked = w.want == SV_WANT_UP;
		w.in_leftover_boot = 1;
		sv_boot_leftover(&sv, &ops, LEFTOVER_PGID, boot & 0x80 ? 1 : 0,
		    w.now);
		w.in_leftover_boot = 0;
		break;
	}
	w.in_call = 0;
	check_state();
	call_timer();
	while (step(&in))
		;
	return 0;
}
