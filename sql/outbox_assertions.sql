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
DROP TABLE outbox, orders, legacy_outbox;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
