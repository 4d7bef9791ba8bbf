#include "rules/registry.h"

#include "lint/spellcheck.h"

namespace tlint {

const std::vector<RuleInfo> &AllRules()
{
	static const std::vector<RuleInfo> rules = {
		{"missing-tenant-predicate", Severity::Error,
		 "A query reads or writes a tenant table without equating its tenant column with the "
		 "current tenant.",
		 "Add `AND <alias>.tenant_id = $n` (or the current tenant) in a conjunct that cannot be "
		 "bypassed: not under OR, not an inequality, not COALESCE."},
		{"hard-coded-tenant", Severity::Warning,
		 "The tenant column is compared with a literal instead of the current tenant.",
		 "Pass the tenant as a parameter or use current_setting('app.tenant_id')."},
		{"insert-without-tenant", Severity::Error,
		 "An INSERT into a tenant table does not set the tenant column from the current tenant.",
		 "List the tenant column and insert a parameter or the current tenant, or protect the "
		 "table with tenant_guard.protect() so its DEFAULT is the current tenant."},
		{"upsert-crosses-tenants", Severity::Error,
		 "INSERT ... ON CONFLICT DO UPDATE can update a row of another tenant.",
		 "Put the tenant column in the conflict target, e.g. ON CONFLICT (tenant_id, id), or add "
		 "WHERE t.tenant_id = EXCLUDED.tenant_id to the DO UPDATE."},
		{"truncate-tenant-table", Severity::Error,
		 "TRUNCATE removes every tenant's rows of a tenant table.",
		 "DELETE the current tenant's rows instead."},
		{"copy-tenant-table", Severity::Error,
		 "COPY of a whole tenant table reads or writes every tenant's rows.",
		 "COPY (SELECT ... WHERE tenant_id = ...) TO ..., or load through INSERT."},
		{"unprotected-tenant-table", Severity::Error,
		 "A migration creates a table with the tenant column but never calls "
		 "tenant_guard.protect() on it.",
		 "Add SELECT tenant_guard.protect('<table>'); after creating it."},
		{"rls-disabled", Severity::Error,
		 "A migration disables row-level security, or stops forcing it, on a table.",
		 "Keep ENABLE and FORCE ROW LEVEL SECURITY; use a role exempt from the guard for "
		 "maintenance instead."},
		{"session-tenant-setting", Severity::Error,
		 "The tenant is set for the whole session; behind a transaction-mode pooler it leaks into "
		 "the next client's transactions.",
		 "Use SET LOCAL app.tenant_id = ... or set_config('app.tenant_id', $1, true)."},
		{"parse-error", Severity::Error, "A statement does not parse as PostgreSQL 15 SQL.",
		 "Fix the syntax; the rest of the file is still linted."},
		{"unreadable-file", Severity::Error,
		 "A file is binary, not UTF-8, or larger than --max-file-size.",
		 "Lint SQL text files only, saved as UTF-8."},
		{"empty-file", Severity::Info, "A file holds no SQL statement.",
		 "Remove it, or ignore this rule."},
		{"unused-suppression", Severity::Warning, "A tenant-lint ignore comment suppresses nothing.",
		 "Remove the comment, or fix the rule id it names."},
		{"invalid-suppression", Severity::Warning,
		 "A tenant-lint comment is malformed or names an unknown rule.",
		 "Write -- tenant-lint: ignore[rule-id] reason."},
	};
	return rules;
}

namespace {
struct Alias {
	const char *alias;
	const char *id;
};
/* Spellings users reach for; accepted everywhere an id is. */
constexpr Alias kAliases[] = {
	{"missing-tenant-filter", "missing-tenant-predicate"},
	{"no-tenant-predicate", "missing-tenant-predicate"},
};
} // namespace

const RuleInfo *FindRule(std::string_view id)
{
	for (const Alias &a : kAliases)
		if (id == a.alias)
			id = a.id;
	for (const RuleInfo &r : AllRules())
		if (id == r.id)
			return &r;
	return nullptr;
}

std::string SuggestRule(std::string_view unknown)
{
	std::vector<std::string_view> ids;
	for (const RuleInfo &r : AllRules())
		ids.emplace_back(r.id);
	return ClosestMatch(unknown, ids);
}

} // namespace tlint
