#include "tenant/tenant_setting.h"

#include "boundary/citus_presence.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_text.h"
#include "tenant/exemption.h"
#include "guc.h"

extern "C" {
#include "access/parallel.h"
#include "access/xact.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/memutils.h"
}

#include <cstring>

extern "C" {
/* The setting's value; the GUC machinery owns the string. */
static char *tg_tenant_value = nullptr;
/* The leader's verdict for its parallel workers (see tenant_setting.h). */
static char *tg_leader_tenant = nullptr;
}

namespace tg {

namespace {

/* Our entry among PostgreSQL's settings, for its stack of per-transaction values. */
struct config_generic *tenant_gconf = nullptr;

/* set_tenant() is the one caller that may set the tenant when require_signed is on. */
bool setting_from_token = false;

/* PublishTenantForWorkers() is the one caller that may set the leader's verdict. */
bool publishing_verdict = false;

constexpr const char *kLeaderTenantSetting = "tenant_guard.leader_tenant";

bool IsInteractive(GucSource source) { return source >= PGC_S_INTERACTIVE; }

bool CheckTenantValue(char **newval, void **extra, GucSource source)
{
	(void)extra;
	if (*newval == nullptr || (*newval)[0] == '\0')
		return true;
	/* ALTER ROLE / ALTER DATABASE ... SET validate with PGC_S_TEST. */
	if (source == PGC_S_TEST) {
		GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
		GUC_check_errmsg("a default tenant is not allowed");
		GUC_check_errdetail("A tenant given to a role, a database or the server would apply to "
							"every connection; tenant_guard ignores such values.");
		GUC_check_errhint("Set the tenant per transaction with SET LOCAL %s.", tg_tenant_setting);
		return false;
	}
	std::optional<std::string> problem =
		tg_tenant_type < 0 ? TenantValueProblem(TenantType::Text, *newval)
						   : TenantValueProblem(static_cast<TenantType>(tg_tenant_type), *newval);
	if (problem) {
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("invalid tenant for \"%s\"", tg_tenant_setting);
		GUC_check_errdetail("The value %s.", problem->c_str());
		GUC_check_errhint("tenant_guard.tenant_type is \"%s\".",
						  tg_tenant_type < 0 ? "any" : TenantTypeSqlName(static_cast<TenantType>(tg_tenant_type)));
		return false;
	}
	if (tg_require_signed && !setting_from_token && IsInteractive(source) &&
		!(IsTransactionState() && PgCall(CurrentRoleIsExempt))) {
		GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
		GUC_check_errmsg("\"%s\" can only be set with tenant_guard.set_tenant(token)",
						 tg_tenant_setting);
		GUC_check_errdetail("tenant_guard.require_signed is on.");
		GUC_check_errhint("Pass the signed token that the application server issued.");
		return false;
	}
	return true;
}

/* Only our own code, and a parallel worker restoring its leader's settings, set the verdict. */
bool CheckLeaderTenant(char **newval, void **extra, GucSource source)
{
	(void)extra;
	if (*newval == nullptr || (*newval)[0] == '\0' || source == PGC_S_DEFAULT || publishing_verdict ||
		InitializingParallelWorker)
		return true;
	GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
	GUC_check_errmsg("\"%s\" is set by tenant_guard only", kLeaderTenantSetting);
	GUC_check_errdetail("It carries a leader's tenant to its parallel workers.");
	GUC_check_errhint("Set the tenant with SET LOCAL %s.", tg_tenant_setting);
	return false;
}

/* SHOW and current_setting() display only a tenant that counts in this transaction. */
const char *ShowTenant()
{
	const char *usable = UsableTenant(ReadTenant());
	return usable != nullptr ? usable : "";
}

struct config_generic *FindSetting(const char *name)
{
	struct config_generic **all = get_guc_variables();
	int const n = GetNumConfigOptions();
	for (int i = 0; i < n; i++)
		if (pg_strcasecmp(all[i]->name, name) == 0)
			return all[i];
	return nullptr;
}

} // namespace
} // namespace tg

/* The GUC hooks are callbacks: they enter C++ through the boundary like every other. */
extern "C" {
static bool tg_check_tenant_value(char **newval, void **extra, GucSource source)
{
	return tg::InvokeCpp(tg::CheckTenantValue, newval, extra, source);
}
static bool tg_check_leader_tenant(char **newval, void **extra, GucSource source)
{
	return tg::InvokeCpp(tg::CheckLeaderTenant, newval, extra, source);
}
static const char *tg_show_tenant(void) { return tg::InvokeCpp(tg::ShowTenant); }
}

