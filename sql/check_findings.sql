-- tenant_guard.check(): one row per isolation gap, each with a fix.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_tg_bypass LOGIN BYPASSRLS;
CREATE ROLE regress_tg_app LOGIN;

-- The postgres superuser always shows up once something is protected;
-- everything else below is a gap the test creates on purpose.
SELECT * FROM tenant_guard.check();

CREATE TABLE customers (id int PRIMARY KEY, tenant_id uuid NOT NULL);
CREATE TABLE orders (id int, tenant_id uuid NOT NULL, customer_id int REFERENCES customers);
CREATE TABLE audit_log (line text, customer_id int REFERENCES customers);
CREATE TABLE unprotected (tenant_id uuid);
CREATE TABLE other_col (org uuid);
SELECT tenant_guard.protect('customers', create_index => true);
SELECT tenant_guard.protect('orders');
SELECT severity, code, object FROM tenant_guard.check();

-- Drift and widening, on purpose (the drift guard refuses them otherwise).
BEGIN;
SELECT tenant_guard.allow_drift('orders', 'regression test: drift to detect');
SELECT tenant_guard.allow_drift('customers', 'regression test: widening to detect');
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
DROP POLICY tenant_guard_delete ON orders;
CREATE POLICY backdoor ON customers USING (true);
COMMIT;
CREATE VIEW customer_ids AS SELECT id FROM customers;
CREATE VIEW customer_ids_invoker WITH (security_invoker = true) AS SELECT id FROM customers;
CREATE VIEW customer_ids_app AS SELECT id FROM customers;
ALTER VIEW customer_ids_app OWNER TO regress_tg_app;
CREATE FUNCTION peek() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM customers';
GRANT SELECT ON orders TO regress_tg_bypass;
CREATE TABLE loose (tenant_id uuid) PARTITION BY LIST (tenant_id);
SELECT tenant_guard.protect('loose', create_index => true);
-- A partition attached while the event trigger is disabled escapes protection.
BEGIN;
SELECT tenant_guard.allow_drift(NULL, 'regression test: a partition escapes');
ALTER EVENT TRIGGER tenant_guard_protect_new_partitions DISABLE;
CREATE TABLE loose_default PARTITION OF loose DEFAULT;
ALTER EVENT TRIGGER tenant_guard_protect_new_partitions ENABLE;
COMMIT;
SELECT * FROM tenant_guard.check();

-- Another tenant column name.
SELECT severity, code, object FROM tenant_guard.check('org') WHERE code = 'unprotected-table';

-- Every hint is a fix: applying them clears the findings.
SELECT tenant_guard.protect('orders');
SELECT tenant_guard.protect('loose');
DROP POLICY backdoor ON customers;
ALTER VIEW customer_ids SET (security_invoker = true);
ALTER FUNCTION peek() SECURITY INVOKER;
REVOKE SELECT ON orders FROM regress_tg_bypass;
DROP TABLE audit_log, unprotected;
CREATE INDEX ON orders (tenant_id);
SELECT severity, code, object FROM tenant_guard.check();

DROP VIEW customer_ids, customer_ids_invoker, customer_ids_app;
DROP FUNCTION peek();
DROP TABLE orders, customers, other_col, loose;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_bypass;
DROP ROLE regress_tg_app;
