-- Tenant assertions for the transactional outbox: an event that names another
-- tenant, or none, aborts the whole transaction, the business change included.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_tg_app;
-- A Debezium-style outbox (id, aggregatetype, aggregateid, type, payload).
CREATE TABLE outbox (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	tenant_id uuid NOT NULL,
	aggregatetype text NOT NULL,
	aggregateid text NOT NULL,
	type text NOT NULL,
	payload jsonb NOT NULL
);
CREATE TABLE orders (id int, tenant_id uuid NOT NULL);
CREATE TABLE legacy_outbox (id int, body json, tenant_id uuid);
SELECT tenant_guard.protect('outbox', create_index => true);
SELECT tenant_guard.protect('orders', create_index => true);
SELECT tenant_guard.protect('legacy_outbox', create_index => true);
GRANT SELECT, INSERT ON outbox, orders, legacy_outbox TO regress_tg_app;

-- Errors when protecting.
SELECT tenant_guard.protect_outbox('orders', 'payload');
SELECT tenant_guard.protect_outbox('outbox', 'aggregateid');
SELECT tenant_guard.protect_outbox('outbox', 'payload', '{meta,');
CREATE TABLE unprotected_outbox (payload jsonb);
SELECT tenant_guard.protect_outbox('unprotected_outbox');
SELECT tenant_guard.protect_outbox('outbox', 'payload', NULL);

SELECT tenant_guard.protect_outbox('outbox', 'payload', '{meta,tenantId}');
SELECT tenant_guard.protect_outbox('legacy_outbox', 'body', 'tenantId');
-- Again: the trigger is replaced, not duplicated.
SELECT tenant_guard.protect_outbox('legacy_outbox', 'body', 'tenantId');
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'legacy_outbox'::regclass AND NOT tgisinternal;

SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO orders VALUES (1, 'aaaaaaaa-0000-0000-0000-00000000000a');
-- The tenant may be written in another case: uuids compare as values.
INSERT INTO outbox (aggregatetype, aggregateid, type, payload)
VALUES ('order', '1', 'OrderCreated',
        '{"meta": {"tenantId": "AAAAAAAA-0000-0000-0000-00000000000A"}, "total": 10}')
RETURNING aggregateid, tenant_id;
INSERT INTO legacy_outbox (id, body) VALUES (1, '{"tenantId": "aaaaaaaa-0000-0000-0000-00000000000a"}');
COMMIT;

-- Another tenant in the payload: the order written before it is lost too.
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO orders VALUES (2, 'aaaaaaaa-0000-0000-0000-00000000000a');
INSERT INTO outbox (aggregatetype, aggregateid, type, payload)
VALUES ('order', '2', 'OrderCreated', '{"meta": {"tenantId": "bbbbbbbb-0000-0000-0000-00000000000b"}}');
COMMIT;
-- No tenant in the payload.
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO outbox (aggregatetype, aggregateid, type, payload)
VALUES ('order', '3', 'OrderCreated', '{"tenantId": "aaaaaaaa-0000-0000-0000-00000000000a"}');
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO legacy_outbox (id, body) VALUES (2, '{"other": 1}');
ROLLBACK;
-- No tenant in the transaction.
INSERT INTO outbox (aggregatetype, aggregateid, type, payload)
VALUES ('order', '4', 'OrderCreated', '{"meta": {"tenantId": "x"}}');
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
SELECT id, tenant_id FROM orders ORDER BY id;
SELECT aggregateid FROM outbox;
COMMIT;
RESET ROLE;

-- Every write path that leaves an event is checked, not only INSERT: UPDATE,
-- INSERT ... ON CONFLICT DO UPDATE and MERGE ... WHEN MATCHED THEN UPDATE.
GRANT UPDATE ON outbox, legacy_outbox TO regress_tg_app;
SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
UPDATE outbox SET payload = '{"meta": {"tenantId": "bbbbbbbb-0000-0000-0000-00000000000b"}}';
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
UPDATE outbox SET payload = '{"total": 11}';
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO outbox (id, tenant_id, aggregatetype, aggregateid, type, payload)
SELECT id, tenant_id, aggregatetype, aggregateid, type, payload FROM outbox
    ON CONFLICT (id) DO UPDATE SET payload = '{}';
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
MERGE INTO outbox o USING (VALUES ('1')) AS s (aggregateid) ON o.aggregateid = s.aggregateid
 WHEN MATCHED THEN UPDATE SET payload = '{"meta": {}}';
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
MERGE INTO outbox o USING (VALUES ('1')) AS s (aggregateid) ON o.aggregateid = s.aggregateid
 WHEN MATCHED THEN UPDATE SET payload = '{"meta": {"tenantId": "bbbbbbbb-0000-0000-0000-00000000000b"}}';
ROLLBACK;
-- The tenant column changed by UPDATE (the update policy would refuse it too).
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
UPDATE legacy_outbox SET tenant_id = 'bbbbbbbb-0000-0000-0000-00000000000b';
ROLLBACK;
-- An UPDATE that leaves the tenant's own event commits.
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
UPDATE outbox SET payload = payload || '{"total": 12}' RETURNING aggregateid, payload;
INSERT INTO outbox (id, tenant_id, aggregatetype, aggregateid, type, payload)
SELECT id, tenant_id, aggregatetype, aggregateid, type, payload FROM outbox
    ON CONFLICT (id) DO UPDATE SET type = 'OrderChanged' RETURNING type;
COMMIT;
RESET ROLE;

