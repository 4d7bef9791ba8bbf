-- Projects, users and settings of the Rails-style application.

-- current_account.projects
SELECT projects.* FROM projects WHERE projects.account_id = :account_id ORDER BY projects.name;

-- project with its owner
SELECT p.*, u.email AS owner_email FROM projects p
LEFT JOIN users u ON u.id = p.owner_id AND u.account_id = p.account_id
WHERE p.account_id = ? AND p.id = ?;

-- open ticket counts per project
SELECT p.id, p.name, count(t.id) AS open_tickets
FROM projects p
LEFT JOIN tickets t ON t.project_id = p.id AND t.account_id = p.account_id AND t.status = 'open'
WHERE p.account_id = :account_id
GROUP BY p.id, p.name;

-- projects with more than N tickets
SELECT p.id FROM projects p
WHERE p.account_id = :account_id
  AND (SELECT count(*) FROM tickets t WHERE t.project_id = p.id AND t.account_id = :account_id) > :n;

-- archive
UPDATE projects SET archived = true, updated_at = now() WHERE account_id = :account_id AND id = :id;

-- rename, RETURNING
UPDATE projects SET name = :name WHERE id = :id AND account_id = :account_id RETURNING id, name;

-- create
INSERT INTO projects (account_id, name, owner_id, created_at, updated_at)
VALUES (:account_id, :name, :owner_id, now(), now()) RETURNING id;

-- copy a project's tickets into another project of the same account
INSERT INTO tickets (account_id, project_id, title, status, priority, created_at, updated_at)
SELECT account_id, :target_id, title, 'open', priority, now(), now()
FROM tickets WHERE account_id = :account_id AND project_id = :source_id;

-- users of the account
SELECT users.id, users.email, users.role FROM users WHERE users.account_id = ? ORDER BY users.email;

-- user by email (sign in, scoped by subdomain's account)
SELECT users.* FROM users WHERE users.account_id = :account_id AND lower(users.email) = lower(:email) LIMIT 1;

-- last sign in
UPDATE users SET last_sign_in_at = now() WHERE id = :id AND account_id = :account_id;

-- invite
INSERT INTO users (account_id, email, role, created_at, updated_at)
VALUES (:account_id, :email, 'member', now(), now())
ON CONFLICT (account_id, email) DO UPDATE SET updated_at = EXCLUDED.updated_at;

-- settings upsert
INSERT INTO settings (account_id, key, value) VALUES (:account_id, :key, :value::jsonb)
ON CONFLICT (account_id, key) DO UPDATE SET value = EXCLUDED.value;

-- read a setting
SELECT value FROM settings WHERE account_id = :account_id AND key = :key;

-- all settings as json
SELECT jsonb_object_agg(key, value) FROM settings WHERE account_id = :account_id;

-- accounts table is global: no tenant column
SELECT id, name, plan FROM accounts WHERE id = :account_id;

-- plan change is on the global table
UPDATE accounts SET plan = :plan, updated_at = now() WHERE id = :account_id;

-- feature flags are global
SELECT name FROM feature_flags WHERE enabled;

-- schema_migrations
SELECT version FROM schema_migrations ORDER BY version;

-- project owners through a CTE
WITH owners AS (
  SELECT DISTINCT owner_id FROM projects WHERE account_id = :account_id AND owner_id IS NOT NULL
)
SELECT u.id, u.email FROM users u JOIN owners o ON o.owner_id = u.id WHERE u.account_id = :account_id;

-- users active in the last week, CTE chained to the account
WITH recent AS (
  SELECT user_id, account_id FROM activity_logs WHERE account_id = :account_id AND created_at > now() - interval '7 days'
)
SELECT u.email FROM users u JOIN recent r ON r.user_id = u.id AND r.account_id = u.account_id;

-- delete the settings of the account being closed
DELETE FROM settings WHERE account_id = :account_id;

-- every project of every account, for an admin report
-- expect: missing-tenant-predicate
SELECT p.name, a.name FROM projects p JOIN accounts a ON a.id = p.account_id ORDER BY a.name;

-- users by email across accounts
-- expect: missing-tenant-predicate
SELECT users.* FROM users WHERE lower(users.email) = lower(:email) LIMIT 1;

-- the upsert's conflict target leaves the account out
-- expect: upsert-crosses-tenants
INSERT INTO settings (account_id, key, value) VALUES (:account_id, :key, :value)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

-- archive by name, forgetting the account
-- expect: missing-tenant-predicate
UPDATE projects SET archived = true WHERE name = :name;

-- the CTE reads all accounts' logs, and the join does not tie them
-- expect: missing-tenant-predicate
WITH recent AS (SELECT user_id FROM activity_logs WHERE created_at > now() - interval '7 days')
SELECT u.email FROM users u JOIN recent r ON r.user_id = u.id WHERE u.account_id = :account_id;

-- copies tickets from any account
-- expect: missing-tenant-predicate
INSERT INTO tickets (account_id, project_id, title, status, priority, created_at, updated_at)
SELECT :account_id, :target_id, title, 'open', priority, now(), now() FROM tickets WHERE project_id = :source_id;

-- the settings read compares the account with itself
-- expect: missing-tenant-predicate
SELECT value FROM settings WHERE account_id = account_id AND key = :key;

-- a scalar sub-query without the account
-- expect: missing-tenant-predicate
SELECT p.id, (SELECT count(*) FROM tickets t WHERE t.project_id = p.id) AS n FROM projects p WHERE p.account_id = :account_id;

-- clearing all sessions of every account
-- expect: truncate-tenant-table
TRUNCATE activity_logs;
