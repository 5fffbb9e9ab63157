/*
 * escape: bytes of names and messages made safe to print.  Pure.
 *
 * In every line meant for people, a byte outside printable ASCII is
 * shown escaped, so that no service name can forge a line of output or
 * move the terminal: "\n", "\t", "\r", "\\" and "\xHH" for the rest.
 */
#ifndef SID_ESCAPE_H
#define SID_ESCAPE_H

#include <stddef.h>

/* ESC_SIZE: a buffer that holds LEN bytes however they are escaped. */
#define ESC_SIZE(len)	(4 * (len) + 1)

/*
 * esc_text: S escaped into BUF of SIZE bytes, always NUL-terminated.
 * When BUF is too small the text is cut before the first escape that
 * does not fit whole.  Returns BUF, so it can stand in a printf list.
 */
char	*esc_text(char *buf, size_t size, const char *s);

#endif
