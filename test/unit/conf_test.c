/*
 * conf_test: conf_parse on whole conf texts: the defaults, every key with
 * good and bad values, durations, comments, and errors that name the
 * file and the line.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "conf.h"

#define NAME	"svc/conf"

static struct sv_conf	conf;
static char		err[1024];

/* Parse TEXT as svc/conf into conf; err gets the message. */
static int
parse(const char *text)
{
	err[0] = '\0';
	return conf_parse(text, strlen(text), NAME, &conf, err, sizeof err);
}

/* TEXT fails with an error that begins with PREFIX. */
static int
fails_with(const char *text, const char *prefix)
{
	if (parse(text) != -1) {
		printf("# accepted, want an error:\n");
		check_print_escaped("text:", text);
		return 0;
	}
	if (strncmp(err, prefix, strlen(prefix)) != 0) {
		printf("# error does not begin as wanted:\n");
		check_print_escaped("error:", err);
		check_print_escaped("want: ", prefix);
		return 0;
	}
	return 1;
}

/* "KEY = VALUE" is rejected on line 1, naming the key. */
static int
rejects(const char *key, const char *value)
{
	char text[2048], prefix[128];

	snprintf(text, sizeof text, "%s = %s\n", key, value);
	snprintf(prefix, sizeof prefix, NAME ":1: %s: ", key);
	return fails_with(text, prefix);
}

/* "KEY = VALUE" parses. */
static int
accepts(const char *key, const char *value)
{
	char text[2048];

	snprintf(text, sizeof text, "%s = %s\n", key, value);
	if (parse(text) == 0)
		return 1;
	printf("# rejected: \"%s = %s\": %s\n", key, value, err);
	return 0;
}

static void
check_defaults(const struct sv_conf *c)
{
	CHECK(c->restart == RESTART_ALWAYS);
	CHECK(c->backoff_initial_ms == 100);
	CHECK(c->backoff_max_ms == 30000);
	CHECK(c->healthy_after_ms == 10000);
	CHECK(c->max_restarts == 0);
	CHECK(c->restart_window_ms == 60000);
	CHECK(c->stop_signal == SIGTERM);
	CHECK(c->stop_grace_ms == 10000);
	CHECK(c->finish_timeout_ms == 5000);
	CHECK(c->ready_port == 0);
	CHECK(c->ready_timeout_ms == 10000);
	CHECK(c->notification_fd == -1);
	CHECK(c->stderr_mode == STDERR_LOG);
	CHECK_STR(c->log_dir, "log/main");
	CHECK(c->nneeds == 0);
	CHECK(c->notify_socket == 0);
	CHECK(c->watchdog_ms == 0);
	CHECK(c->check_interval_ms == 10000);
	CHECK(c->check_timeout_ms == 5000);
	CHECK(c->check_failures == 3);
}

static void
defaults_match_design(void)
{
	struct sv_conf c;

	conf_defaults(&c);
	check_defaults(&c);
}

static void
empty_text_gives_defaults(void)
{
	memset(&conf, 0x5a, sizeof conf);
	CHECK(parse("") == 0);
	check_defaults(&conf);
	memset(&conf, 0x5a, sizeof conf);
	CHECK(parse("# nothing but a comment\n\n   \n\t\n") == 0);
	check_defaults(&conf);
}

static void
comments_blank_lines_and_blanks_are_ignored(void)
{
	CHECK(parse("# sid settings\n"
	    "\n"
	    "   restart = never   # trailing comment\n"
	    "\t\n"
	    "backoff-initial=250ms\n"
	    "  # indented comment\n"
	    "\tstop-grace\t=\t3s\t\n"
	    "healthy-after = 1m\r\n"
	    "finish-timeout = 2s") == 0);
	CHECK(conf.restart == RESTART_NEVER);
	CHECK(conf.backoff_initial_ms == 250);
	CHECK(conf.stop_grace_ms == 3000);
	CHECK(conf.healthy_after_ms == 60000);
	CHECK(conf.finish_timeout_ms == 2000);
	CHECK(conf.backoff_max_ms == 30000);
}

