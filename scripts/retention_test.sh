#!/usr/bin/env bash
# Retention test (part of make test): monthly partitions of audit_events over
# three months, audit_prune() refusing what it must, then dropping the oldest
# month after a closed and time-stamped day; verify_audit() reporting it as
# pruned by policy, tree heads unchanged across the prune, tampering after it
# still caught, and a month dropped by hand reported as missing.
# Months: the server runs under libfaketime, restarted with the offset of the
# middle of the month two months back (M2), then one month back (M1), so that
# the capture trigger stamps those months; the sealing worker keeps the real
# clock (libfaketime does not reach the postmaster's later children), so every
# event is sealed on the real day DAY1. Then two days ahead, as in
# scripts/anchor_test.sh, so that DAY1 can be closed.
#   scripts/retention_test.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"

FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FAKETIME_LIB" ] || die "libfaketime is missing (scripts/deps.sh installs it)"
CLUSTER=$(mktemp -d /tmp/tenant_guard_retention.XXXXXX)
TSA=$CLUSTER/tsa
trap '[ -n "${TG_KEEP:-}" ] || "$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER"' EXIT
export TG_PORT=$((${TG_PORT:-55432} + 6))
"$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER" >/dev/null
source "$CLUSTER/env"
mkdir -p "$TSA" && "$REPO_ROOT/scripts/tsa.sh" init "$TSA"

err() { psql -qXAt -v VERBOSITY=default "$@" 2>&1 >/dev/null | sed -n 's/^ERROR:  //p' | head -1; }
restart_at() { # restart_at FAKETIME: sessions see the clock moved by that offset
	as_server_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -m fast -w stop >/dev/null
	as_server_user env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$1" \
		"$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w start >/dev/null
}
offset_to() { # offset_to DATE: libfaketime's offset from now to noon UTC of DATE
	echo "$(( ($(date -u -d "$1 12:00" +%s) - $(date -u +%s)) / 86400 ))d"
}

THIS=$(date -u +%Y-%m-01)
M2=$(date -u -d "$THIS -2 months" +%F) M1=$(date -u -d "$THIS -1 month" +%F)
part() { echo "tenant_guard.audit_events_$(date -u -d "$1" +%Y_%m)"; }

say "retention test: events in $M2, $M1 and this month"
restart_at "$(offset_to "$(date -u -d "$M2 +14 days" +%F)")"
q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE ledger (id int PRIMARY KEY, tenant_id text NOT NULL, amount numeric);
SELECT tenant_guard.audit('ledger');
INSERT INTO ledger SELECT g, 't' || (g % 3), g * 1.5 FROM generate_series(1, 12) g;
UPDATE ledger SET amount = amount + 1 WHERE id % 4 = 0;
SQL
wait_sealed || die "events not sealed after 10 s"
restart_at "$(offset_to "$(date -u -d "$M1 +14 days" +%F)")"
q -c "INSERT INTO ledger SELECT g, 't' || (g % 3), g FROM generate_series(13, 20) g" >/dev/null
wait_sealed || die "events not sealed after 10 s"
restart_at "+2d"
q -c "INSERT INTO ledger SELECT g, 't' || (g % 3), g FROM generate_series(21, 26) g" >/dev/null
wait_sealed || die "events not sealed after 10 s"
check "events of three months in their partitions" "$(part "$M2")|15 $(part "$M1")|8" \
	"$(q -c "SELECT string_agg(p || '|' || n, ' ' ORDER BY p) FROM (SELECT tableoid::regclass::text p, count(*) n
	         FROM tenant_guard.audit_events WHERE occurred_at < '$THIS' GROUP BY 1) x")"
check "the parent itself holds nothing" "0" "$(q -c "SELECT count(*) FROM ONLY tenant_guard.audit_events")"
check "the trail verifies across partitions" "0" "$(q -c "SELECT count(*) FROM tenant_guard.verify_audit()")"
DAY1=$(q -c "SELECT (max(sealed_at) AT TIME ZONE 'UTC')::date FROM tenant_guard.audit_passes")
DAY2=$(q -c "SELECT '$DAY1'::date + 1")

