-- name: ListWebhooks :many
SELECT id, url FROM webhooks WHERE "workspaceId" = @workspace_id;

-- name: DeleteWebhook :exec
DELETE FROM webhooks WHERE "workspaceId" = @workspace_id AND id = @id;

-- name: DeploymentsOfProjects :many
SELECT * FROM deployments WHERE project = ANY(@project_ids::uuid[]);

-- name: DeploymentsOfSlice :many
SELECT * FROM deployments WHERE project IN (sqlc.slice(project_ids)) AND state = 'live';

-- name: ProjectsWithDeployments :many
-- expect: missing-tenant-predicate
SELECT p.name, d.state
FROM projects p JOIN deployments d ON d.project = p.id
WHERE p.workspace_id = @workspace_id;

-- name: RecentAudit :many
SELECT kind, created_at FROM audit_events WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT 50;

-- name: PlanPrices :many
SELECT code, monthly_price FROM plans ORDER BY monthly_price;

-- name: WorkspaceOfProject :one
SELECT w.* FROM workspaces w JOIN projects p ON p.workspace_id = w.id WHERE p.workspace_id = $1 AND p.id = $2;

-- name: AllWebhooks :many
-- expect: missing-tenant-predicate
SELECT * FROM webhooks WHERE url LIKE 'https://%';

-- name: DeployAll :exec
-- expect: missing-tenant-predicate
UPDATE deployments SET state = 'queued' WHERE state = 'live';

-- name: AuditEverything :many
-- expect: missing-tenant-predicate
SELECT * FROM audit_events WHERE kind = $1;