static void
restart_key_values(void)
{
	CHECK(accepts("restart", "always"));
	CHECK(conf.restart == RESTART_ALWAYS);
	CHECK(accepts("restart", "on-failure"));
	CHECK(conf.restart == RESTART_ON_FAILURE);
	CHECK(accepts("restart", "never"));
	CHECK(conf.restart == RESTART_NEVER);
	CHECK(rejects("restart", "sometimes"));
	CHECK(rejects("restart", "Always"));
	CHECK(rejects("restart", "on_failure"));
	CHECK(rejects("restart", "always never"));
}

static void
duration_units(void)
{
	CHECK(accepts("stop-grace", "250ms"));
	CHECK(conf.stop_grace_ms == 250);
	CHECK(accepts("stop-grace", "10s"));
	CHECK(conf.stop_grace_ms == 10000);
	CHECK(accepts("stop-grace", "2m"));
	CHECK(conf.stop_grace_ms == 120000);
	CHECK(accepts("stop-grace", "1h"));
	CHECK(conf.stop_grace_ms == 3600000);
	CHECK(accepts("stop-grace", "7"));
	CHECK(conf.stop_grace_ms == 7000);
	CHECK(accepts("stop-grace", "0"));
	CHECK(conf.stop_grace_ms == 0);
}

static void
duration_keys_reject_bad_values(void)
{
	static const char *const keys[] = { "backoff-initial", "backoff-max",
	    "healthy-after", "stop-grace", "finish-timeout", "ready-timeout" };
	static const char *const bad[] = { "fast", "10x", "1.5s", "-1s",
	    "ms", "10 s", "s10", "99999999999999999999999999999999999ms" };
	size_t i, j;

	for (i = 0; i < CHECK_LEN(keys); i++)
		for (j = 0; j < CHECK_LEN(bad); j++)
			CHECK(rejects(keys[i], bad[j]));
}

static void
duration_keys_set_their_field(void)
{
	CHECK(accepts("backoff-initial", "1s"));
	CHECK(conf.backoff_initial_ms == 1000);
	CHECK(accepts("backoff-max", "2m"));
	CHECK(conf.backoff_max_ms == 120000);
	CHECK(accepts("healthy-after", "30s"));
	CHECK(conf.healthy_after_ms == 30000);
	CHECK(accepts("finish-timeout", "500ms"));
	CHECK(conf.finish_timeout_ms == 500);
	CHECK(accepts("ready-timeout", "1h"));
	CHECK(conf.ready_timeout_ms == 3600000);
}

static void
backoff_max_below_initial_is_an_error(void)
{
	CHECK(fails_with("backoff-initial = 10s\nbackoff-max = 1s\n",
	    NAME ": "));
	CHECK(parse("backoff-initial = 1s\nbackoff-max = 1s\n") == 0);
}

static void
max_restarts_count_and_window(void)
{
	CHECK(accepts("max-restarts", "5"));
	CHECK(conf.max_restarts == 5);
	CHECK(conf.restart_window_ms == 60000);
	CHECK(accepts("max-restarts", "5/60s"));
	CHECK(conf.max_restarts == 5);
	CHECK(conf.restart_window_ms == 60000);
	CHECK(accepts("max-restarts", "3/10s"));
	CHECK(conf.max_restarts == 3);
	CHECK(conf.restart_window_ms == 10000);
	CHECK(accepts("max-restarts", "2/500ms"));
	CHECK(conf.restart_window_ms == 500);
	CHECK(accepts("max-restarts", "1/2m"));
	CHECK(conf.restart_window_ms == 120000);
	CHECK(accepts("max-restarts", "4/30"));
	CHECK(conf.restart_window_ms == 30000);
	CHECK(accepts("max-restarts", "0"));
	CHECK(conf.max_restarts == 0);
	CHECK(accepts("max-restarts", "256"));
	CHECK(conf.max_restarts == CONF_MAX_RESTARTS);
}

