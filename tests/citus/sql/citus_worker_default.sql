-- A default tenant on the workers (postgresql.conf there, written with ALTER
-- SYSTEM) while the application's SET LOCAL does not reach them: without
-- tenant_guard the workers would serve and write that tenant's rows to tenant
-- A's transaction. The guard counts only a tenant set in the transaction, so
-- the workers refuse; with propagation on, only A's rows come back.
\set SHOW_CONTEXT never
SELECT success, result FROM run_command_on_workers(
  $$ALTER SYSTEM SET app.tenant_id = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'$$);
SELECT success, result FROM run_command_on_workers($$SELECT pg_reload_conf()$$);
SELECT pg_sleep(0.2);
-- (SHOW displays '' for a value that does not count: read the file setting.)
SELECT success, result FROM run_command_on_workers(
  $$SELECT setting FROM pg_file_settings WHERE name = 'app.tenant_id'$$);

\c - tg_app
SET citus.propagate_set_commands = 'none';
BEGIN; SET LOCAL app.tenant_id = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
SELECT try('SELECT * FROM orders');
SELECT try($$SELECT * FROM orders WHERE tenant_id = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'$$);
SELECT try($$INSERT INTO orders VALUES ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb', 77, 7)$$);
ROLLBACK;
-- No tenant on the coordinator either: refused there.
SELECT try('SELECT * FROM orders');
RESET citus.propagate_set_commands;
BEGIN; SET LOCAL app.tenant_id = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
SELECT * FROM orders ORDER BY id;
COMMIT;
\c - postgres
SELECT success, result FROM run_command_on_workers($$ALTER SYSTEM RESET app.tenant_id$$);
SELECT success, result FROM run_command_on_workers($$SELECT pg_reload_conf()$$);
