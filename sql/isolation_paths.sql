-- Read paths pgTAP cannot capture: COPY output, parallel workers, JIT.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_tg_app;
CREATE TABLE metrics (id int, tenant_id int NOT NULL, value numeric);
INSERT INTO metrics SELECT g, g % 2, g FROM generate_series(1, 2000) g;
SELECT tenant_guard.protect('metrics', create_index => true);
GRANT SELECT, INSERT ON metrics TO regress_tg_app;
SET ROLE regress_tg_app;

-- COPY TO goes through the policies.
BEGIN;
SET LOCAL app.tenant_id = '1';
COPY (SELECT id, tenant_id FROM metrics WHERE id < 8 ORDER BY id) TO STDOUT;
COPY metrics TO STDOUT WITH (FORMAT csv) \g /dev/null
SELECT count(*) AS copied_rows_visible FROM metrics;
-- PostgreSQL refuses COPY FROM under row-level security: no back door.
COPY metrics FROM STDIN;
9999	0	1
\.
ROLLBACK;
BEGIN;
COPY metrics TO STDOUT;
ROLLBACK;

-- Parallel workers see the leader's tenant (the setting is PARALLEL SAFE to read).
RESET ROLE;
ALTER TABLE metrics SET (parallel_workers = 2);
SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = '0';
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL force_parallel_mode = on;
SELECT count(*), min(tenant_id), max(tenant_id) FROM metrics;
ROLLBACK;
BEGIN;
SET LOCAL force_parallel_mode = on;
SELECT count(*) FROM metrics;
ROLLBACK;

-- JIT-compiled expressions call the tenant function, they do not bypass it.
BEGIN;
SET LOCAL app.tenant_id = '1';
SET LOCAL jit = on;
SET LOCAL jit_above_cost = 0;
SET LOCAL jit_inline_above_cost = 0;
SET LOCAL jit_optimize_above_cost = 0;
SELECT count(*), sum(value) FROM metrics WHERE value > 0;
ROLLBACK;
RESET ROLE;

DROP TABLE metrics;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
