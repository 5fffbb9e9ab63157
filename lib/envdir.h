/*
 * envdir: an environment changed by a directory of files, as
 * daemontools' envdir does it.
 */
#ifndef SID_ENVDIR_H
#define SID_ENVDIR_H

#include <stddef.h>

/*
 * envdir_build: a copy of BASE (a NULL-terminated environ) changed by
 * DIR: the file NAME sets NAME to its first line (trailing blanks
 * removed, NUL bytes read as newlines); an empty file removes NAME.  A
 * missing DIR changes nothing.  Returns a malloc'ed array to free with
 * envdir_free(), or NULL with "what: why" in ERR.
 */
char	**envdir_build(const char *dir, char *const base[], char *err,
	    size_t errlen);

/* envdir_free: free what envdir_build returned (NULL is fine). */
void	envdir_free(char **env);

#endif
