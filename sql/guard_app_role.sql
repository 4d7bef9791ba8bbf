-- The runtime role split: tenant_guard.create_app_role() makes a role with DML
-- on protected tables only; check() holds application roles to that.
CREATE EXTENSION tenant_guard;
CREATE TABLE invoices (id bigserial PRIMARY KEY, tenant_id int NOT NULL, total numeric);
CREATE TABLE events (tenant_id int NOT NULL, kind text) PARTITION BY LIST (kind);
CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');
CREATE TABLE countries (code text);
SELECT tenant_guard.protect('invoices', create_index => true);
SELECT tenant_guard.protect('events', create_index => true);

SELECT tenant_guard.create_app_role('regress_tg_web', login => true);
SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole
  FROM pg_roles WHERE rolname = 'regress_tg_web';
SELECT c.relname, has_table_privilege('regress_tg_web', c.oid, 'SELECT, INSERT, UPDATE, DELETE') AS dml,
       has_table_privilege('regress_tg_web', c.oid, 'TRUNCATE') AS truncate
  FROM pg_class c WHERE c.relname IN ('invoices', 'events', 'events_a', 'countries') ORDER BY 1;
SELECT has_sequence_privilege('regress_tg_web', 'invoices_id_seq', 'USAGE') AS sequence_usage;
-- Idempotent: a second call grants again and changes nothing else.
SELECT tenant_guard.create_app_role('regress_tg_web');
SELECT role_name FROM tenant_guard.app_roles;

-- The role works through the policies, with a tenant.
SET ROLE regress_tg_web;
BEGIN;
SET LOCAL app.tenant_id = '7';
INSERT INTO invoices (total) VALUES (10) RETURNING tenant_id, total;
COMMIT;
CREATE TABLE mine (id int);
RESET ROLE;

-- Roles that can do more are refused.
CREATE ROLE regress_tg_admin BYPASSRLS;
SELECT tenant_guard.create_app_role('regress_tg_admin');
SELECT tenant_guard.create_app_role(NULL);

-- check() reports application roles that own objects or may create them.
SELECT code, object FROM tenant_guard.check() WHERE code = 'app-role-too-powerful';
ALTER TABLE countries OWNER TO regress_tg_web;
GRANT CREATE ON SCHEMA public TO regress_tg_web;
SELECT code, object, message FROM tenant_guard.check() WHERE code = 'app-role-too-powerful' ORDER BY message;
ALTER TABLE countries OWNER TO CURRENT_USER;
REVOKE CREATE ON SCHEMA public FROM regress_tg_web;
SELECT count(*) FROM tenant_guard.check() WHERE code = 'app-role-too-powerful';

DROP TABLE invoices, events, countries;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_web;
DROP ROLE regress_tg_web;
DROP ROLE regress_tg_admin;
