// copy-tenant-table: COPY of a whole tenant table. COPY (query) TO is a
// query like any other and is analyzed as one.
#include "rules/rules.h"

namespace tlint {

void CheckCopy(const RuleContext &ctx, CopyStmt *stmt)
{
	if (stmt->relation == nullptr)
		return;
	const TableFacts *table = TenantTableOf(ctx, stmt->relation);
	if (table == nullptr)
		return;
	std::string const verb = stmt->is_from ? "loads rows into" : "reads";
	ctx.Report("copy-tenant-table", stmt->relation->location,
			   "COPY " + verb + " every tenant's rows of tenant table " +
				   WrittenName(stmt->relation),
			   ctx.options.trust_rls && table->is_protected);
}

} // namespace tlint
