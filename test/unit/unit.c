#include "unit.h"

/*
 * Runs every case (or only those named on the command line) and prints one
 * line per case and a closing count.
 */
int
unit_run(const char *prog, const struct unit_case *cases, size_t n, int argc,
    char **argv)
{
	size_t i;
	int passed = 0, failed = 0, a;

	for (i = 0; i < n; i++) {
		if (argc > 1) {
			int want = 0;
			for (a = 1; a < argc; a++)
				if (strcmp(argv[a], cases[i].name) == 0)
					want = 1;
			if (!want)
				continue;
		}
		unit_case_failed = 0;
		unit_case_name = cases[i].name;
		cases[i].fn();
		printf("%s %s\n", unit_case_failed ? "FAIL" : "ok  ",
		    cases[i].name);
		if (unit_case_failed)
			failed++;
		else
			passed++;
	}
	printf("%s: %d passed, %d failed\n", prog, passed, failed);
	return failed ? 1 : 0;
}
