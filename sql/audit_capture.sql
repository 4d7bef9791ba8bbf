-- Audit capture: every operation and the common types are recorded once per
-- committed change, independent of session settings; rollbacks (also to a
-- savepoint) leave nothing; excluded columns never reach the trail; the
-- trail's tables are append-only for everyone and readable only by
-- tenant_guard_auditor. Events are sealed by the background worker:
-- pg_temp.wait_sealed() waits for it.
CREATE EXTENSION tenant_guard;

-- pg_temp.wait_sealed() and pg_temp.canonical(event): sql/include/audit_wait_sealed.sql, audit_canonical.sql.
\set ECHO none
\i sql/include/audit_wait_sealed.sql
\i sql/include/audit_canonical.sql
\set ECHO all

CREATE DOMAIN positive_amount AS numeric CHECK (VALUE > 0);
CREATE TABLE ledger (
	id int,
	tenant_id int NOT NULL,
	amount positive_amount,
	booked_at timestamptz,
	due date,
	took interval,
	ratio float8,
	flags bool,
	ref uuid,
	tags text[],
	meta jsonb,
	raw bytea,
	card_number text,
	PRIMARY KEY (tenant_id, id)
);
SELECT tenant_guard.protect('ledger');

-- Arguments are checked.
SELECT tenant_guard.audit('ledger', chain => 'per-row');
SELECT tenant_guard.audit('ledger', exclude_columns => '{no_such_column}');
SELECT tenant_guard.audit('ledger', exclude_columns => NULL);
CREATE VIEW ledger_view AS SELECT id FROM ledger;
SELECT tenant_guard.audit('ledger_view');
SELECT tenant_guard.audit('tenant_guard.audit_events');

SELECT tenant_guard.audit('ledger', exclude_columns => '{card_number}');
SELECT tenant_guard.audit('ledger', exclude_columns => '{card_number}'); -- idempotent
SELECT table_oid, chain, tenant_column, exclude_columns FROM tenant_guard.audited_tables;
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'ledger'::regclass AND tgname LIKE 'tenant_guard_audit%' ORDER BY 1;

-- Every operation, with settings that would change row::text.
SET TimeZone = 'Pacific/Auckland';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -3;
SET bytea_output = 'escape';
BEGIN;
SET LOCAL app.tenant_id = '7';
INSERT INTO ledger VALUES (1, 7, 10.50, '2026-03-01 12:00:00+00', '2026-03-31', '1 day 02:03:04.5',
	0.1, true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{x,NULL,"y z"}', '{"b": [1, 2.0], "a": null}',
	'\x00ff', '4111 1111 1111 1111');
INSERT INTO ledger (id, tenant_id) VALUES (2, 7);
UPDATE ledger SET amount = 11, card_number = '5500 0000 0000 0004' WHERE id = 1;
UPDATE ledger SET card_number = 'only an excluded column' WHERE id = 1;
DELETE FROM ledger WHERE id = 2;
COMMIT;
RESET TimeZone; RESET DateStyle; RESET IntervalStyle; RESET extra_float_digits; RESET bytea_output;

-- Rolled back work leaves no event: a whole transaction, and a savepoint.
BEGIN;
SET LOCAL app.tenant_id = '7';
INSERT INTO ledger (id, tenant_id) VALUES (3, 7);
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = '7';
INSERT INTO ledger (id, tenant_id) VALUES (4, 7);
SAVEPOINT s;
INSERT INTO ledger (id, tenant_id) VALUES (5, 7);
UPDATE ledger SET ratio = 2 WHERE id = 4;
ROLLBACK TO s;
COMMIT;

-- TRUNCATE is recorded too (the guard lets an exempt superuser run it).
TRUNCATE ledger;

SELECT seq, chain_id, operation, tenant_id, table_name, actor, session_actor, format_version,
       changed_columns, old_row, new_row, length(row_hash) AS hash_bytes
  FROM tenant_guard.audit_events ORDER BY seq;
-- The excluded column never reaches the trail.
SELECT count(*) AS mentions_card FROM tenant_guard.audit_events
 WHERE coalesce(old_row::text, '') || coalesce(new_row::text, '') || coalesce(changed_columns::text, '') LIKE '%card%'
    OR coalesce(old_row::text, '') || coalesce(new_row::text, '') LIKE '%4111%';
-- One (txid, ordinal) per event, ordinals counting per transaction.
SELECT operation, tx_ordinal, count(*) OVER (PARTITION BY txid) AS events_in_tx
  FROM tenant_guard.audit_events ORDER BY seq;

