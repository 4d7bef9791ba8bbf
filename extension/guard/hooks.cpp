/*
 * hooks.cpp — where the session guard meets PostgreSQL.
 *
 * ExecutorCheckPerms_hook sees the range table of every statement that the
 * executor runs, COPY included, after views are expanded and with every
 * partition listed, so a statement reaching a protected table through a view,
 * a function or a partition is caught before it reads anything. It costs one
 * pointer check when a tenant is set and no row can escape the statement
 * (guard/row_escapes.h); only otherwise does it look at the relations. It
 * runs in parallel workers too, which judge by their leader's verdict.
 *
 * ExecutorStart_hook publishes that verdict before a parallel plan starts;
 * ExecutorRun_hook marks a holdable cursor being filled at COMMIT.
 *
 * ProcessUtility_hook refuses SET of the tenant without LOCAL, TRUNCATE of
 * protected tables (row-level security does not apply to TRUNCATE), marks
 * EXPLAIN ANALYZE, and afterwards refuses temporary relations that shadow a
 * protected table (guard/temp_shadow.h).
 *
 * Every hook keeps its predecessor and always calls it (or the standard
 * function). The C++ checks run through InvokeCpp before or after the call,
 * so the call itself is made from a frame that owns no C++ object.
 */
#include "guard/hooks.h"

#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/sql_text.h"
#include "boundary/utility_call.h"
#include "guard/drift_guard.h"
#include "guard/protected_relations.h"
#include "guard/row_escapes.h"
#include "guard/temp_shadow.h"
#include "guc.h"
#include "tenant/exemption.h"
#include "tenant/tenant_setting.h"

extern "C" {
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
}

namespace tg {

namespace {

ExecutorCheckPerms_hook_type prev_check_perms_hook = nullptr;
ExecutorStart_hook_type prev_executor_start_hook = nullptr;
ExecutorRun_hook_type prev_executor_run_hook = nullptr;
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
	/* Our own DDL runs without a tenant on purpose. */
	return tg_guard_enabled && !InternalDdlActive();
}

/* Returns false (no error) only when ereport_on_violation is false. */
bool GuardRangeTable(List *range_table, bool ereport_on_violation)
{
	if (!GuardApplies())
		return true;
	TenantReading const tenant = ReadTenant();
	bool const tenant_usable = UsableTenant(tenant) != nullptr;
	RowEscape const escape = CurrentRowEscape();
	if (tenant_usable && escape == RowEscape::None)
		return true;
	Oid const relid = FirstProtectedRelation(range_table);
	if (relid == InvalidOid || PgCall(CurrentRoleIsExempt))
		return true;
	if (!ereport_on_violation)
		return false;
	if (!tenant_usable)
		ThrowUnusableTenant(tenant, relid);
	ThrowRowEscape(escape, relid);
}

/* At COMMIT a holdable cursor's query runs to the end: its relations are checked again. */
void GuardCursorPersist(QueryDesc *query) { GuardRangeTable(query->plannedstmt->rtable, true); }

void PublishVerdictIfParallel(QueryDesc *query)
{
	if (query->plannedstmt->parallelModeNeeded)
		PublishTenantForWorkers();
}

/* EXPLAIN (ANALYZE) or EXPLAIN (ANALYZE true/on/1): the statement really runs. */
bool IsExplainAnalyze(Node *stmt)
{
	if (stmt == nullptr || !IsA(stmt, ExplainStmt))
		return false;
	ListCell *lc;
	foreach (lc, reinterpret_cast<ExplainStmt *>(stmt)->options) {
		auto *opt = static_cast<DefElem *>(lfirst(lc));
		if (strcmp(opt->defname, "analyze") == 0)
			return PgCall(defGetBoolean, opt);
	}
	return false;
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
	if (tg_session_tenant != kSessionTenantRefuse || PgCall(CurrentRoleIsExempt))
		return;
	std::string const name = tg_tenant_setting;
	throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				"SET " + name + " without LOCAL is refused",
				"A tenant set for the session would stay on a pooled server connection and reach "
				"the next client's transactions (tenant_guard.session_tenant = refuse).",
				"Use SET LOCAL " + name + " = ... inside the transaction, or set_config('" + name +
					"', $1, true).");
}

/*
 * Every relation the TRUNCATE would empty: those it names, their partitions
 * and inheritance children (unless ONLY), and with CASCADE every table whose
 * foreign keys reach them, transitively. Plain C frame: lists and catalog
 * lookups only.
 */
List *TruncatedRelations(TruncateStmt *stmt)
{
	List *relids = NIL;
	ListCell *lc;
	foreach (lc, stmt->relations) {
		auto *rv = static_cast<RangeVar *>(lfirst(lc));
		Oid const relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, nullptr, nullptr);
		if (!OidIsValid(relid))
			continue;
		relids = rv->inh ? list_concat_unique_oid(relids, find_all_inheritors(relid, NoLock, nullptr))
						 : list_append_unique_oid(relids, relid);
	}
	if (stmt->behavior != DROP_CASCADE)
		return relids;
	for (;;) {
		List *referencing = heap_truncate_find_FKs(relids);
		int const before = list_length(relids);
		relids = list_concat_unique_oid(relids, referencing);
		if (list_length(relids) == before)
			return relids;
	}
}

