/*
 * row_escapes.h — the ways rows of a protected table could outlive the
 * statement that read them, or leak what the policies filtered out, even
 * with a valid tenant set:
 *
 *   - a holdable cursor (DECLARE ... WITH HOLD, or a PL/pgSQL FOR loop that
 *     COMMITs inside a procedure) keeps its rows after COMMIT, where the next
 *     transaction — on a pooled connection another client's — reads them
 *     with no tenant of its own;
 *   - EXPLAIN ANALYZE counts the rows the policies removed ("Rows Removed by
 *     Filter"), which tells one tenant how many rows the others have.
 *
 * Non-exempt roles may not read protected tables in either situation.
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "executor/execdesc.h"
}

namespace tg {

enum class RowEscape { None, HoldableCursor, ExplainAnalyze };

/* What the statement now being checked would let escape (allocation-free). */
RowEscape CurrentRowEscape();

/* Whether the executor is about to run this query to fill a holdable cursor's store at COMMIT. */
bool IsPersistingHoldableCursor(QueryDesc *query);

/* Depth counters, raised around EXPLAIN ANALYZE and around persisting a cursor. */
void EnterExplainAnalyze();
void LeaveExplainAnalyze();
void EnterCursorPersist();
void LeaveCursorPersist();

/* The refusal for a protected relation read in that situation. */
[[noreturn]] void ThrowRowEscape(RowEscape escape, Oid relid);

} // namespace tg
