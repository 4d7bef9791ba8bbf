-- tenant_guard.simulate() against a user's schema: a correct schema passes, and
-- each planted mistake is found (unprotected table, widening policy, view with
-- a superuser's rights, SECURITY DEFINER function, foreign key without the
-- tenant column, row-level security not forced); uuid, bigint and text tenants;
-- no data, role or setting changes, errors included.
CREATE EXTENSION tenant_guard;
\set A '''aaaaaaaa-0000-0000-0000-00000000000a'''
\set B '''bbbbbbbb-0000-0000-0000-00000000000b'''
\set VERBOSITY terse

-- The migration role owns the schema; the application role has DML only.
CREATE ROLE regress_sim_owner;
CREATE ROLE regress_sim_app;
CREATE SCHEMA shop AUTHORIZATION regress_sim_owner;
CREATE SCHEMA wiki AUTHORIZATION regress_sim_owner;
GRANT CREATE ON SCHEMA public TO regress_sim_owner;
GRANT USAGE ON SCHEMA shop TO regress_sim_app;
SET ROLE regress_sim_owner;
CREATE TABLE shop.customers (
	id int PRIMARY KEY, tenant_id uuid NOT NULL, name text NOT NULL, UNIQUE (tenant_id, id));
CREATE TABLE shop.orders (
	id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id uuid NOT NULL, customer_id int NOT NULL,
	total numeric NOT NULL, total_cents bigint GENERATED ALWAYS AS (total * 100) STORED,
	FOREIGN KEY (tenant_id, customer_id) REFERENCES shop.customers (tenant_id, id));
-- Hostile names are quoted everywhere.
CREATE TABLE shop."Odd ""name""; x" (tenant_id uuid NOT NULL, "drop table" text);
-- A trigger with side effects: the simulator's writes must leave no trace.
CREATE TABLE shop.audit (at timestamptz DEFAULT now(), what text);
CREATE FUNCTION shop.audit_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $$
BEGIN
	INSERT INTO shop.audit (what) VALUES (TG_OP || ' ' || TG_TABLE_NAME);
	RETURN NULL;
END $$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON shop.orders
	FOR EACH ROW EXECUTE FUNCTION shop.audit_write();
SELECT * FROM tenant_guard.protect_schema('shop', create_index => true);
-- Views with the reader's rights, and with the owner's (FORCE binds the owner).
CREATE VIEW shop.order_totals WITH (security_invoker = true) AS
	SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id;
CREATE VIEW shop.customer_list AS SELECT name FROM shop.customers;
-- A definer function owned by the (bound) migration role.
CREATE FUNCTION shop.order_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog AS 'SELECT count(*) FROM shop.orders';
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA shop TO regress_sim_app;
REVOKE ALL ON shop.audit FROM regress_sim_app;
RESET ROLE;

-- The fixtures: each tenant writes its rows through the application role.
SET ROLE regress_sim_app;
BEGIN;
SET LOCAL app.tenant_id = :A;
INSERT INTO shop.customers (id, name) VALUES (1, 'a-one'), (2, 'a-two');
INSERT INTO shop.orders (customer_id, total) VALUES (1, 10), (2, 20);
INSERT INTO shop."Odd ""name""; x" ("drop table") VALUES ('a');
SET LOCAL app.tenant_id = :B;
INSERT INTO shop.customers (id, name) VALUES (10, 'b-one'), (11, 'b-two'), (12, 'b-three');
INSERT INTO shop.orders (customer_id, total) VALUES (10, 100), (11, 110), (12, 120);
INSERT INTO shop."Odd ""name""; x" ("drop table") VALUES ('b');
COMMIT;
RESET ROLE;
TRUNCATE shop.audit;

