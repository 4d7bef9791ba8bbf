// upsert-crosses-tenants: INSERT ... ON CONFLICT DO UPDATE whose conflict can
// be with another tenant's row, which the DO UPDATE then overwrites.
#include "analysis/node_utils.h"
#include "rules/rules.h"

namespace tlint {

namespace {

bool IsTenantColumn(Node *node, const TableFacts &table, const std::string &alias,
					bool allow_excluded, bool *is_excluded)
{
	if (node == nullptr || !IsA(node, ColumnRef))
		return false;
	List *fields = reinterpret_cast<ColumnRef *>(node)->fields;
	if (LastName(fields) != table.tenant_column)
		return false;
	if (list_length(fields) == 1)
		return true;
	std::string const qualifier = SchemaOfName(fields);
	if (allow_excluded && qualifier == "excluded") {
		*is_excluded = true;
		return true;
	}
	return qualifier == alias || qualifier == table.name;
}

/* DO UPDATE ... WHERE t.tenant_id = EXCLUDED.tenant_id */
bool WhereKeepsTenant(Node *where, const TableFacts &table, const std::string &alias)
{
	std::vector<Node *> conjuncts;
	Conjuncts(where, conjuncts);
	for (Node *c : conjuncts) {
		if (!IsA(c, A_Expr))
			continue;
		auto *e = reinterpret_cast<A_Expr *>(c);
		if (e->kind != AEXPR_OP || LastName(e->name) != "=")
			continue;
		bool left_excluded = false;
		bool right_excluded = false;
		if (IsTenantColumn(e->lexpr, table, alias, true, &left_excluded) &&
			IsTenantColumn(e->rexpr, table, alias, true, &right_excluded) &&
			left_excluded != right_excluded)
			return true;
	}
	return false;
}

} // namespace

void CheckUpsert(const RuleContext &ctx, const TableFacts &table, const std::string &alias,
				 OnConflictClause *clause)
{
	if (clause == nullptr || clause->action != ONCONFLICT_UPDATE)
		return;
	InferClause *infer = clause->infer;
	if (infer != nullptr && infer->conname != nullptr)
		return; /* ON CONSTRAINT name: its columns are not in the statement */
	if (infer != nullptr) {
		ListCell *lc;
		foreach (lc, infer->indexElems) {
			auto *elem = static_cast<IndexElem *>(lfirst(lc));
			if (elem->name != nullptr && table.tenant_column == elem->name)
				return;
		}
	}
	if (WhereKeepsTenant(clause->whereClause, table, alias))
		return;
	ctx.Report("upsert-crosses-tenants", clause->location,
			   "ON CONFLICT DO UPDATE on tenant table " + table.name +
				   " can overwrite another tenant's row: the conflict target lacks " +
				   table.tenant_column);
}

} // namespace tlint
