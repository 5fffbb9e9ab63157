/*
 * probe-child REPORT [exit N | sleep]: describe the process as a service
 * sees it, for the bats suites.
 *
 * It writes REPORT (atomically: a temp file, then rename, so a test that
 * polls for REPORT never reads half of it) with one "key=value" a line:
 *
 *	pid=4242
 *	pgrp=4242
 *	session_leader=yes	getsid(0) == getpid()
 *	cwd=/path/of/the/service
 *	fds=0 1 2		every open descriptor, ascending
 *	fd0=/dev/null		where each of them points, when readlink works
 *	blocked=		signal numbers in the mask (sigprocmask)
 *	ignored=		signal numbers at SIG_IGN (sigaction)
 *	SigBlk=0000000000000000	copied from /proc/self/status where it exists
 *	SigIgn=0000000000000000
 *	env=NAME=value		one line per variable, sorted
 *	argv=ARG		one line per argument, argv[0] first
 *
 * Then it exits with status N (default 0), or with "sleep" waits for a
 * signal forever.  Descriptors are scanned before anything else is
 * opened, so the report shows what was inherited, not the probe's own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FDS		1024
#define SIG_LIMIT	65	/* signals 1..64; sigismember rejects the rest */

extern char **environ;

static int	fds[MAX_FDS];
static size_t	nfds;

static void
die(const char *what)
{
	fprintf(stderr, "probe-child: %s: %s\n", what, strerror(errno));
	exit(111);
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fill fds[] from /proc/self/fd or /dev/fd, else by fcntl on each number. */
static void
scan_fds(void)
{
	const char *dirs[] = { "/proc/self/fd", "/dev/fd" };
	struct dirent *de;
	DIR *dir = NULL;
	size_t i;
	long fd;

	for (i = 0; i < sizeof dirs / sizeof dirs[0] && dir == NULL; i++)
		dir = opendir(dirs[i]);
	if (dir == NULL) {
		for (fd = 0; fd < MAX_FDS; fd++)
			if (fcntl((int)fd, F_GETFD) != -1)
				fds[nfds++] = (int)fd;
		return;
	}
	while ((de = readdir(dir)) != NULL && nfds < MAX_FDS) {
		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, NULL, 10);
		if (fd != dirfd(dir))
			fds[nfds++] = (int)fd;
	}
	closedir(dir);
	qsort(fds, nfds, sizeof fds[0], cmp_int);
}

static void
report_fds(FILE *out)
{
	char link[64], target[PATH_MAX];
	const char *sep = "";
	ssize_t n;
	size_t i;

	fputs("fds=", out);
	for (i = 0; i < nfds; i++, sep = " ")
		fprintf(out, "%s%d", sep, fds[i]);
	fputc('\n', out);
	for (i = 0; i < nfds; i++) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", fds[i]);
		if ((n = readlink(link, target, sizeof target - 1)) <= 0)
			continue;
		target[n] = '\0';
		fprintf(out, "fd%d=%s\n", fds[i], target);
	}
}

static void
report_signals(FILE *out)
{
	struct sigaction sa;
	sigset_t mask;
	const char *sep;
	int sig;

	if (sigprocmask(SIG_BLOCK, NULL, &mask) == -1)
		die("sigprocmask");
	fputs("blocked=", out);
	for (sig = 1, sep = ""; sig < SIG_LIMIT; sig++)
		if (sigismember(&mask, sig) == 1) {
			fprintf(out, "%s%d", sep, sig);
			sep = " ";
		}
	fputs("\nignored=", out);
	for (sig = 1, sep = ""; sig < SIG_LIMIT; sig++)
		if (sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN) {
			fprintf(out, "%s%d", sep, sig);
			sep = " ";
		}
	fputc('\n', out);
}

/* Copy SigBlk and SigIgn from /proc/self/status, where there is one. */
static void
report_proc_status(FILE *out)
{
	char line[256], *p;
	FILE *in;

	if ((in = fopen("/proc/self/status", "r")) == NULL)
		return;
	while (fgets(line, sizeof line, in) != NULL) {
		if (strncmp(line, "SigBlk:", 7) != 0 &&
		    strncmp(line, "SigIgn:", 7) != 0)
			continue;
		line[6] = '\0';
		for (p = line + 7; *p == ' ' || *p == '\t'; p++)
			;
		fprintf(out, "%s=%s", line, p);
	}
	fclose(in);
}

static void
report_env(FILE *out)
{
	size_t n, i;
	char **vars;

	for (n = 0; environ[n] != NULL; n++)
		;
	if ((vars = malloc((n + 1) * sizeof *vars)) == NULL)
		die("malloc");
	memcpy(vars, environ, n * sizeof *vars);
	qsort(vars, n, sizeof *vars, cmp_str);
	for (i = 0; i < n; i++)
		fprintf(out, "env=%s\n", vars[i]);
	free(vars);
}

static void
write_report(const char *path, int argc, char *argv[])
{
	char tmp[PATH_MAX], cwd[PATH_MAX];
	FILE *out;
	int i;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path,
	    (long)getpid()) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		die(path);
	}
	if ((out = fopen(tmp, "w")) == NULL)
		die(tmp);
	fprintf(out, "pid=%ld\n", (long)getpid());
	fprintf(out, "pgrp=%ld\n", (long)getpgrp());
	fprintf(out, "session_leader=%s\n", getsid(0) == getpid() ?
	    "yes" : "no");
	fprintf(out, "cwd=%s\n", getcwd(cwd, sizeof cwd) != NULL ? cwd : "?");
	report_fds(out);
	report_signals(out);
	report_proc_status(out);
	report_env(out);
	for (i = 0; i < argc; i++)
		fprintf(out, "argv=%s\n", argv[i]);
	if (fclose(out) == EOF)
		die(tmp);
	if (rename(tmp, path) == -1)
		die(path);
}

int
main(int argc, char *argv[])
{
	scan_fds();
	if (argc < 2) {
		fprintf(stderr, "usage: probe-child REPORT [exit N | sleep]\n");
		return 64;
	}
	write_report(argv[1], argc, argv);
	if (argc > 2 && strcmp(argv[2], "sleep") == 0)
		for (;;)
			pause();
	if (argc > 3 && strcmp(argv[2], "exit") == 0)
		return atoi(argv[3]);
	return 0;
}
