#!/usr/bin/env bash
# close_audit_day() on a trail with history: what the daily close costs on
# its DAYS-th day, against its first day and against a scan of the one day's
# events, in the same run.
#
# DAYS days of EVENTS_PER_DAY audited INSERTs over 4 tenants, each day
# sealed that day (build_day_history in bench/lib.sh). The days are closed
# in order, as the daily job closes them, each close timed. The baseline is a scan of
# what one day adds to the log: the row_hash of every event its blocks list,
# in log order.
#
#   bench/close_audit_day.sh [DAYS] [EVENTS_PER_DAY]   (default 30 days, 33334: 1,000,000 events)
# Writes docs/benchmarks/close_audit_day.md.
source "$(dirname "$0")/lib.sh"

DAYS=${1:-30}
PER_DAY=${2:-33334}
OUT="$REPO_ROOT/docs/benchmarks/close_audit_day.md"

start_bench_cluster
say "$DAYS days of $PER_DAY audited INSERTs, each day sealed before the next"
build_day_history "$DAYS" "$PER_DAY"
last_pass=("${DAY_LAST_PASS[@]}")

# scan_ms D: reads what day D adds to the log, as a close reads it.
scan_ms() {
	local first=0
	[ "$1" -gt 1 ] && first=${last_pass[$1 - 2]}
	psql -qXAt -c '\timing on' -c "SELECT sum(length(e.row_hash))
		FROM tenant_guard.audit_blocks b
		CROSS JOIN LATERAL unnest(b.event_seqs) WITH ORDINALITY AS u(seq, ord)
		JOIN tenant_guard.audit_events e ON e.seq = u.seq
		WHERE b.pass_no > $first AND b.pass_no <= ${last_pass[$1 - 1]}" | ms_of
}

say "closing the $DAYS days in order"
close=()
for ((d = 1; d <= DAYS; d++)); do
	close+=("$(psql -qXAt -c '\timing on' -c "SELECT length(tenant_guard.close_audit_day('$(history_day "$d" "$DAYS")'))" | ms_of)")
	echo "  day $d: ${close[$d - 1]} ms"
done
sizes=$(psql -qXAt -c "SELECT min(tree_size) || ' ' || max(tree_size) FROM tenant_guard.audit_anchors")
scan1=$(scan_ms 1) scanN=$(scan_ms "$DAYS")
mid=$(((DAYS + 1) / 2))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

cat >"$OUT" <<MD
# Benchmark: close_audit_day() on a trail with history

Produced by \`bench/close_audit_day.sh $DAYS $PER_DAY\` on $(date -u +%Y-%m-%d)
($(nproc) cores, PostgreSQL $($PG_BINDIR/postgres --version | awk '{print $3}')).
$DAYS days of $PER_DAY audited INSERTs over 4 tenants (\`chain => 'tenant'\`), each
day's events sealed that day; the days are closed in order, as the daily job
closes them. Tree sizes from ${sizes% *} (day 1) to ${sizes#* } (day $DAYS). The baseline
is a scan of what one day adds to the log: the \`row_hash\` of every event its
blocks list.

| | time | against day 1's close | against a scan of the day's events |
|---|---:|---:|---:|
| close of day 1 | ${close[0]} ms | 1.00 | $(ratio "${close[0]}" "$scan1") |
| close of day $mid | ${close[$mid - 1]} ms | $(ratio "${close[$mid - 1]}" "${close[0]}") | |
| close of day $DAYS | ${close[$DAYS - 1]} ms | $(ratio "${close[$DAYS - 1]}" "${close[0]}") | $(ratio "${close[$DAYS - 1]}" "$scanN") |
| scan of day 1's events / day $DAYS's | $scan1 ms / $scanN ms | | |

Every close, in order (ms): $(printf '%s ' "${close[@]}")

A close starts from the frontier that the previous closed day recorded in
\`audit_anchors\` and reads only the events sealed since, so its cost is one
day's events whatever the trail's age. Before 2026-12-02 it read every event
sealed since the latest retention checkpoint (without retention: since the
first), holding its lock on \`audit_anchors\` meanwhile. This script on that
code, the same day (\`bench/close_audit_day.sh 30 33334\`): day 1 322 ms, day 15
3094 ms, day 30 **5746 ms** (17.8x day 1's close, 46.5x a scan of the day's
events), growing by about 190 ms with every day of history; in order (ms):
322 521 974 830 1103 1315 1740 2237 1833 2414 2902 2786 3158 3088 3094 2816
3066 3328 4000 4151 4089 4625 4445 4661 5367 5621 6223 4954 5532 5746.
MD
echo "wrote $OUT"
