-- tenant_guard 1.0 -> 1.1. Every change since 1.0, in the order of the issues
-- that made it; the result must equal a fresh install of tenant_guard--1.1.sql
-- (scripts/upgrade_test.sh compares the two in make test).
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '1.1'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- tenant_guard.check(): every isolation gap, one row each. Each finding code
-- is one function, tenant_guard._finding_<code>(), and check() is their union;
-- the codes are documented in docs/functions/check.md.
-- ---------------------------------------------------------------------------

-- Protected tables that still exist, with their registered tenant column.
CREATE VIEW tenant_guard._protected AS
SELECT p.table_oid::pg_catalog.oid AS relid, p.table_oid::pg_catalog.text AS name,
       p.tenant_column AS col
  FROM tenant_guard.protection p
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.table_oid;

-- Roles that row-level security does not bind.
CREATE VIEW tenant_guard._bypass_roles AS
SELECT oid, rolname, rolsuper FROM pg_catalog.pg_roles WHERE rolsuper OR rolbypassrls;

CREATE FUNCTION tenant_guard._finding_unprotected_table(tenant_column pg_catalog.name)
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'unprotected-table', c.oid::regclass::text,
	       format('table %s has tenant column %I but is not protected', c.oid::regclass, a.attname),
	       format('SELECT tenant_guard.protect(%L, %L);', c.oid::regclass::text, a.attname)
	  FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $1
	                     AND a.attnum > 0 AND NOT a.attisdropped
	 WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition
	   AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace,
	                              'pg_toast'::regnamespace, 'tenant_guard'::regnamespace)
	   AND NOT EXISTS (SELECT FROM tenant_guard._protected p WHERE p.relid = c.oid)
$$;

CREATE FUNCTION tenant_guard._finding_unprotected_partition()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'unprotected-partition', c.oid::regclass::text,
	       format('table %s is a partition or child of protected table %s but is not protected',
	              c.oid::regclass, p.name),
	       format('SELECT tenant_guard.protect(%L, %L);', p.name, p.col)
	  FROM pg_inherits i
	  JOIN tenant_guard._protected p ON p.relid = i.inhparent
	  JOIN pg_class c ON c.oid = i.inhrelid
	 WHERE NOT EXISTS (SELECT FROM tenant_guard._protected pc WHERE pc.relid = i.inhrelid)
$$;

CREATE FUNCTION tenant_guard._finding_rls_not_forced()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'rls-not-forced', p.name,
	       CASE WHEN NOT c.relrowsecurity
	            THEN format('row-level security is disabled on protected table %s', p.name)
	            ELSE format('row-level security is not forced on protected table %s, so its owner bypasses it', p.name)
	       END,
	       format('SELECT tenant_guard.protect(%L, %L); -- repairs it', p.name, p.col)
	  FROM tenant_guard._protected p JOIN pg_class c ON c.oid = p.relid
	 WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity)
$$;

CREATE FUNCTION tenant_guard._finding_policy_missing()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'policy-missing', p.name,
	       format('protected table %s lacks tenant_guard policy %I', p.name, want.polname),
	       format('SELECT tenant_guard.protect(%L, %L); -- repairs it', p.name, p.col)
	  FROM tenant_guard._protected p
	 CROSS JOIN (VALUES ('tenant_guard_select'), ('tenant_guard_insert'),
	                    ('tenant_guard_update'), ('tenant_guard_delete')) AS want(polname)
	 WHERE NOT EXISTS (SELECT FROM pg_policy pol
	                    WHERE pol.polrelid = p.relid AND pol.polname = want.polname)
$$;

CREATE FUNCTION tenant_guard._finding_foreign_permissive_policy()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'foreign-permissive-policy', format('%I on %s', pol.polname, p.name),
	       format('permissive policy %I on protected table %s was not created by tenant_guard and widens access',
	              pol.polname, p.name),
	       format('DROP POLICY %I ON %s; or recreate it AS RESTRICTIVE', pol.polname, p.name)
	  FROM tenant_guard._protected p JOIN pg_policy pol ON pol.polrelid = p.relid
	 WHERE pol.polpermissive AND pol.polname !~~ 'tenant\_guard\_%'
$$;

