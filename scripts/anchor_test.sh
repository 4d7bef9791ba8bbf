#!/usr/bin/env bash
# Anchoring test (part of make test): tree heads of closed days, inclusion and
# consistency proofs, RFC 3161 time-stamps from a local authority made with
# `openssl ts` (scripts/tsa.sh), and verify_anchor() catching a rewritten
# chain and a token checked against another CA.
# Days: the server runs under libfaketime two days ahead, so that its
# sessions (which close days) see the sealing day over. The sealing worker
# keeps the real clock (libfaketime does not reach the postmaster's later
# children), so DAY1 is the real day the first events are sealed on; it is
# closed, more events are sealed, and DAY2 (the day after) then holds them:
# a closed day keeps the extent it was closed with.
#   scripts/anchor_test.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"

FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FAKETIME_LIB" ] || die "libfaketime is missing (scripts/deps.sh installs it)"
CLUSTER=$(mktemp -d /tmp/tenant_guard_anchor.XXXXXX)
TSA=$CLUSTER/tsa
trap '[ -f "$TSA/http.pid" ] && kill "$(cat "$TSA/http.pid")" 2>/dev/null; [ -n "${TG_KEEP:-}" ] || "$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER"' EXIT
export TG_PORT=$((${TG_PORT:-55432} + 3))
"$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER" >/dev/null
source "$CLUSTER/env"
mkdir -p "$TSA" && "$REPO_ROOT/scripts/tsa.sh" init "$TSA"

as_server_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -m fast -w stop >/dev/null
as_server_user env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="+2d" \
	"$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w start >/dev/null

say "anchoring test: events sealed on two days"
q >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE ledger (id int PRIMARY KEY, tenant_id text NOT NULL, amount numeric);
SELECT tenant_guard.audit('ledger');
INSERT INTO ledger SELECT g, 't' || (g % 3), g * 1.5 FROM generate_series(1, 20) g;
UPDATE ledger SET amount = amount + 1 WHERE id % 4 = 0;
SQL
wait_sealed || die "events not sealed after 10 s"
q -c "INSERT INTO ledger SELECT g, 't' || (g % 3), g FROM generate_series(21, 25) g" >/dev/null
wait_sealed || die "events not sealed after 10 s"
DAY1=$(q -c "SELECT (max(sealed_at) AT TIME ZONE 'UTC')::date FROM tenant_guard.audit_passes")
DAY2=$(q -c "SELECT '$DAY1'::date + 1")
TODAY=$(q -c "SELECT (now() AT TIME ZONE 'UTC')::date")
[ "$TODAY" \> "$DAY2" ] || die "libfaketime: sessions must run after $DAY2 (they run on $TODAY)"
head1=$(q -c "SELECT encode(tenant_guard.close_audit_day('$DAY1'), 'hex')")
q -c "INSERT INTO ledger SELECT g, 't' || (g % 3), g FROM generate_series(26, 40) g" >/dev/null
q -c "DELETE FROM ledger WHERE id = 7" >/dev/null
wait_sealed || die "events not sealed after 10 s"

err() { psql -qXAt -v VERBOSITY=default "$@" 2>&1 >/dev/null | sed -n 's/^ERROR:  //p' | head -1; }

check "today is not over" "audit day $TODAY is not over" \
	"$(err -c "SELECT tenant_guard.close_audit_day((now() AT TIME ZONE 'UTC')::date)")"
check "a day not closed has no request" "audit day $DAY2 is not closed" "$(err -c "SELECT tenant_guard.anchor_request('$DAY2')")"

# Closing a day starts from the previous closed day's recorded frontier and
# reads only the events sealed since: a frontier that no longer gives its
# day's head is refused, and a day-1 event deleted behind the triggers
# neither stops nor changes day 2's close (verify_anchor and verify_audit
# report it; before the frontiers, the close re-read the whole log and
# failed on it, so one deleted event stopped all later anchoring).
check "each closed day records its frontier, one hash per 1 bit of its size" "30|4" \
	"$(q -c "SELECT tree_size || '|' || cardinality(frontier) FROM tenant_guard.audit_anchors WHERE day = '$DAY1'")"
