/*
 * protected_relations.h — is a relation protected by tenant_guard? Asked by
 * the executor guard for every relation a statement without a tenant
 * touches, so answers are cached per backend and dropped on relcache
 * invalidation (CREATE/DROP POLICY and ALTER TABLE send one).
 */
#pragma once

namespace tg {

/* Whether relid carries tenant_guard's policies. May raise a PostgreSQL ERROR (catalog access). */
bool IsProtectedRelation(unsigned int relid);

} // namespace tg
