// hard-coded-tenant: the tenant column equated with a literal. The reference
// counts as constrained (the query cannot leak), but a literal tenant is
// almost always a test leftover or a query meant for one customer.
#include "rules/rules.h"

namespace tlint {

void ReportHardCodedTenant(const RuleContext &ctx, const TableFacts &table, int location,
						   bool inserted)
{
	ctx.Report("hard-coded-tenant", location,
			   "tenant column " + table.tenant_column + " of " + table.name +
				   (inserted ? " is inserted as a literal" : " is compared with a literal") +
				   "; pass the current tenant instead");
}

} // namespace tlint
