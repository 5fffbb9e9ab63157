/*
 * sv_test: the supervision state machine through its seam.
 *
 * A scripted launcher (a fake struct sv_ops) records every reload,
 * spawn, kill, probe and event and answers as the test says; the clock
 * is only the NOW each call is given.  No real process is started and
 * nothing sleeps.  The fake keeps a small table of the processes that
 * "exist", so kill(-pgid, 0) answers as the kernel would: a group
 * exists while one of its members does.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "status.h"
#include "sv.h"

#define MAX_LAUNCHES	128
#define MAX_KILLS	512
#define MAX_EVENTS	512
#define MAX_PROCS	16
#define MAX_GENS	8	/* environments handed out by reload */
#define FIRST_PID	100
#define ORPHAN_PID	900

struct launch {
	char		argv[4][32];
	int		argc;
	char		env[4][32];
	int		envc;
	char		dir[64];
	int		fds[3];
	int		notify_fd;
	pid_t		pid;		/* 0: the spawn failed */
};

struct kill_call {
	pid_t		pid;
	int		sig;
	int		result;		/* 0, or the errno it failed with */
};

struct event {
	enum sv_state	from, to;
	int64_t		at;
	char		reason[640];
	char		text[700];	/* "FROM -> TO reason" */
};

struct proc {
	pid_t		pid, pgid;
};

struct fake {
	/* What the fake answers. */
	struct sv_conf	conf;		/* what reload reads */
	int		reload_fails;
	enum sv_start_error run_fails;	/* SV_START_OK: ./run starts */
	int		run_errno;
	const char	*run_text;	/* the spawn's words, or NULL */
	int		has_finish;	/* ./finish exists */
	int		has_check;	/* ./check exists */
	enum sv_start_error finish_fails;	/* when it exists */
	int		group_errno;	/* kill(-pgid, sig != 0) fails so */
	int		pid_errno;	/* kill(pid > 0, sig) fails so */
	unsigned	probe_ok_from;	/* probe N and later say 1; 0: never */
	char		holder[128];	/* "": the port is free; else who holds it */
	char		unmet[128];	/* the needs not met: "db cache" */
	unsigned	needs_asks;
	pid_t		listener_pgid;	/* the group whose listener is up, 0 */
	pid_t		next_pid;
	struct proc	procs[MAX_PROCS];	/* the processes that exist */
	size_t		nprocs;
	char		env_text[MAX_GENS][2][32];
	char		*env[MAX_GENS][3];

	/* What the fake saw. */
	unsigned	reloads, probes, holder_asks;
	unsigned	stops;		/* stop_service calls */
	int		stop_sig;	/* the last one's signal */
	pid_t		probe_pgid;	/* the pgid the last probe was given */
	struct launch	launches[MAX_LAUNCHES];
	size_t		nlaunches;
	struct kill_call kills[MAX_KILLS];
	size_t		nkills;
	struct event	events[MAX_EVENTS];
	size_t		nevents;
};

struct rig {
	struct sv	sv;
	struct sv_ops	ops;
	struct fake	fake;
	int64_t		now;		/* the fake clock */
};

static struct rig the_rig;

/* The fake's process table. */

static void
proc_add(struct fake *f, pid_t pid, pid_t pgid)
{
	CHECK(f->nprocs < MAX_PROCS);
	if (f->nprocs < MAX_PROCS) {
		f->procs[f->nprocs].pid = pid;
		f->procs[f->nprocs].pgid = pgid;
		f->nprocs++;
	}
}

static void
proc_remove(struct fake *f, pid_t pid)
{
	size_t i;

	for (i = 0; i < f->nprocs; i++)
		if (f->procs[i].pid == pid) {
			f->procs[i] = f->procs[--f->nprocs];
			return;
		}
}

/* Like kill(PID, 0): a positive PID is a process, a negative a group. */
static int
proc_exists(const struct fake *f, pid_t pid)
{
	size_t i;

	for (i = 0; i < f->nprocs; i++)
		if (pid > 0 ? f->procs[i].pid == pid :
		    f->procs[i].pgid == -pid)
			return 1;
	return 0;
}

/* The fake ops. */

static int
fake_reload(void *ctx, struct sv_conf *conf, struct sv_recipe *recipe,
    char *err, size_t errlen)
{
	struct fake *f = &((struct rig *)ctx)->fake;
	unsigned gen = f->reloads++;

	if (f->reload_fails) {
		snprintf(err, errlen, "conf:3: restart: must be always, "
		    "on-failure or never");
		return -1;
	}
	CHECK(gen < MAX_GENS);
	if (gen >= MAX_GENS)
		gen = MAX_GENS - 1;
	/* A new environment for each reload: GEN tells them apart. */
	snprintf(f->env_text[gen][0], sizeof f->env_text[gen][0], "PATH=/bin");
	snprintf(f->env_text[gen][1], sizeof f->env_text[gen][1], "GEN=%u",
	    gen + 1);
	f->env[gen][0] = f->env_text[gen][0];
	f->env[gen][1] = f->env_text[gen][1];
	f->env[gen][2] = NULL;
	*conf = f->conf;
	recipe->envp = f->env[gen];
	recipe->dir = "/srv/foo";
	recipe->fds[0] = 20;
	recipe->fds[1] = 21;
	recipe->fds[2] = 22;
	recipe->notify_fd = conf->notification_fd >= 0 ? 30 : -1;
	recipe->has_check = f->has_check;
	return 0;
}

static void
record_launch(struct launch *l, char *const argv[],
    const struct sv_recipe *recipe)
{
	int i;

	memset(l, 0, sizeof *l);
	for (i = 0; i < 4 && argv[i] != NULL; i++)
		snprintf(l->argv[i], sizeof l->argv[i], "%s", argv[i]);
	l->argc = i;
	for (i = 0; recipe->envp != NULL && i < 4 &&
	    recipe->envp[i] != NULL; i++)
		snprintf(l->env[i], sizeof l->env[i], "%s", recipe->envp[i]);
	l->envc = i;
	snprintf(l->dir, sizeof l->dir, "%s", recipe->dir != NULL ?
	    recipe->dir : "(null)");
	memcpy(l->fds, recipe->fds, sizeof l->fds);
	l->notify_fd = recipe->notify_fd;
}

/* ./run starts unless scripted to fail; ./finish only when it exists. */
static int
fake_spawn(void *ctx, char *const argv[], const struct sv_recipe *recipe,
    pid_t *pid, enum sv_start_error *why, char *text, size_t size)
{
	struct fake *f = &((struct rig *)ctx)->fake;
	int is_finish = strcmp(argv[0], "./finish") == 0;
	struct launch *l;

	CHECK(f->nlaunches < MAX_LAUNCHES);
	if (f->nlaunches >= MAX_LAUNCHES) {
		*why = SV_START_EXEC_FAILED;
		errno = EAGAIN;
		return -1;
	}
	l = &f->launches[f->nlaunches++];
	record_launch(l, argv, recipe);
	if (is_finish && !f->has_finish) {
		*why = SV_START_MISSING;
		errno = ENOENT;
		return -1;
	}
	/* sv hands every spawn an empty TEXT to explain a failure in. */
	CHECK(size > 0 && text[0] == '\0');
	if (is_finish && f->finish_fails != SV_START_OK) {
		*why = f->finish_fails;
		if (f->run_text != NULL)
			snprintf(text, size, "%s", f->run_text);
		errno = EACCES;
		return -1;
	}
	if (!is_finish && f->run_fails != SV_START_OK) {
		*why = f->run_fails;
		if (f->run_text != NULL)
			snprintf(text, size, "%s", f->run_text);
		errno = f->run_errno;
		return -1;
	}
	l->pid = *pid = f->next_pid++;
	proc_add(f, l->pid, l->pid);
	return 0;
}

static int
fake_kill(void *ctx, pid_t pid, int sig)
{
	struct fake *f = &((struct rig *)ctx)->fake;
	int err = 0;

	if (pid < 0 && sig != 0 && f->group_errno != 0)
		err = f->group_errno;
	else if (pid > 0 && f->pid_errno != 0)
		err = f->pid_errno;
	else if (!proc_exists(f, pid))
		err = ESRCH;
	CHECK(f->nkills < MAX_KILLS);
	if (f->nkills < MAX_KILLS) {
		f->kills[f->nkills].pid = pid;
		f->kills[f->nkills].sig = sig;
		f->kills[f->nkills].result = err;
		f->nkills++;
	}
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* The fake has no cgroups: the service is its process group. */
static int
fake_signal_service(void *ctx, pid_t pgid, int sig)
{
	return fake_kill(ctx, -pgid, sig);
}

/* The two signals in a row; the fake has no way to run between them. */
static int
fake_stop_service(void *ctx, pid_t pgid, int sig)
{
	struct fake *f = &((struct rig *)ctx)->fake;
	int r, saved;

	f->stops++;
	f->stop_sig = sig;
	r = fake_kill(ctx, -pgid, sig);
	saved = errno;
	fake_kill(ctx, -pgid, SIGCONT);
	errno = saved;
	return r;
}

static int
fake_probe(void *ctx, unsigned port, pid_t pgid)
{
	struct fake *f = &((struct rig *)ctx)->fake;

	CHECK(port == f->conf.ready_port);
	f->probes++;
	f->probe_pgid = pgid;
	if (f->listener_pgid != 0)
		return pgid == f->listener_pgid;
	return f->probe_ok_from != 0 && f->probes >= f->probe_ok_from;
}

/* The port is taken while HOLDER says who by. */
static int
fake_port_holder(void *ctx, unsigned port, char *who, size_t size)
{
	struct fake *f = &((struct rig *)ctx)->fake;

	CHECK(port != 0 && port == f->conf.ready_port);
	f->holder_asks++;
	if (f->holder[0] == '\0')
		return 0;
	snprintf(who, size, "%s", f->holder);
	return 1;
}

/* The needs not met are UNMET. */
static void
fake_needs_unmet(void *ctx, const struct sv_conf *conf, char *unmet,
    size_t size)
{
	struct fake *f = &((struct rig *)ctx)->fake;

	CHECK(conf->nneeds > 0);
	f->needs_asks++;
	snprintf(unmet, size, "%s", f->unmet);
}

static void
fake_event(void *ctx, enum sv_state from, enum sv_state to,
    const char *reason)
{
	struct rig *t = ctx;
	struct fake *f = &t->fake;
	struct event *e;

	CHECK(f->nevents < MAX_EVENTS);
	if (f->nevents >= MAX_EVENTS)
		return;
	e = &f->events[f->nevents++];
	e->from = from;
	e->to = to;
	e->at = t->now;
	snprintf(e->reason, sizeof e->reason, "%s", reason);
	snprintf(e->text, sizeof e->text, "%s -> %s %s", sv_state_name(from),
	    sv_state_name(to), reason);
}

/* The rig: a fresh service, fake and clock for each test. */

static struct rig *
rig_new(void)
{
	struct rig *t = &the_rig;

	memset(t, 0, sizeof *t);
	t->ops.reload = fake_reload;
	t->ops.spawn = fake_spawn;
	t->ops.kill = fake_kill;
	t->ops.signal_service = fake_signal_service;
	t->ops.stop_service = fake_stop_service;
	t->ops.probe = fake_probe;
	t->ops.port_holder = fake_port_holder;
	t->ops.needs_unmet = fake_needs_unmet;
	t->ops.event = fake_event;
	t->ops.ctx = t;
	conf_defaults(&t->fake.conf);
	t->fake.next_pid = FIRST_PID;
	t->now = 1000;
	sv_init(&t->sv);
	return t;
}

static void
boot_up(struct rig *t)
{
	sv_boot(&t->sv, &t->ops, 1, "boot", t->now);
}

static void
boot_down(struct rig *t)
{
	sv_boot(&t->sv, &t->ops, 0, "boot", t->now);
}

static int
control(struct rig *t, unsigned char byte)
{
	return sv_on_control(&t->sv, &t->ops, byte, t->now);
}

/* Set the clock to WHEN and let the timers run. */
static void
tick_at(struct rig *t, int64_t when)
{
	t->now = when;
	sv_on_timer(&t->sv, &t->ops, t->now);
}

/* Advance the clock to the next deadline and let the timers run. */
static void
fire(struct rig *t)
{
	int64_t deadline = sv_deadline(&t->sv);

	CHECK(deadline >= t->now);
	if (deadline >= 0)
		tick_at(t, deadline);
}

/* Process PID ends with WSTATUS and is reaped. */
static void
reap(struct rig *t, pid_t pid, int wstatus)
{
	proc_remove(&t->fake, pid);
	sv_on_exit(&t->sv, &t->ops, pid, wstatus, t->now);
}

/* ./run lives LIVED_MS more, then ends with WSTATUS. */
static void
run_dies(struct rig *t, int64_t lived_ms, int wstatus)
{
	t->now += lived_ms;
	reap(t, t->sv.pid, wstatus);
}

/* A grandchild stays behind in ./run's group when ./run exits. */
static void
leave_orphan(struct rig *t)
{
	proc_add(&t->fake, ORPHAN_PID, t->sv.pgid);
}

/* Successful launches of ./run. */
static size_t
runs(const struct rig *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->fake.nlaunches; i++)
		if (strcmp(t->fake.launches[i].argv[0], "./run") == 0 &&
		    t->fake.launches[i].pid != 0)
			n++;
	return n;
}

