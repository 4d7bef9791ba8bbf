-- Billing and reporting of the Rails-style application. invoices has RLS of
-- its own (ENABLE + FORCE + a policy on account_id); without --trust-rls its
-- queries are held to the same rule.

-- invoices of the account
SELECT invoices.* FROM invoices WHERE invoices.account_id = :account_id ORDER BY invoices.issued_on DESC;

-- one invoice with items
SELECT i.number, it.description, it.amount_cents
FROM invoices i JOIN invoice_items it ON it.invoice_id = i.id AND it.account_id = i.account_id
WHERE i.account_id = :account_id AND i.id = :id;

-- unpaid total
SELECT coalesce(sum(total_cents), 0) FROM invoices WHERE account_id = ? AND status = 'open';

-- recalculate an invoice total from its items
UPDATE invoices SET total_cents = (
  SELECT coalesce(sum(amount_cents), 0) FROM invoice_items
  WHERE invoice_items.invoice_id = invoices.id AND invoice_items.account_id = invoices.account_id
) WHERE invoices.account_id = :account_id AND invoices.id = :id;

-- mark paid
UPDATE invoices SET status = 'paid', paid_at = now() WHERE account_id = :account_id AND number = :number;

-- add an item
INSERT INTO invoice_items (account_id, invoice_id, description, amount_cents)
VALUES (:account_id, :invoice_id, :description, :amount_cents);

-- items of invoices issued this year
SELECT it.* FROM invoice_items it
WHERE it.account_id = :account_id
  AND it.invoice_id IN (SELECT id FROM invoices WHERE account_id = :account_id AND issued_on >= date_trunc('year', now()));

-- monthly revenue
SELECT date_trunc('month', paid_at) AS month, sum(total_cents)
FROM invoices WHERE account_id = :account_id AND paid_at IS NOT NULL GROUP BY 1 ORDER BY 1;

-- activity log write
INSERT INTO activity_logs (account_id, user_id, action, subject_type, subject_id, created_at)
VALUES (:account_id, :user_id, :action, :subject_type, :subject_id, now());

-- activity feed
SELECT l.action, l.created_at, u.email FROM activity_logs l
LEFT JOIN users u ON u.id = l.user_id AND u.account_id = l.account_id
WHERE l.account_id = :account_id ORDER BY l.created_at DESC LIMIT 100;

-- activity log cleanup for the account
DELETE FROM activity_logs WHERE account_id = :account_id AND created_at < now() - interval '90 days';

-- the tenant from the session setting the app sets per transaction
SELECT * FROM invoices WHERE account_id = current_setting('app.tenant_id')::bigint;

-- top users by activity
SELECT u.email, count(*) FROM activity_logs l JOIN users u ON u.id = l.user_id
WHERE l.account_id = :account_id AND u.account_id = :account_id GROUP BY u.email ORDER BY 2 DESC LIMIT 10;

-- overdue invoices with users to notify (admins)
SELECT i.number, u.email FROM invoices i
JOIN users u ON u.account_id = i.account_id AND u.role = 'admin'
WHERE i.account_id = :account_id AND i.status = 'open' AND i.issued_on < CURRENT_DATE - 30;

-- invoice numbering: next number of the account
SELECT coalesce(max(number::bigint), 0) + 1 FROM invoices WHERE account_id = :account_id;

-- items with a tenant-constrained invoice in a CTE, delete tied through the CTE
WITH void AS (SELECT id, account_id FROM invoices WHERE account_id = :account_id AND status = 'void')
DELETE FROM invoice_items it USING void v WHERE it.invoice_id = v.id AND it.account_id = v.account_id;

-- (account_id, id) IN a tenant-constrained CTE
WITH stale AS (
  SELECT account_id, id FROM activity_logs WHERE account_id = :account_id ORDER BY created_at LIMIT 1000
)
DELETE FROM activity_logs WHERE (account_id, id) IN (SELECT account_id, id FROM stale);

-- revenue of all accounts, a report
-- expect: missing-tenant-predicate
SELECT account_id, sum(total_cents) FROM invoices WHERE status = 'paid' GROUP BY account_id;

-- item lookup by invoice only
-- expect: missing-tenant-predicate
SELECT * FROM invoice_items WHERE invoice_id = :invoice_id;

-- total recalculation whose sub-query reads every account's items
-- expect: missing-tenant-predicate
UPDATE invoices SET total_cents = (SELECT sum(amount_cents) FROM invoice_items WHERE invoice_id = :id)
WHERE account_id = :account_id AND id = :id;

-- activity of a user, across accounts
-- expect: missing-tenant-predicate
SELECT action, created_at FROM activity_logs WHERE user_id = ? ORDER BY created_at DESC;

-- log write without the account: protect()'s DEFAULT fills it in
INSERT INTO activity_logs (user_id, action, created_at) VALUES (:user_id, :action, now());

-- cleanup across accounts
-- expect: missing-tenant-predicate
DELETE FROM activity_logs WHERE created_at < now() - interval '90 days';

-- the join's user side is not tied to the account
-- expect: missing-tenant-predicate
SELECT l.action, u.email FROM activity_logs l JOIN users u ON u.id = l.user_id WHERE l.account_id = :account_id;

-- export of the whole table
-- expect: copy-tenant-table
COPY invoice_items TO STDOUT WITH (FORMAT csv);

-- tenant set for the whole session
-- expect: session-tenant-setting
SET app.tenant_id = '42';

-- CTE without the account; the DELETE is tied to it only by id
-- expect: missing-tenant-predicate
WITH stale AS (SELECT id FROM activity_logs WHERE created_at < now() - interval '1 year')
DELETE FROM activity_logs WHERE id IN (SELECT id FROM stale);
