-- A later migration that forgot tenant_guard.protect().
CREATE TABLE customer_notes (
	id bigserial PRIMARY KEY,
	tenant_id uuid NOT NULL,
	customer_id bigint NOT NULL,
	body text NOT NULL
);
