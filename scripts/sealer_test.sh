#!/usr/bin/env bash
# The sealer under restarts (part of make test), on a cluster of its own:
#   backlog   a sealer restarted while a transaction holds the low watermark
#             back and more events are sealed above it than one pass reads:
#             the restarted sealer must skip every one of them, not only those
#             its first pass reaches;
#   idle      bursts of writers separated by pauses longer than the sealer's
#             idle exit (2 s), so that the sealer exits and a writer starts a
#             new one each time, with transactions in flight at every start,
#             as in bench/audit_throughput.sh's unaudited rounds;
#   locks     a writer blocked behind an ACCESS EXCLUSIVE lock on the trail
#             (an ALTER, a prune's DETACH) must not hold the capture LWLock
#             while it waits: it stays cancellable, and the sealer's next
#             pass never waits for it where no deadlock check looks;
#   ddl       DDL that locks the trail's tables one after another (as DROP
#             EXTENSION does) while the sealer has an event to seal: the
#             sealer must skip its pass, not hold one table while it waits for
#             another and make the DDL the deadlock check's victim; and a
#             starting sealer seals while a prune holds SHARE UPDATE EXCLUSIVE
#             on the trail, and while a VACUUM holds it on a month's partition;
#   forged    an event forged with a NULL chain after its NOT NULL was dropped,
#             in the range the sealer scans next: never sealed, reported by
#             verify_audit(), and the sealer (and with it the server) survives;
# each ends with every committed event sealed exactly once, nothing sealed
# that was rolled back, and verify_audit() clean.
#   scripts/sealer_test.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"

CLUSTER=$(mktemp -d /tmp/tenant_guard_sealer.XXXXXX)
WORK=$(mktemp -d /tmp/tenant_guard_sealer_work.XXXXXX)
[ "$(id -u)" -eq 0 ] && chmod 755 "$WORK"
cleanup() {
	[ -z "${long_fd:-}" ] || exec {long_fd}>&-
	"$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
TG_CLUSTER_CONF="tenant_guard.audit_seal_interval = 100" \
	"$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER" >/dev/null
source "$CLUSTER/env"
export PGOPTIONS="-c client_min_messages=warning"
HOLDER_OUT=$WORK/holder.out
all_sealed="SELECT (SELECT count(*) FROM tenant_guard.audit_events)
	= (SELECT coalesce(sum(cardinality(event_seqs)), 0) FROM tenant_guard.audit_blocks)"
sealer_pid="SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE backend_type = 'tenant_guard audit sealer'
	AND datname = current_database()"
sealed_once() { # events not in exactly one block, plus block entries without an event
	q -c "SELECT count(*) FROM tenant_guard.audit_events e FULL JOIN (SELECT s, count(*) AS n
		FROM tenant_guard.audit_blocks, unnest(event_seqs) s GROUP BY s) b ON b.s = e.seq
		WHERE b.n IS DISTINCT FROM 1 OR e.seq IS NULL"
}

# One database per section, so that one's failure cannot hide or cause the other's.
psql -qX -d postgres -c 'CREATE DATABASE tg_sealer_backlog' -c 'CREATE DATABASE tg_sealer_bursts' \
	-c 'CREATE DATABASE tg_sealer_locks' -c 'CREATE DATABASE tg_sealer_ddl' -c 'CREATE DATABASE tg_sealer_forged' >/dev/null

