# Sourced by the shell suites (after lib.sh): one way to check a result, count
# it and report it, and the psql call they query with.
#   check NAME EXPECTED ACTUAL   prints "ok: NAME", or what differed (on stderr)
#   checks_done                  prints the tally; fails if any check failed
#   wait_sealed [PSQL-ARGS...]   waits until every audit event is in a block (10 s
#                                at most); fails otherwise
passed=0
failed=0
check() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
		passed=$((passed + 1))
	else
		printf 'FAILED: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3" >&2
		failed=$((failed + 1))
	fi
}
checks_done() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
q() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }
wait_sealed() {
	for _ in $(seq 200); do
		[ "$(q "$@" -c "SELECT count(*) FROM tenant_guard.audit_events e WHERE NOT EXISTS
			(SELECT FROM tenant_guard.audit_blocks b WHERE e.seq = ANY (b.event_seqs))")" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}
