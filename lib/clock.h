/* clock: the two clocks sid uses, in milliseconds. */
#ifndef SID_CLOCK_H
#define SID_CLOCK_H

#include <stdint.h>

/* clock_now_ms: CLOCK_MONOTONIC, for every deadline and duration. */
int64_t	clock_now_ms(void);

/* clock_wall_ms: CLOCK_REALTIME, only for times shown to people. */
int64_t	clock_wall_ms(void);

#endif