Oid FirstProtectedTruncated(TruncateStmt *stmt)
{
	ListCell *lc;
	foreach (lc, TruncatedRelations(stmt))
		if (IsProtectedRelation(lfirst_oid(lc)))
			return lfirst_oid(lc);
	return InvalidOid;
}

void CheckTruncate(TruncateStmt *stmt)
{
	if (!GuardApplies())
		return;
	Oid const relid = PgCall(FirstProtectedTruncated, stmt);
	if (relid == InvalidOid || PgCall(CurrentRoleIsExempt))
		return;
	throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				"TRUNCATE of protected table " + RelationDisplayName(relid) + " is refused",
				"TRUNCATE removes every tenant's rows (also of tables it reaches through partitions, "
				"inheritance or CASCADE); row-level security does not apply to it.",
				"DELETE the current tenant's rows instead, or run it as a role listed in "
				"tenant_guard.exempt_roles.");
}

/* Before the statement runs; returns whether it is an EXPLAIN ANALYZE. */
bool CheckUtility(PlannedStmt *pstmt)
{
	Node *stmt = pstmt->utilityStmt;
	if (stmt == nullptr)
		return false;
	if (IsA(stmt, VariableSetStmt))
		CheckVariableSet(reinterpret_cast<VariableSetStmt *>(stmt));
	else if (IsA(stmt, TruncateStmt))
		CheckTruncate(reinterpret_cast<TruncateStmt *>(stmt));
	return IsExplainAnalyze(stmt);
}

/* After the statement ran, before its transaction can commit. */
void CheckUtilityResult(PlannedStmt *pstmt)
{
	if (GuardApplies() && pstmt->utilityStmt != nullptr)
		CheckTempShadowing(pstmt->utilityStmt);
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

static void tg_executor_start(QueryDesc *query, int eflags)
{
	tg::InvokeCpp(tg::PublishVerdictIfParallel, query);
	if (tg::prev_executor_start_hook != nullptr)
		tg::prev_executor_start_hook(query, eflags);
	else
		standard_ExecutorStart(query, eflags);
}

struct ExecutorRunCall {
	QueryDesc *query;
	ScanDirection direction;
	uint64 count;
	bool execute_once;
};

static void tg_call_executor_run(void *arg)
{
	auto *call = static_cast<ExecutorRunCall *>(arg);
	if (tg::prev_executor_run_hook != nullptr)
		tg::prev_executor_run_hook(call->query, call->direction, call->count, call->execute_once);
	else
		standard_ExecutorRun(call->query, call->direction, call->count, call->execute_once);
}

static void tg_guard_and_persist(void *arg)
{
	tg::InvokeCpp(tg::GuardCursorPersist, static_cast<ExecutorRunCall *>(arg)->query);
	tg_call_executor_run(arg);
}

static void tg_leave_cursor_persist(void *) { tg::LeaveCursorPersist(); }

static void tg_executor_run(QueryDesc *query, ScanDirection direction, uint64 count,
							bool execute_once)
{
	ExecutorRunCall call{query, direction, count, execute_once};
	if (!tg::IsPersistingHoldableCursor(query)) {
		tg_call_executor_run(&call);
		return;
	}
	/* Every query the persisting one runs (functions included) is checked as a cursor's. */
	tg::EnterCursorPersist();
	tg::CallWithCleanup(tg_guard_and_persist, tg_leave_cursor_persist, &call);
}

static void tg_leave_explain_analyze(void *) { tg::LeaveExplainAnalyze(); }

static void tg_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
							   ProcessUtilityContext context, ParamListInfo params,
							   QueryEnvironment *query_env, DestReceiver *dest,
							   QueryCompletion *qc)
{
	tg::UtilityCall call{tg::prev_process_utility_hook, pstmt, query_string, read_only_tree, context,
						 params, query_env, dest, qc};
	bool const explain_analyze = tg::InvokeCpp(tg::CheckUtility, pstmt);
	tg::CheckDriftBeforeUtility(pstmt);
	if (explain_analyze) {
		tg::EnterExplainAnalyze();
		tg::CallWithCleanup(tg::CallNextUtility, tg_leave_explain_analyze, &call);
	} else {
		tg::CallNextUtility(&call);
	}
	tg::InvokeCpp(tg::CheckUtilityResult, pstmt);
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
	prev_executor_start_hook = ExecutorStart_hook;
	ExecutorStart_hook = tg_executor_start;
	prev_executor_run_hook = ExecutorRun_hook;
	ExecutorRun_hook = tg_executor_run;
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = tg_process_utility;
}

} // namespace tg
