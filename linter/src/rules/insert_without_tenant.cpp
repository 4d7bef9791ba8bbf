// insert-without-tenant: an INSERT whose tenant column value is not the
// current tenant. The analyzer finds the value; this file words the finding.
#include "rules/rules.h"

namespace tlint {

void ReportInsertWithoutTenant(const RuleContext &ctx, const TableFacts &table, int location,
							   const std::string &why)
{
	ctx.Report("insert-without-tenant", location,
			   "INSERT into tenant table " + table.name + " " + why);
}

} // namespace tlint
