-- Documents, versions and teams of the Go service.

-- name: GetDocument :one
SELECT * FROM "Document" WHERE "tenantId" = @tenant_id AND id = @id;

-- name: ListDocuments :many
SELECT id, title, "publishedAt" FROM "Document"
WHERE "tenantId" = @tenant_id
  AND (sqlc.narg(team_id)::uuid IS NULL OR "teamId" = sqlc.narg(team_id))
ORDER BY "updatedAt" DESC
LIMIT @page_size;

-- name: ListPublished :many
SELECT d.id, d.title, u.email AS author
FROM "Document" d
JOIN "User" u ON u.id = d."authorId" AND u."tenantId" = d."tenantId"
WHERE d."tenantId" = @tenant_id AND d."publishedAt" IS NOT NULL;

-- name: CreateDocument :one
INSERT INTO "Document" (id, "tenantId", "teamId", "authorId", title, body, "updatedAt")
VALUES (gen_random_uuid(), sqlc.arg(tenant_id), sqlc.narg(team_id), sqlc.arg(author_id), sqlc.arg(title), sqlc.arg(body), now())
RETURNING id;

-- name: UpdateDocument :one
UPDATE "Document"
SET title = coalesce(sqlc.narg(title), title), body = coalesce(sqlc.narg(body), body), "updatedAt" = now()
WHERE "tenantId" = sqlc.arg(tenant_id) AND id = sqlc.arg(id)
RETURNING *;

-- name: PublishDocument :exec
UPDATE "Document" SET "publishedAt" = now() WHERE "tenantId" = @tenant_id AND id = @id AND "publishedAt" IS NULL;

-- name: DeleteDocument :exec
DELETE FROM "Document" WHERE "tenantId" = @tenant_id AND id = @id;

-- name: SaveVersion :exec
INSERT INTO "DocumentVersion" (id, "tenantId", "documentId", body)
SELECT nextval('app.document_version_seq'), d."tenantId", d.id, d.body
FROM "Document" d WHERE d."tenantId" = @tenant_id AND d.id = @id;

-- name: ListVersions :many
SELECT id, "createdAt" FROM "DocumentVersion"
WHERE "tenantId" = @tenant_id AND "documentId" = @document_id ORDER BY "createdAt" DESC;

-- name: LatestVersion :one
SELECT v.body FROM "DocumentVersion" v
WHERE v."tenantId" = @tenant_id AND v."documentId" = @document_id
ORDER BY v."createdAt" DESC LIMIT 1;

-- name: PruneVersions :exec
WITH keep AS (
  SELECT id FROM "DocumentVersion"
  WHERE "tenantId" = @tenant_id AND "documentId" = @document_id
  ORDER BY "createdAt" DESC LIMIT 20
)
DELETE FROM "DocumentVersion"
WHERE "tenantId" = @tenant_id AND "documentId" = @document_id AND id NOT IN (SELECT id FROM keep);

-- name: DocumentsOfTeamTree :many
WITH RECURSIVE tree AS (
  SELECT id, "tenantId" FROM "Team" WHERE "tenantId" = @tenant_id AND id = @team_id
  UNION ALL
  SELECT t.id, t."tenantId" FROM "Team" t JOIN tree ON t."parentId" = tree.id AND t."tenantId" = tree."tenantId"
)
SELECT d.id, d.title FROM "Document" d JOIN tree ON d."teamId" = tree.id
WHERE d."tenantId" = @tenant_id;

-- name: DocumentVersionsUsing :many
SELECT d.title, v."createdAt" FROM "Document" d JOIN "DocumentVersion" v USING ("tenantId")
WHERE "tenantId" = @tenant_id AND v."documentId" = d.id;

-- name: ListTeams :many
SELECT * FROM "Team" WHERE "tenantId" = @tenant_id ORDER BY name;

-- name: CreateTeam :one
INSERT INTO "Team" (id, "tenantId", name, "parentId") VALUES (gen_random_uuid(), @tenant_id, @name, sqlc.narg(parent_id)) RETURNING id;

-- name: AddTeamMember :exec
INSERT INTO "TeamMember" ("teamId", "userId", "tenantId") VALUES (@team_id, @user_id, @tenant_id)
ON CONFLICT DO NOTHING;

-- name: RemoveTeamMember :exec
DELETE FROM "TeamMember" WHERE "tenantId" = @tenant_id AND "teamId" = @team_id AND "userId" = @user_id;

-- name: TeamSizes :many
SELECT t.id, t.name, count(tm."userId") AS members
FROM "Team" t LEFT JOIN "TeamMember" tm ON tm."teamId" = t.id AND tm."tenantId" = t."tenantId"
WHERE t."tenantId" = @tenant_id
GROUP BY t.id, t.name;

-- name: MoveDocumentsToTeam :exec
UPDATE "Document" d SET "teamId" = t.id
FROM "Team" t
WHERE t."tenantId" = @tenant_id AND t.id = @team_id AND d."tenantId" = t."tenantId" AND d.id = ANY(@ids::uuid[]);

-- name: GetDocumentLeaky :one
-- expect: missing-tenant-predicate
SELECT * FROM "Document" WHERE id = sqlc.arg(id);

-- name: ListVersionsLeaky :many
-- expect: missing-tenant-predicate
SELECT id, body FROM "DocumentVersion" WHERE "documentId" = @document_id;

-- name: SaveVersionDefaultTenant :exec
-- "DocumentVersion" is protect()ed: its "tenantId" defaults to the current tenant
INSERT INTO "DocumentVersion" (id, "documentId", body) VALUES (nextval('app.document_version_seq'), @document_id, @body);

-- name: TeamTreeLeaky :many
-- expect: missing-tenant-predicate
WITH RECURSIVE tree AS (
  SELECT id FROM "Team" WHERE "tenantId" = @tenant_id AND id = @team_id
  UNION ALL
  SELECT t.id FROM "Team" t JOIN tree ON t."parentId" = tree.id
)
SELECT id FROM tree;

-- name: DeleteTeamMembersOfTeam :exec
-- expect: missing-tenant-predicate
DELETE FROM "TeamMember" WHERE "teamId" = @team_id;

-- name: ListPublishedLeaky :many
-- expect: missing-tenant-predicate
SELECT d.title, u.email FROM "Document" d JOIN "User" u ON u.id = d."authorId" WHERE u."tenantId" = @tenant_id;

-- name: CreateDocumentNoTenant :one
-- "Document" has RLS of its own and no DEFAULT for "tenantId"
-- expect: insert-without-tenant
INSERT INTO "Document" (id, "authorId", title, "updatedAt") VALUES (gen_random_uuid(), @author_id, @title, now()) RETURNING id;

-- name: MoveDocumentsLeaky :exec
-- expect: missing-tenant-predicate
UPDATE "Document" SET "teamId" = @team_id WHERE id = ANY(@ids::uuid[]);

-- name: PruneVersionsLeaky :exec
-- expect: missing-tenant-predicate
DELETE FROM "DocumentVersion" WHERE "documentId" = @document_id AND "createdAt" < @before;
