#!/usr/bin/env bash
# Installs dependencies, builds, runs every test (unit, then functional) and
# ends with one line "N passed, N failed". Non-zero exit on any failure.
# CHECK_SANITIZERS=1 also builds with ASan+UBSan and with TSan and runs the
# unit tests and the functional smoke set under each, then builds the fuzz
# targets with clang and runs each for FUZZ_SECONDS (20) from its seeds.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Tests read Core's vectors and the chains from ../shared; the sanitizer
# builds are copies of the tree elsewhere, so say where it is once.
export BR_SHARED_DIR=${BR_SHARED_DIR:-$(cd "$top/.." && pwd)/shared}

. contrib/phase.sh
phase "installing dependencies" env INSTALL_BROWSER=1 contrib/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

total_pass=0 total_fail=0 total_skip=0
run_suite() {	# name, then the command; adds its closing counts to the totals
	local name=$1 out line p f s
	shift
	echo "=== $name"
	out=$(mktemp)
	# The suite's closing line is shown as "NAME: ..." so that only the
	# grand total below is a bare "N passed, N failed".
	"$@" 2>&1 | tee "$out" | grep --line-buffered -Ev '^[0-9]+ passed, [0-9]+ failed'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "$name: no result line (build or runner failure)"
		total_fail=$((total_fail + 1))
		return
	fi
	echo "$name: $line"
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + ${s:-0}))
}

build_or_count() {	# a failed build counts as one failure and skips its tests
	if ! phase "building${*:+ $*}" contrib/build.sh "$@"; then
		total_fail=$((total_fail + 1))
		return 1
	fi
}

if build_or_count; then
	run_suite "tests" test/run_tests.sh --builddir="$top"
fi
if [ "${CHECK_SANITIZERS:-0}" = 1 ]; then
	if build_or_count build-asan --enable-sanitizers=address,undefined; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			run_suite "asan+ubsan" test/run_tests.sh --builddir="$top/build-asan" --sanitizer-smoke
	fi
	if build_or_count build-tsan --enable-sanitizers=thread; then
		TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$top/test/sanitizer_suppressions/tsan \
			run_suite "tsan" test/run_tests.sh --builddir="$top/build-tsan" --sanitizer-smoke
	fi
	# The libFuzzer targets (clang, ASan+UBSan): each from its seed corpus
	# for FUZZ_SECONDS (default 20), one pass or fail per target.
	if command -v clang >/dev/null; then
		run_suite "fuzz" contrib/fuzz.sh -c -t "${FUZZ_SECONDS:-20}"
	else
		echo "=== fuzz"
		echo "fuzz: clang is not installed, so the fuzz targets were not built or run (apt-get install clang)"
		total_fail=$((total_fail + 1))
	fi
fi

if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
