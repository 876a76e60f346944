/*
 * Property checks for the fuzz targets: PROP(cond) aborts with the target,
 * function, line and condition, so libFuzzer keeps the input as a crash.
 * A target defines FUZZ_NAME before including this.
 */
#ifndef BR_FUZZ_PROP_H
#define BR_FUZZ_PROP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#ifndef FUZZ_NAME
#error "define FUZZ_NAME before including prop.h"
/*
 * For LLVMFuzzerInitialize of the file readers, whose codecs log every
 * refusal: errors only, no log file, nothing on stderr.
 */
static int fuzz_quiet_log(void) __attribute__((unused));

static int
fuzz_quiet_log(void)
{
	struct log_options lo;

	memset(&lo, 0, sizeof(lo));
	lo.level = LOGL_ERROR;
	return log_init(&lo);
}

#endif

#define PROP(c) \
	do { \
		if (!(c)) \
			fuzz_prop_fail(__func__, __LINE__, #c); \
	} while (0)

static void fuzz_prop_fail(const char *, int, const char *)
    __attribute__((noreturn, unused));

static void
fuzz_prop_fail(const char *fn, int line, const char *what)
{
	fprintf(stderr, FUZZ_NAME ": %s:%d: property failed: %s\n", fn, line,
	    what);
	abort();
}

/*
 * For LLVMFuzzerInitialize of the file readers, whose codecs log every
 * refusal: errors only, no log file, nothing on stderr.
 */
static int fuzz_quiet_log(void) __attribute__((unused));

static int
fuzz_quiet_log(void)
{
	struct log_options lo;

	memset(&lo, 0, sizeof(lo));
	lo.level = LOGL_ERROR;
	return log_init(&lo);
}

#endif