say "retention test: what audit_prune() refuses"
# A prune holds its months while it checks (a verify_audit() of the whole trail among
# it): sealing must go on meanwhile. This one waits at audit_anchors, which another
# session holds for 8 s, after it has locked its months; a new event must be sealed
# while the prune still waits there.
q -c "BEGIN" -c "LOCK TABLE tenant_guard.audit_anchors IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(8)" \
	-c "COMMIT" >/dev/null &
holder=$!
sleep 0.5
err -c "SELECT * FROM tenant_guard.audit_prune('$M1')" >"$CLUSTER/prune_held.out" &
pruner=$!
prune_waits="SELECT count(*) FROM pg_locks WHERE relation = 'tenant_guard.audit_anchors'::regclass AND NOT granted"
for _ in $(seq 30); do
	[ "$(q -c "$prune_waits")" = 1 ] && break
	sleep 0.1
done
q -c "INSERT INTO ledger VALUES (900, 't1', 0)" >/dev/null
held_seq=$(q -c "SELECT seq FROM tenant_guard.audit_events WHERE new_row->>'id' = '900'")
seen=""
for _ in $(seq 40); do # sealed, and the prune still waiting, in one snapshot
	seen=$(q -c "SELECT EXISTS (SELECT FROM tenant_guard.audit_blocks WHERE $held_seq = ANY (event_seqs)) || ',' || ($prune_waits)")
	[ "$seen" = "true,1" ] || [ "${seen#*,}" = 0 ] && break
	sleep 0.1
done
check "sealing goes on while a prune holds its months" "true,1" "$seen"
wait "$holder"
wait "$pruner" || true # err's psql failed, as it must: the refusal is checked below
check "nothing closed yet" "no closed and time-stamped audit day to prune the audit events before $M1 up to" \
	"$(cat "$CLUSTER/prune_held.out")"
head1=$(q -c "SELECT encode(tenant_guard.close_audit_day('$DAY1'), 'hex')")
check "a closed day is not enough without its time-stamp" \
	"no closed and time-stamped audit day to prune the audit events before $M1 up to" \
	"$(err -c "SELECT * FROM tenant_guard.audit_prune('$M1')")"
q -c "SELECT encode(tenant_guard.anchor_request('$DAY1'), 'base64')" | base64 -d >"$TSA/day1.tsq"
"$REPO_ROOT/scripts/tsa.sh" reply "$TSA" "$TSA/day1.tsq" "$TSA/day1.tsr"
q -c "SELECT tenant_guard.anchor_store('$DAY1', decode('$(base64 -w0 "$TSA/day1.tsr")', 'base64'))" >/dev/null
LATER=$(date -u -d "$THIS +2 months" +%F)
check "months after the anchored day" "audit events before $LATER are not all in a closed day" \
	"$(err -c "SELECT * FROM tenant_guard.audit_prune('$LATER')")"
check "whole months only" "before must be the first day of a month, not $(date -u -d "$M1 +1 day" +%F)" \
	"$(err -c "SELECT * FROM tenant_guard.audit_prune('$(date -u -d "$M1 +1 day" +%F)')")"
check "a trail that does not verify is not pruned" "the audit trail does not verify" "$(err <<SQL
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE tenant_guard.audit_events SET new_row = '{"id": 1, "amount": 0, "tenant_id": "t1"}' WHERE seq = 1;
SET LOCAL session_replication_role = origin;
SELECT * FROM tenant_guard.audit_prune('$M1');
SQL
)"
check "not while triggers are bypassed" "audit_prune() refuses to run with session_replication_role = replica" \
	"$(err -c "SET session_replication_role = replica" -c "SELECT * FROM tenant_guard.audit_prune('$M1')")"
check "not while an append-only trigger is disabled" "the append-only trigger of $(part "$M2") is not enabled" "$(err <<SQL
BEGIN;
ALTER TABLE $(part "$M2") DISABLE TRIGGER tenant_guard_append_only;
SELECT * FROM tenant_guard.audit_prune('$M1');
SQL
)"
q -c "CREATE ROLE rt_app LOGIN" >/dev/null
check "only the owner or tenant_guard_retention" "permission denied for function audit_prune" \
	"$(err -U rt_app -c "SELECT * FROM tenant_guard.audit_prune('$M1')")"
