# tenant-audit round trip (sourced by scripts/anchor_test.sh, which provides
# the cluster, the test authority in $TSA, DAY1/DAY2 and check()): anchor
# through a local HTTP TSA (unreachable, refused, then granted), export,
# verify, and verify again after tampering with the export.
AUDIT=$REPO_ROOT/build/tenant-audit
DSN="host=$PGHOST port=$PGPORT dbname=postgres user=postgres"
TSA_PORT=$((TG_PORT + 2))
"$REPO_ROOT/scripts/tsa.sh" serve "$TSA" "$TSA_PORT"
run() { # run ARGS...: "exit CODE" and the output's lines that name what happened
	local out rc=0
	out=$("$AUDIT" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" >>"$CLUSTER/tenant-audit.log"
	printf 'exit %s\n%s' "$rc" "$out"
}
say "tenant-audit: anchor through a local HTTP TSA on 127.0.0.1:$TSA_PORT"
out=$(run anchor --dsn "$DSN" --tsa "http://127.0.0.1:$TSA_PORT/" --day "$DAY2")
check "anchor stores the token" "exit 0" "$(head -1 <<<"$out")"
check "anchor says what it did" "1" "$(grep -c "^day $DAY2 anchored: time-stamped 2.*Z by http" <<<"$out")"
check "anchor again: already anchored" "day $DAY2 is already anchored" \
	"$(run anchor --dsn "$DSN" --tsa "http://127.0.0.1:$TSA_PORT/" --day "$DAY2" | tail -1)"
check "verify_anchor agrees" "" "$(q -v ca="$(cat "$TSA/ca.pem")" <<<"SELECT problem FROM tenant_guard.verify_anchor('$DAY2', :'ca')")"
DAY0=$(q -c "SELECT '$DAY1'::date - 1")
out=$(run anchor --dsn "$DSN" --tsa "http://127.0.0.1:$((TSA_PORT + 1))/" --day "$DAY0" --retries 1 --wait 0.1)
check "an unreachable TSA: exit 3" "exit 3" "$(head -1 <<<"$out")"
check "an unreachable TSA: retried, then a clear message" "2" "$(grep -c "is unreachable" <<<"$out")"
touch "$TSA/refuse"
out=$(run anchor --dsn "$DSN" --tsa "http://127.0.0.1:$TSA_PORT/" --day "$DAY0")
rm "$TSA/refuse"
check "a refusing TSA: exit 4" "exit 4" "$(head -1 <<<"$out")"
check "a refusing TSA: its status is named" "1" "$(grep -c "refused the request (status rejection)" <<<"$out")"
check "then granted" "exit 0" "$(run anchor --dsn "$DSN" --tsa "http://127.0.0.1:$TSA_PORT/" --day "$DAY0" | head -1)"
kill "$(cat "$TSA/http.pid")" && rm "$TSA/http.pid"

say "tenant-audit: export and verify with no database"
EXPORT=$CLUSTER/export
check "export" "exit 0" "$(run export --dsn "$DSN" "$EXPORT" | head -1)"
out=$(run verify "$EXPORT" --ca "$TSA/ca.pem")
check "the export verifies" "exit 0" "$(head -1 <<<"$out")"
check "what was checked" "checked 46 events, 3 closed days" \
	"$(sed -n 's/^\(checked [0-9]* events\), [0-9]* blocks, [0-9]* passes, \([0-9]* closed days\).*/\1, \2/p' <<<"$out")"
check "proofs were in the export" "1|2" "$(grep -c '^C ' "$EXPORT/proofs.tsv")|$(grep -c '^I ' "$EXPORT/proofs.tsv")"
# The export computes them from the log it streams; the database's own
# audit_consistency() and audit_proof() must give the same lines, hash for hash.
check "the export's proofs are the database's" "$(q <<'SQL' | sort
WITH days AS (
  SELECT day, last_pass, lead(day) OVER (ORDER BY day) AS next_day
    FROM tenant_guard.audit_anchors WHERE tree_size > 0)
SELECT concat_ws(' ', 'C', to_char(d.day, 'YYYY-MM-DD'), to_char(d.next_day, 'YYYY-MM-DD'), c.first_size, c.second_size, encode(c.first_head, 'hex'),
                 encode(c.second_head, 'hex'), coalesce(nullif(array_to_string(ARRAY(
                   SELECT encode(h, 'hex') FROM unnest(c.path) WITH ORDINALITY AS u(h, o) ORDER BY o), ','), ''), '-'))
  FROM days d CROSS JOIN LATERAL tenant_guard.audit_consistency(d.day, d.next_day) c
 WHERE d.next_day IS NOT NULL
UNION ALL
SELECT concat_ws(' ', 'I', to_char(d.day, 'YYYY-MM-DD'), p.tree_size, p.leaf_index, encode(p.row_hash, 'hex'), encode(p.tree_head, 'hex'),
                 coalesce(nullif(array_to_string(ARRAY(
                   SELECT encode(h, 'hex') FROM unnest(p.path) WITH ORDINALITY AS u(h, o) ORDER BY o), ','), ''), '-'))
  FROM days d
 CROSS JOIN LATERAL (SELECT b.chain_id, b.event_seqs[1] AS seq FROM tenant_guard.audit_blocks b
                      WHERE b.pass_no <= d.last_pass ORDER BY b.pass_no DESC, b.chain_id COLLATE "C" LIMIT 1) ev
 CROSS JOIN LATERAL tenant_guard.audit_proof(ev.chain_id, ev.seq, d.day) p
SQL
)" "$(sort "$EXPORT/proofs.tsv")"
out=$(run verify "$EXPORT" --ca "$TSA/other/ca.pem")
check "another CA: exit 1" "exit 1" "$(head -1 <<<"$out")"
check "another CA: every token fails" "3" "$(grep -c "does not verify against this CA" <<<"$out")"
cp -r "$EXPORT" "$EXPORT-edited"
# One byte of one event changed (the last hex digit of its client address or application name).
awk 'BEGIN{done=0} /^E /&&!done&&NR>20{c=substr($3,length($3),1); $3=substr($3,1,length($3)-1) (c=="0"?"1":"0"); done=1} {print}' \
	"$EXPORT/log.tsv" >"$EXPORT-edited/log.tsv"
