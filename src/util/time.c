#include <time.h>

#include "util/time.h"

/* The mock time, read by every thread without a lock. */
static int64_t mocktime;

int64_t
node_time(void)
{
	int64_t m = __atomic_load_n(&mocktime, __ATOMIC_RELAXED);

	if (m)
		return m;
	return (int64_t)time(NULL);
}

void
node_set_mocktime(int64_t t)
{
	__atomic_store_n(&mocktime, t, __ATOMIC_RELAXED);
}

int64_t
node_get_mocktime(void)
{
	return __atomic_load_n(&mocktime, __ATOMIC_RELAXED);
}

int64_t
time_wall_micros(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
time_mono_micros(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
time_deadline(clockid_t clock, int timeout_ms, struct timespec *ts)
{
	clock_gettime(clock, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}
