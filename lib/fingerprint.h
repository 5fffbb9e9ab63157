/*
 * fingerprint: a 64-bit hash of what a service was started from, so
 * "sid-ctl scan" can tell which services changed since.  sid-supervise
 * writes supervise/loaded ("run=HEX\nconf=HEX\nenv=HEX\n") when it
 * loads conf and env/ and when it starts ./run.
 */
#ifndef SID_FINGERPRINT_H
#define SID_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

struct fingerprint {
	uint64_t	run;
	uint64_t	conf;
	uint64_t	env;
};

/* fp_file: a hash of PATH's contents; a fixed value when it is missing. */
uint64_t fp_file(const char *path);

/* fp_dir: the names and contents of the files in DIR, in name order. */
uint64_t fp_dir(const char *dir);

/* fp_service: the fingerprint of the service directory DIR now. */
void	fp_service(const char *dir, struct fingerprint *fp);

/* fp_format: "run=HEX\nconf=HEX\nenv=HEX\n" into BUF; returns length. */
size_t	fp_format(char *buf, size_t size, const struct fingerprint *fp);

/* fp_parse: read fp_format's text back.  Returns 0, or -1. */
int	fp_parse(const char *text, struct fingerprint *fp);

#endif
