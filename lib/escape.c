/*
 * escape: printable-ASCII renderings of arbitrary bytes, and back.
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

/*
 * The length of the well-formed UTF-8 sequence at P (1 to 4), or 0 when
 * the byte at P does not start one: RFC 3629's table, so overlong forms,
 * surrogates (U+D800-DFFF), code points above U+10FFFF and truncated
 * sequences are all refused.
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range is narrower after these four leads. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)	/* a NUL ends it too */
			return 0;
	return len;
}

size_t
esc_json(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[8];
	size_t n = 0, in, out;

	if (size < 3) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	buf[n++] = '"';
	for (; *p != '\0'; p += in) {
		in = utf8_len(p);
		if (*p == '"' || *p == '\\') {
			one[0] = '\\';
			one[1] = (char)*p;
			out = 2;
		} else if (in == 0 || *p < 0x20 || *p == 0x7f) {
			/* A control byte, or one that is not UTF-8: read as
			 * Latin-1, its code point is its value. */
			out = (size_t)snprintf(one, sizeof one, "\\u%04x", *p);
			in = 1;
		} else
			memcpy(one, p, out = in);
		if (n + out + 2 > size)		/* room for '"' and NUL */
			break;
		memcpy(buf + n, one, out);
		n += out;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return n;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
esc_undo(char *s)
{
	char *in = s, *out = s;
	int hi, lo;

	while (*in != '\0') {
		if (in[0] != '\\' || in[1] == '\0') {
			*out++ = *in++;
			continue;
		}
		switch (in[1]) {
		case 'n': *out++ = '\n'; in += 2; continue;
		case 't': *out++ = '\t'; in += 2; continue;
		case 'r': *out++ = '\r'; in += 2; continue;
		case '\\': *out++ = '\\'; in += 2; continue;
		case 'x':
			if ((hi = hex_digit(in[2])) >= 0 &&
			    (lo = hex_digit(in[3])) >= 0 && (hi | lo) != 0) {
				*out++ = (char)(hi << 4 | lo);
				in += 4;
				continue;
			}
			break;
		}
		*out++ = *in++;
	}
	*out = '\0';
	return s;
}
