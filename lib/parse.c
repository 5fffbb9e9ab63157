/* parse: numbers, durations and signal names, checked strictly. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	int		 sig;
	const char	*name;
} signals[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" }, { SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" }, { SIGSTOP, "STOP" },
	{ SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },
	{ SIGURG, "URG" }, { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGSYS, "SYS" },
#ifdef SIGWINCH
	{ SIGWINCH, "WINCH" },
#endif
};

int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			errno = EINVAL;
			return -1;
		}
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_duration(const char *s, int64_t *ms)
{
	static const struct {
		const char	*suffix;
		int64_t		 ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "", 1000 },
	};
	const int64_t limit = 30LL * 24 * 3600 * 1000;
	char digits[32];
	size_t n, i;
	uint64_t v;

	n = strspn(s, "0123456789");
	if (n == 0 || n >= sizeof digits) {
		errno = n == 0 ? EINVAL : ERANGE;
		return -1;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	for (i = 0; i < LEN(units); i++) {
		if (strcmp(s + n, units[i].suffix) != 0)
			continue;
		if (parse_uint(digits, 0, (uint64_t)(limit / units[i].ms),
		    &v) == -1)
			return -1;
		*ms = (int64_t)v * units[i].ms;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int
parse_signal(const char *s, const char *names, int *sig)
{
	const char *name = s;
	size_t i, len;
	const char *p;
	uint64_t v;

	if (parse_uint(s, 1, 64, &v) == 0) {
		*sig = (int)v;
		return 0;
	}
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	len = strlen(name);
	if (len == 0)
		goto bad;
	if (names != NULL) {
		/* Find NAME as a whole word of the list. */
		for (p = names; (p = strstr(p, name)) != NULL; p += len)
			if ((p == names || p[-1] == ' ') &&
			    (p[len] == ' ' || p[len] == '\0'))
				break;
		if (p == NULL)
			goto bad;
	}
	for (i = 0; i < LEN(signals); i++)
		if (strcmp(signals[i].name, name) == 0) {
			*sig = signals[i].sig;
			return 0;
		}
bad:
	errno = EINVAL;
	return -1;
}

const char *
sig_name(int sig)
{
	size_t i;

	for (i = 0; i < LEN(signals); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

char *
fmt_duration(char *buf, size_t size, int64_t ms)
{
	if (ms != 0 && ms % 3600000 == 0)
		snprintf(buf, size, "%lldh", (long long)(ms / 3600000));
	else if (ms != 0 && ms % 60000 == 0)
		snprintf(buf, size, "%lldm", (long long)(ms / 60000));
	else if (ms != 0 && ms % 1000 == 0)
		snprintf(buf, size, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, size, "%lldms", (long long)ms);
	return buf;
}
