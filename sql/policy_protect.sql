-- tenant_guard.protect(): what it creates, what it refuses, idempotence.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_tg_app;
CREATE ROLE regress_tg_owner;

CREATE TABLE orders (
	id bigserial PRIMARY KEY,
	tenant_id uuid,
	amount int NOT NULL
);
CREATE INDEX ON orders (tenant_id, id);
INSERT INTO orders (tenant_id, amount) VALUES
	('aaaaaaaa-0000-0000-0000-000000000001', 10),
	('bbbbbbbb-0000-0000-0000-000000000002', 20);
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO regress_tg_app;
GRANT USAGE ON SEQUENCE orders_id_seq TO regress_tg_app;

SELECT tenant_guard.protect('orders');
\d orders
SELECT table_name, tenant_column, tenant_type, parent, rls_enabled, rls_forced, policies
  FROM tenant_guard.protected_tables;

-- A second call changes nothing and says so.
SELECT tenant_guard.protect('orders');

-- Tenant A sees and changes only its own rows.
SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-000000000001';
SELECT tenant_id, amount FROM orders ORDER BY id;
INSERT INTO orders (amount) VALUES (11) RETURNING tenant_id, amount;
UPDATE orders SET amount = amount + 1 RETURNING tenant_id, amount;
DELETE FROM orders WHERE amount = 12 RETURNING tenant_id, amount;
COMMIT;

-- ... and can neither create nor move rows into tenant B.
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-000000000001';
INSERT INTO orders (tenant_id, amount) VALUES ('bbbbbbbb-0000-0000-0000-000000000002', 1);
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-000000000001';
UPDATE orders SET tenant_id = 'bbbbbbbb-0000-0000-0000-000000000002';
ROLLBACK;

-- No usable tenant is an error, never an empty answer.
SELECT count(*) FROM orders;
BEGIN;
SET LOCAL app.tenant_id = '';
SELECT count(*) FROM orders;
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'not-a-uuid';
SELECT count(*) FROM orders;
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-000000000001';
COMMIT;
-- After commit the setting is '' (not NULL): still "not set".
INSERT INTO orders (amount) VALUES (1);
SELECT tenant_guard.current_tenant() IS NULL AS no_current_tenant;
RESET ROLE;

-- The typed functions behind policies, one per tenant column type.
BEGIN;
SET LOCAL app.tenant_id = '42';
SELECT tenant_guard.tenant_bigint('orders'), tenant_guard.tenant_integer('orders'),
       tenant_guard.tenant_text('orders'), tenant_guard.current_tenant();
SELECT tenant_guard.tenant_uuid('orders');
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = '3000000000';
SELECT tenant_guard.tenant_bigint('orders');
SELECT tenant_guard.tenant_integer('orders');
ROLLBACK;
-- A value that cannot be any tenant is refused when it is SET (guard_session.sql has more).
BEGIN;
SET LOCAL app.tenant_id = ' padded';
ROLLBACK;

-- Refusals, each before anything changes.
CREATE VIEW orders_view AS SELECT * FROM orders;
SELECT tenant_guard.protect('orders_view');
CREATE MATERIALIZED VIEW some_matview AS SELECT 1 AS tenant_id;
SELECT tenant_guard.protect('some_matview');
CREATE TEMP TABLE temp_orders (tenant_id uuid);
SELECT tenant_guard.protect('temp_orders');
CREATE SEQUENCE some_sequence;
SELECT tenant_guard.protect('some_sequence');
CREATE FOREIGN DATA WRAPPER regress_tg_fdw;
CREATE SERVER regress_tg_server FOREIGN DATA WRAPPER regress_tg_fdw;
CREATE FOREIGN TABLE remote_orders (tenant_id uuid) SERVER regress_tg_server;
SELECT tenant_guard.protect('remote_orders');
SELECT tenant_guard.protect('no_such_table');

CREATE TABLE invoices (id int, customer uuid, org_id numeric);
SELECT tenant_guard.protect('invoices');
SELECT tenant_guard.protect('invoices', 'org_id');
SELECT tenant_guard.protect('invoices', NULL);
SELECT tenant_guard.unprotect(NULL);
SELECT tenant_guard.protect('orders', 'amount');

-- Orphan rows: the error counts them and names the table; nothing changes.
INSERT INTO invoices VALUES (1, NULL, 1), (2, NULL, 1), (3, 'aaaaaaaa-0000-0000-0000-000000000001', 1);
SELECT tenant_guard.protect('invoices', 'customer');
DELETE FROM invoices WHERE id = 2;
SELECT tenant_guard.protect('invoices', 'customer');
\d invoices
DELETE FROM invoices WHERE customer IS NULL;

-- Other permissive policies OR-widen access: an error unless kept explicitly.
CREATE POLICY see_everything ON invoices USING (true);
CREATE POLICY only_positive ON invoices AS RESTRICTIVE USING (id > 0);
SELECT tenant_guard.protect('invoices', 'customer');
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'invoices'::regclass;
SELECT tenant_guard.protect('invoices', 'customer', keep_other_policies => true,
                            create_index => true);
\d invoices
-- A table keeps one tenant column.
SELECT tenant_guard.protect('invoices', 'id');

-- Drift (made on purpose through allow_drift) is repaired by calling protect again.
BEGIN;
SELECT tenant_guard.allow_drift('orders', 'regression test: drift to repair');
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
DROP POLICY tenant_guard_update ON orders;
ALTER POLICY tenant_guard_delete ON orders TO regress_tg_app;
ALTER TABLE orders ALTER COLUMN tenant_id DROP DEFAULT;
COMMIT;
SELECT tenant_guard.protect('orders');
SELECT tenant_guard.protect('orders');
SELECT polname, polroles::regrole[] FROM pg_policy WHERE polrelid = 'orders'::regclass ORDER BY 1;

-- The table owner can protect (a migration role); others cannot.
CREATE TABLE owned (tenant_id bigint);
ALTER TABLE owned OWNER TO regress_tg_owner;
SET ROLE regress_tg_app;
SELECT tenant_guard.protect('owned');
SET ROLE regress_tg_owner;
SELECT tenant_guard.protect('owned');
-- FORCE: the owner is bound by the policies too.
INSERT INTO owned VALUES (7);
BEGIN;
SET LOCAL app.tenant_id = '7';
INSERT INTO owned VALUES (DEFAULT), (7);
SELECT tenant_id FROM owned;
ROLLBACK;
RESET ROLE;

-- All in one transaction: a failure later in the caller's transaction undoes protect.
CREATE TABLE undone (tenant_id text);
BEGIN;
SELECT tenant_guard.protect('undone');
SELECT 1 / 0;
ROLLBACK;
SELECT relrowsecurity, (SELECT count(*) FROM pg_policy WHERE polrelid = 'undone'::regclass) AS policies
  FROM pg_class WHERE oid = 'undone'::regclass;
SELECT count(*) AS registered FROM tenant_guard.protection WHERE table_oid = 'undone'::regclass;

-- Dropped tables leave the registry.
DROP VIEW orders_view;
DROP MATERIALIZED VIEW some_matview;
DROP TABLE orders, invoices, owned, undone, temp_orders;
DROP SEQUENCE some_sequence;
DROP FOREIGN DATA WRAPPER regress_tg_fdw CASCADE;
SELECT count(*) AS registered_after_drop FROM tenant_guard.protection;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
DROP ROLE regress_tg_owner;