/* Attempts to launch ./run, failed or not. */
static size_t
run_attempts(const struct rig *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->fake.nlaunches; i++)
		if (strcmp(t->fake.launches[i].argv[0], "./run") == 0)
			n++;
	return n;
}

static const struct launch *
last_launch(const struct rig *t)
{
	CHECK(t->fake.nlaunches > 0);
	return &t->fake.launches[t->fake.nlaunches > 0 ?
	    t->fake.nlaunches - 1 : 0];
}

/* The index of the first kill(PID, SIG) at or after FROM, or -1. */
static long
find_kill(const struct rig *t, size_t from, pid_t pid, int sig)
{
	size_t i;

	for (i = from; i < t->fake.nkills; i++)
		if (t->fake.kills[i].pid == pid && t->fake.kills[i].sig == sig)
			return (long)i;
	return -1;
}

/* Signals sent (kill with a signal other than 0) at or after FROM. */
static size_t
signals_since(const struct rig *t, size_t from)
{
	size_t i, n = 0;

	for (i = from; i < t->fake.nkills; i++)
		if (t->fake.kills[i].sig != 0)
			n++;
	return n;
}

/* The index of the first event at or after FROM whose text is TEXT. */
static long
find_event(const struct rig *t, size_t from, const char *text)
{
	size_t i;

	for (i = from; i < t->fake.nevents; i++)
		if (strcmp(t->fake.events[i].text, text) == 0)
			return (long)i;
	return -1;
}

/* Events at or after FROM that enter STATE. */
static size_t
entries_since(const struct rig *t, size_t from, enum sv_state state)
{
	size_t i, n = 0;

	for (i = from; i < t->fake.nevents; i++)
		if (t->fake.events[i].to == state &&
		    t->fake.events[i].from != state)
			n++;
	return n;
}

static const char *
last_event_text(const struct rig *t)
{
	return t->fake.nevents > 0 ?
	    t->fake.events[t->fake.nevents - 1].text : "(no event)";
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
same_launch(const struct launch *a, const struct launch *b)
{
	int i;

	if (a->argc != b->argc || a->envc != b->envc ||
	    strcmp(a->dir, b->dir) != 0 || a->notify_fd != b->notify_fd ||
	    memcmp(a->fds, b->fds, sizeof a->fds) != 0)
		return 0;
	for (i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]) != 0)
			return 0;
	for (i = 0; i < a->envc; i++)
		if (strcmp(a->env[i], b->env[i]) != 0)
			return 0;
	return 1;
}

/* The tests. */

static void
wait_status_helpers_match_wait_macros(void)
{
	CHECK(WIFEXITED(exited(0)) && WEXITSTATUS(exited(0)) == 0);
	CHECK(WIFEXITED(exited(1)) && WEXITSTATUS(exited(1)) == 1);
	CHECK(WIFEXITED(exited(255)) && WEXITSTATUS(exited(255)) == 255);
	CHECK(!WIFSIGNALED(exited(1)));
	CHECK(WIFSIGNALED(killed(SIGKILL)) && WTERMSIG(killed(SIGKILL)) ==
	    SIGKILL);
	CHECK(WIFSIGNALED(killed(SIGTERM)) && WTERMSIG(killed(SIGTERM)) ==
	    SIGTERM);
	CHECK(!WIFEXITED(killed(SIGTERM)));
}

static void
healthy_run_then_death_waits_backoff_initial(void)
{
	struct rig *t = rig_new();
	int64_t deadline;
	size_t n;

	boot_up(t);
	CHECK(t->sv.state == SV_UP);
	/* Two quick deaths climb the ladder to 200ms ... */
	run_dies(t, 50, exited(1));
	CHECK(t->sv.backoff_ms == 100);
	fire(t);
	run_dies(t, 50, exited(1));
	CHECK(t->sv.backoff_ms == 200);
	fire(t);
	/* ... and a run that outlives healthy-after comes back to 100ms. */
	run_dies(t, t->fake.conf.healthy_after_ms + 5000, exited(1));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.backoff_ms == t->fake.conf.backoff_initial_ms);
	deadline = sv_deadline(&t->sv);
	CHECK(deadline == t->now + t->fake.conf.backoff_initial_ms);
	n = runs(t);
	tick_at(t, deadline - 1);
	CHECK(runs(t) == n);
	CHECK(t->sv.state == SV_BACKOFF);
	tick_at(t, deadline);
	CHECK(runs(t) == n + 1);
	CHECK(t->sv.state == SV_UP);
}

static void
run_living_exactly_healthy_after_counts_as_healthy(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	run_dies(t, 10, exited(1));
	fire(t);
	run_dies(t, 10, exited(1));
	CHECK(t->sv.backoff_ms == 200);
	fire(t);
	run_dies(t, t->fake.conf.healthy_after_ms, exited(1));
	CHECK(t->sv.backoff_ms == 100);
}

static void
quick_deaths_double_delay_up_to_backoff_max(void)
{
	struct rig *t = rig_new();
	int64_t first = 0, prev = 0, want;
	int i;

	t->fake.conf.backoff_initial_ms = 100;
	t->fake.conf.backoff_max_ms = 1000;
	boot_up(t);
	for (i = 0; i < 20; i++) {
		run_dies(t, 10, exited(1));
		CHECK(t->sv.state == SV_BACKOFF);
		CHECK(t->sv.backoff_ms <= 1000);
		CHECK(sv_deadline(&t->sv) == t->now + t->sv.backoff_ms);
		if (i == 0)
			first = t->sv.backoff_ms;
		else {
			want = prev * 2 > 1000 ? 1000 : prev * 2;
			CHECK(t->sv.backoff_ms == want);
		}
		if (i == 1)
			CHECK(t->sv.backoff_ms == 2 * first);
		prev = t->sv.backoff_ms;
		fire(t);
		CHECK(t->sv.state == SV_UP);
	}
	CHECK(first == 100);
	CHECK(prev == 1000);
	CHECK(t->sv.restarts == 20);
}

static void
automatic_respawns_replay_the_start_recipe(void)
{
	struct rig *t = rig_new();
	const struct launch *first;
	size_t i;
	int k;

	boot_up(t);
	CHECK(t->fake.reloads == 1);
	first = &t->fake.launches[0];
	CHECK_STR(first->argv[0], "./run");
	CHECK(first->argc == 1);
	CHECK(first->envc == 2);
	CHECK_STR(first->env[0], "PATH=/bin");
	CHECK_STR(first->env[1], "GEN=1");
	CHECK_STR(first->dir, "/srv/foo");
	CHECK(first->fds[0] == 20 && first->fds[1] == 21 &&
	    first->fds[2] == 22);
	CHECK(first->notify_fd == -1);
	for (k = 0; k < 5; k++) {
		run_dies(t, 10, k % 2 ? killed(SIGSEGV) : exited(3));
		fire(t);
	}
	CHECK(runs(t) == 6);
	CHECK(t->fake.reloads == 1);
	for (i = 0; i < t->fake.nlaunches; i++)
		if (strcmp(t->fake.launches[i].argv[0], "./run") == 0)
			CHECK(same_launch(&t->fake.launches[i], first));
}

static void
explicit_u_and_r_reload_the_recipe(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	CHECK(t->fake.reloads == 1);
	CHECK(control(t, 'r') == 0);
	reap(t, t->sv.pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_UP);
	CHECK(t->fake.reloads == 2);
	CHECK_STR(last_launch(t)->env[1], "GEN=2");
	CHECK(control(t, 'd') == 0);
	reap(t, t->sv.pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(t->fake.reloads == 2);
	CHECK(control(t, 'u') == 0);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->fake.reloads == 3);
	CHECK_STR(last_launch(t)->env[1], "GEN=3");
	/* And an automatic respawn keeps what the u loaded. */
	run_dies(t, 10, exited(1));
	fire(t);
	CHECK(t->fake.reloads == 3);
	CHECK_STR(last_launch(t)->env[1], "GEN=3");
}

static void
transitions_come_in_order_and_match_events_format(void)
{
	static const char *const want[] = {
		"123.000 down -> starting boot\n",
		"123.000 starting -> up started\n",
		"123.456 up -> backoff exit 1 (next start in 100ms)\n",
		"123.556 backoff -> starting backoff over\n",
		"123.556 starting -> up started\n",
		"123.600 up -> backoff exit 1 (next start in 200ms)\n",
		"123.800 backoff -> starting backoff over\n",
		"123.800 starting -> up started\n",
		"124.000 up -> backoff signal KILL (next start in 400ms)\n",
		"124.400 backoff -> starting backoff over\n",
		"124.400 starting -> up started\n",
	};
	struct rig *t = rig_new();
	const struct event *e;
	char line[800];
	size_t i;

	t->now = 123000;
	boot_up(t);
	run_dies(t, 456, exited(1));
	fire(t);
	run_dies(t, 44, exited(1));
	fire(t);
	run_dies(t, 200, killed(SIGKILL));
	fire(t);
	CHECK(t->fake.nevents == CHECK_LEN(want));
	CHECK_STR(t->fake.events[2].text,
	    "up -> backoff exit 1 (next start in 100ms)");
	for (i = 0; i < t->fake.nevents && i < CHECK_LEN(want); i++) {
		e = &t->fake.events[i];
		events_format(line, sizeof line, e->at, e->from, e->to,
		    e->reason);
		CHECK_STR(line, want[i]);
	}
}

enum death {
	DEATH_EXIT_0,
	DEATH_EXIT_1,
	DEATH_SIGNAL,
};

static void
restart_policy_table(void)
{
	static const struct {
		enum restart_policy	policy;
		enum death		death;
		int			restarts;
	} cases[] = {
		{ RESTART_NEVER, DEATH_EXIT_0, 0 },
		{ RESTART_NEVER, DEATH_EXIT_1, 0 },
		{ RESTART_NEVER, DEATH_SIGNAL, 0 },
		{ RESTART_ON_FAILURE, DEATH_EXIT_0, 0 },
		{ RESTART_ON_FAILURE, DEATH_EXIT_1, 1 },
		{ RESTART_ON_FAILURE, DEATH_SIGNAL, 1 },
		{ RESTART_ALWAYS, DEATH_EXIT_0, 1 },
		{ RESTART_ALWAYS, DEATH_EXIT_1, 1 },
		{ RESTART_ALWAYS, DEATH_SIGNAL, 1 },
	};
	const int wstatus[] = {
		[DEATH_EXIT_0] = exited(0),
		[DEATH_EXIT_1] = exited(1),
		[DEATH_SIGNAL] = killed(SIGKILL),
	};
	struct rig *t;
	enum sv_state want;
	size_t i;

	for (i = 0; i < CHECK_LEN(cases); i++) {
		t = rig_new();
		t->fake.conf.restart = cases[i].policy;
		boot_up(t);
		run_dies(t, 10, wstatus[cases[i].death]);
		want = cases[i].restarts ? SV_BACKOFF : SV_DOWN;
		if (t->sv.state != want)
			printf("# policy case %zu: state %s, want %s\n", i,
			    sv_state_name(t->sv.state), sv_state_name(want));
		CHECK(t->sv.state == want);
		CHECK(t->sv.want == SV_WANT_UP);
		tick_at(t, t->now + 3600000);
		CHECK(runs(t) == (cases[i].restarts ? 2u : 1u));
	}
}