frontier1=$(q -c "SELECT frontier::text FROM tenant_guard.audit_anchors WHERE day = '$DAY1'")
q >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE tenant_guard.audit_anchors SET frontier[4] = sha256('forged') WHERE day = '$DAY1';
SQL
check "a frontier that does not give its day's head is refused" \
	"the frontier recorded for audit day $DAY1 does not give its tree head" \
	"$(err -c "SELECT tenant_guard.close_audit_day('$DAY2')")"
check "and nothing was closed" "0" "$(q -c "SELECT count(*) FROM tenant_guard.audit_anchors WHERE day = '$DAY2'")"
check "verify_anchor reports the changed frontier" "frontier changed" \
	"$(q -c "SELECT problem FROM tenant_guard.verify_anchor('$DAY1', '') WHERE problem LIKE 'frontier%'")"
# The extent a later close resumes from is checked against the blocks too
# (the time-stamp covers only the head): a forged last pass or tree size,
# even with a frontier whose root is still the head, is refused.
q >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE tenant_guard.audit_anchors SET frontier = '$frontier1' WHERE day = '$DAY1';
SQL
refused_with() { # refused_with NAME SET-CLAUSE EXPECTED-ERROR: forge day 1's row, try day 2, restore
	q >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE tenant_guard.audit_anchors SET $2 WHERE day = '$DAY1';
SQL
	check "$1" "$3" "$(err -c "SELECT tenant_guard.close_audit_day('$DAY2')")"
	q >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE tenant_guard.audit_anchors SET last_pass = $pass1, tree_size = 30, frontier = '$frontier1' WHERE day = '$DAY1';
SQL
}
pass1=$(q -c "SELECT last_pass FROM tenant_guard.audit_anchors WHERE day = '$DAY1'")
extent="the extent recorded for audit day $DAY1 does not match its passes"
broken="audit day $DAY1 has a broken frontier"
refused_with "a forged last pass is refused" "last_pass = last_pass - 1" "$extent"
refused_with "a forged tree size, the frontier merged to keep the head, is refused" \
	"tree_size = 16, frontier = ARRAY[tree_head]" "$extent"
refused_with "a NULL element in the frontier is refused" "frontier = frontier || NULL::bytea" "$broken"
refused_with "two hashes in one element are refused" "frontier = ARRAY[frontier[1] || frontier[2]] || frontier[3:4]" "$broken"
refused_with "a 33-byte element is refused" "frontier[4] = frontier[4] || '\\x00'::bytea" "$broken"
refused_with "a negative tree size is refused" "tree_size = -2" "$broken"
check "after every refusal nothing was closed" "0" "$(q -c "SELECT count(*) FROM tenant_guard.audit_anchors WHERE day = '$DAY2'")"
q >/dev/null <<SQL
SET session_replication_role = replica;
UPDATE tenant_guard.audit_anchors SET frontier = '$frontier1' WHERE day = '$DAY1';
CREATE TABLE saved_event AS SELECT * FROM tenant_guard.audit_events ORDER BY seq LIMIT 1;
DELETE FROM tenant_guard.audit_events WHERE seq = (SELECT seq FROM saved_event);
SQL
head2=$(q -c "SELECT encode(tenant_guard.close_audit_day('$DAY2'), 'hex')")
check "a day-1 event deleted: day 2 still closes" "1" \
	"$(q -c "SELECT count(*) FROM tenant_guard.audit_anchors WHERE day = '$DAY2'")"
check "and verify_anchor of day 1 names the deleted event" "event missing" \
	"$(q -c "SELECT problem FROM tenant_guard.verify_anchor('$DAY1', '') WHERE problem = 'event missing'")"
q >/dev/null <<'SQL'
SET session_replication_role = replica;
INSERT INTO tenant_guard.audit_events SELECT * FROM saved_event;
DROP TABLE saved_event;
SQL
check "restored, day 1's head and frontier verify again" "not anchored" \
	"$(q -c "SELECT string_agg(problem, ',') FROM tenant_guard.verify_anchor('$DAY1', '')")"
