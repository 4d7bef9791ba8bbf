// truncate-tenant-table: TRUNCATE empties the table for every tenant.
// Row-level security does not apply to TRUNCATE, so protect() does not help.
#include "rules/rules.h"

namespace tlint {

void CheckTruncate(const RuleContext &ctx, TruncateStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->relations) {
		auto *rv = static_cast<RangeVar *>(lfirst(lc));
		if (TenantTableOf(ctx, rv) != nullptr)
			ctx.Report("truncate-tenant-table", rv->location,
					   "TRUNCATE removes every tenant's rows of tenant table " + WrittenName(rv));
	}
}

} // namespace tlint
