/*
 * hooks.h — the session guard: executor and utility hooks that refuse work
 * on protected tables without a tenant, and session-level tenant settings.
 */
#pragma once

namespace tg {

/* Installs the hooks once; called from _PG_init when preloaded. */
void InitGuardHooks();

} // namespace tg
