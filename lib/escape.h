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

/*
 * esc_undo: undo esc_text in place: "\n", "\t", "\r", "\\" and "\xHH"
 * become their bytes again; any other backslash stays as it is.  Files
 * that sid writes for people and scripts alike (supervise/status's
 * error, supervise/events) hold escaped text, so a reader that escapes
 * again for its own output undoes it first.  Returns S.
 */
char	*esc_undo(char *s);

/* ESC_JSON_SIZE: a buffer that holds LEN bytes as a quoted JSON string. */
#define ESC_JSON_SIZE(len)	(6 * (len) + 3)

/*
 * esc_json: S as a quoted JSON string into BUF of SIZE bytes, always
 * NUL-terminated and always valid JSON (RFC 8259), whatever the bytes
 * of S.  Well-formed UTF-8 passes through as it is; '"' and '\\' are
 * escaped with a backslash; control bytes (below 0x20, and 0x7f) become
 * \u00XX.  A byte that is not part of a well-formed UTF-8 sequence
 * (a stray continuation byte, an overlong form, a surrogate, a code
 * point above U+10FFFF, a truncated sequence) becomes \u00XX too: the
 * byte read as Latin-1, so "\xff\xfe" is written "\u00ff\u00fe".  That
 * is lossy (a stray byte 0xe9 and a well-formed U+00E9 read the same),
 * but the text stays readable and every parser takes it.  When BUF is
 * too small the text is cut before the first character or escape that
 * does not fit whole, and still closed with a quote (SIZE below 3: an
 * empty BUF).  Returns the length written.
 */
size_t	esc_json(char *buf, size_t size, const char *s);

#endif