namespace tg {

void DefineTenantSetting()
{
	/* The name must outlive this call: the GUC machinery keeps the pointer. */
	const char *name = MemoryContextStrdup(TopMemoryContext, tg_tenant_setting);
	DefineCustomStringVariable(name, gettext_noop("The current tenant, for this transaction."),
							   gettext_noop("Set it with SET LOCAL or set_config(..., true)."),
							   &tg_tenant_value, "", PGC_USERSET, GUC_NOT_IN_SAMPLE,
							   tg_check_tenant_value, nullptr, tg_show_tenant);
	tenant_gconf = FindSetting(name);

	/* Travels to parallel workers like every non-default setting (PGC_SUSET keeps users out). */
	DefineCustomStringVariable(kLeaderTenantSetting,
							   gettext_noop("The leader's tenant, for its parallel workers."), nullptr,
							   &tg_leader_tenant, "", PGC_SUSET,
							   GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL | GUC_NO_RESET_ALL |
								   GUC_DISALLOW_IN_FILE | GUC_DISALLOW_IN_AUTO_FILE,
							   tg_check_leader_tenant, nullptr, nullptr);
}

TenantReading ReadTenant()
{
	TenantReading r;
	if (IsParallelWorker()) {
		/* The leader judged, with the history a worker does not have. */
		r.value = tg_tenant_value;
		if (r.value == nullptr || r.value[0] == '\0')
			return r;
		bool const leader_usable = tg_leader_tenant != nullptr && tg_leader_tenant[0] != '\0';
		r.state = leader_usable ? TenantState::Local : TenantState::Inherited;
		if (leader_usable)
			r.value = tg_leader_tenant;
		return r;
	}
	r.value = tg_tenant_value;
	if (r.value == nullptr || r.value[0] == '\0' || tenant_gconf == nullptr)
		return r;
	/* The top of the stack is the most recent change in this transaction, if any. */
	GucStack *stack = tenant_gconf->stack;
	/*
	 * Explicit values (SET, set_config, function SET clauses) have an
	 * interactive source; SET ... TO DEFAULT and RESET bring back the reset
	 * value with its original source (startup option, role default, file).
	 */
	if (stack == nullptr || !IsInteractive(tenant_gconf->source)) {
		r.state = TenantState::Inherited;
		return r;
	}
	switch (stack->state) {
	case GUC_LOCAL:
	case GUC_SET_LOCAL: /* SET then SET LOCAL: the current value is the local one */
	case GUC_SAVE:		/* a function's SET clause: undone when the function returns */
		r.state = TenantState::Local;
		break;
	case GUC_SET:
		r.state = TenantState::SessionNow;
		break;
	}
	return r;
}

const char *UsableTenant(const TenantReading &reading)
{
	if (reading.state == TenantState::Local)
		return reading.value;
	if (reading.state == TenantState::SessionNow && tg_session_tenant == kSessionTenantReset)
		return reading.value;
	return nullptr;
}

static std::string TableDetail(unsigned int relid)
{
	if (relid == InvalidOid)
		return "";
	return "Table " + RelationDisplayName(relid) +
		   " is protected by tenant_guard: its rows belong to tenants. ";
}

void ThrowUnusableTenant(const TenantReading &reading, unsigned int relid)
{
	std::string const name = tg_tenant_setting;
	std::string hint = "Run SET LOCAL " + name +
					   " = '<tenant>' at the start of the transaction, or SELECT set_config('" +
					   name + "', $1, true) from a driver.";
	/*
	 * Citus forwards the SET LOCAL statement to the workers, never set_config().
	 * create_distributed_table() reads the table without a tenant to see
	 * whether it is empty.
	 */
	if (CitusInstalledHere())
		hint = "Run SET LOCAL " + name +
			   " = '<tenant>' at the start of the transaction; on Citus, set_config() does not "
			   "reach the workers. To distribute a protected table, call "
			   "create_distributed_table() between tenant_guard.unprotect() and "
			   "tenant_guard.protect() in one transaction.";
	switch (reading.state) {
	case TenantState::SessionNow:
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					"tenant setting \"" + name + "\" was set for the session, not the transaction",
					TableDetail(relid) +
						"A tenant set with SET (without LOCAL) or set_config(..., false) would stay "
						"on a pooled connection; tenant_guard.session_tenant is \"refuse\".",
					hint);
	case TenantState::Inherited:
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					"tenant setting \"" + name + "\" is not set in this transaction",
					TableDetail(relid) +
						"It holds a value from outside this transaction (a session-level SET, a "
						"startup option, or a role or database default), which tenant_guard "
						"ignores so that no connection carries a tenant into another transaction.",
					hint);
	default:
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					"tenant setting \"" + name + "\" is not set",
					TableDetail(relid) + "No tenant is set in this transaction.", hint);
	}
}

void PublishTenantForWorkers()
{
	/* Workers cannot change settings, and a nested plan of a worker never reaches here. */
	if (IsParallelWorker() || IsInParallelMode())
		return;
	const char *usable = UsableTenant(ReadTenant());
	const char *verdict = usable != nullptr ? usable : "";
	if (tg_leader_tenant != nullptr && strcmp(tg_leader_tenant, verdict) == 0)
		return;
	struct Publishing {
		Publishing() { publishing_verdict = true; }
		~Publishing() { publishing_verdict = false; }
	} publishing;
	/* LOCAL: it goes back with the transaction, like the tenant it mirrors. */
	PgCall([=] {
		(void)set_config_option(kLeaderTenantSetting, verdict, PGC_SUSET, PGC_S_SESSION,
								GUC_ACTION_LOCAL, true, 0, false);
	});
}

void SetTenantFromToken(const std::string &tenant)
{
	struct FromToken {
		FromToken() { setting_from_token = true; }
		~FromToken() { setting_from_token = false; }
	} from_token;
	/*
	 * Citus forwards a SET LOCAL statement to the workers the transaction
	 * uses (citus.propagate_set_commands = 'local'), never a set_config_option
	 * call, so under Citus the tenant is set by running that statement.
	 */
	if (CitusInstalledHere()) {
		SpiSession spi;
		spi.Execute("SET LOCAL " + QuoteIdent(tg_tenant_setting) + " = " + QuoteLiteral(tenant));
		return;
	}
	const char *name = tg_tenant_setting;
	const char *value = tenant.c_str();
	PgCall([=] {
		(void)set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0,
								false);
	});
}

} // namespace tg
