-- The session guard: no statement on a protected table runs without a tenant
-- set in its own transaction, whatever path it takes; session-level tenants
-- are refused; exempt roles may work without one.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_tg_app;
CREATE ROLE regress_tg_migrator BYPASSRLS;
CREATE ROLE regress_tg_maintenance;
CREATE TABLE accounts (id int PRIMARY KEY, tenant_id text NOT NULL, name text);
CREATE TABLE empty_accounts (id int, tenant_id text NOT NULL);
CREATE TABLE regions (tenant_id text NOT NULL, code text) PARTITION BY LIST (code);
CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('eu');
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.protect('empty_accounts', create_index => true);
SELECT tenant_guard.protect('regions', create_index => true);
CREATE VIEW account_names WITH (security_invoker = true) AS SELECT name FROM accounts;
CREATE FUNCTION account_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM accounts';
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON accounts, empty_accounts, regions, regions_eu
	TO regress_tg_app, regress_tg_migrator, regress_tg_maintenance;
GRANT SELECT ON account_names TO regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO accounts VALUES (1, 'acme', 'Wile'), (2, 'acme', 'Road');
SET LOCAL app.tenant_id = 'globex';
INSERT INTO accounts VALUES (3, 'globex', 'Hank');
COMMIT;

SET ROLE regress_tg_app;
-- Without a tenant every path fails before touching data, even where the
-- policy would never be evaluated (an empty table, WHERE false).
SELECT * FROM empty_accounts;
SELECT * FROM accounts WHERE false;
SELECT * FROM account_names;
SELECT account_count();
SELECT * FROM regions_eu;
COPY accounts TO STDOUT;
WITH a AS (SELECT id FROM accounts) SELECT count(*) FROM a;
MERGE INTO empty_accounts t USING (VALUES (1)) s(id) ON t.id = s.id
	WHEN MATCHED THEN DELETE;
DELETE FROM empty_accounts;
-- With one, all of them work.
BEGIN;
SET LOCAL app.tenant_id = 'acme';
SELECT name FROM account_names ORDER BY 1;
SELECT account_count();
COPY (SELECT id FROM accounts ORDER BY id) TO STDOUT;
COMMIT;

-- Session-level tenants are refused at SET time ...
SET app.tenant_id = 'acme';
SET SESSION app.tenant_id = 'acme';
-- ... set_config(..., false) cannot be caught there, so it is refused at use ...
BEGIN;
SELECT set_config('app.tenant_id', 'acme', false);
SELECT count(*) FROM accounts;
ROLLBACK;
-- ... and a value from an earlier transaction is ignored.
SELECT set_config('app.tenant_id', 'acme', false);
SELECT count(*) FROM accounts;
SELECT tenant_guard.current_tenant() IS NULL AS ignored;
RESET app.tenant_id;
-- Values that cannot be a tenant are refused when SET.
BEGIN;
SET LOCAL app.tenant_id = E'ac\nme';
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = '  acme';
ROLLBACK;
-- A default tenant for a role or database is refused.
RESET ROLE;
ALTER ROLE regress_tg_app SET app.tenant_id = 'acme';
ALTER DATABASE contrib_regression SET app.tenant_id = 'acme';
-- The guard's switches are for superusers.
SET ROLE regress_tg_app;
SET tenant_guard.guard = off;
SET tenant_guard.session_tenant = reset;
RESET ROLE;

-- session_tenant = reset: a session-level SET works in its own transaction only.
SET tenant_guard.session_tenant = reset;
SET ROLE regress_tg_app;
BEGIN;
SET app.tenant_id = 'globex';
SELECT count(*) FROM accounts;
COMMIT;
SELECT count(*) FROM accounts;
RESET app.tenant_id;
RESET ROLE;
RESET tenant_guard.session_tenant;

-- TRUNCATE is refused on protected tables (RLS does not apply to it), also
-- where it reaches them through a partitioned parent or CASCADE.
SET ROLE regress_tg_app;
TRUNCATE empty_accounts;
RESET ROLE;
CREATE TABLE currencies (code text PRIMARY KEY);
CREATE TABLE payments (id int, tenant_id text NOT NULL, currency text REFERENCES currencies,
	PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('payments');
INSERT INTO currencies VALUES ('EUR');
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO payments VALUES (1, 'acme', 'EUR');
COMMIT;
GRANT TRUNCATE ON currencies, payments TO regress_tg_app;
SET ROLE regress_tg_app;
TRUNCATE currencies CASCADE;
TRUNCATE regions;
TRUNCATE ONLY currencies;
RESET ROLE;
SELECT count(*) AS payments_left FROM payments;
DROP TABLE payments, currencies;

-- Exempt roles pass the guard; row-level security still binds them unless they
-- have BYPASSRLS, so without one the policies (or an index key) still need a tenant.
SET tenant_guard.exempt_roles = 'regress_tg_migrator, regress_tg_maintenance';
SET ROLE regress_tg_migrator;
SELECT count(*) FROM accounts;
TRUNCATE empty_accounts;
RESET ROLE;
SET ROLE regress_tg_maintenance;
SELECT count(*) FROM empty_accounts;
SELECT count(*) FROM accounts;
RESET ROLE;
RESET tenant_guard.exempt_roles;
-- Superusers are exempt unless told otherwise.
SELECT count(*) FROM accounts;
-- ... but not on behalf of another role: a SECURITY DEFINER function owned by
-- a superuser still needs the caller's tenant (it used to count every tenant's rows).
CREATE FUNCTION definer_account_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	AS 'SELECT count(*) FROM accounts';
GRANT EXECUTE ON FUNCTION definer_account_count() TO regress_tg_app;
SET ROLE regress_tg_app;
SELECT definer_account_count();
RESET ROLE;
SET tenant_guard.exempt_roles = 'regress_tg_app';
SET ROLE regress_tg_app;
SELECT definer_account_count() AS exempt_caller;
RESET ROLE;
RESET tenant_guard.exempt_roles;
DROP FUNCTION definer_account_count();
SET tenant_guard.exempt_superusers = off;
SELECT count(*) FROM accounts;
RESET tenant_guard.exempt_superusers;

-- The guard can be switched off by a superuser; then an empty table answers
-- silently again, which is why it is on by default.
SET tenant_guard.guard = off;
SET ROLE regress_tg_app;
SELECT * FROM empty_accounts;
RESET ROLE;
RESET tenant_guard.guard;

DROP VIEW account_names;
DROP FUNCTION account_count();
DROP TABLE accounts, empty_accounts, regions;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
DROP ROLE regress_tg_migrator;
DROP ROLE regress_tg_maintenance;
