/*
 * escape: printable-ASCII renderings of arbitrary bytes.
 */
#include <stdio.h>
#include <string.h>

#include "escape.h"

char *
esc_text(char *buf, size_t size, const char *s)
{
	const unsigned char *p;
	char one[5];
	size_t n = 0, len;

	if (size == 0)
		return buf;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			memcpy(one, "\\n", len = 3);
		else if (*p == '\t')
			memcpy(one, "\\t", len = 3);
		else if (*p == '\r')
			memcpy(one, "\\r", len = 3);
		else if (*p == '\\')
			memcpy(one, "\\\\", len = 3);
		else if (*p < 0x20 || *p > 0x7e)
			len = (size_t)snprintf(one, sizeof one, "\\x%02x", *p) + 1;
		else {
			one[0] = (char)*p;
			one[1] = '\0';
			len = 2;
		}
		len--;			/* without the NUL */
		if (n + len >= size)
			break;
		memcpy(buf + n, one, len);
		n += len;
	}
	buf[n] = '\0';
	return buf;
}
