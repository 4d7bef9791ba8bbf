-- Schema the golden tests learn tenant tables from.
CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);
CREATE TABLE customers (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, name text);
SELECT tenant_guard.protect('orders');
SELECT tenant_guard.protect('customers');
