-- API keys and usage metering of the Go service.

-- name: CreateApiKey :one
INSERT INTO "ApiKey" (id, "tenantId", "hashedKey") VALUES (gen_random_uuid(), @tenant_id, @hashed_key) RETURNING id;

-- name: ListApiKeys :many
SELECT id, "lastUsedAt" FROM "ApiKey" WHERE "tenantId" = @tenant_id ORDER BY "lastUsedAt" DESC NULLS LAST;

-- name: RevokeApiKey :exec
DELETE FROM "ApiKey" WHERE "tenantId" = @tenant_id AND id = @id;

-- name: TouchApiKey :exec
UPDATE "ApiKey" SET "lastUsedAt" = now() WHERE "tenantId" = @tenant_id AND id = @id;

-- name: RecordUsage :exec
INSERT INTO "Usage" ("tenantId", day, requests) VALUES (@tenant_id, CURRENT_DATE, 1)
ON CONFLICT ("tenantId", day) DO UPDATE SET requests = "Usage".requests + 1;

-- name: UsageThisMonth :one
SELECT coalesce(sum(requests), 0)::bigint FROM "Usage"
WHERE "tenantId" = @tenant_id AND day >= date_trunc('month', CURRENT_DATE);

-- name: UsageSeries :many
SELECT day, requests FROM "Usage" WHERE "tenantId" = @tenant_id AND day BETWEEN @from AND @to ORDER BY day;

-- name: UsageWithTenant :many
SELECT u.day, u.requests, t.slug FROM "Usage" u JOIN "Tenant" t ON t.id = u."tenantId"
WHERE u."tenantId" = @tenant_id;

-- name: OverQuota :one
SELECT (SELECT sum(requests) FROM "Usage" WHERE "tenantId" = @tenant_id AND day >= CURRENT_DATE - 30) > @quota;

-- name: LatestUsageDay :one
SELECT max(day) FROM "Usage" WHERE "tenantId" = @tenant_id;

-- name: SetTenantForTransaction :exec
SELECT set_config('app.tenant_id', @tenant_id::text, true);

-- name: TenantFromSetting :many
SELECT id FROM "ApiKey" WHERE "tenantId" = current_setting('app.tenant_id')::uuid;

-- name: ApiKeyByHashAnyTenant :one
-- An API key is looked up before the tenant is known: this one is a real
-- cross-tenant read; the application suppresses it with a reason.
-- tenant-lint: ignore[missing-tenant-predicate] lookup by secret hash, returns the tenant
SELECT id, "tenantId" FROM "ApiKey" WHERE "hashedKey" = @hashed_key;

-- name: UsageAllTenants :many
-- expect: missing-tenant-predicate
SELECT "tenantId", sum(requests) FROM "Usage" GROUP BY "tenantId";

-- name: RecordUsageDefaultTenant :exec
-- "Usage" is protect()ed: its "tenantId" defaults to the current tenant
INSERT INTO "Usage" (day, requests) VALUES (CURRENT_DATE, 1);

-- name: ResetUsage :exec
-- expect: missing-tenant-predicate
UPDATE "Usage" SET requests = 0 WHERE day = @day;

-- name: SetTenantForSession :exec
-- expect: session-tenant-setting
SELECT set_config('app.tenant_id', @tenant_id::text, false);

-- name: RevokeKeysOfTenantLeaky :exec
-- expect: missing-tenant-predicate
DELETE FROM "ApiKey" WHERE "lastUsedAt" < @before;
