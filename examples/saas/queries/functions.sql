-- Server-side helpers.
CREATE FUNCTION invoice_count(p_tenant uuid) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM invoices WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION archive_old_events() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	cutoff timestamptz := now() - interval '1 year';
BEGIN
	DELETE FROM audit_events WHERE happened_at < cutoff;
END
$$;

-- Connection setup in a pooled application: wrong, lasts for the session.
SET app.tenant_id = '5b0c2f1e-6f6a-4a8e-9a53-1d2f3b4c5d6e';