-- jsonb of every shape: verify_audit() prints each stored image itself, and must
-- print exactly what new_row::text prints, or every one of these is a row hash mismatch.
BEGIN;
SET LOCAL app.tenant_id = '7';
INSERT INTO ledger (id, tenant_id, meta) VALUES
	(20, 7, '{}'), (21, 7, '[]'), (22, 7, '"a scalar"'), (23, 7, '12.50'), (24, 7, 'null'),
	(25, 7, '[[], {}, [[]], {"a": {}}, [null, true, false]]'),
	(26, 7, '{"quote \" and backslash \\": "tab\tnewline\ncr\rff\fbs\bctl\u0001\u001f", "é": "ünïcode ✓ 🙂"}'),
	(27, 7, '{"n": [0, -0, 1e100, 1.000, -12345678901234567890.123, 0.0000001, 1E-7]}'),
	(28, 7, '{"deep": {"er": {"est": [1, {"k": [2, [3, {"z": null}]]}]}}, "a": 1, "bb": 2, "b": 3}'),
	(29, 7, '[{"x": "</script>"}, "\u00e9", "\/", "  spaces  "]');
-- Every escaped character at every offset of a word, amid plain ASCII and UTF-8 bytes.
INSERT INTO ledger (id, tenant_id, meta)
SELECT 30, 7, jsonb_agg(repeat(p, n) || chr(c) || repeat(p, 17 - n) ORDER BY c, n, p)
  FROM generate_series(0, 17) n, unnest('{1,8,9,10,12,13,31,34,47,92,127}'::int[]) c, unnest('{a,é}'::text[]) p;
COMMIT;
SELECT id, meta::text FROM ledger WHERE id BETWEEN 20 AND 29 ORDER BY id;
-- The capture trigger hashed the text new_row::text prints (the encoding in SQL agrees).
SELECT count(*) AS events, count(*) FILTER (WHERE sha256(pg_temp.canonical(e)) = e.row_hash) AS hashed_as_sql_encodes
  FROM tenant_guard.audit_events e WHERE table_name = 'public.ledger';

SELECT pg_temp.wait_sealed();
-- Each event in exactly one block; how many blocks depends on how the sealer's passes fell.
SELECT chain_id, count(*) AS sealed, count(DISTINCT s) AS distinct_events,
       min(block_no) = 1 AND max(block_no) = count(DISTINCT block_no) AS numbered_from_1
  FROM tenant_guard.audit_blocks CROSS JOIN LATERAL unnest(event_seqs) s GROUP BY chain_id ORDER BY 1;
SELECT * FROM tenant_guard.verify_audit();

-- A partitioned table is audited with its partitions, future ones included; one global chain.
-- Events name the partition the row is in; a row moving between partitions is a DELETE and an INSERT.
CREATE TABLE shipments (id int, tenant_id int, note text) PARTITION BY LIST (tenant_id);
CREATE TABLE shipments_1 PARTITION OF shipments FOR VALUES IN (1);
SELECT tenant_guard.audit('shipments', chain => 'global');
CREATE TABLE shipments_2 PARTITION OF shipments FOR VALUES IN (2);
SELECT tgrelid::regclass, tgname FROM pg_trigger WHERE tgname LIKE 'tenant_guard_audit%'
   AND tgrelid::regclass::text LIKE 'shipments%' ORDER BY 1, 2;
INSERT INTO shipments VALUES (1, 1, 'one'), (2, 2, 'two');
UPDATE shipments SET note = 'moved', tenant_id = 1 WHERE id = 2;
TRUNCATE shipments_2;
TRUNCATE shipments_1;
SELECT seq, chain_id, operation, tenant_id, table_name, old_row, new_row FROM tenant_guard.audit_events
 WHERE table_name LIKE 'public.shipments%' ORDER BY seq;

-- unaudit() removes the triggers (the events stay) and is recorded as an event
-- of chain 'config'; a second call says false and records nothing.
SELECT tenant_guard.unaudit('shipments');
SELECT tenant_guard.unaudit('shipments');
INSERT INTO shipments VALUES (3, 1, 'not audited');
SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tenant_guard_audit%' AND tgrelid::regclass::text LIKE 'shipments%';
SELECT chain_id = 'config' AS config_event, count(*) AS shipment_events FROM tenant_guard.audit_events
 WHERE table_name LIKE 'public.shipments%' GROUP BY 1 ORDER BY 1;

-- audit() is transactional.
BEGIN;
SELECT tenant_guard.audit('shipments');
ROLLBACK;
SELECT count(*) AS registered FROM tenant_guard.audited_tables WHERE table_oid = 'shipments'::regclass;

-- Append-only for everyone, the superuser included.
UPDATE tenant_guard.audit_events SET actor = 'someone else';
DELETE FROM tenant_guard.audit_events;
TRUNCATE tenant_guard.audit_events;
INSERT INTO tenant_guard.audit_events (seq, chain_id, format_version, occurred_at, txid, tx_ordinal,
	session_actor, actor, table_name, operation, row_hash)
	VALUES (1000, 'global', 1, now(), 1, 1, 'a', 'a', 'x', 'INSERT', '\x00');
