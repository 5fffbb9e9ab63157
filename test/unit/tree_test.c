/*
 * tree_test: sid-svscan's decisions without processes (lib/tree.h): the
 * delay before a dead sid-supervise is started again, what a scan
 * starts and when (loggers first, all at once), the order of a
 * shutdown (dependents first, unrelated ones together, loggers last,
 * cycles stopped together), and the cycles of the needs graph.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tree.h"

#define MAXN	16

/*
 * A tree from SPEC: "a:b,c b:c c:" is a needing b and c, b needing c
 * (names sorted, one letter or word each).  Every node alive.
 */
static struct tree_node	 nodes[MAXN];
static char		 words[MAXN][MAXN][16];
static const char	*needs[MAXN][MAXN];
static struct tree	 t;

static size_t
build(const char *spec)
{
	char buf[256], *node, *save, *colon, *need, *save2;
	size_t n = 0, k;

	memset(nodes, 0, sizeof nodes);
	snprintf(buf, sizeof buf, "%s", spec);
	for (node = strtok_r(buf, " ", &save); node != NULL;
	    node = strtok_r(NULL, " ", &save), n++) {
		colon = strchr(node, ':');
		if (colon != NULL)
			*colon++ = '\0';
		snprintf(words[n][0], sizeof words[n][0], "%s", node);
		nodes[n].name = words[n][0];
		k = 0;
		for (need = colon ? strtok_r(colon, ",", &save2) : NULL;
		    need != NULL; need = strtok_r(NULL, ",", &save2)) {
			snprintf(words[n][k + 1], sizeof words[n][k + 1],
			    "%s", need);
			needs[n][k] = words[n][k + 1];
			k++;
		}
		nodes[n].needs = needs[n];
		nodes[n].nneeds = k;
		nodes[n].alive = 1;
	}
	CHECK(tree_build(&t, nodes, n) == 0);
	return n;
}

/* The names tree_stop_now() says, space-separated, into a static buffer. */
static const char *
stop_now(void)
{
	static char out[256];
	size_t idx[MAXN], n, i;

	n = tree_stop_now(&t, idx);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, nodes[idx[i]].name);
	}
	return out;
}

/* The nodes named in NAMES (space-separated) are gone. */
static void
gone(const char *names)
{
	char buf[256], *w, *save;
	size_t i;

	snprintf(buf, sizeof buf, "%s", names);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		for (i = 0; i < t.n; i++)
			if (strcmp(nodes[i].name, w) == 0)
				nodes[i].alive = 0;
}

static const char *
cycle(size_t k)
{
	static char out[256];

	CHECK(tree_cycle_text(&t, k, out, sizeof out) < sizeof out);
	return out;
}

/* ---- restarts ---- */

static void
restart_delay_doubles_to_the_max(void)
{
	struct tree_restart r;

	tree_restart_init(&r);
	tree_restart_started(&r, 1000);
	CHECK(tree_restart_died(&r, 1100) == 1100 + 250);
	tree_restart_started(&r, 1350);
	CHECK(tree_restart_died(&r, 1400) == 1400 + 500);
	tree_restart_started(&r, 1900);
	CHECK(tree_restart_died(&r, 1900) == 1900 + 1000);
	tree_restart_started(&r, 2900);
	CHECK(tree_restart_died(&r, 2900) == 2900 + 2000);
	tree_restart_started(&r, 4900);
	CHECK(tree_restart_died(&r, 4900) == 4900 + 2000);
}

static void
restart_delay_is_short_again_after_a_healthy_run(void)
{
	struct tree_restart r;

	tree_restart_init(&r);
	tree_restart_started(&r, 0);
	CHECK(tree_restart_died(&r, 10) == 10 + 250);
	tree_restart_started(&r, 260);
	CHECK(tree_restart_died(&r, 270) == 270 + 500);
	tree_restart_started(&r, 770);
	CHECK(tree_restart_died(&r, 770 + 10000) == 770 + 10000 + 250);
}

/* ---- starts ---- */

