-- Rows that leave or enter an audited table without a row event: DROP of the
-- table or of a partition (also through DROP SCHEMA ... CASCADE and DROP
-- OWNED), DETACH PARTITION (also CONCURRENTLY) and ATTACH PARTITION. Each
-- relation that left or joined is an event of chain 'config', written in the
-- statement's transaction by whoever ran it (here the migration role, which
-- cannot read tenant_guard's registry), sealed and verified like any other.
CREATE EXTENSION tenant_guard;

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_tg_membership_owner') THEN CREATE ROLE regress_tg_membership_owner; END IF;
END
$$;
GRANT CREATE ON SCHEMA public TO regress_tg_membership_owner;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_tg_membership_owner', current_database()); END $$;

SET ROLE regress_tg_membership_owner;
CREATE TABLE orders (tenant_id text NOT NULL, id int NOT NULL, amount numeric) PARTITION BY LIST (tenant_id);
CREATE TABLE orders_a PARTITION OF orders FOR VALUES IN ('a');
CREATE TABLE orders_b PARTITION OF orders FOR VALUES IN ('b') PARTITION BY RANGE (id);
CREATE TABLE orders_b_low PARTITION OF orders_b FOR VALUES FROM (0) TO (100);
CREATE TABLE orders_c PARTITION OF orders FOR VALUES IN ('c');
CREATE TABLE ledger (tenant_id text NOT NULL, id int NOT NULL);
CREATE TABLE scratch (tenant_id text NOT NULL, id int NOT NULL);
SELECT tenant_guard.audit('orders');
SELECT tenant_guard.audit('ledger', chain => 'global');
INSERT INTO orders VALUES ('a', 1, 10), ('b', 2, 20), ('c', 3, 30);
INSERT INTO ledger VALUES ('a', 1);
-- The migration role may not read the registry the events are made from.
SELECT count(*) FROM tenant_guard.audited_tables;
RESET ROLE;

CREATE FUNCTION pg_temp.config_events() RETURNS TABLE (operation text, table_name text, actor text, old_row jsonb, new_row jsonb)
LANGUAGE sql AS $$
	SELECT operation, table_name, actor, old_row, new_row FROM tenant_guard.audit_events
	 WHERE chain_id = 'config' ORDER BY seq
$$;

SET ROLE regress_tg_membership_owner;
-- Rolled back, to the transaction's start or to a savepoint: no event.
BEGIN;
DROP TABLE orders_a;
ROLLBACK;
BEGIN;
SAVEPOINT s;
ALTER TABLE orders DETACH PARTITION orders_b;
ROLLBACK TO SAVEPOINT s;
COMMIT;
-- A table that is not audited: no event.
DROP TABLE scratch;
RESET ROLE;
SELECT * FROM pg_temp.config_events();

-- DETACH of a partition that has partitions of its own: both leave.
SET ROLE regress_tg_membership_owner;
ALTER TABLE orders DETACH PARTITION orders_b;
-- What it keeps is no longer audited: its TRUNCATE trigger went with it, so
-- TRUNCATE works and writes nothing; so does a new row.
TRUNCATE orders_b;
INSERT INTO orders_b VALUES ('b', 4, 40);
SELECT tgrelid::regclass, tgname FROM pg_trigger
 WHERE tgrelid IN ('orders_b'::regclass, 'orders_b_low'::regclass) ORDER BY 1::text, 2;
RESET ROLE;
SELECT * FROM pg_temp.config_events();

-- ATTACH brings its rows in without INSERT events: recorded too, and from
-- then on its changes are captured again. A table that was never audited
-- gets its capture triggers on the way in (before, tenant_guard's drift check
-- refused every ATTACH, judging the step in which the new TRUNCATE trigger
-- was not yet enabled ALWAYS).
SELECT max(seq) AS mark FROM tenant_guard.audit_events \gset
SET ROLE regress_tg_membership_owner;
ALTER TABLE orders ATTACH PARTITION orders_b FOR VALUES IN ('b');
UPDATE orders SET amount = 41 WHERE id = 4;
CREATE TABLE orders_d (tenant_id text NOT NULL, id int NOT NULL, amount numeric);
INSERT INTO orders_d VALUES ('d', 5, 50);
ALTER TABLE orders ATTACH PARTITION orders_d FOR VALUES IN ('d');
DELETE FROM orders WHERE id = 5;
TRUNCATE orders_d;
RESET ROLE;
SELECT operation, table_name, old_row, new_row FROM tenant_guard.audit_events
 WHERE seq > :mark ORDER BY seq;
SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger
 WHERE tgrelid IN ('orders_b'::regclass, 'orders_b_low'::regclass, 'orders_d'::regclass) ORDER BY 1::text, 2;
SELECT * FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete';

-- DETACH ... CONCURRENTLY commits in two transactions: recorded once, in the second.
ALTER TABLE orders DETACH PARTITION orders_c CONCURRENTLY;
SELECT operation, table_name, actor FROM tenant_guard.audit_events
 WHERE table_name = 'public.orders_c' ORDER BY seq;
DROP TABLE orders_c;

-- DROP of a partition, and in a statement of many objects.
SET ROLE regress_tg_membership_owner;
CREATE TABLE other (id int);
DROP TABLE orders_a, other;
RESET ROLE;
SELECT operation, table_name, old_row FROM tenant_guard.audit_events
 WHERE table_name IN ('public.orders_a', 'public.other') ORDER BY seq;

-- DROP SCHEMA ... CASCADE reaches an audited table inside it.
SET ROLE regress_tg_membership_owner;
CREATE SCHEMA regress_membership;
CREATE TABLE regress_membership.visits (tenant_id text NOT NULL, id int NOT NULL);
SELECT tenant_guard.audit('regress_membership.visits');
DROP SCHEMA regress_membership CASCADE;
RESET ROLE;
SELECT operation, table_name, old_row ->> 'audited_table' AS audited_table FROM tenant_guard.audit_events
 WHERE table_name LIKE 'regress_membership.%' ORDER BY seq;

-- session_replication_role = replica skips event triggers, not this.
SELECT max(seq) AS mark FROM tenant_guard.audit_events \gset
SET session_replication_role = replica;
ALTER TABLE orders DETACH PARTITION orders_b;
RESET session_replication_role;
SELECT operation, table_name FROM tenant_guard.audit_events WHERE seq > :mark ORDER BY seq;
ALTER TABLE orders ATTACH PARTITION orders_b FOR VALUES IN ('b');

-- DROP OWNED takes the rest: the audited tables with every partition, and
-- they leave the registry (DROP OWNED fires no DROP TABLE event trigger).
SELECT max(seq) AS mark FROM tenant_guard.audit_events \gset
DROP OWNED BY regress_tg_membership_owner;
SELECT operation, table_name FROM tenant_guard.audit_events WHERE seq > :mark ORDER BY seq;
SELECT count(*) AS registered FROM tenant_guard.audited_tables;

-- Every event, these included, is sealed and verifies.
\set ECHO none
\i sql/include/audit_wait_sealed.sql
\set ECHO all
SELECT pg_temp.wait_sealed();
SELECT * FROM tenant_guard.verify_audit();

-- DROP EXTENSION drops the trail with the audited tables' triggers: nothing to write, no error.
CREATE TABLE regress_last (tenant_id text NOT NULL);
SELECT tenant_guard.audit('regress_last');
DROP EXTENSION tenant_guard CASCADE;
DROP TABLE regress_last;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_tg_membership_owner', current_database()); END $$;
REVOKE CREATE ON SCHEMA public FROM regress_tg_membership_owner;
DROP ROLE regress_tg_membership_owner;
