-- A helper of the audit suites, read with \i after CREATE EXTENSION (pg_regress
-- runs every sql/*.sql; files in this folder are no suites of their own).

-- Waits for the sealing worker: every event in a block.
CREATE FUNCTION pg_temp.wait_sealed(seconds int DEFAULT 10) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..seconds * 20 LOOP
		IF NOT EXISTS (SELECT FROM tenant_guard.audit_events e
		                WHERE NOT EXISTS (SELECT FROM tenant_guard.audit_blocks b
		                                   WHERE e.seq = ANY (b.event_seqs))) THEN
			RETURN 'sealed';
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
	RETURN format('not sealed after %s s', seconds);
END
$$;