/* ACT (N of them) as "svc:log|main@at ...", into a static buffer. */
static const char *
actions(const struct tree_action *act, size_t n)
{
	static char out[512];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof out - len,
		    "%s%zu:%s@%lld", i ? " " : "", act[i].svc,
		    act[i].log ? "log" : "main", (long long)act[i].at);
	return out;
}

static void
a_scan_starts_each_logger_first_all_at_once(void)
{
	struct tree_found found[] = { { 1, 1 }, { 0, 1 }, { 1, 1 } };
	struct tree_action act[6];
	size_t n;

	n = tree_scan_starts(found, 3, 5000, act);
	CHECK_STR(actions(act, n),
	    "0:log@5000 0:main@5000 1:main@5000 2:log@5000 2:main@5000");
	CHECK(tree_scan_starts(found, 0, 5000, act) == 0);
}

static void
a_scan_start_without_pipes_waits_and_has_no_logger(void)
{
	struct tree_found found[] = { { 1, 0 }, { 1, 1 } };
	struct tree_action act[4];
	size_t n;

	n = tree_scan_starts(found, 2, 5000, act);
	CHECK_STR(actions(act, n), "0:main@7000 1:log@5000 1:main@5000");
}

static void
due_starts_the_logger_before_its_service(void)
{
	struct tree_unit log, main, other;
	struct tree_svc svcs[2] = { { &log, &main }, { NULL, &other } };
	struct tree_action act[4];
	size_t n;

	tree_unit_init(&log);
	tree_unit_init(&main);
	tree_unit_init(&other);
	CHECK(tree_due(svcs, 2, 0, 1000, act) == 0);
	CHECK(tree_next_start(svcs, 2, 0) == -1);
	tree_unit_later(&main, 1200);
	tree_unit_later(&log, 1300);
	tree_unit_later(&other, 1250);
	CHECK(tree_next_start(svcs, 2, 0) == 1200);
	n = tree_due(svcs, 2, 0, 1250, act);
	CHECK_STR(actions(act, n), "0:main@1250 1:main@1250");
	n = tree_due(svcs, 2, 0, 1300, act);
	CHECK_STR(actions(act, n), "0:log@1300 0:main@1300 1:main@1300");
}

static void
nothing_is_due_while_the_directory_is_missing(void)
{
	struct tree_unit main;
	struct tree_svc svc = { NULL, &main };
	struct tree_action act[2];

	tree_unit_init(&main);
	tree_unit_later(&main, 100);
	CHECK(tree_due(&svc, 1, 1, 5000, act) == 0);
	CHECK(tree_next_start(&svc, 1, 1) == -1);
	CHECK(tree_due(&svc, 1, 0, 5000, act) == 1);
}

/*
 * A sid-supervise that dies as soon as it starts, run as sid-svscan
 * runs it: started when due, dead at once.  The times it is started.
 */
static void
a_dead_supervisor_is_restarted_after_the_delay_doubling(void)
{
	static const int64_t want[] = { 1250, 1750, 2750, 4750, 6750 };
	struct tree_unit u;
	struct tree_svc svc = { NULL, &u };
	struct tree_action act[2];
	int64_t now = 1000, at;
	size_t i;

	tree_unit_init(&u);
	CHECK(tree_unit_started(&u, 1, now) == -1);
	for (i = 0; i < CHECK_LEN(want); i++) {
		at = tree_unit_died(&u, 0, now);
		CHECK(at == want[i]);
		CHECK(tree_next_start(&svc, 1, 0) == at);
		CHECK(tree_due(&svc, 1, 0, at - 1, act) == 0);
		now = at;
		CHECK(tree_due(&svc, 1, 0, now, act) == 1);
		CHECK(act[0].svc == 0 && !act[0].log && act[0].at == now);
		CHECK(tree_unit_started(&u, 1, now) == -1);
		CHECK(tree_due(&svc, 1, 0, now, act) == 0);
	}
}

static void
the_delay_is_short_again_after_a_healthy_run(void)
{
	struct tree_unit u;

	tree_unit_init(&u);
	tree_unit_started(&u, 1, 0);
	CHECK(tree_unit_died(&u, 0, 10) == 10 + 250);
	tree_unit_started(&u, 1, 260);
	CHECK(tree_unit_died(&u, 0, 270) == 270 + 500);
	tree_unit_started(&u, 1, 770);
	CHECK(tree_unit_died(&u, 0, 770 + TREE_HEALTHY_MS) ==
	    770 + TREE_HEALTHY_MS + 250);
}