-- Every row of the schema, as the superuser sees it: unchanged by simulate().
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE sql AS $$
	SELECT md5(string_agg(r, E'\n' ORDER BY r)) || ' ' || count(*) || ' rows'
	  FROM (SELECT 'c' || c::text FROM shop.customers c UNION ALL SELECT 'o' || o::text FROM shop.orders o
	        UNION ALL SELECT 'x' || x::text FROM shop."Odd ""name""; x" x
	        UNION ALL SELECT 'a' || a::text FROM shop.audit a) AS rows(r)
$$;
CREATE TEMP TABLE before AS SELECT pg_temp.snapshot() AS snapshot;

-- ---- the correct schema: every check passes ------------------------------------
SELECT * FROM tenant_guard.simulate('regress_sim_app', :A, :B, '{shop}');

SELECT pg_temp.snapshot() = (SELECT snapshot FROM before) AS data_unchanged,
       (SELECT count(*) FROM shop.audit) AS audit_rows,
       current_user, current_setting('app.tenant_id') AS tenant, current_setting('search_path') AS search_path;

-- What failed or was skipped, and how many passed.
CREATE FUNCTION pg_temp.findings(tenant_a text DEFAULT 'aaaaaaaa-0000-0000-0000-00000000000a',
	tenant_b text DEFAULT 'bbbbbbbb-0000-0000-0000-00000000000b', schemas name[] DEFAULT '{shop}')
RETURNS TABLE (ok boolean, object text, path text, detail text) LANGUAGE sql AS $$
	SELECT * FROM tenant_guard.simulate('regress_sim_app', tenant_a, tenant_b, schemas) s WHERE s.ok IS NOT TRUE
	UNION ALL
	SELECT true, NULL, NULL, count(*) || ' passed'
	  FROM tenant_guard.simulate('regress_sim_app', tenant_a, tenant_b, schemas) s WHERE s.ok
$$;
SELECT * FROM pg_temp.findings();

-- ---- mistake 1: a tenant table nobody protected ---------------------------------
BEGIN;
SET LOCAL ROLE regress_sim_owner;
CREATE TABLE shop.notes (id int, tenant_id uuid NOT NULL, body text);
INSERT INTO shop.notes VALUES (1, :A, 'a note'), (2, :B, 'b note');
GRANT SELECT, INSERT, UPDATE, DELETE ON shop.notes TO regress_sim_app;
RESET ROLE;
SELECT * FROM pg_temp.findings();
ROLLBACK;

-- ---- mistake 2: a permissive policy added by hand widens access ------------------
BEGIN;
SET LOCAL ROLE regress_sim_owner;
-- (the drift guard refuses it without allow_drift: see drift_refusals)
SELECT tenant_guard.allow_drift('shop.customers', 'regression test: a mistake to find');
CREATE POLICY support_sees_all ON shop.customers USING (true);
RESET ROLE;
SELECT * FROM pg_temp.findings();
ROLLBACK;

-- ---- mistake 3: a view with a superuser's rights (no security_invoker) -----------
BEGIN;
CREATE VIEW shop.customer_names AS SELECT name FROM shop.customers;
GRANT SELECT ON shop.customer_names TO regress_sim_app;
SELECT * FROM pg_temp.findings();
ROLLBACK;

-- ---- mistake 4: SECURITY DEFINER functions owned by a superuser -----------------
BEGIN;
CREATE FUNCTION shop.customer_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog AS 'SELECT count(*) FROM shop.customers';
CREATE FUNCTION shop.customer_name(customer int) RETURNS text LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog AS 'SELECT name FROM shop.customers WHERE id = customer';
SELECT * FROM pg_temp.findings();
ROLLBACK;

