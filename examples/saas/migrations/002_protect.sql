-- Row-level security on every tenant table.
SELECT tenant_guard.protect('customers', create_index => true);
SELECT tenant_guard.protect('invoices', create_index => true);
SELECT tenant_guard.protect('invoice_lines', create_index => true);
SELECT tenant_guard.protect('audit_events', create_index => true);