-- The tenant key twice. json keeps both members as written: PostgreSQL reads
-- the last, many consumers the first, so the event is refused at every level
-- of the key's path, escaped spellings included.
CREATE TABLE json_outbox (id int, tenant_id text NOT NULL, body json NOT NULL);
SELECT tenant_guard.protect('json_outbox', create_index => true);
SELECT tenant_guard.protect_outbox('json_outbox', 'body', '{meta,tenantId}');
GRANT SELECT, INSERT, UPDATE ON json_outbox TO regress_tg_app;
SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO legacy_outbox (id, body)
VALUES (3, '{"tenantId": "bbbbbbbb-0000-0000-0000-00000000000b", "tenantId": "aaaaaaaa-0000-0000-0000-00000000000a"}');
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO legacy_outbox (id, body)
VALUES (3, '{"tenant\u0049d": "bbbbbbbb-0000-0000-0000-00000000000b", "tenantId": "aaaaaaaa-0000-0000-0000-00000000000a"}');
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO json_outbox VALUES (1, 'acme', '{"meta": {"tenantId": "globex"}, "meta": {"tenantId": "acme"}}');
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO json_outbox VALUES (1, 'acme', '{"meta": {"tenantId": "globex", "tenantId": "acme"}}');
ROLLBACK;
-- Duplicates off the path, and the same key in another object, are no concern.
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO json_outbox
VALUES (1, 'acme', '{"meta": {"tenantId": "acme", "n": 1, "n": 2}, "tenantId": "x", "other": {"tenantId": "y", "tenantId": "z"}}');
-- An UPDATE to a duplicate is refused too.
UPDATE json_outbox SET body = '{"meta": {"tenantId": "globex", "tenantId": "acme"}}';
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO json_outbox VALUES (1, 'acme', '{"meta": {"tenantId": "acme", "n": 1, "n": 2}}');
SELECT body FROM json_outbox;
COMMIT;
-- jsonb drops duplicate keys on input, keeping the last: what the trigger
-- checks is what is stored and what every consumer reads.
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
INSERT INTO outbox (aggregatetype, aggregateid, type, payload)
VALUES ('order', '5', 'OrderCreated',
        '{"meta": {"tenantId": "bbbbbbbb-0000-0000-0000-00000000000b", "tenantId": "aaaaaaaa-0000-0000-0000-00000000000a"}}')
RETURNING payload;
ROLLBACK;
RESET ROLE;

-- A trigger as 1.0 made it (BEFORE INSERT only), e.g. restored from a dump:
-- check() reports it, and protect_outbox() again replaces it.
BEGIN;
SELECT tenant_guard.allow_drift('json_outbox', 'regression test: a 1.0 trigger');
DROP TRIGGER tenant_guard_outbox ON json_outbox;
CREATE TRIGGER tenant_guard_outbox BEFORE INSERT ON json_outbox FOR EACH ROW
	EXECUTE FUNCTION tenant_guard.outbox_tenant_check('body', '{meta,tenantId}', 'tenant_id', 'text');
COMMIT;
SELECT severity, code, object, message, hint FROM tenant_guard.check() WHERE code = 'outbox-trigger-incomplete';
SELECT tenant_guard.protect_outbox('json_outbox', 'body', '{meta,tenantId}');
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'json_outbox'::regclass AND NOT tgisinternal;
SELECT count(*) AS findings FROM tenant_guard.check() WHERE code = 'outbox-trigger-incomplete';

-- assert_tenant(), for application SQL and CHECK-like uses.
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
SELECT tenant_guard.assert_tenant('aaaaaaaa-0000-0000-0000-00000000000a'::uuid);
SELECT tenant_guard.assert_tenant('AAAAAAAA-0000-0000-0000-00000000000A'::uuid);
SELECT tenant_guard.assert_tenant('bbbbbbbb-0000-0000-0000-00000000000b'::uuid);
ROLLBACK;
-- Text compares exactly.
BEGIN;
SET LOCAL app.tenant_id = 'acme';
SELECT tenant_guard.assert_tenant('acme'::text);
SELECT tenant_guard.assert_tenant('ACME'::text);
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = '42';
SELECT tenant_guard.assert_tenant(42), tenant_guard.assert_tenant(42::bigint);
SELECT tenant_guard.assert_tenant(NULL::int);
ROLLBACK;
SELECT tenant_guard.assert_tenant('x'::text);

-- The trigger refuses to be misused.
CREATE TABLE misuse (id int);
CREATE TRIGGER wrong AFTER INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION tenant_guard.outbox_tenant_check();
INSERT INTO misuse VALUES (1);
DROP TABLE misuse, unprotected_outbox;
DROP TABLE outbox, orders, legacy_outbox, json_outbox;
DROP EXTENSION tenant_guard;

-- ALTER EXTENSION UPDATE from 1.0 turns its BEFORE INSERT triggers into
-- BEFORE INSERT OR UPDATE ones, keeping their arguments.
CREATE EXTENSION tenant_guard VERSION '1.0';
CREATE TABLE old_outbox (id int, tenant_id text NOT NULL, "Payload" jsonb NOT NULL);
SELECT tenant_guard.protect('old_outbox', create_index => true);
CREATE TRIGGER tenant_guard_outbox BEFORE INSERT ON old_outbox FOR EACH ROW
	EXECUTE FUNCTION tenant_guard.outbox_tenant_check('Payload', 'it''s', 'tenant_id', 'text');
ALTER EXTENSION tenant_guard UPDATE;
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'old_outbox'::regclass AND NOT tgisinternal;
DROP TABLE old_outbox;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
