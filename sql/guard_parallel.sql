-- Parallel workers judge the tenant exactly as their leader: a PARALLEL SAFE
-- function whose body reads a protected table runs in a worker, where the
-- leader's outer statement showed no protected table. A session-level
-- leftover or a startup option must be refused there too, and a tenant set
-- in the transaction must be the one the worker uses.
\set super :USER
CREATE EXTENSION tenant_guard;
CREATE TABLE metrics (id int, tenant_id int NOT NULL, value numeric);
INSERT INTO metrics SELECT g, g % 2, g FROM generate_series(1, 2000) g;
SELECT tenant_guard.protect('metrics', create_index => true);
SELECT tenant_guard.create_app_role('regress_tg_parallel_app', login => true);
CREATE FUNCTION metric_count() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
	AS 'SELECT count(*) FROM metrics';
CREATE FUNCTION metric_tenants() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
	AS 'SELECT string_agg(DISTINCT tenant_id::text, '','') FROM metrics';

SET ROLE regress_tg_parallel_app;
-- A tenant left at session level by an earlier transaction.
SELECT set_config('app.tenant_id', '1', false) IS NOT NULL AS left_behind;
BEGIN;
SET LOCAL force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT metric_count();
SELECT metric_count();
ROLLBACK;
-- With a tenant of its own, the worker reads that tenant's rows only.
BEGIN;
SET LOCAL app.tenant_id = '0';
SET LOCAL force_parallel_mode = on;
SELECT metric_count(), metric_tenants();
SET LOCAL app.tenant_id = '1';
SELECT metric_count(), metric_tenants();
ROLLBACK;
-- The verdict is tenant_guard's own setting: nobody else may set it.
BEGIN;
SET LOCAL tenant_guard.leader_tenant = '1';
ROLLBACK;
RESET ROLE;
BEGIN;
SET LOCAL tenant_guard.leader_tenant = '1';
ROLLBACK;

-- A startup option, under require_signed.
ALTER ROLE regress_tg_parallel_app SET tenant_guard.require_signed = on;
\set conn 'dbname=' :DBNAME ' user=regress_tg_parallel_app options=''-c app.tenant_id=1'''
\c :conn
BEGIN;
SET LOCAL force_parallel_mode = on;
SELECT metric_count();
ROLLBACK;
\c - :super
ALTER ROLE regress_tg_parallel_app RESET tenant_guard.require_signed;

DROP FUNCTION metric_count(), metric_tenants();
DROP TABLE metrics;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_parallel_app;
DROP ROLE regress_tg_parallel_app;
