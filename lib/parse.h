/*
 * parse: strict conversions of the words found in conf files and on
 * command lines, and their inverse for messages.  Pure: no system calls.
 */
#ifndef SID_PARSE_H
#define SID_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * parse_uint: the whole of S as a decimal number in [MIN, MAX].
 * Returns 0 and stores it in *OUT, or -1 (EINVAL: not a number,
 * ERANGE: out of range).
 */
int	parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * parse_duration: "250ms", "10s", "2m", "1h", or a bare number of
 * seconds, into milliseconds.  At most 30 days.  Returns 0 or -1 (EINVAL,
 * ERANGE).
 */
int	parse_duration(const char *s, int64_t *ms);

/*
 * parse_signal: "TERM", "SIGTERM" or a number (1-64) into a signal
 * number.  NAMES limits the accepted names to a space-separated list
 * (NULL: any known name).  Returns 0 or -1 (EINVAL).
 */
int	parse_signal(const char *s, const char *names, int *sig);

/* sig_name: "TERM" for SIGTERM; NULL for a signal without a known name. */
const char *sig_name(int sig);

/*
 * fmt_duration: MS as the shortest exact duration word ("250ms", "10s",
 * "2m", "1h"), into BUF.  Returns BUF.
 */
char	*fmt_duration(char *buf, size_t size, int64_t ms);

#endif
