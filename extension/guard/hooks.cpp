/*
 * hooks.cpp — where the session guard meets PostgreSQL.
 *
 * ExecutorCheckPerms_hook sees the range table of every statement that the
 * executor runs, COPY included, after views are expanded and with every
 * partition listed, so a statement reaching a protected table through a view,
 * a function or a partition is caught before it reads anything. It costs one
 * pointer check when a tenant is set; only without one does it look at the
 * relations.
 *
 * ProcessUtility_hook refuses SET of the tenant without LOCAL, and TRUNCATE of
 * protected tables (row-level security does not apply to TRUNCATE).
 *
 * Both hooks keep the predecessor and always call it (or the standard
 * function). The C++ checks run through InvokeCpp before the call, so the
 * call itself is made from a frame that owns no C++ object.
 */
#include "guard/hooks.h"

#include "boundary/pg_boundary.h"
#include "boundary/sql_text.h"
#include "guard/drift_guard.h"
#include "guard/exemption.h"
#include "guard/protected_relations.h"
#include "tenant/tenant_setting.h"
#include "guc.h"
#include "boundary/internal_ddl.h"

extern "C" {
#include "access/parallel.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
}

namespace tg {

namespace {

ExecutorCheckPerms_hook_type prev_check_perms_hook = nullptr;
ProcessUtility_hook_type prev_process_utility_hook = nullptr;

/* The first protected relation in a range table, or InvalidOid. */
Oid FirstProtectedRelation(List *range_table)
{
	ListCell *lc;
	foreach (lc, range_table) {
		auto *rte = static_cast<RangeTblEntry *>(lfirst(lc));
		if (rte->rtekind != RTE_RELATION)
			continue;
		Oid const relid = rte->relid;
		if (PgCall(IsProtectedRelation, relid))
			return relid;
	}
	return InvalidOid;
}

bool GuardApplies()
{
	/* The leader checked already; our own DDL runs without a tenant on purpose. */
	return tg_guard_enabled && !IsParallelWorker() && !InternalDdlActive();
}

/* Returns false (no error) only when ereport_on_violation is false. */
bool GuardRangeTable(List *range_table, bool ereport_on_violation)
{
	if (!GuardApplies())
		return true;
	TenantReading const tenant = ReadTenant();
	if (UsableTenant(tenant) != nullptr)
		return true;
	Oid const relid = FirstProtectedRelation(range_table);
	if (relid == InvalidOid || PgCall(CurrentRoleIsExemptNoError))
		return true;
	if (!ereport_on_violation)
		return false;
	ThrowUnusableTenant(tenant, relid);
}

bool IsTenantSetting(const char *name)
{
	return name != nullptr && pg_strcasecmp(name, tg_tenant_setting) == 0;
}

void CheckVariableSet(VariableSetStmt *stmt)
{
	if (!IsTenantSetting(stmt->name) || stmt->is_local)
		return;
	if (stmt->kind != VAR_SET_VALUE && stmt->kind != VAR_SET_CURRENT)
		return;
	if (tg_session_tenant != kSessionTenantRefuse || PgCall(CurrentRoleIsExemptNoError))
		return;
	std::string const name = tg_tenant_setting;
	throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				"SET " + name + " without LOCAL is refused",
				"A tenant set for the session would stay on a pooled server connection and reach "
				"the next client's transactions (tenant_guard.session_tenant = refuse).",
				"Use SET LOCAL " + name + " = ... inside the transaction, or set_config('" + name +
					"', $1, true).");
}

void CheckTruncate(TruncateStmt *stmt)
{
	if (!GuardApplies())
		return;
	ListCell *lc;
	foreach (lc, stmt->relations) {
		auto *rv = static_cast<RangeVar *>(lfirst(lc));
		Oid const relid = PgCall(RangeVarGetRelidExtended, rv, NoLock, RVR_MISSING_OK,
								 static_cast<RangeVarGetRelidCallback>(nullptr),
								 static_cast<void *>(nullptr));
		if (relid == InvalidOid || !PgCall(IsProtectedRelation, relid))
			continue;
		if (PgCall(CurrentRoleIsExemptNoError))
			return;
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					"TRUNCATE of protected table " + RelationDisplayName(relid) + " is refused",
					"TRUNCATE removes every tenant's rows; row-level security does not apply to it.",
					"DELETE the current tenant's rows instead, or run it as a role listed in "
					"tenant_guard.exempt_roles.");
	}
}

void CheckUtility(PlannedStmt *pstmt)
{
	Node *stmt = pstmt->utilityStmt;
	if (stmt == nullptr)
		return;
	if (IsA(stmt, VariableSetStmt))
		CheckVariableSet(reinterpret_cast<VariableSetStmt *>(stmt));
	else if (IsA(stmt, TruncateStmt))
		CheckTruncate(reinterpret_cast<TruncateStmt *>(stmt));
}

} // namespace
} // namespace tg

extern "C" {

static bool tg_executor_check_perms(List *range_table, bool ereport_on_violation)
{
	if (!tg::InvokeCpp(tg::GuardRangeTable, range_table, ereport_on_violation))
		return false;
	return tg::prev_check_perms_hook == nullptr ||
		   tg::prev_check_perms_hook(range_table, ereport_on_violation);
}

static void tg_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
							   ProcessUtilityContext context, ParamListInfo params,
							   QueryEnvironment *query_env, DestReceiver *dest,
							   QueryCompletion *qc)
{
	tg::InvokeCpp(tg::CheckUtility, pstmt);
	tg::CheckDriftBeforeUtility(pstmt);
	if (tg::prev_process_utility_hook != nullptr)
		tg::prev_process_utility_hook(pstmt, query_string, read_only_tree, context, params,
									  query_env, dest, qc);
	else
		standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env,
								dest, qc);
}
}

namespace tg {

void InitGuardHooks()
{
	static bool installed = false;
	if (installed)
		return;
	installed = true;
	prev_check_perms_hook = ExecutorCheckPerms_hook;
	ExecutorCheckPerms_hook = tg_executor_check_perms;
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = tg_process_utility;
}

} // namespace tg
