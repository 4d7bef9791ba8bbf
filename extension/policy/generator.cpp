/*
 * generator.cpp — tenant_guard.protect() and tenant_guard.unprotect().
 *
 * protect() validates everything it can before the first change, then
 * applies each piece only if it is missing, so a second call is a no-op and
 * a call on a drifted table repairs it. Everything runs in the caller's
 * transaction: any error leaves nothing half-applied.
 */
#include "policy/generator.h"

#include "boundary/internal_ddl.h"
#include "boundary/sql_text.h"
#include "boundary/user_switch.h"
#include "policy/citus.h"
#include "policy/fk_guard.h"
#include "policy/key_checks.h"
#include "policy/object_names.h"

extern "C" {
#include "catalog/namespace.h"
#include "commands/defrem.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include <array>

namespace tg {

namespace {

/*
 * The table is named for error messages. Not under Citus: its shards'
 * policies are created on the workers before the table's name exists there.
 */
std::string TenantExpression(const TableInfo &table, const ColumnInfo &column, TenantType type,
							 bool names_table)
{
	return QuoteIdent(column.name) + " OPERATOR(pg_catalog.=) tenant_guard." +
		   TenantFunctionName(type) + "(" +
		   (names_table ? RegclassLiteral(table.relid) : "NULL::pg_catalog.regclass") + ")";
}

void RequireProtectableKind(const TableInfo &t)
{
	switch (t.relkind) {
	case 'r':
	case 'p':
		break;
	case 'm':
		throw Error(ERRCODE_WRONG_OBJECT_TYPE, "cannot protect materialized view " + t.name,
					"A materialized view stores a copy of every tenant's rows, and row-level "
					"security does not apply to it.",
					"Drop it, or query the protected tables it was built from.");
	case 'v':
		throw Error(ERRCODE_WRONG_OBJECT_TYPE, "cannot protect view " + t.name,
					"Row-level security applies to tables, not views.",
					"Protect the tables the view reads, and create the view WITH (security_invoker "
					"= true) so that their policies apply to its readers.");
	case 'f':
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot protect foreign table " + t.name,
					"PostgreSQL does not apply row-level security to foreign tables.",
					"Protect the table on the server that stores it.");
	default:
		throw Error(ERRCODE_WRONG_OBJECT_TYPE, "cannot protect " + t.name + ": it is not a table",
					"Row-level security policies apply to tables and partitioned tables only.",
					"Pass a table or a partitioned table.");
	}
	if (t.persistence == 't')
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot protect temporary table " + t.name,
					"A temporary table is private to one session, not shared between tenants.",
					"Protect the permanent table the data comes from.");
}

void RequireOwner(const TableInfo &t, const char *action)
{
	if (!IsOwner(t.relid))
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					std::string("must be owner of table ") + t.name + " to " + action + " it",
					"Only the owner may change a table's row-level security and policies.",
					"Run it as the table owner, for example the role that runs migrations.");
}

ColumnInfo RequireTenantColumn(SpiSession &spi, const TableInfo &t, const std::string &column)
{
	std::optional<ColumnInfo> col = LoadColumn(spi, t.relid, column);
	if (!col)
		throw Error(ERRCODE_UNDEFINED_COLUMN,
					"column \"" + column + "\" of table " + t.name + " does not exist",
					"The policies compare this column with the current tenant, so it must exist.",
					"Pass the tenant column: tenant_guard.protect('" + t.name +
						"', tenant_column => 'your_column').");
	return *col;
}

TenantType RequireTenantType(const TableInfo &t, const ColumnInfo &c)
{
	std::optional<TenantType> type = TenantTypeFromSqlName(c.type_name);
	if (!type)
		throw Error(ERRCODE_DATATYPE_MISMATCH,
					"tenant column \"" + c.name + "\" of table " + t.name + " has type " +
						c.type_name,
					"A tenant column must be uuid, bigint, integer or text.",
					"Change the column type, e.g. ALTER TABLE " + t.name + " ALTER COLUMN " +
						QuoteIdent(c.name) + " TYPE uuid USING " + QuoteIdent(c.name) + "::uuid.");
	return *type;
}

std::string JoinNames(const std::vector<std::string> &names)
{
	std::string joined;
	for (const std::string &n : names)
		joined += (joined.empty() ? "" : ", ") + QuoteIdent(n);
	return joined;
}

} // namespace

