-- tenant_guard.unprotect() removes exactly what protect() added: a table's
-- own defaults, NOT NULL and RLS settings come back as they were.
CREATE EXTENSION tenant_guard;

CREATE TABLE accounts (tenant_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000', name text);
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_restriction ON accounts AS RESTRICTIVE USING (name <> 'hidden');
SELECT tenant_guard.protect('accounts');
\d accounts
SELECT tenant_guard.unprotect('accounts');
\d accounts
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'accounts'::regclass;

-- Unprotecting twice is a no-op that says so.
SELECT tenant_guard.unprotect('accounts');

-- The index protect() created goes too; an index the user made stays.
CREATE TABLE notes (tenant_id bigint, body text);
SELECT tenant_guard.protect('notes', create_index => true);
\di notes*
SELECT tenant_guard.unprotect('notes');
\di notes*
\d notes

-- protect -> unprotect -> protect works, and the column may change in between.
CREATE TABLE tickets (tenant_id int, org text);
INSERT INTO tickets VALUES (1, 'one');
SELECT tenant_guard.protect('tickets', create_index => true);
SELECT tenant_guard.unprotect('tickets');
SELECT tenant_guard.protect('tickets', 'org', create_index => true);
SELECT tenant_column, tenant_type FROM tenant_guard.protected_tables;
SELECT tenant_guard.unprotect('tickets');

DROP TABLE accounts, notes, tickets;
DROP EXTENSION tenant_guard;
