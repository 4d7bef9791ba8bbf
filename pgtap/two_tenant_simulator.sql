-- The two-tenant simulator: tenants A and B write through the application
-- role, then tenant_guard.simulate_tap() tries every read path and every write
-- path of A against B (tables, partitions, views, a SECURITY DEFINER function,
-- a foreign key, COPY, no tenant); the statements simulate() cannot derive
-- from the catalog (prepared statements, ON CONFLICT, MERGE) follow by hand.
-- pgTAP rather than pg_regress because each check is an assertion about what
-- one tenant can observe, and the whole scenario runs in one transaction that
-- is rolled back (roles included).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION tenant_guard;
CREATE EXTENSION tenant_guard_tap;

\set A '''aaaaaaaa-0000-0000-0000-00000000000a'''
\set B '''bbbbbbbb-0000-0000-0000-00000000000b'''

-- The table owner is a migration role; the application role only has DML.
CREATE ROLE tap_owner;
CREATE ROLE tap_app;
-- pgTAP keeps its state in temp tables owned by the role that calls plan().
GRANT tap_app TO tap_owner;
GRANT CREATE ON SCHEMA public TO tap_owner;

SET ROLE tap_owner;
CREATE TABLE accounts (id int PRIMARY KEY, tenant_id uuid NOT NULL, name text NOT NULL);
CREATE TABLE customers (id int, tenant_id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE orders (id int PRIMARY KEY, tenant_id uuid NOT NULL, customer_id int NOT NULL,
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers);
CREATE TABLE events (
	id int NOT NULL, tenant_id uuid NOT NULL, kind text NOT NULL
) PARTITION BY LIST (kind);
CREATE TABLE events_login PARTITION OF events FOR VALUES IN ('login');
CREATE TABLE events_other PARTITION OF events DEFAULT;
SELECT tenant_guard.protect('accounts', create_index => true);
SELECT tenant_guard.protect('events', create_index => true);
SELECT tenant_guard.protect('customers');
SELECT tenant_guard.protect('orders', create_index => true);
-- A view with the owner's rights (no security_invoker): the owner is bound by FORCE.
CREATE VIEW account_names AS SELECT name FROM accounts;
CREATE VIEW account_names_invoker WITH (security_invoker = true) AS SELECT name FROM accounts;
CREATE FUNCTION count_accounts() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	AS 'SELECT count(*) FROM public.accounts';
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, customers, orders, events, events_login, events_other TO tap_app;
GRANT SELECT ON account_names, account_names_invoker TO tap_app;
RESET ROLE;

SET ROLE tap_app;
-- 72 checks from simulate_tap() for this fixture (one of them a skip: COPY TO), 14 by hand.
SELECT plan(86);

-- Each tenant writes its own rows through the application role.
SET LOCAL app.tenant_id = :A;
INSERT INTO accounts (id, name) VALUES (1, 'a-one'), (2, 'a-two');
INSERT INTO customers (id) VALUES (1);
INSERT INTO orders (id, customer_id) VALUES (1, 1);
INSERT INTO events (id, kind) VALUES (1, 'login'), (2, 'logout');
SET LOCAL app.tenant_id = :B;
INSERT INTO accounts (id, name) VALUES (10, 'b-one'), (11, 'b-two'), (12, 'b-three');
INSERT INTO customers (id) VALUES (10);
INSERT INTO orders (id, customer_id) VALUES (10, 10);
INSERT INTO events (id, kind) VALUES (10, 'login'), (11, 'logout');

-- ---- every table, partition, view, definer function and foreign key ---------------
-- simulate() runs the checks as tap_app (SET ROLE inside); the superuser calls
-- it so that the COPY checks run too.
RESET ROLE;
SELECT * FROM tenant_guard.simulate_tap('tap_app', :A, :B, '{public}');
SET ROLE tap_app;

-- ... and it changed nothing.
SET LOCAL app.tenant_id = :B;
SELECT results_eq('SELECT id, name FROM accounts ORDER BY id',
	$$VALUES (10, 'b-one'), (11, 'b-two'), (12, 'b-three')$$,
	'after simulate(): B''s rows are exactly as B wrote them');
SELECT results_eq('SELECT id, kind FROM events ORDER BY id',
	$$VALUES (10, 'login'), (11, 'logout')$$, 'after simulate(): B''s events are untouched');
SELECT is(current_user::text, 'tap_app', 'after simulate(): the role is the caller''s again');

-- ---- statements simulate() does not derive from the catalog ----------------------
SET LOCAL app.tenant_id = :A;
-- A prepared statement reused across tenants, also as a generic plan.
PREPARE account_names_q AS SELECT name FROM accounts ORDER BY id;
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT results_eq('account_names_q', ARRAY['a-one', 'a-two'], 'prepared statement as A');
SET LOCAL app.tenant_id = :B;
SELECT results_eq('account_names_q', ARRAY['b-one', 'b-two', 'b-three'],
	'the same prepared statement as B sees only B');
SET LOCAL app.tenant_id = :A;
SELECT results_eq('account_names_q', ARRAY['a-one', 'a-two'], 'and as A again');
RESET plan_cache_mode;

-- RETURNING shows only rows A may see.
WITH touched AS (UPDATE accounts SET name = name RETURNING tenant_id)
SELECT is(array_agg(DISTINCT tenant_id::text), ARRAY[:A], 'UPDATE ... RETURNING returns only A''s rows')
  FROM touched;

SELECT throws_ok('INSERT INTO accounts (id, name) VALUES (10, ''taken'')
                  ON CONFLICT (id) DO UPDATE SET name = ''overwritten''',
	'42501', NULL, 'INSERT ... ON CONFLICT DO UPDATE cannot reach B''s row');
WITH ins AS (INSERT INTO accounts (id, name) VALUES (11, 'taken') ON CONFLICT (id) DO NOTHING RETURNING 1)
SELECT is(count(*)::int, 0, 'INSERT ... ON CONFLICT DO NOTHING leaves B''s row alone') FROM ins;
SELECT lives_ok('MERGE INTO accounts t USING (VALUES (12)) AS s(id) ON t.id = s.id
                 WHEN MATCHED THEN UPDATE SET name = ''merged''',
	'MERGE matching B''s key runs ...');
SELECT throws_ok(format('MERGE INTO accounts t USING (VALUES (30)) AS s(id) ON t.id = s.id
                         WHEN NOT MATCHED THEN INSERT (id, tenant_id, name) VALUES (30, %L, %L)', :B, 'merged'),
	'42501', NULL, 'MERGE inserting a row for B fails');
SELECT throws_ok(format('UPDATE events SET tenant_id = %L, kind = %L WHERE id = 1', :B, 'logout'),
	'42501', NULL, 'moving A''s row to B and to another partition fails');
SET LOCAL app.tenant_id = :B;
SELECT results_eq('SELECT id, name FROM accounts ORDER BY id',
	$$VALUES (10, 'b-one'), (11, 'b-two'), (12, 'b-three')$$,
	'... and B''s rows are exactly as B wrote them');
SET LOCAL app.tenant_id = 'not-a-uuid';
SELECT throws_ok('SELECT * FROM accounts', '42501', 'tenant setting "app.tenant_id" is not a valid uuid tenant',
	'a malformed tenant is an error');

SELECT * FROM finish();
ROLLBACK;
