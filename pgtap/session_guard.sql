-- The session guard, the signed tenant context and the outbox assertions, as
-- an application role sees them. pgTAP: each check is an assertion about what
-- the role may do; the whole file is one transaction, rolled back at the end.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION tenant_guard;

\o /dev/null
CREATE ROLE tap_guard_app;
CREATE TABLE ledger (id int, tenant_id text NOT NULL, amount int);
CREATE TABLE ledger_empty (id int, tenant_id text NOT NULL);
CREATE TABLE outbox (id serial, tenant_id text NOT NULL, payload jsonb NOT NULL);
SELECT tenant_guard.protect('ledger', create_index => true);
SELECT tenant_guard.protect('ledger_empty', create_index => true);
SELECT tenant_guard.protect('outbox', create_index => true);
SELECT tenant_guard.protect_outbox('outbox', 'payload', 'tenant');
CREATE VIEW ledger_view WITH (security_invoker = true) AS SELECT id FROM ledger;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ledger, ledger_empty, outbox TO tap_guard_app;
GRANT USAGE ON SEQUENCE outbox_id_seq TO tap_guard_app;
GRANT SELECT ON ledger_view TO tap_guard_app;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO ledger VALUES (1, 'acme', 10);
SET LOCAL app.tenant_id = 'globex';
INSERT INTO ledger VALUES (2, 'globex', 20);
-- A token minted now, while we are superuser (the test cluster has signing keys).
CREATE TEMP TABLE token AS SELECT tenant_guard.mint_token('acme') AS acme;
GRANT SELECT ON token TO tap_guard_app;
SET LOCAL app.tenant_id = '';

\o
SET ROLE tap_guard_app;
SELECT plan(18);

-- ---- no tenant, every path ---------------------------------------------------
SELECT throws_ok('SELECT * FROM ledger_empty', '42501', 'tenant setting "app.tenant_id" is not set',
	'an empty protected table is an error, not an empty answer');
SELECT throws_ok('SELECT * FROM ledger WHERE false', '42501', NULL,
	'a query that would read nothing is refused too');
SELECT throws_ok('SELECT * FROM ledger_view', '42501', NULL, 'a view is refused');
SELECT throws_ok('UPDATE ledger_empty SET id = 1', '42501', NULL, 'an UPDATE is refused');
SELECT throws_ok('TRUNCATE ledger_empty', '42501', NULL, 'TRUNCATE of a protected table is refused');

-- ---- session-level tenants ----------------------------------------------------
SELECT throws_ok('SET app.tenant_id = ''acme''', '42501',
	'SET app.tenant_id without LOCAL is refused', 'a session-level SET is refused');
SELECT lives_ok('SET LOCAL app.tenant_id = ''acme''', 'SET LOCAL is the supported form');
SELECT results_eq('SELECT id FROM ledger', ARRAY[1], 'and then only acme''s rows are seen');
SELECT set_config('app.tenant_id', 'globex', false) \g /dev/null
SELECT throws_ok('SELECT id FROM ledger', '42501',
	'tenant setting "app.tenant_id" was set for the session, not the transaction',
	'set_config(..., false) is refused when the tenant is used');
SELECT lives_ok('SELECT set_config(''app.tenant_id'', ''globex'', true)',
	'set_config(..., true) is the supported form for drivers');
SELECT results_eq('SELECT id FROM ledger', ARRAY[2], 'and then only globex''s rows are seen');
SELECT throws_ok('SET LOCAL app.tenant_id = E''acme\n''', '22023', NULL,
	'a value that cannot be a tenant is refused when SET');

-- ---- signed tenant context --------------------------------------------------
SELECT is(tenant_guard.set_tenant(acme), 'acme', 'a signed token sets the tenant') FROM token;
SELECT results_eq('SELECT id FROM ledger', ARRAY[1], 'and then only acme''s rows are seen');
SELECT throws_ok(format('SELECT tenant_guard.set_tenant(%L)', replace(acme, '.', '..')), '28000',
	NULL, 'a malformed token is refused') FROM token;

-- ---- outbox -------------------------------------------------------------------
SELECT lives_ok('INSERT INTO outbox (payload) VALUES (''{"tenant": "acme"}'')',
	'an event of the current tenant is written');
SELECT throws_ok('INSERT INTO outbox (payload) VALUES (''{"tenant": "globex"}'')', '42501', NULL,
	'an event naming another tenant aborts');
SELECT throws_ok('SELECT tenant_guard.assert_tenant(''globex''::text)', '42501', NULL,
	'assert_tenant refuses another tenant');

SELECT * FROM finish();
ROLLBACK;
