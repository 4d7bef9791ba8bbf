/*
 * guc.h — every tenant_guard setting. Defined in guc.cpp (the tenant setting
 * itself in tenant/tenant_setting.cpp), documented in docs/settings.md.
 */
#pragma once

extern "C" {
extern char *tg_tenant_setting;	 /* name of the setting that holds the tenant */
extern int tg_tenant_type;		 /* TenantType accepted at SET time, or -1 for any */
extern bool tg_guard_enabled;	 /* the executor guard */
extern char *tg_exempt_roles;	 /* roles that may work without a tenant */
extern bool tg_exempt_superusers;
extern int tg_session_tenant;	 /* SessionTenantMode */
extern bool tg_require_signed;	 /* only tenant_guard.set_tenant(token) sets the tenant */
extern int tg_unique_without_tenant; /* UniqueWithoutTenantMode, for protect() */
extern char *tg_signing_keys_file; /* file of key_id:base64_secret lines (tenant/signing_keys.h) */
extern int tg_token_max_lifetime;	 /* seconds a signed token may live, at most */
extern int tg_token_ledger_size;	 /* tokens the single-use ledger holds (tenant/token_ledger.h) */
extern bool tg_protect_new_tables_on; /* protect new tables in protected schemas at creation */
extern int tg_audit_seal_interval; /* ms between audit sealing passes */
extern int tg_audit_seal_deadline; /* ms before verify_audit() reports an unsealed event */
}

namespace tg {

enum SessionTenantMode { kSessionTenantRefuse = 0, kSessionTenantReset = 1 };
enum UniqueWithoutTenantMode { kUniqueWithoutTenantWarning = 0, kUniqueWithoutTenantError = 1 };

/* Defines the settings and reserves the "tenant_guard" prefix. */
void InitSettings();

} // namespace tg
