-- name: GetCustomer :one
SELECT id, email, name
  FROM customers
 WHERE tenant_id = $1 AND id = $2;

-- name: FindCustomerByEmail :one
SELECT id, name
  FROM customers
 WHERE email = $1;

-- name: CreateCustomer :one
INSERT INTO customers (tenant_id, email, name)
VALUES ($1, $2, $3)
RETURNING id;

-- name: UpsertCustomer :exec
INSERT INTO customers (tenant_id, email, name)
VALUES ($1, $2, $3)
ON CONFLICT (tenant_id, email) DO UPDATE SET name = EXCLUDED.name;

-- name: RenameCustomer :exec
UPDATE customers SET name = $3 WHERE tenant_id = $1 AND id = $2;

-- name: DeleteCustomer :exec
DELETE FROM customers WHERE id = $1;