static void
a_failed_spawn_is_tried_again_after_the_same_delay(void)
{
	struct tree_unit u;

	tree_unit_init(&u);
	CHECK(tree_unit_started(&u, 0, 1000) == 1250);
	CHECK(tree_unit_started(&u, 0, 1250) == 1500);
	CHECK(u.at == 1500);
	CHECK(tree_unit_started(&u, 1, 1500) == -1);
	CHECK(tree_unit_died(&u, 0, 1600) == 1850);
}

static void
a_removed_unit_is_not_restarted(void)
{
	struct tree_unit u;
	struct tree_svc svc = { NULL, &u };
	struct tree_action act[2];

	tree_unit_init(&u);
	tree_unit_started(&u, 1, 1000);
	CHECK(tree_unit_died(&u, 1, 1100) == -1);
	CHECK(tree_next_start(&svc, 1, 0) == -1);
	CHECK(tree_due(&svc, 1, 0, 1000000, act) == 0);

	/* Removed while its restart is pending: it never comes. */
	CHECK(tree_unit_died(&u, 0, 1200) == 1450);
	tree_unit_cancel(&u);
	CHECK(tree_next_start(&svc, 1, 0) == -1);
	CHECK(tree_due(&svc, 1, 0, 1000000, act) == 0);
}

/* ---- shutdown order ---- */

static void
chain_stops_dependents_first(void)
{
	build("a:b b:c c:");
	CHECK_STR(stop_now(), "a");
	CHECK_STR(stop_now(), "");		/* a is still going */
	CHECK(!tree_loggers_may_stop(&t));
	gone("a");
	CHECK_STR(stop_now(), "b");
	gone("b");
	CHECK_STR(stop_now(), "c");
	CHECK(!tree_loggers_may_stop(&t));
	gone("c");
	CHECK_STR(stop_now(), "");
	CHECK(tree_loggers_may_stop(&t));
	tree_free(&t);
}

static void
diamond_waits_for_both_sides(void)
{
	/* top needs l and r, both need base. */
	build("base l:base r:base top:l,r");
	CHECK_STR(stop_now(), "top");
	gone("top");
	CHECK_STR(stop_now(), "l r");
	gone("l");
	CHECK_STR(stop_now(), "");		/* r still needs base */
	gone("r");
	CHECK_STR(stop_now(), "base");
	tree_free(&t);
}

static void
unrelated_services_stop_together(void)
{
	build("a b c d:e e");
	CHECK_STR(stop_now(), "a b c d");
	tree_free(&t);
}

static void
a_dead_middle_still_orders_the_ends(void)
{
	/* b's sid-supervise is not running: c still waits for a. */
	build("a:b b:c c:");
	gone("b");
	CHECK_STR(stop_now(), "a");
	gone("a");
	CHECK_STR(stop_now(), "c");
	tree_free(&t);
}

static void
loggers_wait_for_every_service(void)
{
	build("a b");
	CHECK(!tree_loggers_may_stop(&t));
	gone("a");
	CHECK(!tree_loggers_may_stop(&t));
	gone("b");
	CHECK(tree_loggers_may_stop(&t));
	tree_free(&t);
}

static void
a_cycle_is_stopped_together(void)
{
	/* x needs a; a and b need each other; b needs c. */
	build("a:b b:a,c c x:a");
	CHECK_STR(stop_now(), "x");
	gone("x");
	CHECK_STR(stop_now(), "a b");
	gone("a");
	CHECK_STR(stop_now(), "");
	gone("b");
	CHECK_STR(stop_now(), "c");
	tree_free(&t);
}

static void
a_cycle_alone_stops_at_once(void)
{
	build("a:b b:c c:a");
	CHECK_STR(stop_now(), "a b c");
	tree_free(&t);
}