CREATE FUNCTION tenant_guard._finding_view_bypasses_rls()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'view-bypasses-rls', v.oid::regclass::text,
	       format('%s %s reads protected table %s with the rights of %I, who bypasses row-level security',
	              CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END,
	              v.oid::regclass, p.name, r.rolname),
	       CASE v.relkind
	            WHEN 'm' THEN 'A materialized view stores every tenant''s rows: drop it or give it a tenant column and protect a table instead.'
	            ELSE format('ALTER VIEW %s SET (security_invoker = true);', v.oid::regclass)
	       END
	  FROM (SELECT DISTINCT rw.ev_class, d.refobjid
	          FROM pg_rewrite rw
	          JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
	                          AND d.refclassid = 'pg_class'::regclass) AS dep
	  JOIN tenant_guard._protected p ON p.relid = dep.refobjid
	  JOIN pg_class v ON v.oid = dep.ev_class AND v.oid <> p.relid
	  JOIN tenant_guard._bypass_roles r ON r.oid = v.relowner
	 WHERE v.relkind IN ('v', 'm')
	   AND NOT EXISTS (SELECT FROM unnest(v.reloptions) opt
	                    WHERE lower(opt) IN ('security_invoker=true', 'security_invoker=on',
	                                         'security_invoker=1', 'security_invoker=yes'))
$$;

CREATE FUNCTION tenant_guard._finding_rls_bypass_role()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'warning', 'rls-bypass-role', quote_ident(r.rolname),
	       format('role %I can log in and bypasses row-level security (%s) on %s protected table(s)',
	              r.rolname, CASE WHEN r.rolsuper THEN 'superuser' ELSE 'BYPASSRLS' END,
	              count(*)),
	       'Keep such roles for administration; connect applications with a role that has neither SUPERUSER nor BYPASSRLS.'
	  FROM tenant_guard._bypass_roles r
	  JOIN pg_roles lr ON lr.oid = r.oid AND lr.rolcanlogin
	  JOIN tenant_guard._protected p ON r.rolsuper
	                   OR has_table_privilege(r.oid, p.relid, 'SELECT, INSERT, UPDATE, DELETE')
	 GROUP BY r.rolname, r.rolsuper
$$;

CREATE FUNCTION tenant_guard._finding_definer_function_bypasses_rls()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'warning', 'definer-function-bypasses-rls', f.oid::regprocedure::text,
	       format('SECURITY DEFINER function %s runs as %I, who bypasses row-level security',
	              f.oid::regprocedure, r.rolname),
	       format('ALTER FUNCTION %s SECURITY INVOKER; or change its owner to a role without BYPASSRLS',
	              f.oid::regprocedure)
	  FROM pg_proc f
	  JOIN tenant_guard._bypass_roles r ON r.oid = f.proowner
	 WHERE f.prosecdef
	   AND f.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
	   AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
	                      AND e.objid = f.oid AND e.deptype = 'e')
	   AND EXISTS (SELECT FROM tenant_guard._protected)
$$;

CREATE FUNCTION tenant_guard._finding_foreign_key_without_tenant()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE WHEN fk.guarded THEN 'warning' ELSE 'error' END,
	       'foreign-key-without-tenant', format('%I on %s', fk.conname, fk.conrelid::regclass),
	       format('foreign key %I of %s references protected table %s without the tenant column%s',
	              fk.conname, fk.conrelid::regclass, p.name,
	              CASE WHEN fk.guarded THEN '; a tenant_guard trigger checks it row by row'
	                   ELSE ', so a row can reference and probe for another tenant''s keys' END),
	       CASE WHEN local_tenant.attname IS NULL
	            THEN format('Add a tenant column to %s and protect it, then reference %s (%I, %s) with a composite key.',
	                        fk.conrelid::regclass, p.name, p.col, fk.ref_cols)
	            ELSE format('ALTER TABLE %s ADD FOREIGN KEY (%I, %s) REFERENCES %s (%I, %s); it needs UNIQUE (%I, %s) on %s.',
	                        fk.conrelid::regclass, local_tenant.attname, fk.local_cols,
	                        p.name, p.col, fk.ref_cols, p.col, fk.ref_cols, p.name)
	       END
	  FROM (SELECT c.conname, c.conrelid, c.confrelid, c.conkey, c.confkey,
	               EXISTS (SELECT FROM pg_trigger tr
	                        WHERE tr.tgrelid = c.conrelid
	                          AND tr.tgfoid = 'tenant_guard.fk_tenant_check()'::regprocedure
	                          AND tr.tgname = left('tenant_guard_fk_' || c.conname, 63)) AS guarded,
	               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
	                  FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
	                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS local_cols,
	               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
	                  FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
	                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS ref_cols
	          FROM pg_constraint c
	         WHERE c.contype = 'f' AND c.conparentid = 0) AS fk
	  JOIN tenant_guard._protected p ON p.relid = fk.confrelid
	  LEFT JOIN tenant_guard._protected lp ON lp.relid = fk.conrelid
	  LEFT JOIN pg_attribute local_tenant
	         ON local_tenant.attrelid = fk.conrelid AND NOT local_tenant.attisdropped
	        AND local_tenant.attname = coalesce(lp.col, p.col)
	 WHERE NOT EXISTS (
	         SELECT FROM unnest(fk.conkey, fk.confkey) AS k(l, f)
	           JOIN pg_attribute fa ON fa.attrelid = fk.confrelid AND fa.attnum = k.f
	           JOIN pg_attribute la ON la.attrelid = fk.conrelid AND la.attnum = k.l
	          WHERE fa.attname = p.col AND la.attname = coalesce(lp.col, p.col))