# A straggler: an event of M1 sealed after DAY1 was closed, so M1 is not in DAY1's log.
restart_at "$(offset_to "$(date -u -d "$M1 +20 days" +%F)")"
q -c "INSERT INTO ledger VALUES (27, 't1', 27)" >/dev/null
wait_sealed || die "events not sealed after 10 s"
restart_at "+2d"
straggler=$(q -c "SELECT seq FROM tenant_guard.audit_events WHERE new_row->>'id' = '27'")
check "a month with an event sealed after the day" "audit event $straggler of $(part "$M1") is not in the log of $DAY1" \
	"$(err -c "SELECT * FROM tenant_guard.audit_prune('$THIS')")"
check "refusals left everything in place" "0|0|3" \
	"$(q -c "SELECT (SELECT count(*) FROM tenant_guard.audit_checkpoints), (SELECT count(*) FROM tenant_guard.verify_audit()),
	                (SELECT count(*) FROM pg_inherits WHERE inhparent = 'tenant_guard.audit_events'::regclass
	                   AND inhrelid::regclass::text <= '$(part "$THIS")')")"

say "retention test: pruning $M2"
root2=$(q -c "SELECT encode(tenant_guard.audit_root('$DAY2'), 'hex')")
chain2=$(q -c "SELECT encode(tenant_guard.audit_root('$DAY2', 'tenant:t1'), 'hex')")
# A VACUUM (or autovacuum) of a month that stays holds SHARE UPDATE EXCLUSIVE on
# its partition: the prune must not wait for it while it holds the parent's lock,
# with close_audit_day() waiting behind it. The "VACUUM" holds its lock for 8 s, and
# must still hold it when the prune is done. (Not by lock_timeout: the timers of
# a server under libfaketime do not fire.)
vacuum_holds="SELECT count(*) FROM pg_locks WHERE relation = '$(part "$M1")'::regclass
	AND mode = 'ShareUpdateExclusiveLock' AND granted"
hold_lock "$(part "$M1")" "SHARE UPDATE EXCLUSIVE" 8
check "audit_prune drops the month and names its checkpoint" "1|$(part "$M2")|15" \
	"$(q -c "SELECT checkpoint_no || '|' || partition || '|' || events FROM tenant_guard.audit_prune('$M1')")"
check "without waiting for a VACUUM of another month" "1" "$(q -c "$vacuum_holds")"
wait "$holder"
check "the partition is gone" "" "$(q -c "SELECT to_regclass('$(part "$M2")')")"
check "the checkpoint records the day, its head and its time-stamp" "$DAY1|$head1|true|15|{$(part "$M2")}" \
	"$(q -c "SELECT day || '|' || encode(tree_head, 'hex') || '|' || (anchor_serial IS NOT NULL) || '|' || events || '|' || partitions::text
	         FROM tenant_guard.audit_checkpoints")"
check "one checkpoint row per chain" "tenant:t0|5 tenant:t1|5 tenant:t2|5" \
	"$(q -c "SELECT string_agg(chain_id || '|' || events, ' ' ORDER BY chain_id) FROM tenant_guard.audit_checkpoint_chains")"
check "verify_audit reports the prune, once per chain, and nothing else" \
	"tenant:t0|pruned by policy tenant:t1|pruned by policy tenant:t2|pruned by policy" \
	"$(q -c "SELECT string_agg(chain_id || '|' || problem, ' ' ORDER BY chain_id) FROM tenant_guard.verify_audit()")"
check "its detail names the range and the checkpoint" "t" \
	"$(q -c "SELECT detail LIKE '5 events of blocks up to % were dropped by audit_prune() at %: every event before $M1, checkpoint 1 at the closed day $DAY1, time-stamped %' FROM tenant_guard.verify_audit('tenant:t1')")"