static void
max_restarts_rejects_bad_values(void)
{
	static const char *const bad[] = { "257", "-1", "x", "5x", "3/",
	    "/10s", "3/0", "3/0ms", "3/abc", "3/10s/2", "3 / 10s", "1.5",
	    "99999999999999999999999" };
	size_t i;

	for (i = 0; i < CHECK_LEN(bad); i++)
		CHECK(rejects("max-restarts", bad[i]));
}

/*
 * A count longer than the parser's buffer must not be cut down to a
 * valid prefix: "000...0junk" is not a number.
 */
static void
max_restarts_rejects_long_junk_count(void)
{
	CHECK(rejects("max-restarts", "0000000000000000000000000000000junk"));
	CHECK(rejects("max-restarts",
	    "0000000000000000000000000000000000000005x/10s"));
	/* 31 zeros and a 5: 5, or an error, but never 0 (no cap). */
	if (parse("max-restarts = 00000000000000000000000000000005\n") == 0)
		CHECK(conf.max_restarts == 5);
}

static void
stop_signal_names_and_numbers(void)
{
	static const struct {
		const char	*value;
		int		 sig;
	} good[] = {
		{ "TERM", SIGTERM }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "HUP", SIGHUP }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
		{ "SIGTERM", SIGTERM }, { "SIGUSR2", SIGUSR2 },
		{ "15", 15 }, { "9", 9 }, { "1", 1 }, { "64", 64 },
	};
	static const char *const bad[] = { "KILL", "STOP", "term", "0",
	    "65", "SIG", "TERMX", "ERM", "TERM INT", "-15", "SIGKILL" };
	size_t i;

	for (i = 0; i < CHECK_LEN(good); i++) {
		CHECK(accepts("stop-signal", good[i].value));
		CHECK(conf.stop_signal == good[i].sig);
	}
	for (i = 0; i < CHECK_LEN(bad); i++)
		CHECK(rejects("stop-signal", bad[i]));
}

static void
ready_port_range(void)
{
	CHECK(accepts("ready-port", "1"));
	CHECK(conf.ready_port == 1);
	CHECK(accepts("ready-port", "8080"));
	CHECK(conf.ready_port == 8080);
	CHECK(accepts("ready-port", "65535"));
	CHECK(conf.ready_port == 65535);
	CHECK(rejects("ready-port", "0"));
	CHECK(rejects("ready-port", "65536"));
	CHECK(rejects("ready-port", "80x"));
	CHECK(rejects("ready-port", "http"));
	CHECK(rejects("ready-port", "-80"));
}

static void
notification_fd_range(void)
{
	CHECK(accepts("notification-fd", "3"));
	CHECK(conf.notification_fd == 3);
	CHECK(accepts("notification-fd", "1023"));
	CHECK(conf.notification_fd == 1023);
	CHECK(rejects("notification-fd", "0"));
	CHECK(rejects("notification-fd", "2"));
	CHECK(rejects("notification-fd", "1024"));
	CHECK(rejects("notification-fd", "3a"));
}

static void
stderr_values(void)
{
	CHECK(accepts("stderr", "inherit"));
	CHECK(conf.stderr_mode == STDERR_INHERIT);
	CHECK(accepts("stderr", "log"));
	CHECK(conf.stderr_mode == STDERR_LOG);
	CHECK(rejects("stderr", "null"));
	CHECK(rejects("stderr", "LOG"));
}

static void
log_dir_values(void)
{
	CHECK(accepts("log-dir", "/var/log/foo"));
	CHECK_STR(conf.log_dir, "/var/log/foo");
	CHECK(accepts("log-dir", "log/other dir"));
	CHECK_STR(conf.log_dir, "log/other dir");
}

static void
overlong_line_is_an_error(void)
{
	char text[1200];
	size_t len;

	len = (size_t)snprintf(text, sizeof text, "restart = never\n"
	    "log-dir = ");
	memset(text + len, 'a', 1100);
	text[len + 1100] = '\0';
	CHECK(fails_with(text, NAME ":2: "));
}

