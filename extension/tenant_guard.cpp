/*
 * tenant_guard.cpp — library entry: _PG_init only initialises each subsystem.
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
 * Runs once per process that loads the library: the postmaster when preloaded
 * (children inherit it), otherwise the first backend that calls a function.
 * Functions work either way, but only preloading guards every session from
 * its first statement; tenant_guard.check() reports a missing preload.
 */
void _PG_init(void)
{
	if (process_shared_preload_libraries_in_progress)
		tg::MarkLoadedAtStartup();
	tg::InitSettings();
	tg::InitGuardHooks();
	tg::InitTokenLedger();
}
}
