#include "guc.h"

extern "C" {
#include "postgres.h"
#include "utils/guc.h"
}

extern "C" {
/* The session setting that holds the current tenant. */
char *tg_tenant_setting = nullptr;
}

namespace tg {

static bool loaded_at_startup = false;

bool LoadedAtStartup() { return loaded_at_startup; }
void MarkLoadedAtStartup() { loaded_at_startup = true; }

void InitSettings()
{
	/*
	 * PGC_POSTMASTER: generated policies and column defaults name the current
	 * tenant function, not the setting, so the setting may be renamed, but only
	 * for the whole server at once.
	 */
	DefineCustomStringVariable(
		"tenant_guard.tenant_setting",
		gettext_noop("Name of the session setting that holds the current tenant."),
		gettext_noop("Applications set it per transaction with SET LOCAL or set_config(..., true)."),
		&tg_tenant_setting, "app.tenant_id", PGC_POSTMASTER, GUC_NOT_IN_SAMPLE, nullptr, nullptr,
		nullptr);

	MarkGUCPrefixReserved("tenant_guard");
}

} // namespace tg
