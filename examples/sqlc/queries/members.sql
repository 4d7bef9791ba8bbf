-- name: GetMember :one
SELECT * FROM members WHERE workspace_id = :workspace_id AND id = :id;

-- name: MemberByEmail :one
SELECT m.* FROM members m JOIN workspaces w ON w.id = m.workspace_id WHERE w.id = ? AND m.email = ?;

-- name: MemberComments :many
SELECT c.body, i.title
FROM comments c
JOIN issues i ON i.id = c.issue_id AND i.workspace_id = c.workspace_id
JOIN members m ON m.id = c.author_id AND m.workspace_id = c.workspace_id
WHERE c.workspace_id = $1 AND m.id = $2;

-- name: ManagersChain :many
SELECT m.email, boss.email AS manager
FROM members m JOIN members boss ON boss.id = m.manager_id AND boss.workspace_id = m.workspace_id
WHERE m.workspace_id = :'workspace';

-- name: ActiveMembers :many
SELECT * FROM members
WHERE workspace_id = @workspace_id
  AND id IN (SELECT author_id FROM comments WHERE workspace_id = @workspace_id);

-- name: AddMember :exec
INSERT INTO members (id, workspace_id, email, role) VALUES (?, ?, ?, 'member')
ON CONFLICT DO NOTHING;

-- name: AllAdmins :many
-- expect: missing-tenant-predicate
SELECT * FROM members WHERE role = 'admin';

-- name: MemberCommentsLeaky :many
-- expect: missing-tenant-predicate
SELECT c.body FROM comments c JOIN members m ON m.id = c.author_id WHERE m.workspace_id = $1;

-- name: CommentCountsAnyWorkspace :many
-- expect: missing-tenant-predicate
SELECT issue_id, count(*) FROM comments WHERE issue_id IN (SELECT id FROM issues WHERE workspace_id = $1)
GROUP BY issue_id;