$$;

CREATE FUNCTION tenant_guard._finding_app_role_too_powerful()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'app-role-too-powerful', quote_ident(a.role_name),
	       format('application role %I %s', a.role_name, why.what),
	       'Application roles get DML only: move ownership and DDL to the migration role, and remove the attribute.'
	  FROM tenant_guard.app_roles a
	  JOIN pg_roles r ON r.rolname = a.role_name
	 CROSS JOIN LATERAL (
	        SELECT 'is a superuser or has BYPASSRLS, CREATEDB, CREATEROLE or REPLICATION' AS what
	         WHERE r.rolsuper OR r.rolbypassrls OR r.rolcreatedb OR r.rolcreaterole OR r.rolreplication
	        UNION ALL
	        SELECT format('owns %s', string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid::regclass::text))
	          FROM pg_class c
	         WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
	        HAVING count(*) > 0
	        UNION ALL
	        SELECT format('can create objects in schema %s', string_agg(quote_ident(n.nspname), ', ' ORDER BY n.nspname))
	          FROM pg_namespace n
	         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	           AND n.nspname !~ '^pg_temp_' AND n.nspname !~ '^pg_toast_temp_'
	           AND has_schema_privilege(r.oid, n.oid, 'CREATE')
	        HAVING count(*) > 0) AS why
$$;

CREATE FUNCTION tenant_guard._finding_fk_guard_orphaned()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'fk-guard-orphaned', format('%I on %s', t.tgname, t.tgrelid::regclass),
	       format('tenant check trigger %I on %s names foreign key %I, which no longer exists, so it checks nothing',
	              t.tgname, t.tgrelid::regclass, convert_from(rtrim(t.tgargs, '\x00'::bytea), getdatabaseencoding())),
	       format('DROP TRIGGER %I ON %s; SELECT tenant_guard.protect(%L); -- guards the key under its new name',
	              t.tgname, t.tgrelid::regclass, t.tgrelid::regclass::text)
	  FROM pg_trigger t
	 WHERE t.tgfoid = 'tenant_guard.fk_tenant_check()'::regprocedure AND NOT t.tgisinternal
	   AND NOT EXISTS (SELECT FROM pg_constraint c
	                    WHERE c.conrelid = t.tgrelid AND c.contype = 'f'
	                      AND c.conname = convert_from(rtrim(t.tgargs, '\x00'::bytea), getdatabaseencoding()))
$$;

CREATE FUNCTION tenant_guard._finding_missing_tenant_index()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'warning', 'missing-tenant-index', p.name,
	       format('protected table %s has no index that leads with tenant column %I', p.name, p.col),
	       format('CREATE INDEX ON %s (%I, ...);', p.name, p.col)
	  FROM tenant_guard._protected p
	 WHERE NOT EXISTS (SELECT FROM pg_index i
	                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
	                    WHERE i.indrelid = p.relid AND i.indisvalid AND i.indpred IS NULL
	                      AND a.attname = p.col)
$$;

