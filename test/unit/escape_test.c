/*
 * escape_test: esc_text() for every byte 0-255, and esc_json()'s UTF-8
 * rule: well-formed sequences pass, overlongs, surrogates, code points
 * above U+10FFFF, stray and truncated bytes become \u00XX, and the
 * result is valid JSON for every input, cut short or not.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "escape.h"

/* What esc_text must make of the one byte B. */
static void
text_want(unsigned char b, char *want, size_t size)
{
	if (b == '\n')
		snprintf(want, size, "\\n");
	else if (b == '\t')
		snprintf(want, size, "\\t");
	else if (b == '\r')
		snprintf(want, size, "\\r");
	else if (b == '\\')
		snprintf(want, size, "\\\\");
	else if (b < 0x20 || b > 0x7e)
		snprintf(want, size, "\\x%02x", b);
	else
		snprintf(want, size, "%c", b);
}

static void
esc_text_every_byte(void)
{
	char in[4], got[ESC_SIZE(3)], want[16], wanted[48];
	unsigned b;

	for (b = 1; b < 256; b++) {
		/* Between two letters, so a cut or a merge would show. */
		in[0] = 'a';
		in[1] = (char)b;
		in[2] = 'z';
		in[3] = '\0';
		text_want((unsigned char)b, want, sizeof want);
		snprintf(wanted, sizeof wanted, "a%sz", want);
		CHECK_STR(esc_text(got, sizeof got, in), wanted);
	}
}

static void
esc_text_output_is_printable_ascii(void)
{
	char in[256], got[ESC_SIZE(255)];
	const char *p;
	unsigned b;

	for (b = 1; b < 256; b++)
		in[b - 1] = (char)b;
	in[255] = '\0';
	esc_text(got, sizeof got, in);
	CHECK(strlen(got) > 255);
	for (p = got; *p != '\0'; p++)
		CHECK(*p >= 0x20 && *p <= 0x7e);
}

static void
esc_text_cuts_before_an_escape_that_does_not_fit(void)
{
	char got[6];

	CHECK_STR(esc_text(got, sizeof got, "ab\ncd"), "ab\\nc");
	CHECK_STR(esc_text(got, sizeof got, "abc\x1b"), "abc");
	CHECK_STR(esc_text(got, 1, "abc"), "");
	CHECK_STR(esc_text(got, sizeof got, ""), "");
}

/* esc_json of S, with BUF big enough for any input of its length. */
static const char *
json(const char *s)
{
	static char buf[ESC_JSON_SIZE(64)];

	esc_json(buf, sizeof buf, s);
	return buf;
}

static void
esc_json_every_single_byte(void)
{
	char in[2] = { 0, 0 }, want[16];
	unsigned b;

	for (b = 1; b < 256; b++) {
		in[0] = (char)b;
		if (b == '"' || b == '\\')
			snprintf(want, sizeof want, "\"\\%c\"", b);
		else if (b < 0x20 || b >= 0x7f)	/* alone, 0x80+ is no UTF-8 */
			snprintf(want, sizeof want, "\"\\u%04x\"", b);
		else
			snprintf(want, sizeof want, "\"%c\"", b);
		CHECK_STR(json(in), want);
	}
	CHECK_STR(json(""), "\"\"");
}

static void
esc_json_passes_well_formed_utf8(void)
{
	static const char *const ok[] = {
		"\xc2\x80",			/* U+0080, the first of 2 bytes */
		"\xc3\xa9",			/* e acute */
		"\xdf\xbf",			/* U+07FF */
		"\xe0\xa0\x80",			/* U+0800, the first of 3 */
		"\xe2\x82\xac",			/* euro sign */
		"\xed\x9f\xbf",			/* U+D7FF, just below surrogates */
		"\xee\x80\x80",			/* U+E000, just above them */
		"\xef\xbf\xbf",			/* U+FFFF */
		"\xf0\x90\x80\x80",		/* U+10000, the first of 4 */
		"\xf0\x9d\x84\x9e",		/* G clef */
		"\xf4\x8f\xbf\xbf",		/* U+10FFFF, the last */
	};
	char want[32];
	size_t i;

	for (i = 0; i < CHECK_LEN(ok); i++) {
		snprintf(want, sizeof want, "\"%s\"", ok[i]);
		CHECK_STR(json(ok[i]), want);
	}
	CHECK_STR(json("caf\xc3\xa9 \"x\"\n"), "\"caf\xc3\xa9 \\\"x\\\"\\u000a\"");
}

static void
esc_json_refuses_overlongs(void)
{
	CHECK_STR(json("\xc0\x80"), "\"\\u00c0\\u0080\"");
	CHECK_STR(json("\xc1\xbf"), "\"\\u00c1\\u00bf\"");
	CHECK_STR(json("\xe0\x80\x80"), "\"\\u00e0\\u0080\\u0080\"");
	CHECK_STR(json("\xe0\x9f\xbf"), "\"\\u00e0\\u009f\\u00bf\"");
	CHECK_STR(json("\xf0\x80\x80\x80"),
	    "\"\\u00f0\\u0080\\u0080\\u0080\"");
	CHECK_STR(json("\xf0\x8f\xbf\xbf"),
	    "\"\\u00f0\\u008f\\u00bf\\u00bf\"");
}

