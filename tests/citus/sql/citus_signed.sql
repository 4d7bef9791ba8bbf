-- Signed tenants on Citus. set_tenant() sets the verified tenant with a SET
-- LOCAL statement, which Citus forwards to the workers the transaction uses
-- (citus.propagate_set_commands = 'local'); set_config() would not reach them.
-- require_signed is set on the coordinator, where applications connect (ALTER
-- SYSTEM is not propagated); the workers take the tenant the coordinator
-- forwards, and applications must not connect to them (docs/scale-out.md).
\set SHOW_CONTEXT never
\set A '''aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'''
ALTER SYSTEM SET tenant_guard.require_signed = on;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SELECT tenant_guard.mint_token('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa') AS token_a \gset
SELECT tenant_guard.mint_token('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa') AS token_a2 \gset

\c - tg_app
SET citus.propagate_set_commands = 'local';
SHOW tenant_guard.require_signed;
-- Without a token the tenant cannot be set on the coordinator ...
BEGIN;
SELECT try($$SELECT set_config('app.tenant_id', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', true)$$);
ROLLBACK;
-- ... with one, every shard sees it: multi-shard and router queries return A's rows only.
BEGIN;
SELECT tenant_guard.set_tenant(:'token_a') AS tenant_set;
SELECT tenant_id, id, total FROM orders ORDER BY id;
SELECT count(*) AS router_rows FROM orders WHERE tenant_id = :A;
SELECT try($$INSERT INTO orders VALUES ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb', 99, 1)$$);
COMMIT;
-- A token is used once.
BEGIN;
SELECT try($$SELECT tenant_guard.set_tenant('$$ || :'token_a' || $$')$$);
ROLLBACK;
-- Without propagation the workers never see the tenant and refuse.
SET citus.propagate_set_commands = 'none';
BEGIN;
SELECT tenant_guard.set_tenant(:'token_a2') AS tenant_set;
SELECT try('SELECT count(*) FROM orders');
ROLLBACK;
RESET citus.propagate_set_commands;

\c - postgres
ALTER SYSTEM RESET tenant_guard.require_signed;
SELECT pg_reload_conf();
