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
char *tg_signing_keys_file = nullptr;
int tg_token_max_lifetime = 300;
int tg_token_ledger_size = 65536;
int tg_unique_without_tenant = tg::kUniqueWithoutTenantWarning;
bool tg_protect_new_tables_on = false;
int tg_audit_seal_interval = 200;
int tg_audit_seal_deadline = 10000;
}

namespace tg {

static const struct config_enum_entry tenant_type_options[] = {
	{"any", -1, false},	   {"text", static_cast<int>(TenantType::Text), false},
	{"uuid", static_cast<int>(TenantType::Uuid), false},
	{"bigint", static_cast<int>(TenantType::Bigint), false},
	{"integer", static_cast<int>(TenantType::Integer), false},
	{nullptr, 0, false}};

static const struct config_enum_entry unique_without_tenant_options[] = {
	{"warning", kUniqueWithoutTenantWarning, false},
	{"error", kUniqueWithoutTenantError, false},
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

	/*
	 * The keys themselves never sit in a setting: every setting can be read
	 * by pg_read_all_settings (GUC_SUPERUSER_ONLY included), and a key that
	 * leaks lets anyone mint tenants. The setting names a file that only the
	 * server's OS user may read, as ssl_key_file does; relative to the data
	 * directory.
	 */
	DefineCustomStringVariable(
		"tenant_guard.signing_keys_file",
		gettext_noop("File holding the keys for signed tenant tokens, one key_id:base64_secret per line."),
		gettext_noop("It must belong to the server's OS user and not be readable by group or others."),
		&tg_signing_keys_file, "", PGC_SIGHUP, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	/* PGC_SIGHUP: a token seen by someone else stays useful for its lifetime at most. */
	DefineCustomIntVariable(
		"tenant_guard.token_max_lifetime",
		gettext_noop("Longest lifetime a signed tenant token may have, from now to its expiry."),
		gettext_noop("set_tenant() refuses tokens that expire later."), &tg_token_max_lifetime,
		300, 1, 86400, PGC_SIGHUP, GUC_UNIT_S | GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	/* PGC_POSTMASTER: the ledger is sized once, in shared memory. */
	DefineCustomIntVariable(
		"tenant_guard.token_ledger_size",
		gettext_noop("How many used tokens the server remembers until they expire."),
		gettext_noop("Each token is accepted once; when the ledger is full, set_tenant() fails."),
		&tg_token_ledger_size, 65536, 128, 16777216, PGC_POSTMASTER, GUC_NOT_IN_SAMPLE, nullptr,
		nullptr, nullptr);

	/* USERSET: a migration may make protect() stricter for itself; check() reports either way. */
	DefineCustomEnumVariable(
		"tenant_guard.unique_without_tenant",
		gettext_noop("What protect() does about unique keys without the tenant column: warning or error."),
		gettext_noop("Such keys let one tenant learn another's keys from duplicate-key errors."),
		&tg_unique_without_tenant, kUniqueWithoutTenantWarning, unique_without_tenant_options,
		PGC_USERSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	/* PGC_SUSET: a migration must not be able to switch it off for itself. */
	DefineCustomBoolVariable(
		"tenant_guard.protect_new_tables",
		gettext_noop("Protect a table created with the tenant column in a schema that has protected tables."),
		gettext_noop("At the end of CREATE TABLE, CREATE TABLE AS and SELECT INTO, so that a copy "
					 "or a re-created table never ships unprotected."),
		&tg_protect_new_tables_on, false, PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	/* PGC_SIGHUP: one pace for every sealer; seal lag is about half of it. */
	DefineCustomIntVariable(
		"tenant_guard.audit_seal_interval",
		gettext_noop("Time between two passes of an audit sealing worker."),
		gettext_noop("Committed audit events are sealed into their chains by the next pass."),
		&tg_audit_seal_interval, 200, 10, 10000, PGC_SIGHUP, GUC_UNIT_MS | GUC_NOT_IN_SAMPLE,
		nullptr, nullptr, nullptr);

	/* PGC_USERSET: it changes only what the caller's verify_audit() reports. */
	DefineCustomIntVariable(
		"tenant_guard.audit_seal_deadline",
		gettext_noop("Age after which verify_audit() reports a committed event that is not sealed."),
		nullptr, &tg_audit_seal_deadline, 10000, 100, 86400000, PGC_USERSET,
		GUC_UNIT_MS | GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);

	MarkGUCPrefixReserved("tenant_guard");

	/* Last: its check hook reads the settings above. */
	DefineTenantSetting();
}

} // namespace tg
