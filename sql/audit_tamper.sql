-- Tamper evidence: with triggers bypassed by a superuser
-- (session_replication_role = replica), each tampering below is reported by
-- verify_audit() at the exact event, block or pass, and undoing it (ROLLBACK)
-- verifies clean again.
CREATE EXTENSION tenant_guard;

-- pg_temp.wait_sealed() and pg_temp.canonical(event): sql/include/audit_wait_sealed.sql, audit_canonical.sql.
\set ECHO none
\i sql/include/audit_wait_sealed.sql
\i sql/include/audit_canonical.sql
\set ECHO all

CREATE TABLE notes (id int PRIMARY KEY, tenant_id text NOT NULL, body text);
SELECT tenant_guard.audit('notes');
-- Events in two tenants' chains, in several transactions (so several blocks).
INSERT INTO notes VALUES (1, 'a', 'first a'), (2, 'b', 'first b');
SELECT pg_temp.wait_sealed();
BEGIN;
SAVEPOINT gap;
INSERT INTO notes VALUES (90, 'a', 'rolled back: leaves a gap in seq');
ROLLBACK TO gap;
INSERT INTO notes VALUES (3, 'a', 'second a');
UPDATE notes SET body = 'edited b' WHERE id = 2;
COMMIT;
SELECT pg_temp.wait_sealed();
BEGIN;
DELETE FROM notes WHERE id = 3;
INSERT INTO notes VALUES (4, 'a', 'third a'), (5, 'b', 'second b');
COMMIT;
SELECT pg_temp.wait_sealed();
SELECT e.seq, e.chain_id, e.operation, b.block_no
  FROM tenant_guard.audit_events e
  JOIN tenant_guard.audit_blocks b ON e.seq = ANY (b.event_seqs) ORDER BY e.seq;
SELECT * FROM tenant_guard.verify_audit();
-- Every row_hash re-verifies with the SQL encoding above.
SELECT count(*) AS events, count(*) FILTER (WHERE sha256(pg_temp.canonical(e)) = e.row_hash) AS reverified
  FROM tenant_guard.audit_events e;
-- The heads (and the latest pass_hash) are what an auditor keeps outside.
SELECT chain_id, block_no, last_seq FROM tenant_guard.audit_heads;
-- One head for each chain with blocks: its newest block, hash and all.
SELECT (SELECT count(DISTINCT chain_id) FROM tenant_guard.audit_blocks) AS chains, count(*) AS heads,
       count(*) FILTER (WHERE (h.block_no, h.block_hash, h.pass_no) =
           (SELECT b.block_no, b.block_hash, b.pass_no FROM tenant_guard.audit_blocks b
             WHERE b.chain_id = h.chain_id ORDER BY b.block_no DESC LIMIT 1)) AS newest
  FROM tenant_guard.audit_heads h;

-- Pass numbers depend on how the sealer's passes fell; the problems name them as N.
CREATE VIEW pg_temp.problems AS
SELECT chain_id, seq, problem, regexp_replace(detail, 'Pass [0-9]+', 'Pass N', 'g') AS detail
  FROM tenant_guard.verify_audit();

SET session_replication_role = replica;