out=$(run verify "$EXPORT-edited" --ca "$TSA/ca.pem")
check "an edited event: exit 1" "exit 1" "$(head -1 <<<"$out")"
check "an edited event: its block's root" "1" "$(grep -c "its events do not give its Merkle root" <<<"$out")"
check "an edited event: both days' heads" "2" "$(grep -c "does not hash to the day's tree head" <<<"$out")"
awk 'BEGIN{done=0} /^E /&&!done&&NR>20{done=1; next} {print}' "$EXPORT/log.tsv" >"$EXPORT-edited/log.tsv"
check "a deleted event" "1" "$(run verify "$EXPORT-edited" --ca "$TSA/ca.pem" | grep -c "the export holds")"
head -5 "$EXPORT/log.tsv" >"$EXPORT-edited/log.tsv"
check "a log cut short: both days" "2" "$(run verify "$EXPORT-edited" --ca "$TSA/ca.pem" | grep -c "the log was cut short")"
# Numbers at the end of bigint: a chain's first two blocks, and the first two
# passes, renumbered INT64_MAX and INT64_MIN. Adding one wrapped, so the second of
# each passed for the first's successor.
awk 'NR == FNR { if ($1 == "B") blocks[$2]++; next }
	$1 == "B" && blocks[$2] > 1 && (chain == "" || $2 == chain) && b < 2 { chain = $2; $3 = b++ ? "-9223372036854775808" : "9223372036854775807" }
	$1 == "P" && p < 2 { $2 = p++ ? "-9223372036854775808" : "9223372036854775807" }
	{ print }' "$EXPORT/log.tsv" "$EXPORT/log.tsv" >"$EXPORT-edited/log.tsv"
out=$(run verify "$EXPORT-edited" --ca "$TSA/ca.pem")
check "a block after block INT64_MAX: named" "1" \
	"$(grep -c "follows block 9223372036854775807 of the chain, after which there can be none" <<<"$out")"
check "a pass after pass INT64_MAX: named" "1" \
	"$(grep -c "follows pass 9223372036854775807, after which there can be none" <<<"$out")"
check "usage error: exit 2" "exit 2" "$(run verify "$EXPORT" | head -1)"
# Files that are not what the export writes: refused, never read as something else.
cp "$EXPORT/log.tsv" "$EXPORT-edited/log.tsv"
{ head -1 "$EXPORT/anchors.tsv"; cat "$EXPORT/anchors.tsv"; } >"$EXPORT-edited/anchors.tsv"
out=$(run verify "$EXPORT-edited" --ca "$TSA/ca.pem")
check "a closed day listed twice: exit 2" "exit 2" "$(head -1 <<<"$out")"
check "a closed day listed twice: named" "1" "$(grep -c "repeats an earlier one" <<<"$out")"
tac "$EXPORT/anchors.tsv" >"$EXPORT-edited/anchors.tsv"
check "closed days out of order" "1" "$(run verify "$EXPORT-edited" --ca "$TSA/ca.pem" | grep -c "comes after a later day")"
rm "$EXPORT-edited/anchors.tsv" && mkfifo "$EXPORT-edited/anchors.tsv"
out=$(timeout 30 "$AUDIT" verify "$EXPORT-edited" --ca "$TSA/ca.pem" 2>&1; echo "exit $?")
check "a FIFO for a file: refused at once, not waited on" "1" "$(grep -c "anchors.tsv is not a regular file" <<<"$out")"
check "and the exit code says so" "exit 2" "$(tail -1 <<<"$out")"

# A trail damaged behind the triggers still exports, for the auditor to
# look at: an event of the first day deleted, every day from then on has a
# log that does not give its recorded head, so it gets no proof (a proof
# against another head proves nothing) and the export names it; verify
# reports the deletion, not proofs about heads the anchors do not hold.
q >/dev/null <<'SQL'
SET session_replication_role = replica;
CREATE TABLE saved_cli_event AS SELECT * FROM tenant_guard.audit_events ORDER BY seq LIMIT 1;
DELETE FROM tenant_guard.audit_events WHERE seq = (SELECT seq FROM saved_cli_event);
SQL
out=$(run export --dsn "$DSN" "$EXPORT-damaged")
check "a damaged trail exports" "exit 0" "$(head -1 <<<"$out")"
check "and names the days it could not prove" "2" "$(grep -c "^tenant-audit export: no proofs for day " <<<"$out")"
check "no proof of those days" "0" "$(wc -l <"$EXPORT-damaged/proofs.tsv")"
out=$(run verify "$EXPORT-damaged" --ca "$TSA/ca.pem")
check "verify reports the deleted event" "1" "$(grep -c "the export holds" <<<"$out")"
check "and no proof about another head" "0" "$(grep -c "is not about the closed" <<<"$out")"
q >/dev/null <<'SQL'
SET session_replication_role = replica;
INSERT INTO tenant_guard.audit_events SELECT * FROM saved_cli_event;
DROP TABLE saved_cli_event;
SQL
