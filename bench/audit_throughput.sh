#!/usr/bin/env bash
# Cost of the audit trail for writers, seal lag, and verify_audit()'s speed.
#
# Durable commits (fsync = on, synchronous_commit = on), 8 pgbench clients
# over 4 tenants. Three identical tables: one unaudited, one audited with
# chain => 'tenant', one with chain => 'global'. Each round runs the same
# single-row INSERT against the three in turn; the ratios are the medians of
# the paired (same-round) ratios. A second workload mixes INSERTs with
# UPDATEs of existing rows. Seal lag is pass.sealed_at - event.occurred_at
# over every event the audited runs wrote, once the script has waited for the
# sealer to seal every committed event; verify_audit() then runs once and
# prints the kind of every problem it finds. verify_audit()'s speed is
# measured by bench/verify_audit.sh.
#
# Three more tables, measured in the same rounds, give the floor that any
# capture meeting the issue's terms pays here: each change recorded by a row
# trigger, as a row of the audited transaction. t_trigger has an AFTER ROW
# trigger in C that does nothing (contrib's lo_manage() returns at once for an
# INSERT, and for an UPDATE that leaves its column alone, as every UPDATE here
# does); t_row writes, through a rule, a second row of an audit event's size
# into a table with a sequence and a primary key; t_floor does both. None
# hashes, builds a row image or reads a setting: what they cost is
# PostgreSQL's.
#
# The order of the tables rotates from round to round, so that none always
# runs first (right after a checkpoint, say) or right after an audited run
# (while the sealer still seals that run's last events).
#
#   bench/audit_throughput.sh [ROUNDS] [SECONDS]   (default 6 rounds of 5 s)
# Writes docs/benchmarks/audit.md, keeping its "## Earlier runs" section and the
# section bench/verify_audit.sh writes.
source "$(dirname "$0")/lib.sh"

ROUNDS=${1:-6}
SECONDS_PER_RUN=${2:-5}
BENCH_CLIENTS=8
OUT="$REPO_ROOT/docs/benchmarks/audit.md"

# track_commit_timestamp only to measure seal lag from each commit; every table's
# commits pay for it alike.
start_writer_bench_cluster "track_commit_timestamp = on"

psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE t_plain (id bigserial, tenant_id int NOT NULL, amount numeric NOT NULL,
	note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id));
CREATE TABLE t_tenant (LIKE t_plain INCLUDING ALL);
CREATE TABLE t_global (LIKE t_plain INCLUDING ALL);
SELECT tenant_guard.audit('t_tenant');
SELECT tenant_guard.audit('t_global', chain => 'global');
-- The floor (see above): an empty C trigger, a second row, both.
CREATE EXTENSION lo;
CREATE TABLE t_trigger (LIKE t_plain INCLUDING ALL);
CREATE TABLE t_row (LIKE t_plain INCLUDING ALL);
CREATE TABLE t_floor (LIKE t_plain INCLUDING ALL);
CREATE TRIGGER empty AFTER INSERT OR UPDATE ON t_trigger FOR EACH ROW EXECUTE FUNCTION lo_manage(tenant_id);
CREATE TRIGGER empty AFTER INSERT OR UPDATE ON t_floor FOR EACH ROW EXECUTE FUNCTION lo_manage(tenant_id);
-- As wide as an audit event of these tables (about 330 bytes), with a
-- sequence and a primary key, as audit_events has.
CREATE TABLE event_sink (seq bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL DEFAULT now(),
	chain_id text, tenant_id int, actor text, row_image jsonb, row_hash bytea);
CREATE FUNCTION sink_rules(tbl regclass) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	v text := $v$(chain_id, tenant_id, actor, row_image, row_hash) VALUES ('tenant:' || NEW.tenant_id,
		NEW.tenant_id, 'bench_user', '{"id": 123456, "note": "order placed by the web shop", "amount": 12.50, "tenant_id": 3, "created_at": "2026-12-02T06:50:00.123456+00:00"}',
		'\x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')$v$;
BEGIN
	EXECUTE format('CREATE RULE sink_insert AS ON INSERT TO %s DO ALSO INSERT INTO event_sink %s', tbl, v);
	EXECUTE format('CREATE RULE sink_update AS ON UPDATE TO %s DO ALSO INSERT INTO event_sink %s', tbl, v);
