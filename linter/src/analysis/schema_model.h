// schema_model.h — which tables are tenant-scoped, learnt from DDL, tenant_guard
// calls, --table and the config. Pure data; ddl_learner.cpp fills it from trees.
#pragma once

#include <map>
#include <optional>
#include <string>
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

	bool IsTenantTable() const { return !tenant_column.empty(); }
	std::string QualifiedName() const { return schema + "." + name; }
};

class SchemaModel {
public:
	SchemaModel(std::string tenant_column, std::vector<std::string> search_path);

	const std::string &DefaultTenantColumn() const { return tenant_column_; }
	const std::vector<std::string> &SearchPath() const { return search_path_; }

	/* Creates or returns the table; schema empty means the first schema of the search path. */
	TableFacts &Table(const std::string &schema, const std::string &name);
	void AddColumn(TableFacts &table, const std::string &column);
	/* A table declared tenant-scoped on a given column (protect(), --table). */
	void DeclareTenantTable(const std::string &schema, const std::string &name,
							const std::string &column, bool is_protected);
	void ProtectSchema(const std::string &schema, const std::string &column);

	/* The table a name refers to, resolving unqualified names through the search path. */
	const TableFacts *Resolve(const std::string &schema, const std::string &name) const;
	const TableFacts *ResolveTenantTable(const std::string &schema, const std::string &name) const;

	std::vector<const TableFacts *> TenantTables() const;

	/* Applies protect_schema() calls to the tables learnt; call once learning is done. */
	void Settle();

private:
	std::string tenant_column_;
	std::vector<std::string> search_path_;
	std::map<std::string, TableFacts> tables_; /* by schema.name */
	std::vector<std::pair<std::string, std::string>> protected_schemas_;

	static std::string Key(const std::string &schema, const std::string &name);
};

/* "Orders" -> orders, "\"Orders\"" -> Orders, a.b -> {a, b}: SQL identifier rules. */
std::pair<std::string, std::string> SplitQualifiedName(const std::string &text);

} // namespace tlint