static struct rig *
rig_with_retry_cap(void)
{
	struct rig *t = rig_new();

	t->fake.conf.max_restarts = 3;
	t->fake.conf.restart_window_ms = 10000;
	return t;
}

/*
 * Durations in reasons and error messages are for people (lib/fmt.h):
 * "1.5s", "25.6s", "1m00s", not "1500ms", "25600ms", "1m".  Each case
 * picks a value whose two forms differ.
 */
static void
backoff_reason_reads_people_durations(void)
{
	static const struct {
		int64_t		initial_ms;
		const char	*text;
		const char	*status;	/* the machine form */
	} cases[] = {
		{ 100, "up -> backoff exit 1 (next start in 100ms)",
		    "\nbackoff=100ms\n" },
		{ 1500, "up -> backoff exit 1 (next start in 1.5s)",
		    "\nbackoff=1500ms\n" },
		{ 25600, "up -> backoff exit 1 (next start in 25.6s)",
		    "\nbackoff=25600ms\n" },
		{ 250000, "up -> backoff exit 1 (next start in 4m10s)",
		    "\nbackoff=250s\n" },
	};
	char status[1024];
	struct rig *t;
	size_t i;

	for (i = 0; i < CHECK_LEN(cases); i++) {
		t = rig_new();
		t->fake.conf.backoff_initial_ms = cases[i].initial_ms;
		t->fake.conf.backoff_max_ms = 3600000;
		boot_up(t);
		run_dies(t, 10, exited(1));
		CHECK_STR(last_event_text(t), cases[i].text);
		/* status keeps the machine form: parse_duration reads it. */
		CHECK(t->sv.backoff_ms == cases[i].initial_ms);
		status_format(status, sizeof status, &t->sv, 0);
		CHECK(strstr(status, cases[i].status) != NULL);
	}
}

static void
retry_cap_window_reads_people_duration(void)
{
	struct rig *t = rig_with_retry_cap();
	int i;

	t->fake.conf.restart_window_ms = 90000;
	boot_up(t);
	for (i = 0; i < 3; i++) {
		run_dies(t, 10, exited(1));
		fire(t);
	}
	run_dies(t, 10, exited(1));
	CHECK_STR(t->sv.error, "retry_cap: more than 3 restarts within 1m30s");
	CHECK_STR(last_event_text(t), "up -> failed retry_cap: more than 3 "
	    "restarts within 1m30s");
}

static void
ready_timeout_reads_people_duration(void)
{
	struct rig *t = rig_new();
	int i;

	t->fake.conf.ready_port = 8080;
	t->fake.conf.ready_timeout_ms = 2500;
	boot_up(t);
	for (i = 0; i < 1000 && t->sv.state == SV_STARTING; i++)
		fire(t);
	CHECK_STR(t->sv.error,
	    "started_but_unbound: port 8080 not listening after 2.5s");
	t = rig_new();
	t->fake.conf.notification_fd = 3;
	t->fake.conf.ready_timeout_ms = 1500;
	boot_up(t);
	fire(t);
	CHECK_STR(t->sv.error, "started_but_unbound: no readiness "
	    "notification on fd 3 after 1.5s");
	CHECK_STR(last_event_text(t), "starting -> up started_but_unbound: "
	    "no readiness notification on fd 3 after 1.5s");
}

static void
stop_grace_and_finish_timeout_read_people_durations(void)
{
	struct rig *t = rig_new();
	pid_t pid;

	t->fake.conf.stop_grace_ms = 1500;
	boot_up(t);
	pid = t->sv.pid;
	CHECK(control(t, 'd') == 0);
	fire(t);
	CHECK_STR(t->sv.error, "stop_escalated: SIGKILL to process group "
	    "100 after 1.5s");
	CHECK_STR(last_event_text(t), "stopping -> stopping SIGKILL to "
	    "process group 100 after 1.5s");
	CHECK(pid == 100);

	t = rig_new();
	t->fake.has_finish = 1;
	t->fake.conf.finish_timeout_ms = 90000;
	boot_up(t);
	run_dies(t, 50, exited(1));
	CHECK(t->sv.state == SV_FINISHING);
	fire(t);
	CHECK_STR(last_event_text(t), "finishing -> finishing finish timed "
	    "out after 1m30s, SIGKILL");
}

static void
retry_cap_fails_fourth_quick_death_in_window(void)
{
	struct rig *t = rig_with_retry_cap();
	int i;

	boot_up(t);
	for (i = 0; i < 3; i++) {
		run_dies(t, 10, exited(1));
		CHECK(t->sv.state == SV_BACKOFF);
		fire(t);
		CHECK(t->sv.state == SV_UP);
	}
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_FAILED);
	CHECK(starts_with(t->sv.error, "retry_cap:"));
	CHECK(t->sv.restarts == 3);
	CHECK(sv_deadline(&t->sv) == -1);
	tick_at(t, t->now + 3600000);
	CHECK(runs(t) == 4);
	CHECK(t->sv.state == SV_FAILED);
}

static void
retry_cap_window_slides(void)
{
	struct rig *t = rig_with_retry_cap();
	int i;

	/* A death every 3.4s: never more than 3 in any 10s. */
	t->fake.conf.healthy_after_ms = 1000;
	boot_up(t);
	for (i = 0; i < 12; i++) {
		run_dies(t, 3300, exited(1));
		CHECK(t->sv.state == SV_BACKOFF);
		CHECK(t->sv.backoff_ms == 100);
		fire(t);
	}
	CHECK(t->sv.restarts == 12);
	CHECK(t->sv.error[0] == '\0');
}

static void
retry_cap_ignores_deaths_spaced_beyond_window(void)
{
	struct rig *t = rig_with_retry_cap();
	int i;

	boot_up(t);
	for (i = 0; i < 10; i++) {
		run_dies(t, 11000, exited(1));
		CHECK(t->sv.state == SV_BACKOFF);
		fire(t);
		CHECK(t->sv.state == SV_UP);
	}
	CHECK(t->sv.restarts == 10);
}

static void
control_u_clears_failed_and_restart_count(void)
{
	struct rig *t = rig_with_retry_cap();
	pid_t old;
	int i;

	boot_up(t);
	for (i = 0; i < 3; i++) {
		run_dies(t, 10, exited(1));
		fire(t);
	}
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_FAILED);
	old = last_launch(t)->pid;
	CHECK(control(t, 'u') == 0);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.restarts == 0);
	CHECK(t->sv.error[0] == '\0');
	CHECK(t->sv.pid != 0 && t->sv.pid != old);
	/* The count starts over: three quick deaths restart again. */
	for (i = 0; i < 3; i++) {
		run_dies(t, 10, exited(1));
		CHECK(t->sv.state == SV_BACKOFF);
		fire(t);
	}
	CHECK(t->sv.state == SV_UP);
}

static void
control_every_letter_is_a_command(void)
{
	const char *letters = "udortkhaiq12pcx";
	struct rig *t;
	size_t before;
	int r;

	for (; *letters != '\0'; letters++) {
		t = rig_new();
		boot_up(t);
		before = t->fake.nevents;
		if ((r = control(t, (unsigned char)*letters)) != 0)
			printf("# letter %c refused\n", *letters);
		CHECK(r == 0);
		CHECK(t->fake.nevents > before);
	}
}

static void
control_unknown_byte_returns_error_and_records_nothing(void)
{
	static const unsigned char bytes[] = { 'z', 'U', 'D', 0, 0xff, '\n',
	    ' ', '3' };
	struct rig *t = rig_new();
	size_t events, kills, launches, i;
	unsigned reloads;

	boot_up(t);
	events = t->fake.nevents;
	kills = t->fake.nkills;
	launches = t->fake.nlaunches;
	reloads = t->fake.reloads;
	for (i = 0; i < CHECK_LEN(bytes); i++)
		CHECK(control(t, bytes[i]) == -1);
	CHECK(t->fake.nevents == events);
	CHECK(t->fake.nkills == kills);
	CHECK(t->fake.nlaunches == launches);
	CHECK(t->fake.reloads == reloads);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.want == SV_WANT_UP);
}

static void
control_u_starts_and_is_idempotent(void)
{
	struct rig *t = rig_new();
	size_t before;

	boot_down(t);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(t->sv.want == SV_WANT_DOWN);
	CHECK(run_attempts(t) == 0);
	CHECK(control(t, 'u') == 0);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.want == SV_WANT_UP);
	CHECK(runs(t) == 1);
	before = t->fake.nevents;
	CHECK(control(t, 'u') == 0);
	CHECK(runs(t) == 1);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->fake.nevents == before + 1);
	CHECK_STR(last_event_text(t), "up -> up control: u");
}

static void
control_u_during_stop_starts_again_after_exit(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	CHECK(control(t, 'd') == 0);
	CHECK(control(t, 'u') == 0);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(runs(t) == 1);
	reap(t, t->sv.pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_UP);
	CHECK(runs(t) == 2);
}

static void
control_d_sends_stop_signal_then_cont_to_group(void)
{
	struct rig *t = rig_new();
	size_t mark;
	pid_t pid;

	t->fake.conf.stop_signal = SIGINT;
	boot_up(t);
	pid = t->sv.pid;
	mark = t->fake.nkills;
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(t->sv.want == SV_WANT_DOWN);
	CHECK(signals_since(t, mark) == 2);
	CHECK(find_kill(t, mark, -pid, SIGINT) == (long)mark);
	CHECK(find_kill(t, mark, -pid, SIGCONT) == (long)mark + 1);
	/* Both at once, by the op that sends them together. */
	CHECK(t->fake.stops == 1);
	CHECK(t->fake.stop_sig == SIGINT);
	CHECK(sv_deadline(&t->sv) == t->now + t->fake.conf.stop_grace_ms);
	/* d again changes nothing. */
	CHECK(control(t, 'd') == 0);
	CHECK(signals_since(t, mark) == 2);
	CHECK(t->fake.stops == 1);
	t->now += 30;
	reap(t, pid, killed(SIGINT));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(t->sv.pid == 0);
	CHECK(sv_deadline(&t->sv) == -1);
	CHECK(t->sv.error[0] == '\0');
	tick_at(t, t->now + 3600000);
	CHECK(runs(t) == 1);
}

static void
control_d_escalates_to_sigkill_after_stop_grace(void)
{
	struct rig *t = rig_new();
	size_t mark;
	pid_t pid;

	t->fake.conf.stop_grace_ms = 2000;
	boot_up(t);
	pid = t->sv.pid;
	mark = t->fake.nkills;
	CHECK(control(t, 'd') == 0);
	CHECK(sv_deadline(&t->sv) == t->now + 2000);
	tick_at(t, t->now + 1999);
	CHECK(find_kill(t, mark, -pid, SIGKILL) == -1);
	CHECK(t->sv.error[0] == '\0');
	tick_at(t, t->now + 1);
	CHECK(find_kill(t, mark, -pid, SIGKILL) >= 0);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(starts_with(t->sv.error, "stop_escalated:"));
	reap(t, pid, killed(SIGKILL));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(starts_with(t->sv.error, "stop_escalated:"));
}