-- Inference channels (docs/guard.md, threat model): what a tenant can learn
-- about other tenants without reading their rows.
CREATE FUNCTION tenant_guard._finding_unique_without_tenant()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'warning', 'unique-without-tenant', i.indexrelid::regclass::text,
	       format('unique key %s of protected table %s does not contain tenant column %I, so duplicate-key errors reveal other tenants'' keys',
	              i.indexrelid::regclass, p.name, p.col),
	       CASE con.contype
	            WHEN 'p' THEN format('ALTER TABLE %s DROP CONSTRAINT %I, ADD PRIMARY KEY (%I, %s);', p.name, con.conname, p.col, keycols.cols)
	            WHEN 'u' THEN format('ALTER TABLE %s DROP CONSTRAINT %I, ADD UNIQUE (%I, %s);', p.name, con.conname, p.col, keycols.cols)
	            WHEN 'x' THEN format('Recreate exclusion constraint %I with %I WITH = as its first element.', con.conname, p.col)
	            ELSE format('CREATE UNIQUE INDEX ON %s (%I, %s); DROP INDEX %s;', p.name, p.col, keycols.cols, i.indexrelid::regclass)
	       END
	  FROM tenant_guard._protected p
	  JOIN pg_index i ON i.indrelid = p.relid AND (i.indisunique OR i.indisexclusion)
	  LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
	 CROSS JOIN LATERAL (
	        SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k) AS cols
	          FROM generate_series(1, i.indnkeyatts) AS k) AS keycols
	 WHERE NOT EXISTS (SELECT FROM pg_attribute a
	                    WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
	                      AND a.attname = p.col)
	   AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
$$;

CREATE FUNCTION tenant_guard._finding_shared_sequence()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT DISTINCT 'warning', 'shared-sequence', d.objid::regclass::text,
	       format('sequence %s numbers the rows of every tenant of protected table %s, so its values reveal how many rows other tenants insert',
	              d.objid::regclass, p.name),
	       'Prefer uuid keys (DEFAULT gen_random_uuid()) for tenant tables; see docs/guard.md for what a shared sequence discloses.'
	  FROM tenant_guard._protected p
	  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = p.relid
	                  AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
	  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
$$;

CREATE FUNCTION tenant_guard._finding_nondeterministic_tenant_collation()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'nondeterministic-tenant-collation', p.name,
	       format('tenant column %I of protected table %s has nondeterministic collation %I, so different tenants can compare equal',
	              p.col, p.name, co.collname),
	       format('ALTER TABLE %s ALTER COLUMN %I TYPE %s COLLATE "C";', p.name, p.col, format_type(a.atttypid, a.atttypmod))
	  FROM tenant_guard._protected p
	  JOIN pg_attribute a ON a.attrelid = p.relid AND a.attname = p.col
	  JOIN pg_collation co ON co.oid = a.attcollation AND NOT co.collisdeterministic
$$;

-- Signed tenant keys (docs/functions/set_tenant.md): why the key file is
-- readable by another OS user than the server's, or NULL.
CREATE FUNCTION tenant_guard._signing_key_file_exposure() RETURNS pg_catalog.text
	AS 'MODULE_PATHNAME', 'tg_signing_key_file_exposure' LANGUAGE C STABLE;

CREATE FUNCTION tenant_guard._finding_signing_keys_readable()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'signing-keys-readable', 'tenant_guard.signing_keys_file', problem,
	       'chown the file to the server''s OS user, chmod 0600 it, and replace the keys it holds (they may have been read); set_tenant() refuses the file until then.'
	  FROM tenant_guard._signing_key_file_exposure() AS problem
	 WHERE problem IS NOT NULL
$$;

