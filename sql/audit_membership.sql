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

-- ... and ATTACH under replica still gives the partition its TRUNCATE trigger
-- (the event trigger that does it otherwise is skipped).
SET session_replication_role = replica;
ALTER TABLE orders DETACH PARTITION orders_b;
ALTER TABLE orders ATTACH PARTITION orders_b FOR VALUES IN ('b');
RESET session_replication_role;
SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger
 WHERE tgrelid IN ('orders_b'::regclass, 'orders_b_low'::regclass) ORDER BY 1::text, 2;

-- DDL nested in another statement is judged statement by statement. Here a
-- partition key's function detaches a partition, changes its rows there, and
-- attaches it again, all inside an ATTACH of an unrelated table: both moves
-- are recorded (the writes happened outside the audited table).
SET ROLE regress_tg_membership_owner;
CREATE FUNCTION detour(t text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	/* Once: PostgreSQL may compute the key more than once per row. */
	IF t = 'go' AND current_setting('regress_membership.detoured', true) IS DISTINCT FROM 'yes' THEN
		PERFORM set_config('regress_membership.detoured', 'yes', false);
		ALTER TABLE orders DETACH PARTITION orders_b;
		UPDATE orders_b SET amount = 0;
		ALTER TABLE orders ATTACH PARTITION orders_b FOR VALUES IN ('b');
	END IF;
	RETURN t;
END
$$;
CREATE FUNCTION detour_key(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$BEGIN RETURN detour(t); END$$;
CREATE TABLE carrier (k text) PARTITION BY LIST (detour_key(k));
CREATE TABLE carrier_go (k text);
INSERT INTO carrier_go VALUES ('go');
RESET ROLE;
SELECT max(seq) AS mark FROM tenant_guard.audit_events \gset
SET ROLE regress_tg_membership_owner;
ALTER TABLE carrier ATTACH PARTITION carrier_go FOR VALUES IN ('go');
RESET ROLE;
SELECT operation, table_name FROM tenant_guard.audit_events WHERE seq > :mark ORDER BY seq;

-- A DROP undone by an EXCEPTION block leaves no event, and the table stays audited.
SET ROLE regress_tg_membership_owner;
CREATE TABLE orders_e PARTITION OF orders FOR VALUES IN ('e');
RESET ROLE;
SELECT max(seq) AS mark FROM tenant_guard.audit_events \gset
SET ROLE regress_tg_membership_owner;
DO $$
BEGIN
	DROP TABLE orders_e;
	RAISE EXCEPTION 'undo';
EXCEPTION WHEN raise_exception THEN
	NULL;
END
$$;
INSERT INTO orders VALUES ('e', 6, 60);
RESET ROLE;
SELECT operation, table_name FROM tenant_guard.audit_events WHERE seq > :mark ORDER BY seq;

-- A statement nested in a DROP (here in a superuser's sql_drop event trigger,
-- inside an EXCEPTION block that then rolls back) records only its own drops:
-- the DROP around it keeps its event.
CREATE FUNCTION public.regress_nested_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		CREATE TABLE regress_membership_nested ();
		RAISE EXCEPTION 'undo the nested statement';
	EXCEPTION WHEN raise_exception THEN
		NULL;
	END;
END
$$;
CREATE EVENT TRIGGER regress_nested_ddl ON sql_drop EXECUTE FUNCTION public.regress_nested_ddl();
SELECT max(seq) AS mark FROM tenant_guard.audit_events \gset
DROP TABLE orders_e;
DROP EVENT TRIGGER regress_nested_ddl;
DROP FUNCTION public.regress_nested_ddl();
SELECT operation, table_name FROM tenant_guard.audit_events WHERE seq > :mark ORDER BY seq;

-- ALTER COLUMN ... TYPE rewrites every row (with USING, to any value, the
-- tenant's too) without row events: recorded as ALTER with the statement.
SET ROLE regress_tg_membership_owner;
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 2) USING amount * 2;
ALTER TABLE ledger ADD COLUMN note text;
RESET ROLE;
SELECT operation, table_name, old_row, new_row ->> 'audited_table' AS audited_table, new_row ->> 'statement' AS statement
  FROM tenant_guard.audit_events WHERE operation = 'ALTER' ORDER BY seq;

-- The columns an audited table's settings name (its tenant column, its
-- excluded columns) are found by name: renaming one, or dropping the tenant
-- column, would hand the rows' tenant, or a secret's exclusion, to another
-- column. Refused, also
-- through an unaudited parent or ALTER TYPE ... CASCADE; other columns change
-- freely, and unaudit() / audit() around the change is the way.
CREATE TABLE acct (tenant_id text NOT NULL, id int, amount int, pw text, token text);
SELECT tenant_guard.audit('acct', '{pw,token}');
ALTER TABLE acct RENAME pw TO pw_old;
ALTER TABLE acct RENAME tenant_id TO tid;
ALTER TABLE acct DROP COLUMN tenant_id;
ALTER TABLE acct RENAME amount TO total;
ALTER TABLE acct DROP COLUMN total;
-- Dropping an excluded column takes its values with it (a new one of that name is excluded too).
ALTER TABLE acct DROP COLUMN token;
BEGIN;
SELECT tenant_guard.unaudit('acct');
ALTER TABLE acct RENAME pw TO secret;
SELECT tenant_guard.audit('acct', '{secret}');
COMMIT;
SELECT tenant_column, exclude_columns FROM tenant_guard.audited_tables WHERE table_oid = 'acct'::regclass;
CREATE TABLE pa (tenant_id text NOT NULL, id int, amount int) PARTITION BY LIST (tenant_id);
CREATE TABLE pa_a PARTITION OF pa FOR VALUES IN ('a');
SELECT tenant_guard.audit('pa_a');
ALTER TABLE pa RENAME tenant_id TO tid;
CREATE TYPE regress_invoice AS (tenant_id text, id int, status int);
CREATE TABLE invoices OF regress_invoice;
SELECT tenant_guard.audit('invoices');
ALTER TYPE regress_invoice RENAME ATTRIBUTE tenant_id TO tid CASCADE;

-- ... and a column rewrite is recorded for the audited table it reaches, also
-- from an unaudited parent, or through ALTER TYPE ... CASCADE.
SELECT max(seq) AS mark FROM tenant_guard.audit_events \gset
ALTER TABLE pa ALTER COLUMN amount TYPE bigint USING amount * 0 + 999;
ALTER TYPE regress_invoice ALTER ATTRIBUTE status TYPE bigint CASCADE;
SELECT operation, table_name, new_row ->> 'audited_table' AS audited_table, new_row ->> 'statement' AS statement
  FROM tenant_guard.audit_events WHERE seq > :mark ORDER BY seq;
DROP TABLE acct, pa, invoices;
DROP TYPE regress_invoice;

-- What no capture trigger could see is refused: a child by plain
-- inheritance (row triggers go to partitions only), a foreign-table partition
-- (rows change on another server; no TRUNCATE trigger), a temporary table, and
-- a second audited table in one partition tree (audit() would take over the
-- first one's triggers).
SET ROLE regress_tg_membership_owner;
CREATE TABLE ledger_child () INHERITS (ledger);
CREATE TABLE loose (tenant_id text NOT NULL, id int NOT NULL, note text);
ALTER TABLE loose INHERIT ledger;
CREATE TABLE ancestor (tenant_id text NOT NULL, id int NOT NULL);
ALTER TABLE loose INHERIT ancestor;
SELECT tenant_guard.audit('ancestor');
SELECT tenant_guard.audit('loose');
ALTER TABLE loose NO INHERIT ancestor;
CREATE TEMP TABLE scratchpad (tenant_id text);
SELECT tenant_guard.audit('scratchpad');
CREATE TABLE nested (tenant_id text NOT NULL, id int NOT NULL, amount numeric) PARTITION BY LIST (tenant_id);
CREATE TABLE nested_a PARTITION OF nested FOR VALUES IN ('a');
SELECT tenant_guard.audit('nested_a');
SELECT tenant_guard.audit('nested');
SELECT tenant_guard.unaudit('nested_a');
SELECT tenant_guard.audit('nested');
RESET ROLE;
CREATE FOREIGN DATA WRAPPER regress_membership_fdw;
CREATE SERVER regress_membership_server FOREIGN DATA WRAPPER regress_membership_fdw;
CREATE FOREIGN TABLE orders_far PARTITION OF orders FOR VALUES IN ('far') SERVER regress_membership_server;
CREATE FOREIGN TABLE far_away (tenant_id text NOT NULL, id int NOT NULL, amount numeric(12, 2)) SERVER regress_membership_server;
ALTER TABLE orders ATTACH PARTITION far_away FOR VALUES IN ('far');
-- (refused above by the drift guard's event trigger; replica mode skips that, not this)
SET session_replication_role = replica;
ALTER TABLE orders ATTACH PARTITION far_away FOR VALUES IN ('far');
RESET session_replication_role;
CREATE TABLE with_far (tenant_id text NOT NULL, id int NOT NULL, amount numeric(12, 2)) PARTITION BY LIST (tenant_id);
ALTER TABLE with_far ATTACH PARTITION far_away FOR VALUES IN ('far');
SELECT tenant_guard.audit('with_far');
DROP TABLE with_far;
DROP SERVER regress_membership_server;
DROP FOREIGN DATA WRAPPER regress_membership_fdw;

-- Judged on the catalogs after the statement, not on its names: ALTER
-- FOREIGN TABLE ... INHERIT, and an ATTACH of a partitioned table that holds a
-- foreign partition, are refused too.
CREATE FOREIGN DATA WRAPPER regress_membership_fdw2;
CREATE SERVER regress_membership_server2 FOREIGN DATA WRAPPER regress_membership_fdw2;
CREATE FOREIGN TABLE far_child (tenant_id text NOT NULL, id int NOT NULL, note text) SERVER regress_membership_server2;
ALTER FOREIGN TABLE far_child INHERIT ledger;
CREATE TABLE orders_mixed (tenant_id text NOT NULL, id int NOT NULL, amount numeric(12, 2)) PARTITION BY LIST (id);
CREATE FOREIGN TABLE orders_mixed_far PARTITION OF orders_mixed FOR VALUES IN (1) SERVER regress_membership_server2;
SET session_replication_role = replica;
ALTER TABLE orders ATTACH PARTITION orders_mixed FOR VALUES IN ('mixed');
RESET session_replication_role;
DROP TABLE orders_mixed;
DROP FOREIGN TABLE far_child;
DROP SERVER regress_membership_server2;
DROP FOREIGN DATA WRAPPER regress_membership_fdw2;

-- An ATTACH whose own code (a partition key's function) changes search_path
-- so that its names find other tables afterwards is refused: the trail could
-- not say which table moved.
CREATE SCHEMA regress_membership_a;
CREATE SCHEMA regress_membership_b;
CREATE FUNCTION regress_membership_a.swap_path(i int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	PERFORM set_config('search_path', 'regress_membership_b', false);
	RETURN i;
END
$$;
CREATE FUNCTION regress_membership_a.key(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS
	$$BEGIN RETURN regress_membership_a.swap_path(i); END$$;
CREATE TABLE regress_membership_a.p (id int, v text) PARTITION BY RANGE (regress_membership_a.key(id));
CREATE TABLE regress_membership_a.p1 PARTITION OF regress_membership_a.p FOR VALUES FROM (0) TO (100);
SELECT tenant_guard.audit('regress_membership_a.p');
CREATE TABLE regress_membership_a.x (id int, v text);
INSERT INTO regress_membership_a.x VALUES (150, 'smuggled');
CREATE TABLE regress_membership_b.x (id int, v text);
SET search_path = regress_membership_a, regress_membership_b;
ALTER TABLE regress_membership_a.p ATTACH PARTITION x FOR VALUES FROM (100) TO (200);
-- (refused above by the drift guard, which finds the partition without its
-- trigger; replica mode skips that, not the check of the names)
SET search_path = regress_membership_a, regress_membership_b;
SET session_replication_role = replica;
ALTER TABLE regress_membership_a.p ATTACH PARTITION x FOR VALUES FROM (100) TO (200);
RESET session_replication_role;
RESET search_path;
SELECT count(*) AS attached FROM pg_inherits WHERE inhrelid = 'regress_membership_a.x'::regclass;
DROP SCHEMA regress_membership_a, regress_membership_b CASCADE;

-- A partition made by CREATE SCHEMA's own statements (no event trigger runs
-- for them) gets its TRUNCATE trigger too, before a trigger of the same name
-- could take it; a table with such a trigger is refused at ATTACH.
CREATE FUNCTION regress_noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE SCHEMA regress_membership_s
	CREATE TABLE regress_membership_s.orders_s PARTITION OF public.orders FOR VALUES IN ('s');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'regress_membership_s.orders_s'::regclass ORDER BY 1;
CREATE SCHEMA regress_membership_t
	CREATE TABLE regress_membership_t.orders_t PARTITION OF public.orders FOR VALUES IN ('t')
	CREATE TRIGGER tenant_guard_audit_truncate AFTER TRUNCATE ON regress_membership_t.orders_t
		FOR EACH STATEMENT EXECUTE FUNCTION public.regress_noop();
CREATE TABLE orders_decoy (tenant_id text NOT NULL, id int NOT NULL, amount numeric(12, 2));
CREATE TRIGGER tenant_guard_audit_truncate AFTER TRUNCATE ON orders_decoy
	FOR EACH STATEMENT EXECUTE FUNCTION public.regress_noop();
ALTER TABLE orders ATTACH PARTITION orders_decoy FOR VALUES IN ('decoy');
SET session_replication_role = replica;
ALTER TABLE orders ATTACH PARTITION orders_decoy FOR VALUES IN ('decoy');
RESET session_replication_role;
-- ... and nobody else's DDL fails for it.
CREATE TABLE regress_unrelated (id int);
DROP TABLE regress_unrelated, orders_decoy;
DROP SCHEMA regress_membership_s CASCADE;
DROP FUNCTION regress_noop();

-- The registry is part of a dump (the capture triggers are, and need it).
SELECT 'tenant_guard.audited_tables'::regclass = ANY (extconfig) AS dumped
  FROM pg_extension WHERE extname = 'tenant_guard';

-- New partitions get the audited table's TRUNCATE trigger with its arguments
-- exactly, also for excluded columns whose names end in 0 or are not ASCII
-- (read from the registry; the arguments were once rebuilt from the parent's
-- trigger text and lost such endings, and the drift check then refused).
SET ROLE regress_tg_membership_owner;
CREATE TABLE notes (tenant_id text NOT NULL, col10 text, "prénom" text, body text) PARTITION BY LIST (tenant_id);
SELECT tenant_guard.audit('notes', exclude_columns => '{col10,prénom}');
CREATE TABLE notes_a PARTITION OF notes FOR VALUES IN ('a');
RESET ROLE;
SELECT count(DISTINCT tgargs) AS argument_lists, count(*) AS truncate_triggers FROM pg_trigger
 WHERE tgrelid IN ('notes'::regclass, 'notes_a'::regclass) AND tgname = 'tenant_guard_audit_truncate';

-- A partition whose owner cannot reach its schema detaches all the same
-- (its trigger is dropped as the extension owner).
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_tg_membership_other') THEN CREATE ROLE regress_tg_membership_other; END IF;
END
$$;
CREATE SCHEMA regress_membership_hidden;
CREATE TABLE regress_membership_hidden.orders_z PARTITION OF orders FOR VALUES IN ('z');
ALTER TABLE regress_membership_hidden.orders_z OWNER TO regress_tg_membership_other;
ALTER TABLE orders DETACH PARTITION regress_membership_hidden.orders_z;
SELECT operation, table_name FROM tenant_guard.audit_events WHERE table_name LIKE 'regress_membership_hidden.%' ORDER BY seq;
DROP SCHEMA regress_membership_hidden CASCADE;
DROP ROLE regress_tg_membership_other;

-- DROP OWNED takes the rest: the audited tables with every partition, and
-- they leave the registry.
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
