-- A small SaaS invoicing schema: every tenant-owned table has tenant_id.
CREATE TABLE tenants (
	id uuid PRIMARY KEY,
	name text NOT NULL
);

CREATE TABLE customers (
	id bigserial PRIMARY KEY,
	tenant_id uuid NOT NULL REFERENCES tenants (id),
	email text NOT NULL,
	name text NOT NULL,
	UNIQUE (tenant_id, id),
	UNIQUE (tenant_id, email)
);

CREATE TABLE invoices (
	id bigserial PRIMARY KEY,
	tenant_id uuid NOT NULL REFERENCES tenants (id),
	customer_id bigint NOT NULL,
	issued_on date NOT NULL DEFAULT current_date,
	status text NOT NULL DEFAULT 'draft',
	total numeric(12, 2) NOT NULL DEFAULT 0,
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);

CREATE TABLE invoice_lines (
	invoice_id bigint NOT NULL REFERENCES invoices (id),
	tenant_id uuid NOT NULL,
	description text NOT NULL,
	amount numeric(12, 2) NOT NULL
);

CREATE TABLE audit_events (
	id bigserial PRIMARY KEY,
	tenant_id uuid NOT NULL,
	happened_at timestamptz NOT NULL DEFAULT now(),
	kind text NOT NULL,
	payload jsonb NOT NULL
) PARTITION BY RANGE (happened_at);

CREATE TABLE audit_events_2026 PARTITION OF audit_events
	FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