static void
control_d_falls_back_to_pid_when_group_is_gone(void)
{
	struct rig *t = rig_new();
	size_t mark, i;
	pid_t pid;

	boot_up(t);
	pid = t->sv.pid;
	t->fake.group_errno = ESRCH;
	mark = t->fake.nkills;
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(find_kill(t, mark, -pid, SIGTERM) >= 0);
	CHECK(find_kill(t, mark, pid, SIGTERM) >
	    find_kill(t, mark, -pid, SIGTERM));
	CHECK(find_kill(t, mark, pid, SIGCONT) >
	    find_kill(t, mark, -pid, SIGCONT));
	CHECK(find_kill(t, mark, pid, SIGCONT) >
	    find_kill(t, mark, pid, SIGTERM));
	for (i = 0; i < t->fake.nevents; i++)
		CHECK(strstr(t->fake.events[i].reason, "kill(") == NULL);
}

static void
control_d_reports_signal_failed(void)
{
	struct rig *t = rig_new();
	char want[128], error[128];
	size_t i;
	pid_t pid;

	boot_up(t);
	pid = t->sv.pid;
	t->fake.group_errno = EPERM;
	snprintf(want, sizeof want, "up -> up signal_failed: SIGTERM "
	    "to process group %ld: %s", (long)pid, strerror(EPERM));
	CHECK(control(t, 'd') == 0);
	CHECK(find_event(t, 0, want) >= 0);
	/* One line for the stop: SIGCONT went with SIGTERM. */
	for (i = 0; i < t->fake.nevents; i++)
		CHECK(strstr(t->fake.events[i].text, "SIGCONT") == NULL);
	CHECK(t->sv.state == SV_STOPPING);
	snprintf(error, sizeof error, "signal_failed: SIGTERM to process "
	    "group %ld: %s", (long)pid, strerror(EPERM));
	CHECK_STR(t->sv.error, error);
}

static void
control_t_reports_signal_failed(void)
{
	struct rig *t = rig_new();
	char want[160];

	boot_up(t);
	t->fake.pid_errno = EPERM;
	CHECK(control(t, 't') == 0);
	snprintf(want, sizeof want, "up -> up control: t: signal_failed: "
	    "SIGTERM to pid %ld: %s", (long)t->sv.pid, strerror(EPERM));
	CHECK_STR(last_event_text(t), want);
	CHECK(starts_with(t->sv.error, "signal_failed: SIGTERM to pid "));
	/* A later clean start clears it. */
	t->fake.pid_errno = 0;
	CHECK(control(t, 'r') == 0);
	reap(t, t->sv.pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_UP);
	CHECK_STR(t->sv.error, "");
}

static void
stop_clears_readiness(void)
{
	struct rig *t = rig_new();

	t->fake.conf.notification_fd = 3;
	boot_up(t);
	sv_on_ready(&t->sv, &t->ops, t->now);
	CHECK(t->sv.ready == SV_READY_YES);
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(t->sv.ready == SV_READY_NO);
}

static void
control_o_does_not_restart_after_exit(void)
{
	struct rig *t = rig_new();

	boot_down(t);
	CHECK(control(t, 'o') == 0);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.want == SV_WANT_ONCE);
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(sv_deadline(&t->sv) == -1);
	tick_at(t, t->now + 3600000);
	CHECK(runs(t) == 1);
}

static void
control_r_restarts_at_once_with_new_pid(void)
{
	struct rig *t = rig_new();
	size_t mark_kills, mark_events;
	pid_t old;

	boot_up(t);
	run_dies(t, 10, exited(1));
	fire(t);
	run_dies(t, 10, exited(1));
	fire(t);
	CHECK(t->sv.restarts == 2);
	old = t->sv.pid;
	mark_kills = t->fake.nkills;
	mark_events = t->fake.nevents;
	CHECK(control(t, 'r') == 0);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(find_kill(t, mark_kills, -old, SIGTERM) >= 0);
	CHECK(find_kill(t, mark_kills, -old, SIGCONT) >= 0);
	t->now += 20;
	reap(t, old, killed(SIGTERM));
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.pid != 0 && t->sv.pid != old);
	CHECK(t->sv.restarts == 0);
	CHECK(t->sv.backoff_ms == 0);
	CHECK(entries_since(t, mark_events, SV_BACKOFF) == 0);
	CHECK(sv_deadline(&t->sv) == -1);
}

static void
control_r_when_down_starts_now(void)
{
	struct rig *t = rig_new();

	boot_down(t);
	CHECK(control(t, 'r') == 0);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.want == SV_WANT_UP);
	CHECK(runs(t) == 1);
}

static void
control_signal_letters_signal_the_pid(void)
{
	static const struct {
		unsigned char	letter;
		int		sig;
	} cases[] = {
		{ 't', SIGTERM }, { 'k', SIGKILL }, { 'h', SIGHUP },
		{ 'a', SIGALRM }, { 'i', SIGINT }, { 'q', SIGQUIT },
		{ '1', SIGUSR1 }, { '2', SIGUSR2 },
	};
	struct rig *t = rig_new();
	char note[32];
	size_t i, mark;
	pid_t pid;

	boot_up(t);
	pid = t->sv.pid;
	for (i = 0; i < CHECK_LEN(cases); i++) {
		mark = t->fake.nkills;
		CHECK(control(t, cases[i].letter) == 0);
		CHECK(signals_since(t, mark) == 1);
		CHECK(find_kill(t, mark, pid, cases[i].sig) == (long)mark);
		CHECK(t->sv.state == SV_UP);
		snprintf(note, sizeof note, "up -> up control: %c",
		    cases[i].letter);
		CHECK_STR(last_event_text(t), note);
	}
}

static void
control_p_and_c_pause_and_continue_the_whole_service(void)
{
	struct rig *t = rig_new();
	size_t mark;
	pid_t pid;

	boot_up(t);
	pid = t->sv.pid;
	mark = t->fake.nkills;
	CHECK(control(t, 'p') == 0);
	CHECK(find_kill(t, mark, -pid, SIGSTOP) == (long)mark);
	CHECK(t->sv.paused == 1);
	mark = t->fake.nkills;
	CHECK(control(t, 'c') == 0);
	CHECK(find_kill(t, mark, -pid, SIGCONT) == (long)mark);
	CHECK(t->sv.paused == 0);
	/* A stop of a paused service continues it. */
	CHECK(control(t, 'p') == 0);
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.paused == 0);
}

static void
control_signal_without_child_is_only_noted(void)
{
	struct rig *t = rig_new();

	boot_down(t);
	CHECK(control(t, 't') == 0);
	CHECK(t->fake.nkills == 0);
	CHECK_STR(last_event_text(t), "down -> down control: t (no child)");
}

static void
control_x_is_done_after_child_is_gone(void)
{
	struct rig *t = rig_new();
	pid_t pid;

	boot_up(t);
	pid = t->sv.pid;
	CHECK(control(t, 'x') == 0);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(find_kill(t, 0, -pid, SIGTERM) >= 0);
	CHECK(!sv_done(&t->sv));
	reap(t, pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(sv_done(&t->sv));
	CHECK(runs(t) == 1);
}

static void
control_x_when_down_is_done_at_once(void)
{
	struct rig *t = rig_new();

	boot_down(t);
	CHECK(control(t, 'x') == 0);
	CHECK(sv_done(&t->sv));
	CHECK(t->fake.nkills == 0);
}

static void
ready_port_polled_until_probe_succeeds(void)
{
	struct rig *t = rig_new();
	int64_t started;
	int i;

	t->fake.conf.ready_port = 8080;
	t->fake.probe_ok_from = 4;
	boot_up(t);
	started = t->now;
	CHECK(t->sv.state == SV_STARTING);
	CHECK(t->sv.ready == SV_READY_NO);
	CHECK(sv_deadline(&t->sv) > t->now);
	CHECK(t->fake.probes == 0);
	for (i = 0; i < 100 && t->sv.state == SV_STARTING; i++)
		fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_YES);
	CHECK(t->fake.probes == 4);
	CHECK(t->now < started + t->fake.conf.ready_timeout_ms);
	CHECK(sv_deadline(&t->sv) == -1);
	CHECK_STR(last_event_text(t), "starting -> up ready");
}

static void
ready_port_timeout_gives_up_not_ready(void)
{
	struct rig *t = rig_new();
	int64_t started;
	size_t mark;
	int i;

	t->fake.conf.ready_port = 8080;
	boot_up(t);
	started = t->now;
	mark = t->fake.nkills;
	for (i = 0; i < 1000 && t->sv.state == SV_STARTING; i++)
		fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_NO);
	CHECK(t->now == started + 10000);
	CHECK(t->fake.probes > 1);
	CHECK_STR(t->sv.error,
	    "started_but_unbound: port 8080 not listening after 10s");
	CHECK(signals_since(t, mark) == 0);
	CHECK(t->sv.pid != 0);
}

static void
notification_fd_ready_moves_starting_to_up(void)
{
	struct rig *t = rig_new();

	t->fake.conf.notification_fd = 3;
	boot_up(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(t->sv.ready == SV_READY_NO);
	CHECK(last_launch(t)->notify_fd == 30);
	CHECK(sv_deadline(&t->sv) == t->now + t->fake.conf.ready_timeout_ms);
	t->now += 40;
	sv_on_ready(&t->sv, &t->ops, t->now);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_YES);
	CHECK(sv_deadline(&t->sv) == -1);
	CHECK(t->fake.probes == 0);
	CHECK_STR(last_event_text(t), "starting -> up ready");
}

static void
notification_fd_timeout_gives_started_but_unbound(void)
{
	struct rig *t = rig_new();

	t->fake.conf.notification_fd = 3;
	t->fake.conf.ready_timeout_ms = 2000;
	boot_up(t);
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_NO);
	CHECK_STR(t->sv.error, "started_but_unbound: no readiness "
	    "notification on fd 3 after 2s");
	sv_on_ready(&t->sv, &t->ops, t->now);
	CHECK(t->sv.ready == SV_READY_YES);
	CHECK(t->sv.error[0] == '\0');
}

static void
no_readiness_gives_ready_na_and_no_timer(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_NA);
	CHECK(sv_deadline(&t->sv) == -1);
	CHECK(t->fake.probes == 0);
	CHECK(last_launch(t)->notify_fd == -1);
}

static void
idle_up_service_has_no_deadline(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	run_dies(t, 10, exited(1));
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(sv_deadline(&t->sv) == -1);
	/* A port-probed service too, once ready. */
	t = rig_new();
	t->fake.conf.ready_port = 80;
	t->fake.probe_ok_from = 1;
	boot_up(t);
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(sv_deadline(&t->sv) == -1);
}

static void
leader_exit_waits_for_group_before_restart(void)
{
	struct rig *t = rig_new();
	size_t mark;
	pid_t pgid;
	int i;

	boot_up(t);
	pgid = t->sv.pgid;
	CHECK(pgid == t->sv.pid);
	leave_orphan(t);
	mark = t->fake.nkills;
	run_dies(t, 50, exited(1));
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(starts_with(t->fake.events[t->fake.nevents - 1].reason,
	    "exit 1"));
	CHECK(find_kill(t, mark, -pgid, SIGTERM) >= 0);
	CHECK(find_kill(t, mark, -pgid, SIGCONT) > find_kill(t, mark, -pgid,
	    SIGTERM));
	/* The group lingers: checks come, no restart. */
	for (i = 0; i < 5; i++) {
		fire(t);
		CHECK(t->sv.state == SV_STOPPING);
	}
	CHECK(runs(t) == 1);
	CHECK(sv_deadline(&t->sv) >= 0);
	/* The orphan goes away unseen (reparented): the next check sees it. */
	proc_remove(&t->fake, ORPHAN_PID);
	fire(t);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(runs(t) == 1);
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(runs(t) == 2);
}

static void
reaped_orphan_ends_wait_for_group(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	leave_orphan(t);
	run_dies(t, 50, exited(1));
	CHECK(t->sv.state == SV_STOPPING);
	reap(t, ORPHAN_PID, killed(SIGTERM));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(runs(t) == 1);
	CHECK(t->sv.last_wstatus == exited(1));
}