-- ---- mistake 5: a foreign key without the tenant column -------------------------
BEGIN;
SET LOCAL ROLE regress_sim_owner;
CREATE TABLE shop.payments (id int PRIMARY KEY, tenant_id uuid NOT NULL, customer_id int NOT NULL);
SELECT tenant_guard.protect('shop.payments', create_index => true);
-- Added after protect(), so protect()'s tenant check trigger does not guard it.
ALTER TABLE shop.payments ADD CONSTRAINT payments_customer FOREIGN KEY (customer_id) REFERENCES shop.customers (id);
GRANT SELECT, INSERT, UPDATE, DELETE ON shop.payments TO regress_sim_app;
SET LOCAL app.tenant_id = :A;
INSERT INTO shop.payments (id, customer_id) VALUES (1, 1);
SET LOCAL app.tenant_id = :B;
INSERT INTO shop.payments (id, customer_id) VALUES (10, 10);
RESET ROLE;
SELECT * FROM pg_temp.findings();
-- protect() again adds the trigger: now the key is refused like a missing one.
SET LOCAL ROLE regress_sim_owner;
SELECT tenant_guard.protect('shop.payments');
RESET ROLE;
SELECT ok, object, path, detail FROM tenant_guard.simulate('regress_sim_app', :A, :B, '{shop}')
 WHERE path = 'reference B''s key as A';
ROLLBACK;

-- ---- mistake 6: row-level security not forced -----------------------------------
-- customer_list runs with its owner's rights: harmless while FORCE binds the owner.
BEGIN;
SET LOCAL ROLE regress_sim_owner;
SELECT tenant_guard.allow_drift('shop.customers', 'regression test: a mistake to find');
ALTER TABLE shop.customers NO FORCE ROW LEVEL SECURITY;
RESET ROLE;
SELECT * FROM pg_temp.findings();
ROLLBACK;

-- ---- fixtures for one tenant only are reported, not passed ----------------------
SELECT * FROM pg_temp.findings(tenant_b => 'cccccccc-0000-0000-0000-00000000000c');

-- ---- a non-superuser caller: the migration role, a member of the application role
GRANT regress_sim_app TO regress_sim_owner;
SET ROLE regress_sim_owner;
-- Everything runs but COPY, which needs a superuser to grant pg_write_server_files.
SELECT count(*) FILTER (WHERE ok) AS passed, count(*) FILTER (WHERE NOT ok) AS failed,
       string_agg(DISTINCT path, ', ') FILTER (WHERE ok IS NULL) AS skipped
  FROM tenant_guard.simulate('regress_sim_app', :A, :B, '{shop}');
RESET ROLE;

-- ---- bigint and text tenants ------------------------------------------------------
SET ROLE regress_sim_owner;
CREATE TABLE public.ledger_accounts (tenant_id bigint NOT NULL, id int, PRIMARY KEY (tenant_id, id));
CREATE TABLE public.ledger_entries (tenant_id bigint NOT NULL, id int, account int, amount numeric,
	FOREIGN KEY (tenant_id, account) REFERENCES public.ledger_accounts);
CREATE TABLE wiki.pages (tenant_id text NOT NULL, slug text, body text, PRIMARY KEY (tenant_id, slug));
CREATE VIEW wiki.page_titles AS SELECT slug FROM wiki.pages;
SELECT tenant_guard.protect(t) FROM unnest('{public.ledger_accounts,public.ledger_entries,wiki.pages}'::regclass[]) t;
GRANT USAGE ON SCHEMA wiki TO regress_sim_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.ledger_accounts, public.ledger_entries, wiki.pages TO regress_sim_app;
GRANT SELECT ON wiki.page_titles TO regress_sim_app;
RESET ROLE;
SET ROLE regress_sim_app;
BEGIN;
SET LOCAL app.tenant_id = '41';
INSERT INTO public.ledger_accounts (id) VALUES (1);
INSERT INTO public.ledger_entries (id, account, amount) VALUES (1, 1, 5);
SET LOCAL app.tenant_id = '42';
INSERT INTO public.ledger_accounts (id) VALUES (1), (2);
INSERT INTO public.ledger_entries (id, account, amount) VALUES (1, 1, 7), (2, 2, 9);
SET LOCAL app.tenant_id = 'acme';
INSERT INTO wiki.pages (slug, body) VALUES ('home', 'acme home');
SET LOCAL app.tenant_id = 'globex';
INSERT INTO wiki.pages (slug, body) VALUES ('home', 'globex home'), ('about', 'globex about');
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.findings('41', '42', '{public}');
SELECT * FROM pg_temp.findings('acme', 'globex', '{wiki}');
-- The same mistake found for each type: a policy that lets every tenant in.
BEGIN;
SELECT tenant_guard.allow_drift('public.ledger_entries', 'regression test: a mistake to find');
SELECT tenant_guard.allow_drift('wiki.pages', 'regression test: a mistake to find');
CREATE POLICY open_ledger ON public.ledger_entries USING (true) WITH CHECK (true);
CREATE POLICY open_wiki ON wiki.pages FOR SELECT USING (true);
SELECT * FROM pg_temp.findings('41', '42', '{public}');
SELECT * FROM pg_temp.findings('acme', 'globex', '{wiki}');
ROLLBACK;

