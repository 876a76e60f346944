/*
 * Shutdown requests; see util/shutdown.h. The flag and the eventfd are the
 * only state. shutdown_request() uses nothing but an atomic store and
 * write(2), both async-signal-safe, so signal handlers may call it; the
 * atomics (rather than a bare sig_atomic_t) also make it safe between
 * threads.
 */
#include "config.h"

#include <sys/eventfd.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/shutdown.h"

static volatile int requested;
static int efd = -1;
/* Set once (the first fatal request wins), read by main after the stop. */
static char *fatal_msg;

int
shutdown_init(void)
{
	int fd;

	if (__atomic_load_n(&efd, __ATOMIC_ACQUIRE) != -1)
		return 0;
	if ((fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return -1;
	__atomic_store_n(&efd, fd, __ATOMIC_RELEASE);
	/* a request that came before the fd existed must still wake */
	if (__atomic_load_n(&requested, __ATOMIC_ACQUIRE))
		shutdown_request();
	return 0;
}

void
shutdown_request(void)
{
	uint64_t one = 1;
	int fd, saved = errno;

	__atomic_store_n(&requested, 1, __ATOMIC_RELEASE);
	if ((fd = __atomic_load_n(&efd, __ATOMIC_ACQUIRE)) != -1)
		(void)!write(fd, &one, sizeof(one));
	errno = saved;
}

int
shutdown_requested(void)
{
	return __atomic_load_n(&requested, __ATOMIC_ACQUIRE);
}

int
shutdown_fd(void)
{
	return __atomic_load_n(&efd, __ATOMIC_ACQUIRE);
}

void
shutdown_request_fatal(const char *msg)
{
	char *copy = strdup(msg), *expect = NULL;

	if (copy == NULL ||
	    !__atomic_compare_exchange_n(&fatal_msg, &expect, copy, 0,
		__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		free(copy);
	shutdown_request();
}

const char *
shutdown_fatal_message(void)
{
	return __atomic_load_n(&fatal_msg, __ATOMIC_ACQUIRE);
}
