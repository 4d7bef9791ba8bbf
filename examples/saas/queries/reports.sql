-- Reports run by the back office.

-- tenant-lint: ignore[missing-tenant-predicate] platform-wide revenue, run by the billing role
SELECT date_trunc('month', issued_on) AS month, sum(total)
  FROM invoices
 GROUP BY 1;

-- Monthly revenue per customer for the current tenant.
WITH paid AS (
	SELECT customer_id, total
	  FROM invoices
	 WHERE tenant_id = $1 AND status = 'paid'
)
SELECT c.name, sum(p.total)
  FROM paid p
  JOIN customers c ON c.id = p.customer_id
 GROUP BY c.name;

-- Debugging leftover.
SELECT * FROM audit_events WHERE tenant_id = '5b0c2f1e-6f6a-4a8e-9a53-1d2f3b4c5d6e';
