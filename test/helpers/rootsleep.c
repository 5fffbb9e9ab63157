/*
 * rootsleep: installed setuid root, it becomes root for real (real,
 * effective and saved uid 0) and sleeps, so that the unprivileged
 * sid-supervise that started it may no longer signal it: kill(2) fails
 * with EPERM, as for any service that changes its user.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
	if (setuid(0) == -1) {
		perror("rootsleep: setuid");
		return 1;
	}
	for (;;)
		pause();
}
