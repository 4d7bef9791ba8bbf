// missing-tenant-predicate: a tenant table reference that no conjunct ties to
// the current tenant. The analyzer (analysis/constraint_solver.cpp) decides
// which references are constrained and why not; this file words the finding.
#include "rules/rules.h"

namespace tlint {

void ReportMissingTenantPredicate(const RuleContext &ctx, const TableFacts &table,
								  const std::string &written_name, int location, const char *verb,
								  const std::string &reason)
{
	/* Appended into one buffer: a findings-heavy file builds this message for every third statement. */
	std::string message;
	message.reserve(64 + written_name.size() + table.tenant_column.size() + reason.size());
	message.append("query ").append(verb).append(" tenant table ").append(written_name);
	message.append(" without a tenant predicate on ").append(table.tenant_column);
	if (!reason.empty())
		message.append(" (").append(reason).append(")");
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
	if (rv->schemaname == nullptr)
		return rv->relname;
	return std::string(rv->schemaname) + "." + rv->relname;
}

} // namespace tlint
