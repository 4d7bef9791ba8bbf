#!/usr/bin/env bash
# Seal lag with many tenants. Each sealing pass writes one block per chain
# that wrote since the previous pass, so with chain => 'tenant' and thousands
# of tenants a pass has thousands of blocks.
#
# Durable commits, 8 pgbench clients inserting single rows as fast as they
# can into a table audited per tenant; the same workload over 4 tenants (the
# baseline) and over TENANTS tenants, in databases of their own, alternating,
# ROUNDS times each for SECONDS. Seal lag is measured from each event's commit
# (track_commit_timestamp, on in this cluster only to measure) to the pass
# that sealed it (audit_passes.sealed_at); the issue allows 1 s.
#
#   bench/seal_lag_tenants.sh [ROUNDS] [SECONDS] [TENANTS]   (default 2 rounds of 30 s, 10000 tenants)
# Writes docs/benchmarks/seal_lag_tenants.md.
source "$(dirname "$0")/lib.sh"

ROUNDS=${1:-2}
SECONDS_PER_RUN=${2:-30}
TENANTS=${3:-10000}
BENCH_CLIENTS=8
OUT="$REPO_ROOT/docs/benchmarks/seal_lag_tenants.md"

start_writer_bench_cluster "track_commit_timestamp = on"

work=$(mktemp -d)
for n in 4 "$TENANTS"; do
	psql -qX -c "CREATE DATABASE tenants_$n" >/dev/null
	psql -qX -v ON_ERROR_STOP=1 -d "tenants_$n" >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE orders (id bigserial, tenant_id int NOT NULL, amount numeric NOT NULL,
	note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('orders');
SQL
	cat >"$work/insert_$n.sql" <<PGB
\set tenant random(1, $n)
INSERT INTO orders (tenant_id, amount, note) VALUES (:tenant, 12.50, 'order placed by the web shop');
PGB
done

# run N: one timed run over N tenants; prints "tps p50 p99 max blocks_per_pass" for its events.
run() {
	local n=$1 db="tenants_$1" since tps
	since=$(psql -qXAt -d "$db" -c "SELECT coalesce(max(pass_no), 0) FROM tenant_guard.audit_passes")
	tps=$(PGDATABASE=$db pgbench_tps "$work/insert_$n.sql" "$SECONDS_PER_RUN")
	wait_for_sealer "$db" 300
	psql -qXAt -F ' ' -d "$db" -v since="$since" <<'SQL' | sed "s/^/$tps /"
WITH l AS (
	SELECT extract(epoch FROM p.sealed_at - pg_xact_commit_timestamp(e.xmin)) AS lag
	  FROM tenant_guard.audit_passes p
	  JOIN tenant_guard.audit_blocks b USING (pass_no)
	 CROSS JOIN LATERAL unnest(b.event_seqs) s
	  JOIN tenant_guard.audit_events e ON e.seq = s
	 WHERE p.pass_no > :since)
SELECT round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY lag)::numeric),
       round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY lag)::numeric),
       round(1000 * max(lag)::numeric),
       (SELECT round(count(*)::numeric / nullif(count(DISTINCT pass_no), 0))
          FROM tenant_guard.audit_blocks WHERE pass_no > :since)
  FROM l;
SQL
}

say "$ROUNDS rounds of ${SECONDS_PER_RUN}s: 4 tenants, then $TENANTS"
declare -A col
for ((r = 1; r <= ROUNDS; r++)); do
	for n in 4 "$TENANTS"; do
		read -r tps p50 p99 max bpp <<<"$(run "$n")"
		echo "  round $r, $n tenants: $tps tps, seal lag p50 $p50 ms, p99 $p99 ms, max $max ms, $bpp blocks a pass"
		col[$n.tps]+="$tps " col[$n.p50]+="$p50 " col[$n.p99]+="$p99 " col[$n.max]+="$max " col[$n.bpp]+="$bpp "
	done
done
m() { printf '%s\n' ${col[$1]} | median; }

cat >"$OUT" <<MD
# Benchmark: seal lag with many tenants

Produced by \`bench/seal_lag_tenants.sh $ROUNDS $SECONDS_PER_RUN $TENANTS\` on $(date -u +%Y-%m-%d)
($(nproc) cores, PostgreSQL $($PG_BINDIR/postgres --version | awk '{print $3}'), fsync = on,
synchronous_commit = on, $BENCH_CLIENTS pgbench clients inserting single rows as fast as they can
into a table audited with \`chain => 'tenant'\`). Each sealing pass writes one block per chain
that wrote since the pass before, so over $TENANTS tenants a pass holds thousands of blocks.
Seal lag is from each event's commit (track_commit_timestamp) to its pass's \`sealed_at\`;
medians over $ROUNDS runs of ${SECONDS_PER_RUN} s each, alternating:

| tenants | tps | blocks a pass | seal lag p50 | p99 | max |
|---:|---:|---:|---:|---:|---:|
| 4 | $(m 4.tps) | $(m 4.bpp) | $(m 4.p50) ms | $(m 4.p99) ms | $(m 4.max) ms |
| $TENANTS | $(m "$TENANTS.tps") | $(m "$TENANTS.bpp") | $(m "$TENANTS.p50") ms | $(m "$TENANTS.p99") ms | $(m "$TENANTS.max") ms |

The issue allows 1 s. A pass inserts all its blocks with one statement (arrays of
the blocks' columns, unnested). Before 2026-12-02 it ran one INSERT per block, each
parsed and planned again, about 0.2 ms a block: the more chains wrote, the longer a
pass took, and the longer a pass took, the more chains wrote during it. This script
on that code, the same day (\`bench/seal_lag_tenants.sh 2 30 10000\`): over 10,000
tenants p50 327 / 332 ms, p99 576 / 597 ms, max 639 / 670 ms, about 3,200 blocks a
pass (4 tenants: p99 210 / 212 ms), and it grew with the number of chains that
write between two passes. From the medians above, a block now costs a pass about
20 µs (40 ms more for 2,229 blocks), against about 0.2 ms before: even if every
event of a pass were in a chain of its own, sealing 10,000 events a second would
take about a fifth of a second each second.
MD
echo "wrote $OUT"
