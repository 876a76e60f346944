/*
 * A minimal unit-test harness: each test binary is a list of functions;
 * CHECK records a failure with file and line and goes on. The binary prints
 * "N passed, N failed" (cases, not asserts) and exits 1 on any failure.
 *
 *	static void test_foo(void) { CHECK(1 + 1 == 2); }
 *	UNIT_MAIN(test_foo, test_bar)
 */
#ifndef BR_UNIT_H
#define BR_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int unit_case_failed;
extern const char *unit_case_name;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", \
			    __FILE__, __LINE__, unit_case_name, #cond); \
			unit_case_failed = 1; \
		} \
	} while (0)

#define CHECK_EQ_INT(a, b) \
	do { \
		long long unit_a = (long long)(a), unit_b = (long long)(b); \
		if (unit_a != unit_b) { \
			fprintf(stderr, \
			    "%s:%d: %s: %s == %s failed: %lld != %lld\n", \
			    __FILE__, __LINE__, unit_case_name, #a, #b, \
			    unit_a, unit_b); \
			unit_case_failed = 1; \
		} \
	} while (0)

#define CHECK_EQ_STR(a, b) \
	do { \
		const char *unit_a = (a), *unit_b = (b); \
		if (unit_a == NULL || unit_b == NULL || \
		    strcmp(unit_a, unit_b) != 0) { \
			fprintf(stderr, \
			    "%s:%d: %s: %s == %s failed: \"%s\" != \"%s\"\n", \
			    __FILE__, __LINE__, unit_case_name, #a, #b, \
			    unit_a ? unit_a : "(null)", \
			    unit_b ? unit_b : "(null)"); \
			unit_case_failed = 1; \
		} \
	} while (0)

/* Path of a file under ../shared (tests read vectors from there). */
#define SHARED_PATH(rel) \
	(getenv("BR_SHARED_DIR") ? unit_join(getenv("BR_SHARED_DIR"), rel) : \
				   unit_join(BR_SHARED_DIR, rel))

static inline const char *
unit_join(const char *a, const char *b)
{
	static char buf[4][1024];
	static int i;
	char *p = buf[i++ & 3];
	snprintf(p, sizeof(buf[0]), "%s/%s", a, b);
	return p;
}

typedef void (*unit_fn)(void);
struct unit_case {
	const char *name;
	unit_fn fn;
};
int unit_run(const char *prog, const struct unit_case *cases, size_t n,
    int argc, char **argv);

#define UNIT_CASE(f) \
	{ \
#f, f \
	}
#define UNIT_MAIN(...) \
	int unit_case_failed; \
	const char *unit_case_name; \
	int main(int argc, char **argv) \
	{ \
		static const struct unit_case cases[] = { __VA_ARGS__ }; \
		return unit_run(argv[0], cases, \
		    sizeof(cases) / sizeof(cases[0]), argc, argv); \
	}

#endif
