-- tenant_guard.simulate() run by a superuser never runs the schema's code with
-- more rights than the application role or the owner of the table it
-- touches. The migration role plants three hooks, each trying to write a
-- server file: a function in a view that tries RESET ROLE first (the view
-- checks run as the application role), a restrictive policy (it runs in every
-- statement on the table, COPY included), and a trigger on DELETE (the view
-- checks remove B's rows). Rolling back undoes nothing outside the database,
-- so no file may be written, and each hook must run as the application role
-- or the table owner. Sequences record who ran a hook: nextval() is not
-- rolled back.
CREATE EXTENSION tenant_guard;
\set VERBOSITY terse

CREATE ROLE regress_esc_owner;
CREATE ROLE regress_esc_app;
CREATE SCHEMA esc AUTHORIZATION regress_esc_owner;
GRANT USAGE ON SCHEMA esc TO regress_esc_app;
-- Where the hooks write: a path in the data directory, known only to the superuser.
SELECT set_config('regress_esc.dir', current_setting('data_directory'), false) IS NOT NULL AS dir_set;

SET ROLE regress_esc_owner;
CREATE TABLE esc.orders (id int, tenant_id text NOT NULL, total int NOT NULL, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('esc.orders');
GRANT SELECT, INSERT, UPDATE, DELETE ON esc.orders TO regress_esc_app;
RESET ROLE;
SET ROLE regress_esc_app;
BEGIN;
SET LOCAL app.tenant_id = 'A';
INSERT INTO esc.orders VALUES (1, 'A', 10);
SET LOCAL app.tenant_id = 'B';
INSERT INTO esc.orders VALUES (2, 'B', 20), (3, 'B', 30);
COMMIT;
RESET ROLE;

SET ROLE regress_esc_owner;
-- One sequence per hook and role that ran it.
CREATE SEQUENCE esc.view_hook_as_app;
CREATE SEQUENCE esc.view_hook_as_other;
CREATE SEQUENCE esc.policy_hook_as_app;
CREATE SEQUENCE esc.policy_hook_as_other;
CREATE SEQUENCE esc.trigger_hook_as_owner;
CREATE SEQUENCE esc.trigger_hook_as_other;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA esc TO regress_esc_app;
-- Writes a file naming current_user, if it may; never fails the statement.
CREATE FUNCTION esc.try_write(hook text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('COPY (SELECT %L) TO %L', hook || ' ran as ' || current_user,
	               current_setting('regress_esc.dir') || '/regress_esc_' || hook || '.txt');
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
CREATE FUNCTION esc.view_hook() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
	IF session_user <> current_user THEN
		BEGIN
			RESET ROLE;
		EXCEPTION WHEN OTHERS THEN NULL;
		END;
	END IF;
	PERFORM nextval(CASE current_user WHEN 'regress_esc_app' THEN 'esc.view_hook_as_app'
	                                  ELSE 'esc.view_hook_as_other' END);
	PERFORM esc.try_write('view');
	RETURN 1;
END $$;
CREATE FUNCTION esc.policy_hook() RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
	PERFORM nextval(CASE current_user WHEN 'regress_esc_app' THEN 'esc.policy_hook_as_app'
	                                  ELSE 'esc.policy_hook_as_other' END);
	PERFORM esc.try_write('policy');
	RETURN true;
END $$;
CREATE FUNCTION esc.trigger_hook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM nextval(CASE current_user WHEN 'regress_esc_owner' THEN 'esc.trigger_hook_as_owner'
	                                  ELSE 'esc.trigger_hook_as_other' END);
	PERFORM esc.try_write('trigger');
	RETURN NULL;
END $$;
CREATE VIEW esc.orders_hooked AS SELECT o.*, esc.view_hook() AS h FROM esc.orders o;
GRANT SELECT ON esc.orders_hooked TO regress_esc_app;
SELECT tenant_guard.allow_drift('esc.orders', 'regression test: a hook in a restrictive policy');
CREATE POLICY hook ON esc.orders AS RESTRICTIVE USING (esc.policy_hook());
CREATE TRIGGER hook AFTER DELETE ON esc.orders FOR EACH ROW EXECUTE FUNCTION esc.trigger_hook();
RESET ROLE;

SELECT * FROM tenant_guard.simulate('regress_esc_app', 'A', 'B', '{esc}');

-- No hook wrote its file.
SELECT hook, pg_stat_file(current_setting('regress_esc.dir') || '/regress_esc_' || hook || '.txt', true) IS NULL
       AS not_written
  FROM unnest('{view,policy,trigger}'::text[]) AS hook;
-- Each hook ran, and only as the application role (view, policy) or the owner (trigger).
SELECT s.relname AS sequence, s.last_value IS NOT NULL AS ran
  FROM (SELECT c.relname, pg_sequence_last_value(c.oid) AS last_value
          FROM pg_class c WHERE c.relnamespace = 'esc'::regnamespace AND c.relkind = 'S') AS s
 ORDER BY 1;
-- The caller is back as it was.
SELECT current_user, pg_has_role('regress_esc_app', 'pg_write_server_files', 'MEMBER') AS app_writes_files;

-- The runner itself runs nothing as a role its caller could not become.
SET ROLE regress_esc_app;
SELECT * FROM tenant_guard._sim_exec('postgres'::regrole, NULL, 'SELECT 1', '{}', NULL, true, false);
RESET ROLE;
SET ROLE regress_esc_owner;
SELECT * FROM tenant_guard._sim_exec('regress_esc_app'::regrole, 'A', 'SELECT 1');
RESET ROLE;
-- ... and no statement as a role that row-level security does not bind.
SELECT * FROM tenant_guard._sim_exec('postgres'::regrole, 'A', 'SELECT 1');
-- As the role, inside a security-restricted operation: the statement cannot change roles.
SELECT * FROM tenant_guard._sim_exec('regress_esc_app'::regrole, 'A', 'SELECT current_user::text');
SELECT * FROM tenant_guard._sim_exec('regress_esc_app'::regrole, 'A', 'SELECT set_config(''role'', ''none'', true)');
SELECT current_user;

DROP SCHEMA esc CASCADE;
DROP EXTENSION tenant_guard;
DROP ROLE regress_esc_owner, regress_esc_app;
