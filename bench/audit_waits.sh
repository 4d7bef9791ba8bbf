#!/usr/bin/env bash
# What audited and unaudited writers spend their time on: the same durable
# single-row INSERTs as bench/audit_throughput.sh (8 pgbench clients over 4
# tenants), against a table unaudited and one audited with chain => 'tenant',
# alternating. For each run: tps; WAL bytes per transaction and transactions
# per WAL flush (pg_stat_wal); the share of the backends' sampled states
# (pg_stat_activity every 10 ms: the wait event, or CPU when there is none);
# and the machine's CPU split into user, system and idle time (/proc/stat).
# Shows whether the writers are bound by their own CPU or by the commit path.
#
#   bench/audit_waits.sh [ROUNDS] [SECONDS]   (default 2 rounds of 10 s)
# Writes docs/benchmarks/audit_waits.md.
source "$(dirname "$0")/lib.sh"

ROUNDS=${1:-2}
SECONDS_PER_RUN=${2:-10}
BENCH_CLIENTS=8
OUT="$REPO_ROOT/docs/benchmarks/audit_waits.md"

# bench/audit_throughput.sh's cluster, without the track_commit_timestamp that
# script turns on to measure seal lag.
start_writer_bench_cluster

psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE t_plain (id bigserial, tenant_id int NOT NULL, amount numeric NOT NULL,
	note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id));
CREATE TABLE t_tenant (LIKE t_plain INCLUDING ALL);
SELECT tenant_guard.audit('t_tenant');
CREATE UNLOGGED TABLE samples (run int, wait text);
SQL

work=$(mktemp -d)
TABLES=(plain tenant)
for t in "${TABLES[@]}"; do
	cat >"$work/insert_$t.sql" <<PGB
\set tenant random(0, 3)
INSERT INTO t_$t (tenant_id, amount, note) VALUES (:tenant, 12.50, 'order placed by the web shop');
PGB
	pgbench_tps "$work/insert_$t.sql" 2 >/dev/null
done

# cpu_ticks: user+nice, system (with irq and softirq), idle (with iowait) since boot.
cpu_ticks() { awk '/^cpu / {print $2 + $3, $4 + $7 + $8, $5 + $6}' /proc/stat; }
wal_stat() { psql -qXAt -F ' ' -c "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
	pg_current_wal_lsn() OPERATOR(pg_catalog.-) '0/0', (SELECT wal_sync FROM pg_stat_wal)"; }

declare -A sum=() runs_of=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run=0
for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${TABLES[@]}"; do
		run=$((run + 1))
		samples=$((SECONDS_PER_RUN * 100 - 50))
		psql -qX -c "DO \$\$ BEGIN FOR i IN 1..$samples LOOP
			INSERT INTO samples SELECT $run, coalesce(wait_event_type || ':' || wait_event, 'CPU')
			  FROM pg_stat_activity WHERE application_name = 'pgbench';
			PERFORM pg_stat_clear_snapshot(); PERFORM pg_sleep(0.01); END LOOP; END \$\$" &
		read -r x0 w0 s0 <<<"$(wal_stat)"
		read -r u0 k0 i0 <<<"$(cpu_ticks)"
		tps=$(pgbench_tps "$work/insert_$t.sql" "$SECONDS_PER_RUN")
		read -r u1 k1 i1 <<<"$(cpu_ticks)"
		read -r x1 w1 s1 <<<"$(wal_stat)"
		wait
		line=$(awk -v tps="$tps" -v x=$((x1 - x0)) -v w=$((w1 - w0)) -v s=$((s1 - s0)) \
			-v u=$((u1 - u0)) -v k=$((k1 - k0)) -v i=$((i1 - i0)) \
			'BEGIN { c = u + k + i; printf "%.0f %.0f %.1f %.0f %.0f %.0f", tps, w / x, x / s, 100 * u / c, 100 * k / c, 100 * i / c }')
		echo "  round $r $t: tps, WAL bytes/xact, xacts/flush, user %, system %, idle %: $line"
		sum[$t]+="$line"$'\n'
		runs_of[$t]+="$run,"
	done
done

# medians of each column over a table's runs
medians() { for c in 1 2 3 4 5 6; do printf '%s' "${sum[$1]}" | awk -v c=$c 'NF {print $c}' | median; done | paste -sd' '; }
waits() {
	psql -qXAt -F ' | ' -c "SELECT wait, round(100.0 * count(*) / sum(count(*)) OVER (), 1) || '%'
		FROM samples WHERE run = ANY ('{${runs_of[$1]%,}}') GROUP BY wait
		HAVING count(*) * 200 >= (SELECT count(*) FROM samples WHERE run = ANY ('{${runs_of[$1]%,}}'))
		ORDER BY count(*) DESC" | sed 's/^/| /; s/$/ |/'
}
read -r p_tps p_wal p_flush p_user p_sys p_idle <<<"$(medians plain)"
read -r a_tps a_wal a_flush a_user a_sys a_idle <<<"$(medians tenant)"

cat >"$OUT" <<MD
# Benchmark: what audited and unaudited writers wait for

Produced by \`bench/audit_waits.sh $ROUNDS $SECONDS_PER_RUN\` on $(date -u +%Y-%m-%d) ($(nproc) cores,
PostgreSQL $($PG_BINDIR/postgres --version | awk '{print $3}'), the cluster and workload of
[audit.md](audit.md): durable commits, $BENCH_CLIENTS pgbench clients inserting single rows over 4
tenants), into a table unaudited and one audited with \`chain => 'tenant'\`, alternating,
$ROUNDS runs of ${SECONDS_PER_RUN} s each; medians over the runs. Load average before: $load_before.

| | tps | WAL bytes a transaction | transactions a WAL flush | CPU user | system | idle |
|---|---:|---:|---:|---:|---:|---:|
| unaudited | $p_tps | $p_wal | $p_flush | $p_user% | $p_sys% | $p_idle% |
| audited | $a_tps | $a_wal | $a_flush | $a_user% | $a_sys% | $a_idle% |

What the backends were doing, sampled every 10 ms from \`pg_stat_activity\` (the
wait event; CPU where there was none, which includes waiting for a core); states
under 0.5% left out:

| unaudited | share |
|---|---:|
$(waits plain)

| audited | share |
|---|---:|
$(waits tenant)

**Reading these numbers.** \`LWLock:WALWrite\` is a committing backend waiting
for another to flush the WAL its commit is in (group commit), \`IO:WALSync\` the
flush itself, \`Client:ClientRead\` waiting for pgbench's next statement. Where
both tables show the same shares, the writers are bound by the commit path and
by the machine's two cores, which the backends, pgbench and the kernel share,
rather than by a lock of the audit trail: a lock of ours (the capture lock, the
trail's last page, its index's rightmost page, the sequence) would appear as
its own \`LWLock\` or \`Lock\` state in the audited runs, and the ones that do
(\`Lock:extend\`, the trail's partition growing by a page; \`LWLock:BufferContent\`,
its last heap page and the rightmost page of its primary key) stay near half a
percent. The audited transaction writes the event's heap row and index entry
besides the table's, hence its WAL: about three times as much, in the same number
of transactions a flush.
MD
echo "wrote $OUT"
