// unprotected-tenant-table: a migration creates a table with the tenant column
// and no file of the run calls tenant_guard.protect() (or protect_schema()) on it,
// nor gives it row-level security of its own (enabled, forced, a policy on the column).
#include "rules/rules.h"

namespace tlint {

void CheckCreateTable(const RuleContext &ctx, CreateStmt *stmt)
{
	RangeVar *rv = stmt->relation;
	if (rv->relpersistence == 't' /* RELPERSISTENCE_TEMP */)
		return;
	/* Partitions are protected through their parent. */
	if (stmt->partbound != nullptr)
		return;
	const TableFacts *table = TenantTableOf(ctx, rv);
	if (table == nullptr || table->is_protected || table->rls_protected)
		return;
	ctx.Report("unprotected-tenant-table", rv->location,
			   "table " + WrittenName(rv) + " has tenant column " + table->tenant_column +
				   " but no tenant_guard.protect('" + table->QualifiedName() + "') follows");
}

} // namespace tlint
