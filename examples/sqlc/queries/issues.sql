-- sqlc queries for issues. An "expect:" comment naming a rule labels the statement that
-- follows as a true violation (the linter's test suite checks the labels).

-- name: GetIssue :one
SELECT * FROM issues WHERE workspace_id = @workspace_id AND id = @id;

-- name: ListIssues :many
SELECT i.id, i.title, i.state, m.email AS assignee
FROM issues i
LEFT JOIN members m ON m.id = i.assignee_id AND m.workspace_id = i.workspace_id
WHERE i.workspace_id = sqlc.arg(workspace_id)::uuid
  AND (sqlc.narg(state)::text IS NULL OR i.state = sqlc.narg(state))
ORDER BY i.id DESC
LIMIT sqlc.arg(page_size);

-- name: ListIssuesInProjects :many
SELECT * FROM issues WHERE workspace_id = @workspace_id AND project_id = ANY(@project_ids::uuid[]);

-- name: CreateIssue :one
INSERT INTO issues (id, workspace_id, project_id, title, state)
VALUES (@id, @workspace_id, @project_id, @title, 'open')
RETURNING *;

-- name: CloseIssue :exec
UPDATE issues SET state = 'closed' WHERE workspace_id = @workspace_id AND id = @id;

-- name: ReassignIssues :exec
UPDATE issues i SET assignee_id = @new_assignee
FROM members m
WHERE m.id = i.assignee_id AND m.workspace_id = i.workspace_id AND i.workspace_id = @workspace_id
  AND m.email = @old_email;

-- name: DeleteStaleIssues :exec
WITH to_delete AS (
    SELECT workspace_id, id FROM issues
    WHERE workspace_id = @workspace_id AND state = 'closed'
    LIMIT 500
)
DELETE FROM issues WHERE (workspace_id, id) IN (SELECT workspace_id, id FROM to_delete);

-- name: IssueTree :many
WITH RECURSIVE tree AS (
    SELECT id, workspace_id, parent_id FROM issues WHERE workspace_id = @workspace_id AND id = @root
    UNION ALL
    SELECT c.id, c.workspace_id, c.parent_id
    FROM issues c JOIN tree t ON c.parent_id = t.id AND c.workspace_id = t.workspace_id
)
SELECT * FROM tree;

-- name: GetIssueByIdOnly :one
-- expect: missing-tenant-predicate
SELECT * FROM issues WHERE id = @id;

-- name: SearchIssues :many
-- expect: missing-tenant-predicate
SELECT * FROM issues WHERE workspace_id = @workspace_id OR title ILIKE @pattern;

-- name: MoveIssue :exec
-- expect: missing-tenant-predicate
UPDATE issues SET project_id = @project_id WHERE id = @id;
