/* msg: one-line diagnostics on stderr, prefixed with the program name. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static const char *prog_name = "sid";

void
msg_init(const char *prog)
{
	prog_name = prog;
}

/*
 * Format the whole line first and write it with one call, so lines from
 * several processes sharing a stderr never interleave.
 */
static void
emit(const char *level, int err, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	if (level != NULL)
		n = (size_t)snprintf(line, sizeof line, "%s: %s: ", prog_name,
		    level);
	else
		n = (size_t)snprintf(line, sizeof line, "%s: ", prog_name);
	if (n < sizeof line)
		n += (size_t)vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (err != 0 && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, ": %s",
		    strerror(err));
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
	fflush(stderr);
}

void
sid_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("fatal", 0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
sid_die_sys(int code, const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	emit("fatal", err, fmt, ap);
	va_end(ap);
	exit(code);
}

void
sid_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning", 0, fmt, ap);
	va_end(ap);
}

void
sid_warn_sys(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	emit("warning", err, fmt, ap);
	va_end(ap);
	errno = err;
}

void
sid_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, 0, fmt, ap);
	va_end(ap);
}

void
sid_usage(const char *synopsis, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, 0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: %s\n", synopsis);
	exit(64);
}

void
sid_long_options(int argc, char *argv[], const char *synopsis,
    void (*help)(void))
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' &&
	    strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0)
			help();
		if (argv[i][1] == '-')
			sid_usage(synopsis, "unknown option %.64s", argv[i]);
	}
}