END
$f$;
SELECT sink_rules('t_row'), sink_rules('t_floor');
INSERT INTO t_plain (tenant_id, amount, note) SELECT g % 4, g, 'seed' FROM generate_series(1, 4000) g;
INSERT INTO t_tenant SELECT * FROM t_plain;
INSERT INTO t_global SELECT * FROM t_plain;
INSERT INTO t_trigger SELECT * FROM t_plain;
INSERT INTO t_row SELECT * FROM t_plain;
INSERT INTO t_floor SELECT * FROM t_plain;
SQL
# Seal lag counts the events of the runs, not the seed's.
seed_seq=$(psql -qXAt -c "SELECT coalesce(pg_sequence_last_value('tenant_guard.audit_event_seq'), 0)")

work=$(mktemp -d)
TABLES=(plain tenant global trigger row floor)
for t in "${TABLES[@]}"; do
	cat >"$work/insert_$t.sql" <<PGB
\set tenant random(0, 3)
INSERT INTO t_$t (tenant_id, amount, note) VALUES (:tenant, 12.50, 'order placed by the web shop');
PGB
	cat >"$work/mixed_$t.sql" <<PGB
\set tenant random(0, 3)
\set k random(1, 4000)
\set r random(0, 1)
\if :r = 0
INSERT INTO t_$t (tenant_id, amount, note) VALUES (:tenant, 12.50, 'order placed by the web shop');
\else
UPDATE t_$t SET amount = amount + 1 WHERE tenant_id = :k % 4 AND id = :k;
\endif
PGB
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", a / b}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "warming up"
for s in "$work"/*.sql; do pgbench_tps "$s" 2 >/dev/null; done

declare -A res
for workload in insert mixed; do
	say "$workload: $ROUNDS rounds of ${SECONDS_PER_RUN}s over ${TABLES[*]} in turn"
	declare -A runs=() ratios=()
	above=""
	for ((r = 1; r <= ROUNDS; r++)); do
		declare -A tps=()
		order=("${TABLES[@]:r%${#TABLES[@]}}" "${TABLES[@]:0:r%${#TABLES[@]}}")
		for table in "${order[@]}"; do
			tps[$table]=$(pgbench_tps "$work/${workload}_$table.sql" "$SECONDS_PER_RUN")
		done
		line="  round $r:"
		for table in "${TABLES[@]}"; do
			runs[$table]+="${tps[$table]} "
			ratios[$table]+="$(ratio "${tps[$table]}" "${tps[plain]}") "
			line+=" $table ${tps[$table]}"
		done
		above+="$(ratio "${tps[tenant]}" "${tps[floor]}") "
		echo "$line tps"
	done
	for table in "${TABLES[@]}"; do
		res[$workload.$table]=$(printf '%s\n' ${runs[$table]} | median)
		res[$workload.r$table]=$(printf '%s\n' ${ratios[$table]} | median | awk '{printf "%.3f", $1}')
	done
	res[$workload.above]=$(printf '%s\n' $above | median | awk '{printf "%.3f", $1}')
	echo "  paired medians: tenant ${res[$workload.rtenant]}, global ${res[$workload.rglobal]}," \
		"empty trigger ${res[$workload.rtrigger]}, second row ${res[$workload.rrow]}, both ${res[$workload.rfloor]}; tenant over both ${res[$workload.above]}"
	unset runs ratios
done

# Seal lag and verify_audit() need every committed event sealed: wait for the sealer.
wait_for_sealer postgres 120
# Statistics for the joins below: without them a nested loop over millions of events.
psql -qX -c "ANALYZE tenant_guard.audit_events, tenant_guard.audit_blocks, tenant_guard.audit_passes"
echo "sealed: the newest pass examined every seq, and every event is in a block"
lag=$(psql -qXAt -F ' ' <<SQL
WITH l AS (
	SELECT extract(epoch FROM p.sealed_at - e.occurred_at) AS statement,
	       extract(epoch FROM p.sealed_at - pg_xact_commit_timestamp(e.xmin)) AS commit
	  FROM tenant_guard.audit_events e
	  JOIN (SELECT pass_no, unnest(event_seqs) AS seq FROM tenant_guard.audit_blocks) b USING (seq)
	  JOIN tenant_guard.audit_passes p USING (pass_no)
	 WHERE e.seq > $seed_seq)
SELECT count(*),
       round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY commit)::numeric),
       round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY commit)::numeric),
       round(1000 * max(commit)::numeric), count(*) FILTER (WHERE commit > 1),
       round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY statement)::numeric),
       round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY statement)::numeric),
       round(1000 * max(statement)::numeric), count(*) FILTER (WHERE statement > 1)
  FROM l
SQL
)
read -r lag_events lag_p50 lag_p99 lag_max lag_over st_p50 st_p99 st_max st_over <<<"$lag"
echo "seal lag over $lag_events events from their commit: p50 ${lag_p50} ms, p99 ${lag_p99} ms, max ${lag_max} ms, $lag_over over 1 s;" \
	"from their statement: p50 ${st_p50} ms, p99 ${st_p99} ms, max ${st_max} ms, $st_over over 1 s"
# Events sealed more than 1 s after their statement, by pass: the time from
# their statement to their commit, and from the pass before to this one, tell
# a late commit from a late sealer (which exits after 2 s without events).
late=""
if [ "$st_over" != 0 ]; then
	late=$(psql -qX <<SQL
SELECT p.pass_no, count(*) AS events,
       count(*) FILTER (WHERE p.sealed_at - pg_xact_commit_timestamp(e.xmin) > interval '1 second') AS over_1_s_from_commit,
       round(1000 * extract(epoch FROM max(pg_xact_commit_timestamp(e.xmin) - e.occurred_at))) AS max_ms_statement_to_commit,
       round(1000 * extract(epoch FROM p.sealed_at - p.previous_sealed_at)) AS ms_after_previous_pass,
       p.sealed_at
  FROM tenant_guard.audit_events e
  JOIN (SELECT pass_no, unnest(event_seqs) AS seq FROM tenant_guard.audit_blocks) b USING (seq)
  JOIN (SELECT *, lag(sealed_at) OVER (ORDER BY pass_no) AS previous_sealed_at FROM tenant_guard.audit_passes) p USING (pass_no)
 WHERE e.seq > $seed_seq AND p.sealed_at - e.occurred_at > interval '1 second'
 GROUP BY p.pass_no, p.sealed_at, p.previous_sealed_at
 ORDER BY p.pass_no
SQL
)
	echo "$late"
fi
problems=$(psql -qXAt -c "SELECT count(*) FROM tenant_guard.verify_audit()")
# A benchmark that ends with problems must say which, not only how many.
[ "$problems" = 0 ] || psql -qX -c "SELECT problem, count(*), min(chain_id::text) AS chain,
	min(seq), max(seq), min(detail) FROM tenant_guard.verify_audit() GROUP BY 1" >&2

# verify_audit()'s speed is bench/verify_audit.sh's: its section of the page is kept.
verify_section=$( [ -f "$OUT" ] && awk '/^## verify_audit\(\)/ { f = 1 } f && /^## / && !/^## verify_audit\(\)/ { f = 0 } f' "$OUT")

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$(dirname "$OUT")"
history=$([ -f "$OUT" ] && sed -n '/^## Earlier runs/,$p' "$OUT")
cat >"$OUT" <<MD
# Benchmark: the audit trail's cost to writers, seal lag, verification

Produced by \`bench/audit_throughput.sh $ROUNDS $SECONDS_PER_RUN\` on $(date -u +%Y-%m-%d)
($(nproc) cores shared with other work, PostgreSQL $($PG_BINDIR/postgres --version | awk '{print $3}'),
fsync = on, synchronous_commit = on, $BENCH_CLIENTS pgbench clients with prepared statements,
4 tenants). Three tables with the same columns and primary key: unaudited, audited with
\`chain => 'tenant'\`, audited with \`chain => 'global'\` (and three more for the floor,
below). Each round runs the same workload against all six in turn (the order rotating
between rounds) for ${SECONDS_PER_RUN} s;
the table shows median tps over $ROUNDS rounds and the median of the paired (same-round)
ratios. Load average (1, 5, 15 min) before the run: $load_before; after: $load_after.

| workload | unaudited tps | tenant chains tps | ratio | global chain tps | ratio |
|---|---:|---:|---:|---:|---:|
| single-row INSERT | ${res[insert.plain]} | ${res[insert.tenant]} | **${res[insert.rtenant]}** | ${res[insert.global]} | **${res[insert.rglobal]}** |
| 50% INSERT, 50% UPDATE | ${res[mixed.plain]} | ${res[mixed.tenant]} | **${res[mixed.rtenant]}** | ${res[mixed.global]} | **${res[mixed.rglobal]}** |

Target: at least 0.90 for both chain kinds (the issue asks to aim for 0.95). For
comparison, measured earlier on this machine with PL/pgSQL triggers: an audit row
without a chain 0.85, a chain per tenant with a locked head row 0.64, one global
chain 0.19.

## The floor: what any capture inside the audited transaction costs here

The issue asks for every change to be recorded by a trigger, in audit_events, in
the audited transaction. Three more tables, measured in the same rounds, do only
that much of it and nothing of ours: an AFTER ROW trigger in C that does nothing
(contrib's \`lo_manage()\`, which returns at once for these rows); a second row of
an audit event's size (about 330 bytes), written by a rule into a table with a
sequence and a primary key; and both together, the floor. Paired ratios against
the unaudited table, medians over the same $ROUNDS rounds:

| workload | empty C AFTER ROW trigger | second row (sequence, primary key) | both: the floor | tenant chains | tenant chains / floor |
|---|---:|---:|---:|---:|---:|
| single-row INSERT | ${res[insert.rtrigger]} | ${res[insert.rrow]} | **${res[insert.rfloor]}** | ${res[insert.rtenant]} | ${res[insert.above]} |
| 50% INSERT, 50% UPDATE | ${res[mixed.rtrigger]} | ${res[mixed.rrow]} | **${res[mixed.rfloor]}** | ${res[mixed.rtenant]} | ${res[mixed.above]} |

The floor builds no row image, computes no hash and reads no setting: it is what
PostgreSQL itself charges for a row trigger and a second row per change. It is a
floor in what it does, not in instructions: its second row goes through a rule, a
second query of the statement, and counted with callgrind (below) a floor
transaction takes more instructions than an audited one (124.3k against 121.8k
for an INSERT, 199.5k against 186.4k for an UPDATE; unaudited 68.7k and 117.2k).
On this machine it has measured between
0.78 and 0.95 from one invocation of this script to the next, its median over
them about 0.85 for the INSERTs and 0.81 for the mix (the table under Earlier
runs): the target is at or beyond what a row trigger and a second row per change
reach here, however little tenant_guard's own code costs, and a single invocation that
shows 0.90 met (there has been one) shows the spread, not the cost. The last
column is what that code (row images, hashing, the event's other columns,
partition routing, the capture lock, the sealer's share of the two cores) costs
above the floor; it has measured between 0.87 and 1.07. On a machine where commits wait for the
disk rather than for the CPU, every ratio here moves toward 1. What the writers
wait for, audited and not: [audit_waits.md](audit_waits.md).

**Reading these numbers.** On this machine an fsync is cheap (a virtual disk with
a write cache) and the two cores are often shared with other developers' builds and
benchmarks; even with nothing else running, the unaudited table's tps moves by half
from one 5 s run to the next. The paired ratios, not single runs, are the figure to
use, and they still move by about ±0.1 between invocations: the floor's columns show
how much. The global chain costs the same as per-tenant chains (no
writer waits for another), which was the design goal; what the ratio measures is
the CPU of writing a second row per change. Writers wait on no lock of ours (the
capture lock is shared; the sealer holds it exclusively for an instant every pass);
they do contend for the trail's last heap page and the rightmost page of its primary
key, as for any append-only table. Where commits wait for a real disk, the same CPU
is a smaller share of each transaction.

## Where an audited writer's time goes

Counted with callgrind (instructions, so independent of the machine's load) in a
stand-alone backend, on 2026-12-02 after 39a7096, as the difference between 3,000
and 1,000 prepared single-row transactions like pgbench's (so without start-up),
per transaction:

| statement | unaudited | \`chain => 'tenant'\` | \`chain => 'global'\` | the floor (empty trigger, second row by a rule) |
|---|---:|---:|---:|---:|
| INSERT | 68.7k | 121.8k | 121.7k | 124.3k |
| UPDATE of one row | 117.2k | 186.4k | 185.3k | 199.5k |

The capture trigger is 45.4k of an audited INSERT. In it: the event's heap and
index insert with their WAL 11.6k; opening and locking the trail's partition, its
index and the sequence, the sequence itself and forming the tuple 10.5k; the row
image with its text 6.7k; SHA-256 7.3k under callgrind, which cannot use the CPU's
SHA instructions (on the CPU itself it is 1.7% of an audited backend's time); the
rest is the encoding and the trigger's bookkeeping (in a stand-alone backend 2.2k
of it asks for a sealer, which cannot start there). PostgreSQL's AFTER-trigger
queue (saving the event, fetching the row again), executor start-up and releasing
the extra locks at commit add about 8k. Before 39a7096 the trigger opened and
locked the partition and its index a second time for the write: 1.8k more per
event.

Sampled with perf (DWARF call graphs, 8 clients, \`chain => 'tenant'\`): the capture
trigger is 14% of an audited backend's CPU (the event's heap and index insert with
WAL 6.3%, building the event 3.7% of which the row image 2.7%, SHA-256 1.7%, the
sequence 0.4%, the cached plan's lookup 0.2%), the AFTER-trigger queue around it
another 2.3%; the commit's WAL flush is 28%, reading the client's next statement 5%.
Where the writers are CPU-bound, that puts the ratio near 0.82 (runs in which
commits wait for the flush come out higher). Reaching 0.90 needs the
whole audit path under about 10% of an audited backend, which is what the event's
own heap and index insert with WAL and the trigger queue cost by themselves (8.6%):
it cannot be reached by making the trigger's own work cheaper; it needs less work
per change in the writer (no second heap row and index entry per change, for
instance events batched per transaction, which pgbench's one-row transactions would
not benefit from), or a disk where the commit's flush, not the CPU, bounds the
writers.

Sampled system-wide with perf on 2026-12-02 (every process, 6 s of each workload,
8 clients, \`chain => 'tenant'\`, durable commits), per committed transaction:
unaudited 69 µs of CPU, audited 122 µs. Of the 53 µs more, PostgreSQL's code in the
backends takes 30.5 (the second heap row and its primary-key entry with their WAL,
opening and locking the trail's partition, index and sequence, the AFTER-trigger
queue), the kernel in the backends 12.2 (about twice the WAL to write and flush,
more context switches), libc 3.1, pgbench 1.9, tenant_guard's own code (row image,
encoding, bookkeeping) 3.0 and SHA-256 1.2; the sealer accounts for 3.2 of the
total (about 4% of one core). Where the writers are CPU-bound, as here, 0.90 needs
the whole audit path under about 8 µs per transaction, a quarter of what
PostgreSQL's own code spends on the second row and the trigger queue (30.5 µs):
no change to the trigger's own 4 µs can get there. Sampled again the same
afternoon with nothing else on the machine (8 s of each table, every process,
frame-pointer call graphs): the backends took 31% more CPU per committed
transaction audited than unaudited, and tenant_guard.so with libcrypto accounted
for a tenth of that increase; the sealer took 1.3% of all samples.

## Seal lag

Over the $lag_events events of the audited runs, with \`tenant_guard.audit_seal_interval\`
= 200 ms, from each event's commit (\`pg_xact_commit_timestamp\`; track_commit_timestamp
is on in this cluster to measure it) to the sealing pass that chained it
(\`audit_passes.sealed_at\`): **p50 ${lag_p50} ms, p99 ${lag_p99} ms**, max ${lag_max} ms;
**$lag_over events more than 1 s after their commit**, the issue's limit. From the
statement that wrote the event (\`occurred_at\`, so including the commit's wait for
the WAL flush and for the CPU): p50 ${st_p50} ms, p99 ${st_p99} ms, max ${st_max} ms,
$st_over more than 1 s. verify_audit() afterwards: $problems problems. The lag with a
transaction open for several seconds is checked by scripts/audit_test.sh in make
test (every event committed meanwhile is sealed within 1 s of its commit), with
thousands of chains by [seal_lag_tenants.md](seal_lag_tenants.md).
${late:+
The events sealed more than 1 s after their statement, by the pass that sealed
them: the time from their statement to their commit, and from the previous pass
to this one (the sealer exits after 2 s without events, and the runs of the other
tables are longer), tell a late commit from a late sealer.

\`\`\`
$late
\`\`\`
}
${verify_section:-## verify_audit()

Measured by bench/verify_audit.sh.}
MD
[ -z "$history" ] || printf '\n%s\n' "$history" >>"$OUT"
echo "wrote $OUT"
