-- Only a tenant given explicitly in this transaction counts. SET LOCAL ...
-- TO DEFAULT and RESET bring back a startup option, and FROM CURRENT copies
-- a leftover session value: neither may become the transaction's tenant, and
-- with require_signed neither may bypass the token. SHOW and
-- current_setting() display such values as ''.
\set super :USER
CREATE EXTENSION tenant_guard;
CREATE TABLE accounts (id int, tenant_id text NOT NULL, name text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.create_app_role('regress_tg_source_app', login => true);
INSERT INTO accounts VALUES (1, 'acme', 'Wile'), (2, 'globex', 'Hank');

-- A client whose startup packet carries a tenant (PGOPTIONS, a pooler's).
\set conn 'dbname=' :DBNAME ' user=regress_tg_source_app options=''-c app.tenant_id=globex'''
\c :conn
SHOW app.tenant_id;
SELECT current_setting('app.tenant_id') AS shown, tenant_guard.current_tenant() AS tenant;
SELECT name FROM accounts;
BEGIN;
SET LOCAL app.tenant_id TO DEFAULT;
SELECT name FROM accounts;
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
RESET app.tenant_id;
SELECT name FROM accounts;
ROLLBACK;
-- An explicit value still works, and SHOW shows it.
BEGIN;
SET LOCAL app.tenant_id = 'acme';
SHOW app.tenant_id;
SELECT name FROM accounts;
ROLLBACK;

-- A session-level value left by an earlier transaction (another pooled client).
\set conn 'dbname=' :DBNAME ' user=regress_tg_source_app'
\c :conn
SELECT set_config('app.tenant_id', 'globex', false) IS NOT NULL AS left_behind;
SELECT current_setting('app.tenant_id') AS shown;
BEGIN;
SET LOCAL app.tenant_id FROM CURRENT;
SELECT name FROM accounts;
ROLLBACK;

-- With require_signed, TO DEFAULT does not bypass the token.
\c - :super
ALTER ROLE regress_tg_source_app SET tenant_guard.require_signed = on;
\set conn 'dbname=' :DBNAME ' user=regress_tg_source_app options=''-c app.tenant_id=globex'''
\c :conn
SHOW tenant_guard.require_signed;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id TO DEFAULT;
SELECT name FROM accounts;
ROLLBACK;

\c - :super
ALTER ROLE regress_tg_source_app RESET tenant_guard.require_signed;
DROP TABLE accounts;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_source_app;
DROP ROLE regress_tg_source_app;