UPDATE tenant_guard.audit_blocks SET block_no = block_no + 1;
DELETE FROM tenant_guard.audit_passes;
TRUNCATE tenant_guard.audit_blocks, tenant_guard.audit_passes;

-- The application role has no privileges on the trail; the auditor reads and verifies.
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_tg_audit_app') THEN CREATE ROLE regress_tg_audit_app; END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_tg_audit_reader') THEN CREATE ROLE regress_tg_audit_reader; END IF;
END $$;
GRANT tenant_guard_auditor TO regress_tg_audit_reader;
GRANT SELECT, INSERT ON ledger TO regress_tg_audit_app;
SET ROLE regress_tg_audit_app;
BEGIN;
SET LOCAL app.tenant_id = '7';
INSERT INTO ledger (id, tenant_id) VALUES (10, 7);
COMMIT;
SELECT count(*) FROM tenant_guard.audit_events;
SELECT * FROM tenant_guard.verify_audit();
SELECT tenant_guard.audit('ledger');
RESET ROLE;
SET ROLE regress_tg_audit_reader;
SELECT actor, operation, new_row FROM tenant_guard.audit_events ORDER BY seq DESC LIMIT 1;
SELECT pg_temp.wait_sealed();
SELECT * FROM tenant_guard.verify_audit();
UPDATE tenant_guard.audit_events SET actor = 'x';
RESET ROLE;

-- A table of scalars takes the flat path, whose text the trigger writes as it builds
-- the image: every escaped character at every offset of a word there too.
CREATE TABLE notes (id int, tenant_id int NOT NULL, body text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('notes');
INSERT INTO notes SELECT row_number() OVER (), 7, repeat(p, n) || chr(c) || repeat(p, 17 - n)
  FROM generate_series(0, 17) n, unnest('{1,8,9,10,12,13,31,34,47,92,127}'::int[]) c, unnest('{a,é}'::text[]) p;
SELECT count(*) AS events, count(*) FILTER (WHERE sha256(pg_temp.canonical(e)) = e.row_hash) AS hashed_as_sql_encodes
  FROM tenant_guard.audit_events e WHERE table_name = 'public.notes';
SELECT pg_temp.wait_sealed();
SELECT * FROM tenant_guard.verify_audit();

-- Excluded columns by any name: quotes, a backslash, NULL, commas and braces; they
-- are stored as given, never reach the trail, and auditing again changes nothing.
CREATE TABLE oddnames (id int, tenant_id int NOT NULL, "se""cret" text, "back\slash" text, "NULL" text,
	"a,b{c}" text, kept text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('oddnames', exclude_columns => ARRAY['se"cret', 'back\slash', 'NULL', 'a,b{c}']);
SELECT exclude_columns FROM tenant_guard.audited_tables WHERE table_oid = 'oddnames'::regclass;
INSERT INTO oddnames VALUES (1, 7, 'x1', 'x2', 'x3', 'x4', 'visible');
SELECT tenant_guard.audit('oddnames', exclude_columns => ARRAY['se"cret', 'back\slash', 'NULL', 'a,b{c}']);
SELECT chain_id, operation, new_row FROM tenant_guard.audit_events
 WHERE table_name = 'public.oddnames' OR (chain_id = 'config' AND coalesce(new_row, old_row)::text LIKE '%oddnames%') ORDER BY seq;

-- Many chains sealed in one pass, with tenants that an array literal would have
-- to quote: each block lists exactly its own chain's events, and every chain verifies.
CREATE TABLE oddtenants (id int, tenant_id text NOT NULL, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('oddtenants');
INSERT INTO oddtenants
SELECT g, t FROM unnest(ARRAY['a,b', '{c}', 'q"uote', 'back\slash', 'NULL', ' space ', 'é ✓', '']) t,
       generate_series(1, 3) g;
SELECT pg_temp.wait_sealed();
SELECT count(*) AS blocks, count(*) FILTER (WHERE b.event_seqs = (SELECT array_agg(e.seq ORDER BY e.seq)
           FROM tenant_guard.audit_events e WHERE e.table_name = 'public.oddtenants' AND e.chain_id = b.chain_id)) AS exact
  FROM tenant_guard.audit_blocks b
 WHERE b.chain_id IN (SELECT chain_id FROM tenant_guard.audit_events WHERE table_name = 'public.oddtenants');
SELECT * FROM tenant_guard.verify_audit();

DROP TABLE ledger, shipments, notes, oddnames, oddtenants CASCADE;
DROP DOMAIN positive_amount;
DROP FUNCTION pg_temp.canonical(tenant_guard.audit_events);
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_audit_app;
DROP ROLE regress_tg_audit_reader;
