-- Audit capture within one session: the trigger plans each audited relation
-- once per backend, so every change that affects an event must reach the
-- next one in the same session: a renamed table or schema, an added or
-- dropped column, re-audited excluded columns, a renamed role, a new index on
-- the trail. Rows of scalar columns take a direct path to their jsonb image
-- and its text: under hostile settings, with strings that need escaping and
-- keys that sort differently from the column order, the hash still covers
-- exactly new_row::text (re-verified in plain SQL, as in audit_tamper).
CREATE EXTENSION tenant_guard;

-- pg_temp.canonical(event): sql/include/audit_canonical.sql.
\set ECHO none
\i sql/include/audit_canonical.sql
\set ECHO all
CREATE VIEW pg_temp.last_event AS
SELECT table_name, operation, actor, changed_columns, old_row, new_row,
       sha256(pg_temp.canonical(e)) = e.row_hash AS reverified
  FROM tenant_guard.audit_events e ORDER BY seq DESC LIMIT 1;

-- Renames are followed by the next statement of the same session.
CREATE SCHEMA shop;
CREATE TABLE shop.orders (id int PRIMARY KEY, tenant_id int NOT NULL, note text);
SELECT tenant_guard.audit('shop.orders');
INSERT INTO shop.orders VALUES (1, 1, 'before any rename');
SELECT * FROM pg_temp.last_event;
ALTER TABLE shop.orders RENAME TO "Orders 2";
INSERT INTO shop."Orders 2" VALUES (2, 1, 'table renamed');
SELECT * FROM pg_temp.last_event;
ALTER SCHEMA shop RENAME TO store;
INSERT INTO store."Orders 2" VALUES (3, 1, 'schema renamed');
SELECT * FROM pg_temp.last_event;
ALTER TABLE store."Orders 2" RENAME TO orders;

-- Columns added and dropped, excluded columns changed by audit() again; a
-- prepared statement, planned before the new columns, records them too.
PREPARE add_order(int) AS INSERT INTO store.orders VALUES ($1, 1, 'prepared');
EXECUTE add_order(4);
ALTER TABLE store.orders ADD COLUMN secret text, ADD COLUMN qty int DEFAULT 1;
EXECUTE add_order(5);
SELECT * FROM pg_temp.last_event;
DEALLOCATE add_order;
INSERT INTO store.orders VALUES (6, 1, 'new columns', 's3cr3t');
SELECT * FROM pg_temp.last_event;
SELECT tenant_guard.audit('store.orders', exclude_columns => '{secret}');
UPDATE store.orders SET secret = 'changed', qty = 2 WHERE id = 6;
SELECT * FROM pg_temp.last_event;
ALTER TABLE store.orders DROP COLUMN qty;
DELETE FROM store.orders WHERE id = 6;
SELECT * FROM pg_temp.last_event;

-- A renamed role is written under its new name.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_tg_cache_clerk') THEN CREATE ROLE regress_tg_cache_clerk; END IF;
END
$$;
GRANT USAGE ON SCHEMA store TO regress_tg_cache_clerk;
GRANT INSERT ON store.orders TO regress_tg_cache_clerk;
SET ROLE regress_tg_cache_clerk;
INSERT INTO store.orders VALUES (7, 1, 'as the clerk');
RESET ROLE;
SELECT actor FROM pg_temp.last_event;
ALTER ROLE regress_tg_cache_clerk RENAME TO regress_tg_cache_cashier;
SET ROLE regress_tg_cache_cashier;
INSERT INTO store.orders VALUES (8, 1, 'as the renamed clerk');
RESET ROLE;
SELECT actor FROM pg_temp.last_event;

-- An index added to the trail is maintained from the next event on.
CREATE INDEX audit_events_by_table ON tenant_guard.audit_events (table_name, seq);
INSERT INTO store.orders VALUES (9, 1, 'after a new trail index');
SET enable_seqscan = off;
SELECT count(*) AS via_new_index FROM tenant_guard.audit_events WHERE table_name = 'store.orders';
RESET enable_seqscan;
-- An index the trigger cannot maintain is refused at the next event, not ignored;
-- refused writes leave nothing behind in the backend's capture cache.
CREATE INDEX audit_events_by_lower ON tenant_guard.audit_events (lower(table_name));
INSERT INTO store.orders VALUES (10, 1, 'refused');
CREATE TEMP TABLE cache_size AS SELECT total_bytes FROM pg_backend_memory_contexts
 WHERE name = 'tenant_guard audit capture cache';
