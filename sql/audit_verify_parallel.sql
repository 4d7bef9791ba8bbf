-- verify_audit() with parallel workers: its per-event stage (each row_hash
-- recomputed, each Merkle leaf hashed) runs in PostgreSQL's parallel workers.
-- With the leader left out of the scan (parallel_leader_participation = off),
-- every event goes through a worker, and every tampering is reported exactly
-- as by the calling process alone (same rows, same order), for the auditor
-- role too.
CREATE EXTENSION tenant_guard;

-- pg_temp.wait_sealed(): sql/include/audit_wait_sealed.sql.
\set ECHO none
\i sql/include/audit_wait_sealed.sql
\set ECHO all

CREATE TABLE pnotes (id int PRIMARY KEY, tenant_id text NOT NULL, body text, tags text[]);
SELECT tenant_guard.audit('pnotes');
INSERT INTO pnotes SELECT g, 't' || (g % 3), repeat('x', g % 40), ARRAY['a', g::text]
  FROM generate_series(1, 3000) g;
UPDATE pnotes SET body = 'edited' WHERE id % 100 = 0;
DELETE FROM pnotes WHERE id % 250 = 0;
SELECT pg_temp.wait_sealed(20);
SELECT count(*) AS events, count(DISTINCT chain_id) AS chains FROM tenant_guard.audit_events;

-- The same verification without workers and with workers only.
CREATE FUNCTION pg_temp.serial() RETURNS TABLE (n bigint, chain_id text, seq bigint, problem text, detail text)
LANGUAGE sql SET max_parallel_workers_per_gather = 0 AS $$
	SELECT n, chain_id, seq, problem, regexp_replace(detail, 'Pass [0-9]+', 'Pass N', 'g')
	  FROM tenant_guard.verify_audit() WITH ORDINALITY AS v(chain_id, seq, problem, detail, n)
$$;
CREATE FUNCTION pg_temp.parallel() RETURNS TABLE (n bigint, chain_id text, seq bigint, problem text, detail text)
LANGUAGE sql SET max_parallel_workers_per_gather = 2 SET min_parallel_table_scan_size = 0
	SET parallel_leader_participation = off AS $$
	SELECT n, chain_id, seq, problem, regexp_replace(detail, 'Pass [0-9]+', 'Pass N', 'g')
	  FROM tenant_guard.verify_audit() WITH ORDINALITY AS v(chain_id, seq, problem, detail, n)
$$;
-- The problems found with workers, and how many rows differ from the run without.
CREATE FUNCTION pg_temp.compare() RETURNS TABLE (problems bigint, differences bigint)
LANGUAGE sql AS $$
	WITH s AS (SELECT * FROM pg_temp.serial()), p AS (SELECT * FROM pg_temp.parallel())
	SELECT (SELECT count(*) FROM p),
	       (SELECT count(*) FROM ((TABLE s EXCEPT ALL TABLE p) UNION ALL (TABLE p EXCEPT ALL TABLE s)) d)
$$;

-- Workers do run (one asked for, so that a busy server still has one to give).
SET client_min_messages = debug1;
SET max_parallel_workers_per_gather = 1;
SET min_parallel_table_scan_size = 0;
SELECT count(*) FROM tenant_guard.verify_audit();
RESET client_min_messages;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;

SELECT * FROM pg_temp.compare();

SET session_replication_role = replica;

-- Edited payloads in every chain.
BEGIN;
UPDATE tenant_guard.audit_events SET new_row = new_row || '{"body": "forged"}'
 WHERE seq IN (SELECT min(seq) FROM tenant_guard.audit_events GROUP BY chain_id);
SELECT * FROM pg_temp.compare();
SELECT chain_id, seq - (SELECT min(seq) FROM tenant_guard.audit_events) AS seq_offset, problem
  FROM pg_temp.parallel() ORDER BY n;
ROLLBACK;
-- An edited old row, changed column list and actor.
BEGIN;
UPDATE tenant_guard.audit_events SET old_row = jsonb_set(old_row, '{body}', '"nothing"'),
       changed_columns = '{tags}', actor = 'intern'
 WHERE seq = (SELECT max(seq) FROM tenant_guard.audit_events WHERE operation = 'UPDATE');
SELECT * FROM pg_temp.compare();
SELECT problem FROM pg_temp.parallel() ORDER BY n;
ROLLBACK;
-- A rewritten row_hash, a deleted event and a reordered block.
BEGIN;
UPDATE tenant_guard.audit_events SET row_hash = (SELECT row_hash FROM tenant_guard.audit_events ORDER BY seq LIMIT 1)
 WHERE seq = (SELECT min(seq) + 10 FROM tenant_guard.audit_events);
DELETE FROM tenant_guard.audit_events WHERE seq = (SELECT min(seq) + 20 FROM tenant_guard.audit_events);
UPDATE tenant_guard.audit_blocks SET event_seqs = event_seqs[2:] || event_seqs[1]
 WHERE (chain_id, block_no) = (SELECT chain_id, max(block_no) FROM tenant_guard.audit_blocks
                                WHERE cardinality(event_seqs) > 1 GROUP BY chain_id ORDER BY chain_id LIMIT 1);
SELECT * FROM pg_temp.compare();
SELECT problem, count(*) FROM pg_temp.parallel() GROUP BY problem ORDER BY problem;
ROLLBACK;
-- A duplicated event and an event moved to another chain.
BEGIN;
INSERT INTO tenant_guard.audit_events
SELECT seq + 100000, chain_id, format_version, occurred_at, txid, tx_ordinal, session_actor,
       actor, table_name, operation, tenant_id, old_row, new_row, changed_columns, application_name, client_addr, row_hash
  FROM tenant_guard.audit_events ORDER BY seq LIMIT 1;
UPDATE tenant_guard.audit_events SET chain_id = 'tenant:t0', tenant_id = 't0'
 WHERE seq = (SELECT min(seq) FROM tenant_guard.audit_events WHERE chain_id = 'tenant:t1');
SELECT * FROM pg_temp.compare();
SELECT problem, count(*) FROM pg_temp.parallel() GROUP BY problem ORDER BY problem;
ROLLBACK;
-- An unknown format_version.
BEGIN;
UPDATE tenant_guard.audit_events SET format_version = 2 WHERE seq = (SELECT max(seq) FROM tenant_guard.audit_events);
SELECT * FROM pg_temp.compare();
ROLLBACK;

RESET session_replication_role;

-- The auditor role verifies with workers too.
CREATE ROLE tg_parallel_auditor;
GRANT tenant_guard_auditor TO tg_parallel_auditor;
SET ROLE tg_parallel_auditor;
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SELECT count(*) FROM tenant_guard.verify_audit();
RESET ROLE;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
-- Every tampering was undone.
SELECT * FROM pg_temp.compare();

DROP ROLE tg_parallel_auditor;
DROP TABLE pnotes;
DROP EXTENSION tenant_guard;
