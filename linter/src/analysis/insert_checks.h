// insert_checks.h — INSERT into a tenant table: is the tenant column set, and
// set from the current tenant (insert-without-tenant, hard-coded-tenant)?
#pragma once

#include "analysis/scope.h"
#include "analysis/tenant_values.h"
#include "rules/rule_context.h"

namespace tlint {

/*
 * Checks the tenant value of every row. source: the summary of INSERT ...
 * SELECT's query (nullptr for VALUES). Returns whether every row takes the
 * current tenant, so that RETURNING passes it on.
 */
bool CheckInsertedTenant(const RuleContext &ctx, const ValueJudge &values, InsertStmt *stmt,
						 const TableFacts &table, SelectStmt *select, const QuerySummary *source);

} // namespace tlint
