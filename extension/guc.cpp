#include "guc.h"

extern "C" {
#include "postgres.h"
#include "utils/guc.h"
}

#include "tenant/tenant_setting.h"
#include "common/tenant_value.h"

extern "C" {
char *tg_tenant_setting = nullptr;
int tg_tenant_type = -1;
bool tg_guard_enabled = true;
char *tg_exempt_roles = nullptr;
bool tg_exempt_superusers = true;
int tg_session_tenant = tg::kSessionTenantRefuse;
bool tg_require_signed = false;
char *tg_signing_keys = nullptr;
bool tg_protect_new_tables_on = false;
}

namespace tg {

static const struct config_enum_entry tenant_type_options[] = {
	{"any", -1, false},	   {"text", static_cast<int>(TenantType::Text), false},
	{"uuid", static_cast<int>(TenantType::Uuid), false},
	{"bigint", static_cast<int>(TenantType::Bigint), false},
	{"integer", static_cast<int>(TenantType::Integer), false},
	{nullptr, 0, false}};

static const struct config_enum_entry session_tenant_options[] = {
	{"refuse", kSessionTenantRefuse, false}, {"reset", kSessionTenantReset, false}, {nullptr, 0, false}};

void InitSettings()
{
	/*
	 * PGC_POSTMASTER: the library defines the setting under this name at
	 * load time, and policies read it through tenant_guard functions, so the
	 * name can change only for the whole server at once.
	 */
	DefineCustomStringVariable(
		"tenant_guard.tenant_setting",
		gettext_noop("Name of the session setting that holds the current tenant."),
		gettext_noop("Applications set it per transaction with SET LOCAL or set_config(..., true)."),
		&tg_tenant_setting, "app.tenant_id", PGC_POSTMASTER, GUC_NOT_IN_SAMPLE, nullptr, nullptr,
		nullptr);

	/* PGC_SIGHUP: one format for the whole server, checked when the tenant is SET. */
	DefineCustomEnumVariable(
		"tenant_guard.tenant_type",
		gettext_noop("Which values the tenant setting accepts: any, text, uuid, bigint or integer."),
		nullptr, &tg_tenant_type, -1, tenant_type_options, PGC_SIGHUP, GUC_NOT_IN_SAMPLE, nullptr,
		nullptr, nullptr);

	/* Security switches are PGC_SUSET: only superusers may loosen them for a session. */
	DefineCustomBoolVariable(
		"tenant_guard.guard",
		gettext_noop("Refuse statements on protected tables when no tenant is set."), nullptr,
		&tg_guard_enabled, true, PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	DefineCustomStringVariable(
		"tenant_guard.exempt_roles",
		gettext_noop("Roles (and their members) that may work without a tenant."),
		gettext_noop("For migrations, replication and maintenance; row-level security still "
					 "applies to them unless they have BYPASSRLS."),
		&tg_exempt_roles, "", PGC_SUSET, GUC_LIST_INPUT | GUC_NOT_IN_SAMPLE, nullptr, nullptr,
		nullptr);

	DefineCustomBoolVariable(
		"tenant_guard.exempt_superusers",
		gettext_noop("Superusers may work without a tenant."), nullptr, &tg_exempt_superusers,
		true, PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	DefineCustomEnumVariable(
		"tenant_guard.session_tenant",
		gettext_noop("What happens to a tenant set for the session rather than the transaction."),
		gettext_noop("refuse: SET without LOCAL is an error; reset: it lasts only until the end of "
					 "its transaction. Either way no later transaction sees it."),
		&tg_session_tenant, kSessionTenantRefuse, session_tenant_options, PGC_SUSET,
		GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	DefineCustomBoolVariable(
		"tenant_guard.require_signed",
		gettext_noop("Only tenant_guard.set_tenant(token) may set the tenant."),
		gettext_noop("Exempt roles may still set it directly."), &tg_require_signed, false,
		PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	/* Readable by superusers only: a key that leaks lets anyone mint tenants. */
	DefineCustomStringVariable(
		"tenant_guard.signing_keys",
		gettext_noop("Keys for signed tenant tokens, as key_id:base64_secret, comma-separated."),
		gettext_noop("Two keys may be listed at once while rotating."), &tg_signing_keys, "",
		PGC_SIGHUP, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, nullptr,
		nullptr);

	/* PGC_SUSET: a migration must not be able to switch it off for itself. */
	DefineCustomBoolVariable(
		"tenant_guard.protect_new_tables",
		gettext_noop("Protect a table created with the tenant column in a schema that has protected tables."),
		gettext_noop("At the end of CREATE TABLE, CREATE TABLE AS and SELECT INTO, so that a copy "
					 "or a re-created table never ships unprotected."),
		&tg_protect_new_tables_on, false, PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	MarkGUCPrefixReserved("tenant_guard");

	/* Last: its check hook reads the settings above. */
	DefineTenantSetting();
}

} // namespace tg