check "the open day's head is the same after pruning" "$root2" "$(q -c "SELECT encode(tenant_guard.audit_root('$DAY2'), 'hex')")"
check "and a chain's own head" "$chain2" "$(q -c "SELECT encode(tenant_guard.audit_root('$DAY2', 'tenant:t1'), 'hex')")"
check "the checkpoint day's head is its recorded one" "$head1" "$(q -c "SELECT encode(tenant_guard.audit_root('$DAY1'), 'hex')")"
ca=$(cat "$TSA/ca.pem")
check "its anchor still verifies" "" "$(q -v ca="$ca" <<<"SELECT problem FROM tenant_guard.verify_anchor('$DAY1', :'ca')")"
check "closing a later day extends the pruned tree" "$root2" "$(q -c "SELECT encode(tenant_guard.close_audit_day('$DAY2'), 'hex')")"
q -c "SELECT encode(tenant_guard.anchor_request('$DAY2'), 'base64')" | base64 -d >"$TSA/day2.tsq"
"$REPO_ROOT/scripts/tsa.sh" reply "$TSA" "$TSA/day2.tsq" "$TSA/day2.tsr"
q -c "SELECT tenant_guard.anchor_store('$DAY2', decode('$(base64 -w0 "$TSA/day2.tsr")', 'base64'))" >/dev/null
[ -x "$REPO_ROOT/build/tenant-audit" ] || die "build/tenant-audit is missing (make test builds it first)"
"$REPO_ROOT/build/tenant-audit" export --dsn "dbname=postgres" "$CLUSTER/export" >/dev/null
verify_out=$("$REPO_ROOT/build/tenant-audit" verify "$CLUSTER/export" --ca "$TSA/ca.pem" --no-progress; echo "exit $?")
check "an export after pruning verifies offline from the checkpoint" "exit 0" "$(tail -1 <<<"$verify_out")"
check "and says what was pruned" "pruned by policy: retention checkpoint 1 dropped 15 events before $M1" \
	"$(grep -o "^pruned by policy: retention checkpoint 1 dropped 15 events before [0-9-]*" <<<"$verify_out")"
awk '$1 == "K" { $7 = (substr($7, 1, 1) == "f" ? "0" : "f") substr($7, 2) } { print }' \
	"$CLUSTER/export/checkpoint.tsv" >"$CLUSTER/forged.tsv" && mv "$CLUSTER/forged.tsv" "$CLUSTER/export/checkpoint.tsv"
verify_out=$("$REPO_ROOT/build/tenant-audit" verify "$CLUSTER/export" --ca "$TSA/ca.pem" --no-progress; echo "exit $?")
check "a forged frontier does not match the anchored head" "PROBLEM day $DAY1: the log up to pass" \
	"$(grep -o "^PROBLEM day $DAY1: the log up to pass" <<<"$verify_out")"
check "and fails the verification" "exit 1" "$(tail -1 <<<"$verify_out")"
{ grep '^K ' "$CLUSTER/export/checkpoint.tsv"; cat "$CLUSTER/export/checkpoint.tsv"; } >"$CLUSTER/forged.tsv"
mv "$CLUSTER/forged.tsv" "$CLUSTER/export/checkpoint.tsv"
verify_out=$("$REPO_ROOT/build/tenant-audit" verify "$CLUSTER/export" --ca "$TSA/ca.pem" --no-progress 2>&1; echo "exit $?")
check "a second checkpoint line is refused, not read over the first" "checkpoint.tsv: the checkpoint line must come first, and once" \
	"$(grep -o "checkpoint.tsv: the checkpoint line must come first, and once" <<<"$verify_out")"
# A checkpoint at the last pass number bigint has: the log could not go on from it
# (adding one wrapped to -2^63, and the first pass was called missing as that).
awk '$1 == "K" && !k++ { $4 = "9223372036854775807" } $1 != "K" || k == 1 { print }' \
	"$CLUSTER/export/checkpoint.tsv" >"$CLUSTER/forged.tsv" && mv "$CLUSTER/forged.tsv" "$CLUSTER/export/checkpoint.tsv"
verify_out=$("$REPO_ROOT/build/tenant-audit" verify "$CLUSTER/export" --ca "$TSA/ca.pem" --no-progress 2>&1; echo "exit $?")
check "a checkpoint at pass INT64_MAX is refused" "checkpoint.tsv: the checkpoint's pass 9223372036854775807 leaves no pass to follow it" \
	"$(grep -o "checkpoint.tsv: the checkpoint's pass 9223372036854775807 leaves no pass to follow it" <<<"$verify_out")"
check "proofs need the pruned leaves" "the audit log before retention checkpoint 1 was pruned" \
	"$(err -c "SELECT * FROM tenant_guard.audit_proof('tenant:t1', $straggler)")"
