/* svcheck: would a service directory load now? */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "envdir.h"
#include "svcheck.h"

const char *
svc_name(const char *dir, char *buf, size_t size)
{
	char path[PATH_MAX];
	const char *last;
	size_t len;

	if (strcmp(dir, ".") != 0 || getcwd(path, sizeof path) == NULL)
		snprintf(path, sizeof path, "%s", dir);
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	last = strrchr(path, '/');
	last = last != NULL ? last + 1 : path;
	/* "x/.." names another directory than x: no name to tell. */
	snprintf(buf, size, "%s", strcmp(last, ".") == 0 ||
	    strcmp(last, "..") == 0 ? "" : last);
	return buf;
}

int
svc_check(const char *dir, const char *shown, struct sv_conf *conf,
    char *err, size_t errlen)
{
	static char *const empty[] = { NULL };
	char path[PATH_MAX], name[PATH_MAX], why[PATH_MAX + 256];
	struct sv_conf scratch;
	size_t len;
	char **env;

	snprintf(path, sizeof path, "%s/conf", dir);
	snprintf(name, sizeof name, "%s/conf", shown);
	if (conf == NULL)
		conf = &scratch;
	if (conf_load(path, name, conf, err, errlen) == -1)
		return -1;
	if (conf->nneeds > 0 && conf_needs_self(conf, svc_name(dir, path,
	    sizeof path))) {
		snprintf(err, errlen, "%s: needs names the service itself",
		    name);
		return -1;
	}
	snprintf(path, sizeof path, "%s/env", dir);
	if ((env = envdir_build(path, empty, why, sizeof why)) != NULL) {
		envdir_free(env);
		return 0;
	}
	/* envdir names what it read by PATH: say SHOWN instead of DIR. */
	len = strlen(dir);
	if (strncmp(why, dir, len) == 0)
		snprintf(err, errlen, "%s%s", shown, why + len);
	else
		snprintf(err, errlen, "%s", why);
	return -1;
}
