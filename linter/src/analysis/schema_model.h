// schema_model.h — which tables are tenant-scoped, learnt from DDL, tenant_guard
// calls, --table and the config. Pure data; ddl_learner.cpp fills it from trees.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tlint {

struct TableFacts {
	std::string schema;
	std::string name;
	std::vector<std::string> columns; /* in order, as far as known */
	std::string tenant_column;		  /* empty: not tenant-scoped */
	bool is_protected = false;		  /* tenant_guard.protect() or protect_schema() seen */
	bool rls_protected = false;		  /* the schema's own RLS: enabled, forced, a policy on the column */
	bool columns_complete = false;	  /* all columns known (CREATE TABLE seen) */
	bool rls_enabled = false, rls_forced = false;
	std::vector<std::string> policy_columns; /* columns the table's policies read */
	/* Where each fact was learnt ("file:line", "--table", "config", "database"), for --print-schema. */
	std::string table_from, column_from, protection_from;

	bool IsTenantTable() const { return !tenant_column.empty(); }
	std::string QualifiedName() const { return schema + "." + name; }
};

class SchemaModel {
public:
	/* tenant_columns: the names that mark a tenant table, the first one found winning. */
	SchemaModel(std::vector<std::string> tenant_columns, std::vector<std::string> search_path);
	SchemaModel(std::string tenant_column, std::vector<std::string> search_path)
		: SchemaModel(std::vector<std::string>{std::move(tenant_column)}, std::move(search_path)) {}

	const std::vector<std::string> &TenantColumns() const { return tenant_columns_; }

	/* Creates or returns the table; schema empty means the first schema of the search path. */
	TableFacts &Table(const std::string &schema, const std::string &name);
	void AddColumn(TableFacts &table, const std::string &column);
	/* A table declared tenant-scoped on a given column (protect(), --table). */
	void DeclareTenantTable(const std::string &schema, const std::string &name,
							const std::string &column, bool is_protected, const std::string &from);
	void ProtectSchema(const std::string &schema, const std::string &column, const std::string &from);
	/* The configuration's word on one table: its tenant column, or "" for none. Wins over all else. */
	void OverrideTenantColumn(const std::string &schema, const std::string &name,
							  const std::string &column);

	/* The table a name refers to, resolving unqualified names through the search path. */
	const TableFacts *Resolve(const std::string &schema, const std::string &name) const;
	const TableFacts *ResolveTenantTable(const std::string &schema, const std::string &name) const;

	std::vector<const TableFacts *> TenantTables() const;
	std::vector<const TableFacts *> AllTables() const;
	/* Every column name seen, for "did you mean" when no tenant table is known. */
	std::vector<std::string> ColumnNames() const;

	/*
	 * Picks each table's tenant column (override, protect(), then the first of
	 * the tenant columns it has), applies protect_schema() and the schema's own
	 * RLS; call once learning is done.
	 */
	void Settle();

private:
	std::vector<std::string> tenant_columns_;
	std::vector<std::string> search_path_;
	std::map<std::string, TableFacts> tables_; /* by schema.name */
	struct ProtectedSchema {
		std::string schema, column, from;
	};
	std::vector<ProtectedSchema> protected_schemas_;
	std::map<std::string, std::string> overrides_; /* by Key(): column, or "" */

	/* Unqualified names resolved through the search path once, by Settle (lookups are the hot path). */
	std::unordered_map<std::string, const TableFacts *> by_name_;
	bool indexed_ = false;

	static std::string Key(const std::string &schema, const std::string &name);
};

/* "Orders" -> orders, "\"Orders\"" -> Orders, a.b -> {a, b}: SQL identifier rules. */
std::pair<std::string, std::string> SplitQualifiedName(const std::string &text);

} // namespace tlint