void PolicyGenerator::CheckNoNullTenants(const TableInfo &table, const ColumnInfo &column)
{
	if (column.not_null)
		return;
	int64_t const nulls = CountNullTenants(spi_, table, column.name);
	if (nulls == 0)
		return;
	throw Error(ERRCODE_NOT_NULL_VIOLATION,
				"table " + table.name + " has " + std::to_string(nulls) + " row" +
					(nulls == 1 ? "" : "s") + " with no tenant in column \"" + column.name + "\"",
				"Rows without a tenant would become invisible to every tenant once the table is "
				"protected.",
				"Assign those rows to a tenant or delete them (SELECT * FROM " + table.name +
					" WHERE " + QuoteIdent(column.name) +
					" IS NULL), then call tenant_guard.protect again.");
}

void PolicyGenerator::CheckOtherPolicies(const TableInfo &table, const ColumnInfo &column,
										 TenantType type, const ProtectOptions &options)
{
	std::vector<std::string> others =
		ForeignPermissivePolicies(spi_, table.relid, column.name, TenantTypeSqlName(type));
	if (others.empty())
		return;
	std::string const what = "table " + table.name + " has permissive " +
							 (others.size() == 1 ? "policy " : "policies ") + JoinNames(others) +
							 " not created by tenant_guard";
	std::string const why = "PostgreSQL ORs permissive policies together, so they can widen "
							"access across tenants.";
	if (!options.keep_other_policies)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, what, why,
					"Drop them or recreate them AS RESTRICTIVE; to keep them anyway, pass "
					"keep_other_policies => true.");
	Report(WARNING, what, why, "tenant_guard.check() will keep reporting them.");
}

bool PolicyGenerator::EnsureNotNull(const TableInfo &table, const ColumnInfo &column)
{
	if (column.not_null)
		return false;
	Run("ALTER TABLE " + table.name + " ALTER COLUMN " + QuoteIdent(column.name) +
		" SET NOT NULL");
	return true;
}

bool PolicyGenerator::EnsureDefault(const TableInfo &table, const ColumnInfo &column,
									TenantType type)
{
	if (column.default_is_ours)
		return false;
	/* ONLY: each partition gets a default naming itself, for its error messages. */
	Run("ALTER TABLE ONLY " + table.name + " ALTER COLUMN " + QuoteIdent(column.name) +
		" SET DEFAULT tenant_guard." + TenantFunctionName(type) + "(" +
		RegclassLiteral(table.relid) + ")");
	return true;
}

bool PolicyGenerator::EnsureRowLevelSecurity(const TableInfo &table)
{
	bool changed = false;
	if (!table.rls_enabled) {
		Run("ALTER TABLE ONLY " + table.name + " ENABLE ROW LEVEL SECURITY");
		changed = true;
	}
	/* FORCE: the owner (often the application's role) is bound too. */
	if (!table.rls_forced) {
		Run("ALTER TABLE ONLY " + table.name + " FORCE ROW LEVEL SECURITY");
		changed = true;
	}
	return changed;
}

bool PolicyGenerator::EnsurePolicies(const TableInfo &table, const ColumnInfo &column,
									 TenantType type, bool names_table)
{
	/* Compared by contents (expression, command, roles, permissiveness), not by name. */
	std::vector<PolicyStatus> const status =
		GeneratedPolicyStatus(spi_, table.relid, column.name, TenantTypeSqlName(type));
	std::string const expr = TenantExpression(table, column, type, names_table);
	bool changed = false;
	for (const PolicySpec &spec : kGeneratedPolicies) {
		const PolicyStatus *found = nullptr;
		for (const PolicyStatus &p : status)
			if (p.command == spec.command)
				found = &p;
		if (found != nullptr && found->named_differs) {
			Run("DROP POLICY " + QuoteIdent(spec.name) + " ON " + table.name);
			changed = true;
		}
		if (found != nullptr && found->matched)
			continue;
		std::string sql = "CREATE POLICY " + QuoteIdent(spec.name) + " ON " + table.name +
						  " AS PERMISSIVE FOR " + spec.sql_command + " TO PUBLIC";
		if (spec.has_using)
			sql += " USING (" + expr + ")";
		if (spec.has_check)
			sql += " WITH CHECK (" + expr + ")";
		Run(sql);
		changed = true;
	}
	return changed;
}

bool PolicyGenerator::EnsureOwnTriggersEnabled(const TableInfo &table)
{
	std::vector<DisabledTrigger> const disabled = DisabledOwnTriggers(spi_, table.relid);
	for (const DisabledTrigger &t : disabled)
		Run("ALTER TABLE " + table.name + " ENABLE TRIGGER " + QuoteIdent(t.name));
	return !disabled.empty();
}

std::string PolicyGenerator::FollowRenamedColumn(Oid relid, const std::string &requested)
{
	std::optional<ProtectionRecord> record = registry_.Find(relid);
	if (!record || LoadColumn(spi_, relid, record->tenant_column))
		return requested;
	std::optional<std::string> current = ColumnWithTenantDefault(spi_, relid);
	if (!current || (requested != record->tenant_column && requested != *current))
		return requested;
	registry_.SetTenantColumn(relid, *current);
	Report(NOTICE, "tenant column \"" + record->tenant_column + "\" of table " +
					   RelationDisplayName(relid) + " was renamed to \"" + *current +
					   "\"; protection follows it");
	return *current;
}

