#!/usr/bin/env bash
# The sealer's read of the last seq handed out, against nextval() in flight
# (part of make test where gdb can attach to the server's processes; it says
# "skipped" otherwise). On a cluster of its own:
#
# nextval() writes the value it WAL-logs ahead (up to 32 more) into the
# sequence's tuple while it inserts its WAL record, under the buffer lock; a
# plain SELECT from the sequence reads the tuple after releasing that lock. A
# sealer that read the last seq that way could record a high watermark above
# seqs not yet handed out, and the events that took them later were never
# scanned: committed, but "event outside the chain" for verify_audit(). Under
# load that happened about once in four benchmark runs (17 and 18 events); here
# gdb holds the two processes at the two points that make it happen every time:
# the sealer between the unlock and its read of the tuple (where the code reads
# it so), and a writer inside nextval() with the logged-ahead value in the
# tuple. Then three more events, and every one must be sealed.
#   scripts/sealer_race_test.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"

if ! command -v gdb >/dev/null; then
	say "sealer race: skipped (gdb is not installed)"
	exit 0
fi

CLUSTER=$(mktemp -d /tmp/tenant_guard_race.XXXXXX)
WORK=$(mktemp -d /tmp/tenant_guard_race_work.XXXXXX)
[ "$(id -u)" -eq 0 ] && chmod 755 "$WORK"
cleanup() {
	[ -z "${writer_fd:-}" ] || exec {writer_fd}>&-
	for pid in ${gdb_pids:-}; do kill "$pid" 2>/dev/null || true; done
	"$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
"$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER" >/dev/null
source "$CLUSTER/env"
export PGOPTIONS="-c client_min_messages=warning"

q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE race (id bigserial, tenant_id int NOT NULL, note text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('race');
SQL
insert() { q -c "INSERT INTO race (tenant_id, note) VALUES (1, '$1')"; }
last_seq="SELECT coalesce(pg_sequence_last_value('tenant_guard.audit_event_seq'), 0)"
seq_oid=$(q -c "SELECT 'tenant_guard.audit_event_seq'::regclass::oid")

# gdb_hold PID FLAG BREAKPOINT: attaches to PID; when BREAKPOINT is hit, creates
# FLAG and holds the process there until FLAG.go exists; then detaches. Sets
# held_by to gdb's pid.
gdb_hold() {
	cat >"$WORK/$2.gdb" <<GDB
set pagination off
break $3
commands 1
  shell touch $WORK/$2
  shell while [ ! -f $WORK/$2.go ]; do sleep 0.05; done
end
continue
delete
detach
GDB
	gdb -q -batch -p "$1" -x "$WORK/$2.gdb" >"$WORK/$2.log" 2>&1 &
	held_by=$!
	gdb_pids="${gdb_pids:-} $held_by"
}
wait_file() { # wait_file PATH SECONDS
	for _ in $(seq $(($2 * 20))); do
		[ -f "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

say "sealer race: the last seq read while nextval() logs ahead"
insert wake
sealer=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'tenant_guard audit sealer'")
[ -n "$sealer" ] || die "no sealer is running"
# Where the sealer reads the sequence's tuple from a slot (tts_tableOid, at byte
# 56 of a TupleTableSlot on x86-64): only a plain SELECT from the sequence does.
gdb_hold "$sealer" sealer "slot_getsomeattrs_int if *(unsigned int *)((char *)\$rdi + 56) == $seq_oid"
sealer_gdb=$held_by
# It reads the last seq every pass (200 ms), and exits after 2 s with nothing to seal.
if wait_file "$WORK/sealer" 1; then
	echo "the sealer was stopped after releasing the sequence's buffer lock, before reading its tuple"
else
	kill -INT "$sealer_gdb" 2>/dev/null || true
	wait "$sealer_gdb" || true
	echo "the sealer never reads the sequence's tuple after releasing its buffer lock"
fi
if grep -q "ptrace: Operation not permitted" "$WORK/sealer.log"; then
	say "sealer race: skipped (gdb may not attach to the server's processes here)"
	exit 0
fi

# setval() logs nothing ahead: the writer's nextval() is the one that logs.
q -c "SELECT setval('tenant_guard.audit_event_seq', ($last_seq))" >/dev/null
mkfifo "$WORK/writer.in"
q <"$WORK/writer.in" >"$WORK/writer.out" 2>&1 &
exec {writer_fd}>"$WORK/writer.in"
echo "SELECT pg_backend_pid();" >&"$writer_fd"
wait_for_output() { for _ in $(seq 100); do [ -s "$WORK/writer.out" ] && return 0; sleep 0.05; done; return 1; }
wait_for_output || die "the writer's session did not start"
writer=$(head -1 "$WORK/writer.out")
# XLogInsert(RM_SEQ_ID = 15, ...): nextval() with the logged-ahead value in the tuple.
gdb_hold "$writer" writer "XLogInsert if \$rdi == 15"
sleep 1 # gdb attached and the breakpoint set
echo "INSERT INTO race (tenant_id, note) VALUES (1, 'writer');" >&"$writer_fd"
wait_file "$WORK/writer" 10 && stopped=t || stopped=f
check "a writer is held inside nextval() while it logs ahead" t "$stopped"

touch "$WORK/sealer.go"
sleep 1 # the sealer reads the last seq now, or waits for the writer's buffer lock
echo "the sealer meanwhile: $(q -c "SELECT coalesce(wait_event_type || ' ' || wait_event, 'not waiting')
	FROM pg_stat_activity WHERE pid = $sealer")"
touch "$WORK/writer.go"
# At once, before the sealer's next pass: seqs the logged-ahead value covers.
q -c "INSERT INTO race (tenant_id, note) VALUES (1, 'after 1')" \
	-c "INSERT INTO race (tenant_id, note) VALUES (1, 'after 2')" \
	-c "INSERT INTO race (tenant_id, note) VALUES (1, 'after 3')" >/dev/null
exec {writer_fd}>&-
writer_fd=
wait

wait_sealed || true # the checks below say what is missing
check "no pass has a high watermark above the last seq handed out" 0 \
	"$(q -c "SELECT count(*) FROM tenant_guard.audit_passes WHERE high_watermark > ($last_seq)")"
check "every event is sealed exactly once" 0 \
	"$(q -c "SELECT count(*) FROM tenant_guard.audit_events e FULL JOIN (SELECT s, count(*) AS n
		FROM tenant_guard.audit_blocks, unnest(event_seqs) s GROUP BY s) b ON b.s = e.seq
		WHERE b.n IS DISTINCT FROM 1 OR e.seq IS NULL")"
check "verify_audit() finds nothing" "" \
	"$(q -c "SELECT string_agg(seq || ' ' || problem, ', ') FROM tenant_guard.verify_audit()")"
checks_done
