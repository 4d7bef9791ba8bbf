-- protect() on Citus tables: distributed before or after protect(), reference
-- tables, protect_schema(), unprotect(). Citus forwards the DDL to every shard
-- placement; the placement query counts those with forced RLS and all four
-- policies.
\set SHOW_CONTEXT never
SET citus.shard_count = 4;
SET ROLE tg_owner;
CREATE FUNCTION placements_ok(tbl regclass) RETURNS text LANGUAGE sql AS $f$
  SELECT count(*) FILTER (WHERE success AND result = 't') || ' of ' || count(*) || ' placements protected'
    FROM run_command_on_placements(tbl, $$
      SELECT c.relrowsecurity AND c.relforcerowsecurity
             AND (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
                     AND p.polname IN ('tenant_guard_select', 'tenant_guard_insert',
                                       'tenant_guard_update', 'tenant_guard_delete')) = 4
        FROM pg_class c WHERE c.oid = '%s'::regclass $$)
$f$;

-- 1. Distributed first, then protected.
CREATE TABLE orders (tenant_id uuid, id bigint, total numeric, PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('orders', 'tenant_id');
SELECT tenant_guard.protect('orders');
\d orders
SELECT placements_ok('orders');
-- A second call changes nothing.
SELECT tenant_guard.protect('orders');

-- 2. Protected first, then distributed: create_distributed_table() reads the
-- table without a tenant to see whether it is empty, and the guard refuses;
-- the hint gives the recipe, which works for empty tables and tables with rows.
CREATE TABLE invoices (tenant_id uuid, id bigint, amount numeric, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('invoices');
SELECT create_distributed_table('invoices', 'tenant_id', colocate_with => 'orders');
BEGIN;
SELECT tenant_guard.unprotect('invoices');
SELECT create_distributed_table('invoices', 'tenant_id', colocate_with => 'orders');
SELECT tenant_guard.protect('invoices');
COMMIT;
SELECT placements_ok('invoices');

-- 3. The same with rows: Citus copies them to the shards.
CREATE TABLE customers (tenant_id uuid, id bigint, name text, PRIMARY KEY (tenant_id, id));
INSERT INTO customers VALUES ('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', 1, 'a1'),
                             ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb', 1, 'b1');
SELECT tenant_guard.protect('customers');
SELECT create_distributed_table('customers', 'tenant_id', colocate_with => 'orders');
BEGIN;
SELECT tenant_guard.unprotect('customers');
SELECT create_distributed_table('customers', 'tenant_id', colocate_with => 'orders');
SELECT tenant_guard.protect('customers');
COMMIT;
SELECT placements_ok('customers');
SELECT truncate_local_data_after_distributing_table('customers');

-- 4. A reference table (one copy on every node, the coordinator included).
CREATE TABLE plans (tenant_id uuid, id int, name text, PRIMARY KEY (tenant_id, id));
SELECT create_reference_table('plans');
SELECT tenant_guard.protect('plans');
SELECT placements_ok('plans');

-- 5. protect_schema() over distributed and local tables; unprotect() leaves
-- NOT NULL on a distribution column (Citus refuses to drop it).
RESET ROLE;
CREATE SCHEMA billing AUTHORIZATION tg_owner;
SET ROLE tg_owner;
CREATE TABLE billing.payments (tenant_id uuid, id bigint, PRIMARY KEY (tenant_id, id));
CREATE TABLE billing.refunds (tenant_id uuid, id bigint, PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('billing.payments', 'tenant_id', colocate_with => 'orders');
SELECT * FROM tenant_guard.protect_schema('billing');
BEGIN;
SELECT tenant_guard.unprotect('billing.refunds');
SELECT create_distributed_table('billing.refunds', 'tenant_id', colocate_with => 'orders');
SELECT * FROM tenant_guard.protect_schema('billing');
COMMIT;
SELECT placements_ok('billing.payments'), placements_ok('billing.refunds');
SELECT tenant_guard.unprotect('billing.refunds');
SELECT placements_ok('billing.refunds');
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'billing.refunds'::regclass AND attname = 'tenant_id';
SELECT tenant_guard.protect('billing.refunds');

-- 6. Distributed by another column: works, with a warning.
CREATE TABLE events (id bigint PRIMARY KEY, tenant_id uuid);
SELECT create_distributed_table('events', 'id');
SELECT tenant_guard.protect('events', create_index => true);
SELECT placements_ok('events');
SELECT tenant_guard.unprotect('events');
DROP TABLE events;

-- 7. A policy from before Citus was installed names its table; protect()
-- replaces it with one that names none, so the table can be distributed.
CREATE TABLE notes (tenant_id uuid, id bigint, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('notes');
-- The drift guard refuses replacing our policy unless it is done on purpose.
BEGIN;
SELECT tenant_guard.allow_drift('notes', 'a policy as protect() made it before Citus');
DROP POLICY tenant_guard_select ON notes;
CREATE POLICY tenant_guard_select ON notes FOR SELECT
  USING (tenant_id OPERATOR(pg_catalog.=) tenant_guard.tenant_uuid('notes'::regclass));
COMMIT;
SELECT tenant_guard.protect('notes');
SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
 WHERE polrelid = 'notes'::regclass AND polname = 'tenant_guard_select';
BEGIN;
SELECT tenant_guard.unprotect('notes');
SELECT create_distributed_table('notes', 'tenant_id', colocate_with => 'orders');
SELECT tenant_guard.protect('notes');
COMMIT;
SELECT placements_ok('notes');

-- The generated policies hold no sub-query (Citus refuses them).
SELECT count(*) AS sublink_policies FROM pg_policy
 WHERE polname LIKE 'tenant\_guard\_%'
   AND (pg_get_expr(polqual, polrelid) ~* 'select' OR pg_get_expr(polwithcheck, polrelid) ~* 'select');
RESET ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON orders, invoices, customers, plans TO tg_app;
GRANT USAGE ON SCHEMA billing TO tg_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA billing TO tg_app;
SELECT severity, code, object FROM tenant_guard.check();
