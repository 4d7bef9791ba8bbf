-- Ticket queries of a Rails application, as its find_by_sql and
-- ActiveRecord scopes send them (named binds :name, positional ?).
-- A statement labelled with an "expect" comment naming a rule is a real violation.

-- Ticket.where(account: current_account).open.order(:priority)
SELECT tickets.* FROM tickets WHERE tickets.account_id = :account_id AND tickets.status = 'open'
ORDER BY tickets.priority DESC LIMIT 25 OFFSET :offset;

-- Ticket.find(params[:id]) scoped to the account
SELECT "tickets".* FROM "tickets" WHERE "tickets"."account_id" = ? AND "tickets"."id" = ? LIMIT 1;

-- tickets of a project, through the project
SELECT t.id, t.title, p.name AS project_name
FROM tickets t
INNER JOIN projects p ON p.id = t.project_id AND p.account_id = t.account_id
WHERE t.account_id = :account_id AND p.archived = false;

-- the account row itself is not a tenant table; the chain a.id = t.account_id = :account_id holds
SELECT t.id, a.name FROM tickets t JOIN accounts a ON a.id = t.account_id WHERE a.id = :account_id;

-- assigned to me
SELECT t.* FROM tickets t JOIN users u ON u.id = t.assignee_id AND u.account_id = t.account_id
WHERE u.account_id = :account_id AND u.email = :email;

-- overdue tickets with their assignee, outer join
SELECT t.id, t.title, u.email
FROM tickets t
LEFT OUTER JOIN users u ON u.id = t.assignee_id AND u.account_id = t.account_id
WHERE t.account_id = :account_id AND t.due_on < CURRENT_DATE AND t.status <> 'closed';

-- counts by status
SELECT status, count(*) AS count FROM tickets WHERE account_id = ? GROUP BY status ORDER BY status;

-- search
SELECT tickets.id, tickets.title FROM tickets
WHERE tickets.account_id = :account_id AND (tickets.title ILIKE :q OR tickets.status = :q)
ORDER BY tickets.updated_at DESC;

-- tickets carrying a tag
SELECT t.* FROM tickets t
WHERE t.account_id = :account_id
  AND EXISTS (SELECT 1 FROM taggings g WHERE g.ticket_id = t.id AND g.account_id = t.account_id AND g.tag = :tag);

-- tickets with a comment by a user
SELECT DISTINCT t.id FROM tickets t
JOIN ticket_comments c ON c.ticket_id = t.id AND c.account_id = :account_id
WHERE t.account_id = :account_id AND c.user_id = :user_id;

-- latest comment per ticket (LATERAL)
SELECT t.id, last.body
FROM tickets t
LEFT JOIN LATERAL (
  SELECT c.body FROM ticket_comments c
  WHERE c.ticket_id = t.id AND c.account_id = t.account_id
  ORDER BY c.created_at DESC LIMIT 1
) last ON true
WHERE t.account_id = :account_id;

-- ticket ids through IN sub-query
SELECT id, title FROM tickets
WHERE account_id = :account_id
  AND project_id IN (SELECT id FROM projects WHERE account_id = :account_id AND archived = false);

-- Ticket.create
INSERT INTO "tickets" ("account_id", "project_id", "title", "status", "priority", "created_at", "updated_at")
VALUES (?, ?, ?, 'open', ?, now(), now()) RETURNING "id";

-- update status
UPDATE "tickets" SET "status" = ?, "updated_at" = now() WHERE "tickets"."account_id" = ? AND "tickets"."id" = ?;

-- bulk close the tickets of an archived project
UPDATE tickets SET status = 'closed', updated_at = now()
FROM projects
WHERE tickets.project_id = projects.id AND projects.account_id = :account_id
  AND tickets.account_id = projects.account_id AND projects.archived;

-- destroy
DELETE FROM tickets WHERE tickets.account_id = :account_id AND tickets.id = :id;

-- destroy comments of a ticket, USING
DELETE FROM ticket_comments c USING tickets t
WHERE c.ticket_id = t.id AND c.account_id = t.account_id AND t.account_id = :account_id AND t.id = :id;

-- tag a ticket, idempotent
INSERT INTO taggings (account_id, ticket_id, tag) VALUES (:account_id, :ticket_id, :tag)
ON CONFLICT (account_id, ticket_id, tag) DO NOTHING;

-- priority bump, window function
SELECT id, title, rank() OVER (PARTITION BY project_id ORDER BY priority DESC) AS rank
FROM tickets WHERE account_id = :account_id;

-- recent activity of the account, UNION of two sources
SELECT 'ticket' AS kind, id, updated_at FROM tickets WHERE account_id = :account_id
UNION ALL
SELECT 'comment', id, created_at FROM ticket_comments WHERE account_id = :account_id
ORDER BY 3 DESC LIMIT 50;

-- keyset pagination over the composite key, a row comparison
SELECT id, title FROM tickets WHERE (account_id, id) = (:account_id, :id);

-- JOIN ... USING: the unqualified account_id is the merged column of both tables
SELECT t.id, c.body FROM tickets t JOIN ticket_comments c USING (account_id)
WHERE account_id = :account_id AND c.ticket_id = t.id;

-- a cast bind
SELECT * FROM tickets WHERE account_id = :account_id::bigint AND created_at > :since::timestamp;

-- Ticket.unscoped.find(id): the default scope forgotten
-- expect: missing-tenant-predicate
SELECT "tickets".* FROM "tickets" WHERE "tickets"."id" = ? LIMIT 1;

-- a join that ties only the comments to the account
-- expect: missing-tenant-predicate
SELECT t.title, c.body FROM tickets t JOIN ticket_comments c ON c.ticket_id = t.id
WHERE c.account_id = :account_id;

-- OR lets the other accounts' rows in
-- expect: missing-tenant-predicate
SELECT * FROM tickets WHERE account_id = :account_id OR status = 'public';

-- the sub-query reads every account's taggings
-- expect: missing-tenant-predicate
SELECT t.* FROM tickets t WHERE t.account_id = :account_id
  AND t.id IN (SELECT ticket_id FROM taggings WHERE tag = :tag);

-- second branch of the UNION forgot the account
-- expect: missing-tenant-predicate
SELECT id, updated_at FROM tickets WHERE account_id = :account_id
UNION ALL
SELECT id, created_at FROM ticket_comments WHERE user_id = :user_id;

-- update by id only
-- expect: missing-tenant-predicate
UPDATE tickets SET assignee_id = :user_id WHERE id = :id;

-- delete by id only
-- expect: missing-tenant-predicate
DELETE FROM taggings WHERE ticket_id = ? AND tag = ?;

-- insert without the account: ticket_comments is protect()ed, its DEFAULT is the current account
INSERT INTO ticket_comments (ticket_id, user_id, body, created_at) VALUES (?, ?, ?, now());

-- invoices has RLS of its own but no DEFAULT: the row gets no account
-- expect: insert-without-tenant
INSERT INTO invoices (number, total_cents, status, issued_on) VALUES (?, 0, 'draft', CURRENT_DATE);

-- the lateral sub-query reads all accounts' comments
-- expect: missing-tenant-predicate
SELECT t.id, last.body FROM tickets t
LEFT JOIN LATERAL (SELECT c.body FROM ticket_comments c WHERE c.ticket_id = t.id ORDER BY c.created_at DESC LIMIT 1) last ON true
WHERE t.account_id = :account_id;

-- compares the tenant with a column of another table that nothing constrains
-- expect: missing-tenant-predicate
SELECT t.* FROM tickets t, projects p WHERE t.account_id = p.account_id AND p.name = :name;
