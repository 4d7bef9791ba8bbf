-- tenant_guard_tap 1.0: tenant_guard.simulate() as pgTAP tests, for suites run
-- with runtests() or pg_prove. A separate extension so that tenant_guard itself
-- does not depend on pgTAP (docs/functions/simulate.md).
\echo Use "CREATE EXTENSION tenant_guard_tap" to load this file. \quit

-- While this script runs, search_path is tenant_guard followed by pgTAP's
-- schema; SET search_path FROM CURRENT keeps it, so that ok(), skip() and
-- diag() are pgTAP's wherever pgTAP was installed.
CREATE FUNCTION tenant_guard.simulate_tap(
	app_role pg_catalog.name,
	tenant_a pg_catalog.text,
	tenant_b pg_catalog.text,
	schemas pg_catalog.name[] DEFAULT NULL)
RETURNS SETOF pg_catalog.text
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
	r record;
	test text;
BEGIN
	FOR r IN SELECT * FROM tenant_guard.simulate(app_role, tenant_a, tenant_b, schemas) LOOP
		test := pg_catalog.format('%s: %s', r.object, r.path);
		IF r.ok IS NULL THEN
			RETURN NEXT skip(pg_catalog.format('%s (%s)', test, r.detail), 1);
		ELSIF r.ok THEN
			RETURN NEXT ok(true, test);
		ELSE
			RETURN NEXT ok(false, test);
			RETURN NEXT diag(r.detail);
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION tenant_guard.simulate_tap(pg_catalog.name, pg_catalog.text, pg_catalog.text, pg_catalog.name[]) IS
	'tenant_guard.simulate() as pgTAP test lines: one test per check, skips for checks that could not run';
