-- tenant_guard 1.0 -> 1.1. Every change since 1.0, in the order of the issues
-- that made it; the result must equal a fresh install of tenant_guard--1.1.sql
-- (scripts/upgrade_test.sh compares the two in make test).
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '1.1'" to load this file. \quit

-- The names protect() gives its objects come from the C++ that creates them
-- (extension/policy/object_names.h), so SQL never spells them again.
CREATE FUNCTION tenant_guard._generated_policies()
RETURNS TABLE (polname pg_catalog.name, polcmd pg_catalog."char", has_using pg_catalog.bool,
               has_check pg_catalog.bool)
	AS 'MODULE_PATHNAME', 'tg_generated_policies' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 4;
CREATE FUNCTION tenant_guard._fk_guard_trigger_name(constraint_name pg_catalog.name)
RETURNS pg_catalog.name
	AS 'MODULE_PATHNAME', 'tg_fk_guard_trigger_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- protected_tables counts the generated policies by their names from C++.
CREATE OR REPLACE VIEW tenant_guard.protected_tables AS
SELECT p.table_oid AS table_name,
       n.nspname AS schema_name,
       c.relname AS relation_name,
       p.tenant_column,
       p.tenant_type,
       p.parent,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_policy pol
         WHERE pol.polrelid OPERATOR(pg_catalog.=) c.oid
           AND pol.polname OPERATOR(pg_catalog.=) ANY (SELECT g.polname FROM tenant_guard._generated_policies() g)) AS policies,
       p.protected_at,
       p.protected_by
  FROM tenant_guard.protection p
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.table_oid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace;

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
-- check() runs with its caller's rights and is for everyone: both views show
-- only what the catalogs and tenant_guard.protection show anyone already.
GRANT SELECT ON tenant_guard._protected, tenant_guard._bypass_roles TO PUBLIC;

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
	                          AND tr.tgname = tenant_guard._fk_guard_trigger_name(c.conname)) AS guarded,
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
-- The unique and exclusion keys of a table that do not separate tenants, each
-- with the statement that makes it a composite key with the tenant column
-- first. protect() (C++, policy/key_checks.cpp) and check() both read it.
CREATE FUNCTION tenant_guard._unique_keys_without_tenant(relid pg_catalog.oid, tenant_column pg_catalog.name)
RETURNS TABLE (index_name text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT i.indexrelid::regclass::text,
	       CASE con.contype
	            WHEN 'p' THEN format('ALTER TABLE %s DROP CONSTRAINT %I, ADD PRIMARY KEY (%I, %s);', i.indrelid::regclass, con.conname, tenant_column, keycols.cols)
	            WHEN 'u' THEN format('ALTER TABLE %s DROP CONSTRAINT %I, ADD UNIQUE (%I, %s);', i.indrelid::regclass, con.conname, tenant_column, keycols.cols)
	            WHEN 'x' THEN format('Recreate exclusion constraint %I with %I WITH = as its first element.', con.conname, tenant_column)
	            ELSE format('CREATE UNIQUE INDEX ON %s (%I, %s); DROP INDEX %s;', i.indrelid::regclass, tenant_column, keycols.cols, i.indexrelid::regclass)
	       END
	  FROM pg_index i
	  LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
	 CROSS JOIN LATERAL (
	        SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k) AS cols
	          FROM generate_series(1, i.indnkeyatts) AS k) AS keycols
	 WHERE i.indrelid = relid AND (i.indisunique OR i.indisexclusion)
	 -- Keys only (not INCLUDE columns); in an exclusion constraint the tenant
	 -- column must be compared with =, or it separates nothing.
	   AND NOT EXISTS (SELECT FROM pg_attribute a, generate_series(0, i.indnkeyatts - 1) AS k
	                    WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k] AND a.attname = tenant_column
	                      AND (NOT i.indisexclusion
	                           OR EXISTS (SELECT FROM pg_constraint x
	                                        JOIN pg_operator o ON o.oid = x.conexclop[k + 1]
	                                       WHERE x.conindid = i.indexrelid AND o.oprname = '=')))
	 -- A partition's copy of its parent's index is reported with the parent.
	   AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
	 ORDER BY 1
$$;

CREATE FUNCTION tenant_guard._finding_unique_without_tenant()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'warning', 'unique-without-tenant', k.index_name,
	       format('unique key %s of protected table %s does not contain tenant column %I, so duplicate-key errors reveal other tenants'' keys',
	              k.index_name, p.name, p.col),
	       k.hint
	  FROM tenant_guard._protected p
	 CROSS JOIN LATERAL tenant_guard._unique_keys_without_tenant(p.relid, p.col) AS k
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

-- The library now refuses to load without shared_preload_libraries, so the
-- question is never asked any more (check() above no longer calls it).
DROP FUNCTION tenant_guard.is_preloaded();

-- ---------------------------------------------------------------------------
-- Drift (docs/drift.md): weakening DDL on protected tables is refused unless
-- tenant_guard.allow_drift() was called for the table in the transaction;
-- check() compares contents with what protect() generates, not names; every
-- relation an application role can reach is protected or declared global.
-- ---------------------------------------------------------------------------

-- Every allow_drift() call and every weakening it let through.
CREATE TABLE tenant_guard.drift_log (
	logged_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	table_oid  pg_catalog.oid,
	table_name pg_catalog.text,
	reason     pg_catalog.text NOT NULL,
	logged_by  pg_catalog.name NOT NULL,
	what       pg_catalog.text NOT NULL
);
COMMENT ON TABLE tenant_guard.drift_log IS
	'Every tenant_guard.allow_drift() and each weakening of a protected table it let through';
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.drift_log', '');
REVOKE ALL ON tenant_guard.drift_log FROM PUBLIC;
GRANT SELECT ON tenant_guard.drift_log TO PUBLIC;