-- Outbox triggers that do not check every write (e.g. 1.0's, restored from a dump).
CREATE FUNCTION tenant_guard._finding_outbox_trigger_incomplete()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'outbox-trigger-incomplete', format('%I on %s', t.tgname, t.tgrelid::regclass),
	       format('outbox trigger %I on %s %s, so events can be rewritten for another tenant',
	              t.tgname, t.tgrelid::regclass,
	              CASE WHEN t.tgenabled NOT IN ('O', 'A') THEN 'is disabled'
	                   WHEN (t.tgtype::int & 23) <> 23 THEN 'does not fire BEFORE INSERT OR UPDATE FOR EACH ROW'
	                   WHEN t.tgqual IS NOT NULL THEN 'has a WHEN condition'
	                   ELSE 'fires only on UPDATE of some columns' END),
	       format('SELECT tenant_guard.protect_outbox(%L, %L, %L); -- replaces it', t.tgrelid::regclass::text,
	              convert_from(decode(a.args[1], 'escape'), getdatabaseencoding()),
	              convert_from(decode(a.args[2], 'escape'), getdatabaseencoding()))
	  FROM pg_trigger t
	 CROSS JOIN LATERAL (SELECT string_to_array(encode(t.tgargs, 'escape'), '\000') AS args) AS a
	 WHERE t.tgfoid = 'tenant_guard.outbox_tenant_check()'::regprocedure AND NOT t.tgisinternal
	   AND (t.tgenabled NOT IN ('O', 'A') OR (t.tgtype::int & 23) <> 23 OR t.tgqual IS NOT NULL
	        OR cardinality(t.tgattr::int2[]) > 0)
$$;

-- One line per finding function; a new code adds its function above and a line here.
CREATE OR REPLACE FUNCTION tenant_guard.check(tenant_column pg_catalog.name DEFAULT 'tenant_id')
RETURNS TABLE (severity pg_catalog.text, code pg_catalog.text, object pg_catalog.text,
               message pg_catalog.text, hint pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT * FROM (
	          SELECT * FROM tenant_guard._finding_unprotected_table($1)
	UNION ALL SELECT * FROM tenant_guard._finding_unprotected_partition()
	UNION ALL SELECT * FROM tenant_guard._finding_rls_not_forced()
	UNION ALL SELECT * FROM tenant_guard._finding_policy_missing()
	UNION ALL SELECT * FROM tenant_guard._finding_foreign_permissive_policy()
	UNION ALL SELECT * FROM tenant_guard._finding_view_bypasses_rls()
	UNION ALL SELECT * FROM tenant_guard._finding_rls_bypass_role()
	UNION ALL SELECT * FROM tenant_guard._finding_definer_function_bypasses_rls()
	UNION ALL SELECT * FROM tenant_guard._finding_foreign_key_without_tenant()
	UNION ALL SELECT * FROM tenant_guard._finding_app_role_too_powerful()
	UNION ALL SELECT * FROM tenant_guard._finding_fk_guard_orphaned()
	UNION ALL SELECT * FROM tenant_guard._finding_missing_tenant_index()
	UNION ALL SELECT * FROM tenant_guard._finding_unique_without_tenant()
	UNION ALL SELECT * FROM tenant_guard._finding_shared_sequence()
	UNION ALL SELECT * FROM tenant_guard._finding_nondeterministic_tenant_collation()
	UNION ALL SELECT * FROM tenant_guard._finding_signing_keys_readable()
	UNION ALL SELECT * FROM tenant_guard._finding_outbox_trigger_incomplete()
) AS findings
 ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code, object
$$;

-- The library now refuses to load without shared_preload_libraries, so the
-- question is never asked any more (check() above no longer calls it).
DROP FUNCTION tenant_guard.is_preloaded();

-- Outbox triggers check every write that leaves an event (issue 10): 1.0's
-- BEFORE INSERT triggers become BEFORE INSERT OR UPDATE, with their arguments.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT tg.tgrelid::pg_catalog.regclass AS rel, pg_catalog.pg_get_triggerdef(tg.oid) AS def
	           FROM pg_catalog.pg_trigger tg
	          WHERE tg.tgfoid OPERATOR(pg_catalog.=) 'tenant_guard.outbox_tenant_check()'::pg_catalog.regprocedure
	            AND tg.tgname OPERATOR(pg_catalog.=) 'tenant_guard_outbox'
	            AND pg_catalog.starts_with(pg_catalog.pg_get_triggerdef(tg.oid),
	                                       'CREATE TRIGGER tenant_guard_outbox BEFORE INSERT ON ')
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER tenant_guard_outbox ON %s', t.rel);
		EXECUTE pg_catalog.regexp_replace(t.def, '^CREATE TRIGGER tenant_guard_outbox BEFORE INSERT ON ',
		                                  'CREATE TRIGGER tenant_guard_outbox BEFORE INSERT OR UPDATE ON ');
	END LOOP;
END
$$;
