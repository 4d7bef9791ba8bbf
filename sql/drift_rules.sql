-- Rules on protected tables. A rule rewrites a statement before row-level
-- security sees it: a DO INSTEAD INSERT skips the policies' WITH CHECK, and any
-- rule's actions write wherever the owner may. So the drift guard refuses
-- CREATE [OR REPLACE] RULE, ALTER RULE ... RENAME and ALTER TABLE ... ENABLE
-- [ALWAYS | REPLICA] RULE on a protected table or partition unless
-- allow_drift() was called (which records it), and check() and assert_intact()
-- report every rule on one, also those a superuser made past the guard. After
-- each step the application, as tenant a, reads only a's rows and cannot write
-- a row for b.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_rule_owner;
CREATE ROLE regress_rule_app;
GRANT CREATE ON SCHEMA public TO regress_rule_owner;
SET ROLE regress_rule_owner;
CREATE TABLE orders (id int, tenant_id text NOT NULL, secret text);
CREATE TABLE parts (tenant_id text NOT NULL, id int, secret text) PARTITION BY LIST (tenant_id);
CREATE TABLE parts_a PARTITION OF parts FOR VALUES IN ('a');
CREATE TABLE parts_b PARTITION OF parts FOR VALUES IN ('b');
-- Where a siphon would send the rows: not protected, not granted to the application.
CREATE TABLE archive (order_id int, owner_key text, note text);
SELECT count(*) FROM (SELECT tenant_guard.protect(t, create_index => true)
  FROM unnest(ARRAY['orders', 'parts']::regclass[]) t) p;
GRANT SELECT, INSERT, UPDATE, DELETE ON orders, parts, parts_a, parts_b TO regress_rule_app;
BEGIN;
SET LOCAL app.tenant_id = 'a';
INSERT INTO orders VALUES (1, 'a', 'mine');
INSERT INTO parts VALUES ('a', 1, 'mine');
SET LOCAL app.tenant_id = 'b';
INSERT INTO orders VALUES (2, 'b', 'secret');
INSERT INTO parts VALUES ('b', 2, 'secret');
COMMIT;
-- What the application can do as tenant a: the tenants it reads, and where a
-- row naming tenant b gets in (RLS refuses it with 42501 everywhere).
CREATE FUNCTION app_view() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	seen text;
	written text[] := '{}';
BEGIN
	SELECT coalesce(string_agg(DISTINCT tenant_id, ','), 'nothing') INTO seen FROM (
		SELECT tenant_id FROM orders UNION ALL SELECT tenant_id FROM parts
		UNION ALL SELECT tenant_id FROM parts_b) s;
	BEGIN
		INSERT INTO orders VALUES (9, 'b', 'written by a');
		written := written || 'orders'::text;
	EXCEPTION WHEN insufficient_privilege THEN NULL;
	END;
	BEGIN
		INSERT INTO parts_b VALUES ('b', 9, 'written by a');
		written := written || 'parts_b'::text;
	EXCEPTION WHEN insufficient_privilege THEN NULL;
	END;
	RETURN format('reads %s; writes for b: %s', seen,
	              coalesce(nullif(array_to_string(written, ', '), ''), 'none'));
END
$$;
\set app_view 'SET ROLE regress_rule_app; BEGIN; SET LOCAL app.tenant_id = ''a''; SELECT app_view(); ROLLBACK; SET ROLE regress_rule_owner;'
:app_view

-- Refused, as the owner: DO INSTEAD and DO ALSO, on a table, a partitioned
-- table and a partition, and CREATE OR REPLACE.
CREATE RULE siphon AS ON INSERT TO orders DO INSTEAD
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
:app_view
CREATE RULE copy AS ON INSERT TO orders DO ALSO
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
:app_view
CREATE OR REPLACE RULE siphon AS ON UPDATE TO orders DO INSTEAD NOTHING;
:app_view
CREATE RULE siphon AS ON INSERT TO parts DO INSTEAD
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
:app_view
CREATE RULE siphon AS ON INSERT TO parts_b DO INSTEAD
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
:app_view
SELECT count(*) AS rules FROM pg_rewrite
 WHERE ev_class IN ('orders'::regclass, 'parts'::regclass, 'parts_b'::regclass);
