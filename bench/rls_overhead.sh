#!/usr/bin/env bash
# Cost of protect()'s policies against a hand-written tenant predicate.
#
# 1M rows, 100 tenants, one protected table and an unprotected copy with the
# same indexes. Each workload alternates baseline and protected runs in one
# session of the same cluster, ROUNDS times, and reports the ratio of median
# tps (protected / baseline). The protected queries carry no tenant
# predicate; the baseline carries a hand-written one. Both transactions have
# the same shape, BEGIN; SET LOCAL app.tenant_id; query; COMMIT, as an
# application behind a transaction pooler runs them, so the ratio is the cost
# of the policies alone. A third comparison measures the session guard: the
# protected point lookup with tenant_guard.guard on against off.
#
#   bench/rls_overhead.sh [ROUNDS] [SECONDS]   (default 16 rounds of 3 s)
# Writes docs/benchmarks/rls_overhead.md.
source "$(dirname "$0")/lib.sh"

ROUNDS=${1:-16}
SECONDS_PER_RUN=${2:-3}
BENCH_CLIENTS=${BENCH_CLIENTS:-2}
TENANT=42
OUT="$REPO_ROOT/docs/benchmarks/rls_overhead.md"

start_bench_cluster
say "loading 1M rows for 100 tenants"
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE bench_plain (
	id bigint PRIMARY KEY,
	tenant_id bigint NOT NULL,
	created_at timestamptz NOT NULL,
	amount numeric NOT NULL
);
INSERT INTO bench_plain
SELECT g, g % 100, now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second', g % 1000
  FROM generate_series(1, 1000000) g;
CREATE INDEX ON bench_plain (tenant_id, created_at);
CREATE TABLE bench_protected AS TABLE bench_plain;
ALTER TABLE bench_protected ADD PRIMARY KEY (id);
CREATE INDEX ON bench_protected (tenant_id, created_at);
SELECT tenant_guard.protect('bench_protected');
CREATE ROLE bench_app LOGIN;
GRANT SELECT ON bench_plain, bench_protected TO bench_app;
VACUUM ANALYZE;
SQL

work=$(mktemp -d)
# write_script NAME QUERY: one transaction as a pooled application runs it.
write_script() {
	printf '%s\nBEGIN;\nSET LOCAL app.tenant_id = %s;\n%s\nCOMMIT;\n' \
		"\\set k random(0, 9999)" "'$TENANT'" "$2" >"$work/$1.sql"
}
write_script point_plain "SELECT * FROM bench_plain WHERE id = :k * 100 + $TENANT AND tenant_id = $TENANT;"
write_script point_protected "SELECT * FROM bench_protected WHERE id = :k * 100 + $TENANT;"
write_script agg_plain "SELECT count(*), sum(amount) FROM bench_plain WHERE tenant_id = $TENANT AND created_at >= now() - interval '30 days';"
write_script agg_protected "SELECT count(*), sum(amount) FROM bench_protected WHERE created_at >= now() - interval '30 days';"
cp "$work/point_protected.sql" "$work/guard_plain.sql"
cp "$work/point_protected.sql" "$work/guard_protected.sql"

# Sanity: both forms return the same answer.
plain=$(PGUSER=bench_app psql -qXAt -f "$work/agg_plain.sql" | grep '|')
protected=$(PGUSER=bench_app psql -qXAt -f "$work/agg_protected.sql" | grep '|')
[ "$plain" = "$protected" ] || die "protected and plain answers differ: $plain vs $protected"

# The guard comparison's baseline runs as a role with the guard switched off.
psql -qX -c "CREATE ROLE bench_noguard LOGIN" -c "GRANT bench_app TO bench_noguard" \
	-c "ALTER ROLE bench_noguard SET tenant_guard.guard = off" >/dev/null


