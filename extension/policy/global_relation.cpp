/*
 * global_relation.cpp — tenant_guard.declare_global(rel, reason): a relation
 * that holds no tenant's rows (a currency list, feature flags) is declared so,
 * with its reason, in tenant_guard.global_relation. check()'s default deny
 * reports every other relation an application role can reach that is not
 * protected.
 */
#include "boundary/sql_args.h"
#include "boundary/sql_text.h"
#include "policy/catalog.h"
#include "policy/registry.h"

extern "C" {
#include "utils/builtins.h"
}

TG_FUNCTION(tg_declare_global)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
						"arguments of tenant_guard.declare_global must not be NULL",
						"The registry of global relations keeps each relation with the reason it "
						"holds no tenant's rows.",
						"Pass the relation and why it holds no tenant's rows.");
	Oid const relid = PG_GETARG_OID(0);
	std::string const reason = tg::TextArg(fcinfo, 1);
	std::string const name = tg::RelationDisplayName(relid);
	if (reason.find_first_not_of(" \t\n") == std::string::npos)
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
						"reason for declaring " + name + " global must not be empty",
						"The registry keeps why each relation is exempt from tenant protection.",
						"Say why it holds no tenant's rows, e.g. 'ISO currency codes'.");
	if (!tg::IsOwner(relid))
		throw tg::Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
						"must be owner of relation " + name + " to declare it global",
						"Declaring a relation global exempts it from the check that every relation an "
						"application role can reach is protected, so only its owner may do it.",
						"Run it as the relation's owner, for example the role that runs migrations.");
	tg::SpiSession spi;
	tg::Registry registry(spi);
	if (registry.Find(relid))
		throw tg::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						"table " + name + " is protected and cannot be declared global",
						"A protected table holds tenants' rows.",
						"Call tenant_guard.unprotect('" + name + "') first if it really holds none.");
	registry.DeclareGlobal(relid, reason);
	PG_RETURN_BOOL(true);
}
