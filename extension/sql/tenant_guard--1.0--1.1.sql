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
	                       AND pol.polname IN ('tenant_guard_select', 'tenant_guard_insert',
	                                           'tenant_guard_update', 'tenant_guard_delete'))
	                   OPERATOR(pg_catalog.=) 4
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
	UNION ALL SELECT * FROM tenant_guard._finding_citus_placement_unprotected()
	UNION ALL SELECT * FROM tenant_guard._finding_citus_worker_unguarded()
	UNION ALL SELECT * FROM tenant_guard._finding_citus_set_propagation()
) AS findings
 ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code, object
$$;

-- The library now refuses to load without shared_preload_libraries, so the
-- question is never asked any more (check() above no longer calls it).
DROP FUNCTION tenant_guard.is_preloaded();
