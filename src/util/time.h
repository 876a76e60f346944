/*
 * Node time. Everything that Core bases on GetTime() (block timestamps,
 * IBD state, peer timers) calls node_time(), which -mocktime/setmocktime
 * override. Any thread may call these.
 */
#ifndef BR_TIME_H
#define BR_TIME_H

#include <stdint.h>
#include <time.h>

/* Seconds since the epoch, or the mock time when one is set. */
int64_t node_time(void);
/* 0 clears the mock time. */
void node_set_mocktime(int64_t t);
int64_t node_get_mocktime(void);
/* Wall clock in microseconds, never mocked (logs, benchmarks). */
int64_t time_wall_micros(void);
/* Monotonic clock in microseconds (timeouts, durations). */
int64_t time_mono_micros(void);
/*
 * The absolute time timeout_ms from now on clock (the clock of the
 * condition variable it is for), for pthread_cond_timedwait.
 */
void time_deadline(clockid_t clock, int timeout_ms, struct timespec *ts);

#endif
