-- Foreign keys are checked by PostgreSQL with RLS off, so a key without the
-- tenant column lets tenant A reference, and so probe for, tenant B's rows.
-- protect() adds a trigger that refuses such references, with the same error
-- as for a key that exists nowhere.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_tg_app;

CREATE TABLE customers (id int PRIMARY KEY, tenant_id text NOT NULL, name text);
CREATE TABLE orders (
	id int PRIMARY KEY,
	tenant_id text NOT NULL,
	customer_id int REFERENCES customers (id)
);
-- A composite key that carries the tenant is safe as it is.
CREATE UNIQUE INDEX ON customers (tenant_id, id);
CREATE TABLE payments (
	id int PRIMARY KEY,
	tenant_id text NOT NULL,
	customer_id int,
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
INSERT INTO customers VALUES (1, 'acme', 'Wile'), (2, 'globex', 'Hank');
GRANT SELECT, INSERT, UPDATE, DELETE ON customers, orders, payments TO regress_tg_app;

SELECT tenant_guard.protect('customers');
-- The referencing table gets the guard when it is protected.
SELECT tenant_guard.protect('orders', create_index => true);
SELECT tenant_guard.protect('payments', create_index => true);
SELECT tgrelid::regclass, tgname FROM pg_trigger
 WHERE tgfoid = 'tenant_guard.fk_tenant_check()'::regprocedure ORDER BY 1, 2;

SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO orders VALUES (10, 'acme', 1);
-- globex's customer 2 exists, but not for acme: same error as a missing key.
INSERT INTO orders VALUES (11, 'acme', 2);
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO orders VALUES (11, 'acme', 999);
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO orders VALUES (10, 'acme', 1), (12, 'acme', NULL);
-- Re-pointing a row is checked; unrelated updates are not re-checked.
UPDATE orders SET customer_id = 2 WHERE id = 10;
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO orders VALUES (10, 'acme', 1);
UPDATE orders SET customer_id = NULL WHERE id = 10;
UPDATE orders SET customer_id = 1 WHERE id = 10 RETURNING *;
-- The composite key needs no trigger.
INSERT INTO payments VALUES (1, 'acme', 2);
ROLLBACK;
RESET ROLE;

-- Renaming the key leaves its guard checking nothing: check() says so, and how to fix it.
-- (The drift guard refuses the rename: see drift_refusals. Here it is made on purpose.)
BEGIN;
SELECT tenant_guard.allow_drift('orders', 'regression test: rename the key');
ALTER TABLE orders RENAME CONSTRAINT orders_customer_id_fkey TO orders_customer_fk;
COMMIT;
SELECT severity, code, object FROM tenant_guard.check()
 WHERE code IN ('fk-guard-orphaned', 'foreign-key-without-tenant') ORDER BY code, object;
DROP TRIGGER tenant_guard_fk_orders_customer_id_fkey ON orders;
SELECT tenant_guard.protect('orders');
SELECT severity, code, object FROM tenant_guard.check()
 WHERE code IN ('fk-guard-orphaned', 'foreign-key-without-tenant') ORDER BY code, object;

-- Protecting the referenced side later adds the guard to an already protected table.
CREATE TABLE products (id int PRIMARY KEY, tenant_id int NOT NULL);
CREATE TABLE line_items (tenant_id int NOT NULL, product_id int REFERENCES products);
SELECT tenant_guard.protect('line_items', create_index => true);
SELECT count(*) AS guards_before FROM pg_trigger WHERE tgrelid = 'line_items'::regclass AND NOT tgisinternal;
SELECT tenant_guard.protect('products', create_index => true);
SELECT tgname FROM pg_trigger WHERE tgrelid = 'line_items'::regclass AND NOT tgisinternal;
-- Unprotecting either side removes it again.
SELECT tenant_guard.unprotect('products');
SELECT count(*) AS guards_after FROM pg_trigger WHERE tgrelid = 'line_items'::regclass AND NOT tgisinternal;

-- The trigger refuses to be misused.
CREATE TABLE misuse (id int);
CREATE TRIGGER wrong AFTER INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION tenant_guard.fk_tenant_check('x');
INSERT INTO misuse VALUES (1);
SELECT tenant_guard.fk_tenant_check();

DROP TABLE payments, orders, customers, line_items, products, misuse;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
