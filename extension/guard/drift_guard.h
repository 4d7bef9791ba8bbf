/*
 * drift_guard.h — refuses DDL that weakens a protected table (docs/drift.md).
 *
 * Before each utility statement (from the ProcessUtility hook) it refuses
 * what cannot be judged afterwards — DROP EXTENSION while tables are
 * protected, dropping tenant_guard's triggers, disabling its event triggers —
 * and notes, for each protected table the statement names, what is already
 * wrong with it (tenant_guard._table_drift). At the end of the command the
 * ddl_command_end event trigger tenant_guard.refuse_drift() looks again and
 * refuses anything new, unless tenant_guard.allow_drift() was called for the
 * table in this transaction; then it records the weakening in
 * tenant_guard.drift_log. tenant_guard's own statements (InternalDdlScope)
 * pass, so protect() may drop and recreate its policies.
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "nodes/plannodes.h"
}

namespace tg {

/* Raises a PostgreSQL ERROR to refuse the statement; never throws. */
void CheckDriftBeforeUtility(PlannedStmt *pstmt);

} // namespace tg
