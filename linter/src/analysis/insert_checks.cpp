#include "analysis/insert_checks.h"

#include "rules/rules.h"

namespace tlint {

namespace {

constexpr int kNotSet = -1;
constexpr int kUnknown = -2; /* no column list and no CREATE TABLE seen */

int TenantColumnIndex(InsertStmt *stmt, const TableFacts &table)
{
	if (stmt->cols != nullptr) {
		int i = 0;
		ListCell *lc;
		foreach (lc, stmt->cols) {
			auto *target = static_cast<ResTarget *>(lfirst(lc));
			if (target->name != nullptr && table.tenant_column == target->name)
				return i;
			i++;
		}
		return kNotSet;
	}
	if (!table.columns_complete)
		return kUnknown;
	for (size_t i = 0; i < table.columns.size(); i++)
		if (table.columns[i] == table.tenant_column)
			return static_cast<int>(i);
	return kNotSet;
}

int ExprLocation(Node *node, int fallback)
{
	if (node == nullptr)
		return fallback;
	int const loc = exprLocation(node);
	return loc >= 0 ? loc : fallback;
}

/* One row's tenant value; valued_source: INSERT ... SELECT's output column equals the tenant. */
bool CheckInsertedValue(const RuleContext &ctx, const ValueJudge &values, const TableFacts &table,
						Node *value, bool valued_source, int fallback_location)
{
	if (value != nullptr && IsA(value, SetToDefault)) {
		if (table.is_protected)
			return true;
		ReportInsertWithoutTenant(ctx, table, fallback_location,
								  "leaves tenant column " + table.tenant_column +
									  " to its DEFAULT, and the table is not protected");
		return false;
	}
	ValueKind const kind = values.Of(value);
	if (kind == ValueKind::Literal) {
		ReportHardCodedTenant(ctx, table, ExprLocation(value, fallback_location), true);
		return false;
	}
	if (kind == ValueKind::Tenant || valued_source)
		return true;
	ReportInsertWithoutTenant(ctx, table, ExprLocation(value, fallback_location),
							  "sets tenant column " + table.tenant_column +
								  " to a value that is not the current tenant");
	return false;
}

} // namespace

bool CheckInsertedTenant(const RuleContext &ctx, const ValueJudge &values, InsertStmt *stmt,
						 const TableFacts &table, SelectStmt *select, const QuerySummary *source)
{
	int const index = TenantColumnIndex(stmt, table);
	int const at = stmt->relation->location;
	if (index == kUnknown)
		return false;
	if (index == kNotSet) {
		if (table.is_protected)
			return true; /* the DEFAULT protect() installs is the current tenant */
		ReportInsertWithoutTenant(ctx, table, at, "does not set tenant column " + table.tenant_column);
		return false;
	}
	if (select == nullptr)
		return table.is_protected; /* DEFAULT VALUES */
	if (select->valuesLists != nullptr) {
		bool all = true;
		ListCell *row;
		foreach (row, select->valuesLists) {
			auto *row_values = static_cast<List *>(lfirst(row));
			if (index < list_length(row_values))
				all = CheckInsertedValue(ctx, values, table,
										 static_cast<Node *>(list_nth(row_values, index)), false, at) &&
					  all;
		}
		return all;
	}
	bool const valued = source != nullptr && static_cast<size_t>(index) < source->outputs.size() &&
						source->outputs[index].valued;
	if (select->op == SETOP_NONE && index < list_length(select->targetList)) {
		auto *target = static_cast<ResTarget *>(list_nth(select->targetList, index));
		return CheckInsertedValue(ctx, values, table, target->val, valued, at);
	}
	return valued;
}

} // namespace tlint
