-- name: ListInvoices :many
SELECT i.id, i.issued_on, i.total, c.name
  FROM invoices i
  JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
 WHERE i.tenant_id = $1
 ORDER BY i.issued_on DESC
 LIMIT 50;

-- name: InvoiceWithLines :many
SELECT i.id, l.description, l.amount
  FROM invoices i
  JOIN invoice_lines l ON l.invoice_id = i.id
 WHERE i.tenant_id = $1 AND i.id = $2;

-- name: OverdueInvoices :many
SELECT id, total
  FROM invoices
 WHERE status = 'sent' AND issued_on < current_date - 30
   AND (tenant_id = $1 OR $2::boolean);

-- name: MarkPaid :exec
UPDATE invoices
   SET status = 'paid'
 WHERE tenant_id = current_setting('app.tenant_id')::uuid
   AND id = $1;

-- name: RecalculateTotals :exec
UPDATE invoices i
   SET total = (SELECT coalesce(sum(amount), 0)
                  FROM invoice_lines l
                 WHERE l.invoice_id = i.id AND l.tenant_id = i.tenant_id)
 WHERE i.tenant_id = $1;
