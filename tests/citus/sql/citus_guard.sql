-- The session guard across shards, as the application role: four tenants
-- spread over both workers; router and multi-shard queries see and write only
-- the current tenant's rows; a missing, empty or malformed tenant is an error
-- on every path. Errors from a worker name the shard table: the shard number
-- is masked, and no CONTEXT line (it names the worker's port) is shown.
\set SHOW_CONTEXT never
\set A '''aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'''
\set B '''bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'''
\set C '''cccccccc-cccc-cccc-cccc-cccccccccccc'''
\set D '''dddddddd-dddd-dddd-dddd-dddddddddddd'''
CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE q;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN 'ok, ' || n || ' rows';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '_[0-9]+"', '_<shard>"');
END
$$;
GRANT EXECUTE ON FUNCTION try(text) TO tg_app;
-- Rows of four tenants, loaded by the owner tenant by tenant (RLS is forced).
SET ROLE tg_owner;
SET citus.propagate_set_commands = 'local';
BEGIN; SET LOCAL app.tenant_id = :A; INSERT INTO orders VALUES (:A, 1, 10), (:A, 2, 20); COMMIT;
BEGIN; SET LOCAL app.tenant_id = :B; INSERT INTO orders VALUES (:B, 1, 100), (:B, 2, 200); COMMIT;
BEGIN; SET LOCAL app.tenant_id = :C; INSERT INTO orders VALUES (:C, 1, 1000); COMMIT;
BEGIN; SET LOCAL app.tenant_id = :D; INSERT INTO orders VALUES (:D, 1, 10000); COMMIT;
BEGIN; SET LOCAL app.tenant_id = :A; INSERT INTO plans VALUES (:A, 1, 'gold'); COMMIT;
BEGIN; SET LOCAL app.tenant_id = :B; INSERT INTO plans VALUES (:B, 1, 'free'); COMMIT;
RESET citus.propagate_set_commands;
RESET ROLE;
-- The tenants are spread over both workers.
SELECT count(DISTINCT nodeport) AS workers
  FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
 WHERE s.logicalrelid = 'orders'::regclass
   AND s.shardid IN (SELECT get_shard_id_for_distribution_column('orders', t::uuid)
                       FROM unnest(ARRAY[:A, :B, :C, :D]) AS t);

\c - tg_app
SHOW citus.propagate_set_commands;
-- Router (one shard) and multi-shard reads.
BEGIN; SET LOCAL app.tenant_id = :A;
SELECT * FROM orders WHERE tenant_id = :A ORDER BY id;
SELECT * FROM orders ORDER BY tenant_id, id;
SELECT * FROM orders WHERE tenant_id = :B;
SELECT count(*), sum(total) FROM orders;
SELECT o.id, p.name FROM orders o JOIN plans p USING (tenant_id) ORDER BY o.id;
COMMIT;
BEGIN; SET LOCAL app.tenant_id = :C;
SELECT * FROM orders ORDER BY tenant_id, id;
-- The tenant changes inside the transaction, after the workers' connections opened.
SET LOCAL app.tenant_id = :B;
SELECT * FROM orders ORDER BY tenant_id, id;
COMMIT;
-- Writes: only the tenant's rows, another tenant's rows refused.
BEGIN; SET LOCAL app.tenant_id = :A;
INSERT INTO orders VALUES (:A, 3, 30);
SELECT try($$INSERT INTO orders VALUES ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb', 9, 9)$$);
SELECT try($$INSERT INTO orders VALUES ('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', 9, 9), ('cccccccc-cccc-cccc-cccc-cccccccccccc', 9, 9)$$);
SELECT try($$INSERT INTO plans VALUES ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb', 9, 'x')$$);
SELECT try('UPDATE orders SET total = total + 1');
SELECT try($$UPDATE orders SET total = total + 1 WHERE tenant_id = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'$$);
SELECT try($$UPDATE orders SET tenant_id = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb' WHERE id = 1$$);
SELECT try('INSERT INTO orders SELECT tenant_id, id + 100, total FROM orders');
SELECT try('DELETE FROM orders WHERE id > 100');
SELECT try('DELETE FROM plans');
SELECT * FROM orders ORDER BY id;
ROLLBACK;

-- No tenant, an empty one, a malformed one: errors on the coordinator.
SELECT * FROM orders;
SELECT count(*) FROM orders WHERE tenant_id = :A;
BEGIN; SET LOCAL app.tenant_id = ''; SELECT * FROM orders; ROLLBACK;
BEGIN; SET LOCAL app.tenant_id = 'not-a-uuid'; SELECT * FROM orders WHERE tenant_id = :A; ROLLBACK;
SET app.tenant_id = :A;
INSERT INTO orders VALUES (:A, 5, 5);
-- set_config() does not reach the workers: they refuse. A read of a reference
-- table runs on the coordinator's own copy, where the tenant is set.
BEGIN; SELECT set_config('app.tenant_id', :A, true) IS NOT NULL AS set;
SELECT try('SELECT * FROM orders');
SELECT tenant_id, name FROM plans;
ROLLBACK;

-- Propagation off: the tenant stays on the coordinator, the workers refuse.
SET citus.propagate_set_commands = 'none';
BEGIN; SET LOCAL app.tenant_id = :A;
SELECT try('SELECT * FROM orders');
SELECT try($$SELECT * FROM orders WHERE tenant_id = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'$$);
SELECT try($$INSERT INTO orders VALUES ('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', 7, 7)$$);
ROLLBACK;
RESET citus.propagate_set_commands;
\c - postgres