static void
lingering_group_gets_sigkill_after_stop_grace(void)
{
	struct rig *t = rig_new();
	size_t mark;
	pid_t pgid;
	int i;

	t->fake.conf.stop_grace_ms = 1000;
	boot_up(t);
	pgid = t->sv.pgid;
	leave_orphan(t);
	mark = t->fake.nkills;
	run_dies(t, 50, exited(1));
	CHECK(t->sv.state == SV_STOPPING);
	for (i = 0; i < 100 && find_kill(t, mark, -pgid, SIGKILL) == -1; i++)
		fire(t);
	CHECK(find_kill(t, mark, -pgid, SIGKILL) >= 0);
	CHECK(t->now == 1050 + 1000);
	CHECK(starts_with(t->sv.error, "stop_escalated:"));
	CHECK(t->sv.state == SV_STOPPING);
	/* Stuck in the kernel: one more grace, then go on without it. */
	for (i = 0; i < 100 && t->sv.state == SV_STOPPING; i++)
		fire(t);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->now == 1050 + 2000);
	CHECK(runs(t) == 1);
}

static void
finish_start_error_is_noted_and_skipped(void)
{
	struct rig *t = rig_new();
	size_t i, notes = 0;

	t->fake.has_finish = 1;
	t->fake.finish_fails = SV_START_NOT_EXECUTABLE;
	boot_up(t);
	run_dies(t, 50, exited(1));
	CHECK(t->sv.state == SV_BACKOFF);
	for (i = 0; i < t->fake.nevents; i++)
		if (starts_with(t->fake.events[i].reason,
		    "finish: run_not_executable: "))
			notes++;
	CHECK(notes == 1);
}

/*
 * The spawn's own words go into the error after the program's name:
 * a missing #! interpreter reads as such, not as a missing ./run.
 */
static void
exec_failed_says_what_the_spawn_said(void)
{
	static const char *const texts[] = {
		"interpreter /nonexistent/sh not found",
		"interpreter /tmp/x is not executable",
	};
	char want[160];
	struct rig *t;
	size_t i;

	for (i = 0; i < CHECK_LEN(texts); i++) {
		t = rig_new();
		t->fake.run_fails = SV_START_EXEC_FAILED;
		t->fake.run_errno = ENOENT;
		t->fake.run_text = texts[i];
		boot_up(t);
		snprintf(want, sizeof want, "exec_failed: ./run: %s", texts[i]);
		CHECK(t->sv.state == SV_FAILED);
		CHECK_STR(t->sv.error, want);
		snprintf(want, sizeof want, "starting -> failed exec_failed: "
		    "./run: %s", texts[i]);
		CHECK_STR(last_event_text(t), want);
		/* Like any exec_failed: no retry until u. */
		CHECK(sv_deadline(&t->sv) == -1);
		CHECK(run_attempts(t) == 1);
	}

	/* A run that was missing, then appears with a bad #! line. */
	t = rig_new();
	t->fake.run_fails = SV_START_MISSING;
	t->fake.run_errno = ENOENT;
	boot_up(t);
	CHECK_STR(t->sv.error, "run_missing: ./run: No such file or directory");
	t->fake.run_fails = SV_START_EXEC_FAILED;
	t->fake.run_text = texts[0];
	sv_on_run_changed(&t->sv, &t->ops, t->now);
	CHECK_STR(t->sv.error,
	    "exec_failed: ./run: interpreter /nonexistent/sh not found");
	CHECK_STR(last_event_text(t), "starting -> failed exec_failed: ./run: "
	    "interpreter /nonexistent/sh not found");
	CHECK(sv_deadline(&t->sv) == -1);
}

/* ./finish goes through the same spawn, and says the same. */
static void
finish_exec_failed_says_what_the_spawn_said(void)
{
	struct rig *t = rig_new();
	size_t i, notes = 0;

	t->fake.has_finish = 1;
	t->fake.finish_fails = SV_START_EXEC_FAILED;
	t->fake.run_text = "interpreter /nonexistent/sh not found";
	boot_up(t);
	t->fake.run_fails = SV_START_OK;
	run_dies(t, 50, exited(1));
	CHECK(t->sv.state == SV_BACKOFF);
	for (i = 0; i < t->fake.nevents; i++)
		if (strcmp(t->fake.events[i].reason, "finish: exec_failed: "
		    "./finish: interpreter /nonexistent/sh not found") == 0)
			notes++;
	CHECK(notes == 1);
}

static void
start_errors_fail_without_respawn_loop(void)
{
	static const struct {
		enum sv_start_error	why;
		int			err;
		const char		*prefix;
	} cases[] = {
		{ SV_START_MISSING, ENOENT, "run_missing: " },
		{ SV_START_NOT_EXECUTABLE, EACCES, "run_not_executable: " },
		{ SV_START_EXEC_FAILED, ENOEXEC, "exec_failed: " },
	};
	struct rig *t;
	size_t i;

	for (i = 0; i < CHECK_LEN(cases); i++) {
		t = rig_new();
		t->fake.run_fails = cases[i].why;
		t->fake.run_errno = cases[i].err;
		boot_up(t);
		CHECK(t->sv.state == SV_FAILED);
		CHECK(starts_with(t->sv.error, cases[i].prefix));
		CHECK(strstr(t->sv.error, strerror(cases[i].err)) != NULL);
		CHECK(t->sv.pid == 0);
		CHECK(run_attempts(t) == 1);
		if (cases[i].why != SV_START_EXEC_FAILED)
			continue;	/* run_is_written_in_place_starts */
		CHECK(sv_deadline(&t->sv) == -1);
		tick_at(t, t->now + 3600000);
		CHECK(run_attempts(t) == 1);
		CHECK(t->sv.state == SV_FAILED);
	}
}

/*
 * A run that is missing or not yet executable is looked for again every
 * second, quietly (no event while nothing changed), and at once when the
 * directory changes; it starts as soon as it can.
 */
static void
run_is_written_in_place_starts(void)
{
	struct rig *t = rig_new();
	size_t events;
	int64_t failed_at;

	t->fake.run_fails = SV_START_NOT_EXECUTABLE;
	t->fake.run_errno = EACCES;
	boot_up(t);
	failed_at = t->now;
	CHECK(t->sv.state == SV_FAILED);
	CHECK(sv_deadline(&t->sv) == failed_at + 1000);
	events = t->fake.nevents;
	fire(t);
	fire(t);
	CHECK(run_attempts(t) == 3);
	CHECK(t->fake.nevents == events);
	CHECK(t->sv.state == SV_FAILED);
	CHECK(sv_deadline(&t->sv) == failed_at + 3000);

	/* chmod +x: the directory watch says so before the next second. */
	t->fake.run_fails = SV_START_OK;
	t->now += 10;
	sv_on_run_changed(&t->sv, &t->ops, t->now);
	CHECK(t->sv.state == SV_UP);
	CHECK(run_attempts(t) == 4);
	CHECK_STR(t->sv.error, "");
	CHECK(t->sv.restarts == 0);
}

/* attempt counts every start of ./run; u resets restarts, not it. */
static void
attempts_count_every_start(void)
{
	struct rig *t = rig_new();

	t->fake.conf.backoff_initial_ms = 0;
	boot_up(t);
	CHECK(t->sv.attempts == 1);
	run_dies(t, 10, exited(1));
	run_dies(t, 10, exited(1));
	CHECK(t->sv.restarts == 2);
	CHECK(t->sv.attempts == 3);
	CHECK(control(t, 'd') == 0);
	reap(t, t->sv.pid, killed(SIGTERM));
	CHECK(control(t, 'u') == 0);
	CHECK(t->sv.restarts == 0);
	CHECK(t->sv.attempts == 4);
	/* A start that fails is no attempt of ./run. */
	t->fake.run_fails = SV_START_EXEC_FAILED;
	t->fake.run_errno = ENOEXEC;
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_FAILED);
	CHECK(t->sv.attempts == 4);
}

static void
run_retry_ends_with_d_and_on_timer(void)
{
	struct rig *t = rig_new();

	t->fake.run_fails = SV_START_MISSING;
	t->fake.run_errno = ENOENT;
	boot_up(t);
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(sv_deadline(&t->sv) == -1);
	sv_on_run_changed(&t->sv, &t->ops, t->now);
	CHECK(run_attempts(t) == 1);

	/* Without a watch, the timer alone finds it. */
	t = rig_new();
	t->fake.run_fails = SV_START_MISSING;
	t->fake.run_errno = ENOENT;
	boot_up(t);
	t->fake.run_fails = SV_START_OK;
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(starts_with(last_event_text(t), "failed -> starting ") ||
	    starts_with(last_event_text(t), "starting -> up "));
}

static void
start_error_on_respawn_fails_without_loop(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	t->fake.run_fails = SV_START_MISSING;
	t->fake.run_errno = ENOENT;
	run_dies(t, 10, exited(1));
	fire(t);
	CHECK(t->sv.state == SV_FAILED);
	CHECK(starts_with(t->sv.error, "run_missing: "));
	CHECK(sv_deadline(&t->sv) == t->now + 1000);
	CHECK(run_attempts(t) == 2);
	CHECK(t->sv.restarts == 1);
}

static void
reload_error_gives_config_invalid(void)
{
	struct rig *t = rig_new();

	t->fake.reload_fails = 1;
	boot_up(t);
	CHECK(t->sv.state == SV_FAILED);
	CHECK_STR(t->sv.error, "config_invalid: conf:3: restart: must be "
	    "always, on-failure or never");
	CHECK(run_attempts(t) == 0);
	CHECK(sv_deadline(&t->sv) == -1);
	/* Booting down with a bad conf fails as well. */
	t = rig_new();
	t->fake.reload_fails = 1;
	boot_down(t);
	CHECK(t->sv.state == SV_FAILED);
	CHECK(starts_with(t->sv.error, "config_invalid: conf:3: "));
}

/* ./run ends with WSTATUS, a ./finish exists: it gets argv WANT. */
static void
check_finish_argv(int wstatus, const char *code, const char *sig)
{
	struct rig *t = rig_new();
	const struct launch *first, *fin;
	pid_t finish_pid;

	t->fake.has_finish = 1;
	boot_up(t);
	first = &t->fake.launches[0];
	run_dies(t, 50, wstatus);
	CHECK(t->sv.state == SV_FINISHING);
	fin = last_launch(t);
	CHECK(fin->argc == 3);
	CHECK_STR(fin->argv[0], "./finish");
	CHECK_STR(fin->argv[1], code);
	CHECK_STR(fin->argv[2], sig);
	CHECK(strcmp(fin->dir, first->dir) == 0 && fin->envc == first->envc);
	CHECK(fin->notify_fd == -1);
	CHECK(runs(t) == 1);
	finish_pid = fin->pid;
	CHECK(sv_deadline(&t->sv) == t->now +
	    t->fake.conf.finish_timeout_ms);
	reap(t, finish_pid, exited(0));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.last_wstatus == wstatus);
}

static void
finish_gets_exit_code_and_zero_after_exit_1(void)
{
	check_finish_argv(exited(1), "1", "0");
}

static void
finish_gets_256_and_signal_after_sigterm_death(void)
{
	char sig[16];

	snprintf(sig, sizeof sig, "%d", SIGTERM);
	check_finish_argv(killed(SIGTERM), "256", sig);
}

static void
finish_timeout_kills_finish_with_sigkill(void)
{
	struct rig *t = rig_new();
	int64_t deadline;
	pid_t finish_pid;
	size_t mark;

	t->fake.has_finish = 1;
	boot_up(t);
	run_dies(t, 50, exited(1));
	CHECK(t->sv.state == SV_FINISHING);
	finish_pid = last_launch(t)->pid;
	deadline = sv_deadline(&t->sv);
	CHECK(deadline == t->now + 5000);
	mark = t->fake.nkills;
	tick_at(t, deadline - 1);
	CHECK(signals_since(t, mark) == 0);
	tick_at(t, deadline);
	CHECK(find_kill(t, mark, -finish_pid, SIGKILL) >= 0 ||
	    find_kill(t, mark, finish_pid, SIGKILL) >= 0);
	CHECK(t->sv.state == SV_FINISHING);
	reap(t, finish_pid, killed(SIGKILL));
	CHECK(t->sv.state == SV_BACKOFF);
	fire(t);
	CHECK(t->sv.state == SV_UP);
}

