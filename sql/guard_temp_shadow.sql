-- Unqualified names resolve in pg_temp first: on a pooled connection a
-- temporary table named like a protected one would capture the next
-- client's statements. Application roles may not create one, by any path.
CREATE EXTENSION tenant_guard;
CREATE TABLE orders (id int, tenant_id text NOT NULL, total numeric);
SELECT tenant_guard.protect('orders');
SELECT tenant_guard.create_app_role('regress_tg_shadow_app');
-- A view over the protected table, and a table without tenants.
CREATE VIEW my_orders WITH (security_invoker = true) AS SELECT * FROM orders;
CREATE TABLE currencies (code text PRIMARY KEY);
GRANT SELECT, INSERT ON my_orders, currencies TO regress_tg_shadow_app;

SET ROLE regress_tg_shadow_app;
CREATE TEMP TABLE orders (LIKE public.orders);
CREATE TABLE pg_temp.orders (id int);
CREATE TEMP VIEW orders AS SELECT 1 AS id;
CREATE TEMP SEQUENCE orders;
SELECT 1 AS id INTO TEMP orders;
CREATE TEMP TABLE orders AS SELECT 1 AS id;
CREATE TEMP TABLE tmp_orders (LIKE public.orders);
ALTER TABLE tmp_orders RENAME TO orders;
-- Any permanent relation: a view over a protected table would capture the next
-- client's INSERT INTO my_orders just the same, and so would any other table.
CREATE TEMP TABLE my_orders (LIKE public.orders);
CREATE TEMP TABLE currencies (code text);
-- Nothing was left behind: an unqualified INSERT still reaches the protected table.
SELECT count(*) AS temp_relations FROM pg_class WHERE relpersistence = 't' AND relname = 'orders';
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO orders VALUES (1, 'acme', 10);
SELECT n.nspname, count(*) FROM orders o JOIN pg_class c ON c.oid = o.tableoid
  JOIN pg_namespace n ON n.oid = c.relnamespace GROUP BY 1;
ROLLBACK;
-- Other temporary tables are fine.
DROP TABLE tmp_orders;
CREATE TEMP TABLE scratch (id int);
DROP TABLE scratch;
RESET ROLE;

-- Exempt roles (the superuser here) may.
CREATE TEMP TABLE orders (id int);
DROP TABLE pg_temp.orders;

DROP VIEW my_orders;
DROP TABLE orders, currencies;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_shadow_app;
DROP ROLE regress_tg_shadow_app;
