/*
 * guc.h — every tenant_guard setting. Defined in guc.cpp, documented in
 * docs/settings.md.
 */
#pragma once

extern "C" {
extern char *tg_tenant_setting;
}

namespace tg {

/* Defines the settings and reserves the "tenant_guard" prefix. */
void InitSettings();

/* True when the library was loaded by shared_preload_libraries. */
bool LoadedAtStartup();
void MarkLoadedAtStartup();

} // namespace tg
