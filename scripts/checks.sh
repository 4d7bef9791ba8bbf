# Sourced by the shell suites (after lib.sh): one way to check a result, count
# it and report it, and the psql call they query with.
#   check NAME EXPECTED ACTUAL   prints "ok: NAME", or what differed (on stderr)
#   checks_done                  prints the tally; fails if any check failed
#   wait_sealed [PSQL-ARGS...]   waits until every audit event is in a block (10 s
#                                at most); fails otherwise
#   wait_for SECONDS SQL         waits until SQL returns t; fails after SECONDS
#   hold_lock RELATION MODE SECONDS [THEN-SQL]
#                                a session in the background takes the lock, sleeps,
#                                runs THEN-SQL if given, and commits (holder: its pid,
#                                its output in $HOLDER_OUT if set); returns once the
#                                lock is granted
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
wait_for() {
	for _ in $(seq $(($1 * 10))); do
		[ "$(q -c "$2")" = t ] && return 0
		sleep 0.1
	done
	return 1
}
hold_lock() {
	psql -qXAt -c "BEGIN" -c "LOCK TABLE $1 IN $2 MODE" -c "SELECT pg_sleep($3)" ${4:+-c "$4"} \
		-c "COMMIT" >"${HOLDER_OUT:-/dev/null}" 2>&1 &
	holder=$!
	local mode
	mode=$(sed -E 's/\b([A-Z])([A-Z]*)\b/\1\L\2/g; s/ //g' <<<"$2")Lock
	wait_for 10 "SELECT count(*) > 0 FROM pg_locks WHERE relation = '$1'::regclass
		AND mode = '$mode' AND granted" || echo "nobody took $2 on $1" >&2
}
