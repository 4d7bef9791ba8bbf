#include "guard/row_escapes.h"

#include "boundary/pg_boundary.h"
#include "boundary/sql_text.h"

extern "C" {
#include "tcop/pquery.h"
#include "utils/portal.h"
}

namespace tg {

namespace {

/*
 * Raised and lowered by the hooks around the call they guard; the hooks
 * lower them on ERROR too (CallWithCleanup), so an error caught by a
 * PL/pgSQL EXCEPTION block leaves no count behind.
 */
int explain_analyze_depth = 0;
int cursor_persist_depth = 0;

bool HoldableCursorRunning()
{
	return ActivePortal != nullptr && (ActivePortal->cursorOptions & CURSOR_OPT_HOLD) != 0;
}

} // namespace

RowEscape CurrentRowEscape()
{
	if (cursor_persist_depth > 0 || HoldableCursorRunning())
		return RowEscape::HoldableCursor;
	if (explain_analyze_depth > 0)
		return RowEscape::ExplainAnalyze;
	return RowEscape::None;
}

/*
 * PersistHoldablePortal (at COMMIT, or when a procedure COMMITs inside a FOR
 * loop) creates the portal's hold store and then runs the portal's own query
 * into it with the portal active: nothing else matches all three.
 */
bool IsPersistingHoldableCursor(QueryDesc *query)
{
	return ActivePortal != nullptr && ActivePortal->holdStore != nullptr &&
		   ActivePortal->queryDesc == query;
}

void EnterExplainAnalyze() { explain_analyze_depth++; }
void LeaveExplainAnalyze() { explain_analyze_depth--; }
void EnterCursorPersist() { cursor_persist_depth++; }
void LeaveCursorPersist() { cursor_persist_depth--; }

void ThrowRowEscape(RowEscape escape, Oid relid)
{
	std::string const table = RelationDisplayName(relid);
	if (escape == RowEscape::ExplainAnalyze)
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					"EXPLAIN ANALYZE of protected table " + table + " is refused",
					"Its row counts include the rows that row-level security removed, so they "
					"reveal how many rows other tenants have.",
					"Use EXPLAIN without ANALYZE, or run it as a role listed in "
					"tenant_guard.exempt_roles.");
	throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				"holdable cursor over protected table " + table + " is refused",
				"A cursor WITH HOLD, or a loop that commits inside a procedure, keeps its rows "
				"after COMMIT, where a later transaction with no tenant of its own (on a pooled "
				"connection, another client's) could read them.",
				"Declare the cursor without WITH HOLD and fetch inside the transaction, or "
				"collect the rows before the COMMIT.");
}

} // namespace tg