-- Relations that hold no tenant's rows, declared by tenant_guard.declare_global().
CREATE TABLE tenant_guard.global_relation (
	table_oid   pg_catalog.regclass PRIMARY KEY,
	reason      pg_catalog.text NOT NULL,
	declared_by pg_catalog.name NOT NULL,
	declared_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE tenant_guard.global_relation IS
	'Relations declared tenant-free by tenant_guard.declare_global(); check() does not ask to protect them';
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.global_relation', '');
REVOKE ALL ON tenant_guard.global_relation FROM PUBLIC;
GRANT SELECT ON tenant_guard.global_relation TO PUBLIC;

-- The session guard caches "protected" per relation; any change to the
-- registry (protect, unprotect, a restore, a superuser's edit) invalidates it.
CREATE FUNCTION tenant_guard._protection_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'tg_protection_changed' LANGUAGE C;
CREATE TRIGGER protection_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_guard.protection
	FOR EACH ROW EXECUTE FUNCTION tenant_guard._protection_changed();

CREATE FUNCTION tenant_guard.allow_drift(tbl pg_catalog.regclass, reason pg_catalog.text)
RETURNS pg_catalog.bool
	AS 'MODULE_PATHNAME', 'tg_allow_drift' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION tenant_guard.allow_drift(pg_catalog.regclass, pg_catalog.text) IS
	'Let the rest of this transaction weaken a protected table (NULL: tenant_guard''s event triggers), recorded in tenant_guard.drift_log';

CREATE FUNCTION tenant_guard.declare_global(rel pg_catalog.regclass, reason pg_catalog.text)
RETURNS pg_catalog.bool
	AS 'MODULE_PATHNAME', 'tg_declare_global' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION tenant_guard.declare_global(pg_catalog.regclass, pg_catalog.text) IS
	'Declare that a relation holds no tenant''s rows, so check() does not ask to protect it';

-- ddl_command_end, after protect_new_partitions (event triggers fire in name order).
CREATE FUNCTION tenant_guard.protect_new_tables() RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'tg_protect_new_tables' LANGUAGE C;
CREATE EVENT TRIGGER tenant_guard_protect_new_tables ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
	EXECUTE FUNCTION tenant_guard.protect_new_tables();

CREATE FUNCTION tenant_guard.refuse_drift() RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'tg_refuse_drift' LANGUAGE C;
CREATE EVENT TRIGGER tenant_guard_refuse_drift ON ddl_command_end
	EXECUTE FUNCTION tenant_guard.refuse_drift();

-- A dropped relation also leaves the list of global relations.
CREATE OR REPLACE FUNCTION tenant_guard.forget_dropped_tables() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM tenant_guard.protection p
	 USING pg_event_trigger_dropped_objects() d
	 WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
	   AND p.table_oid::oid = d.objid;
	DELETE FROM tenant_guard.global_relation g
	 USING pg_event_trigger_dropped_objects() d
	 WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
	   AND g.table_oid::oid = d.objid;
END
$$;

-- The tenant column as it is named now: the registered name while it exists,
-- else the column that still carries protect()'s default (it was renamed).
CREATE FUNCTION tenant_guard._effective_tenant_column(relid pg_catalog.oid, registered pg_catalog.name)
RETURNS pg_catalog.name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(
	       (SELECT a.attname FROM pg_attribute a
	         WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped),
	       (SELECT a.attname FROM pg_attrdef d
	          JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum AND NOT a.attisdropped
	         WHERE d.adrelid = $1
	           AND EXISTS (SELECT FROM pg_depend dep JOIN pg_proc f ON f.oid = dep.refobjid
	                        WHERE dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid
	                          AND dep.refclassid = 'pg_proc'::regclass
	                          AND f.pronamespace = 'tenant_guard'::regnamespace
	                          AND f.proname ~~ 'tenant\_%')
	         ORDER BY a.attnum LIMIT 1))
$$;

-- The four policies protect() generates, with their expressions as
-- pg_get_expr() prints them under this function's search_path.
CREATE FUNCTION tenant_guard._expected_policies(relid pg_catalog.oid, col pg_catalog.name,
                                                tenant_type pg_catalog.regtype)
RETURNS TABLE (polname pg_catalog.name, polcmd pg_catalog."char", using_expr pg_catalog.text,
               check_expr pg_catalog.text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT s.polname::name, s.polcmd::"char",
	       CASE WHEN s.has_using THEN e.expr END, CASE WHEN s.has_check THEN e.expr END
	  FROM (SELECT format('(%I = tenant_guard.%I(%s))', $2, 'tenant_' || $3::text,
	                      -- Under Citus the policies name no relation (docs/scale-out.md).
	                      CASE WHEN EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')
	                           THEN 'NULL::regclass'
	                           ELSE quote_literal($1::regclass::text) || '::regclass' END) AS expr) AS e
	 CROSS JOIN tenant_guard._generated_policies() AS s
$$;

-- Per generated policy: does a policy with exactly its contents exist (under
-- any name), and does one under its name differ (and how)?
CREATE FUNCTION tenant_guard._policy_status(relid pg_catalog.oid, col pg_catalog.name,
                                            tenant_type pg_catalog.regtype)
RETURNS TABLE (polname pg_catalog.name, polcmd pg_catalog."char", matched pg_catalog.bool,
               named_exists pg_catalog.bool, differences pg_catalog.text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT e.polname, e.polcmd,
	       EXISTS (SELECT FROM pg_policy pol
	                WHERE pol.polrelid = $1 AND pol.polcmd = e.polcmd AND pol.polpermissive
	                  AND pol.polroles = '{0}'::oid[]
	                  AND pg_get_expr(pol.polqual, pol.polrelid) IS NOT DISTINCT FROM e.using_expr
	                  AND pg_get_expr(pol.polwithcheck, pol.polrelid) IS NOT DISTINCT FROM e.check_expr),
	       named.oid IS NOT NULL,
	       nullif(concat_ws(', ',
	              CASE WHEN named.polcmd <> e.polcmd THEN 'command' END,
	              CASE WHEN NOT named.polpermissive THEN 'restrictive' END,
	              CASE WHEN named.polroles <> '{0}'::oid[] THEN 'roles' END,
	              CASE WHEN pg_get_expr(named.polqual, named.polrelid) IS DISTINCT FROM e.using_expr THEN 'USING' END,
	              CASE WHEN pg_get_expr(named.polwithcheck, named.polrelid) IS DISTINCT FROM e.check_expr THEN 'WITH CHECK' END), '')
	  FROM tenant_guard._expected_policies($1, $2, $3) e
	  LEFT JOIN pg_policy named ON named.polrelid = $1 AND named.polname = e.polname
$$;

-- Permissive policies that are not protect()'s, whatever their name: each one
-- is ORed with ours. (One under a generated name that differs is "altered".)
CREATE FUNCTION tenant_guard._foreign_permissive_policies(relid pg_catalog.oid, col pg_catalog.name,
                                                          tenant_type pg_catalog.regtype)
RETURNS SETOF pg_catalog.name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT pol.polname FROM pg_policy pol
	 WHERE pol.polrelid = $1 AND pol.polpermissive
	   AND NOT EXISTS (SELECT FROM tenant_guard._expected_policies($1, $2, $3) e
	                    WHERE pol.polname = e.polname
	                       OR (pol.polcmd = e.polcmd AND pol.polroles = '{0}'::oid[]
	                           AND pg_get_expr(pol.polqual, pol.polrelid) IS NOT DISTINCT FROM e.using_expr
	                           AND pg_get_expr(pol.polwithcheck, pol.polrelid) IS NOT DISTINCT FROM e.check_expr))
	 ORDER BY 1
$$;

-- Everything that weakens one protected table, one row each. The drift guard
-- compares it before and after each DDL command; check() reports it.
CREATE FUNCTION tenant_guard._table_drift(relid pg_catalog.oid)
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH p AS (
	  SELECT pr.table_oid::oid AS relid, pr.table_oid::text AS name, pr.tenant_column AS registered,
	         pr.tenant_type, c.relrowsecurity, c.relforcerowsecurity, c.relowner,
	         tenant_guard._effective_tenant_column(pr.table_oid, pr.tenant_column) AS current_col
	    FROM tenant_guard.protection pr JOIN pg_class c ON c.oid = pr.table_oid
	   WHERE pr.table_oid = $1::regclass),
	q AS (SELECT p.*, coalesce(p.current_col, p.registered) AS col FROM p)
	SELECT 'error', 'rls-not-forced', q.name,
	       CASE WHEN NOT q.relrowsecurity
	            THEN format('row-level security is disabled on protected table %s', q.name)
	            ELSE format('row-level security is not forced on protected table %s, so its owner bypasses it', q.name)
	       END,
	       format('SELECT tenant_guard.protect(%L, %L); -- repairs it', q.name, q.col)
	  FROM q WHERE NOT (q.relrowsecurity AND q.relforcerowsecurity)
	UNION ALL
	SELECT 'error', 'policy-missing', q.name,
	       format('protected table %s lacks tenant_guard policy %I', q.name, s.polname),
	       format('SELECT tenant_guard.protect(%L, %L); -- repairs it', q.name, q.col)
	  FROM q CROSS JOIN LATERAL tenant_guard._policy_status(q.relid, q.col, q.tenant_type) s
	 WHERE NOT s.matched AND NOT s.named_exists
	UNION ALL
	SELECT 'error', 'policy-altered', format('%I on %s', s.polname, q.name),
	       format('policy %I on protected table %s differs from what tenant_guard.protect() generates (%s)',
	              s.polname, q.name, s.differences),
	       format('SELECT tenant_guard.protect(%L, %L); -- recreates it', q.name, q.col)
	  FROM q CROSS JOIN LATERAL tenant_guard._policy_status(q.relid, q.col, q.tenant_type) s
	 WHERE s.named_exists AND s.differences IS NOT NULL
	UNION ALL
	SELECT 'error', 'foreign-permissive-policy', format('%I on %s', f, q.name),
	       format('permissive policy %I on protected table %s was not created by tenant_guard and widens access',
	              f, q.name),
	       format('DROP POLICY %I ON %s; or recreate it AS RESTRICTIVE', f, q.name)
	  FROM q CROSS JOIN LATERAL tenant_guard._foreign_permissive_policies(q.relid, q.col, q.tenant_type) f
	UNION ALL
	SELECT 'error', 'tenant-column-renamed', q.name,
	       CASE WHEN q.current_col IS NULL
	            THEN format('tenant column %I of protected table %s no longer exists', q.registered, q.name)
	            ELSE format('tenant column %I of protected table %s was renamed to %I', q.registered, q.name, q.current_col)
	       END,
	       CASE WHEN q.current_col IS NULL
	            THEN format('Restore the column, or SELECT tenant_guard.unprotect(%L);', q.name)
	            ELSE format('SELECT tenant_guard.protect(%L, %L); -- follows the new name', q.name, q.current_col)
	       END
	  FROM q WHERE q.current_col IS DISTINCT FROM q.registered
	UNION ALL
	SELECT 'error', 'trigger-disabled', format('%I on %s', t.tgname, q.name),
	       format('tenant_guard trigger %I on protected table %s is %s', t.tgname, q.name,
	              CASE t.tgenabled WHEN 'D' THEN 'disabled' ELSE 'enabled for replica sessions only' END),
	       format('ALTER TABLE %s ENABLE TRIGGER %I; or SELECT tenant_guard.protect(%L, %L);',
	              q.name, t.tgname, q.name, q.col)
	  FROM q JOIN pg_trigger t ON t.tgrelid = q.relid AND NOT t.tgisinternal
	 WHERE t.tgfoid IN ('tenant_guard.fk_tenant_check()'::regprocedure,
	                    'tenant_guard.outbox_tenant_check()'::regprocedure)
	   AND t.tgenabled NOT IN ('O', 'A')
	UNION ALL
	SELECT 'error', 'fk-guard-orphaned', format('%I on %s', t.tgname, q.name),
	       format('tenant check trigger %I on %s names foreign key %I, which no longer exists, so it checks nothing',
	              t.tgname, q.name, convert_from(rtrim(t.tgargs, '\x00'::bytea), getdatabaseencoding())),
	       format('DROP TRIGGER %I ON %s; SELECT tenant_guard.protect(%L); -- guards the key under its new name',
	              t.tgname, q.name, q.name)
	  FROM q JOIN pg_trigger t ON t.tgrelid = q.relid AND NOT t.tgisinternal
	 WHERE t.tgfoid = 'tenant_guard.fk_tenant_check()'::regprocedure
	   AND NOT EXISTS (SELECT FROM pg_constraint c
	                    WHERE c.conrelid = t.tgrelid AND c.contype = 'f'
	                      AND c.conname = convert_from(rtrim(t.tgargs, '\x00'::bytea), getdatabaseencoding()))
	UNION ALL
	SELECT 'error', 'unprotected-parent', q.name,
	       format('protected table %s inherits from %s, which is not protected, so its rows are readable through it',
	              q.name, i.inhparent::regclass),
	       format('SELECT tenant_guard.protect(%L, %L); or ALTER TABLE %s NO INHERIT %s;',
	              i.inhparent::regclass::text, q.col, q.name, i.inhparent::regclass)
	  FROM q JOIN pg_inherits i ON i.inhrelid = q.relid
	 WHERE NOT EXISTS (SELECT FROM tenant_guard.protection pp WHERE pp.table_oid = i.inhparent::regclass)
	UNION ALL
	SELECT 'warning', 'owner-bypasses-rls', q.name,
	       format('protected table %s is owned by %I, who bypasses row-level security', q.name, r.rolname),
	       'Give protected tables an owner without SUPERUSER or BYPASSRLS (the migration role).'
	  FROM q JOIN tenant_guard._bypass_roles r ON r.oid = q.relowner
$$;

CREATE FUNCTION tenant_guard._finding_rls_not_forced()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT d.* FROM tenant_guard._protected p CROSS JOIN LATERAL tenant_guard._table_drift(p.relid) d
	 WHERE d.code = 'rls-not-forced'
$$;

CREATE FUNCTION tenant_guard._finding_policy_missing()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT d.* FROM tenant_guard._protected p CROSS JOIN LATERAL tenant_guard._table_drift(p.relid) d
	 WHERE d.code = 'policy-missing'
$$;

CREATE FUNCTION tenant_guard._finding_foreign_permissive_policy()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT d.* FROM tenant_guard._protected p CROSS JOIN LATERAL tenant_guard._table_drift(p.relid) d
	 WHERE d.code = 'foreign-permissive-policy'
$$;

CREATE FUNCTION tenant_guard._finding_policy_altered()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT d.* FROM tenant_guard._protected p CROSS JOIN LATERAL tenant_guard._table_drift(p.relid) d
	 WHERE d.code = 'policy-altered'
$$;

CREATE FUNCTION tenant_guard._finding_tenant_column_renamed()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT d.* FROM tenant_guard._protected p CROSS JOIN LATERAL tenant_guard._table_drift(p.relid) d
	 WHERE d.code = 'tenant-column-renamed'
$$;

CREATE FUNCTION tenant_guard._finding_unprotected_parent()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT d.* FROM tenant_guard._protected p CROSS JOIN LATERAL tenant_guard._table_drift(p.relid) d
	 WHERE d.code = 'unprotected-parent'
$$;

-- On any table: the outbox trigger guards tables that need not be protected.
CREATE FUNCTION tenant_guard._finding_trigger_disabled()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'trigger-disabled', format('%I on %s', t.tgname, t.tgrelid::regclass),
	       format('tenant_guard trigger %I on %s is %s', t.tgname, t.tgrelid::regclass,
	              CASE t.tgenabled WHEN 'D' THEN 'disabled' ELSE 'enabled for replica sessions only' END),
	       format('ALTER TABLE %s ENABLE TRIGGER %I;', t.tgrelid::regclass, t.tgname)
	  FROM pg_trigger t
	 WHERE t.tgfoid IN ('tenant_guard.fk_tenant_check()'::regprocedure,
	                    'tenant_guard.outbox_tenant_check()'::regprocedure)
	   AND NOT t.tgisinternal AND t.tgenabled NOT IN ('O', 'A')
$$;

CREATE FUNCTION tenant_guard._finding_event_trigger_disabled()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'event-trigger-disabled', coalesce(quote_ident(e.evtname), f.oid::regprocedure::text),
	       CASE WHEN e.oid IS NULL
	            THEN format('no event trigger runs %s, so DDL escapes it', f.oid::regprocedure)
	            WHEN e.evtenabled = 'D' THEN format('tenant_guard event trigger %I is disabled', e.evtname)
	            ELSE format('tenant_guard event trigger %I fires for replica sessions only', e.evtname)
	       END,
	       CASE WHEN e.oid IS NULL
	            THEN 'Reinstall the extension''s objects: unprotect the tables, DROP EXTENSION tenant_guard, CREATE EXTENSION tenant_guard, protect them again.'
	            ELSE format('ALTER EVENT TRIGGER %I ENABLE;', e.evtname)
	       END
	  FROM pg_proc f
	  LEFT JOIN pg_event_trigger e ON e.evtfoid = f.oid
	 WHERE f.pronamespace = 'tenant_guard'::regnamespace AND f.prorettype = 'event_trigger'::regtype
	   AND (e.oid IS NULL OR e.evtenabled NOT IN ('O', 'A'))
$$;

-- A rule rewrites a statement before row-level security sees it: a DO INSTEAD
-- INSERT skips the policies' WITH CHECK, and any rule's actions write wherever
-- the table's owner may. protect() makes none, so every rule on a protected
-- table is one (disabled ones too: ALTER TABLE ... ENABLE RULE is one step).
CREATE FUNCTION tenant_guard._finding_rule_on_protected_table()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'rule-on-protected-table', format('%I on %s', r.rulename, p.name),
	       format('rule %I on protected table %s rewrites %s statements on it (DO %s%s), so the tenant policies do not check what its actions write',
	              r.rulename, p.name,
	              CASE r.ev_type WHEN '1' THEN 'SELECT' WHEN '2' THEN 'UPDATE' WHEN '3' THEN 'INSERT' ELSE 'DELETE' END,
	              CASE WHEN r.is_instead THEN 'INSTEAD' ELSE 'ALSO' END,
	              CASE r.ev_enabled WHEN 'D' THEN ', disabled' WHEN 'R' THEN ', for replica sessions only'
	                                WHEN 'A' THEN ', always' ELSE '' END),
	       format('DROP RULE %I ON %s;', r.rulename, p.name)
	  FROM tenant_guard._protected p
	  JOIN pg_rewrite r ON r.ev_class = p.relid
$$;

-- The tenant setting counts as unset when it comes from a role or database
-- default; tenant_guard's own settings must not differ per role or database.
CREATE FUNCTION tenant_guard._finding_setting_override()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'setting-override', o.target,
	       format('%s sets %s', o.target, o.setting),
	       format('ALTER %s RESET %s;', o.alter_target, split_part(o.setting, '=', 1))
	  FROM (SELECT CASE WHEN s.setrole = 0 THEN format('database %I', d.datname)
	                    WHEN s.setdatabase = 0 THEN format('role %I', r.rolname)
	                    ELSE format('role %I in database %I', r.rolname, d.datname) END AS target,
	               CASE WHEN s.setrole = 0 THEN format('DATABASE %I', d.datname)
	                    WHEN s.setdatabase = 0 THEN format('ROLE %I', r.rolname)
	                    ELSE format('ROLE %I IN DATABASE %I', r.rolname, d.datname) END AS alter_target,
	               cfg AS setting
	          FROM pg_db_role_setting s
	          CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
	          LEFT JOIN pg_database d ON d.oid = s.setdatabase
	          LEFT JOIN pg_roles r ON r.oid = s.setrole
	         WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
	           AND (lower(split_part(cfg, '=', 1)) LIKE 'tenant\_guard.%'
	                OR lower(split_part(cfg, '=', 1)) = lower(current_setting('tenant_guard.tenant_setting')))) AS o
$$;

CREATE FUNCTION tenant_guard._finding_default_privileges_app_role()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'warning', 'default-privileges-app-role',
	       format('%s for %I', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.rolname) END, o.rolname),
	       format('default privileges of %I grant %s %s on every table it creates%s, before anyone protects it',
	              o.rolname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE format('application role %I', g.rolname) END,
	              string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type),
	              CASE WHEN da.defaclnamespace = 0 THEN '' ELSE format(' in schema %I', n.nspname) END),
	       format('ALTER DEFAULT PRIVILEGES FOR ROLE %I%s REVOKE ALL ON TABLES FROM %s; grant on each table after protect(), or SET tenant_guard.protect_new_tables = on',
	              o.rolname, CASE WHEN da.defaclnamespace = 0 THEN '' ELSE format(' IN SCHEMA %I', n.nspname) END,
	              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.rolname) END)
	  FROM pg_default_acl da
	  CROSS JOIN LATERAL aclexplode(da.defaclacl) a
	  JOIN pg_roles o ON o.oid = da.defaclrole
	  LEFT JOIN pg_roles g ON g.oid = a.grantee
	  LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace
	 WHERE da.defaclobjtype = 'r'
	   AND a.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
	   AND (a.grantee = 0 OR g.rolname IN (SELECT role_name FROM tenant_guard.app_roles))
	 GROUP BY a.grantee, g.rolname, o.rolname, da.defaclnamespace, n.nspname
$$;

CREATE FUNCTION tenant_guard._finding_owner_bypasses_rls()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'warning', 'owner-bypasses-rls', quote_ident(r.rolname),
	       format('role %I owns %s protected table(s) and bypasses row-level security (%s)',
	              r.rolname, count(*), CASE WHEN r.rolsuper THEN 'superuser' ELSE 'BYPASSRLS' END),
	       'Give protected tables an owner without SUPERUSER or BYPASSRLS (the migration role): views and SECURITY DEFINER functions it owns read every tenant.'
	  FROM tenant_guard._protected p
	  JOIN pg_class c ON c.oid = p.relid
	  JOIN tenant_guard._bypass_roles r ON r.oid = c.relowner
	 GROUP BY r.rolname, r.rolsuper
$$;

-- Default deny: whatever an application role can reach and that stores rows
-- is protected or declared global.
CREATE FUNCTION tenant_guard._finding_unprotected_relation()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT 'error', 'unprotected-relation', c.oid::regclass::text,
	       format('%s %s is readable or writable by application role%s %s but is neither protected nor declared global',
	              CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'p' THEN 'partitioned table'
	                   ELSE CASE c.relpersistence WHEN 'u' THEN 'unlogged table' ELSE 'table' END END,
	              c.oid::regclass, CASE WHEN count(*) > 1 THEN 's' ELSE '' END,
	              string_agg(quote_ident(a.role_name), ', ' ORDER BY a.role_name)),
	       CASE WHEN c.relkind = 'm'
	            THEN format('REVOKE ALL ON %s FROM %s; or, if it holds no tenant''s rows, SELECT tenant_guard.declare_global(%L, ''why'');',
	                        c.oid::regclass, string_agg(quote_ident(a.role_name), ', ' ORDER BY a.role_name), c.oid::regclass::text)
	            ELSE format('SELECT tenant_guard.protect(%L, ''tenant_id''); or, if it holds no tenant''s rows, SELECT tenant_guard.declare_global(%L, ''why'');',
	                        c.oid::regclass::text, c.oid::regclass::text)
	       END
	  FROM pg_class c
	  JOIN tenant_guard.app_roles a ON true
	  JOIN pg_roles r ON r.rolname = a.role_name
	 WHERE c.relkind IN ('r', 'p', 'm') AND c.relpersistence IN ('p', 'u')
	   AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace,
	                              'pg_toast'::regnamespace, 'tenant_guard'::regnamespace)
	   AND has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
	   AND NOT EXISTS (SELECT FROM tenant_guard.protection p WHERE p.table_oid = c.oid::regclass)
	   AND NOT EXISTS (SELECT FROM tenant_guard.global_relation g WHERE g.table_oid = c.oid::regclass)
	 GROUP BY c.oid, c.relkind, c.relpersistence
