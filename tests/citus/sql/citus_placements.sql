-- check() on a Citus cluster: placements (also after a new node joins and the
-- rebalancer moves shards to it), workers, and the SET propagation that the
-- application's roles need. Node ports and shard numbers are masked.
\set SHOW_CONTEXT never
CREATE FUNCTION findings() RETURNS TABLE (severity text, code text, object text, message text)
LANGUAGE sql AS $$
  SELECT severity, code, regexp_replace(regexp_replace(object, '[0-9]{6,}', '<shard>'), ':[0-9]+', ':<port>'),
         regexp_replace(regexp_replace(message, '[0-9]{6,}', '<shard>'), ':[0-9]+', ':<port>')
    FROM tenant_guard.check() WHERE code <> 'rls-bypass-role'
$$;
SELECT * FROM findings();

-- A third node joins; the rebalancer moves shards there.
\getenv worker3_port TG_CITUS_WORKER3_PORT
SELECT citus_add_node('127.0.0.1', :worker3_port) > 0 AS added;
SET client_min_messages = warning; -- the NOTICE names the ports
SELECT rebalance_table_shards(shard_transfer_mode => 'block_writes');
RESET client_min_messages;
SELECT count(*) > 0 AS moved FROM pg_dist_shard_placement WHERE nodeport = :worker3_port;
SELECT placements_ok('orders'), placements_ok('customers'), placements_ok('plans');
SELECT * FROM findings();
\c - tg_app
BEGIN; SET LOCAL app.tenant_id = 'cccccccc-cccc-cccc-cccc-cccccccccccc';
SELECT * FROM orders ORDER BY id;
COMMIT;
\c - postgres

-- A placement loses a policy behind the coordinator's back: check() names it,
-- and its hint repairs every placement.
SELECT success, result FROM run_command_on_workers(format(
  'SET citus.enable_manual_changes_to_shards = on; DROP POLICY IF EXISTS tenant_guard_select ON public.orders_%s',
  (SELECT min(shardid) FROM pg_dist_shard WHERE logicalrelid = 'orders'::regclass)));
SELECT * FROM findings();
SET ROLE tg_owner;
BEGIN; SELECT tenant_guard.unprotect('orders'); SELECT tenant_guard.protect('orders'); COMMIT;
RESET ROLE;
SELECT placements_ok('orders');

-- A role that reads protected distributed tables without SET propagation.
CREATE ROLE tg_report LOGIN;
GRANT SELECT ON orders TO tg_report;
SELECT * FROM findings();
ALTER ROLE tg_report SET citus.propagate_set_commands = 'local';
SELECT * FROM findings();
