/*
 * simulate_runner.cpp — tenant_guard._sim_exec(): one statement of the
 * two-tenant simulator (docs/functions/simulate.md), run as another role
 * inside a security-restricted operation, in a subtransaction of its own.
 *
 * simulate() is usually called by a superuser, and the statements it runs
 * execute the schema's code: functions in views, policies, triggers, domain
 * checks. That code belongs to the migration role, so it must never run with
 * the caller's rights, and rolling back is no defence: a file written, a
 * program started or a connection opened stays. So every statement runs as
 * the application role (the checks) or as the table's owner (reading and
 * removing fixture rows), the way PostgreSQL runs the code of ANALYZE and
 * REFRESH MATERIALIZED VIEW: SECURITY_RESTRICTED_OPERATION makes PostgreSQL
 * refuse SET ROLE, RESET ROLE and SET SESSION AUTHORIZATION, so nothing the
 * statement runs can get back to the caller's identity.
 *
 * Order, and why:
 *   1. SPI connects outside the subtransaction, as PL/pgSQL does: aborting the
 *      subtransaction then cleans up after a failed statement, and the
 *      connection stays usable.
 *   2. The tenant (and the user's search_path) are set as the caller, at a GUC
 *      nest level of our own: with require_signed on, only the exempt caller
 *      may set the tenant without a token.
 *   3. The identity switch comes last: SET LOCAL ROLE (at the same nest
 *      level, so that the outer user is the role too, as in the application),
 *      then the security-restricted operation (UserSwitch), undone first; the
 *      subtransaction abort restores both as well.
 *   4. The settings are undone (AtEOXact_GUC as an abort, so also whatever the
 *      statement set for the session), then the subtransaction is rolled
 *      back, or released when the caller keeps its effect (the removal of B's
 *      rows, which the enclosing subtransaction of simulate() rolls back).
 * A cancel is not an outcome: it is raised again after the rollback.
 */
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_args.h"
#include "boundary/user_switch.h"
#include "guc.h"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
}

#include <optional>
#include <string>
#include <vector>

namespace tg {
namespace {

struct SimRequest {
	Oid role = InvalidOid;
	std::optional<std::string> tenant;
	std::string statement;
	Datum args = 0;
	bool args_null = true;
	std::optional<std::string> search_path;
	bool as_owner = false;
	bool keep = false;
};

struct SimOutcome {
	std::string state;
	std::optional<std::string> message;
	std::optional<std::string> result;
};

std::string RoleName(Oid role)
{
	const char *name = PgCall([role] { return GetUserNameFromId(role, true); });
	return name != nullptr ? name : std::to_string(role);
}

/*
 * Only a role that could become role_id anyway may have a statement run as
 * it (a superuser, or a member: what SET ROLE requires), so _sim_exec gives
 * nobody rights they do not have. The application role must be bound by
 * row-level security, or the checks prove nothing.
 */
void CheckMayRunAs(Oid role, bool as_owner)
{
	Oid const caller = GetUserId();
	bool const exists = PgCall([role] {
		return SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role));
	});
	if (!exists)
		throw Error(ERRCODE_UNDEFINED_OBJECT, "role with OID " + std::to_string(role) + " does not exist",
					"tenant_guard._sim_exec runs a statement as an existing role.",
					"Call tenant_guard.simulate(), which passes the roles it runs as.");
	if (!PgCall(is_member_of_role, caller, role))
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					"permission denied to run statements as role \"" + RoleName(role) + "\"",
					"Role \"" + RoleName(caller) + "\" is neither a superuser nor a member of it.",
					"Call tenant_guard.simulate() as a superuser or as a member of the role.");
	if (!as_owner && (PgCall(superuser_arg, role) || PgCall(has_bypassrls_privilege, role)))
		throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
					"role \"" + RoleName(role) + "\" bypasses row-level security",
					"It is a superuser or has BYPASSRLS, so no policy binds it.",
					"Simulate the role your application connects as.");
}