$$;

-- Citus (docs/scale-out.md). PL/pgSQL, unlike the findings above: Citus's
-- functions exist only where Citus is installed, so they are looked up when
-- called, and the findings are empty without Citus.

-- A protected table's shard placement without forced RLS or all four policies:
-- the DDL that protect() ran on the coordinator did not reach it.
CREATE FUNCTION tenant_guard._finding_citus_placement_unprotected()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE $q$
	SELECT 'error', 'citus-placement-unprotected',
	       format('%s shard %s on %s:%s', p.name, r.shardid, r.nodename, r.nodeport),
	       format('placement of protected table %s (shard %s on %s:%s) %s', p.name, r.shardid,
	              r.nodename, r.nodeport,
	              CASE WHEN r.success THEN 'lacks forced row-level security or a tenant_guard policy'
	                   ELSE 'could not be checked: ' || r.result END),
	       format('BEGIN; SELECT tenant_guard.unprotect(%L); SELECT tenant_guard.protect(%L, %L); COMMIT; -- recreates them on every placement',
	              p.name, p.name, p.col)
	  FROM tenant_guard._protected p
	  JOIN pg_dist_partition d ON d.logicalrelid = p.relid
	 CROSS JOIN LATERAL run_command_on_placements(p.relid::regclass, $c$
	        SELECT c.relrowsecurity AND c.relforcerowsecurity
	               AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_policy pol
	                     WHERE pol.polrelid OPERATOR(pg_catalog.=) c.oid
	                       AND pol.polname OPERATOR(pg_catalog.=) ANY (
	                           SELECT g.polname FROM tenant_guard._generated_policies() g))
	                   OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM tenant_guard._generated_policies())
	          FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) '%s'::pg_catalog.regclass
	        $c$) AS r
	 WHERE NOT r.success OR r.result IS DISTINCT FROM 't'
	$q$;
END
$$;

-- A worker without tenant_guard: its shards' policies call functions it lacks,
-- or its backends lack the guard (and would use a default tenant).
CREATE FUNCTION tenant_guard._finding_citus_worker_unguarded()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE $q$
	SELECT 'error', 'citus-worker-unguarded', format('%s:%s', r.nodename, r.nodeport),
	       format('worker %s:%s %s', r.nodename, r.nodeport,
	              CASE WHEN NOT r.success THEN 'could not be checked: ' || r.result
	                   WHEN r.result = 'no-extension' THEN 'has no tenant_guard extension'
	                   ELSE 'does not preload the tenant_guard library' END),
	       'Install tenant_guard on every node, add it after citus to shared_preload_libraries there, restart the node, and run CREATE EXTENSION on the coordinator only.'
	  FROM run_command_on_workers($c$
	        SELECT CASE WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_extension
	                                      WHERE extname OPERATOR(pg_catalog.=) 'tenant_guard')
	                    THEN 'no-extension'
	                    WHEN pg_catalog.current_setting('tenant_guard.tenant_setting', true) IS NULL
	                    THEN 'not-preloaded'
	                    ELSE 'ok' END
	        $c$) AS r
	 WHERE NOT r.success OR r.result IS DISTINCT FROM 'ok'
	$q$;
END
$$;

-- A role (not the owner) that works on protected Citus tables but starts its
-- sessions with citus.propagate_set_commands other than 'local': its SET LOCAL
-- tenant stays on the coordinator, and the workers refuse its statements.
CREATE FUNCTION tenant_guard._finding_citus_set_propagation()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE $q$
	WITH setting AS (
		SELECT s.setdatabase, s.setrole, substr(cfg, length('citus.propagate_set_commands=') + 1) AS value
		  FROM pg_db_role_setting s, unnest(s.setconfig) AS cfg
		 WHERE cfg LIKE 'citus.propagate\_set\_commands=%'
		   AND s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
	), effective AS (
		SELECT r.rolname,
		       coalesce((SELECT value FROM setting WHERE setrole = r.oid AND setdatabase <> 0),
		                (SELECT value FROM setting WHERE setrole = r.oid AND setdatabase = 0),
		                (SELECT value FROM setting WHERE setrole = 0 AND setdatabase <> 0),
		                (SELECT reset_val FROM pg_settings WHERE name = 'citus.propagate_set_commands')) AS value
		  FROM pg_roles r
		 WHERE r.rolcanlogin AND NOT r.rolsuper AND NOT r.rolbypassrls
		   AND EXISTS (SELECT FROM tenant_guard._protected p
		                 JOIN pg_dist_partition d ON d.logicalrelid = p.relid
		                 JOIN pg_class c ON c.oid = p.relid AND c.relowner <> r.oid
		                WHERE has_table_privilege(r.oid, p.relid, 'SELECT, INSERT, UPDATE, DELETE'))
	)
	SELECT 'warning', 'citus-set-propagation', quote_ident(e.rolname),
	       format('role %I starts with citus.propagate_set_commands = %L, so its tenant never reaches the workers',
	              e.rolname, e.value),
	       format('ALTER ROLE %I SET citus.propagate_set_commands = ''local'';', e.rolname)
	  FROM effective e
	 WHERE e.value IS DISTINCT FROM 'local'
	$q$;
END
$$;

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

-- ---------------------------------------------------------------------------
-- The two-tenant simulator (docs/functions/simulate.md): tenants A and B, as
-- the application role, against the user's own schema and fixture rows.
-- Every statement runs in a subtransaction that is rolled back, so the
-- caller's data, role and settings are what they were, whatever happens.
-- ---------------------------------------------------------------------------

-- One statement as role run_as with tenant tenant (NULL: none), in a
-- subtransaction that is rolled back (released when keep: the removal of B's
-- rows, which the caller rolls back itself). $1 in the statement is args. It
-- yields the statement's first column of its first row as result, and state,
-- the SQLSTATE ('00000' when it ran). user_search_path, when given, is the
-- search_path for user functions that rely on one; our own statements never
-- do. The statement runs inside a security-restricted operation, as
-- PostgreSQL runs ANALYZE and REFRESH MATERIALIZED VIEW: the schema's code
-- cannot SET ROLE or RESET ROLE back to the caller. as_owner: run_as owns the
-- tables and reads them with row-level security off, as PostgreSQL's
-- foreign-key checks do. Not SECURITY DEFINER, and it refuses a run_as the
-- caller could not become itself (extension/policy/simulate_runner.cpp).
CREATE FUNCTION tenant_guard._sim_exec(
	run_as pg_catalog.oid, tenant pg_catalog.text, statement pg_catalog.text,
	args pg_catalog.text[] DEFAULT '{}', user_search_path pg_catalog.text DEFAULT NULL,
	as_owner pg_catalog.bool DEFAULT false, keep pg_catalog.bool DEFAULT false,
	OUT state pg_catalog.text, OUT message pg_catalog.text, OUT result pg_catalog.text)
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tg_sim_exec';

-- May the caller read (and remove) a table's fixture rows as its owner? Only
-- if it could become the owner anyway: a superuser or a member.
CREATE FUNCTION tenant_guard._sim_may_own(tbl pg_catalog.regclass) RETURNS pg_catalog.bool
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c WHERE c.oid = tbl
$$;

-- Tables with a tenant column: the registered one of protected tables, else a
-- column named like any registered tenant column or tenant_id. in_scope: in
-- the schemas given to simulate() (all non-system schemas when NULL).
CREATE FUNCTION tenant_guard._sim_tenant_tables(schemas pg_catalog.name[])
RETURNS TABLE (tbl pg_catalog.regclass, col pg_catalog.name, col_type pg_catalog.text,
               in_scope pg_catalog.bool, is_partition pg_catalog.bool)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT c.oid::regclass, a.attname, a.atttypid::regtype::text,
	       schemas IS NULL OR n.nspname = ANY (schemas), c.relispartition
	  FROM pg_class c
	  JOIN pg_namespace n ON n.oid = c.relnamespace
	  LEFT JOIN tenant_guard.protection p ON p.table_oid = c.oid
	 CROSS JOIN LATERAL (
	        SELECT a.attname, a.atttypid FROM pg_attribute a
	         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	           AND a.attname = ANY (CASE WHEN p.tenant_column IS NOT NULL THEN ARRAY[p.tenant_column]
	                                     ELSE ARRAY(SELECT DISTINCT tenant_column FROM tenant_guard.protection)
	                                          || 'tenant_id'::name END)
	         ORDER BY a.attnum LIMIT 1) AS a
	 WHERE c.relkind IN ('r', 'p') AND c.relpersistence IN ('p', 'u')
	   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tenant_guard')
	   AND n.nspname !~ '^pg_'
	 ORDER BY c.oid::regclass::text
