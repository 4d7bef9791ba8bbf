-- make demo: protect a tenant table, then look at it as two tenants.
\set VERBOSITY default
CREATE EXTENSION tenant_guard;

-- The key leads with the tenant: a key of its own would let one tenant probe
-- another's ids through duplicate-key errors (protect() warns about that).
CREATE TABLE orders (
	id bigserial,
	tenant_id uuid NOT NULL,
	item text NOT NULL,
	amount numeric NOT NULL,
	PRIMARY KEY (tenant_id, id)
);
INSERT INTO orders (tenant_id, item, amount) VALUES
	('aaaaaaaa-0000-0000-0000-00000000000a', 'anvil', 120),
	('aaaaaaaa-0000-0000-0000-00000000000a', 'rope', 15),
	('bbbbbbbb-0000-0000-0000-00000000000b', 'rocket skates', 990);

-- The application connects as a plain role: no superuser, no BYPASSRLS.
CREATE ROLE demo_app LOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO demo_app;
GRANT USAGE ON SEQUENCE orders_id_seq TO demo_app;

-- What a migration runs: one call.
SELECT tenant_guard.protect('orders', create_index => true);
\d orders

SET ROLE demo_app;
-- Forgetting the tenant is an error, never a silently empty (or full) answer.
SELECT * FROM orders;

-- A tenant for the whole session would outlive the transaction behind a pooler: refused.
SET app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';

-- Tenant A, per transaction (safe behind PgBouncer in transaction mode).
BEGIN;
SET LOCAL app.tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';
SELECT id, item, amount FROM orders ORDER BY id;
INSERT INTO orders (item, amount) VALUES ('bird seed', 3) RETURNING tenant_id, item;
-- Moving a row to tenant B is refused.
UPDATE orders SET tenant_id = 'bbbbbbbb-0000-0000-0000-00000000000b' WHERE item = 'rope';
ROLLBACK;

BEGIN;
SELECT set_config('app.tenant_id', 'bbbbbbbb-0000-0000-0000-00000000000b', true);
SELECT id, item, amount FROM orders ORDER BY id;
COMMIT;
RESET ROLE;

-- A migration cannot quietly weaken the table ...
ALTER TABLE orders DISABLE ROW LEVEL SECURITY;
-- ... only on purpose: allow_drift() lets this transaction do it and records the
-- change with its reason in tenant_guard.drift_log (rolled back again here).
BEGIN;
SELECT tenant_guard.allow_drift('orders', 'demo: show what a deliberate change looks like');
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
ROLLBACK;

-- The in-database isolation lint: every remaining gap.
CREATE TABLE audit_notes (tenant_id uuid, note text);
SELECT severity, code, object, message FROM tenant_guard.check();
-- A migration's last step: refuse to commit while check() has errors.
SELECT tenant_guard.assert_intact();
