-- The cluster: a coordinator and two workers, every node preloading citus and
-- tenant_guard. CREATE EXTENSION runs on the coordinator only; Citus creates
-- it on the workers.
\set SHOW_CONTEXT never
SELECT nodeport > 0 AS node, noderole FROM pg_dist_node ORDER BY nodeport;
CREATE EXTENSION tenant_guard;
SELECT success, result FROM run_command_on_workers(
  $$SELECT extversion FROM pg_extension WHERE extname = 'tenant_guard'$$);

-- A migration role that owns the tables, and the application's role. Citus
-- propagates both, and the application role's SET LOCAL reaches the workers
-- only with citus.propagate_set_commands = 'local'.
CREATE ROLE tg_owner LOGIN;
GRANT CREATE ON SCHEMA public TO tg_owner;
CREATE ROLE tg_app LOGIN;
ALTER ROLE tg_app SET citus.propagate_set_commands = 'local';
SELECT success, result FROM run_command_on_workers(
  $$SELECT rolname FROM pg_roles WHERE rolname = 'tg_app'$$);

-- A role default tenant is refused on the coordinator and on the workers.
ALTER ROLE tg_app SET app.tenant_id = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
SELECT success, result FROM run_command_on_workers(
  $$ALTER ROLE tg_app SET app.tenant_id = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'$$);