-- ---- hostile search_path of the caller: simulate() sets its own ------------------
CREATE SCHEMA evil;
CREATE FUNCTION evil.set_config(text, text, boolean) RETURNS text LANGUAGE sql AS $$ SELECT 'trap' $$;
CREATE FUNCTION evil.to_jsonb(anyelement) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE FUNCTION evil.eq(uuid, uuid) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR evil.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = evil.eq);
SET search_path = evil, pg_catalog, public;
SELECT * FROM pg_temp.findings();
RESET search_path;
DROP SCHEMA evil CASCADE;

-- ---- an error inside: the caller's role and settings are back, data unchanged ----
CREATE VIEW shop.slow AS SELECT name FROM shop.customers WHERE pg_sleep(0.2) IS NOT NULL;
GRANT SELECT ON shop.slow TO regress_sim_app;
SET statement_timeout = '100ms';
SELECT * FROM tenant_guard.simulate('regress_sim_app', :A, :B, '{shop}');
RESET statement_timeout;
SELECT pg_temp.snapshot() = (SELECT snapshot FROM before) AS data_unchanged,
       current_user, current_setting('app.tenant_id') AS tenant, current_setting('search_path') AS search_path,
       has_table_privilege('regress_sim_app', 'shop.audit', 'SELECT') AS app_reads_audit,
       pg_has_role('regress_sim_app', 'pg_write_server_files', 'MEMBER') AS app_writes_files;
DROP VIEW shop.slow;

-- ---- arguments ----------------------------------------------------------------------
SELECT * FROM tenant_guard.simulate(NULL, :A, :B);
SELECT * FROM tenant_guard.simulate('regress_sim_nobody', :A, :B);
CREATE ROLE regress_sim_super SUPERUSER;
SELECT * FROM tenant_guard.simulate('regress_sim_super', :A, :B);
CREATE ROLE regress_sim_bypass BYPASSRLS;
SELECT * FROM tenant_guard.simulate('regress_sim_bypass', :A, :B);
SELECT * FROM tenant_guard.simulate('regress_sim_app', :A, :A);
SELECT * FROM tenant_guard.simulate('regress_sim_app', :A, '');
SELECT * FROM tenant_guard.simulate('regress_sim_app', :A, :B, '{shop,nowhere}');
CREATE ROLE regress_sim_stranger;
SET SESSION AUTHORIZATION regress_sim_stranger;
SELECT * FROM tenant_guard.simulate('regress_sim_app', :A, :B);
RESET SESSION AUTHORIZATION;

DROP SCHEMA shop, wiki CASCADE;
DROP TABLE public.ledger_entries, public.ledger_accounts;
DROP EXTENSION tenant_guard;
REVOKE CREATE ON SCHEMA public FROM regress_sim_owner;
DROP ROLE regress_sim_owner, regress_sim_app, regress_sim_super, regress_sim_bypass, regress_sim_stranger;