say "warming up both tables"
psql -qX -c "CREATE EXTENSION pg_prewarm" -c "SELECT pg_prewarm(c.oid::regclass) FROM pg_class c WHERE c.relname LIKE 'bench%'" >/dev/null
for script in "$work"/*.sql; do pgbench_tps "$script" 2 PGUSER=bench_app >/dev/null; done

declare -A results
for workload in point agg guard; do
	base_user=bench_app
	[ "$workload" = guard ] && base_user=bench_noguard
	say "$workload: $ROUNDS rounds of ${SECONDS_PER_RUN}s, baseline and protected alternating"
	base_runs=() prot_runs=() ratios=()
	for ((r = 1; r <= ROUNDS; r++)); do
		b=$(pgbench_tps "$work/${workload}_plain.sql" "$SECONDS_PER_RUN" PGUSER=$base_user)
		p=$(pgbench_tps "$work/${workload}_protected.sql" "$SECONDS_PER_RUN" PGUSER=bench_app)
		echo "  round $r: baseline $b tps, protected $p tps"
		base_runs+=("$b") prot_runs+=("$p")
		ratios+=("$(awk -v p="$p" -v b="$b" 'BEGIN {printf "%.4f", p / b}')")
	done
	results[$workload.base]=$(printf '%s\n' "${base_runs[@]}" | median)
	results[$workload.prot]=$(printf '%s\n' "${prot_runs[@]}" | median)
	# The median of the paired (same-round) ratios: robust to the machine's drift.
	results[$workload.ratio]=$(printf '%s\n' "${ratios[@]}" | median | awk '{printf "%.3f", $1}')
	echo "  median: baseline ${results[$workload.base]}, protected ${results[$workload.prot]}, ratio ${results[$workload.ratio]}"
done

mkdir -p "$(dirname "$OUT")"
cat >"$OUT" <<MD
# Benchmark: protect()ed table vs hand-written tenant predicate

Produced by \`bench/rls_overhead.sh $ROUNDS $SECONDS_PER_RUN\` on $(date -u +%Y-%m-%d)
($(nproc) cores, PostgreSQL $($PG_BINDIR/postgres --version | awk '{print $3}'), $BENCH_CLIENTS pgbench clients,
prepared statements). 1,000,000 rows over 100 tenants; both tables have the same
primary key and an index on (tenant_id, created_at). Baseline and protected runs
alternate; the table shows the median tps of $ROUNDS runs of ${SECONDS_PER_RUN} s each, and
the median of the $ROUNDS paired ratios (each protected run against the baseline run
just before it), which is robust to the machine drifting during the benchmark.

| workload | baseline tps (plain table, \`AND tenant_id = 42\`) | protected tps (no predicate, policy) | ratio |
|---|---:|---:|---:|
| point lookup by primary key | ${results[point.base]} | ${results[point.prot]} | **${results[point.ratio]}** |
| 30-day aggregate for one tenant | ${results[agg.base]} | ${results[agg.prot]} | **${results[agg.ratio]}** |

Every transaction is \`BEGIN; SET LOCAL app.tenant_id = '42'; <query>; COMMIT\` in
both columns. The target is a ratio of at least 0.95 for both. Why it holds: the
policy compares the column with \`tenant_guard.tenant_bigint(...)\`, a STABLE C
function, so the planner uses it as an index key evaluated once per scan; per row
it costs one pointer check and one cached comparison of the setting's text.

On this 2-core machine single runs vary by up to ±10%, most for the aggregate;
before this benchmark paired its runs, the ratio of medians for the aggregate
ranged from 0.91 to 1.05 over four runs. The paired median is the figure to trust.

## Session guard overhead

| workload | guard off tps | guard on tps | ratio |
|---|---:|---:|---:|
| point lookup on the protected table | ${results[guard.base]} | ${results[guard.prot]} | **${results[guard.ratio]}** |

The target is at most 2% overhead (ratio at least 0.98). With a tenant set, the
executor hook reads the setting's state once per statement and returns; only
without one does it look at the statement's relations.
MD
echo "wrote $OUT"
cat "$OUT"