/*
 * A partition owned by another role is protected as that role: the parent's
 * owner reads all of its rows through the parent already, and protecting it
 * only narrows who sees what.
 */
bool PolicyGenerator::ProtectChild(Oid child, const std::string &column,
								   const ProtectOptions &options, Oid parent)
{
	std::string const child_column = FollowRenamedColumn(child, column);
	if (IsOwner(child))
		return Protect(child, child_column, options, parent);
	Oid const owner = RelationOwner(spi_, child);
	Report(NOTICE, "protecting " + RelationDisplayName(child) + " as its owner " +
					   PgCall(GetUserNameFromId, owner, false));
	UserSwitch as_owner(owner);
	return Protect(child, child_column, options, parent);
}

std::optional<std::string> PolicyGenerator::EnsureTenantIndex(const TableInfo &table,
															   const ColumnInfo &column,
															   const ProtectOptions &options)
{
	if (HasTenantLeadingIndex(spi_, table.relid, column.name))
		return std::nullopt;
	if (!options.create_index) {
		Report(WARNING,
			   "table " + table.name + " has no index that leads with tenant column \"" +
				   column.name + "\"",
			   "Every query on a protected table filters on the tenant column; without such an "
			   "index each one reads every tenant's rows.",
			   "Create one, e.g. CREATE INDEX ON " + table.name + " (" + QuoteIdent(column.name) +
				   ", ...), or call tenant_guard.protect(..., create_index => true).");
		return std::nullopt;
	}
	Oid const relid = table.relid;
	Oid const nsp = PgCall(get_rel_namespace, relid);
	const char *relname = PgCall(get_rel_name, relid);
	const char *colname = column.name.c_str();
	const char *index_name = PgCall(ChooseRelationName, relname, colname, "tenant_idx", nsp, false);
	std::string const qualified =
		PgCall(quote_qualified_identifier, PgCall(get_namespace_name, nsp), index_name);
	Run("CREATE INDEX " + QuoteIdent(index_name) + " ON " + table.name + " (" +
		QuoteIdent(column.name) + ")");
	Report(NOTICE, "created index " + qualified + " on table " + table.name);
	return qualified;
}

bool PolicyGenerator::Protect(Oid relid, const std::string &column_name,
							  const ProtectOptions &options, Oid parent)
{
	InternalDdlScope internal;
	TableInfo const table = LoadTable(spi_, relid);
	RequireProtectableKind(table);
	RequireOwner(table, "protect");
	ColumnInfo const column = RequireTenantColumn(spi_, table, column_name);
	TenantType const type = RequireTenantType(table, column);

	std::optional<ProtectionRecord> existing = registry_.Find(relid);
	if (existing && existing->tenant_column != column.name)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"table " + table.name + " is already protected on tenant column \"" +
						existing->tenant_column + "\"",
					"A table has one tenant column; its policies, guards and checks already use \"" +
						existing->tenant_column + "\".",
					"Call tenant_guard.unprotect('" + table.name +
							"') first to change its tenant column.");

	/* Everything that can refuse the call, before the first change. */
	RequireDeterministicCollation(spi_, table, column);
	CheckNoNullTenants(table, column);
	CheckOtherPolicies(table, column, type, options);
	CheckUniqueKeys(spi_, table, column);
	CitusTable const citus = LoadCitusTable(spi_, relid);
	WarnIfNotDistributedByTenant(table.name, citus, column.name);

	bool changed = false;
	changed |= EnsureNotNull(table, column);
	/* Citus forbids changing a distribution column's default: none, distributed yet or not. */
	if (!citus.citus_installed)
		changed |= EnsureDefault(table, column, type);
	changed |= EnsureRowLevelSecurity(table);
	changed |= EnsurePolicies(table, column, type, !citus.citus_installed);
	changed |= EnsureOwnTriggersEnabled(table);

	std::optional<std::string> created_index;
	if (parent == InvalidOid)
		created_index = EnsureTenantIndex(table, column, options);

	if (!existing) {
		ProtectionRecord record;
		record.table = relid;
		record.tenant_column = column.name;
		record.tenant_type = TenantTypeSqlName(type);
		record.parent = parent;
		/* A partition created with PARTITION OF inherits our default: nothing to restore. */
		if (!column.default_is_ours)
			record.previous_default = column.default_expr;
		record.column_was_not_null = column.not_null;
		record.rls_was_enabled = table.rls_enabled;
		record.rls_was_forced = table.rls_forced;
		record.created_index = created_index;
		registry_.Insert(record);
		changed = true;
	}

	/* Queries may name a partition directly: every partition needs its own policies. */
	for (Oid child : ChildTables(spi_, relid))
		changed |= ProtectChild(child, column.name, options, relid);

	changed |= DropOrphanedForeignKeyGuards(spi_, relid);
	changed |= EnsureForeignKeyGuards(spi_, relid);

	if (!changed && parent == InvalidOid)
		Report(NOTICE, "table " + table.name + " is already protected, nothing changed");
	return changed;
}

