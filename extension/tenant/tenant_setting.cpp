#include "tenant/tenant_setting.h"

#include "boundary/citus_presence.h"
#include "boundary/pg_boundary.h"
#include "boundary/sql_text.h"
#include "guard/exemption.h"
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
}

namespace tg {

namespace {

/* Our entry among PostgreSQL's settings, for its stack of per-transaction values. */
struct config_generic *tenant_gconf = nullptr;

/* set_tenant() is the one caller that may set the tenant when require_signed is on. */
bool setting_from_token = false;

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
		!(IsTransactionState() && CurrentRoleIsExemptNoError())) {
		GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
		GUC_check_errmsg("\"%s\" can only be set with tenant_guard.set_tenant(token)",
						 tg_tenant_setting);
		GUC_check_errdetail("tenant_guard.require_signed is on.");
		GUC_check_errhint("Pass the signed token that the application server issued.");
		return false;
	}
	return true;
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

void DefineTenantSetting()
{
	/* The name must outlive this call: the GUC machinery keeps the pointer. */
	const char *name = MemoryContextStrdup(TopMemoryContext, tg_tenant_setting);
	DefineCustomStringVariable(name, gettext_noop("The current tenant, for this transaction."),
							   gettext_noop("Set it with SET LOCAL or set_config(..., true)."),
							   &tg_tenant_value, "", PGC_USERSET, GUC_NOT_IN_SAMPLE,
							   CheckTenantValue, nullptr, nullptr);
	tenant_gconf = FindSetting(name);
}

TenantReading ReadTenant()
{
	TenantReading r;
	r.value = tg_tenant_value;
	if (r.value == nullptr || r.value[0] == '\0' || tenant_gconf == nullptr)
		return r;
	/*
	 * A parallel worker receives the leader's values without their history.
	 * It trusts them: the leader's executor guard refused to start a statement
	 * on a protected table without a usable tenant.
	 */
	if (IsParallelWorker()) {
		r.state = TenantState::Local;
		return r;
	}
	/* The top of the stack is the most recent change in this transaction, if any. */
	GucStack *stack = tenant_gconf->stack;
	if (stack == nullptr) {
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

void SetTenantFromToken(const std::string &tenant)
{
	struct FromToken {
		FromToken() { setting_from_token = true; }
		~FromToken() { setting_from_token = false; }
	} from_token;
	const char *name = tg_tenant_setting;
	const char *value = tenant.c_str();
	PgCall([=] {
		(void)set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0,
								false);
	});
}

} // namespace tg
