/*
 * tenant_guard.cpp — library entry: _PG_init refuses to load the library in
 * any way but shared_preload_libraries, then initialises each subsystem.
 */
#include "boundary/pg_boundary.h"
#include "guard/hooks.h"
#include "guc.h"
#include "tenant/token_ledger.h"

extern "C" {
#include "miscadmin.h"
}

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);

/*
 * Runs once per process that loads the library. Preloaded, that is the
 * postmaster, and every backend inherits the guard from its first statement.
 * Loaded later (CREATE EXTENSION, LOAD, the first call of a function) it
 * could not define its PGC_POSTMASTER settings, and a guard that starts in
 * the middle of a session guards nothing it should: refuse with an ERROR, so
 * the session survives and the hint says what to change. This frame owns no
 * C++ object, so ereport may leave it.
 */
void _PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("tenant_guard must be loaded through shared_preload_libraries"),
				 errdetail("The session guard has to be in place before a session's first statement."),
				 errhint("Add tenant_guard to shared_preload_libraries in postgresql.conf and restart the server.")));
	tg::InitSettings();
	tg::InitGuardHooks();
	tg::InitTokenLedger();
}
}
