# Shared by the benchmark scripts: a throwaway cluster and pgbench helpers.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

start_bench_cluster() {
	BENCH_CLUSTER=$(mktemp -d /tmp/tenant_guard_bench.XXXXXX)
	trap '"$REPO_ROOT/scripts/cluster.sh" stop "$BENCH_CLUSTER"' EXIT
	# Room for every table of a benchmark, so alternating runs do not evict each other.
	TG_CLUSTER_CONF="shared_buffers = 2GB" \
		"$REPO_ROOT/scripts/cluster.sh" start "$BENCH_CLUSTER" >/dev/null
	source "$BENCH_CLUSTER/env"
}

# pgbench_tps SCRIPT SECONDS [ENV=VALUE...]: prints the tps of one run.
pgbench_tps() {
	local script=$1 seconds=$2
	shift 2
	env "$@" "$PG_BINDIR/pgbench" -n -M prepared -c "$BENCH_CLIENTS" -j "$BENCH_CLIENTS" \
		-T "$seconds" -f "$script" 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}

# wait_for_sealer DB SECONDS: returns once the database's sealer has examined
# every seq handed out (the newest pass's high watermark reaches the
# sequence's last value) and every committed event is in a block; dies,
# printing how far sealing got, when that takes longer than SECONDS.
wait_for_sealer() {
	local db=$1 seconds=$2 state
	for _ in $(seq $((seconds * 5))); do
		state=$(psql -qXAt -d "$db" -F ' ' -c "SELECT
			coalesce(pg_sequence_last_value('tenant_guard.audit_event_seq'), 0),
			(SELECT coalesce(max(high_watermark), 0) FROM tenant_guard.audit_passes),
			(SELECT count(*) FROM tenant_guard.audit_events),
			(SELECT coalesce(sum(cardinality(event_seqs)), 0) FROM tenant_guard.audit_blocks)")
		read -r last high events sealed <<<"$state"
		[ "$high" -ge "$last" ] && [ "$events" = "$sealed" ] && return 0
		sleep 0.2
	done
	die "sealing did not catch up within ${seconds}s: last seq $last, high watermark $high, $events events, $sealed sealed"
}