-- An edited payload.
BEGIN;
UPDATE tenant_guard.audit_events SET new_row = '{"id": 1, "body": "forged", "tenant_id": "a"}' WHERE seq = 1;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- An edited old row.
BEGIN;
UPDATE tenant_guard.audit_events SET old_row = jsonb_set(old_row, '{body}', '"nothing"') WHERE operation = 'UPDATE';
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- An edited actor.
BEGIN;
UPDATE tenant_guard.audit_events SET actor = 'intern', session_actor = 'intern' WHERE seq = 4;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- An edited time.
BEGIN;
UPDATE tenant_guard.audit_events SET occurred_at = occurred_at - interval '1 day' WHERE seq = 3;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- An edited payload with a recomputed row_hash (here: another event's hash) breaks the block.
BEGIN;
UPDATE tenant_guard.audit_events SET row_hash = (SELECT row_hash FROM tenant_guard.audit_events WHERE seq = 1) WHERE seq = 3;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- A deleted event in the middle of a chain.
BEGIN;
DELETE FROM tenant_guard.audit_events WHERE seq = 3;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- The newest event deleted (it is sealed, so its block names it).
BEGIN;
DELETE FROM tenant_guard.audit_events WHERE seq = (SELECT max(seq) FROM tenant_guard.audit_events);
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- The newest event deleted with its block: the pass that sealed it no longer matches.
BEGIN;
DELETE FROM tenant_guard.audit_events WHERE seq = (SELECT max(seq) FROM tenant_guard.audit_events);
DELETE FROM tenant_guard.audit_blocks WHERE chain_id = 'tenant:b' AND block_no = (SELECT max(block_no) FROM tenant_guard.audit_blocks WHERE chain_id = 'tenant:b');
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- A block in the middle deleted with its events.
BEGIN;
DELETE FROM tenant_guard.audit_events WHERE seq IN (SELECT unnest(event_seqs) FROM tenant_guard.audit_blocks WHERE chain_id = 'tenant:a' AND block_no = 2);
DELETE FROM tenant_guard.audit_blocks WHERE chain_id = 'tenant:a' AND block_no = 2;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- A forged event with a correct row_hash, in the free seq the rollback left inside the sealed range.
BEGIN;
CREATE TEMP TABLE forged (LIKE tenant_guard.audit_events);
INSERT INTO forged
SELECT 3 AS seq, chain_id, format_version, occurred_at, txid + 1000 AS txid, tx_ordinal, session_actor, actor, table_name,
       operation, tenant_id, old_row, '{"id": 9, "body": "forged", "tenant_id": "a"}'::jsonb AS new_row, changed_columns,
       application_name, client_addr, row_hash
  FROM tenant_guard.audit_events WHERE seq = 1;
UPDATE forged f SET row_hash = sha256(pg_temp.canonical(ROW(f.*)::tenant_guard.audit_events));
INSERT INTO tenant_guard.audit_events SELECT * FROM forged;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- A duplicated event (a copy under a new seq).
BEGIN;
INSERT INTO tenant_guard.audit_events
SELECT 1000, chain_id, format_version, occurred_at, txid, tx_ordinal, session_actor,
       actor, table_name, operation, tenant_id, old_row, new_row, changed_columns, application_name, client_addr, row_hash
  FROM tenant_guard.audit_events WHERE seq = 4;
SELECT problem FROM tenant_guard.verify_audit() WHERE seq = 1000;
ROLLBACK;
-- Forged copies at both ends of bigint, and a NULL added to a block's event list:
-- reported, not an overflow (verify_audit() once indexed seqs by a signed difference).
BEGIN;
INSERT INTO tenant_guard.audit_events
SELECT v.s, chain_id, format_version, occurred_at, txid, tx_ordinal, session_actor,
       actor, table_name, operation, tenant_id, old_row, new_row, changed_columns, application_name, client_addr, row_hash
  FROM tenant_guard.audit_events, (VALUES (-9223372036854775808), (9223372036854775807)) v(s) WHERE seq = 4;
UPDATE tenant_guard.audit_blocks SET event_seqs = event_seqs || NULL::bigint
 WHERE chain_id = 'tenant:a' AND block_no = 1;
SELECT problem, count(*) FROM tenant_guard.verify_audit()
 WHERE problem <> 'unsealed past the deadline' GROUP BY problem ORDER BY problem;
ROLLBACK;
-- A block's event list set to NULL (after dropping its NOT NULL): reported, not a crash.
BEGIN;
ALTER TABLE tenant_guard.audit_blocks ALTER COLUMN event_seqs DROP NOT NULL;
UPDATE tenant_guard.audit_blocks SET event_seqs = NULL WHERE chain_id = 'tenant:a' AND block_no = 1;
SELECT problem, count(*) FROM tenant_guard.verify_audit()
 WHERE problem <> 'unsealed past the deadline' GROUP BY problem ORDER BY problem;
ROLLBACK;
-- A retention checkpoint's chain row with a NULL (after dropping a NOT NULL): a clear error, not a crash.
BEGIN;
ALTER TABLE tenant_guard.audit_checkpoint_chains ALTER COLUMN last_seq DROP NOT NULL;
INSERT INTO tenant_guard.audit_checkpoints
	VALUES (1, '2000-01-01', '1999-12-31', 0, 0, '\x00', '{}', NULL, NULL, '{}', 0, '{}', 'someone', now());
INSERT INTO tenant_guard.audit_checkpoint_chains VALUES (1, 'tenant:a', 1, '\x00', NULL, 1, '{}', 1);
SELECT count(*) FROM tenant_guard.verify_audit();
ROLLBACK;
-- A column added to the trail, a partition of another layout attached, and a block
-- without a chain (its primary key dropped): a clear error or a report, not a crash.
BEGIN;
ALTER TABLE tenant_guard.audit_events ADD COLUMN extra int;
DO $$ BEGIN
	PERFORM count(*) FROM tenant_guard.verify_audit();
EXCEPTION WHEN object_not_in_prerequisite_state THEN -- the partition's name has the month in it
	RAISE NOTICE 'refused: %', regexp_replace(SQLERRM, '_\d{4}_\d{2}"', '_YYYY_MM"');
END $$;
ROLLBACK;
BEGIN;
CREATE TABLE tenant_guard.audit_events_1990_01 (format_version int2 NOT NULL, seq int8 NOT NULL,
	chain_id text NOT NULL, occurred_at timestamptz NOT NULL, txid int8 NOT NULL, tx_ordinal int4 NOT NULL,
	session_actor text NOT NULL, actor text NOT NULL, table_name text NOT NULL, operation text NOT NULL,
	tenant_id text, old_row jsonb, new_row jsonb, changed_columns text[], application_name text,
	client_addr inet, row_hash bytea NOT NULL);
ALTER TABLE tenant_guard.audit_events ATTACH PARTITION tenant_guard.audit_events_1990_01
	FOR VALUES FROM ('1990-01-01 00:00:00+00') TO ('1990-02-01 00:00:00+00');
INSERT INTO tenant_guard.audit_events (seq, chain_id, format_version, occurred_at, txid, tx_ordinal,
	session_actor, actor, table_name, operation, row_hash)
	VALUES (5000, 'tenant:a', 1, '1990-01-15 00:00:00+00', 0, 0, 'a', 'a', 't', 'INSERT', '\x00');
SELECT count(*) FROM tenant_guard.verify_audit();
ROLLBACK;
BEGIN;
ALTER TABLE tenant_guard.audit_blocks DROP CONSTRAINT audit_blocks_pkey, ALTER COLUMN chain_id DROP NOT NULL;
UPDATE tenant_guard.audit_blocks SET chain_id = NULL WHERE chain_id = 'tenant:a' AND block_no = 1;
SELECT coalesce(chain_id, '(none)') AS chain_id, problem, count(*) FROM tenant_guard.verify_audit()
 WHERE problem <> 'unsealed past the deadline' GROUP BY 1, 2 ORDER BY 1, 2;
ROLLBACK;
-- Two events' payloads swapped.
BEGIN;
UPDATE tenant_guard.audit_events e SET new_row = o.new_row
  FROM tenant_guard.audit_events o
 WHERE (e.seq, o.seq) IN ((1, 4), (4, 1));
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- An event moved to another tenant's chain.
BEGIN;
UPDATE tenant_guard.audit_events SET chain_id = 'tenant:b', tenant_id = 'b' WHERE seq = 1;
SELECT * FROM tenant_guard.verify_audit();
SELECT * FROM tenant_guard.verify_audit('tenant:a');
ROLLBACK;
-- A block's event list reordered.
BEGIN;
UPDATE tenant_guard.audit_blocks SET event_seqs = ARRAY[event_seqs[2], event_seqs[1]]
 WHERE chain_id = 'tenant:a' AND cardinality(event_seqs) = 2;
SELECT * FROM pg_temp.problems;
ROLLBACK;
-- The whole trail emptied: the events are gone, the passes remain.
BEGIN;
DELETE FROM tenant_guard.audit_events;
SELECT problem, count(*) FROM tenant_guard.verify_audit() GROUP BY problem ORDER BY problem;
ROLLBACK;

RESET session_replication_role;
-- Every tampering was undone.
SELECT * FROM tenant_guard.verify_audit();

-- Days must be finite dates within timestamptz's range (their arithmetic overflowed before).
SELECT tenant_guard.audit_root('infinity');
SELECT * FROM tenant_guard.audit_consistency('-infinity', '2026-01-01');
SELECT tenant_guard.close_audit_day('300000-01-01');
SELECT * FROM tenant_guard.audit_prune('infinity');

DROP TABLE notes;
DROP VIEW pg_temp.problems;
DROP FUNCTION pg_temp.canonical(tenant_guard.audit_events);
DROP EXTENSION tenant_guard;
