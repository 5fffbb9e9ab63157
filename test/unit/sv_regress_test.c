/*
 * sv_regress_test: what fuzzing lib/sv.c (test/fuzz/fuzz_sv.c) found,
 * each case as a test that failed before its fix.
 *
 * A small fake of struct sv_ops: a table of processes with their pid,
 * process group and whether they are stopped; signal_service(pgid, sig)
 * acts on every process of the group, kill(pid, sig) on one.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "sv.h"

#define MAX_PROCS	8

struct proc {
	pid_t	pid, pgid;
	int	stopped;
};

struct rig {
	struct sv	sv;
	struct sv_ops	ops;
	struct sv_conf	conf;		/* what reload reads */
	struct proc	procs[MAX_PROCS];
	size_t		nprocs;
	pid_t		next_pid;
	unsigned	spawns;		/* of ./run */
	int64_t		now;
};

static struct rig the_rig;

static void
proc_add(struct rig *t, pid_t pid, pid_t pgid)
{
	CHECK(t->nprocs < MAX_PROCS);
	if (t->nprocs < MAX_PROCS) {
		t->procs[t->nprocs].pid = pid;
		t->procs[t->nprocs].pgid = pgid;
		t->procs[t->nprocs].stopped = 0;
		t->nprocs++;
	}
}

static struct proc *
proc_find(struct rig *t, pid_t pid)
{
	size_t i;

	for (i = 0; i < t->nprocs; i++)
		if (t->procs[i].pid == pid)
			return &t->procs[i];
	return NULL;
}

static void
proc_remove(struct rig *t, pid_t pid)
{
	struct proc *p = proc_find(t, pid);

	if (p != NULL)
		*p = t->procs[--t->nprocs];
}

static int
fake_reload(void *ctx, struct sv_conf *conf, struct sv_recipe *recipe,
    char *err, size_t errlen)
{
	static char *env[] = { "PATH=/bin", NULL };
	struct rig *t = ctx;

	(void)err;
	(void)errlen;
	*conf = t->conf;
	recipe->envp = env;
	recipe->dir = ".";
	recipe->notify_fd = conf->notification_fd;
	return 0;
}

/* ./run starts; there is no ./finish. */
static int
fake_spawn(void *ctx, char *const argv[], const struct sv_recipe *recipe,
    pid_t *pid, enum sv_start_error *why, char *text, size_t size)
{
	struct rig *t = ctx;

	(void)recipe;
	(void)text;
	(void)size;
	if (strcmp(argv[0], "./run") != 0) {
		*why = SV_START_MISSING;
		errno = ENOENT;
		return -1;
	}
	t->spawns++;
	*pid = t->next_pid++;
	proc_add(t, *pid, *pid);
	return 0;
}

static void
act(struct proc *p, int sig)
{
	if (sig == SIGSTOP)
		p->stopped = 1;
	else if (sig == SIGCONT)
		p->stopped = 0;
}

static int
fake_kill(void *ctx, pid_t pid, int sig)
{
	struct rig *t = ctx;
	struct proc *p = proc_find(t, pid);

	if (pid <= 0 || p == NULL) {
		errno = ESRCH;
		return -1;
	}
	act(p, sig);
	return 0;
}

static int
fake_signal_service(void *ctx, pid_t pgid, int sig)
{
	struct rig *t = ctx;
	size_t i, n = 0;

	for (i = 0; i < t->nprocs; i++)
		if (t->procs[i].pgid == pgid) {
			act(&t->procs[i], sig);
			n++;
		}
	if (n == 0) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

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
	(void)port;
	(void)pgid;
	return 0;
}

/* The port is always free here. */
static int
fake_port_holder(void *ctx, unsigned port, char *who, size_t size)
{
	(void)ctx;
	(void)port;
	(void)who;
	(void)size;
	return 0;
}

