-- Partitioned tables: every partition is protected, now and later, because a
-- query may name a partition directly and the parent's policies do not apply then.
CREATE EXTENSION tenant_guard;
CREATE ROLE regress_tg_app;

CREATE TABLE events (
	tenant_id bigint,
	happened date NOT NULL,
	payload text
) PARTITION BY RANGE (happened);
CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')
	PARTITION BY LIST (tenant_id);
CREATE TABLE events_2026_02_t1 PARTITION OF events_2026_02 FOR VALUES IN (1);
CREATE TABLE events_2026_02_rest PARTITION OF events_2026_02 DEFAULT;
INSERT INTO events VALUES (1, '2026-01-05', 'a1'), (2, '2026-01-06', 'b1'),
                          (1, '2026-02-05', 'a2'), (2, '2026-02-06', 'b2');
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO regress_tg_app;

SELECT tenant_guard.protect('events', create_index => true);
SELECT table_name, parent, rls_enabled, rls_forced, policies
  FROM tenant_guard.protected_tables ORDER BY table_name::text;

-- Partitions created or attached later are protected by the event trigger.
CREATE TABLE events_2026_03 PARTITION OF events FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
CREATE TABLE events_2026_04 (LIKE events);
INSERT INTO events_2026_04 VALUES (2, '2026-04-02', 'b4');
ALTER TABLE events ATTACH PARTITION events_2026_04 FOR VALUES FROM ('2026-04-01') TO ('2026-05-01');
SELECT table_name, parent, rls_forced, policies
  FROM tenant_guard.protected_tables ORDER BY table_name::text;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO regress_tg_app;

-- An orphan row refuses the attach, and nothing is attached.
CREATE TABLE events_2026_05 (tenant_id bigint, happened date NOT NULL, payload text);
INSERT INTO events_2026_05 VALUES (NULL, '2026-05-02', 'nobody');
ALTER TABLE events ATTACH PARTITION events_2026_05 FOR VALUES FROM ('2026-05-01') TO ('2026-06-01');
SELECT count(*) AS attached FROM pg_inherits WHERE inhrelid = 'events_2026_05'::regclass;

-- Reads through the parent and straight from partitions see one tenant.
SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = '1';
SELECT tableoid::regclass, tenant_id, payload FROM events ORDER BY happened;
SELECT tenant_id, payload FROM events_2026_01;
SELECT tenant_id, payload FROM events_2026_02_rest;
SELECT tenant_id, payload FROM events_2026_04;
-- Writes straight into a partition are checked too.
INSERT INTO events_2026_03 VALUES (2, '2026-03-03', 'forged');
ROLLBACK;
SELECT count(*) FROM events_2026_02_t1;
RESET ROLE;

-- A partition cannot be unprotected alone.
SELECT tenant_guard.unprotect('events_2026_01');
-- Unprotecting the parent unprotects the tree and restores it exactly.
SELECT tenant_guard.unprotect('events');
SELECT count(*) AS still_registered FROM tenant_guard.protection;
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relname LIKE 'events%' AND c.relkind IN ('r', 'p')
 ORDER BY c.relname;
\di events*

-- Legacy inheritance children are protected like partitions.
CREATE TABLE parent_log (tenant_id int, line text);
CREATE TABLE child_log () INHERITS (parent_log);
SELECT tenant_guard.protect('parent_log');
SELECT table_name, parent FROM tenant_guard.protected_tables ORDER BY 1;

DROP TABLE events, events_2026_05, parent_log CASCADE;
SELECT count(*) AS registered_after_drop FROM tenant_guard.protection;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_app;
DROP ROLE regress_tg_app;
