-- tenant_guard.protect_schema(): every table of a schema with the tenant column.
CREATE EXTENSION tenant_guard;
CREATE SCHEMA app;
CREATE TABLE app.users (id int, tenant_id uuid);
CREATE TABLE app.projects (id int, tenant_id uuid) PARTITION BY HASH (id);
CREATE TABLE app.projects_0 PARTITION OF app.projects FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE app.projects_1 PARTITION OF app.projects FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE app.countries (code text);          -- no tenant column: left alone
CREATE TABLE app."Mixed Case" (tenant_id uuid);
CREATE VIEW app.user_names AS SELECT id FROM app.users;

SELECT * FROM tenant_guard.protect_schema('app', create_index => true) ORDER BY 1;
SELECT table_name, parent FROM tenant_guard.protected_tables ORDER BY table_name::text;
-- Again: nothing changes, the same tables come back.
SELECT * FROM tenant_guard.protect_schema('app', create_index => true) ORDER BY 1;

-- Another tenant column name.
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (org_id bigint);
SELECT * FROM tenant_guard.protect_schema('billing', 'org_id', create_index => true);

-- Errors.
SELECT * FROM tenant_guard.protect_schema('no_such_schema');
SELECT * FROM tenant_guard.protect_schema('app', NULL);
-- One bad table aborts the whole call: nothing is half-applied.
CREATE SCHEMA mixed;
CREATE TABLE mixed.a_good (tenant_id int);
CREATE TABLE mixed.b_bad (tenant_id numeric);
SELECT * FROM tenant_guard.protect_schema('mixed');
SELECT count(*) FROM tenant_guard.protected_tables WHERE schema_name = 'mixed';

DROP SCHEMA app, billing, mixed CASCADE;
SELECT count(*) AS registered_after_drop FROM tenant_guard.protection;
DROP EXTENSION tenant_guard;