DO $$ BEGIN
	FOR i IN 1..200 LOOP
		BEGIN
			INSERT INTO store.orders VALUES (10, 1, 'refused');
		EXCEPTION WHEN feature_not_supported THEN NULL;
		END;
	END LOOP;
END $$;
SELECT c.total_bytes = s.total_bytes AS cache_did_not_grow
  FROM pg_backend_memory_contexts c, cache_size s WHERE c.name = 'tenant_guard audit capture cache';
DROP TABLE cache_size;
DROP INDEX tenant_guard.audit_events_by_lower;
DROP INDEX tenant_guard.audit_events_by_table;
INSERT INTO store.orders VALUES (10, 1, 'indexes dropped again');
SELECT new_row->>'note' AS note FROM pg_temp.last_event;

-- Scalar columns under hostile settings; keys sort by length, then bytewise.
CREATE TABLE scalars (
	zz_long_name_first text,
	id int PRIMARY KEY,
	tenant_id int NOT NULL,
	"b""q" varchar(20),
	"Größe" numeric,
	"a\b" char(3),
	nm name,
	i2 int2,
	i8 int8,
	f4 real,
	f8 float8,
	ok bool,
	at timestamptz,
	ts timestamp,
	d date,
	t time,
	tz timetz,
	span interval,
	raw bytea,
	ref uuid,
	cash money,
	ip inet
);
SELECT tenant_guard.audit('scalars');
SET TimeZone = 'America/St_Johns';
SET DateStyle = 'German, DMY';
SET IntervalStyle = 'postgres_verbose';
SET extra_float_digits = 3;
SET bytea_output = 'escape';
INSERT INTO scalars VALUES (
	E'quote " backslash \\ slash / tab \t newline \n cr \r bell \x07 esc \x1b unit \x1f del \x7f done',
	1, 1, 'x"y', 'NaN', 'a\', 'name"quoted', -32768, 9223372036854775807, 'Infinity', 0.30000000000000004,
	false, '2026-03-01 12:00:00.123456+00', '2026-03-01 12:00:00', '2026-03-31', '23:59:59.5',
	'10:00+05:30', '-1 year 2 mons 3 days 04:05:06.7', '\x00ff5c22', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
	'12.34', '192.0.2.1/24');
SELECT new_row::text, reverified FROM pg_temp.last_event;
INSERT INTO scalars (id, tenant_id, "Größe", f4, f8) VALUES (2, 1, -0.000100, '-0', 'NaN');
SELECT new_row::text, reverified FROM pg_temp.last_event;
UPDATE scalars SET "Größe" = 'Infinity', f8 = 123456789.125, zz_long_name_first = 'ü € 😀' WHERE id = 2;
SELECT changed_columns, new_row::text, reverified FROM pg_temp.last_event;
RESET TimeZone; RESET DateStyle; RESET IntervalStyle; RESET extra_float_digits; RESET bytea_output;
-- Every column excluded: an empty object.
CREATE TABLE hidden (id int, tenant_id int, secret text);
SELECT tenant_guard.audit('hidden', exclude_columns => '{id,tenant_id,secret}');
INSERT INTO hidden VALUES (1, 1, 'never recorded');
SELECT new_row::text, reverified FROM pg_temp.last_event;

SELECT count(*) AS events, count(*) FILTER (WHERE sha256(pg_temp.canonical(e)) = e.row_hash) AS reverified
  FROM tenant_guard.audit_events e;

DROP VIEW pg_temp.last_event;
DROP FUNCTION pg_temp.canonical(tenant_guard.audit_events);
DROP TABLE store.orders, scalars, hidden;
DROP SCHEMA store;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_cache_cashier;