check "so do consistency proofs" "the audit log before retention checkpoint 1 was pruned" \
	"$(err -c "SELECT * FROM tenant_guard.audit_consistency('$DAY1', '$DAY2')")"
check "a pruned month is pruned once" "audit events before $M1 are already pruned" \
	"$(err -c "SELECT * FROM tenant_guard.audit_prune('$M1')")"
check "and never comes back" "audit month $(date -u -d "$M2" +%Y-%m) is before the retention checkpoint" \
	"$(err -c "SELECT * FROM tenant_guard.audit_create_partitions('$M2', 1)")"
check "checkpoints are append-only" "UPDATE on tenant_guard.audit_checkpoints is refused" \
	"$(err -c "UPDATE tenant_guard.audit_checkpoints SET events = 0")"

say "retention test: tampering after pruning"
check "an edited event is still caught" "row hash mismatch" "$(q <<SQL
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE tenant_guard.audit_events SET new_row = '{"id": 13, "amount": 0, "tenant_id": "t1"}' WHERE new_row->>'id' = '13';
SELECT problem FROM tenant_guard.verify_audit() WHERE problem <> 'pruned by policy';
ROLLBACK;
SQL
)"
check "a checkpoint widened to cover a deleted event is not believed" "event missing" "$(q <<SQL
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE tenant_guard.audit_checkpoints SET pruned_seqs = pruned_seqs + int8multirange(int8range($straggler, $straggler, '[]'));
DELETE FROM tenant_guard.audit_events WHERE seq = $straggler;
SELECT problem FROM tenant_guard.verify_audit() WHERE problem <> 'pruned by policy';
ROLLBACK;
SQL
)"
check "a month dropped by hand is missing, not pruned" "event missing|9" "$(q <<SQL
BEGIN;
ALTER EXTENSION tenant_guard DROP TABLE $(part "$M1");
ALTER TABLE tenant_guard.audit_events DETACH PARTITION $(part "$M1");
DROP TABLE $(part "$M1");
SELECT problem || '|' || count(*) FROM tenant_guard.verify_audit() WHERE problem <> 'pruned by policy' GROUP BY problem;
ROLLBACK;
SQL
)"
check "undone, only the prune is reported" "3" "$(q -c "SELECT count(*) FROM tenant_guard.verify_audit() WHERE problem = 'pruned by policy'")"

say "retention test: a month without partition"
restart_at "+100d"
check "the capture refuses an event no partition holds" \
	"no partition of \"tenant_guard.audit_events\" holds events of $(date -u -d "+100 days" +%Y-%m)" \
	"$(err -c "INSERT INTO ledger VALUES (28, 't1', 28)")"
check "audit_create_partitions() makes it" "t" \
	"$(q -c "SELECT count(*) >= 1 FROM tenant_guard.audit_create_partitions()")"
q -c "INSERT INTO ledger VALUES (28, 't1', 28)" >/dev/null
check "and the event goes there" "tenant_guard.audit_events_$(date -u -d "+100 days" +%Y_%m)" \
	"$(q -c "SELECT tableoid::regclass FROM tenant_guard.audit_events WHERE new_row->>'id' = '28'")"

say "retention test: two callers making the same months at once"
# The first holds its new partitions uncommitted; the second waits for it and
# then finds them, instead of failing on a table name taken meanwhile.
mkfifo "$CLUSTER/first.fifo"
psql -qXAt <"$CLUSTER/first.fifo" >"$CLUSTER/first.out" 2>&1 &
first=$!
exec {first_fd}>"$CLUSTER/first.fifo"
echo "BEGIN; SELECT count(*) FROM tenant_guard.audit_create_partitions('2041-01-01', 2);" >&$first_fd
for _ in $(seq 100); do
	[ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'
		AND query LIKE '%audit_create_partitions(''2041-01-01''%'")" = 1 ] && break
	sleep 0.1
done
q -c "SELECT count(*) FROM tenant_guard.audit_create_partitions('2041-01-01', 2)" >"$CLUSTER/second.out" 2>&1 &
second=$!
sleep 1
echo "COMMIT;" >&$first_fd
exec {first_fd}>&-
wait $first
wait $second || true
check "the first caller made both months" "2" "$(head -1 "$CLUSTER/first.out")"
check "the second waited, then made none and failed not" "0" "$(cat "$CLUSTER/second.out")"

checks_done
