-- The drift guard: DDL that weakens a protected table is refused at the end of
-- the command unless tenant_guard.allow_drift() was called for the table in the
-- same transaction, which records it. After every refusal the application, as
-- tenant a, still sees only tenant a's rows. A superuser can bypass the guard
-- (session_replication_role, catalog edits): then check() reports it.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_drift_owner;
CREATE ROLE regress_drift_app;
CREATE ROLE regress_drift_bypass BYPASSRLS;
GRANT regress_drift_bypass TO regress_drift_owner;
GRANT CREATE ON SCHEMA public TO regress_drift_owner, regress_drift_bypass;
SET ROLE regress_drift_owner;
CREATE TABLE notes (id int PRIMARY KEY, tenant_id text NOT NULL, body text);
CREATE TABLE parts (tenant_id text NOT NULL, id int) PARTITION BY LIST (tenant_id);
CREATE TABLE parts_a PARTITION OF parts FOR VALUES IN ('a');
CREATE TABLE parts_b PARTITION OF parts FOR VALUES IN ('b');
CREATE TABLE customers (id int PRIMARY KEY, tenant_id text NOT NULL);
CREATE TABLE orders (id int, tenant_id text NOT NULL, customer_id int REFERENCES customers);
CREATE TABLE outbox (id serial, tenant_id text NOT NULL, payload jsonb);
CREATE TABLE notes_parent (id int, tenant_id text NOT NULL, body text);
CREATE TABLE loose (tenant_id text NOT NULL, id int) PARTITION BY LIST (tenant_id);
CREATE TABLE loose_c (tenant_id text NOT NULL, id int);
SELECT count(*) FROM (SELECT tenant_guard.protect(t, create_index => true)
  FROM unnest(ARRAY['notes', 'parts', 'customers', 'orders', 'outbox', 'loose_c']::regclass[]) t) p;
SELECT tenant_guard.protect_outbox('outbox');
GRANT SELECT, INSERT, UPDATE, DELETE ON notes, parts, parts_a, parts_b, customers, orders, outbox
	TO regress_drift_app;
BEGIN;
SET LOCAL app.tenant_id = 'a';
INSERT INTO notes VALUES (1, 'a', 'mine');
INSERT INTO parts VALUES ('a', 1);
INSERT INTO customers VALUES (1, 'a');
INSERT INTO orders VALUES (1, 'a', 1);
SET LOCAL app.tenant_id = 'b';
INSERT INTO notes VALUES (2, 'b', 'secret');
INSERT INTO parts VALUES ('b', 2);
INSERT INTO customers VALUES (2, 'b');
INSERT INTO orders VALUES (2, 'b', 2);
COMMIT;
-- What the application sees as tenant a: only a, whatever path it takes.
CREATE FUNCTION tenants_seen() RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(DISTINCT tenant_id, ','), 'nothing') FROM (
		SELECT tenant_id FROM notes UNION ALL SELECT tenant_id FROM parts
		UNION ALL SELECT tenant_id FROM parts_b UNION ALL SELECT tenant_id FROM orders) s
$$;
\set seen_as_a 'SET ROLE regress_drift_app; BEGIN; SET LOCAL app.tenant_id = ''a''; SELECT tenants_seen(); COMMIT; SET ROLE regress_drift_owner;'
:seen_as_a

-- Row-level security off or not forced, on a table or a partition.
ALTER TABLE notes DISABLE ROW LEVEL SECURITY;
:seen_as_a
ALTER TABLE notes NO FORCE ROW LEVEL SECURITY;
:seen_as_a
ALTER TABLE parts_b DISABLE ROW LEVEL SECURITY;
:seen_as_a
-- Policies: altered, dropped, or a permissive one added under any name.
ALTER POLICY tenant_guard_select ON notes USING (true);
:seen_as_a
ALTER POLICY tenant_guard_select ON notes TO regress_drift_app;
:seen_as_a
DROP POLICY tenant_guard_select ON notes;
:seen_as_a
CREATE POLICY admin_screen ON notes FOR SELECT USING (true);
:seen_as_a
CREATE POLICY tenant_guard_extra ON notes AS PERMISSIVE FOR SELECT TO regress_drift_app USING (true);
:seen_as_a
-- ... while a restrictive policy only narrows, and passes.
CREATE POLICY only_positive ON notes AS RESTRICTIVE USING (id > 0);
DROP POLICY only_positive ON notes;
-- The tenant column renamed or dropped.
ALTER TABLE notes RENAME COLUMN tenant_id TO org_id;
:seen_as_a
ALTER TABLE notes DROP COLUMN tenant_id CASCADE;
:seen_as_a
-- Inheriting from, or attaching to, an unprotected parent.
ALTER TABLE notes INHERIT notes_parent;
:seen_as_a
ALTER TABLE loose ATTACH PARTITION loose_c FOR VALUES IN ('c');
DROP TABLE notes_parent, loose;
-- Our triggers: disabled, replica-only, dropped, or their key renamed away.
ALTER TABLE orders DISABLE TRIGGER tenant_guard_fk_orders_customer_id_fkey;
ALTER TABLE orders ENABLE REPLICA TRIGGER tenant_guard_fk_orders_customer_id_fkey;
ALTER TABLE orders DISABLE TRIGGER USER;
DROP TRIGGER tenant_guard_fk_orders_customer_id_fkey ON orders;
ALTER TABLE orders RENAME CONSTRAINT orders_customer_id_fkey TO orders_customer_fk;
ALTER TABLE outbox DISABLE TRIGGER tenant_guard_outbox;
DROP TRIGGER tenant_guard_outbox ON outbox;
-- So the key still cannot reach another tenant's customer.
SET ROLE regress_drift_app;
BEGIN;
SET LOCAL app.tenant_id = 'a';
INSERT INTO orders VALUES (3, 'a', 2);
ROLLBACK;
SET ROLE regress_drift_owner;
-- An owner that bypasses row-level security.
ALTER TABLE notes OWNER TO regress_drift_bypass;
:seen_as_a