static void
empty_value_is_an_error(void)
{
	CHECK(fails_with("restart =\n", NAME ":1: restart: "));
	CHECK(fails_with("stop-grace =   # none\n", NAME ":1: stop-grace: "));
}

static void
unknown_key_names_file_and_line(void)
{
	CHECK(fails_with("restart = always\n# comment\nrestrat = never\n",
	    NAME ":3: restrat: "));
	CHECK(strstr(err, "unknown key") != NULL);
}

static void
bad_value_names_file_and_line(void)
{
	CHECK(fails_with("\nstop-grace = 5s\nstop-signal = BOGUS\n",
	    NAME ":3: stop-signal: "));
}

static void
duplicate_key_names_file_and_line(void)
{
	CHECK(fails_with("restart = always\n\n# again\nrestart = always\n",
	    NAME ":4: restart: "));
	CHECK(strstr(err, "duplicate") != NULL);
}

static void
line_without_equals_names_file_and_line(void)
{
	CHECK(fails_with("restart = never\nrestart never\n", NAME ":2: "));
}

static void
line_numbers_count_crlf_and_last_line(void)
{
	CHECK(fails_with("restart = never\r\n\r\nbogus = 1", NAME ":3: "));
}

static void
nul_byte_is_an_error(void)
{
	static const char text[] = "restart = never\nstop\0grace = 1s\n";

	CHECK(conf_parse(text, sizeof text - 1, NAME, &conf, err,
	    sizeof err) == -1);
	CHECK(strncmp(err, NAME ":2: ", strlen(NAME ":2: ")) == 0);
}

static void
every_key_at_once(void)
{
	CHECK(parse("restart = on-failure\n"
	    "backoff-initial = 200ms\n"
	    "backoff-max = 1m\n"
	    "healthy-after = 20s\n"
	    "max-restarts = 5/60s\n"
	    "stop-signal = HUP\n"
	    "stop-grace = 3s\n"
	    "finish-timeout = 1s\n"
	    "ready-port = 8080\n"
	    "ready-timeout = 30s\n"
	    "notification-fd = 4\n"
	    "stderr = inherit\n"
	    "log-dir = log/x\n") == 0);
	CHECK(conf.restart == RESTART_ON_FAILURE);
	CHECK(conf.backoff_initial_ms == 200);
	CHECK(conf.backoff_max_ms == 60000);
	CHECK(conf.healthy_after_ms == 20000);
	CHECK(conf.max_restarts == 5 && conf.restart_window_ms == 60000);
	CHECK(conf.stop_signal == SIGHUP);
	CHECK(conf.stop_grace_ms == 3000);
	CHECK(conf.finish_timeout_ms == 1000);
	CHECK(conf.ready_port == 8080);
	CHECK(conf.ready_timeout_ms == 30000);
	CHECK(conf.notification_fd == 4);
	CHECK(conf.stderr_mode == STDERR_INHERIT);
	CHECK_STR(conf.log_dir, "log/x");
}

static void
needs_is_a_list_of_sibling_names(void)
{
	CHECK(parse("needs = db, cache ,queue\n") == 0);
	CHECK(conf.nneeds == 3);
	CHECK_STR(conf_need(&conf, 0), "db");
	CHECK_STR(conf_need(&conf, 1), "cache");
	CHECK_STR(conf_need(&conf, 2), "queue");
	CHECK(conf_needs_self(&conf, "cache"));
	CHECK(!conf_needs_self(&conf, "web"));
	CHECK(parse("needs = db\n") == 0 && conf.nneeds == 1);
	CHECK(rejects("needs", "db,"));
	CHECK(rejects("needs", "db,,cache"));
	CHECK(rejects("needs", "../db"));
	CHECK(rejects("needs", "a/b"));
	CHECK(rejects("needs", ".."));
	CHECK(rejects("needs", "db, db"));
	CHECK(rejects("needs", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,"
	    "w,x,y,z,aa,bb,cc,dd,ee,ff,gg"));
}