static void
depth_counts_the_longest_chain_a_cycle_as_one(void)
{
	build("a b c");
	CHECK(tree_depth(&t) == 1);
	tree_free(&t);
	build("a:b b:c c d:c");
	CHECK(tree_depth(&t) == 3);
	tree_free(&t);
	build("a:b b:a,c c x:a");
	CHECK(tree_depth(&t) == 3);
	tree_free(&t);
	build("");
	CHECK(tree_depth(&t) == 0);
	tree_free(&t);
}

/* ---- cycles ---- */

static void
no_needs_no_cycle(void)
{
	build("a:b b:c c d");
	CHECK(tree_ncycles(&t) == 0);
	tree_free(&t);
}

static void
two_cycle_from_its_smallest_name(void)
{
	build("a b:c c:b");
	CHECK(tree_ncycles(&t) == 1);
	CHECK_STR(cycle(0), "b -> c -> b");
	tree_free(&t);
}

static void
three_cycle_from_its_smallest_name(void)
{
	build("a:c b:a c:b");
	CHECK(tree_ncycles(&t) == 1);
	CHECK_STR(cycle(0), "a -> c -> b -> a");
	tree_free(&t);
}

static void
several_cycles_each_once_in_name_order(void)
{
	build("m:p p:q q:p x:z y:x z:y");
	CHECK(tree_ncycles(&t) == 2);
	CHECK_STR(cycle(0), "p -> q -> p");
	CHECK_STR(cycle(1), "x -> z -> y -> x");
	tree_free(&t);
}

static void
a_missing_need_is_no_cycle(void)
{
	build("a:b,ghost b:ghost");
	CHECK(tree_ncycles(&t) == 0);
	CHECK_STR(stop_now(), "a");
	tree_free(&t);
}

static void
a_need_named_twice_counts_once(void)
{
	build("a:b,b b:a");
	CHECK(tree_ncycles(&t) == 1);
	CHECK_STR(cycle(0), "a -> b -> a");
	tree_free(&t);
}

static void
a_cycle_with_a_chord_is_one_cycle(void)
{
	/* a -> b -> c -> a and b -> a: one group, one line. */
	build("a:b b:a,c c:a");
	CHECK(tree_ncycles(&t) == 1);
	CHECK_STR(cycle(0), "a -> b -> a");
	tree_free(&t);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(restart_delay_doubles_to_the_max),
		CHECK_TEST(restart_delay_is_short_again_after_a_healthy_run),
		CHECK_TEST(a_scan_starts_each_logger_first_all_at_once),
		CHECK_TEST(a_scan_start_without_pipes_waits_and_has_no_logger),
		CHECK_TEST(due_starts_the_logger_before_its_service),
		CHECK_TEST(nothing_is_due_while_the_directory_is_missing),
		CHECK_TEST(a_dead_supervisor_is_restarted_after_the_delay_doubling),
		CHECK_TEST(the_delay_is_short_again_after_a_healthy_run),
		CHECK_TEST(a_failed_spawn_is_tried_again_after_the_same_delay),
		CHECK_TEST(a_removed_unit_is_not_restarted),
		CHECK_TEST(chain_stops_dependents_first),
		CHECK_TEST(diamond_waits_for_both_sides),
		CHECK_TEST(unrelated_services_stop_together),
		CHECK_TEST(a_dead_middle_still_orders_the_ends),
		CHECK_TEST(loggers_wait_for_every_service),
		CHECK_TEST(a_cycle_is_stopped_together),
		CHECK_TEST(a_cycle_alone_stops_at_once),
		CHECK_TEST(depth_counts_the_longest_chain_a_cycle_as_one),
		CHECK_TEST(no_needs_no_cycle),
		CHECK_TEST(two_cycle_from_its_smallest_name),
		CHECK_TEST(three_cycle_from_its_smallest_name),
		CHECK_TEST(several_cycles_each_once_in_name_order),
		CHECK_TEST(a_missing_need_is_no_cycle),
		CHECK_TEST(a_need_named_twice_counts_once),
		CHECK_TEST(a_cycle_with_a_chord_is_one_cycle),
	};

	return check_run(tests, CHECK_LEN(tests));
}
