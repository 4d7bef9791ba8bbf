-- Drift detected from contents, repaired by protect(); default deny with
-- declare_global(); protect_new_tables; the guard stands on the registry.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_dd_owner;
CREATE ROLE regress_dd_other;
GRANT CREATE ON SCHEMA public TO regress_dd_owner, regress_dd_other;
SELECT tenant_guard.create_app_role('regress_dd_app');
SET ROLE regress_dd_owner;
CREATE TABLE docs (id int, tenant_id text NOT NULL, body text);
CREATE INDEX ON docs (tenant_id);
SELECT tenant_guard.protect('docs');
GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO regress_dd_app;
BEGIN;
SET LOCAL app.tenant_id = 'a';
INSERT INTO docs VALUES (1, 'a', 'mine');
SET LOCAL app.tenant_id = 'b';
INSERT INTO docs VALUES (2, 'b', 'secret');
COMMIT;

-- The session guard asks the registry, not a policy name: renaming our policy
-- away changes nothing, and a look-alike policy on another table protects nothing.
BEGIN;
SELECT tenant_guard.allow_drift('docs', 'regression test: rename');
ALTER POLICY tenant_guard_select ON docs RENAME TO docs_read;
COMMIT;
RESET ROLE;
SELECT code, object FROM tenant_guard.check() WHERE object ~ 'docs';
SET ROLE regress_dd_app;
SELECT count(*) FROM docs;
RESET ROLE;
CREATE TABLE lookalike (tenant_id text);
CREATE POLICY tenant_guard_select ON lookalike USING (true);
GRANT SELECT ON lookalike TO regress_dd_app;
SET ROLE regress_dd_app;
SELECT count(*) FROM lookalike;
RESET ROLE;
SET ROLE regress_dd_owner;

-- Contents drift (on purpose), then protect() repairs each piece.
BEGIN;
SELECT tenant_guard.allow_drift('docs', 'regression test: drift to repair');
ALTER POLICY docs_read ON docs USING (true);
CREATE POLICY tenant_guard_insert_2 ON docs FOR INSERT WITH CHECK (true);
ALTER POLICY tenant_guard_update ON docs TO regress_dd_app;
ALTER TABLE docs RENAME COLUMN tenant_id TO org_id;
COMMIT;
RESET ROLE;
SELECT severity, code, object, message FROM tenant_guard.check()
 WHERE object ~ 'docs' ORDER BY code, object;
-- Drift let through allow_drift is real: the widened policy shows tenant b's
-- row. That is why check() reports it and protect() repairs it.
SET ROLE regress_dd_app;
BEGIN;
SET LOCAL app.tenant_id = 'a';
SELECT org_id FROM docs ORDER BY 1;
ROLLBACK;
SET ROLE regress_dd_owner;
-- Widening policies are not protect()'s, whatever their name (docs_read was
-- ours before it changed): protect() does not keep them silently.
SELECT tenant_guard.protect('docs');
BEGIN;
SELECT tenant_guard.allow_drift('docs', 'regression test: drop the widening policies');
DROP POLICY tenant_guard_insert_2 ON docs;
DROP POLICY docs_read ON docs;
COMMIT;
-- protect() follows the renamed column (by either name) and recreates what differs.
SELECT tenant_guard.protect('docs');
SELECT tenant_column FROM tenant_guard.protection WHERE table_oid = 'docs'::regclass;
SELECT polname, polcmd, polroles::regrole[], pg_get_expr(polqual, polrelid) AS using_expr
  FROM pg_policy WHERE polrelid = 'docs'::regclass ORDER BY polcmd, polname;
RESET ROLE;
SELECT code, object FROM tenant_guard.check() WHERE object ~ 'docs';
SET ROLE regress_dd_app;
BEGIN;
SET LOCAL app.tenant_id = 'a';
SELECT org_id FROM docs ORDER BY 1;
ROLLBACK;
SET ROLE regress_dd_owner;