/* SET LOCAL, as the caller: set_config(name, value, true) without SQL. */
void SetLocal(const char *name, const std::string &value)
{
	const char *v = value.c_str();
	GucContext const context = PgCall(superuser) ? PGC_SUSET : PGC_USERSET;
	PgCall([=] {
		(void)set_config_option(name, v, context, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	});
}

/* Steps 2 and 3 of the header: the statement's first value, as the role. */
std::optional<std::string> RunAsRole(SpiSession &spi, const SimRequest &req)
{
	int const nest = PgCall(NewGUCNestLevel);
	SetLocal(tg_tenant_setting, req.tenant.value_or(""));
	if (req.search_path)
		SetLocal("search_path", *req.search_path);
	/*
	 * SET LOCAL ROLE as well, so that the statement sees the role as the
	 * application does: the guard's exemption asks for the outer user (the
	 * one SET ROLE sets) when a SECURITY DEFINER function runs as its owner.
	 * The security-restricted operation then keeps it there.
	 */
	SetLocal("role", RoleName(req.role));
	std::optional<std::string> result;
	{
		/* The owner reads all its rows, as PostgreSQL's foreign-key checks do. */
		UserSwitch as_role(req.role, SECURITY_RESTRICTED_OPERATION |
										 (req.as_owner ? SECURITY_NOFORCE_RLS : 0));
		result = spi.FirstValue(req.statement, {TEXTARRAYOID}, {req.args},
								req.args_null ? "n" : " ");
	}
	PgCall(AtEOXact_GUC, false, nest);
	return result;
}

SimOutcome RunIsolated(const SimRequest &req)
{
	MemoryContext const outer_context = CurrentMemoryContext;
	ResourceOwner const outer_owner = CurrentResourceOwner;
	SpiSession spi;
	SimOutcome out;

	PgCall(BeginInternalSubTransaction, static_cast<const char *>(nullptr));
	bool in_subtransaction = true;
	auto end_subtransaction = [&](bool release) {
		if (!in_subtransaction)
			return;
		in_subtransaction = false;
		if (release)
			PgCall(ReleaseCurrentSubTransaction);
		else
			PgCall(RollbackAndReleaseCurrentSubTransaction);
		MemoryContextSwitchTo(outer_context);
		CurrentResourceOwner = outer_owner;
	};
	try {
		out.result = RunAsRole(spi, req);
		out.state = "00000";
		end_subtransaction(req.keep);
	} catch (const PgError &e) {
		end_subtransaction(false);
		ErrorData *edata = e.error_data();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			throw;
		out.state = unpack_sql_state(edata->sqlerrcode);
		out.message = edata->message != nullptr ? std::optional<std::string>(edata->message)
												: std::nullopt;
		out.result = std::nullopt;
	} catch (...) {
		end_subtransaction(false);
		throw;
	}
	return out;
}

Datum OptionalText(const std::optional<std::string> &value, bool *isnull)
{
	*isnull = !value.has_value();
	return value ? TextDatum(*value) : static_cast<Datum>(0);
}

} // namespace
} // namespace tg

/*
 * tenant_guard._sim_exec(run_as oid, tenant text, statement text, args text[],
 *     user_search_path text, as_owner bool, keep bool,
 *     OUT state text, OUT message text, OUT result text)
 */
TG_FUNCTION(tg_sim_exec)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(5) || PG_ARGISNULL(6))
		throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
						"run_as, statement, as_owner and keep of tenant_guard._sim_exec must not be NULL",
						"tenant_guard._sim_exec needs a role and a statement to run.",
						"Call tenant_guard.simulate(), which passes them.");
	tg::SimRequest req;
	req.role = PG_GETARG_OID(0);
	if (!PG_ARGISNULL(1))
		req.tenant = tg::TextArg(fcinfo, 1);
	req.statement = tg::TextArg(fcinfo, 2);
	req.args_null = PG_ARGISNULL(3);
	req.args = req.args_null ? static_cast<Datum>(0) : PG_GETARG_DATUM(3);
	if (!PG_ARGISNULL(4))
		req.search_path = tg::TextArg(fcinfo, 4);
	req.as_owner = PG_GETARG_BOOL(5);
	req.keep = PG_GETARG_BOOL(6);

	tg::CheckMayRunAs(req.role, req.as_owner);
	tg::SimOutcome const out = tg::RunIsolated(req);

	TupleDesc desc = nullptr;
	TypeFuncClass const kind =
		tg::PgCall([fcinfo, &desc] { return get_call_result_type(fcinfo, nullptr, &desc); });
	if (kind != TYPEFUNC_COMPOSITE || desc->natts != 3)
		throw tg::Error(ERRCODE_INTERNAL_ERROR, "tenant_guard._sim_exec must return (state, message, result)");
	desc = tg::PgCall(BlessTupleDesc, desc);
	Datum values[3];
	bool nulls[3];
	values[0] = tg::TextDatum(out.state);
	nulls[0] = false;
	values[1] = tg::OptionalText(out.message, &nulls[1]);
	values[2] = tg::OptionalText(out.result, &nulls[2]);
	HeapTuple tuple = tg::PgCall(heap_form_tuple, desc, values, nulls);
	return HeapTupleGetDatum(tuple);
}
