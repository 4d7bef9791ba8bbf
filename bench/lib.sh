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