-- Within one command, what ends intact passes; protect() drops and recreates its own.
ALTER TABLE notes DISABLE ROW LEVEL SECURITY, ENABLE ROW LEVEL SECURITY;
BEGIN;
SELECT tenant_guard.unprotect('notes');
SELECT tenant_guard.protect('notes', create_index => true);
COMMIT;
:seen_as_a

-- allow_drift: for the owner only, with a reason, for one table, for one transaction.
SET ROLE regress_drift_app;
SELECT tenant_guard.allow_drift('notes', 'backfill');
RESET ROLE;
SET ROLE regress_drift_owner;
SELECT tenant_guard.allow_drift('notes', '');
BEGIN;
SELECT tenant_guard.allow_drift('notes', 'backfill, ticket 42');
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
ROLLBACK;
BEGIN;
SELECT tenant_guard.allow_drift('notes', 'backfill, ticket 42');
SELECT tenant_guard.allow_drift('orders', 'rebuild the key, ticket 43');
ALTER TABLE notes NO FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_screen ON notes FOR SELECT USING (true);
DROP POLICY admin_screen ON notes;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
DROP TRIGGER tenant_guard_fk_orders_customer_id_fkey ON orders;
COMMIT;
SELECT table_name, reason, logged_by, what FROM tenant_guard.drift_log ORDER BY reason, what;
-- The next transaction is guarded again.
ALTER TABLE notes NO FORCE ROW LEVEL SECURITY;
SELECT tenant_guard.protect('orders');
RESET ROLE;

-- The extension's own objects: event triggers (superuser), DROP EXTENSION.
ALTER EVENT TRIGGER tenant_guard_refuse_drift DISABLE;
ALTER EVENT TRIGGER tenant_guard_protect_new_partitions ENABLE REPLICA;
DROP EXTENSION tenant_guard;
DROP EXTENSION tenant_guard CASCADE;
DROP SCHEMA tenant_guard CASCADE;
BEGIN;
SELECT tenant_guard.allow_drift(NULL, 'maintenance window');
ALTER EVENT TRIGGER tenant_guard_protect_new_partitions DISABLE;
SELECT reason, what FROM tenant_guard.drift_log WHERE table_oid IS NULL ORDER BY what;
ROLLBACK;
SELECT count(*) AS protected FROM tenant_guard.protected_tables WHERE parent IS NULL;
:seen_as_a
RESET ROLE;

-- A superuser can bypass the guard; check() and assert_intact() catch it.
SET session_replication_role = replica;
ALTER TABLE notes NO FORCE ROW LEVEL SECURITY;
RESET session_replication_role;
UPDATE pg_trigger SET tgenabled = 'D' WHERE tgname = 'tenant_guard_outbox';
UPDATE pg_policy SET polpermissive = false
 WHERE polname = 'tenant_guard_delete' AND polrelid = 'notes'::regclass;
UPDATE pg_event_trigger SET evtenabled = 'R' WHERE evtname = 'tenant_guard_protect_new_tables';
SELECT severity, code, object, message FROM tenant_guard.check()
 WHERE code NOT IN ('rls-bypass-role', 'owner-bypasses-rls', 'missing-tenant-index');
SELECT tenant_guard.assert_intact();
-- protect() repairs what it made; the event trigger is the superuser's to re-enable.
SET ROLE regress_drift_owner;
SELECT tenant_guard.protect('notes');
SELECT tenant_guard.protect('outbox');
RESET ROLE;
ALTER EVENT TRIGGER tenant_guard_protect_new_tables ENABLE;
SELECT tenant_guard.assert_intact();

-- Once nothing is protected, the extension may go.
SET ROLE regress_drift_owner;
SELECT count(*) FROM (SELECT tenant_guard.unprotect(t)
  FROM unnest(ARRAY['notes', 'parts', 'customers', 'orders', 'outbox', 'loose_c']::regclass[]) t) u;
RESET ROLE;
DROP TABLE notes, parts, customers, orders, outbox, loose_c;
DROP EXTENSION tenant_guard;
DROP FUNCTION tenants_seen();
REVOKE CREATE ON SCHEMA public FROM regress_drift_owner, regress_drift_bypass;
DROP ROLE regress_drift_app;
DROP ROLE regress_drift_owner;
DROP ROLE regress_drift_bypass;