-- NULL tenants are counted with row-level security off: the policies would hide them.
BEGIN;
SELECT tenant_guard.allow_drift('docs', 'regression test: allow NULL tenants');
ALTER TABLE docs ALTER COLUMN org_id DROP NOT NULL, ALTER COLUMN org_id DROP DEFAULT;
COMMIT;
RESET ROLE;
INSERT INTO docs VALUES (3, NULL, 'orphan');
SET ROLE regress_dd_owner;
SELECT tenant_guard.protect('docs', 'org_id');
RESET ROLE;
DELETE FROM docs WHERE org_id IS NULL;
SET ROLE regress_dd_owner;
SELECT tenant_guard.protect('docs', 'org_id');

-- A partition owned by another role does not stop protect(): it is protected as its owner.
CREATE TABLE events (tenant_id text NOT NULL, id int) PARTITION BY LIST (tenant_id);
CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');
RESET ROLE;
ALTER TABLE events_a OWNER TO regress_dd_other;
SET ROLE regress_dd_owner;
SELECT tenant_guard.protect('events', create_index => true);
SELECT table_name, rls_forced, policies FROM tenant_guard.protected_tables
 WHERE table_name::text ~ 'events' ORDER BY 1;
RESET ROLE;

-- Default deny: what an app role can reach is protected or declared global.
CREATE TABLE currencies (code text PRIMARY KEY);
CREATE UNLOGGED TABLE scratch (tenant_id text, n int);
CREATE MATERIALIZED VIEW doc_counts AS SELECT 1 AS n;
CREATE TABLE docs_copy AS SELECT id, body FROM docs WHERE false;
CREATE TABLE history_parent (tenant_id text, at timestamptz);
GRANT SELECT ON currencies, scratch, doc_counts, docs_copy, history_parent TO regress_dd_app;
SELECT severity, code, object, message FROM tenant_guard.check()
 WHERE code = 'unprotected-relation' ORDER BY object;
SELECT tenant_guard.declare_global('currencies', 'ISO 4217 codes, the same for every tenant');
SELECT tenant_guard.declare_global('currencies', '');
SELECT tenant_guard.declare_global('docs', 'not really');
SET ROLE regress_dd_app;
SELECT tenant_guard.declare_global('scratch', 'the app would like it so');
RESET ROLE;
SELECT table_oid, reason, declared_by FROM tenant_guard.global_relation;
SELECT object FROM tenant_guard.check() WHERE code = 'unprotected-relation' ORDER BY object;
DROP TABLE currencies;
SELECT count(*) FROM tenant_guard.global_relation;

-- Per-database and per-role overrides, default privileges for app roles.
ALTER ROLE regress_dd_other SET tenant_guard.guard = off;
ALTER ROLE regress_dd_other SET tenant_guard.exempt_superusers = off;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_dd_owner GRANT SELECT, UPDATE ON TABLES TO regress_dd_app;
SELECT severity, code, object, message FROM tenant_guard.check()
 WHERE code IN ('setting-override', 'default-privileges-app-role') ORDER BY code, object;
ALTER ROLE regress_dd_other RESET ALL;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_dd_owner REVOKE ALL ON TABLES FROM regress_dd_app;

-- protect_new_tables: a copy or a re-created table in a protected schema is protected at once.
SET tenant_guard.protect_new_tables = on;
SET ROLE regress_dd_owner;
CREATE TABLE docs_like (LIKE docs);
CREATE TABLE docs_tenanted AS SELECT 1 AS id, 'a'::text AS org_id;
CREATE TABLE docs_untenanted (id int);
RESET ROLE;
CREATE TEMP TABLE docs_temp (org_id text);
SELECT table_name, tenant_column FROM tenant_guard.protected_tables
 WHERE table_name::text ~ '^docs' ORDER BY 1;
RESET tenant_guard.protect_new_tables;
SET ROLE regress_dd_owner;
SET tenant_guard.protect_new_tables = on;
RESET ROLE;

DROP TABLE docs, docs_like, docs_tenanted, docs_untenanted, docs_copy, events, lookalike,
	scratch, history_parent;
DROP MATERIALIZED VIEW doc_counts;
DROP EXTENSION tenant_guard;
REVOKE CREATE ON SCHEMA public FROM regress_dd_owner, regress_dd_other;
DROP ROLE regress_dd_app;
DROP ROLE regress_dd_owner;
DROP ROLE regress_dd_other;