static void
finish_after_stop_then_down(void)
{
	struct rig *t = rig_new();
	pid_t finish_pid;

	t->fake.has_finish = 1;
	boot_up(t);
	CHECK(control(t, 'd') == 0);
	reap(t, t->sv.pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_FINISHING);
	finish_pid = last_launch(t)->pid;
	reap(t, finish_pid, exited(0));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(runs(t) == 1);
}

/* A group left by a killed sid-supervise: stopped, then a fresh start. */
static void
leftover_group_is_stopped_before_a_fresh_start(void)
{
	struct rig *t = rig_new();
	const pid_t old = 50;

	t->fake.has_finish = 1;
	proc_add(&t->fake, old, old);
	sv_boot_leftover(&t->sv, &t->ops, old, 1, t->now);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(find_kill(t, 0, -old, SIGTERM) >= 0);
	CHECK(find_kill(t, 0, -old, SIGCONT) > find_kill(t, 0, -old,
	    SIGTERM));
	fire(t);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(runs(t) == 0);
	/* Not our child: only the group check sees it go. */
	proc_remove(&t->fake, old);
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(runs(t) == 1);
	CHECK(t->fake.nlaunches == 1);		/* no ./finish for it */
	CHECK(t->sv.pgid != old);
}

static void
leftover_group_that_ignores_term_gets_sigkill(void)
{
	struct rig *t = rig_new();
	const pid_t old = 50;

	t->fake.conf.stop_grace_ms = 300;
	proc_add(&t->fake, old, old);
	sv_boot_leftover(&t->sv, &t->ops, old, 0, t->now);
	while (find_kill(t, 0, -old, SIGKILL) < 0 && t->now < 1000 + 300)
		fire(t);
	CHECK(t->now == 1000 + 300);
	CHECK(find_kill(t, 0, -old, SIGKILL) >= 0);
	CHECK(strncmp(t->sv.error, "stop_escalated:", 15) == 0);
	proc_remove(&t->fake, old);
	fire(t);
	CHECK(t->sv.state == SV_DOWN);		/* want down: no start */
	CHECK(runs(t) == 0);
}

/* Starts held while the ready-port is taken by another process. */

#define NGINX	"127.0.0.1:8080 held by pid 1234 (nginx)"

static struct rig *
rig_with_held_port(void)
{
	struct rig *t = rig_new();

	t->fake.conf.ready_port = 8080;
	snprintf(t->fake.holder, sizeof t->fake.holder, "%s", NGINX);
	return t;
}

static void
held_port_holds_the_boot_start_in_backoff(void)
{
	struct rig *t = rig_with_held_port();

	boot_up(t);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(run_attempts(t) == 0);
	CHECK(t->sv.pid == 0);
	CHECK(t->sv.attempts == 0);
	CHECK(t->sv.restarts == 0);
	CHECK(t->sv.ready == SV_READY_NO);
	CHECK(t->fake.holder_asks == 1);
	CHECK_STR(t->sv.error, "port_in_use: " NGINX);
	CHECK(t->sv.backoff_ms == 100);
	CHECK(sv_deadline(&t->sv) == t->now + 100);
	CHECK(t->fake.nevents == 1);
	CHECK_STR(last_event_text(t), "down -> backoff boot: port_in_use: "
	    NGINX " (next start in 100ms)");
}

static void
held_port_retries_double_up_to_one_second_quietly(void)
{
	static const int64_t want[] = { 100, 200, 400, 800, 1000, 1000, 1000 };
	struct rig *t = rig_with_held_port();
	int64_t before;
	size_t i, events;

	boot_up(t);
	events = t->fake.nevents;
	for (i = 0; i < CHECK_LEN(want); i++) {
		CHECK(t->sv.state == SV_BACKOFF);
		CHECK(t->sv.backoff_ms == want[i]);
		before = t->now;
		fire(t);
		CHECK(t->now == before + want[i]);
	}
	CHECK(run_attempts(t) == 0);
	CHECK(t->fake.holder_asks == CHECK_LEN(want) + 1);
	CHECK(t->fake.nevents == events);	/* no event per retry */
	CHECK_STR(t->sv.error, "port_in_use: " NGINX);
}

static void
held_port_retry_cap_is_backoff_max_when_lower(void)
{
	static const int64_t want[] = { 100, 200, 300, 300 };
	struct rig *t = rig_with_held_port();
	size_t i;

	t->fake.conf.backoff_max_ms = 300;
	boot_up(t);
	for (i = 0; i < CHECK_LEN(want); i++) {
		CHECK(t->sv.backoff_ms == want[i]);
		fire(t);
	}
	/* backoff-initial 0: still no busy loop. */
	t = rig_with_held_port();
	t->fake.conf.backoff_initial_ms = 0;
	boot_up(t);
	CHECK(t->sv.backoff_ms == 10);
	CHECK(sv_deadline(&t->sv) == t->now + 10);
}

static void
held_port_start_follows_once_free_and_clears_error(void)
{
	struct rig *t = rig_with_held_port();
	int i;

	boot_up(t);
	for (i = 0; i < 5; i++)
		fire(t);
	t->fake.holder[0] = '\0';
	fire(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(runs(t) == 1);
	CHECK(t->sv.attempts == 1);
	CHECK(t->sv.restarts == 0);
	CHECK_STR(t->sv.error, "");
	CHECK(t->sv.backoff_ms == 0);
	CHECK_STR(last_event_text(t), "backoff -> starting backoff over");
	t->fake.listener_pgid = t->sv.pid;
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_YES);
}

static void
held_port_new_holder_is_one_more_event(void)
{
	struct rig *t = rig_with_held_port();
	size_t events;

	boot_up(t);
	fire(t);
	events = t->fake.nevents;
	snprintf(t->fake.holder, sizeof t->fake.holder,
	    "[::1]:8080 held by a process of uid 1000");
	fire(t);
	CHECK(t->fake.nevents == events + 1);
	CHECK_STR(last_event_text(t), "backoff -> backoff backoff over: "
	    "port_in_use: [::1]:8080 held by a process of uid 1000 "
	    "(next start in 400ms)");
	CHECK_STR(t->sv.error,
	    "port_in_use: [::1]:8080 held by a process of uid 1000");
	fire(t);
	CHECK(t->fake.nevents == events + 1);
}

/* A held start is no restart: nothing ran. */
static void
held_port_does_not_count_toward_max_restarts(void)
{
	struct rig *t = rig_new();
	int i;

	t->fake.conf.ready_port = 8080;
	t->fake.conf.max_restarts = 2;
	t->fake.conf.restart_window_ms = 60000;
	t->fake.listener_pgid = -1;		/* never ready: no matter */
	boot_up(t);
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.restarts == 1);
	snprintf(t->fake.holder, sizeof t->fake.holder, "%s", NGINX);
	for (i = 0; i < 10; i++)
		fire(t);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.restarts == 1);
	CHECK(runs(t) == 1);
	t->fake.holder[0] = '\0';
	fire(t);
	CHECK(t->sv.state == SV_STARTING);
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_BACKOFF);	/* the second restart of 2 */
	CHECK(t->sv.restarts == 2);
	fire(t);
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_FAILED);
	CHECK(starts_with(t->sv.error, "retry_cap:"));
}

/* Every path to ./run asks first: u, o, r, a restart, the run retry. */
static void
held_port_is_asked_before_every_start(void)
{
	struct rig *t = rig_with_held_port();

	boot_down(t);
	CHECK(t->fake.holder_asks == 0);
	CHECK(control(t, 'o') == 0);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.want == SV_WANT_ONCE);
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(control(t, 'u') == 0);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK_STR(last_event_text(t), "down -> backoff control: u: "
	    "port_in_use: " NGINX " (next start in 100ms)");
	CHECK(run_attempts(t) == 0);

	/* r while up: the stop, then a start held. */
	t->fake.holder[0] = '\0';
	fire(t);
	CHECK(t->sv.state == SV_STARTING);
	snprintf(t->fake.holder, sizeof t->fake.holder, "%s", NGINX);
	CHECK(control(t, 'r') == 0);
	CHECK(t->sv.state == SV_STOPPING);
	reap(t, t->sv.pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(runs(t) == 1);
	CHECK_STR(t->sv.error, "port_in_use: " NGINX);

	/* An automatic restart. */
	t->fake.holder[0] = '\0';
	fire(t);
	CHECK(t->sv.state == SV_STARTING);
	snprintf(t->fake.holder, sizeof t->fake.holder, "%s", NGINX);
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_BACKOFF);
	fire(t);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(runs(t) == 2);
	CHECK_STR(t->sv.error, "port_in_use: " NGINX);

	/* ./run missing, then written while the port is taken. */
	t->fake.holder[0] = '\0';
	t->fake.run_fails = SV_START_MISSING;
	t->fake.run_errno = ENOENT;
	fire(t);
	CHECK(t->sv.state == SV_FAILED);
	CHECK(t->sv.run_retry);
	snprintf(t->fake.holder, sizeof t->fake.holder, "%s", NGINX);
	t->fake.run_fails = SV_START_OK;
	t->now += 10;
	sv_on_run_changed(&t->sv, &t->ops, t->now);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(runs(t) == 2);
	CHECK_STR(t->sv.error, "port_in_use: " NGINX);
	t->fake.holder[0] = '\0';
	fire(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(runs(t) == 3);
}

static void
held_port_u_is_quiet_and_restarts_the_ladder(void)
{
	struct rig *t = rig_with_held_port();
	size_t events;
	int i;

	boot_up(t);
	for (i = 0; i < 4; i++)
		fire(t);
	CHECK(t->sv.backoff_ms == 1000);
	events = t->fake.nevents;
	CHECK(control(t, 'u') == 0);
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.backoff_ms == 100);
	CHECK(t->fake.nevents == events + 1);
	CHECK_STR(last_event_text(t), "backoff -> backoff control: u");
	/* d ends the hold; nothing is asked any more. */
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(sv_deadline(&t->sv) == -1);
	events = t->fake.holder_asks;
	tick_at(t, t->now + 60000);
	CHECK(t->fake.holder_asks == events);
	CHECK(control(t, 'x') == 0);
	CHECK(sv_done(&t->sv));
}

static void
no_ready_port_never_asks_for_a_holder(void)
{
	struct rig *t = rig_new();

	snprintf(t->fake.holder, sizeof t->fake.holder, "%s", NGINX);
	boot_up(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->fake.holder_asks == 0);
}

/* Only a listener of the service's own group makes it ready. */
static void
foreign_listener_does_not_make_it_ready(void)
{
	struct rig *t = rig_new();
	int i;

	t->fake.conf.ready_port = 8080;
	t->fake.conf.ready_timeout_ms = 2000;
	t->fake.listener_pgid = 4242;		/* someone else's */
	boot_up(t);
	for (i = 0; i < 1000 && t->sv.state == SV_STARTING; i++)
		fire(t);
	CHECK(t->fake.probes > 1);
	CHECK(t->fake.probe_pgid == t->sv.pid);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_NO);
	CHECK_STR(t->sv.error,
	    "started_but_unbound: port 8080 not listening after 2s");
}

/* ./check, the notify socket and the watchdog. */

/* The running ./check ends with WSTATUS at NOW + AFTER_MS. */
static void
check_ends(struct rig *t, int64_t after_ms, int wstatus)
{
	pid_t pid = t->sv.check_pid;

	CHECK(pid != 0);
	t->now += after_ms;
	if (pid != 0)
		reap(t, pid, wstatus);
}

/* Let the timers start the next ./check, then end it with WSTATUS. */
static void
next_check(struct rig *t, int wstatus)
{
	fire(t);
	CHECK(t->sv.check_pid != 0);
	check_ends(t, 10, wstatus);
}

static size_t
checks_spawned(const struct rig *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->fake.nlaunches; i++)
		if (strcmp(t->fake.launches[i].argv[0], "./check") == 0)
			n++;
	return n;
}

static struct rig *
rig_with_check(void)
{
	struct rig *t = rig_new();

	t->fake.has_check = 1;
	t->fake.conf.check_interval_ms = 1000;
	t->fake.conf.check_timeout_ms = 500;
	t->fake.conf.check_failures = 3;
	return t;
}

