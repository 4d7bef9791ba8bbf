-- EXPLAIN ANALYZE counts the rows the policies removed ("Rows Removed by
-- Filter"), which tells one tenant how many rows the others have: refused
-- on protected tables for application roles. Plain EXPLAIN stays.
CREATE EXTENSION tenant_guard;
CREATE TABLE accounts (id int, tenant_id text NOT NULL, name text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.create_app_role('regress_tg_explain_app');
INSERT INTO accounts SELECT g, CASE WHEN g <= 2 THEN 'acme' ELSE 'globex' END, 'n' || g
  FROM generate_series(1, 50) g;
ANALYZE accounts;
CREATE FUNCTION account_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM accounts';

SET ROLE regress_tg_explain_app;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT name FROM accounts;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT name FROM accounts;
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
EXPLAIN (ANALYZE true, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT account_count();
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
EXPLAIN (ANALYZE off, COSTS OFF) SELECT name FROM accounts WHERE id = 1;
-- An EXPLAIN ANALYZE refused inside a caught error leaves later statements alone.
DO $$
BEGIN
	EXECUTE 'EXPLAIN ANALYZE SELECT * FROM accounts';
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'refused: %', SQLERRM;
END $$;
SELECT count(*) FROM accounts;
-- Tables without tenants are not affected.
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1;
ROLLBACK;
RESET ROLE;

DROP FUNCTION account_count();
DROP TABLE accounts;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_explain_app;
DROP ROLE regress_tg_explain_app;
