#!/usr/bin/env bash
# Runs every test: the unit test binaries, then the functional tests.
#
#   test/run_tests.sh --builddir=DIR [--unit-only] [--functional-only]
#                     [--sanitizer-smoke] [-- TEST_RUNNER_ARGS...]
#
# Unit tests: every executable DIR/test/unit/test_*; each prints
# "...: N passed, N failed" as its last line. Functional tests:
# test/functional/test_runner.py --builddir=DIR, which ends with
# "N passed, N failed, N skipped". The counts are summed and the last line
# of output is "N passed, N failed", with ", N skipped" when any were
# skipped. The exit status is 1 if anything failed (a unit binary that dies
# without its summary line counts as one failure).

set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=
unit=1
functional=1
smoke=
runner_args=()

usage() {
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--builddir=*) builddir=${1#--builddir=} ;;
	--builddir) shift; builddir=${1:-} ;;
	--unit-only) functional= ;;
	--functional-only) unit= ;;
	--sanitizer-smoke) smoke=1 ;;
	-h|--help) usage ;;
	--) shift; runner_args=("$@"); break ;;
	*) echo "run_tests.sh: unknown argument $1" >&2; usage ;;
	esac
	shift
done

if [ -z "$builddir" ]; then
	builddir=$srcdir
fi
builddir=$(cd "$builddir" 2>/dev/null && pwd) || {
	echo "run_tests.sh: no build directory $builddir" >&2
	exit 2
}

passed=0
failed=0
skipped=0
log=$(mktemp "${TMPDIR:-/tmp}/bitroot-tests.XXXXXX")
trap 'rm -f "$log"' EXIT

if [ -n "$unit" ]; then
	echo "== unit tests ($builddir/test/unit)"
	found=0
	for t in "$builddir"/test/unit/test_*; do
		case "$t" in
		*.c|*.o|*.h|*.log|*.trs) continue ;;
		esac
		[ -f "$t" ] && [ -x "$t" ] || continue
		found=$((found + 1))
		name=$(basename "$t")
		# Run from the build directory; unit tests locate ../shared themselves.
		(cd "$builddir" && "$t") >"$log" 2>&1
		status=$?
		line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		if [ -z "$line" ]; then
			echo "$name: no summary line (exit status $status)"
			tail -n 30 "$log"
			failed=$((failed + 1))
			continue
		fi
		counts=$(echo "$line" | grep -oE '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
		p=$(echo "$counts" | awk '{print $1}')
		f=$(echo "$counts" | awk '{print $3}')
		if [ "$f" -gt 0 ] || [ "$status" -ne 0 ]; then
			grep -v '^ok ' "$log" | tail -n 40
			if [ "$f" -eq 0 ]; then
				# Exited non-zero although no case failed (a crash at exit,
				# a sanitizer report): that is a failure too.
				echo "$name: exit status $status"
				f=1
			fi
		fi
		echo "$name: $p passed, $f failed"
		passed=$((passed + p))
		failed=$((failed + f))
	done
	if [ "$found" -eq 0 ]; then
		echo "no unit test binaries in $builddir/test/unit (did you run make check or make unit?)"
		failed=$((failed + 1))
	fi
fi

if [ -n "$functional" ]; then
	echo "== functional tests"
	args=(--builddir="$builddir")
	[ -n "$smoke" ] && args+=(--sanitizer-smoke)
	# The runner's own closing line is not shown: the counts come back
	# below as "functional tests: ...", so the last line stays the one total.
	python3 "$srcdir/test/functional/test_runner.py" "${args[@]}" "${runner_args[@]}" 2>&1 |
		tee "$log" | grep --line-buffered -Ev '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$'
	status=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "test_runner.py ended without its summary line (exit status $status)"
		failed=$((failed + 1))
	else
		echo "functional tests: $line"
		set -- $line
		passed=$((passed + $1))
		failed=$((failed + $3))
		skipped=$((skipped + $5))
		if [ "$status" -ne 0 ] && [ "$3" -eq 0 ]; then
			echo "test_runner.py exited with status $status"
			failed=$((failed + 1))
		fi
	fi
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