/* Start order: a service that needs db and cache. */
static struct rig *
rig_needs(const char *unmet)
{
	struct rig *t = rig_new();

	t->fake.conf.nneeds = 2;
	memcpy(t->fake.conf.needs, "db\0cache", sizeof "db\0cache");
	snprintf(t->fake.unmet, sizeof t->fake.unmet, "%s", unmet);
	return t;
}

static void
no_check_no_health_timers(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.health == SV_HEALTH_NA);
	CHECK(t->sv.ready == SV_READY_NA);
	CHECK(sv_deadline(&t->sv) == -1);
	CHECK(checks_spawned(t) == 0);
}

static void
check_polls_until_its_first_pass_makes_ready(void)
{
	struct rig *t = rig_with_check();
	int64_t at;

	boot_up(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(t->sv.ready == SV_READY_NO);
	next_check(t, exited(1));
	CHECK(t->sv.state == SV_STARTING);
	CHECK(sv_deadline(&t->sv) == t->now + 100);
	at = t->now;
	next_check(t, exited(0));
	CHECK(t->now == at + 110);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_YES);
	CHECK(t->sv.health == SV_HEALTH_OK);
	CHECK(checks_spawned(t) == 2);
	/* Then every check-interval; a check is no ./run. */
	CHECK(sv_deadline(&t->sv) == t->now + 1000);
	next_check(t, exited(0));
	CHECK(t->sv.health == SV_HEALTH_OK);
	CHECK(runs(t) == 1);
	CHECK_STR(t->sv.error, "");
	CHECK(t->fake.launches[1].fds[0] == 20);
	CHECK(t->fake.launches[1].notify_fd == -1);
}

static void
check_never_overlaps_itself(void)
{
	struct rig *t = rig_with_check();

	boot_up(t);
	fire(t);
	CHECK(checks_spawned(t) == 1);
	/* Still running at its own poll time: nothing new starts. */
	tick_at(t, t->now + 200);
	CHECK(checks_spawned(t) == 1);
	CHECK(sv_deadline(&t->sv) == t->now + 300);	/* its timeout */
}

static void
check_failing_three_times_restarts_counted_unhealthy(void)
{
	struct rig *t = rig_with_check();
	pid_t first;

	boot_up(t);
	next_check(t, exited(0));
	CHECK(t->sv.state == SV_UP);
	first = t->sv.pid;
	next_check(t, exited(1));
	CHECK(t->sv.health == SV_HEALTH_FAILING);
	CHECK(t->sv.state == SV_UP);
	next_check(t, exited(1));
	CHECK(t->sv.state == SV_UP);
	next_check(t, exited(1));
	CHECK(t->sv.state == SV_STOPPING);
	CHECK_STR(t->sv.error, "check_failed: exit 1 (3 in a row)");
	CHECK(t->fake.nkills > 0 &&
	    t->fake.kills[t->fake.nkills - 2].pid == -first &&
	    t->fake.kills[t->fake.nkills - 2].sig == SIGTERM);
	/* It lived past healthy-after, yet the delay does not reset. */
	t->now += t->sv.conf.healthy_after_ms;
	run_dies(t, 0, killed(SIGTERM));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.backoff_ms == t->sv.conf.backoff_initial_ms);
	CHECK(t->sv.restarts == 1);
	fire(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(t->sv.attempts == 2);
	CHECK_STR(t->sv.error, "check_failed: exit 1 (3 in a row)");
	CHECK(t->sv.health == SV_HEALTH_FAILING);
	next_check(t, exited(0));
	CHECK(t->sv.state == SV_UP);
	CHECK_STR(t->sv.error, "");
	next_check(t, exited(2));
	next_check(t, exited(2));
	next_check(t, exited(2));
	CHECK_STR(t->sv.error, "check_failed: exit 2 (3 in a row)");
	t->now += t->sv.conf.healthy_after_ms;
	run_dies(t, 0, killed(SIGTERM));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.backoff_ms == 2 * t->sv.conf.backoff_initial_ms);
	CHECK(t->sv.restarts == 2);
}

static void
check_timing_out_is_killed_and_failed(void)
{
	struct rig *t = rig_with_check();
	pid_t check;

	t->fake.conf.check_failures = 1;
	boot_up(t);
	next_check(t, exited(0));
	fire(t);
	check = t->sv.check_pid;
	CHECK(check != 0);
	fire(t);	/* check-timeout */
	CHECK(t->fake.kills[t->fake.nkills - 1].pid == -check);
	CHECK(t->fake.kills[t->fake.nkills - 1].sig == SIGKILL);
	CHECK(t->sv.state == SV_UP);
	check_ends(t, 1, killed(SIGKILL));
	CHECK(t->sv.state == SV_STOPPING);
	CHECK_STR(t->sv.error, "check_failed: timed out after 500ms "
	    "(1 in a row)");
}

static void
check_left_running_by_a_stop_is_killed(void)
{
	struct rig *t = rig_with_check();
	pid_t check;

	boot_up(t);
	fire(t);
	check = t->sv.check_pid;
	control(t, 'd');
	CHECK(t->fake.kills[t->fake.nkills - 1].pid == -check);
	CHECK(t->fake.kills[t->fake.nkills - 1].sig == SIGKILL);
	check_ends(t, 1, killed(SIGKILL));
	CHECK(t->sv.state == SV_STOPPING);
	CHECK_STR(t->sv.error, "");
}

static void
ready_timeout_with_a_check_that_never_passes(void)
{
	struct rig *t = rig_with_check();

	t->fake.conf.ready_timeout_ms = 300;
	boot_up(t);
	next_check(t, exited(1));
	next_check(t, exited(1));
	next_check(t, exited(1));
	tick_at(t, 1300);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_NO);
	CHECK_STR(t->sv.error, "started_but_unbound: ./check did not pass "
	    "after 300ms");
}

static void
notify(struct rig *t, const char *text)
{
	sv_on_notify(&t->sv, &t->ops, text, strlen(text), t->now);
}

static void
notify_ready_and_status(void)
{
	struct rig *t = rig_new();
	char buf[1024];

	t->fake.conf.notify_socket = 1;
	boot_up(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(sv_deadline(&t->sv) == t->now + t->sv.conf.ready_timeout_ms);
	notify(t, "STATUS=warming up\nMAINPID=4");
	CHECK(t->sv.state == SV_STARTING);
	CHECK_STR(t->sv.notice, "warming up");
	notify(t, "STATUS=serving\nREADY=1\n");
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_YES);
	CHECK_STR(t->sv.notice, "serving");
	notify(t, "STATUS=line\033one");
	status_format(buf, sizeof buf, &t->sv, 0);
	CHECK(strstr(buf, "\nnotice=line\\033one\n") != NULL ||
	    strstr(buf, "\nnotice=line\\eone\n") != NULL ||
	    strstr(buf, "\nnotice=line\\x1bone\n") != NULL);
	CHECK(strstr(buf, "\nhealth=n/a\n") != NULL);
	/* The notice is of one run: a new start clears it. */
	run_dies(t, 50, exited(1));
	fire(t);
	CHECK(t->sv.attempts == 2);
	CHECK_STR(t->sv.notice, "");
	CHECK(t->sv.ready == SV_READY_NO);
}

static void
notify_ready_timeout_names_the_socket(void)
{
	struct rig *t = rig_new();

	t->fake.conf.notify_socket = 1;
	t->fake.conf.ready_timeout_ms = 2000;
	boot_up(t);
	fire(t);
	CHECK(t->sv.state == SV_UP);
	CHECK_STR(t->sv.error, "started_but_unbound: no READY=1 on the "
	    "notify socket after 2s");
}

static void
watchdog_fed_then_starved(void)
{
	struct rig *t = rig_new();
	pid_t first;

	t->fake.conf.notify_socket = 1;
	t->fake.conf.watchdog_ms = 2000;
	t->fake.conf.ready_timeout_ms = 60000;
	boot_up(t);
	first = t->sv.pid;
	notify(t, "READY=1");
	CHECK(sv_deadline(&t->sv) == 3000);
	t->now += 1500;
	notify(t, "WATCHDOG=1");
	tick_at(t, 3400);
	CHECK(t->sv.state == SV_UP);
	CHECK(sv_deadline(&t->sv) == 4500);
	t->now = 4000;
	notify(t, "STATUS=x\nWATCHDOG=1");
	tick_at(t, 5999);
	CHECK(t->sv.state == SV_UP);
	tick_at(t, 6000);
	CHECK(t->sv.state == SV_STOPPING);
	CHECK_STR(t->sv.error, "watchdog_timeout: no WATCHDOG=1 for 2s");
	CHECK(t->fake.kills[t->fake.nkills - 2].pid == -first);
	CHECK(t->fake.kills[t->fake.nkills - 2].sig == SIGTERM);
	t->now += t->sv.conf.healthy_after_ms;
	run_dies(t, 0, killed(SIGTERM));
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(t->sv.restarts == 1);
	fire(t);
	CHECK(t->sv.attempts == 2);
	/* A stopped service has no watchdog. */
	control(t, 'd');
	run_dies(t, 0, killed(SIGTERM));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(sv_deadline(&t->sv) == -1);
}

static void
notify_ignored_without_the_socket_or_when_down(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	notify(t, "STATUS=x");
	CHECK_STR(t->sv.notice, "");
	t = rig_new();
	t->fake.conf.notify_socket = 1;
	boot_down(t);
	notify(t, "READY=1\nSTATUS=x");
	CHECK(t->sv.state == SV_DOWN);
	CHECK_STR(t->sv.notice, "");
}

static void
needs_met(struct rig *t, const char *unmet)
{
	snprintf(t->fake.unmet, sizeof t->fake.unmet, "%s", unmet);
	sv_on_needs(&t->sv, &t->ops, unmet, t->now);
}

static void
needs_unmet_hold_the_start_in_starting(void)
{
	struct rig *t = rig_needs("db cache");
	char text[4096];

	boot_up(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(t->sv.pid == 0);
	CHECK(sv_awaiting(&t->sv));
	CHECK_STR(t->sv.waiting, "db cache");
	CHECK(runs(t) == 0);
	CHECK(t->sv.attempts == 0);
	CHECK_STR(last_event_text(t),
	    "down -> starting boot (waiting for db cache)");
	/* No timer: the caller watches the needs. */
	CHECK(sv_deadline(&t->sv) == -1);
	status_format(text, sizeof text, &t->sv, 0);
	CHECK(strstr(text, "\nwaiting=db cache\n") != NULL);
	CHECK(strstr(text, "\npid=0\n") != NULL);
	CHECK(starts_with(text, "state=starting\n"));
}

static void
needs_waiting_list_follows_then_start_when_met(void)
{
	struct rig *t = rig_needs("db cache");
	size_t mark;

	boot_up(t);
	t->now += 50;
	needs_met(t, "cache");
	CHECK_STR(t->sv.waiting, "cache");
	CHECK_STR(last_event_text(t), "starting -> starting waiting for cache");
	mark = t->fake.nevents;
	needs_met(t, "cache");		/* no news: no event */
	CHECK(t->fake.nevents == mark);
	CHECK(runs(t) == 0);
	t->now += 50;
	needs_met(t, "");
	CHECK(runs(t) == 1);
	CHECK(!sv_awaiting(&t->sv));
	CHECK_STR(t->sv.waiting, "");
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.pid != 0);
	CHECK(find_event(t, mark, "starting -> starting needs met") >= 0);
	CHECK_STR(last_event_text(t), "starting -> up started");
}

static void
needs_already_met_start_at_once(void)
{
	struct rig *t = rig_needs("");

	boot_up(t);
	CHECK(t->fake.needs_asks == 1);
	CHECK(t->sv.state == SV_UP);
	CHECK(runs(t) == 1);
	CHECK_STR(t->sv.waiting, "");
	CHECK(find_event(t, 0, "down -> starting boot") == 0);
	CHECK_STR(last_event_text(t), "starting -> up started");
}

