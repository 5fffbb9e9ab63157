/* envdir: build a child's environment from environ and env/. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envdir.h"
#include "io.h"

#define ENV_VALUE_MAX	65536

struct env {
	char	**vars;
	size_t	  n, cap;
};

static int
env_push(struct env *e, char *var)
{
	char **grown;

	if (e->n + 2 > e->cap) {
		e->cap *= 2;
		if ((grown = realloc(e->vars, e->cap * sizeof *grown)) == NULL)
			return -1;
		e->vars = grown;
	}
	e->vars[e->n++] = var;
	e->vars[e->n] = NULL;
	return 0;
}

/* Remove NAME (of LEN bytes) from E. */
static void
env_unset(struct env *e, const char *name, size_t len)
{
	size_t i, j;

	for (i = j = 0; i < e->n; i++) {
		if (strncmp(e->vars[i], name, len) == 0 &&
		    e->vars[i][len] == '=')
			free(e->vars[i]);
		else
			e->vars[j++] = e->vars[i];
	}
	e->n = j;
	e->vars[j] = NULL;
}

/* Apply the file DIR/NAME to E. */
static int
apply_file(struct env *e, const char *dir, const char *name, char *err,
    size_t errlen)
{
	char path[4096], *text, *var, *end;
	size_t len, i, nlen = strlen(name);

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (strchr(name, '=') != NULL) {
		snprintf(err, errlen, "%s: '=' in a variable name", path);
		return -1;
	}
	if (io_read_file(path, ENV_VALUE_MAX, &text, &len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	env_unset(e, name, nlen);
	if (len == 0) {
		free(text);
		return 0;
	}
	if ((end = memchr(text, '\n', len)) != NULL)
		len = (size_t)(end - text);
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	for (i = 0; i < len; i++)
		if (text[i] == '\0')
			text[i] = '\n';
	if ((var = malloc(nlen + len + 2)) == NULL) {
		free(text);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	memcpy(var, name, nlen);
	var[nlen] = '=';
	memcpy(var + nlen + 1, text, len);
	var[nlen + 1 + len] = '\0';
	free(text);
	if (env_push(e, var) == -1) {
		free(var);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

char **
envdir_build(const char *dir, char *const base[], char *err, size_t errlen)
{
	struct env e = { NULL, 0, 0 };
	struct dirent *de;
	char *copy;
	DIR *d;
	size_t i;

	/* Always an array, even for an empty environment. */
	if ((e.vars = calloc(e.cap = 64, sizeof *e.vars)) == NULL)
		goto oom;
	for (i = 0; base[i] != NULL; i++)
		if ((copy = strdup(base[i])) == NULL ||
		    env_push(&e, copy) == -1) {
			free(copy);
			goto oom;
		}
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return e.vars;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		envdir_free(e.vars);
		return NULL;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (apply_file(&e, dir, de->d_name, err, errlen) == -1) {
			closedir(d);
			envdir_free(e.vars);
			return NULL;
		}
	}
	closedir(d);
	return e.vars;
oom:
	snprintf(err, errlen, "environment: %s", strerror(errno));
	envdir_free(e.vars);
	return NULL;
}

void
envdir_free(char **env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}
