/*
 * svcheck: whether a service directory would load as it is now, so
 * that a command (sid-ctl -u/-o/-r, sid-ctl scan -r) can refuse a typo
 * before it takes a running service down.
 */
#ifndef SID_SVCHECK_H
#define SID_SVCHECK_H

#include <stddef.h>

#include "conf.h"

/*
 * svc_check: read DIR/conf and DIR/env/ as sid-supervise would (SHOWN
 * stands for DIR in messages).  Returns 0 with the settings in CONF
 * (when not NULL), or -1 with "SHOWN/conf:3: what",
 * "SHOWN/conf: needs names the service itself" or
 * "SHOWN/env/NAME: what" in ERR.
 */
int	svc_check(const char *dir, const char *shown, struct sv_conf *conf,
	    char *err, size_t errlen);

/*
 * svc_name: the service's name, the last part of DIR's real path, into
 * BUF.  Returns BUF.
 */
const char	*svc_name(const char *dir, char *buf, size_t size);

#endif
