-- The two-tenant simulator: tenants A and B write through the application
-- role, then A tries every read path and every write path against B.
-- pgTAP rather than pg_regress because each check is an assertion about
-- what one tenant can observe, and the whole scenario runs in one
-- transaction that is rolled back (roles included).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION tenant_guard;

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
CREATE TABLE events (
	id int NOT NULL, tenant_id uuid NOT NULL, kind text NOT NULL
) PARTITION BY LIST (kind);
CREATE TABLE events_login PARTITION OF events FOR VALUES IN ('login');
CREATE TABLE events_other PARTITION OF events DEFAULT;
SELECT tenant_guard.protect('accounts', create_index => true);
SELECT tenant_guard.protect('events', create_index => true);
-- A view with the owner's rights (no security_invoker): the owner is bound by FORCE.
CREATE VIEW account_names AS SELECT name FROM accounts;
CREATE VIEW account_names_invoker WITH (security_invoker = true) AS SELECT name FROM accounts;
CREATE FUNCTION count_accounts() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	AS 'SELECT count(*) FROM public.accounts';
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, events, events_login, events_other TO tap_app;
GRANT SELECT ON account_names, account_names_invoker TO tap_app;
RESET ROLE;

SET ROLE tap_app;
SELECT plan(36);

-- Each tenant writes its own rows through the application role.
SET LOCAL app.tenant_id = :A;
INSERT INTO accounts (id, name) VALUES (1, 'a-one'), (2, 'a-two');
INSERT INTO events (id, kind) VALUES (1, 'login'), (2, 'logout');
SET LOCAL app.tenant_id = :B;
INSERT INTO accounts (id, name) VALUES (10, 'b-one'), (11, 'b-two'), (12, 'b-three');
INSERT INTO events (id, kind) VALUES (10, 'login'), (11, 'logout');

-- ---- read paths, as A -------------------------------------------------------
SET LOCAL app.tenant_id = :A;
SELECT results_eq('SELECT name FROM accounts ORDER BY id', ARRAY['a-one', 'a-two'],
	'table: A reads only its rows');
SELECT results_eq('SELECT id FROM events ORDER BY id', ARRAY[1, 2],
	'partitioned table: A reads only its rows');
SELECT results_eq('SELECT id FROM events_login', ARRAY[1],
	'partition named directly: A reads only its rows');
SELECT results_eq('SELECT id FROM ONLY events_other', ARRAY[2],
	'default partition named directly: A reads only its rows');
SELECT results_eq('SELECT name FROM account_names ORDER BY 1', ARRAY['a-one', 'a-two'],
	'view with the owner''s rights: A reads only its rows');
SELECT results_eq('SELECT name FROM account_names_invoker ORDER BY 1', ARRAY['a-one', 'a-two'],
	'security_invoker view: A reads only its rows');
SELECT is(count_accounts(), 2::bigint, 'SECURITY DEFINER function: counts only A''s rows');
SELECT results_eq('SELECT count(*)::int FROM accounts WHERE id >= 10', ARRAY[0],
	'B''s keys are invisible to A even when asked for by key');
SELECT results_eq('SELECT count(*)::int FROM accounts a JOIN events e USING (tenant_id)', ARRAY[4],
	'joins see only A on both sides');

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

-- ---- write paths, as A against B ---------------------------------------------
SELECT throws_ok(format('INSERT INTO accounts (id, tenant_id, name) VALUES (20, %L, %L)', :B, 'forged'),
	'42501', NULL, 'INSERT of a row for B fails');
SELECT throws_ok(format('INSERT INTO events (id, tenant_id, kind) VALUES (20, %L, %L)', :B, 'login'),
	'42501', NULL, 'INSERT for B into a partitioned table fails');
SELECT throws_ok(format('INSERT INTO events_login (id, tenant_id, kind) VALUES (21, %L, %L)', :B, 'login'),
	'42501', NULL, 'INSERT for B straight into a partition fails');
WITH changed AS (UPDATE accounts SET name = 'hacked' WHERE id = 10 RETURNING 1)
SELECT is(count(*)::int, 0, 'UPDATE of B''s row by key affects nothing') FROM changed;
SELECT throws_ok(format('UPDATE accounts SET tenant_id = %L WHERE id = 1', :B),
	'42501', NULL, 'moving A''s row to B fails');
WITH gone AS (DELETE FROM accounts WHERE id IN (10, 11, 12) RETURNING 1)
SELECT is(count(*)::int, 0, 'DELETE of B''s rows affects nothing') FROM gone;
WITH gone AS (DELETE FROM events_login WHERE id = 10 RETURNING 1)
SELECT is(count(*)::int, 0, 'DELETE of B''s row in a partition affects nothing') FROM gone;
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

-- ---- B is untouched -------------------------------------------------------------
SET LOCAL app.tenant_id = :B;
SELECT results_eq('SELECT id, name FROM accounts ORDER BY id',
	$$VALUES (10, 'b-one'), (11, 'b-two'), (12, 'b-three')$$,
	'... and B''s rows are exactly as B wrote them');
SELECT results_eq('SELECT id, kind FROM events ORDER BY id',
	$$VALUES (10, 'login'), (11, 'logout')$$, 'B''s events are untouched');

-- ---- no tenant: an error, never an empty answer ---------------------------------
SET LOCAL app.tenant_id = '';
SELECT throws_ok('SELECT * FROM accounts', '42501', 'tenant setting "app.tenant_id" is not set',
	'reading with no tenant is an error');
SELECT throws_ok('SELECT * FROM events_login', '42501', 'tenant setting "app.tenant_id" is not set',
	'reading a partition with no tenant is an error');
SELECT throws_ok('SELECT * FROM account_names', '42501', NULL,
	'reading a view with no tenant is an error');
SELECT throws_ok('INSERT INTO accounts (id, name) VALUES (40, ''x'')', '42501', NULL,
	'writing with no tenant is an error');
SET LOCAL app.tenant_id = 'not-a-uuid';
SELECT throws_ok('SELECT * FROM accounts', '42501', 'tenant setting "app.tenant_id" is not a valid uuid tenant',
	'a malformed tenant is an error');

-- ---- FORCE: the owner is bound too -----------------------------------------------
RESET ROLE;
SET ROLE tap_owner;
SET LOCAL app.tenant_id = :A;
SELECT results_eq('SELECT count(*)::int FROM accounts', ARRAY[2], 'the table owner sees only A''s rows');
SELECT throws_ok(format('INSERT INTO accounts (id, tenant_id, name) VALUES (50, %L, %L)', :B, 'owner'),
	'42501', NULL, 'the table owner cannot write B''s rows');
SET LOCAL app.tenant_id = '';
SELECT throws_ok('SELECT count(*) FROM accounts', '42501', NULL,
	'the table owner gets an error without a tenant');
SET LOCAL app.tenant_id = :B;
SELECT results_eq('SELECT count(*)::int FROM accounts', ARRAY[3], 'the table owner as B sees B''s rows');

SELECT * FROM finish();
ROLLBACK;
