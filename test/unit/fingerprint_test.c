/*
 * fingerprint_test: a file's fingerprint follows each of its bytes, and
 * only them, across the pieces it is read in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fingerprint.h"

#define SIZE	40003	/* a small static binary, hashed by its contents */

static char path[64];
static unsigned char data[SIZE];

static uint64_t
fp_of(const unsigned char *bytes, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return 0;
	CHECK(fwrite(bytes, 1, len, f) == len);
	CHECK(fclose(f) == 0);
	return fp_file(path);
}

static void
every_byte_counts(void)
{
	/* Both sides of each 1 KiB read and of each 8-byte word, the end. */
	static const size_t at[] = { 0, 7, 8, 1023, 1024, 1031, 20000,
	    SIZE - 9, SIZE - 8, SIZE - 1 };
	uint64_t whole = fp_of(data, SIZE);
	size_t i;

	for (i = 0; i < CHECK_LEN(at); i++) {
		data[at[i]] ^= 0x80;
		CHECK(fp_of(data, SIZE) != whole);
		data[at[i]] ^= 0x80;
	}
	CHECK(fp_of(data, SIZE) == whole);
	CHECK(fp_of(data, SIZE - 1) != whole);
}

static void
only_the_bytes_count(void)
{
	uint64_t first = fp_of(data, SIZE), empty, missing;

	/* Rewritten the same: a new inode and times, the same fingerprint. */
	CHECK(unlink(path) == 0);
	CHECK(fp_of(data, SIZE) == first);
	empty = fp_of(data, 0);
	CHECK(empty != fp_of(data, 1));
	CHECK(unlink(path) == 0);
	missing = fp_file(path);
	CHECK(missing != empty);	/* missing is not empty */
}

static void
format_and_parse_agree(void)
{
	struct fingerprint fp = { 0x1aa0cf0afc73047cULL, 1, 0 }, back;
	char text[128];

	CHECK(fp_format(text, sizeof text, &fp) == 64);
	CHECK_STR(text, "run=1aa0cf0afc73047c\nconf=0000000000000001\n"
	    "env=0000000000000000\n");
	CHECK(fp_parse(text, &back) == 0);
	CHECK(back.run == fp.run && back.conf == 1 && back.env == 0);
}

int
main(void)
{
	static const struct check_test tests[] = {
		CHECK_TEST(every_byte_counts),
		CHECK_TEST(only_the_bytes_count),
		CHECK_TEST(format_and_parse_agree),
	};
	const char *tmp = getenv("TMPDIR");
	size_t i;
	int failed;

	snprintf(path, sizeof path, "%s/fp_test.%ld",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp", (long)getpid());
	for (i = 0; i < SIZE; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	failed = check_run(tests, CHECK_LEN(tests));
	unlink(path);
	return failed;
}
