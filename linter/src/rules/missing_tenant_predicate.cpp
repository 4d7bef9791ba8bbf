// missing-tenant-predicate: a tenant table reference that no conjunct ties to
// the current tenant. The analyzer (analysis/constraint_solver.cpp) decides
// which references are constrained and why not; this file words the finding.
#include "rules/rules.h"

namespace tlint {

void ReportMissingTenantPredicate(const RuleContext &ctx, const TableFacts &table,
								  const std::string &written_name, int location, const char *verb,
								  const std::string &reason)
{
	std::string message = std::string("query ") + verb + " tenant table " + written_name +
						  " without a tenant predicate on " + table.tenant_column;
	if (!reason.empty())
		message += " (" + reason + ")";
	bool const downgrade = ctx.options.trust_rls && (table.is_protected || table.rls_protected);
	ctx.Report("missing-tenant-predicate", location, std::move(message), downgrade);
}

const TableFacts *TenantTableOf(const RuleContext &ctx, RangeVar *rv)
{
	std::string const schema = rv->schemaname != nullptr ? rv->schemaname : "";
	return ctx.model.ResolveTenantTable(schema, rv->relname);
}

std::string WrittenName(RangeVar *rv)
{
	std::string name = rv->schemaname != nullptr ? std::string(rv->schemaname) + "." : "";
	return name + rv->relname;
}

} // namespace tlint
