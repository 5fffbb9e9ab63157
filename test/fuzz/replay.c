/*
 * replay: a fuzz target's LLVMFuzzerTestOneInput on the inputs in
 * REPLAY_DIR, without libFuzzer, each in a child process: one TAP line
 * per input, "not ok" when it crashed (an invariant aborts).  Built by
 * make for the unit suite, so that every input that once crashed a
 * target stays a regression test.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

#ifndef REPLAY_DIR
#error "REPLAY_DIR: the directory of inputs"
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(void)
{
	char **names, path[4096], *data;
	size_t count, i, len;
	int failed = 0, status;
	pid_t pid;

	if ((names = io_dir_names(REPLAY_DIR, NULL, NULL, &count)) == NULL) {
		printf("1..0 # SKIP no %s\n", REPLAY_DIR);
		return 0;
	}
	printf("1..%zu\n", count);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof path, "%s/%s", REPLAY_DIR, names[i]);
		if ((pid = fork()) == 0) {
			if (io_read_file(path, 1 << 20, &data, &len) == -1)
				_exit(2);
			LLVMFuzzerTestOneInput((const uint8_t *)data, len);
			free(data);
			exit(0);	/* not _exit: coverage data is written */
		}
		status = -1;
		if (pid > 0)
			while (waitpid(pid, &status, 0) == -1)
				;
		if (status != 0)
			failed = 1;
		printf("%s %zu - %s\n", status == 0 ? "ok" : "not ok", i + 1,
		    path);
		fflush(stdout);
	}
	io_free_names(names);
	return failed;
}
