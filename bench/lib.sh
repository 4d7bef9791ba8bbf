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

# start_writer_bench_cluster [SETTING...]: a throwaway cluster for the writer
# benchmarks: durable commits (fsync, synchronous_commit), as in production,
# room for the tables, WAL enough for no checkpoint by size; each SETTING (a
# postgresql.conf line) is added after those.
start_writer_bench_cluster() {
	BENCH_CLUSTER=$(mktemp -d /tmp/tenant_guard_bench.XXXXXX)
	trap '"$REPO_ROOT/scripts/cluster.sh" stop "$BENCH_CLUSTER"' EXIT
	TG_CLUSTER_CONF="shared_buffers = 512MB
fsync = on
synchronous_commit = on
max_wal_size = 4GB$(printf '\n%s' "$@")" "$REPO_ROOT/scripts/cluster.sh" start "$BENCH_CLUSTER" >/dev/null
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

# build_day_history DAYS PER_DAY: an audited table (orders, chain => 'tenant',
# 4 tenants) and DAYS days of PER_DAY audited INSERTs, each day's written by
# one statement and sealed before the next; the passes of day d (1..DAYS) are
# then dated DAYS + 1 - d days back (sealed_at, with the append-only triggers
# bypassed), as if each day's writes had been sealed that day: the last day
# is yesterday. Sets DAY_LAST_PASS (day d's last pass at index d - 1).
build_day_history() {
	local days=$1 per_day=$2 d
	psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE orders (id bigserial, tenant_id int NOT NULL, note text, amount numeric, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('orders');
SQL
	DAY_LAST_PASS=()
	for ((d = 1; d <= days; d++)); do
		psql -qX -v ON_ERROR_STOP=1 -c \
			"INSERT INTO orders (tenant_id, note, amount) SELECT g % 4, 'order ' || g, g * 1.25 FROM generate_series(1, $per_day) g" \
			>/dev/null
		wait_for_sealer "${PGDATABASE:-postgres}" 120
		DAY_LAST_PASS+=("$(psql -qXAt -c "SELECT max(pass_no) FROM tenant_guard.audit_passes")")
	done
	psql -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE tenant_guard.audit_passes p SET sealed_at = ((now() AT TIME ZONE 'UTC')::date - ($days + 1 - d.day)::int)::timestamp
       AT TIME ZONE 'UTC' + interval '12 hours'
  FROM (SELECT ordinality AS day, lag(last) OVER (ORDER BY ordinality) AS first, last
          FROM unnest('{$(IFS=,; echo "${DAY_LAST_PASS[*]}")}'::int8[]) WITH ORDINALITY AS u(last)) d
 WHERE p.pass_no <= d.last AND p.pass_no > coalesce(d.first, 0);
VACUUM ANALYZE tenant_guard.audit_passes, tenant_guard.audit_blocks, tenant_guard.audit_events;
CHECKPOINT;
SQL
}

# history_day D DAYS: the date of day D of build_day_history's DAYS.
history_day() { psql -qXAt -c "SELECT (now() AT TIME ZONE 'UTC')::date - ($2 + 1 - $1)"; }

# ms_of: the milliseconds of the last "Time:" line of psql's \timing on stdin.
ms_of() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