/* needs keeps its names packed: a conf line of 1023 bytes always fits. */
static void
needs_long_names_fit_packed(void)
{
	char v[1200], name[256];
	size_t len = 0;
	int i;

	memset(name, 'n', 255);
	name[255] = '\0';
	CHECK(accepts("needs", name) && conf.nneeds == 1);
	CHECK_STR(conf_need(&conf, 0), name);
	/* Four names of 250 bytes and their NULs: 1004 bytes, taken. */
	for (i = 0; i < 4; i++)
		len += (size_t)snprintf(v + len, sizeof v - len, "%s%c%.249s",
		    i > 0 ? "," : "", 'a' + i, name);
	CHECK(accepts("needs", v) && conf.nneeds == 4);
	CHECK(conf_need(&conf, 3)[0] == 'd' && strlen(conf_need(&conf, 3)) ==
	    250);
	CHECK(conf_needs_self(&conf, conf_need(&conf, 2)));
}

static void
health_and_notify_keys(void)
{
	CHECK(parse("notify-socket = yes\nwatchdog = 2s\n"
	    "check-interval = 500ms\ncheck-timeout = 1s\n"
	    "check-failures = 5\n") == 0);
	CHECK(conf.notify_socket == 1);
	CHECK(conf.watchdog_ms == 2000);
	CHECK(conf.check_interval_ms == 500);
	CHECK(conf.check_timeout_ms == 1000);
	CHECK(conf.check_failures == 5);
	CHECK(accepts("notify-socket", "no"));
	CHECK(rejects("notify-socket", "true"));
	CHECK(rejects("check-interval", "0"));
	CHECK(rejects("check-timeout", "0ms"));
	CHECK(rejects("check-failures", "0"));
	CHECK(rejects("check-failures", "1001"));
	CHECK(rejects("watchdog", "0"));
	/* A watchdog is fed through the notify socket only. */
	CHECK(fails_with("watchdog = 2s\n",
	    NAME ": watchdog needs notify-socket = yes"));
	CHECK(fails_with("watchdog = 2s\nnotify-socket = no\n",
	    NAME ": watchdog needs notify-socket = yes"));
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(defaults_match_design),
		CHECK_TEST(empty_text_gives_defaults),
		CHECK_TEST(comments_blank_lines_and_blanks_are_ignored),
		CHECK_TEST(restart_key_values),
		CHECK_TEST(duration_units),
		CHECK_TEST(duration_keys_reject_bad_values),
		CHECK_TEST(duration_keys_set_their_field),
		CHECK_TEST(backoff_max_below_initial_is_an_error),
		CHECK_TEST(max_restarts_count_and_window),
		CHECK_TEST(max_restarts_rejects_bad_values),
		CHECK_TEST(max_restarts_rejects_long_junk_count),
		CHECK_TEST(stop_signal_names_and_numbers),
		CHECK_TEST(ready_port_range),
		CHECK_TEST(notification_fd_range),
		CHECK_TEST(stderr_values),
		CHECK_TEST(log_dir_values),
		CHECK_TEST(overlong_line_is_an_error),
		CHECK_TEST(empty_value_is_an_error),
		CHECK_TEST(unknown_key_names_file_and_line),
		CHECK_TEST(bad_value_names_file_and_line),
		CHECK_TEST(duplicate_key_names_file_and_line),
		CHECK_TEST(line_without_equals_names_file_and_line),
		CHECK_TEST(line_numbers_count_crlf_and_last_line),
		CHECK_TEST(nul_byte_is_an_error),
		CHECK_TEST(every_key_at_once),
		CHECK_TEST(needs_is_a_list_of_sibling_names),
		CHECK_TEST(needs_long_names_fit_packed),
		CHECK_TEST(health_and_notify_keys),
	};

	return check_run(tests, CHECK_LEN(tests));
}
