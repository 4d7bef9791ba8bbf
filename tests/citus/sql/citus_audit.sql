-- The audit trail on a Citus coordinator: distributed and reference tables are
-- refused with a reason (their rows live in shards on the workers, which the
-- trail does not follow yet); a table local to the coordinator is audited,
-- sealed and verified as anywhere else; distributing an audited table is
-- refused by Citus, because it has triggers.
\set SHOW_CONTEXT never
CREATE TABLE audited_dist (tenant_id uuid NOT NULL, id int, amount numeric, PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('audited_dist', 'tenant_id');
SELECT tenant_guard.audit('audited_dist');
CREATE TABLE audited_ref (code text PRIMARY KEY, name text);
SELECT create_reference_table('audited_ref');
SELECT try($$SELECT tenant_guard.audit('audited_ref')$$);

-- A table on the coordinator only.
CREATE TABLE audited_local (tenant_id uuid NOT NULL, id int, note text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.audit('audited_local');
INSERT INTO audited_local VALUES ('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', 1, 'one'),
                                 ('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb', 1, 'two');
UPDATE audited_local SET note = 'uno' WHERE id = 1 AND note = 'one';
DO $$
BEGIN
	FOR i IN 1..200 LOOP
		EXIT WHEN NOT EXISTS (SELECT FROM tenant_guard.audit_events e
		                       WHERE NOT EXISTS (SELECT FROM tenant_guard.audit_blocks b
		                                          WHERE e.seq = ANY (b.event_seqs)));
		PERFORM pg_sleep(0.05);
	END LOOP;
END
$$;
SELECT chain_id, operation, table_name, new_row->>'note' AS note
  FROM tenant_guard.audit_events ORDER BY seq;
SELECT count(*) AS problems FROM tenant_guard.verify_audit();
-- Citus refuses to distribute a table that has triggers.
SELECT try($$SELECT create_distributed_table('audited_local', 'tenant_id')$$);
SELECT tenant_guard.unaudit('audited_local');
DROP TABLE audited_dist, audited_ref, audited_local;