say "sealer: restarted with a transaction open below more than one pass of sealed events"
export PGDATABASE=tg_sealer_backlog
q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE backlog (id bigint, tenant_id int NOT NULL, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('backlog');
SQL
# The open transaction's event keeps the low watermark below it.
mkfifo "$WORK/long.fifo"
psql -qXAt -v ON_ERROR_STOP=1 <"$WORK/long.fifo" >"$WORK/long.out" 2>&1 &
long=$!
exec {long_fd}>"$WORK/long.fifo"
echo "BEGIN; INSERT INTO backlog VALUES (-1, 1);" >&$long_fd
wait_for 10 "SELECT count(*) = 1 FROM pg_stat_activity WHERE state = 'idle in transaction'
	AND query LIKE 'INSERT INTO backlog%'" || echo "the long transaction did not start" >&2
# More than one pass reads (100000 events): two passes seal them above the open event.
q -c "INSERT INTO backlog SELECT g, g % 4 FROM generate_series(1, 150000) g"
wait_for 60 "$all_sealed" || echo "the backlog was not sealed within 60 s" >&2
check "the open transaction holds the low watermark below the backlog" "t" \
	"$(q -c "SELECT max(low_watermark) < (SELECT min(seq) FROM tenant_guard.audit_events)
		FROM tenant_guard.audit_passes")"
old_pid=$(q -c "$sealer_pid")
q -c "SELECT pg_terminate_backend($old_pid)" >/dev/null
# A writer (or the launcher) starts the next sealer, which resumes from the disk.
q -c "INSERT INTO backlog VALUES (-2, 2)"
wait_for 10 "SELECT ($sealer_pid) NOT IN (0, $old_pid)" || echo "no new sealer started" >&2
wait_for 10 "$all_sealed" || echo "the new event was not sealed" >&2
# Several passes of the new sealer while the transaction stays open.
sleep 1
echo "COMMIT;" >&$long_fd
exec {long_fd}>&-
long_fd=
wait $long
wait_for 10 "$all_sealed" || echo "the long transaction's event was not sealed" >&2
check "after the restart: every event sealed exactly once" "0" "$(sealed_once)"
check "after the restart: verify_audit() is clean" "" \
	"$(q -c "SELECT problem, count(*) FROM tenant_guard.verify_audit() GROUP BY problem")"

say "sealer: writers in bursts, the sealer exiting idle between them"
export PGDATABASE=tg_sealer_bursts
q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE bursts (id bigint, tenant_id int NOT NULL, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('bursts', chain => 'global');
SQL
cat >"$WORK/burst.sql" <<'PGB'
\set tenant random(1, 4)
\set id random(1, 1000000000000)
\set next :id + 1
\set r random(1, 10)
BEGIN;
INSERT INTO bursts VALUES (:id, :tenant) ON CONFLICT DO NOTHING;
INSERT INTO bursts VALUES (:next, :tenant) ON CONFLICT DO NOTHING;
\if :r = 1
ROLLBACK;
\else
COMMIT;
\endif
PGB
pids=()
for round in 1 2 3 4 5; do
	"$PG_BINDIR/pgbench" -n -M prepared -c 8 -j 2 -T 1 -f "$WORK/burst.sql" "$PGDATABASE" >"$WORK/pgbench.log" 2>&1 ||
		{ cat "$WORK/pgbench.log"; die "pgbench failed"; }
	pids+=("$(q -c "$sealer_pid")")
	# Longer than the idle exit: the sealer of this round leaves.
	wait_for 10 "$all_sealed" || echo "round $round: not sealed within 10 s" >&2
	sleep 3.5
done
check "the sealer exited between bursts (a new one each round)" "5" \
	"$(printf '%s\n' "${pids[@]}" | sort -u | grep -vc '^0$')"
check "bursts: events = committed rows (two per committed transaction)" \
	"$(q -c "SELECT count(*) FROM bursts")" \
	"$(q -c "SELECT count(*) FROM tenant_guard.audit_events WHERE table_name = 'public.bursts'")"
check "bursts: every event sealed exactly once" "0" "$(sealed_once)"
check "bursts: verify_audit() is clean" "" \
	"$(q -c "SELECT problem, count(*) FROM tenant_guard.verify_audit() GROUP BY problem")"

say "capture: a writer waiting behind a lock on the trail holds no capture lock"
export PGDATABASE=tg_sealer_locks
q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE locks_t (id bigint, tenant_id int NOT NULL, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('locks_t');
SQL
q -c "INSERT INTO locks_t VALUES (1, 1)"
# An ACCESS EXCLUSIVE lock on the trail (ALTER, DROP EXTENSION, a prune's DETACH).
hold_lock tenant_guard.audit_events "ACCESS EXCLUSIVE" 4
# A writer that waited for it while holding the capture LWLock could not be
# cancelled (interrupts are held off under an LWLock), and the sealer's next
# pass would wait for it in turn, where no deadlock check looks.
check "a writer waiting for the trail's lock can be cancelled (statement_timeout)" "1" \
	"$(psql -qXAt -c "SET statement_timeout = '1s'" -c "INSERT INTO locks_t VALUES (2, 2)" 2>&1 |
		grep -c 'canceling statement due to statement timeout')"
wait $holder
# The same behind a lock on this month's partition alone (a REINDEX, say).
leaf=$(q -c "SELECT 'tenant_guard.audit_events_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')")
hold_lock "$leaf" "ACCESS EXCLUSIVE" 4
check "a writer waiting for the month's partition can be cancelled (statement_timeout)" "1" \
	"$(psql -qXAt -c "SET statement_timeout = '1s'" -c "INSERT INTO locks_t VALUES (2, 2)" 2>&1 |
		grep -c 'canceling statement due to statement timeout')"
wait $holder
q -c "INSERT INTO locks_t VALUES (3, 3)"
wait_for 10 "$all_sealed" || echo "the events were not sealed" >&2
check "locks: events = committed rows" "2" "$(q -c "SELECT count(*) FROM tenant_guard.audit_events")"
check "locks: every event sealed exactly once" "0" "$(sealed_once)"
check "locks: verify_audit() is clean" "" \
	"$(q -c "SELECT problem, count(*) FROM tenant_guard.verify_audit() GROUP BY problem")"

say "sealer: DDL that locks the trail's tables one after another while the sealer has work"
export PGDATABASE=tg_sealer_ddl
q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE ddl_t (id bigint, tenant_id int NOT NULL, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('ddl_t');
SQL
q -c "INSERT INTO ddl_t VALUES (1, 1)"
wait_for 10 "$all_sealed" || echo "the first event was not sealed" >&2
# As DROP EXTENSION does: one table of the trail, then (while the sealer has an
# event to seal) another. A sealer that waited for the first while it held the
# second made the DDL the deadlock check's victim (in an assert-enabled run of
# the suites, DROP EXTENSION failed so).
hold_lock tenant_guard.audit_blocks "ACCESS EXCLUSIVE" 1.5 \
	"LOCK TABLE tenant_guard.audit_passes IN ACCESS EXCLUSIVE MODE"
q -c "INSERT INTO ddl_t VALUES (2, 2)"
wait $holder || true
check "ddl: the DDL took both locks (no deadlock)" "" "$(grep -E 'ERROR|deadlock' "$WORK/holder.out")"
wait_for 10 "$all_sealed" || echo "the events were not sealed after the DDL" >&2
check "ddl: events = committed rows, every one sealed once" "2 0" \
	"$(q -c "SELECT count(*) FROM tenant_guard.audit_events") $(sealed_once)"
check "ddl: verify_audit() is clean" "" \
	"$(q -c "SELECT problem, count(*) FROM tenant_guard.verify_audit() GROUP BY problem")"
check "ddl: no deadlock in the server log" "0" "$(grep -c 'deadlock detected' "$CLUSTER/server.log" || true)"
# A sealer's first pass also makes partitions, under SHARE UPDATE EXCLUSIVE on
# audit_events; while a prune or close_audit_day() holds that mode, it seals
# anyway and leaves the partitions to a later pass.
wait_for 10 "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'tenant_guard audit sealer'
	AND datname = current_database()" || echo "the sealer did not exit while idle" >&2
hold_lock tenant_guard.audit_events "SHARE UPDATE EXCLUSIVE" 5
q -c "INSERT INTO ddl_t VALUES (3, 3)"
wait_for 3 "$all_sealed" && sealed=t || sealed=f
check "ddl: a starting sealer seals while another holds SHARE UPDATE EXCLUSIVE on the trail" t "$sealed"
wait $holder
# VACUUM and ANALYZE of a month's partition (autovacuum's too, which inserts
# set off) hold SHARE UPDATE EXCLUSIVE on it for as long as they run. The lock
# the partition maker takes on audit_events must not reach down to the
# partitions: a starting sealer then waited for the VACUUM (for autovacuum's
# until the deadlock check cancelled it, after deadlock_timeout).
wait_for 10 "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'tenant_guard audit sealer'
	AND datname = current_database()" || echo "the sealer did not exit while idle" >&2
hold_lock "tenant_guard.audit_events_$(q -c "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')")" \
	"SHARE UPDATE EXCLUSIVE" 5
q -c "INSERT INTO ddl_t VALUES (4, 4)"
wait_for 2 "$all_sealed" && sealed=t || sealed=f
check "ddl: a starting sealer seals within 2 s while a VACUUM holds this month's partition" t "$sealed"
wait $holder

say "sealer: an event forged with NULL columns where the sealer scans next"
export PGDATABASE=tg_sealer_forged
q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE forged_t (id bigint, tenant_id int NOT NULL, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('forged_t');
SQL
q -c "INSERT INTO forged_t VALUES (1, 1)"
wait_for 10 "$all_sealed" || echo "the first event was not sealed" >&2
# A superuser drops the NOT NULL and forges the next seq with a NULL chain and
# row_hash; the sequence moves past it so that the sealer's next pass reads it.
q >/dev/null <<'SQL'
ALTER TABLE tenant_guard.audit_events ALTER COLUMN chain_id DROP NOT NULL, ALTER COLUMN row_hash DROP NOT NULL;
SET session_replication_role = replica;
INSERT INTO tenant_guard.audit_events
SELECT (SELECT last_value + 1 FROM tenant_guard.audit_event_seq), NULL, format_version, occurred_at, txid,
       tx_ordinal + 1, session_actor, actor, table_name, operation, tenant_id, old_row, new_row,
       changed_columns, application_name, client_addr, NULL
  FROM tenant_guard.audit_events ORDER BY seq DESC LIMIT 1;
SELECT setval('tenant_guard.audit_event_seq', (SELECT max(seq) FROM tenant_guard.audit_events));
SQL
forged=$(q -c "SELECT max(seq) FROM tenant_guard.audit_events")
q -c "INSERT INTO forged_t VALUES (2, 2)"
wait_for 10 "SELECT count(*) = 2 FROM tenant_guard.audit_events e WHERE EXISTS
	(SELECT FROM tenant_guard.audit_blocks b WHERE e.seq = ANY (b.event_seqs))" || echo "the real events were not sealed" >&2
check "forged: the server and its sealer survived, the real events are sealed" "2" \
	"$(q -c "SELECT count(*) FROM tenant_guard.audit_events e WHERE EXISTS
		(SELECT FROM tenant_guard.audit_blocks b WHERE e.seq = ANY (b.event_seqs))" 2>&1)"
check "forged: verify_audit() reports the forged event outside the chain" "$forged event outside the chain" \
	"$(q -c "SELECT seq || ' ' || problem FROM tenant_guard.verify_audit() WHERE problem = 'event outside the chain'" 2>&1)"

checks_done