static void
esc_json_refuses_surrogates_and_beyond_u10ffff(void)
{
	CHECK_STR(json("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
	CHECK_STR(json("\xed\xbf\xbf"), "\"\\u00ed\\u00bf\\u00bf\"");
	CHECK_STR(json("\xf4\x90\x80\x80"),
	    "\"\\u00f4\\u0090\\u0080\\u0080\"");
	CHECK_STR(json("\xf5\x80\x80\x80"),
	    "\"\\u00f5\\u0080\\u0080\\u0080\"");
	CHECK_STR(json("\xff\xfe"), "\"\\u00ff\\u00fe\"");
}

static void
esc_json_refuses_stray_and_truncated_sequences(void)
{
	CHECK_STR(json("\x80"), "\"\\u0080\"");
	CHECK_STR(json("a\xbf" "b"), "\"a\\u00bfb\"");
	CHECK_STR(json("\xc3"), "\"\\u00c3\"");
	CHECK_STR(json("\xc3" "a"), "\"\\u00c3a\"");
	CHECK_STR(json("\xe2\x82"), "\"\\u00e2\\u0082\"");
	CHECK_STR(json("\xe2\x82" "a"), "\"\\u00e2\\u0082a\"");
	CHECK_STR(json("\xf0\x9d\x84"), "\"\\u00f0\\u009d\\u0084\"");
	/* A cut sequence before a whole one: only the cut one is escaped. */
	CHECK_STR(json("\xe2\x82\xe2\x82\xac"), "\"\\u00e2\\u0082\xe2\x82\xac\"");
}

/*
 * An independent judge of the output: the length of the well-formed
 * UTF-8 character at P by decoding it (minimal length, no surrogate,
 * at most U+10FFFF), or 0.
 */
static size_t
decode(const unsigned char *p)
{
	unsigned long cp;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* 1 when S is one JSON string: quoted, valid UTF-8, no raw control. */
static int
valid_json_string(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s + 1;
	const unsigned char *end = (const unsigned char *)s + len - 1;
	size_t n;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return 0;
	while (p < end) {
		if (*p == '\\') {
			if (p + 1 < end && strchr("\"\\", p[1]) != NULL)
				p += 2;
			else if (p + 5 < end && p[1] == 'u')
				p += 6;
			else
				return 0;
		} else if (*p < 0x20 || *p == '"' || *p == 0x7f ||
		    (n = decode(p)) == 0 || p + n > end)
			return 0;
		else
			p += n;
	}
	return p == end;
}

/*
 * Every string of two bytes, and every lead of 3 or 4 bytes with every
 * continuation after it: the output is valid JSON, and a well-formed
 * character (by the independent judge) passes through unchanged.
 */
static void
esc_json_is_valid_for_every_short_input(void)
{
	unsigned char in[5];
	char out[ESC_JSON_SIZE(4)], want[16];
	unsigned a, b, c, bad = 0;
	size_t len, n;

	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < (a >= 0xe0 && b >= 0x80 ? 256u : 1u);
			    c++) {
				in[0] = (unsigned char)a;
				in[1] = (unsigned char)b;
				in[2] = (unsigned char)c;
				in[3] = a >= 0xf0 ? 0x80 : 0;
				in[4] = 0;
				len = esc_json(out, sizeof out, (char *)in);
				if (!valid_json_string(out, len))
					bad++;
				n = strlen((char *)in);
				if (a >= 0x80 && decode(in) == n) {
					snprintf(want, sizeof want, "\"%s\"",
					    (char *)in);
					bad += strcmp(out, want) != 0;
				}
			}
	CHECK(bad == 0);
}

static void
esc_json_cut_short_is_still_a_string(void)
{
	char buf[9];
	size_t n;

	n = esc_json(buf, sizeof buf, "\xff\xfe");	/* needs 15 */
	CHECK_STR(buf, "\"\\u00ff\"");
	CHECK(n == 8);
	n = esc_json(buf, 8, "\xff\xfe");
	CHECK_STR(buf, "\"\"");
	CHECK(n == 2);
	n = esc_json(buf, 5, "ab\xe2\x82\xac");		/* no half euro */
	CHECK_STR(buf, "\"ab\"");
	CHECK(n == 4);
	n = esc_json(buf, 2, "x");
	CHECK_STR(buf, "");
	CHECK(n == 0);
}

/* esc_undo gives back every byte esc_text escaped, and only those. */
static void
esc_undo_reverses_esc_text(void)
{
	char in[512], out[ESC_SIZE(sizeof in)], odd[32];
	int c, n = 0;

	for (c = 1; c < 256; c++) {
		in[n++] = (char)c;
		in[n++] = '\\';	/* a backslash after each, escaped too */
	}
	in[n] = '\0';
	esc_text(out, sizeof out, in);
	CHECK(strcmp(esc_undo(out), in) == 0);
	/* Backslashes that no escape made stay. */
	snprintf(odd, sizeof odd, "a\\qb\\x4\\x00\\");
	CHECK_STR(esc_undo(odd), "a\\qb\\x4\\x00\\");
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(esc_text_every_byte),
		CHECK_TEST(esc_text_output_is_printable_ascii),
		CHECK_TEST(esc_text_cuts_before_an_escape_that_does_not_fit),
		CHECK_TEST(esc_json_every_single_byte),
		CHECK_TEST(esc_json_passes_well_formed_utf8),
		CHECK_TEST(esc_json_refuses_overlongs),
		CHECK_TEST(esc_json_refuses_surrogates_and_beyond_u10ffff),
		CHECK_TEST(esc_json_refuses_stray_and_truncated_sequences),
		CHECK_TEST(esc_json_is_valid_for_every_short_input),
		CHECK_TEST(esc_json_cut_short_is_still_a_string),
		CHECK_TEST(esc_undo_reverses_esc_text),
	};

	return check_run(tests, CHECK_LEN(tests));
}