static void
no_needs_never_asks(void)
{
	struct rig *t = rig_new();

	boot_up(t);
	CHECK(t->fake.needs_asks == 0);
	CHECK(t->sv.state == SV_UP);
}

static void
needs_wait_is_cancelled_by_d(void)
{
	struct rig *t = rig_needs("db");

	t->fake.has_finish = 1;
	boot_up(t);
	CHECK(control(t, 'd') == 0);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(!sv_awaiting(&t->sv));
	CHECK_STR(t->sv.waiting, "");
	CHECK_STR(last_event_text(t), "starting -> down control: d");
	CHECK(signals_since(t, 0) == 0);
	CHECK(t->fake.nlaunches == 0);		/* no ./finish either */
	CHECK(sv_deadline(&t->sv) == -1);
	needs_met(t, "");
	CHECK(runs(t) == 0);
	CHECK(t->sv.state == SV_DOWN);
}

static void
needs_wait_ends_with_x(void)
{
	struct rig *t = rig_needs("db");

	boot_up(t);
	CHECK(control(t, 'x') == 0);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(sv_done(&t->sv));
}

static void
needs_u_is_noted_and_r_waits_anew(void)
{
	struct rig *t = rig_needs("db");
	unsigned reloads;

	boot_up(t);
	CHECK(control(t, 'u') == 0);
	CHECK_STR(last_event_text(t), "starting -> starting control: u");
	CHECK(sv_awaiting(&t->sv));
	reloads = t->fake.reloads;
	CHECK(control(t, 'r') == 0);
	CHECK(t->fake.reloads == reloads + 1);	/* conf read again */
	CHECK(signals_since(t, 0) == 0);
	CHECK(sv_awaiting(&t->sv));
	CHECK_STR(last_event_text(t),
	    "starting -> starting control: r (waiting for db)");
	needs_met(t, "");
	CHECK(t->sv.state == SV_UP);
	CHECK(runs(t) == 1);
}

static void
needs_o_when_down_waits_too(void)
{
	struct rig *t = rig_needs("db");

	boot_down(t);
	CHECK(control(t, 'o') == 0);
	CHECK(sv_awaiting(&t->sv));
	CHECK_STR(last_event_text(t),
	    "down -> starting control: o (waiting for db)");
	needs_met(t, "");
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.want == SV_WANT_ONCE);
}

static void
needs_restart_after_backoff_waits_again(void)
{
	struct rig *t = rig_needs("");

	boot_up(t);
	CHECK(runs(t) == 1);
	snprintf(t->fake.unmet, sizeof t->fake.unmet, "db");
	run_dies(t, 10, exited(1));
	CHECK(t->sv.state == SV_BACKOFF);
	fire(t);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(sv_awaiting(&t->sv));
	CHECK(runs(t) == 1);
	CHECK_STR(last_event_text(t),
	    "backoff -> starting backoff over (waiting for db)");
	CHECK(sv_deadline(&t->sv) == -1);
	needs_met(t, "");
	CHECK(runs(t) == 2);
	CHECK(t->sv.state == SV_UP);
}

static void
needs_lost_after_the_start_change_nothing(void)
{
	struct rig *t = rig_needs("");
	size_t mark;

	boot_up(t);
	mark = t->fake.nevents;
	needs_met(t, "db cache");
	CHECK(t->sv.state == SV_UP);
	CHECK(t->fake.nevents == mark);
	CHECK(signals_since(t, 0) == 0);
	CHECK_STR(t->sv.waiting, "");
}

static void
needs_then_readiness_before_up(void)
{
	struct rig *t = rig_needs("db");

	t->fake.conf.notification_fd = 3;
	boot_up(t);
	/* A stray readiness while nothing runs is no readiness. */
	sv_on_ready(&t->sv, &t->ops, t->now);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(runs(t) == 0);
	needs_met(t, "");
	CHECK(runs(t) == 1);
	CHECK(t->sv.state == SV_STARTING);
	CHECK(sv_deadline(&t->sv) == t->now + t->fake.conf.ready_timeout_ms);
	sv_on_ready(&t->sv, &t->ops, t->now);
	CHECK(t->sv.state == SV_UP);
	CHECK(t->sv.ready == SV_READY_YES);
}

static void
needs_met_then_held_port_goes_to_backoff(void)
{
	struct rig *t = rig_needs("db");

	t->fake.conf.ready_port = 8080;
	boot_up(t);
	snprintf(t->fake.holder, sizeof t->fake.holder, "pid 9 (nginx)");
	needs_met(t, "");
	CHECK(t->sv.state == SV_BACKOFF);
	CHECK(runs(t) == 0);
	t->fake.holder[0] = '\0';
	fire(t);			/* the needs are asked again: met */
	CHECK(runs(t) == 1);
	CHECK(t->sv.state == SV_STARTING);
}

static void
needs_hold_a_run_that_appears(void)
{
	struct rig *t = rig_needs("");

	t->fake.run_fails = SV_START_MISSING;
	t->fake.run_errno = ENOENT;
	boot_up(t);
	CHECK(t->sv.state == SV_FAILED);
	snprintf(t->fake.unmet, sizeof t->fake.unmet, "db");
	t->fake.run_fails = SV_START_OK;
	sv_on_run_changed(&t->sv, &t->ops, t->now);
	CHECK(runs(t) == 0);
	CHECK(sv_awaiting(&t->sv));
	CHECK_STR(last_event_text(t),
	    "failed -> starting ./run looked for again (waiting for db)");
	needs_met(t, "");
	CHECK(runs(t) == 1);
	CHECK(t->sv.state == SV_UP);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(wait_status_helpers_match_wait_macros),
		CHECK_TEST(healthy_run_then_death_waits_backoff_initial),
		CHECK_TEST(run_living_exactly_healthy_after_counts_as_healthy),
		CHECK_TEST(quick_deaths_double_delay_up_to_backoff_max),
		CHECK_TEST(automatic_respawns_replay_the_start_recipe),
		CHECK_TEST(explicit_u_and_r_reload_the_recipe),
		CHECK_TEST(transitions_come_in_order_and_match_events_format),
		CHECK_TEST(restart_policy_table),
		CHECK_TEST(retry_cap_fails_fourth_quick_death_in_window),
		CHECK_TEST(retry_cap_window_slides),
		CHECK_TEST(retry_cap_ignores_deaths_spaced_beyond_window),
		CHECK_TEST(backoff_reason_reads_people_durations),
		CHECK_TEST(retry_cap_window_reads_people_duration),
		CHECK_TEST(ready_timeout_reads_people_duration),
		CHECK_TEST(stop_grace_and_finish_timeout_read_people_durations),
		CHECK_TEST(control_u_clears_failed_and_restart_count),
		CHECK_TEST(control_every_letter_is_a_command),
		CHECK_TEST(control_unknown_byte_returns_error_and_records_nothing),
		CHECK_TEST(control_u_starts_and_is_idempotent),
		CHECK_TEST(control_u_during_stop_starts_again_after_exit),
		CHECK_TEST(control_d_sends_stop_signal_then_cont_to_group),
		CHECK_TEST(control_d_escalates_to_sigkill_after_stop_grace),
		CHECK_TEST(control_d_falls_back_to_pid_when_group_is_gone),
		CHECK_TEST(control_d_reports_signal_failed),
	CHECK_TEST(control_t_reports_signal_failed),
	CHECK_TEST(stop_clears_readiness),
		CHECK_TEST(control_o_does_not_restart_after_exit),
		CHECK_TEST(control_r_restarts_at_once_with_new_pid),
		CHECK_TEST(control_r_when_down_starts_now),
		CHECK_TEST(control_signal_letters_signal_the_pid),
		CHECK_TEST(control_p_and_c_pause_and_continue_the_whole_service),
		CHECK_TEST(control_signal_without_child_is_only_noted),
		CHECK_TEST(control_x_is_done_after_child_is_gone),
		CHECK_TEST(control_x_when_down_is_done_at_once),
		CHECK_TEST(ready_port_polled_until_probe_succeeds),
		CHECK_TEST(ready_port_timeout_gives_up_not_ready),
		CHECK_TEST(held_port_holds_the_boot_start_in_backoff),
		CHECK_TEST(held_port_retries_double_up_to_one_second_quietly),
		CHECK_TEST(held_port_retry_cap_is_backoff_max_when_lower),
		CHECK_TEST(held_port_start_follows_once_free_and_clears_error),
		CHECK_TEST(held_port_new_holder_is_one_more_event),
		CHECK_TEST(held_port_does_not_count_toward_max_restarts),
		CHECK_TEST(held_port_is_asked_before_every_start),
		CHECK_TEST(held_port_u_is_quiet_and_restarts_the_ladder),
		CHECK_TEST(no_ready_port_never_asks_for_a_holder),
		CHECK_TEST(foreign_listener_does_not_make_it_ready),
		CHECK_TEST(notification_fd_ready_moves_starting_to_up),
		CHECK_TEST(notification_fd_timeout_gives_started_but_unbound),
		CHECK_TEST(no_readiness_gives_ready_na_and_no_timer),
		CHECK_TEST(idle_up_service_has_no_deadline),
		CHECK_TEST(leader_exit_waits_for_group_before_restart),
		CHECK_TEST(reaped_orphan_ends_wait_for_group),
		CHECK_TEST(lingering_group_gets_sigkill_after_stop_grace),
		CHECK_TEST(start_errors_fail_without_respawn_loop),
		CHECK_TEST(exec_failed_says_what_the_spawn_said),
		CHECK_TEST(finish_exec_failed_says_what_the_spawn_said),
	CHECK_TEST(run_is_written_in_place_starts),
	CHECK_TEST(run_retry_ends_with_d_and_on_timer),
	CHECK_TEST(attempts_count_every_start),
		CHECK_TEST(start_error_on_respawn_fails_without_loop),
		CHECK_TEST(reload_error_gives_config_invalid),
		CHECK_TEST(finish_gets_exit_code_and_zero_after_exit_1),
		CHECK_TEST(finish_gets_256_and_signal_after_sigterm_death),
		CHECK_TEST(finish_timeout_kills_finish_with_sigkill),
		CHECK_TEST(finish_after_stop_then_down),
		CHECK_TEST(finish_start_error_is_noted_and_skipped),
		CHECK_TEST(leftover_group_is_stopped_before_a_fresh_start),
		CHECK_TEST(leftover_group_that_ignores_term_gets_sigkill),
		CHECK_TEST(no_check_no_health_timers),
		CHECK_TEST(check_polls_until_its_first_pass_makes_ready),
		CHECK_TEST(check_never_overlaps_itself),
		CHECK_TEST(check_failing_three_times_restarts_counted_unhealthy),
		CHECK_TEST(check_timing_out_is_killed_and_failed),
		CHECK_TEST(check_left_running_by_a_stop_is_killed),
		CHECK_TEST(ready_timeout_with_a_check_that_never_passes),
		CHECK_TEST(notify_ready_and_status),
		CHECK_TEST(notify_ready_timeout_names_the_socket),
		CHECK_TEST(watchdog_fed_then_starved),
		CHECK_TEST(notify_ignored_without_the_socket_or_when_down),
		CHECK_TEST(needs_unmet_hold_the_start_in_starting),
		CHECK_TEST(needs_waiting_list_follows_then_start_when_met),
		CHECK_TEST(needs_already_met_start_at_once),
		CHECK_TEST(no_needs_never_asks),
		CHECK_TEST(needs_wait_is_cancelled_by_d),
		CHECK_TEST(needs_wait_ends_with_x),
		CHECK_TEST(needs_u_is_noted_and_r_waits_anew),
		CHECK_TEST(needs_o_when_down_waits_too),
		CHECK_TEST(needs_restart_after_backoff_waits_again),
		CHECK_TEST(needs_lost_after_the_start_change_nothing),
		CHECK_TEST(needs_then_readiness_before_up),
		CHECK_TEST(needs_met_then_held_port_goes_to_backoff),
		CHECK_TEST(needs_hold_a_run_that_appears),
	};

	return check_run(tests, CHECK_LEN(tests));
}
