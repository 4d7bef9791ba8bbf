-- A helper of the audit suites, read with \i after CREATE EXTENSION (pg_regress
-- runs every sql/*.sql; files in this folder are no suites of their own).
-- It depends on tenant_guard.audit_events: drop pg_temp.canonical() before
-- DROP EXTENSION.

-- The canonical encoding of docs/audit.md, written in SQL: an auditor's
-- re-verification that needs nothing from tenant_guard.
CREATE FUNCTION pg_temp.field(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN t IS NULL THEN '\x00'::bytea
	            ELSE '\x01'::bytea || int4send(octet_length(convert_to(t, 'UTF8'))) || convert_to(t, 'UTF8') END
$$;
CREATE FUNCTION pg_temp.field(i bigint) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
	SELECT '\x02'::bytea || int8send(i)
$$;
CREATE FUNCTION pg_temp.canonical(e tenant_guard.audit_events) RETURNS bytea LANGUAGE sql STABLE AS $$
	SELECT '\x01'::bytea || pg_temp.field(e.chain_id) || pg_temp.field(e.seq) || pg_temp.field(e.txid)
	    || pg_temp.field(e.tx_ordinal::bigint)
	    || pg_temp.field(((extract(epoch FROM e.occurred_at) - 946684800) * 1000000)::bigint)
	    || pg_temp.field(e.session_actor) || pg_temp.field(e.actor) || pg_temp.field(e.table_name)
	    || pg_temp.field(e.operation) || pg_temp.field(e.tenant_id)
	    || pg_temp.field(e.old_row::text) || pg_temp.field(e.new_row::text)
	    || CASE WHEN e.changed_columns IS NULL THEN '\x00'::bytea
	            ELSE '\x03'::bytea || int4send(coalesce(cardinality(e.changed_columns), 0))
	                 || coalesce((SELECT string_agg(pg_temp.field(c), ''::bytea ORDER BY n)
	                                FROM unnest(e.changed_columns) WITH ORDINALITY AS u(c, n)), ''::bytea) END
	    || pg_temp.field(e.application_name) || pg_temp.field(CASE WHEN e.client_addr IS NOT NULL THEN format('%s', e.client_addr) END)
$$;