check "closing twice returns the recorded head" "$head1" "$(q -c "SELECT encode(tenant_guard.close_audit_day('$DAY1'), 'hex')")"
check "tree sizes of the two days" "30|46" "$(q -c "SELECT string_agg(tree_size::text, '|' ORDER BY day) FROM tenant_guard.audit_anchors")"
check "audit_root recomputes the stored head" "$head1" "$(q -c "SELECT encode(tenant_guard.audit_root('$DAY1'), 'hex')")"
check "the head is independent of TimeZone and bytea_output" "$head2" \
	"$(PGOPTIONS='-c TimeZone=Pacific/Kiritimati -c bytea_output=escape' q -c "SELECT encode(tenant_guard.audit_root('$DAY2'), 'hex')")"
check "a chain's own root differs" "t" "$(q -c "SELECT tenant_guard.audit_root('$DAY1', 'tenant:t1') <> tenant_guard.audit_root('$DAY1')")"
check "a day before any event is the empty tree" "$(printf '' | sha256sum | cut -c1-64)" \
	"$(q -c "SELECT encode(tenant_guard.audit_root('$DAY1'::date - 1), 'hex')")"
check "closed anchors are append-only" "UPDATE on tenant_guard.audit_anchors is refused" \
	"$(err -c "UPDATE tenant_guard.audit_anchors SET tree_size = 0")"
check "nobody inserts anchors by hand" "INSERT on tenant_guard.audit_anchors is refused" \
	"$(err -c "INSERT INTO tenant_guard.audit_anchors VALUES ('2026-01-01', 0, 0, '\\x00', '{}', now())")"

# Proofs: shapes here; tenant-audit verify checks them cryptographically (below).
check "inclusion proof of a day-1 event against its own day" "$DAY1|30|27|5" \
	"$(q -c "SELECT day, tree_size, leaf_index, cardinality(path) FROM tenant_guard.audit_proof('tenant:t1', (SELECT min(seq) FROM tenant_guard.audit_events WHERE chain_id = 'tenant:t1' AND new_row->>'id' = '22'))")"
check "the proof's head is the day's head" "$head2" \
	"$(q -c "SELECT encode(tree_head, 'hex') FROM tenant_guard.audit_proof('tenant:t0', 3, '$DAY2')")"
check "an event of day 2 is not in day 1's log" "audit event 32 of chain tenant:t0 is not in the log of $DAY1" \
	"$(err -c "SELECT * FROM tenant_guard.audit_proof('tenant:t0', (SELECT max(seq) FROM tenant_guard.audit_events WHERE chain_id = 'tenant:t0' AND new_row->>'id' = '27'), '$DAY1')")"
check "an event of another chain" "audit event 3 of chain tenant:t1 is not sealed" "$(err -c "SELECT * FROM tenant_guard.audit_proof('tenant:t1', 3)")"
check "consistency proof day 1 -> day 2" "30|46|$head1|$head2" \
	"$(q -c "SELECT first_size, second_size, encode(first_head, 'hex'), encode(second_head, 'hex') FROM tenant_guard.audit_consistency('$DAY1', '$DAY2')")"
check "first > second is refused" "from_day $DAY2 is later than to_day $DAY1" "$(err -c "SELECT * FROM tenant_guard.audit_consistency('$DAY2', '$DAY1')")"

say "anchoring test: RFC 3161 time-stamps from a local authority"
q -c "SELECT encode(tenant_guard.anchor_request('$DAY1'), 'base64')" | base64 -d >"$TSA/day1.tsq"
check "the request is what openssl ts reads" "yes" \
	"$(openssl ts -query -in "$TSA/day1.tsq" -text 2>/dev/null | sed -n 's/^Certificate required: //p')"
check "the request's imprint is the head" "$head1" \
	"$(openssl ts -query -in "$TSA/day1.tsq" -text 2>/dev/null | sed -n '/Message data:/,/Policy/p' | grep -E '^ +[0-9a-f]{4} - ' | sed 's/^ *[0-9a-f]* - //; s/  .*//' | tr -d ' -' | tr -d '\n')"
