/*
 * app_role.cpp — tenant_guard._register_app_role(role): the one way into
 * tenant_guard.app_roles, which create_app_role() calls.
 *
 * check() holds registered roles to DML only (app-role-too-powerful), with
 * errors that only whoever administers the role can clear, so registering one
 * is administering it: the caller must be allowed to administer the role. A C
 * function rather than a SECURITY DEFINER one because the check needs the
 * caller's own identity (GetUserId()), which a SECURITY DEFINER function
 * replaces by its owner; only the INSERT runs as the extension owner.
 */
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "policy/registry.h"

extern "C" {
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
}

#include <string>

namespace tg {

namespace {

/* PostgreSQL 15's rule for ALTER ROLE / GRANT role: superuser, CREATEROLE for a
 * role that is not a superuser, or ADMIN OPTION on it. */
bool MayAdminister(Oid caller, Oid role)
{
	if (PgCall(superuser_arg, caller))
		return true;
	if (PgCall(has_createrole_privilege, caller) && !PgCall(superuser_arg, role))
		return true;
	return PgCall(is_admin_of_role, caller, role);
}

void RequireHarmlessRole(SpiSession &spi, const std::string &role, Oid roleid)
{
	if (!SqlBool(spi.Value("SELECT rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole"
						   "       OR rolreplication"
						   "  FROM pg_catalog.pg_roles WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
						   {std::to_string(roleid)})))
		return;
	throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
				"role \"" + role + "\" cannot be an application role",
				"It has SUPERUSER, BYPASSRLS, CREATEDB, CREATEROLE or REPLICATION.",
				"Pick a new name; create_app_role() creates the role itself.");
}

} // namespace

} // namespace tg

/* tenant_guard._register_app_role(role_name name) */
TG_FUNCTION(tg_register_app_role)
{
	if (PG_ARGISNULL(0))
		throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
						"argument \"role_name\" of tenant_guard._register_app_role must not be NULL",
						"Only an existing role can be registered as an application role.",
						"Call tenant_guard.create_app_role('role_name').");
	std::string const role = NameStr(*PG_GETARG_NAME(0));
	Oid const roleid = tg::PgCall(get_role_oid, role.c_str(), true);
	if (!OidIsValid(roleid))
		throw tg::Error(ERRCODE_UNDEFINED_OBJECT, "role \"" + role + "\" does not exist",
						"Only an existing role can be registered as an application role.",
						"Call tenant_guard.create_app_role('" + role + "'), which creates it.");
	tg::SpiSession spi;
	tg::RequireHarmlessRole(spi, role, roleid);
	Oid const caller = GetUserId();
	if (!tg::MayAdminister(caller, roleid))
		throw tg::Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
						"must be able to administer role \"" + role +
							"\" to register it as an application role",
						"check() reports an application role that owns objects or may create them as "
						"an error that only the role's administrators can clear.",
						"Run it as a superuser, a role with CREATEROLE, or a role with ADMIN OPTION "
						"on \"" + role + "\".");
	tg::Registry(spi).RegisterAppRole(role);
	PG_RETURN_VOID();
}
