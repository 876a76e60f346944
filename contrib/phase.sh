# Sourced by contrib/quickstart.sh and contrib/check.sh: one line per phase
# ("building... ok"), with what the tools print (apt, autogen, make) kept in
# a log that is shown only when the phase fails.
#   phase "what is happening" command args...   # 0, or 1 after the log tail
phase_logdir=$(mktemp -d "${TMPDIR:-/tmp}/bitroot-phases.XXXXXX")
phase() {
	local what=$1 log
	shift
	log="$phase_logdir/$(echo "$what" | tr -c 'a-zA-Z0-9\n' '-').log"
	printf '%s... ' "$what"
	if "$@" >"$log" 2>&1; then
		echo "ok"
		return 0
	fi
	echo "FAILED (full log: $log); its last lines:"
	tail -n 30 "$log" | sed 's/^/    /'
	return 1
}