"$REPO_ROOT/scripts/tsa.sh" reply "$TSA" "$TSA/day1.tsq" "$TSA/day1.tsr"
resp1=$(base64 -w0 "$TSA/day1.tsr")
check "no request for day 2 yet" "no time-stamp request for audit day $DAY2" \
	"$(err -c "SELECT tenant_guard.anchor_store('$DAY2', decode('$resp1', 'base64'))")"
q -c "SELECT tenant_guard.anchor_request('$DAY2')" >/dev/null
check "day 1's response does not anchor day 2" "time-stamp response for audit day $DAY2 is refused" \
	"$(err -c "SELECT tenant_guard.anchor_store('$DAY2', decode('$resp1', 'base64'))")"
check "a refusal is refused" "time-stamp response for audit day $DAY1 is refused" \
	"$(err -c "SELECT tenant_guard.anchor_store('$DAY1', '\\x30053003020102'::bytea)")"
check "garbage is refused" "time-stamp response for audit day $DAY1 is refused" \
	"$(err -c "SELECT tenant_guard.anchor_store('$DAY1', '\\x300530030201'::bytea)")"
check "the granted response is stored" "t" "$(q -c "SELECT tenant_guard.anchor_store('$DAY1', decode('$resp1', 'base64')) LIKE '2%Z'")"
check "a day is anchored once" "audit day $DAY1 is already anchored" \
	"$(err -c "SELECT tenant_guard.anchor_store('$DAY1', decode('$resp1', 'base64'))")"
ca=$(cat "$TSA/ca.pem") other=$(cat "$TSA/other/ca.pem")
check "the anchor verifies against the TSA's CA" "" "$(q -v ca="$ca" <<<"SELECT problem FROM tenant_guard.verify_anchor('$DAY1', :'ca')")"
check "the token of another CA does not" "token does not verify" \
	"$(q -v ca="$other" <<<"SELECT problem FROM tenant_guard.verify_anchor('$DAY1', :'ca')")"
check "a day without token" "not anchored" "$(q -v ca="$ca" <<<"SELECT problem FROM tenant_guard.verify_anchor('$DAY2', :'ca')")"

# A superuser rewrites one event (its row and its row_hash, as a careful forger would)
# after the anchor: verify_anchor sees the log no longer hashes to the anchored head.
check "a chain rewritten after anchoring fails" "tree head changed" "$(q -v ca="$ca" <<SQL
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE tenant_guard.audit_events SET new_row = '{"id": 5, "amount": 0, "tenant_id": "t2"}',
       row_hash = sha256(row_hash) WHERE seq = 5;
SELECT problem FROM tenant_guard.verify_anchor('$DAY1', :'ca');
ROLLBACK;
SQL
)"
check "a deleted event fails" "event missing" "$(q -v ca="$ca" <<SQL
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM tenant_guard.audit_events WHERE seq = 9;
SELECT problem FROM tenant_guard.verify_anchor('$DAY1', :'ca');
ROLLBACK;
SQL
)"
check "a rewritten anchor head fails the token" "token does not verify" "$(q -v ca="$ca" <<SQL
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE tenant_guard.audit_anchors SET tree_head = sha256(tree_head) WHERE day = '$DAY1';
SELECT problem FROM tenant_guard.verify_anchor('$DAY1', :'ca') ORDER BY 1 LIMIT 1;
ROLLBACK;
SQL
)"
check "undone, it verifies again" "" "$(q -v ca="$ca" <<<"SELECT problem FROM tenant_guard.verify_anchor('$DAY1', :'ca')")"
check "the trail itself is intact" "0" "$(q -c "SELECT count(*) FROM tenant_guard.verify_audit()")"

[ -x "$REPO_ROOT/build/tenant-audit" ] || die "build/tenant-audit is missing (make test builds it first)"
source "$REPO_ROOT/scripts/anchor_cli_test.sh"

checks_done