static void
fake_event(void *ctx, enum sv_state from, enum sv_state to,
    const char *reason)
{
	(void)ctx;
	(void)from;
	(void)to;
	(void)reason;
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

static struct rig *
rig_new(void)
{
	struct rig *t = &the_rig;

	memset(t, 0, sizeof *t);
	t->ops = (struct sv_ops){
		.reload = fake_reload,
		.spawn = fake_spawn,
		.kill = fake_kill,
		.signal_service = fake_signal_service,
		.stop_service = fake_stop_service,
		.probe = fake_probe,
		.port_holder = fake_port_holder,
		.needs_unmet = fake_needs_unmet,
		.event = fake_event,
		.ctx = t,
	};
	conf_defaults(&t->conf);
	t->next_pid = 100;
	t->now = 1000;
	sv_init(&t->sv);
	return t;
}

static void
control(struct rig *t, unsigned char byte)
{
	sv_on_control(&t->sv, &t->ops, byte, t->now);
}

/* PID ends with WSTATUS and is reaped. */
static void
reap(struct rig *t, pid_t pid, int wstatus)
{
	proc_remove(t, pid);
	sv_on_exit(&t->sv, &t->ops, pid, wstatus, t->now);
}

/*
 * "xu" in one read of the FIFO: sid-supervise hands both bytes to sv
 * before it looks at sv_done().  The u used to start ./run after the x
 * was carried out, and sid-supervise then exited, leaving it running
 * unsupervised with state=up in status.
 */
static void
command_after_x_is_carried_out_starts_nothing(void)
{
	struct rig *t = rig_new();

	sv_boot(&t->sv, &t->ops, 0, "boot", t->now);
	control(t, 'x');
	CHECK(sv_done(&t->sv));
	control(t, 'u');
	control(t, 'o');
	control(t, 'r');
	CHECK(t->spawns == 0);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(t->sv.pid == 0);
	CHECK_STR(sv_want_name(t->sv.want), "down");
	CHECK(sv_done(&t->sv));
}

/* The same once a running service was stopped by x. */
static void
command_after_x_stopped_the_service_starts_nothing(void)
{
	struct rig *t = rig_new();
	pid_t pid;

	sv_boot(&t->sv, &t->ops, 1, "boot", t->now);
	CHECK(t->sv.state == SV_UP);
	pid = t->sv.pid;
	control(t, 'x');
	CHECK(t->sv.state == SV_STOPPING);
	reap(t, pid, killed(SIGTERM));
	CHECK(sv_done(&t->sv));
	control(t, 'u');
	CHECK(t->spawns == 1);
	CHECK(t->sv.state == SV_DOWN);
	CHECK(t->sv.pid == 0);
}

/* A stop clears readiness: status never says stopping with ready=yes. */
static void
stop_clears_readiness(void)
{
	struct rig *t = rig_new();
	pid_t pid;

	t->conf.notification_fd = 3;
	sv_boot(&t->sv, &t->ops, 1, "boot", t->now);
	CHECK(t->sv.state == SV_STARTING);
	sv_on_ready(&t->sv, &t->ops, t->now);
	CHECK(t->sv.state == SV_UP && t->sv.ready == SV_READY_YES);
	pid = t->sv.pid;
	control(t, 'd');
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(t->sv.ready == SV_READY_NO);
	reap(t, pid, killed(SIGTERM));
	CHECK(t->sv.state == SV_DOWN);
	CHECK(t->sv.ready == SV_READY_NO);

	/* And r, which stops before it starts again. */
	control(t, 'u');
	sv_on_ready(&t->sv, &t->ops, t->now);
	CHECK(t->sv.ready == SV_READY_YES);
	control(t, 'r');
	CHECK(t->sv.state == SV_STOPPING);
	CHECK(t->sv.ready == SV_READY_NO);
}

/* p and c pause and continue every process of the service. */
static void
pause_and_continue_act_on_the_whole_service(void)
{
	struct rig *t = rig_new();
	pid_t pid;

	sv_boot(&t->sv, &t->ops, 1, "boot", t->now);
	pid = t->sv.pid;
	proc_add(t, 500, pid);		/* sh -c 'sleep 1000 & wait' */
	control(t, 'p');
	CHECK(t->sv.paused);
	CHECK(proc_find(t, pid)->stopped);
	CHECK(proc_find(t, 500)->stopped);
	control(t, 'c');
	CHECK(!t->sv.paused);
	CHECK(!proc_find(t, pid)->stopped);
	CHECK(!proc_find(t, 500)->stopped);
}

/*
 * A process of the group survives SIGKILL (stuck in the kernel, or
 * another user's) while ./run still ran when SIGKILL went out: once
 * ./run exits, the stop goes on without that process one stop-grace
 * later, as it does when ./run was gone before SIGKILL.  It used to
 * poll the group for ever, and the service could never start again.
 */
static void
stop_gives_up_on_a_survivor_after_run_exits_past_sigkill(void)
{
	struct rig *t = rig_new();
	int64_t deadline;
	pid_t pid;
	int i;

	t->conf.stop_grace_ms = 1000;
	sv_boot(&t->sv, &t->ops, 1, "boot", t->now);
	pid = t->sv.pid;
	proc_add(t, 500, pid);		/* survives every signal */
	control(t, 'd');
	CHECK(t->sv.state == SV_STOPPING);
	t->now += 1000;			/* stop-grace over: SIGKILL */
	sv_on_timer(&t->sv, &t->ops, t->now);
	CHECK(strncmp(t->sv.error, "stop_escalated", 14) == 0);
	t->now += 1000;			/* ./run is stuck too, then exits */
	sv_on_timer(&t->sv, &t->ops, t->now);
	CHECK(t->sv.state == SV_STOPPING);
	t->now += 50;
	reap(t, pid, killed(SIGKILL));
	CHECK(t->sv.state == SV_STOPPING);
	for (i = 0; i < 100 && t->sv.state == SV_STOPPING; i++) {
		deadline = sv_deadline(&t->sv);
		CHECK(deadline >= t->now);
		if (deadline < 0)
			break;
		t->now = deadline;
		sv_on_timer(&t->sv, &t->ops, t->now);
	}
	CHECK(t->sv.state == SV_DOWN);
	CHECK(t->now <= 1000 + 2000 + 50 + 1000);
	control(t, 'u');
	CHECK(t->sv.state == SV_UP);
	CHECK(t->spawns == 2);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(command_after_x_is_carried_out_starts_nothing),
		CHECK_TEST(command_after_x_stopped_the_service_starts_nothing),
		CHECK_TEST(stop_clears_readiness),
		CHECK_TEST(pause_and_continue_act_on_the_whole_service),
		CHECK_TEST(stop_gives_up_on_a_survivor_after_run_exits_past_sigkill),
	};

	return check_run(tests, CHECK_LEN(tests));
}
