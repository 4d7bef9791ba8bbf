-- Keeping the trail complete: the owner of an audited table (the migration
-- role) must not be able to change rows unaudited by disabling, narrowing or
-- dropping the capture triggers, on the table or on one partition; a
-- superuser's session_replication_role = replica does not skip them (they
-- fire ALWAYS); what a superuser does anyway check() reports, and audit()
-- repairs. Each write below that gets through is counted in audit_events.
CREATE EXTENSION tenant_guard;

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_tg_audit_owner') THEN CREATE ROLE regress_tg_audit_owner; END IF;
END
$$;
GRANT CREATE ON SCHEMA public TO regress_tg_audit_owner;

SET ROLE regress_tg_audit_owner;
CREATE TABLE payments (id int PRIMARY KEY, amount numeric);
CREATE TABLE bookings (tenant_id int NOT NULL, id int, day date NOT NULL) PARTITION BY RANGE (day);
CREATE TABLE bookings_2026 PARTITION OF bookings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
RESET ROLE;
-- audit() is the owner's to call; run here as superuser for brevity.
SELECT tenant_guard.audit('payments', chain => 'global');
SELECT tenant_guard.audit('bookings');

-- Every capture trigger fires ALWAYS, with the registered arguments.
SELECT tgrelid::regclass, tgname, tgenabled, tgparentid <> 0 AS cloned
  FROM pg_trigger WHERE tgfoid = 'tenant_guard.audit_capture()'::regprocedure
 ORDER BY 1::text, 2;
SELECT * FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete';

CREATE FUNCTION pg_temp.events() RETURNS bigint LANGUAGE sql AS
	$$SELECT count(*) FROM tenant_guard.audit_events$$;
SELECT pg_temp.events() AS events_before;

-- The owner's attempts, each followed by a write that must be audited.
SET ROLE regress_tg_audit_owner;
ALTER TABLE payments DISABLE TRIGGER tenant_guard_audit;
ALTER TABLE payments DISABLE TRIGGER ALL;
ALTER TABLE payments DISABLE TRIGGER USER;
ALTER TABLE payments ENABLE TRIGGER tenant_guard_audit;
ALTER TABLE payments ENABLE REPLICA TRIGGER tenant_guard_audit;
ALTER TABLE payments DISABLE TRIGGER tenant_guard_audit_truncate;
DROP TRIGGER tenant_guard_audit ON payments;
ALTER TABLE bookings DISABLE TRIGGER tenant_guard_audit;
ALTER TABLE bookings_2026 DISABLE TRIGGER tenant_guard_audit;
ALTER TABLE bookings_2026 DISABLE TRIGGER tenant_guard_audit_truncate;
-- In one transaction with a write in between: refused at the command already.
BEGIN;
ALTER TABLE payments DISABLE TRIGGER tenant_guard_audit;
INSERT INTO payments VALUES (0, 0);
ROLLBACK;
INSERT INTO payments VALUES (1, 10);
INSERT INTO bookings VALUES (1, 1, '2026-05-01');
TRUNCATE bookings_2026;
RESET ROLE;
SELECT pg_temp.events() AS events_after;

-- Nor can the owner put the capture function on a table of its own, or on an
-- audited table with other arguments, to write events nobody asked for.
SET ROLE regress_tg_audit_owner;
CREATE TABLE notes (tenant_id int, body text);
CREATE TRIGGER forged AFTER INSERT ON notes
	FOR EACH ROW EXECUTE FUNCTION tenant_guard.audit_capture('tenant', 'tenant_id');
INSERT INTO notes VALUES (1, 'not audited');
DROP TABLE notes;
CREATE TRIGGER forged AFTER INSERT ON payments
	FOR EACH ROW EXECUTE FUNCTION tenant_guard.audit_capture('tenant', '', 'amount');
INSERT INTO payments VALUES (3, 30);
DROP TRIGGER forged ON payments;
-- A second trigger with the registered arguments would record every change twice.
CREATE TRIGGER twice AFTER INSERT ON payments
	FOR EACH ROW EXECUTE FUNCTION tenant_guard.audit_capture('global', '');
INSERT INTO payments VALUES (4, 40);
DROP TRIGGER twice ON payments;
RESET ROLE;
SELECT pg_temp.events() AS events_after_forging;

-- Partitions made later get ALWAYS triggers too.
SET ROLE regress_tg_audit_owner;
CREATE TABLE bookings_2027 PARTITION OF bookings FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
RESET ROLE;
SELECT tgname, tgenabled FROM pg_trigger
 WHERE tgrelid = 'bookings_2027'::regclass AND tgfoid = 'tenant_guard.audit_capture()'::regprocedure
 ORDER BY 1;

