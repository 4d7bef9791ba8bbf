// rules.h — one function per rule, each defined in rules/<rule_id>.cpp.
// The analyzer decides where a rule applies; the rule says what is wrong.
#pragma once

#include <string>

#include "parse/pg_nodes.h"
#include "rules/rule_context.h"

namespace tlint {

/* missing-tenant-predicate */
void ReportMissingTenantPredicate(const RuleContext &ctx, const TableFacts &table,
								  const std::string &written_name, int location, const char *verb,
								  const std::string &reason);
/* hard-coded-tenant */
/* inserted: the literal is the value an INSERT gives the column, not a comparison. */
void ReportHardCodedTenant(const RuleContext &ctx, const TableFacts &table, int location,
						   bool inserted = false);
/* insert-without-tenant */
void ReportInsertWithoutTenant(const RuleContext &ctx, const TableFacts &table, int location,
							   const std::string &why);
/* upsert-crosses-tenants */
void CheckUpsert(const RuleContext &ctx, const TableFacts &table, const std::string &alias,
				 OnConflictClause *clause);
/* truncate-tenant-table */
void CheckTruncate(const RuleContext &ctx, TruncateStmt *stmt);
/* copy-tenant-table */
void CheckCopy(const RuleContext &ctx, CopyStmt *stmt);
/* unprotected-tenant-table */
void CheckCreateTable(const RuleContext &ctx, CreateStmt *stmt);
/* rls-disabled */
void CheckAlterTable(const RuleContext &ctx, AlterTableStmt *stmt);
/* session-tenant-setting */
void CheckVariableSet(const RuleContext &ctx, VariableSetStmt *stmt);
void CheckSetConfigCall(const RuleContext &ctx, FuncCall *call);

/* The table a RangeVar names, if it is a tenant table. */
const TableFacts *TenantTableOf(const RuleContext &ctx, RangeVar *rv);
/* The name as written: schema.table or table. */
std::string WrittenName(RangeVar *rv);

} // namespace tlint