$$;

-- Turns the outcome of _sim_exec into a row: ok when the statement was refused
-- with one of the expected SQLSTATEs.
CREATE FUNCTION tenant_guard._sim_refused(state pg_catalog.text, message pg_catalog.text,
	expected pg_catalog.text[], obj pg_catalog.text, label pg_catalog.text, what pg_catalog.text)
RETURNS TABLE (ok pg_catalog.bool, object pg_catalog.text, path pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
	IF state = ANY (expected) THEN
		RETURN QUERY SELECT true, obj, label, format('refused: %s (SQLSTATE %s)', message, state);
	ELSIF state = '00000' THEN
		RETURN QUERY SELECT false, obj, label, format('%s succeeded', what);
	ELSE
		RETURN QUERY SELECT false, obj, label,
			format('%s failed with SQLSTATE %s (%s), not with %s: row-level security did not refuse it',
			       what, state, message, array_to_string(expected, ' or '));
	END IF;
END
$$;

-- The direct paths on one table: reads, COPY, writes against B, no tenant.
CREATE FUNCTION tenant_guard._sim_table(app_role pg_catalog.name, tenant_a pg_catalog.text,
	tenant_b pg_catalog.text, tbl pg_catalog.regclass, col pg_catalog.name, col_type pg_catalog.text,
	is_partition pg_catalog.bool)
RETURNS TABLE (ok pg_catalog.bool, object pg_catalog.text, path pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	obj text := tbl::text;
	is_a text := format('%I = CAST($1[1] AS %s)', col, col_type);
	is_b text := format('%I = CAST($1[2] AS %s)', col, col_type);
	ab text[] := ARRAY[tenant_a, tenant_b];
	rel pg_class%ROWTYPE;
	registered bool;
	problems text[] := '{}';
	n_a bigint;
	n_b bigint;
	a_row text;
	cols text;
	r record;
	can_read bool := has_table_privilege(app_role, tbl, 'SELECT');
	can_insert bool := has_table_privilege(app_role, tbl, 'INSERT');
	can_update bool := has_table_privilege(app_role, tbl, 'UPDATE');
	can_delete bool := has_table_privilege(app_role, tbl, 'DELETE');
	app_oid oid := (SELECT ar.oid FROM pg_roles ar WHERE ar.rolname = app_role);
	may_own bool := tenant_guard._sim_may_own(tbl);
BEGIN
	SELECT * INTO rel FROM pg_class WHERE oid = tbl;
	registered := EXISTS (SELECT FROM tenant_guard.protection p WHERE p.table_oid = tbl);
	IF NOT registered THEN
		problems := problems || format('not protected: SELECT tenant_guard.protect(%L, %L);', obj, col);
	ELSIF NOT rel.relrowsecurity THEN
		problems := problems || 'row-level security is disabled'::text;
	ELSIF NOT rel.relforcerowsecurity THEN
		problems := problems || format('row-level security is not forced, so its owner %I bypasses it',
		                               rel.relowner::regrole::text);
	END IF;
	problems := problems || ARRAY(
		SELECT format('permissive policy %I was not made by tenant_guard and widens access', f)
		  FROM tenant_guard.protection p
		 CROSS JOIN LATERAL tenant_guard._foreign_permissive_policies(tbl, p.tenant_column, p.tenant_type) AS f
		 WHERE p.table_oid = tbl);
	RETURN QUERY SELECT cardinality(problems) = 0, obj, 'protection',
		CASE WHEN cardinality(problems) = 0 THEN format('protected on %I, row-level security forced', col)
		     ELSE array_to_string(problems, '; ') END;

	-- The fixture rows, counted as the owner (who needs no policy to see them),
	-- never as the caller: the count runs the schema's code (domain checks).
	IF may_own THEN
		r := tenant_guard._sim_exec(rel.relowner, tenant_a, format('SELECT count(*) FROM %s WHERE %s', obj, is_a),
		                            ab, NULL, true);
		n_a := CASE WHEN r.state = '00000' THEN r.result::bigint END;
		IF n_a IS NOT NULL THEN
			r := tenant_guard._sim_exec(rel.relowner, tenant_b, format('SELECT count(*) FROM %s WHERE %s', obj, is_b),
			                            ab, NULL, true);
			n_b := CASE WHEN r.state = '00000' THEN r.result::bigint END;
		END IF;
	END IF;
	IF NOT may_own THEN
		RETURN QUERY SELECT false, obj, 'fixture rows',
			format('the caller %I cannot count its rows: simulate() reads them as their owner %I, '
			       'and only a superuser or a member of %I may', current_user, rel.relowner::regrole::text,
			       rel.relowner::regrole::text);
	ELSIF n_a IS NULL OR n_b IS NULL THEN
		RETURN QUERY SELECT false, obj, 'fixture rows',
			format('its owner %I cannot count its rows: %s', rel.relowner::regrole::text, r.message);
	ELSIF NOT is_partition OR n_a = 0 OR n_b = 0 THEN
		-- A partition needs rows of both only for the checks below that use them.
		RETURN QUERY SELECT CASE WHEN n_a > 0 AND n_b > 0 THEN true WHEN is_partition THEN NULL ELSE false END,
			obj, 'fixture rows', format('A has %s row(s), B has %s%s', n_a, n_b,
				CASE WHEN n_a > 0 AND n_b > 0 THEN ''
				     ELSE ': the fixtures must write rows for both tenants, or the checks prove nothing' END);
	END IF;
	n_a := coalesce(n_a, 0);
	n_b := coalesce(n_b, 0);

	-- Reads as A.
	IF NOT can_read THEN
		RETURN QUERY SELECT NULL::bool, obj, 'read as A', format('skipped: %I has no SELECT on it', app_role);
	ELSE
		r := tenant_guard._sim_exec(app_oid, tenant_a,
			format('SELECT count(*) FROM %s WHERE %I IS DISTINCT FROM CAST($1[1] AS %s)', obj, col, col_type), ab);
		RETURN QUERY SELECT CASE WHEN r.state <> '00000' THEN false WHEN n_b = 0 THEN NULL ELSE r.result = '0' END,
			obj, 'read as A',
			CASE WHEN r.state <> '00000' THEN format('failed: %s (SQLSTATE %s)', r.message, r.state)
			     WHEN n_b = 0 THEN 'skipped: B has no rows here'
			     WHEN r.result = '0' THEN format('A sees none of B''s %s row(s)', n_b)
			     ELSE format('A sees %s row(s) of other tenants', r.result) END;
	END IF;

	-- Writes as A against B.
	IF can_update THEN
		IF n_b = 0 THEN
			RETURN QUERY SELECT NULL::bool, obj, 'UPDATE B''s rows as A', 'skipped: B has no rows here';
		ELSE
			r := tenant_guard._sim_exec(app_oid, tenant_a,
				format('WITH u AS (UPDATE %s SET %I = %I WHERE %s RETURNING 1) SELECT count(*) FROM u',
				       obj, col, col, is_b), ab);
			RETURN QUERY SELECT r.state = '42501' OR r.result IS NOT DISTINCT FROM '0', obj, 'UPDATE B''s rows as A',
				CASE WHEN r.state = '42501' OR r.result IS NOT DISTINCT FROM '0' THEN format('touched none of B''s %s row(s)', n_b)
				     WHEN r.state = '00000' THEN format('updated %s of B''s row(s)', r.result)
				     ELSE format('failed with SQLSTATE %s (%s) after reaching B''s rows', r.state, r.message) END;
		END IF;
		IF n_a = 0 THEN
			RETURN QUERY SELECT NULL::bool, obj, 'move A''s rows to B', 'skipped: A has no rows here';
		ELSE
			r := tenant_guard._sim_exec(app_oid, tenant_a,
				format('WITH u AS (UPDATE %s SET %I = CAST($1[2] AS %s) WHERE %s RETURNING 1) SELECT count(*) FROM u',
				       obj, col, col_type, is_a), ab);
			RETURN QUERY SELECT * FROM tenant_guard._sim_refused(r.state, r.message, '{42501}', obj, 'move A''s rows to B',
				'moving A''s rows to B');
		END IF;
	END IF;
	IF can_delete THEN
		IF n_b = 0 THEN
			RETURN QUERY SELECT NULL::bool, obj, 'DELETE B''s rows as A', 'skipped: B has no rows here';
		ELSE
			r := tenant_guard._sim_exec(app_oid, tenant_a,
				format('WITH d AS (DELETE FROM %s WHERE %s RETURNING 1) SELECT count(*) FROM d', obj, is_b), ab);
			RETURN QUERY SELECT r.state = '42501' OR r.result IS NOT DISTINCT FROM '0', obj, 'DELETE B''s rows as A',
				CASE WHEN r.state = '42501' OR r.result IS NOT DISTINCT FROM '0' THEN format('deleted none of B''s %s row(s)', n_b)
				     WHEN r.state = '00000' THEN format('deleted %s of B''s row(s)', r.result)
				     ELSE format('failed with SQLSTATE %s (%s) after reaching B''s rows', r.state, r.message) END;
		END IF;
	END IF;
	-- Column list without generated columns: what an INSERT may name.
	SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
	  FROM pg_attribute a
	 WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
	IF can_insert THEN
		-- A copy of one of A's rows, read as the owner, with B as its tenant.
		IF may_own THEN
			r := tenant_guard._sim_exec(rel.relowner, tenant_a,
				format('SELECT to_jsonb(t) FROM %s AS t WHERE %s LIMIT 1', obj, is_a), ab, NULL, true);
			a_row := r.result;
		END IF;
		IF NOT may_own THEN
			RETURN QUERY SELECT NULL::bool, obj, 'INSERT a row for B as A',
				format('skipped: the caller %I cannot read A''s rows as their owner %I', current_user,
				       rel.relowner::regrole::text);
		ELSIF a_row IS NULL THEN
			RETURN QUERY SELECT NULL::bool, obj, 'INSERT a row for B as A', 'skipped: A has no row here to copy';
		ELSE
			r := tenant_guard._sim_exec(app_oid, tenant_a,
				format('WITH i AS (INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM '
				       'jsonb_populate_record(NULL::%s, jsonb_set(CAST($1[3] AS jsonb), ARRAY[%L], to_jsonb($1[2]))) '
				       'RETURNING 1) SELECT count(*) FROM i', obj, cols, cols, obj, col),
				ab || a_row);
			RETURN QUERY SELECT * FROM tenant_guard._sim_refused(r.state, r.message, '{42501}', obj, 'INSERT a row for B as A',
				'inserting a row for B');
		END IF;
	END IF;

	-- No tenant: every statement is an error, never an empty answer.
	IF can_read THEN
		r := tenant_guard._sim_exec(app_oid, NULL, format('SELECT count(*) FROM %s', obj), ab);
		RETURN QUERY SELECT * FROM tenant_guard._sim_refused(r.state, r.message, '{42501}', obj, 'SELECT without a tenant',
			'SELECT without a tenant');
	END IF;
	IF can_insert THEN
		r := tenant_guard._sim_exec(app_oid, NULL,
			format('WITH i AS (INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM '
			       'jsonb_populate_record(NULL::%s, ''{}'') WHERE false RETURNING 1) SELECT count(*) FROM i',
			       obj, cols, cols, obj), ab);
		RETURN QUERY SELECT * FROM tenant_guard._sim_refused(r.state, r.message, '{42501}', obj, 'INSERT without a tenant',
			'INSERT without a tenant');
	END IF;
	IF can_update THEN
		r := tenant_guard._sim_exec(app_oid, NULL,
			format('WITH u AS (UPDATE %s SET %I = %I WHERE false RETURNING 1) SELECT count(*) FROM u', obj, col, col), ab);
		RETURN QUERY SELECT * FROM tenant_guard._sim_refused(r.state, r.message, '{42501}', obj, 'UPDATE without a tenant',
			'UPDATE without a tenant');
	END IF;
	IF can_delete THEN
		r := tenant_guard._sim_exec(app_oid, NULL,
			format('WITH d AS (DELETE FROM %s WHERE false RETURNING 1) SELECT count(*) FROM d', obj), ab);
		RETURN QUERY SELECT * FROM tenant_guard._sim_refused(r.state, r.message, '{42501}', obj, 'DELETE without a tenant',
			'DELETE without a tenant');
	END IF;
END
$$;

-- Foreign keys from a table in scope to a tenant table: as A, pointing one of
-- A's rows at B's key is refused (by the policy when the key pairs the tenant
-- columns, else by tenant_guard's foreign-key trigger).
CREATE FUNCTION tenant_guard._sim_foreign_keys(app_role pg_catalog.name, tenant_a pg_catalog.text,
	tenant_b pg_catalog.text, schemas pg_catalog.name[])
RETURNS TABLE (ok pg_catalog.bool, object pg_catalog.text, path pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	fk record;
	r record;
	obj text;
	b_key text[];
	app_oid oid := (SELECT ar.oid FROM pg_roles ar WHERE ar.rolname = app_role);
BEGIN
	FOR fk IN
		SELECT k.conname, k.conrelid::regclass AS child, k.confrelid::regclass AS parent,
		       t.col, t.col_type, pt.col AS parent_col, pt.col_type AS parent_col_type,
		       (SELECT string_agg(format('CAST(%I AS text)', a.attname), ', ' ORDER BY o.n)
		          FROM unnest(k.confkey) WITH ORDINALITY AS o(attnum, n)
		          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = o.attnum) AS parent_cols,
		       (SELECT string_agg(format('%I = CAST($1[%s] AS %s)', a.attname, o.n + 2, a.atttypid::regtype),
		                          ', ' ORDER BY o.n)
		          FROM unnest(k.conkey) WITH ORDINALITY AS o(attnum, n)
		          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = o.attnum) AS assignments
		  FROM pg_constraint k
		  JOIN tenant_guard._sim_tenant_tables(schemas) t ON t.tbl = k.conrelid AND t.in_scope
		  JOIN tenant_guard._sim_tenant_tables(NULL) pt ON pt.tbl = k.confrelid
		 WHERE k.contype = 'f' AND k.conparentid = 0
		 ORDER BY 2::text, 1
	LOOP
		obj := format('%I on %s', fk.conname, fk.child);
		IF NOT has_table_privilege(app_role, fk.child, 'UPDATE') THEN
			RETURN QUERY SELECT NULL::bool, obj, 'reference B''s key as A',
				format('skipped: %I has no UPDATE on %s', app_role, fk.child);
			CONTINUE;
		END IF;
		-- One of B's keys, read as the parent's owner.
		IF NOT tenant_guard._sim_may_own(fk.parent) THEN
			RETURN QUERY SELECT NULL::bool, obj, 'reference B''s key as A',
				format('skipped: the caller %I cannot read B''s keys in %s as their owner %I', current_user, fk.parent,
				       (SELECT c.relowner::regrole::text FROM pg_class c WHERE c.oid = fk.parent));
			CONTINUE;
		END IF;
		r := tenant_guard._sim_exec((SELECT c.relowner FROM pg_class c WHERE c.oid = fk.parent), tenant_b,
			format('SELECT CAST(ARRAY[%s] AS text) FROM %s WHERE %I = CAST($1[2] AS %s) LIMIT 1',
			       fk.parent_cols, fk.parent, fk.parent_col, fk.parent_col_type), ARRAY[tenant_a, tenant_b], NULL, true);
		b_key := r.result::text[];
		IF b_key IS NULL THEN
			RETURN QUERY SELECT NULL::bool, obj, 'reference B''s key as A',
				format('skipped: B has no row in %s', fk.parent);
			CONTINUE;
		END IF;
		r := tenant_guard._sim_exec(app_oid, tenant_a,
			format('WITH u AS (UPDATE %s SET %s WHERE %I = CAST($1[1] AS %s) RETURNING 1) SELECT count(*) FROM u',
			       fk.child, fk.assignments, fk.col, fk.col_type),
			ARRAY[tenant_a, tenant_b] || b_key);
		IF r.result = '0' THEN
			RETURN QUERY SELECT NULL::bool, obj, 'reference B''s key as A', 'skipped: A has no row here';
		ELSE
			RETURN QUERY SELECT * FROM tenant_guard._sim_refused(r.state, r.message, '{42501,23503}', obj,
				'reference B''s key as A', format('pointing A''s rows at B''s key %s in %s', b_key, fk.parent));
		END IF;
	END LOOP;
END
$$;

-- An observation without its digest, for the detail column.
CREATE FUNCTION tenant_guard._sim_answer(observed pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT regexp_replace(observed, ', md5 [0-9a-f]*$', '')
$$;

-- A definer function the simulator cannot call (it takes arguments, or its name
-- is overloaded): judged by whom it runs as.
CREATE FUNCTION tenant_guard._sim_uncallable(fn_name pg_catalog.text)
RETURNS TABLE (ok pg_catalog.bool, object pg_catalog.text, path pg_catalog.text, detail pg_catalog.text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE WHEN o.rolsuper OR o.rolbypassrls OR unforced.tables IS NOT NULL THEN false END,
	       fn_name, 'call as A',
	       CASE WHEN o.rolsuper OR o.rolbypassrls
	            THEN format('not called (it takes arguments or is overloaded), but it runs as %I, who bypasses row-level security',
	                        o.rolname)
	            WHEN unforced.tables IS NOT NULL
	            THEN format('not called (it takes arguments or is overloaded), but it runs as %I, who owns %s without forced row-level security',
	                        o.rolname, unforced.tables)
	            ELSE format('skipped: not called (it takes arguments or is overloaded); it runs as %I, whom row-level security binds; test it in your own suite',
	                        o.rolname) END
	  FROM pg_proc f
	  JOIN pg_namespace n ON n.oid = f.pronamespace
	  JOIN pg_roles o ON o.oid = f.proowner
	 CROSS JOIN LATERAL (
	        SELECT string_agg(tt.tbl::text, ', ' ORDER BY tt.tbl::text) AS tables
	          FROM tenant_guard._sim_tenant_tables(NULL) tt JOIN pg_class c ON c.oid = tt.tbl
	         WHERE c.relowner = f.proowner AND NOT (c.relrowsecurity AND c.relforcerowsecurity)) AS unforced
	 WHERE format('%I.%I()', n.nspname, f.proname) = fn_name AND f.prosecdef
	 LIMIT 1
$$;

-- The indirect paths: views and SECURITY DEFINER functions that app_role may
-- use. Whether they leak is a question of non-interference: A's answer must
-- not change when B's rows are removed, and without a tenant they must fail
-- (or, for a function, not read B's rows either).
CREATE FUNCTION tenant_guard._sim_indirect(app_role pg_catalog.name, tenant_a pg_catalog.text,
	tenant_b pg_catalog.text, schemas pg_catalog.name[])
RETURNS TABLE (ok pg_catalog.bool, object pg_catalog.text, path pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	user_path text := (SELECT reset_val FROM pg_settings WHERE name = 'search_path');
	objs text[] := '{}';
	kinds text[] := '{}';
	stmts text[] := '{}';
	as_a text[] := '{}';
	as_a_state text[] := '{}';
	none_result text[] := '{}';
	none_state text[] := '{}';
	none_message text[] := '{}';
	as_a_after text[];
	none_after text[];
	removal_failed text;
	ab text[] := ARRAY[tenant_a, tenant_b];
	t record;
	r record;
	i int;
	left_over bigint;
	pending regclass[];
	still regclass[];
	app_oid oid := (SELECT ar.oid FROM pg_roles ar WHERE ar.rolname = app_role);
BEGIN
	-- Views (through other views too) over tenant tables, and definer functions.
	FOR t IN
		WITH RECURSIVE reads(view, rel) AS (
			SELECT rw.ev_class, d.refobjid
			  FROM pg_rewrite rw
			  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
			                  AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rw.ev_class
			UNION
			SELECT reads.view, d.refobjid
			  FROM reads
			  JOIN pg_rewrite rw ON rw.ev_class = reads.rel
			  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
			                  AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rw.ev_class)
		SELECT v.oid::regclass::text AS name, v.relkind::text AS kind, NULL::int AS nargs
		  FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
		 WHERE v.relkind IN ('v', 'm') AND (schemas IS NULL OR n.nspname = ANY (schemas))
		   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tenant_guard') AND n.nspname !~ '^pg_'
		   AND has_table_privilege(app_role, v.oid, 'SELECT')
		   AND EXISTS (SELECT FROM reads JOIN tenant_guard._sim_tenant_tables(NULL) tt ON tt.tbl = reads.rel
		                WHERE reads.view = v.oid)
		UNION ALL
		SELECT format('%I.%I()', n.nspname, f.proname), 'f',
		       CASE WHEN f.pronargs > f.pronargdefaults
		                 OR f.prorettype = 'record'::regtype AND f.proallargtypes IS NULL
		                 OR EXISTS (SELECT FROM pg_proc o WHERE o.oid <> f.oid
		                             AND o.pronamespace = f.pronamespace AND o.proname = f.proname)
		            THEN -1 ELSE 0 END
		  FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace
		 WHERE f.prosecdef AND f.prokind = 'f' AND (schemas IS NULL OR n.nspname = ANY (schemas))
		   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tenant_guard') AND n.nspname !~ '^pg_'
		   AND has_function_privilege(app_role, f.oid, 'EXECUTE')
		   AND f.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
		   AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
		                      AND e.objid = f.oid AND e.deptype = 'e')
		 ORDER BY 1
	LOOP
		IF t.kind = 'm' THEN
			RETURN QUERY SELECT false, t.name, 'read as A',
				'a materialized view stores the rows of every tenant and row-level security does not apply to it';
			CONTINUE;
		END IF;
		IF t.nargs = -1 THEN
			RETURN QUERY SELECT * FROM tenant_guard._sim_uncallable(t.name);
			CONTINUE;
		END IF;
		objs := objs || t.name;
		kinds := kinds || t.kind;
		-- What A observes: the row count (the row itself when there is one) and
		-- a digest of all rows. Qualified: user functions run with user_path.
		stmts := stmts || format(
			'SELECT pg_catalog.format(''%%s, md5 %%s'', CASE WHEN pg_catalog.count(*) OPERATOR(pg_catalog.=) 1 '
			'THEN pg_catalog.format(''1 row %%s'', pg_catalog.left(pg_catalog.min(CAST(r AS text)), 60)) '
			'ELSE pg_catalog.format(''%%s rows'', pg_catalog.count(*)) END, '
			'pg_catalog.md5(pg_catalog.string_agg(CAST(r AS text), E''\n'' ORDER BY CAST(r AS text)))) '
			'FROM (SELECT * FROM %s) AS r', t.name);
	END LOOP;
	IF cardinality(objs) = 0 THEN
		RETURN;
	END IF;
	FOR i IN 1 .. cardinality(objs) LOOP
		r := tenant_guard._sim_exec(app_oid, tenant_a, stmts[i], ab, CASE kinds[i] WHEN 'f' THEN user_path END);
		as_a := as_a || r.result;
		as_a_state := as_a_state || coalesce(r.message, '');
		r := tenant_guard._sim_exec(app_oid, NULL, stmts[i], ab, CASE kinds[i] WHEN 'f' THEN user_path END);
		none_result := none_result || r.result;
		none_state := none_state || r.state;
		none_message := none_message || r.message;
	END LOOP;

	-- The same observations with B's rows removed (children before parents), in
	-- a subtransaction that is rolled back. Each table's rows are removed by its
	-- owner, never by the caller: the schema's triggers run then with the rights
	-- of the role that owns them, inside a security-restricted operation.
	BEGIN
		removal_failed := (
			SELECT format('the caller %I may not remove them as %I, the owner of %s', current_user,
			              c.relowner::regrole::text, tt.tbl)
			  FROM tenant_guard._sim_tenant_tables(NULL) tt JOIN pg_class c ON c.oid = tt.tbl
			 WHERE NOT tt.is_partition AND NOT tenant_guard._sim_may_own(tt.tbl)
			 ORDER BY tt.tbl::text LIMIT 1);
		pending := ARRAY(SELECT tt.tbl FROM tenant_guard._sim_tenant_tables(NULL) tt
		                  WHERE NOT tt.is_partition AND removal_failed IS NULL);
		WHILE cardinality(pending) > 0 LOOP
			still := '{}';
			FOR t IN SELECT tt.*, c.relowner FROM tenant_guard._sim_tenant_tables(NULL) tt JOIN pg_class c ON c.oid = tt.tbl
			          WHERE tt.tbl = ANY (pending) LOOP
				r := tenant_guard._sim_exec(t.relowner, tenant_b,
					format('DELETE FROM %s WHERE %I = CAST($1[2] AS %s)', t.tbl, t.col, t.col_type), ab, NULL, true, true);
				IF r.state = '23503' THEN
					still := still || t.tbl;
				-- B is no value of this column's type (a text tenant and a bigint column).
				ELSIF r.state NOT IN ('00000', '22P02', '22003') THEN
					removal_failed := format('removing them from %s failed: %s (SQLSTATE %s)', t.tbl, r.message, r.state);
					EXIT;
				END IF;
			END LOOP;
			EXIT WHEN removal_failed IS NOT NULL;
			IF cardinality(still) = cardinality(pending) THEN
				removal_failed := format('foreign keys between %s keep B''s rows', array_to_string(still, ', '));
				EXIT;
			END IF;
			pending := still;
		END LOOP;
		FOR t IN SELECT tt.*, c.relowner FROM tenant_guard._sim_tenant_tables(NULL) tt JOIN pg_class c ON c.oid = tt.tbl
		          WHERE removal_failed IS NULL AND tenant_guard._sim_may_own(tt.tbl) LOOP
			r := tenant_guard._sim_exec(t.relowner, tenant_b,
				format('SELECT count(*) FROM %s WHERE %I = CAST($1[2] AS %s)', t.tbl, t.col, t.col_type), ab, NULL, true);
			IF r.state NOT IN ('00000', '22P02', '22003') THEN
				removal_failed := format('counting them in %s failed: %s (SQLSTATE %s)', t.tbl, r.message, r.state);
			END IF;
			left_over := CASE WHEN r.state = '00000' THEN r.result::bigint ELSE 0 END;
			IF left_over > 0 AND removal_failed IS NULL THEN
				removal_failed := format('%s row(s) of B remain in %s (a trigger or rule kept them)', left_over, t.tbl);
			END IF;
		END LOOP;
		as_a_after := '{}';
		none_after := '{}';
		FOR i IN 1 .. cardinality(objs) LOOP
			r := tenant_guard._sim_exec(app_oid, tenant_a, stmts[i], ab, CASE kinds[i] WHEN 'f' THEN user_path END);
			as_a_after := as_a_after || r.result;
			r := tenant_guard._sim_exec(app_oid, NULL, stmts[i], ab, CASE kinds[i] WHEN 'f' THEN user_path END);
			none_after := none_after || r.result;
		END LOOP;
		RAISE SQLSTATE 'TGSIM';
	EXCEPTION
		WHEN SQLSTATE 'TGSIM' THEN NULL;
		WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS removal_failed = MESSAGE_TEXT;
	END;

	FOR i IN 1 .. cardinality(objs) LOOP
		RETURN QUERY SELECT
			CASE WHEN as_a[i] IS NULL THEN NULL WHEN removal_failed IS NOT NULL THEN false
			     ELSE as_a[i] IS NOT DISTINCT FROM as_a_after[i] END,
			objs[i], CASE kinds[i] WHEN 'f' THEN 'call as A' ELSE 'read as A' END,
			CASE WHEN as_a[i] IS NULL THEN format('skipped: A cannot use it: %s', as_a_state[i])
			     WHEN removal_failed IS NOT NULL
			     THEN format('could not remove B''s rows to compare: %s; run simulate() as a role that may delete them',
			                 removal_failed)
			     WHEN as_a[i] IS NOT DISTINCT FROM as_a_after[i]
			     THEN format('A''s answer (%s) does not change when B''s rows are removed', tenant_guard._sim_answer(as_a[i]))
			     ELSE format('A''s answer changes when B''s rows are removed (%s, then %s): it reads B''s rows',
			                 tenant_guard._sim_answer(as_a[i]), tenant_guard._sim_answer(as_a_after[i])) END;
		IF none_state[i] <> '00000' THEN
			RETURN QUERY SELECT none_state[i] = '42501', objs[i],
				CASE kinds[i] WHEN 'f' THEN 'call without a tenant' ELSE 'read without a tenant' END,
				CASE WHEN none_state[i] = '42501' THEN format('refused: %s (SQLSTATE %s)', none_message[i], none_state[i])
				     ELSE format('failed with SQLSTATE %s (%s), not with 42501', none_state[i], none_message[i]) END;
		ELSIF kinds[i] = 'v' THEN
			RETURN QUERY SELECT false, objs[i], 'read without a tenant',
				format('answered (%s) instead of failing', tenant_guard._sim_answer(none_result[i]));
		ELSE
			RETURN QUERY SELECT removal_failed IS NULL AND none_result[i] IS NOT DISTINCT FROM none_after[i],
				objs[i], 'call without a tenant',
				CASE WHEN removal_failed IS NOT NULL THEN format('answered (%s); could not remove B''s rows to compare: %s',
				                                                 tenant_guard._sim_answer(none_result[i]), removal_failed)
				     WHEN none_result[i] IS NOT DISTINCT FROM none_after[i]
				     THEN format('answered (%s), but the answer does not depend on B''s rows', tenant_guard._sim_answer(none_result[i]))
				     ELSE format('answered (%s, then %s when B''s rows are removed): it reads B''s rows without a tenant',
				                 tenant_guard._sim_answer(none_result[i]), tenant_guard._sim_answer(none_after[i])) END;
		END IF;
	END LOOP;
END
$$;


CREATE FUNCTION tenant_guard.simulate(
	app_role pg_catalog.name,
	tenant_a pg_catalog.text,
	tenant_b pg_catalog.text,
	schemas pg_catalog.name[] DEFAULT NULL)
RETURNS TABLE (ok pg_catalog.bool, object pg_catalog.text, path pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	app pg_roles%ROWTYPE;
	missing name;
	t record;
BEGIN
	IF app_role IS NULL OR tenant_a IS NULL OR tenant_b IS NULL THEN
		RAISE EXCEPTION 'arguments of tenant_guard.simulate must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the application role and two tenants; leave schemas out for all schemas.';
	END IF;
	SELECT * INTO app FROM pg_roles r WHERE r.rolname = app_role;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role "%" does not exist', app_role
			USING ERRCODE = 'undefined_object',
			      HINT = 'Pass the role your application connects as.';
	END IF;
	IF app.rolsuper OR app.rolbypassrls THEN
		RAISE EXCEPTION 'role "%" bypasses row-level security', app_role
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'It is a superuser or has BYPASSRLS, so no policy binds it and the simulation would prove nothing.',
			      HINT = 'Simulate the role your application connects as; give it neither SUPERUSER nor BYPASSRLS.';
	END IF;
	IF NOT pg_has_role(current_user, app.oid, 'MEMBER') THEN
		RAISE EXCEPTION 'permission denied to simulate role "%"', app_role
			USING ERRCODE = 'insufficient_privilege',
			      DETAIL = format('simulate() runs statements as %I, which only a superuser or a member of %I may do.',
			                      app_role, app_role),
			      HINT = format('Run it as a superuser, or GRANT %I TO %I.', app_role, current_user);
	END IF;
	IF tenant_a = '' OR tenant_b = '' OR tenant_a = tenant_b THEN
		RAISE EXCEPTION 'tenants "%" and "%" cannot be simulated', tenant_a, tenant_b
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'The two tenants must be different and not empty.',
			      HINT = 'Pass the two tenants your fixtures wrote rows for.';
	END IF;
	SELECT s INTO missing FROM unnest(schemas) s WHERE NOT EXISTS (SELECT FROM pg_namespace n WHERE n.nspname = s) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'schema "%" does not exist', missing
			USING ERRCODE = 'invalid_schema_name',
			      HINT = 'Pass the names of existing schemas; names are case-sensitive.';
	END IF;

	-- Every check rolls back its own statement; this subtransaction is rolled
	-- back as well, so that nothing the user's triggers or functions did survives.
	BEGIN
		FOR t IN SELECT * FROM tenant_guard._sim_tenant_tables(schemas) tt WHERE tt.in_scope LOOP
			RETURN QUERY SELECT * FROM tenant_guard._sim_table(app_role, tenant_a, tenant_b, t.tbl, t.col,
			                                                   t.col_type, t.is_partition);
		END LOOP;
		-- COPY TO goes to a server file, a program or the client only, and
		-- granting app_role the right to write server files would grant it to
		-- the schema's code as well. COPY t TO applies the SELECT policies, as
		-- 'read as A' does, and tenant_guard's own suites cover its COPY guard.
		IF FOUND THEN
			RETURN QUERY SELECT NULL::bool, 'COPY TO', 'as A and without a tenant',
				'skipped: COPY TO needs a server file, a program or the client, and the application role may write '
				'no server file here; COPY t TO applies the SELECT policies that read as A checks';
		END IF;
		RETURN QUERY SELECT * FROM tenant_guard._sim_foreign_keys(app_role, tenant_a, tenant_b, schemas);
		RETURN QUERY SELECT * FROM tenant_guard._sim_indirect(app_role, tenant_a, tenant_b, schemas);
		RAISE SQLSTATE 'TGSIM';
	EXCEPTION WHEN SQLSTATE 'TGSIM' THEN NULL;
	END;
END
$$;
COMMENT ON FUNCTION tenant_guard.simulate(pg_catalog.name, pg_catalog.text, pg_catalog.text, pg_catalog.name[]) IS
	'Two-tenant simulation as the application role: one row per read and write path checked';

-- ---------------------------------------------------------------------------
-- Application roles are registered only by whoever may administer them.
-- ---------------------------------------------------------------------------
-- Registering a role holds it to DML only in check() (app-role-too-powerful),
-- with errors only its administrators can clear, so the one way in is
-- _register_app_role(): it refuses powerful roles and callers that may not
-- administer the role. C, not SECURITY DEFINER: the check needs the caller's
-- own identity, and only the INSERT runs as the extension owner.
REVOKE ALL ON tenant_guard.app_roles FROM PUBLIC;
GRANT SELECT ON tenant_guard.app_roles TO PUBLIC;

CREATE FUNCTION tenant_guard._register_app_role(role_name pg_catalog.name) RETURNS pg_catalog.void
	AS 'MODULE_PATHNAME', 'tg_register_app_role' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION tenant_guard._register_app_role(pg_catalog.name) IS
	'Record an application role for check(), if the caller may administer it (called by create_app_role)';

CREATE OR REPLACE FUNCTION tenant_guard.create_app_role(role_name pg_catalog.name, login pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.name
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t record;
BEGIN
	IF role_name IS NULL OR login IS NULL THEN
		RAISE EXCEPTION 'arguments of tenant_guard.create_app_role must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      DETAIL = 'The role needs a name, and whether it may log in.',
			      HINT = 'Pass both, e.g. tenant_guard.create_app_role(''app'', login => true).';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = role_name) THEN
		EXECUTE format('CREATE ROLE %I %s NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
		               role_name, CASE WHEN login THEN 'LOGIN' ELSE 'NOLOGIN' END);
	END IF;
	-- Refuses a powerful existing role, and a caller that may not administer it.
	PERFORM tenant_guard._register_app_role(role_name);
	-- DML on every protected table (partitions too: they can be named directly),
	-- and the sequences their columns draw from. Nothing else: no DDL, no ownership.
	FOR t IN
		SELECT p.table_oid AS tbl, n.nspname
		  FROM tenant_guard.protection p
		  JOIN pg_class c ON c.oid = p.table_oid
		  JOIN pg_namespace n ON n.oid = c.relnamespace
		 ORDER BY 1
	LOOP
		EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', t.nspname, role_name);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t.tbl, role_name);
	END LOOP;
	FOR t IN
		SELECT DISTINCT d.objid::regclass AS seq
		  FROM pg_depend d
		  JOIN tenant_guard.protection p ON p.table_oid::oid = d.refobjid
		  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
		 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
	LOOP
		EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', t.seq, role_name);
	END LOOP;
	RETURN role_name;
END
$$;

-- ---------------------------------------------------------------------------
-- Audit trail (docs/audit.md): audit(tbl) installs C++ capture triggers that
-- write one event per row change (and per TRUNCATE) into audit_events in the
-- same transaction, each hashed on its own. The sealing worker chains
-- committed events into per-chain blocks (audit_blocks) and database-wide
-- passes (audit_passes); verify_audit() recomputes everything. The four
-- tables refuse UPDATE, DELETE and TRUNCATE for everyone, and INSERT except
-- from the capture trigger and the sealer; only tenant_guard_auditor reads.
-- ---------------------------------------------------------------------------

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'tenant_guard_auditor') THEN
		CREATE ROLE tenant_guard_auditor NOLOGIN;
	END IF;
END
$$;

CREATE TABLE tenant_guard.audited_tables (
	table_oid pg_catalog.regclass PRIMARY KEY,
	chain pg_catalog.text NOT NULL CHECK (chain OPERATOR(pg_catalog.=) ANY (ARRAY['tenant', 'global'])),
	tenant_column pg_catalog.name,
	exclude_columns pg_catalog.name[] NOT NULL DEFAULT '{}'
);
-- Dumped with the database (table_oid as names, so a restore finds its tables):
-- the capture triggers are dumped with the tables, and refuse to write
-- without their registration.
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.audited_tables', '');

CREATE SEQUENCE tenant_guard.audit_event_seq;

-- The capture trigger writes these columns by position: keep the order.
-- Partitioned by UTC month of occurred_at (docs/audit-retention.md): the
-- primary key must hold the partition key; seq alone stays unique because
-- the sequence gives it, and verify_audit() reports a copied event.
CREATE TABLE tenant_guard.audit_events (
	seq pg_catalog.int8 NOT NULL,
	chain_id pg_catalog.text NOT NULL,
	format_version pg_catalog.int2 NOT NULL,
	occurred_at pg_catalog.timestamptz NOT NULL,
	txid pg_catalog.int8 NOT NULL,
	tx_ordinal pg_catalog.int4 NOT NULL,
	session_actor pg_catalog.text NOT NULL,
	actor pg_catalog.text NOT NULL,
	table_name pg_catalog.text NOT NULL,
	operation pg_catalog.text NOT NULL,
	tenant_id pg_catalog.text,
	old_row pg_catalog.jsonb,
	new_row pg_catalog.jsonb,
	changed_columns pg_catalog.text[],
	application_name pg_catalog.text,
	client_addr pg_catalog.inet,
	row_hash pg_catalog.bytea NOT NULL,
	PRIMARY KEY (seq, occurred_at)
) PARTITION BY RANGE (occurred_at);

CREATE TABLE tenant_guard.audit_passes (
	pass_no pg_catalog.int8 PRIMARY KEY,
	sealed_at pg_catalog.timestamptz NOT NULL,
	low_watermark pg_catalog.int8 NOT NULL,
	high_watermark pg_catalog.int8 NOT NULL,
	prev_hash pg_catalog.bytea NOT NULL,
	pass_hash pg_catalog.bytea NOT NULL
);
-- A restarting sealer reads the passes above its low watermark (the events
-- they sealed): by this index, not by reading every pass ever made.
CREATE INDEX ON tenant_guard.audit_passes (high_watermark);

CREATE TABLE tenant_guard.audit_blocks (
	chain_id pg_catalog.text NOT NULL,
	block_no pg_catalog.int8 NOT NULL,
	pass_no pg_catalog.int8 NOT NULL,
	event_seqs pg_catalog.int8[] NOT NULL,
	merkle_root pg_catalog.bytea NOT NULL,
	prev_hash pg_catalog.bytea NOT NULL,
	block_hash pg_catalog.bytea NOT NULL,
	PRIMARY KEY (chain_id, block_no)
);
CREATE INDEX ON tenant_guard.audit_blocks (pass_no);

CREATE FUNCTION tenant_guard.audit_capture() RETURNS trigger
	AS 'MODULE_PATHNAME', 'tg_audit_capture' LANGUAGE C;

CREATE FUNCTION tenant_guard.audit_append_only() RETURNS trigger
	AS 'MODULE_PATHNAME', 'tg_audit_append_only' LANGUAGE C;

CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_events FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_append_only();
CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_blocks FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_append_only();
CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_passes FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_append_only();

CREATE FUNCTION tenant_guard.audit(
	tbl pg_catalog.regclass,
	exclude_columns pg_catalog.text[] DEFAULT '{}',
	chain pg_catalog.text DEFAULT 'tenant'
) RETURNS pg_catalog.bool
	AS 'MODULE_PATHNAME', 'tg_audit' LANGUAGE C;

CREATE FUNCTION tenant_guard.unaudit(tbl pg_catalog.regclass) RETURNS pg_catalog.bool
	AS 'MODULE_PATHNAME', 'tg_unaudit' LANGUAGE C STRICT;

CREATE FUNCTION tenant_guard.verify_audit(chain_id pg_catalog.text DEFAULT NULL)
RETURNS TABLE (chain_id pg_catalog.text, seq pg_catalog.int8, problem pg_catalog.text, detail pg_catalog.text)
	AS 'MODULE_PATHNAME', 'tg_verify_audit' LANGUAGE C STABLE;

-- Each chain's head and the latest pass: the digest to keep outside the database.
-- One probe of the primary key per chain (the chains found by skipping from
-- one chain_id to the next), not a read of every block ever sealed.
CREATE VIEW tenant_guard.audit_heads AS
WITH RECURSIVE chains AS (
	SELECT pg_catalog.min(b.chain_id) AS chain_id FROM tenant_guard.audit_blocks b
	UNION ALL
	SELECT (SELECT pg_catalog.min(b.chain_id) FROM tenant_guard.audit_blocks b
	         WHERE b.chain_id OPERATOR(pg_catalog.>) c.chain_id)
	  FROM chains c
	 WHERE c.chain_id IS NOT NULL
)
SELECT h.chain_id, h.block_no, h.event_seqs[pg_catalog.array_upper(h.event_seqs, 1)] AS last_seq,
       h.block_hash, h.pass_no
  FROM chains c
 CROSS JOIN LATERAL (SELECT b.chain_id, b.block_no, b.event_seqs, b.block_hash, b.pass_no
                       FROM tenant_guard.audit_blocks b
                      WHERE b.chain_id OPERATOR(pg_catalog.=) c.chain_id
                      ORDER BY b.block_no DESC
                      LIMIT 1) h
 ORDER BY h.chain_id;

REVOKE ALL ON tenant_guard.audited_tables, tenant_guard.audit_events, tenant_guard.audit_passes,
	tenant_guard.audit_blocks, tenant_guard.audit_heads, tenant_guard.audit_event_seq FROM PUBLIC;
GRANT SELECT ON tenant_guard.audited_tables, tenant_guard.audit_events, tenant_guard.audit_passes,
	tenant_guard.audit_blocks, tenant_guard.audit_heads TO tenant_guard_auditor;
REVOKE ALL ON FUNCTION tenant_guard.verify_audit(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_guard.verify_audit(pg_catalog.text) TO tenant_guard_auditor;

-- TRUNCATE triggers are per relation: partitions created or attached after
-- audit() get theirs here (row triggers are cloned by PostgreSQL itself),
-- created as tenant_guard's own DDL (audit_functions.cpp says why).
CREATE FUNCTION tenant_guard.audit_new_partitions() RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'tg_audit_new_partitions' LANGUAGE C;
REVOKE ALL ON FUNCTION tenant_guard.audit_new_partitions() FROM PUBLIC;
CREATE EVENT TRIGGER tenant_guard_audit_new_partitions ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
	EXECUTE FUNCTION tenant_guard.audit_new_partitions();

-- ---------------------------------------------------------------------------
-- Anchoring (docs/audit.md, "Tree heads and anchoring"): each closed UTC day
-- gets an RFC 9162 tree head over every event sealed by its end, in log
-- order (pass, then chain in byte order, then position in the block), kept
-- in audit_anchors; audit_proof() and audit_consistency() prove inclusion
-- and append-only growth against those heads; anchor_request() and
-- anchor_store() have the head time-stamped by an RFC 3161 authority, and
-- verify_anchor() checks the token and recomputes the head. The three
-- tables refuse UPDATE, DELETE and TRUNCATE for everyone, and INSERT except
-- from these functions: a closed day's head never changes.
-- ---------------------------------------------------------------------------

CREATE TABLE tenant_guard.audit_anchors (
	day pg_catalog.date PRIMARY KEY,
	last_pass pg_catalog.int8 NOT NULL,
	tree_size pg_catalog.int8 NOT NULL,
	tree_head pg_catalog.bytea NOT NULL,
	-- The roots of the perfect subtrees of the day's tree, largest first (one
	-- per 1 bit of tree_size): the next close_audit_day() adds the events
	-- sealed after last_pass to it instead of reading the whole log again.
	frontier pg_catalog.bytea[] NOT NULL,
	closed_at pg_catalog.timestamptz NOT NULL
);

CREATE TABLE tenant_guard.audit_anchor_requests (
	day pg_catalog.date NOT NULL REFERENCES tenant_guard.audit_anchors,
	nonce pg_catalog.int8 NOT NULL,
	requested_at pg_catalog.timestamptz NOT NULL,
	PRIMARY KEY (day, nonce)
);

CREATE TABLE tenant_guard.audit_anchor_tokens (
	day pg_catalog.date PRIMARY KEY REFERENCES tenant_guard.audit_anchors,
	nonce pg_catalog.int8 NOT NULL,
	token pg_catalog.bytea NOT NULL,
	gen_time pg_catalog.text NOT NULL,
	policy_oid pg_catalog.text NOT NULL,
	serial pg_catalog.text NOT NULL,
	stored_at pg_catalog.timestamptz NOT NULL
);

CREATE FUNCTION tenant_guard.audit_anchor_append_only() RETURNS trigger
	AS 'MODULE_PATHNAME', 'tg_audit_anchor_append_only' LANGUAGE C;

CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_anchors FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_anchor_append_only();
CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_anchor_requests FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_anchor_append_only();
CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_anchor_tokens FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_anchor_append_only();

-- Writers: SECURITY DEFINER, so that the role a scheduler runs as needs only EXECUTE.
CREATE FUNCTION tenant_guard.close_audit_day(
	day pg_catalog.date DEFAULT ((pg_catalog.now() AT TIME ZONE 'UTC')::pg_catalog.date OPERATOR(pg_catalog.-) 1)
) RETURNS pg_catalog.bytea
	AS 'MODULE_PATHNAME', 'tg_close_audit_day' LANGUAGE C STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION tenant_guard.anchor_request(day pg_catalog.date) RETURNS pg_catalog.bytea
	AS 'MODULE_PATHNAME', 'tg_anchor_request' LANGUAGE C STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION tenant_guard.anchor_store(day pg_catalog.date, response pg_catalog.bytea)
RETURNS pg_catalog.text
	AS 'MODULE_PATHNAME', 'tg_anchor_store' LANGUAGE C STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

-- Readers: run as the caller, who needs to read the trail (tenant_guard_auditor).
CREATE FUNCTION tenant_guard.audit_root(day pg_catalog.date, chain_id pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.bytea
	AS 'MODULE_PATHNAME', 'tg_audit_root' LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION tenant_guard.audit_proof(chain_id pg_catalog.text, seq pg_catalog.int8, day pg_catalog.date DEFAULT NULL)
RETURNS TABLE (day pg_catalog.date, tree_size pg_catalog.int8, leaf_index pg_catalog.int8,
	row_hash pg_catalog.bytea, tree_head pg_catalog.bytea, path pg_catalog.bytea[])
	AS 'MODULE_PATHNAME', 'tg_audit_proof' LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION tenant_guard.audit_consistency(from_day pg_catalog.date, to_day pg_catalog.date)
RETURNS TABLE (first_size pg_catalog.int8, second_size pg_catalog.int8, first_head pg_catalog.bytea,
	second_head pg_catalog.bytea, path pg_catalog.bytea[])
	AS 'MODULE_PATHNAME', 'tg_audit_consistency' LANGUAGE C STRICT STABLE
	SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION tenant_guard.verify_anchor(day pg_catalog.date, ca_pem pg_catalog.text)
RETURNS TABLE (day pg_catalog.date, problem pg_catalog.text, detail pg_catalog.text)
	AS 'MODULE_PATHNAME', 'tg_verify_anchor' LANGUAGE C STRICT STABLE
	SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON tenant_guard.audit_anchors, tenant_guard.audit_anchor_requests,
	tenant_guard.audit_anchor_tokens FROM PUBLIC;
GRANT SELECT ON tenant_guard.audit_anchors, tenant_guard.audit_anchor_requests,
	tenant_guard.audit_anchor_tokens TO tenant_guard_auditor;
REVOKE ALL ON FUNCTION tenant_guard.close_audit_day(pg_catalog.date), tenant_guard.anchor_request(pg_catalog.date),
	tenant_guard.anchor_store(pg_catalog.date, pg_catalog.bytea), tenant_guard.audit_root(pg_catalog.date, pg_catalog.text),
	tenant_guard.audit_proof(pg_catalog.text, pg_catalog.int8, pg_catalog.date),
	tenant_guard.audit_consistency(pg_catalog.date, pg_catalog.date),
	tenant_guard.verify_anchor(pg_catalog.date, pg_catalog.text),
	tenant_guard.audit_anchor_append_only() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_guard.audit_root(pg_catalog.date, pg_catalog.text),
	tenant_guard.audit_proof(pg_catalog.text, pg_catalog.int8, pg_catalog.date),
	tenant_guard.audit_consistency(pg_catalog.date, pg_catalog.date),
	tenant_guard.verify_anchor(pg_catalog.date, pg_catalog.text) TO tenant_guard_auditor;

-- ---------------------------------------------------------------------------
-- Retention (docs/audit-retention.md): audit_events has one partition per UTC
-- month, made ahead by audit_create_partitions() (at install, by the sealer
-- and by close_audit_day()); there is no DEFAULT partition, so an event of a
-- month without partition is refused rather than stored where no retention
-- rule reaches it. audit_prune() records a checkpoint (per chain the last
-- block and tree frontier, the tree head of a closed day and its time-stamp)
-- and detaches and drops whole months before it, in one transaction;
-- verify_audit() then reports those events as pruned by policy, and any
-- other absent event as missing. The checkpoint tables are append-only.
-- ---------------------------------------------------------------------------

CREATE TABLE tenant_guard.audit_checkpoints (
	checkpoint_no pg_catalog.int8 PRIMARY KEY,
	before_month pg_catalog.date NOT NULL,
	day pg_catalog.date NOT NULL REFERENCES tenant_guard.audit_anchors,
	last_pass pg_catalog.int8 NOT NULL,
	tree_size pg_catalog.int8 NOT NULL,
	tree_head pg_catalog.bytea NOT NULL,
	frontier pg_catalog.bytea[] NOT NULL,
	anchor_serial pg_catalog.text,
	anchor_gen_time pg_catalog.text,
	pruned_seqs pg_catalog.int8multirange NOT NULL,
	events pg_catalog.int8 NOT NULL,
	partitions pg_catalog.text[] NOT NULL,
	pruned_by pg_catalog.text NOT NULL,
	pruned_at pg_catalog.timestamptz NOT NULL
);

CREATE TABLE tenant_guard.audit_checkpoint_chains (
	checkpoint_no pg_catalog.int8 NOT NULL REFERENCES tenant_guard.audit_checkpoints,
	chain_id pg_catalog.text NOT NULL,
	last_block_no pg_catalog.int8 NOT NULL,
	last_block_hash pg_catalog.bytea NOT NULL,
	last_seq pg_catalog.int8 NOT NULL,
	tree_size pg_catalog.int8 NOT NULL,
	frontier pg_catalog.bytea[] NOT NULL,
	events pg_catalog.int8 NOT NULL,
	PRIMARY KEY (checkpoint_no, chain_id)
);

CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_anchor_append_only();
CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON tenant_guard.audit_checkpoint_chains FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_anchor_append_only();

-- Creates the missing monthly partitions from from_month's month on (months
-- of them), never one before the latest checkpoint. A new partition is made
-- alone and attached (SHARE UPDATE EXCLUSIVE on audit_events), so writers
-- never wait for it; statement triggers are not inherited, so each gets the
-- append-only trigger itself.
CREATE FUNCTION tenant_guard.audit_create_partitions(
	from_month pg_catalog.date DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC')::pg_catalog.date,
	months pg_catalog.int4 DEFAULT 3
) RETURNS SETOF pg_catalog.regclass
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	first_month date := date_trunc('month', from_month)::date;
	pruned_before date;
	m date;
	name text;
BEGIN
	IF months IS NULL OR months < 1 OR months > 120 THEN
		RAISE EXCEPTION 'months must be between 1 and 120, not %', months
			USING ERRCODE = '22023',
			      DETAIL = 'audit_create_partitions() makes one partition of tenant_guard.audit_events per month.',
			      HINT = 'Pass a number of months between 1 and 120.';
	END IF;
	-- One partition maker or prune at a time (this mode conflicts with itself,
	-- not with writers): a second caller then finds the first's partitions.
	-- ONLY: on the partitions, VACUUM and ANALYZE hold this mode while they
	-- run, and the sealer, which calls this after every start, must not wait.
	LOCK TABLE ONLY tenant_guard.audit_events IN SHARE UPDATE EXCLUSIVE MODE;
	SELECT max(c.before_month) INTO pruned_before FROM tenant_guard.audit_checkpoints c;
	FOR i IN 0 .. months - 1 LOOP
		m := (first_month + make_interval(months => i))::date;
		name := 'audit_events_' || to_char(m, 'YYYY_MM');
		CONTINUE WHEN to_regclass('tenant_guard.' || quote_ident(name)) IS NOT NULL;
		IF m < pruned_before THEN
			RAISE EXCEPTION 'audit month % is before the retention checkpoint', to_char(m, 'YYYY-MM')
				USING ERRCODE = '55000',
				      DETAIL = format('tenant_guard.audit_prune() dropped every month before %s; its events cannot come back.', pruned_before),
				      HINT = 'Create partitions for the current and later months only.';
		END IF;
		EXECUTE format('CREATE TABLE tenant_guard.%I (LIKE tenant_guard.audit_events INCLUDING DEFAULTS)', name);
		EXECUTE format('ALTER TABLE tenant_guard.audit_events ATTACH PARTITION tenant_guard.%I'
		               ' FOR VALUES FROM (%L) TO (%L)', name,
		               m::text || ' 00:00:00+00', (m + interval '1 month')::date::text || ' 00:00:00+00');
		EXECUTE format('CREATE TRIGGER tenant_guard_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE'
		               ' ON tenant_guard.%I FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_append_only()', name);
		EXECUTE format('REVOKE ALL ON tenant_guard.%I FROM PUBLIC', name);
		EXECUTE format('GRANT SELECT ON tenant_guard.%I TO tenant_guard_auditor', name);
		RETURN NEXT ('tenant_guard.' || quote_ident(name))::regclass;
	END LOOP;
END
$$;

SELECT pg_catalog.count(*) FROM tenant_guard.audit_create_partitions();

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'tenant_guard_retention') THEN
		CREATE ROLE tenant_guard_retention NOLOGIN;
	END IF;
END
$$;

-- SECURITY DEFINER: it detaches and drops partitions that the extension owns.
CREATE FUNCTION tenant_guard.audit_prune(before pg_catalog.date, allow_unanchored pg_catalog.bool DEFAULT false)
RETURNS TABLE (checkpoint_no pg_catalog.int8, partition pg_catalog.text, events pg_catalog.int8)
	AS 'MODULE_PATHNAME', 'tg_audit_prune' LANGUAGE C STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON tenant_guard.audit_checkpoints, tenant_guard.audit_checkpoint_chains FROM PUBLIC;
GRANT SELECT ON tenant_guard.audit_checkpoints, tenant_guard.audit_checkpoint_chains TO tenant_guard_auditor;
REVOKE ALL ON FUNCTION tenant_guard.audit_create_partitions(pg_catalog.date, pg_catalog.int4),
	tenant_guard.audit_prune(pg_catalog.date, pg_catalog.bool) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_guard.audit_create_partitions(pg_catalog.date, pg_catalog.int4),
	tenant_guard.audit_prune(pg_catalog.date, pg_catalog.bool) TO tenant_guard_retention;

-- ---------------------------------------------------------------------------
-- Keeping the trail complete (docs/audit.md): every relation of an audited
-- table's partition tree has a row trigger and a TRUNCATE trigger calling
-- audit_capture() with the registered arguments, enabled ALWAYS (so that
-- session_replication_role = replica does not skip them). By contents,
-- whatever the triggers are called. The drift guard refuses DDL that leaves
-- one missing or weaker; check() reports what got past it.
-- ---------------------------------------------------------------------------

-- Anyone can read these facts in pg_trigger already; check() is for everyone.
CREATE VIEW tenant_guard._audited AS
SELECT a.table_oid::pg_catalog.oid AS relid, a.chain, a.exclude_columns,
       (SELECT pg_catalog.string_agg(pg_catalog.convert_to(x.arg, pg_catalog.getdatabaseencoding())
                                     OPERATOR(pg_catalog.||) '\x00'::pg_catalog.bytea,
                                     ''::pg_catalog.bytea ORDER BY x.n)
          FROM pg_catalog.unnest(ARRAY[a.chain, COALESCE(a.tenant_column::pg_catalog.text, '')]
                                 OPERATOR(pg_catalog.||) a.exclude_columns::pg_catalog.text[])
               WITH ORDINALITY AS x(arg, n)) AS tgargs
  FROM tenant_guard.audited_tables a;
GRANT SELECT ON tenant_guard._audited TO PUBLIC;

-- What the capture triggers of relation $1 and the partitions below it lack;
-- $1 is an audited table or any partition below one. Without JIT: the
-- partition functions' estimates (1000 rows each) make the plan look costly
-- enough to compile, which took a second for a few rows; the drift guard runs
-- this for every DDL command on an audited table.
CREATE FUNCTION tenant_guard._audit_drift(relid pg_catalog.oid)
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
	WITH a AS (
	  SELECT au.* FROM tenant_guard._audited au
	   WHERE au.relid = $1 OR au.relid IN (SELECT r.relid FROM pg_partition_ancestors($1) r)),
	rel AS (
	  SELECT a.*, $1 AS rel FROM a
	  UNION
	  SELECT a.*, t.relid::oid FROM a CROSS JOIN LATERAL pg_partition_tree($1) t),
	need AS (
	  SELECT rel.*, k.what, k.consequence, k.tgtype
	    FROM rel CROSS JOIN (VALUES ('row changes', 'they go', 29::int2),
	                                ('TRUNCATE', 'a TRUNCATE goes', 32::int2)) AS k(what, consequence, tgtype))
	SELECT 'error', 'audit-capture-incomplete', need.rel::regclass::text,
	       CASE WHEN t.tgname IS NULL
	            THEN format('audited table %s has no tenant_guard capture trigger for %s, so %s unaudited',
	                        need.rel::regclass, need.what, need.consequence)
	            WHEN t.tgenabled = 'D'
	            THEN format('capture trigger %I on audited table %s is disabled', t.tgname, need.rel::regclass)
	            WHEN t.tgenabled = 'R'
	            THEN format('capture trigger %I on audited table %s fires for replica sessions only', t.tgname, need.rel::regclass)
	            ELSE format('capture trigger %I on audited table %s is not enabled ALWAYS, so sessions with session_replication_role = replica change it unaudited',
	                        t.tgname, need.rel::regclass)
	       END,
	       format('SELECT tenant_guard.audit(%L, %L, %L); -- recreates the capture triggers',
	              need.relid::regclass::text, need.exclude_columns::text, need.chain)
	  FROM need
	  LEFT JOIN LATERAL (
	        SELECT tr.tgname, tr.tgenabled FROM pg_trigger tr
	         WHERE tr.tgrelid = need.rel AND NOT tr.tgisinternal
	           AND tr.tgfoid = 'tenant_guard.audit_capture()'::regprocedure
	           AND tr.tgtype = need.tgtype AND tr.tgargs = need.tgargs
	           AND tr.tgqual IS NULL AND tr.tgattr::text = ''
	         ORDER BY tr.tgenabled = 'A' DESC, tr.tgname LIMIT 1) t ON true
	 WHERE t.tgname IS NULL OR t.tgenabled <> 'A'
	UNION ALL
	-- An unlogged relation is emptied by a crash without any event, and a
	-- standby never has its rows: the trail would show rows that are gone.
	SELECT 'error', 'audit-table-unlogged', r.rel::regclass::text,
	       format('audited table %s is UNLOGGED, so a crash empties it unaudited', r.rel::regclass),
	       format('ALTER TABLE %s SET LOGGED;', r.rel::regclass)
	  FROM (SELECT DISTINCT rel.rel FROM rel) r JOIN pg_class c ON c.oid = r.rel
	 WHERE c.relpersistence = 'u'
$$;

CREATE FUNCTION tenant_guard._finding_audit_capture_incomplete()
RETURNS TABLE (severity text, code text, object text, message text, hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT d.* FROM tenant_guard._audited a CROSS JOIN LATERAL tenant_guard._audit_drift(a.relid) d
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
	UNION ALL SELECT * FROM tenant_guard._finding_policy_altered()
	UNION ALL SELECT * FROM tenant_guard._finding_tenant_column_renamed()
	UNION ALL SELECT * FROM tenant_guard._finding_unprotected_parent()
	UNION ALL SELECT * FROM tenant_guard._finding_trigger_disabled()
	UNION ALL SELECT * FROM tenant_guard._finding_event_trigger_disabled()
	UNION ALL SELECT * FROM tenant_guard._finding_rule_on_protected_table()
	UNION ALL SELECT * FROM tenant_guard._finding_setting_override()
	UNION ALL SELECT * FROM tenant_guard._finding_default_privileges_app_role()
	UNION ALL SELECT * FROM tenant_guard._finding_owner_bypasses_rls()
	UNION ALL SELECT * FROM tenant_guard._finding_unprotected_relation()
	UNION ALL SELECT * FROM tenant_guard._finding_citus_placement_unprotected()
	UNION ALL SELECT * FROM tenant_guard._finding_citus_worker_unguarded()
	UNION ALL SELECT * FROM tenant_guard._finding_citus_set_propagation()
	UNION ALL SELECT * FROM tenant_guard._finding_audit_capture_incomplete()
) AS findings
 ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code, object
$$;

-- For a migration to call last: a weakening that check() sees cannot commit.
CREATE FUNCTION tenant_guard.assert_intact(tenant_column pg_catalog.name DEFAULT 'tenant_id')
RETURNS pg_catalog.void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
	findings text;
BEGIN
	SELECT count(*), string_agg(format('%s: %s', f.code, f.message), E'\n' ORDER BY f.code, f.object)
	  INTO n, findings
	  FROM tenant_guard.check(tenant_column) f WHERE f.severity = 'error';
	IF n > 0 THEN
		RAISE EXCEPTION 'tenant isolation is not intact: tenant_guard.check() has % error finding%',
		                n, CASE WHEN n = 1 THEN '' ELSE 's' END
			USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = findings,
			      HINT = 'Apply the hints of SELECT * FROM tenant_guard.check() WHERE severity = ''error''.';
	END IF;
END
$$;
COMMENT ON FUNCTION tenant_guard.assert_intact(pg_catalog.name) IS
	'Raise an error listing check()''s error findings, if there are any';
