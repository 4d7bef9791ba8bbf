/*
 * object_names.h — the one home of the names tenant_guard gives the objects
 * it creates on a protected table: its four policies and its trigger names.
 * SQL reads them from here too (tenant_guard._generated_policies() and
 * tenant_guard._fk_guard_trigger_name()), so check() and protect() can never
 * disagree about what protect() makes.
 */
#pragma once

#include <array>
#include <string>

namespace tg {

struct PolicySpec {
	const char *name;
	char command; /* pg_policy.polcmd */
	const char *sql_command;
	bool has_using;
	bool has_check;
};

/* One policy per command, so each has exactly the clauses PostgreSQL applies to it. */
constexpr std::array<PolicySpec, 4> kGeneratedPolicies = {{
	{"tenant_guard_select", 'r', "SELECT", true, false},
	{"tenant_guard_insert", 'a', "INSERT", false, true},
	{"tenant_guard_update", 'w', "UPDATE", true, true},
	{"tenant_guard_delete", 'd', "DELETE", true, false},
}};

/* The trigger protect_outbox() puts on an outbox table. */
constexpr const char *kOutboxTriggerName = "tenant_guard_outbox";

/*
 * The name of the trigger that checks foreign key constraint row by row:
 * tenant_guard_fk_<constraint>, clipped to a valid name as PostgreSQL clips
 * identifiers (whole characters, at most NAMEDATALEN - 1 bytes).
 */
std::string FkGuardTriggerName(const std::string &constraint);

/* The generated policies as a SQL VALUES list (polname, polcmd), for catalog queries. */
std::string GeneratedPoliciesValues();

} // namespace tg
