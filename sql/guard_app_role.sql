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

-- Only whoever may administer a role registers it, else any role could register
-- the migration role (or a superuser) and make check()'s errors, and
-- assert_intact(), fail every migration. The registry is not writable by PUBLIC;
-- _register_app_role() refuses powerful roles and callers that may not
-- administer the role (superuser, CREATEROLE, or ADMIN OPTION on it).
CREATE ROLE regress_tg_nobody;
CREATE ROLE regress_tg_migrator;
CREATE ROLE regress_tg_roleadmin CREATEROLE;
CREATE ROLE regress_tg_lead;
CREATE ROLE regress_tg_worker;
CREATE ROLE regress_tg_helper;
GRANT regress_tg_worker TO regress_tg_lead WITH ADMIN OPTION;
ALTER TABLE countries OWNER TO regress_tg_migrator;
SET ROLE regress_tg_nobody;
INSERT INTO tenant_guard.app_roles (role_name) VALUES ('regress_tg_migrator');
INSERT INTO tenant_guard.app_roles (role_name) VALUES (current_user);
SELECT tenant_guard._register_app_role('regress_tg_migrator');
SELECT tenant_guard.create_app_role('regress_tg_migrator');
SELECT tenant_guard._register_app_role('regress_tg_nobody');
SELECT tenant_guard._register_app_role('regress_tg_admin');
SELECT tenant_guard._register_app_role('regress_tg_missing');
SELECT tenant_guard._register_app_role(NULL);
RESET ROLE;
-- ADMIN OPTION on the role is enough, for that role only.
SET ROLE regress_tg_lead;
SELECT tenant_guard._register_app_role('regress_tg_worker');
SELECT tenant_guard._register_app_role('regress_tg_migrator');
RESET ROLE;
-- CREATEROLE administers every role that is not a superuser.
SET ROLE regress_tg_roleadmin;
SELECT tenant_guard._register_app_role('regress_tg_helper');
RESET ROLE;
-- Not even a superuser registers a powerful role.
SELECT tenant_guard._register_app_role('regress_tg_admin');
SELECT role_name FROM tenant_guard.app_roles ORDER BY 1;
-- The migration role was never registered: check() has nothing to say about it.
SELECT count(*) FROM tenant_guard.check() WHERE code = 'app-role-too-powerful';
ALTER TABLE countries OWNER TO CURRENT_USER;

DROP TABLE invoices, events, countries;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_web;
DROP ROLE regress_tg_web;
DROP ROLE regress_tg_admin;
DROP ROLE regress_tg_nobody, regress_tg_migrator, regress_tg_roleadmin, regress_tg_lead,
	regress_tg_worker, regress_tg_helper;
