/*
 * fuzz_envdir: envdir_build on a directory of files whose names and
 * contents come from the input, checked against a model of the rule:
 * the file NAME sets NAME to its first line (trailing blanks removed,
 * NUL bytes read as newlines), an empty file removes NAME, a name with
 * '=' is an error, names starting with '.' are ignored.
 *
 * Input: base environment entries, then files, each as a length byte
 * and bytes; a zero-length base entry ends the base.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envdir.h"

#define MAX_BASE	8
#define MAX_FILES	12
#define MAX_NAME	32
#define MAX_TEXT	300

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct file {
	char	name[MAX_NAME + 1];
	char	text[MAX_TEXT];
	size_t	len;
};

static char	dir[64];

static void
require(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "INVARIANT: %s\n", what);
		abort();
	}
}

static void	empty_dir(void);

static void
remove_dir(void)
{
	empty_dir();
	rmdir(dir);
}

/* The directory, in memory where the system has /dev/shm. */
static void
empty_dir(void)
{
	char path[128];
	struct dirent *de;
	DIR *d;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "%s/fuzz-envdir.%ld",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
		    (long)getpid());
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			abort();
		atexit(remove_dir);
	}
	if ((d = opendir(dir)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/* A length byte and that many bytes; -1 at the end of the input. */
static int
field(const uint8_t **p, const uint8_t *end, char *buf, size_t max,
    size_t *len)
{
	size_t n;

	if (*p >= end)
		return -1;
	n = **p;
	(*p)++;
	if (n > (size_t)(end - *p))
		n = (size_t)(end - *p);
	if (n > max)
		n = max;
	memcpy(buf, *p, n);
	*p += n;
	*len = n;
	return 0;
}

/* The variable FILE makes, or NULL when it removes NAME. */
static char *
expected_var(const struct file *f)
{
	size_t len = f->len, i, nlen = strlen(f->name);
	const char *nl = memchr(f->text, '\n', f->len);
	char *var;

	if (f->len == 0)
		return NULL;
	if (nl != NULL)
		len = (size_t)(nl - f->text);
	while (len > 0 && (f->text[len - 1] == ' ' || f->text[len - 1] == '\t'))
		len--;
	if ((var = malloc(nlen + len + 2)) == NULL)
		abort();
	memcpy(var, f->name, nlen);
	var[nlen] = '=';
	for (i = 0; i < len; i++)
		var[nlen + 1 + i] = f->text[i] == '\0' ? '\n' : f->text[i];
	var[nlen + 1 + len] = '\0';
	return var;
}

/* 1 when VAR names NAME: "NAME=..." */
static int
names(const char *var, const char *name)
{
	size_t n = strlen(name);

	return strncmp(var, name, n) == 0 && var[n] == '=';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char basetext[MAX_BASE][MAX_NAME + 1];
	static struct file files[MAX_FILES];
	const uint8_t *p = data, *end = data + size;
	char *base[MAX_BASE + 1], *want[MAX_BASE + MAX_FILES];
	char path[128], err[256], **env;
	size_t nbase = 0, nfiles = 0, nwant = 0, len, i, j, k, count;
	int fd, bad = 0, shadowed;

	empty_dir();
	while (nbase < MAX_BASE && field(&p, end, basetext[nbase], MAX_NAME,
	    &len) == 0 && len > 0) {
		basetext[nbase][len] = '\0';	/* a NUL ends it early */
		base[nbase] = basetext[nbase];
		nbase++;
	}
	base[nbase] = NULL;
	while (nfiles < MAX_FILES) {
		struct file *f = &files[nfiles];

		if (field(&p, end, f->name, MAX_NAME, &len) == -1 || len == 0)
			break;
		f->name[len] = '\0';
		for (i = 0; i < len; i++)
			if (f->name[i] == '/' || f->name[i] == '\0')
				f->name[i] = '_';
		if (strcmp(f->name, ".") == 0 || strcmp(f->name, "..") == 0)
			break;
		if (field(&p, end, f->text, MAX_TEXT, &f->len) == -1)
			f->len = 0;
		/* A later file of the same name replaces the earlier. */
		for (i = 0; i < nfiles; i++)
			if (strcmp(files[i].name, f->name) == 0)
				break;
		if (i < nfiles) {
			files[i] = *f;
			f = &files[i];
		} else
			nfiles++;
		snprintf(path, sizeof path, "%s/%s", dir, f->name);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			abort();
		if (f->len > 0 && write(fd, f->text, f->len) != (ssize_t)f->len)
			abort();
		close(fd);
	}

	/* The model. */
	for (i = 0; i < nfiles; i++)
		if (files[i].name[0] != '.' && strchr(files[i].name, '=') != NULL)
			bad = 1;
	for (i = 0; i < nbase; i++) {
		shadowed = 0;
		for (j = 0; j < nfiles; j++)
			if (files[j].name[0] != '.' &&
			    names(base[i], files[j].name))
				shadowed = 1;
		if (!shadowed)
			want[nwant++] = base[i];
	}
	k = nwant;
	for (j = 0; j < nfiles; j++)
		if (files[j].name[0] != '.' &&
		    (want[nwant] = expected_var(&files[j])) != NULL)
			nwant++;

	err[0] = '\0';
	env = envdir_build(dir, base, err, sizeof err);
	if (bad) {
		require(env == NULL, "a name with '=' is an error");
		require(strstr(err, "'='") != NULL, "the error says '='");
	} else {
		require(env != NULL, "envdir_build succeeds");
		for (count = 0; env[count] != NULL; count++) {
			for (i = 0; i < nwant; i++)
				if (strcmp(env[count], want[i]) == 0)
					break;
			if (i == nwant)
				fprintf(stderr, "unexpected: %s\n", env[count]);
			require(i < nwant, "every variable is expected");
		}
		require(count == nwant, "every expected variable is there");
		for (i = 0; i < nwant; i++) {
			for (j = 0; env[j] != NULL; j++)
				if (strcmp(env[j], want[i]) == 0)
					break;
			require(env[j] != NULL, "expected variable present");
		}
	}
	envdir_free(env);
	for (i = k; i < nwant; i++)
		free(want[i]);
	return 0;
}
