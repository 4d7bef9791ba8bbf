-- What row-level security cannot fix on a protected table: a tenant column
-- whose collation makes different tenants equal, unique keys without the
-- tenant column (duplicate-key errors reveal other tenants' keys), and
-- sequences shared by all tenants. protect() refuses or warns; check()
-- reports what is left.
\set super :USER
CREATE EXTENSION tenant_guard;
CREATE COLLATION regress_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- Nondeterministic collation: refused, nothing changed.
CREATE TABLE ci_accounts (id int, tenant_id text COLLATE regress_ci NOT NULL);
INSERT INTO ci_accounts VALUES (1, 'acme'), (2, 'ACME');
SELECT count(*) AS equal_under_ci FROM ci_accounts WHERE tenant_id = 'acme';
SELECT tenant_guard.protect('ci_accounts');
\echo :LAST_ERROR_SQLSTATE
SELECT relrowsecurity FROM pg_class WHERE oid = 'ci_accounts'::regclass;
-- The hint's fix works.
ALTER TABLE ci_accounts ALTER COLUMN tenant_id TYPE text COLLATE "C";
SELECT tenant_guard.protect('ci_accounts', create_index => true);
-- PostgreSQL refuses to change the column under the policies; a superuser's
-- catalog edit is reported by check().
ALTER TABLE ci_accounts ALTER COLUMN tenant_id TYPE text COLLATE regress_ci;
UPDATE pg_attribute SET attcollation = 'regress_ci'::regcollation
 WHERE attrelid = 'ci_accounts'::regclass AND attname = 'tenant_id';
SELECT severity, code, object, hint FROM tenant_guard.check() WHERE code = 'nondeterministic-tenant-collation';
UPDATE pg_attribute SET attcollation = '"C"'::regcollation
 WHERE attrelid = 'ci_accounts'::regclass AND attname = 'tenant_id';

-- Unique keys without the tenant column: a warning per key, with the composite key.
CREATE TABLE invoices (id serial PRIMARY KEY, tenant_id text NOT NULL, number text,
	CONSTRAINT invoices_number_key UNIQUE (number));
CREATE UNIQUE INDEX invoices_lower_number ON invoices (lower(number));
CREATE UNIQUE INDEX invoices_tenant_number ON invoices (tenant_id, number);
SELECT tenant_guard.protect('invoices', create_index => true);
SELECT severity, code, object, hint FROM tenant_guard.check()
 WHERE code IN ('unique-without-tenant', 'shared-sequence') ORDER BY code, object;
-- What the warning is about: tenant acme learns that globex has invoice 'INV-1'.
SELECT tenant_guard.create_app_role('regress_tg_keys_app');
BEGIN;
SET LOCAL app.tenant_id = 'globex';
INSERT INTO invoices (tenant_id, number) VALUES ('globex', 'INV-1');
COMMIT;
SET ROLE regress_tg_keys_app;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO invoices (tenant_id, number) VALUES ('acme', 'INV-1');
ROLLBACK;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO invoices (tenant_id, number) VALUES ('acme', 'INV-1') ON CONFLICT DO NOTHING RETURNING number;
ROLLBACK;
RESET ROLE;
-- tenant_guard.unique_without_tenant = error makes protect() refuse instead.
CREATE TABLE credits (id int, tenant_id text NOT NULL, code text UNIQUE);
SET tenant_guard.unique_without_tenant = error;
SELECT tenant_guard.protect('credits');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS registered FROM tenant_guard.protection WHERE table_oid = 'credits'::regclass;
-- With the composite key it protects.
ALTER TABLE credits DROP CONSTRAINT credits_code_key, ADD UNIQUE (tenant_id, code);
SELECT tenant_guard.protect('credits', create_index => true);
RESET tenant_guard.unique_without_tenant;
-- A covering index keeps the tenant column as an INCLUDE column: uniqueness is
-- still on the key alone, so it is reported; so is an exclusion constraint that
-- does not compare the tenant column with =.
CREATE TABLE contacts (id int, tenant_id text NOT NULL, email text, code text, alias text,
	EXCLUDE USING hash (code WITH =),
	EXCLUDE USING btree (tenant_id WITH =, alias WITH =));
CREATE UNIQUE INDEX contacts_email_key ON contacts (email) INCLUDE (tenant_id);
SELECT tenant_guard.protect('contacts', create_index => true);
SELECT object, hint FROM tenant_guard.check()
 WHERE code = 'unique-without-tenant' AND object LIKE 'public.contacts%' ORDER BY object;
-- Partitions are checked once, with their parent.
CREATE TABLE events (id int, tenant_id text NOT NULL, at date, UNIQUE (at, id)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
SELECT tenant_guard.protect('events', create_index => true);

DROP TABLE ci_accounts, invoices, credits, contacts, events;
DROP COLLATION regress_ci;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_keys_app;
DROP ROLE regress_tg_keys_app;
