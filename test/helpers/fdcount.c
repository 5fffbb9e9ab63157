/*
 * fdcount PID: print how many descriptors PID has open, from
 * /proc/PID/fd.  Exits 1 where that directory cannot be read (no /proc,
 * no such process), so a test can tell "unknown" from a count.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	char path[64];
	struct dirent *de;
	unsigned long n = 0;
	DIR *dir;

	if (argc != 2 || strspn(argv[1], "0123456789") != strlen(argv[1]) ||
	    argv[1][0] == '\0') {
		fprintf(stderr, "usage: fdcount PID\n");
		return 64;
	}
	snprintf(path, sizeof path, "/proc/%s/fd", argv[1]);
	if ((dir = opendir(path)) == NULL) {
		fprintf(stderr, "fdcount: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	printf("%lu\n", n);
	return 0;
}