bool PolicyGenerator::Unprotect(Oid relid, bool with_parent)
{
	InternalDdlScope internal;
	std::optional<ProtectionRecord> record = registry_.Find(relid);
	TableInfo const table = LoadTable(spi_, relid);
	if (!record) {
		Report(NOTICE, "table " + table.name + " is not protected by tenant_guard, nothing changed");
		return false;
	}
	if (!with_parent && record->parent != InvalidOid && registry_.Find(record->parent))
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"table " + table.name + " is protected as part of " +
						RelationDisplayName(record->parent),
					"Its rows are reachable through the parent, so it stays protected with it.",
					"Call tenant_guard.unprotect('" + RelationDisplayName(record->parent) +
						"') to unprotect the whole hierarchy.");
	RequireOwner(table, "unprotect");

	std::vector<Oid> const children = registry_.ProtectedChildren(relid);
	std::string const column = QuoteIdent(record->tenant_column);

	DropForeignKeyGuards(spi_, relid);
	for (const PolicySpec &spec : kGeneratedPolicies)
		Run("DROP POLICY IF EXISTS " + QuoteIdent(spec.name) + " ON " + table.name);
	if (!record->rls_was_forced && table.rls_forced)
		Run("ALTER TABLE ONLY " + table.name + " NO FORCE ROW LEVEL SECURITY");
	if (!record->rls_was_enabled && table.rls_enabled)
		Run("ALTER TABLE ONLY " + table.name + " DISABLE ROW LEVEL SECURITY");

	std::optional<ColumnInfo> current = LoadColumn(spi_, relid, record->tenant_column);
	/* Citus refuses both changes on a distribution column, which holds no NULL anyway. */
	bool const distribution_column =
		IsDistributionColumn(LoadCitusTable(spi_, relid), record->tenant_column);
	if (current && current->default_is_ours && !distribution_column)
		Run("ALTER TABLE ONLY " + table.name + " ALTER COLUMN " + column +
			(record->previous_default ? " SET DEFAULT " + *record->previous_default
									  : std::string(" DROP DEFAULT")));
	if (record->created_index)
		Run("DROP INDEX IF EXISTS " + *record->created_index);
	/* A partition's NOT NULL follows its parent's, which was restored first. */
	if (current && current->not_null && !record->column_was_not_null && record->parent == InvalidOid &&
		!distribution_column)
		Run("ALTER TABLE " + table.name + " ALTER COLUMN " + column + " DROP NOT NULL");

	registry_.Remove(relid);
	for (Oid child : children)
		Unprotect(child, true);
	return true;
}

} // namespace tg

/* NULL arguments are a mistake in a migration, not a request to do nothing. */
static void RequireArguments(FunctionCallInfo fcinfo, std::initializer_list<const char *> names)
{
	int i = 0;
	for (const char *name : names) {
		if (PG_ARGISNULL(i))
			throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
							std::string("argument \"") + name + "\" must not be NULL",
							"A NULL argument is most likely a mistake in the migration, and doing "
							"nothing would leave a table unprotected without a word.",
							"Pass a value, or leave the argument out to use its default.");
		i++;
	}
}

/* tenant_guard.protect(tbl, tenant_column, keep_other_policies, create_index) */
TG_FUNCTION(tg_protect)
{
	RequireArguments(fcinfo, {"tbl", "tenant_column", "keep_other_policies", "create_index"});
	Oid const relid = PG_GETARG_OID(0);
	const char *column = NameStr(*PG_GETARG_NAME(1));
	tg::ProtectOptions options;
	options.keep_other_policies = PG_GETARG_BOOL(2);
	options.create_index = PG_GETARG_BOOL(3);

	tg::SpiSession spi;
	tg::PolicyGenerator generator(spi);
	PG_RETURN_BOOL(generator.Protect(relid, generator.FollowRenamedColumn(relid, column), options));
}

/* tenant_guard.unprotect(tbl) */
TG_FUNCTION(tg_unprotect)
{
	RequireArguments(fcinfo, {"tbl"});
	Oid const relid = PG_GETARG_OID(0);
	tg::SpiSession spi;
	tg::PolicyGenerator generator(spi);
	PG_RETURN_BOOL(generator.Unprotect(relid));
}
