-- sqlc queries of a Go service (sqlc's named parameters: @name, sqlc.arg,
-- sqlc.narg, sqlc.slice). A statement labelled with an "expect" comment naming
-- a rule is a real violation.

-- name: GetUser :one
SELECT * FROM "User" WHERE "tenantId" = @tenant_id AND id = @id;

-- name: GetUserByEmail :one
SELECT id, email, role FROM "User"
WHERE "tenantId" = sqlc.arg(tenant_id)::uuid AND lower(email) = lower(sqlc.arg(email));

-- name: ListUsers :many
SELECT * FROM "User"
WHERE "tenantId" = @tenant_id AND "deletedAt" IS NULL
ORDER BY email
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: SearchUsers :many
SELECT id, email FROM "User"
WHERE "tenantId" = @tenantId::uuid
  AND (sqlc.narg(role)::app."Role" IS NULL OR role = sqlc.narg(role))
  AND email ILIKE '%' || @query || '%';

-- name: UsersByIDs :many
SELECT * FROM "User" WHERE "tenantId" = @tenant_id AND id = ANY(@ids::uuid[]);

-- name: UsersBySlice :many
SELECT * FROM "User" WHERE "tenantId" = sqlc.arg(tenant_id) AND id IN (sqlc.slice(ids));

-- name: CreateUser :one
INSERT INTO "User" (id, "tenantId", email, role)
VALUES (gen_random_uuid(), @tenant_id, @email, @role)
RETURNING *;

-- name: UpdateUserRole :exec
UPDATE "User" SET role = @role WHERE "tenantId" = @tenant_id AND id = @id;

-- name: SoftDeleteUser :exec
UPDATE "User" SET "deletedAt" = now() WHERE id = @id AND "tenantId" = @tenant_id;

-- name: DeleteUser :exec
DELETE FROM "User" WHERE "tenantId" = $1 AND id = $2;

-- name: CountUsersByRole :many
SELECT role, count(*)::int AS n FROM "User" WHERE "tenantId" = @tenant_id GROUP BY role;

-- name: UserWithTeams :many
SELECT u.id, u.email, t.name AS team
FROM "User" u
JOIN "TeamMember" tm ON tm."userId" = u.id AND tm."tenantId" = u."tenantId"
JOIN "Team" t ON t.id = tm."teamId" AND t."tenantId" = tm."tenantId"
WHERE u."tenantId" = @tenant_id AND u.id = @user_id;

-- name: TenantUsersViaSlug :many
SELECT u.* FROM "User" u JOIN "Tenant" tn ON tn.id = u."tenantId" WHERE tn.id = @tenant_id;

-- name: UpsertUser :one
INSERT INTO "User" (id, "tenantId", email)
VALUES (@id, @tenant_id, @email)
ON CONFLICT ("tenantId", email) DO UPDATE SET "deletedAt" = NULL
RETURNING id;

-- name: GetTenantBySlug :one
SELECT id, slug FROM "Tenant" WHERE slug = @slug;

-- name: ListPlans :many
SELECT code, "maxSeats" FROM "Plan" ORDER BY "maxSeats";

-- name: SeatsUsed :one
SELECT count(*) FROM "User" WHERE "tenantId" = @tenant_id AND "deletedAt" IS NULL;

-- name: AdminsToNotify :many
SELECT email FROM "User" WHERE "tenantId" = @tenant_id AND role IN ('OWNER', 'ADMIN');

-- name: UserExists :one
SELECT EXISTS (SELECT 1 FROM "User" WHERE "tenantId" = @tenant_id AND email = @email);

-- name: GetUserGlobal :one
-- expect: missing-tenant-predicate
SELECT * FROM "User" WHERE id = @id;

-- name: FindUserByEmailAnyTenant :one
-- expect: missing-tenant-predicate
SELECT id, "tenantId" FROM "User" WHERE email = sqlc.arg(email);

-- name: SearchUsersLeaky :many
-- expect: missing-tenant-predicate
SELECT id, email FROM "User" WHERE "tenantId" = @tenant_id OR email ILIKE @query;

-- name: PromoteUser :exec
-- expect: missing-tenant-predicate
UPDATE "User" SET role = 'ADMIN' WHERE id = @id;

-- name: PurgeDeletedUsers :exec
-- expect: missing-tenant-predicate
DELETE FROM "User" WHERE "deletedAt" < now() - interval '30 days';

-- name: CreateUserNoTenant :one
-- expect: insert-without-tenant
INSERT INTO "User" (id, email) VALUES (gen_random_uuid(), @email) RETURNING id;

-- name: UpsertUserByEmail :one
-- expect: upsert-crosses-tenants
INSERT INTO "User" (id, "tenantId", email) VALUES (@id, @tenant_id, @email)
ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id;

-- name: UserWithTeamsLeaky :many
-- expect: missing-tenant-predicate
SELECT u.email, t.name FROM "User" u
JOIN "TeamMember" tm ON tm."userId" = u.id
JOIN "Team" t ON t.id = tm."teamId" AND t."tenantId" = u."tenantId"
WHERE u."tenantId" = @tenant_id;