-- A superuser in replica mode (which also silences event triggers) is still audited.
SET session_replication_role = replica;
INSERT INTO payments VALUES (2, 20);
RESET session_replication_role;
SELECT pg_temp.events() AS events_after_replica;

-- On purpose: allow_drift() lets the owner through, and says so in drift_log.
SET ROLE regress_tg_audit_owner;
BEGIN;
SELECT tenant_guard.allow_drift('payments', 'bulk import, ticket 9');
ALTER TABLE payments DISABLE TRIGGER tenant_guard_audit;
COMMIT;
RESET ROLE;
SELECT reason, what FROM tenant_guard.drift_log WHERE table_name = 'public.payments' ORDER BY logged_at, what;
SELECT severity, code, object, message, hint FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete';

-- A superuser in replica mode gets past the refusal; check() sees what it did.
SET session_replication_role = replica;
ALTER TABLE bookings_2026 ENABLE TRIGGER tenant_guard_audit;
DROP TRIGGER tenant_guard_audit_truncate ON bookings_2027;
RESET session_replication_role;
SELECT severity, code, object, message FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete' ORDER BY object;
-- check() is for everyone: the owner sees the same.
SET ROLE regress_tg_audit_owner;
SELECT count(*) FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete';
RESET ROLE;

-- A trigger with our name but other arguments is no capture trigger.
SET session_replication_role = replica;
DROP TRIGGER tenant_guard_audit ON payments;
CREATE TRIGGER tenant_guard_audit AFTER INSERT OR UPDATE OR DELETE ON payments
	FOR EACH ROW EXECUTE FUNCTION tenant_guard.audit_capture('global', '', 'amount');
ALTER TABLE payments ENABLE ALWAYS TRIGGER tenant_guard_audit;
RESET session_replication_role;
SELECT code, object, message FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete' AND object LIKE '%payments%';

-- audit() again repairs everything.
SELECT tenant_guard.audit('payments', chain => 'global');
SELECT tenant_guard.audit('bookings');
SELECT * FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete';

-- UNLOGGED: a crash would empty the table without an event (and a standby
-- never has its rows). Refused for the owner, on the table and on a
-- partition, allow_drift() or not; check() reports one that got there anyway
-- (here a catalog edit stands in for it).
SET ROLE regress_tg_audit_owner;
ALTER TABLE payments SET UNLOGGED;
ALTER TABLE bookings_2026 SET UNLOGGED;
BEGIN;
SELECT tenant_guard.allow_drift('bookings_2026', 'scratch copy, ticket 12');
ALTER TABLE bookings_2026 SET UNLOGGED;
COMMIT;
CREATE UNLOGGED TABLE bookings_2028 PARTITION OF bookings FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
RESET ROLE;
UPDATE pg_class SET relpersistence = 'u' WHERE oid = 'bookings_2026'::regclass;
SELECT severity, code, object, message, hint FROM tenant_guard.check() WHERE code = 'audit-table-unlogged';
UPDATE pg_class SET relpersistence = 'p' WHERE oid = 'bookings_2026'::regclass;
SELECT count(*) FROM tenant_guard.check() WHERE code = 'audit-table-unlogged';
CREATE UNLOGGED TABLE regress_unlogged (id int);
SELECT tenant_guard.audit('regress_unlogged');
DROP TABLE regress_unlogged;

-- unaudit() stays the way to stop auditing.
SET ROLE regress_tg_audit_owner;
SELECT tenant_guard.unaudit('payments');
RESET ROLE;
SELECT * FROM tenant_guard.check() WHERE code = 'audit-capture-incomplete';

-- Changing how a table is audited is itself in the trail: unaudit() (the gap
-- that follows) and audit() with other settings are events of chain 'config',
-- with the registration before and after; audit() with the same settings, or
-- for the first time, writes none.
SET ROLE regress_tg_audit_owner;
SELECT tenant_guard.audit('bookings');
SELECT tenant_guard.audit('bookings', exclude_columns => '{day}');
RESET ROLE;
SELECT chain_id, operation, table_name, actor, old_row, new_row, tenant_id
  FROM tenant_guard.audit_events WHERE chain_id = 'config' ORDER BY seq;
-- pg_temp.wait_sealed(): sql/include/audit_wait_sealed.sql.
\set ECHO none
\i sql/include/audit_wait_sealed.sql
\set ECHO all
SELECT pg_temp.wait_sealed();
SELECT * FROM tenant_guard.verify_audit();

DROP TABLE payments, bookings;
DROP EXTENSION tenant_guard;
REVOKE CREATE ON SCHEMA public FROM regress_tg_audit_owner;
DROP ROLE regress_tg_audit_owner;
