/*
 * protected_relations.h — is a relation protected by tenant_guard? The
 * registry (tenant_guard.protection) decides, not the name of a policy.
 * Asked by the executor guard for every relation a statement without a tenant
 * touches, so answers are cached per backend and dropped on relcache
 * invalidation: the registry's trigger (tenant_guard._protection_changed)
 * sends one for the table of every row written, and ALTER TABLE, CREATE/DROP
 * POLICY and DROP TABLE send their own.
 */
#pragma once

namespace tg {

/* Whether relid is in the registry. May raise a PostgreSQL ERROR (catalog access). */
bool IsProtectedRelation(unsigned int relid);

} // namespace tg