-- A rule on a table that is not protected is none of the guard's business.
CREATE RULE quiet AS ON DELETE TO archive DO INSTEAD NOTHING;
DROP RULE quiet ON archive;
-- Nor is a rule on a view over a protected table: its actions run under the
-- table's policies, as tenant a.
CREATE VIEW orders_entry WITH (security_invoker) AS SELECT id, tenant_id, secret FROM orders;
CREATE RULE enter AS ON INSERT TO orders_entry DO INSTEAD
	INSERT INTO orders VALUES (NEW.id, NEW.tenant_id, NEW.secret);
GRANT SELECT, INSERT ON orders_entry TO regress_rule_app;
SET ROLE regress_rule_app;
BEGIN;
SET LOCAL app.tenant_id = 'a';
INSERT INTO orders_entry VALUES (8, 'b', 'through the view');
ROLLBACK;
SET ROLE regress_rule_owner;
DROP VIEW orders_entry;

-- allow_drift: the rule is made on purpose, and recorded. Disabled, it does not
-- fire; check() still reports it, and assert_intact() refuses to pass.
BEGIN;
SELECT tenant_guard.allow_drift('orders', 'audit copy, ticket 7');
CREATE RULE siphon AS ON INSERT TO orders DO INSTEAD
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
ALTER TABLE orders DISABLE RULE siphon;
COMMIT;
:app_view
RESET ROLE;
SELECT severity, code, object, message, hint FROM tenant_guard.check()
 WHERE code = 'rule-on-protected-table';
SELECT tenant_guard.assert_intact();
SET ROLE regress_rule_owner;
-- The next transaction is guarded again: the rule may not fire, change or hide.
ALTER TABLE orders ENABLE RULE siphon;
:app_view
ALTER TABLE orders ENABLE ALWAYS RULE siphon;
:app_view
ALTER TABLE orders ENABLE REPLICA RULE siphon;
:app_view
ALTER RULE siphon ON orders RENAME TO audit_copy;
:app_view
CREATE OR REPLACE RULE siphon AS ON INSERT TO orders DO ALSO
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
:app_view
-- ... while disabling it again only narrows, and passes.
ALTER TABLE orders DISABLE RULE siphon;
-- Enabled on purpose, the rule really lets tenant a write a row naming b (into
-- archive): that is what check() reports.
BEGIN;
SELECT tenant_guard.allow_drift('orders', 'audit copy goes live, ticket 8');
ALTER TABLE orders ENABLE RULE siphon;
COMMIT;
:app_view
RESET ROLE;
SELECT code, object, message FROM tenant_guard.check() WHERE code = 'rule-on-protected-table';
SELECT table_name, reason, logged_by, what FROM tenant_guard.drift_log ORDER BY logged_at, what;
-- DROP RULE repairs it, without allow_drift.
SET ROLE regress_rule_owner;
DROP RULE siphon ON orders;
:app_view
RESET ROLE;
SELECT tenant_guard.assert_intact();

-- A superuser can bypass the guard: with session_replication_role = replica
-- (event triggers do not fire), or with the event trigger disabled on purpose.
SET session_replication_role = replica;
CREATE RULE siphon AS ON INSERT TO parts_b DO INSTEAD
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
RESET session_replication_role;
BEGIN;
SELECT tenant_guard.allow_drift(NULL, 'maintenance window');
ALTER EVENT TRIGGER tenant_guard_refuse_drift DISABLE;
CREATE RULE copy AS ON INSERT TO orders DO ALSO
	INSERT INTO archive VALUES (NEW.id, NEW.tenant_id, NEW.secret);
ALTER EVENT TRIGGER tenant_guard_refuse_drift ENABLE;
COMMIT;
SET ROLE regress_rule_owner;
:app_view
RESET ROLE;
-- check() and assert_intact() catch both.
SELECT severity, code, object, message, hint FROM tenant_guard.check()
 WHERE code = 'rule-on-protected-table';
SELECT tenant_guard.assert_intact();
-- The owner repairs it with the hints.
SET ROLE regress_rule_owner;
DROP RULE siphon ON parts_b;
DROP RULE copy ON orders;
:app_view
RESET ROLE;
SELECT tenant_guard.assert_intact();
SELECT count(*) AS rows_in_archive FROM archive;
SET ROLE regress_rule_owner;

SELECT count(*) FROM (SELECT tenant_guard.unprotect(t)
  FROM unnest(ARRAY['orders', 'parts']::regclass[]) t) u;
RESET ROLE;
DROP TABLE orders, parts, archive;
DROP FUNCTION app_view();
DROP EXTENSION tenant_guard;
REVOKE CREATE ON SCHEMA public FROM regress_rule_owner;
DROP ROLE regress_rule_app;
DROP ROLE regress_rule_owner;
