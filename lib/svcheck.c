/* svcheck: would a service directory load now? */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "envdir.h"
#include "svcheck.h"

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
	if (conf_load(path, name, conf != NULL ? conf : &scratch, err,
	    errlen) == -1)
		return -1;
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
