#include "analysis/schema_model.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace tlint {

SchemaModel::SchemaModel(std::vector<std::string> tenant_columns, std::vector<std::string> search_path)
	: tenant_columns_(std::move(tenant_columns)), search_path_(std::move(search_path))
{
	if (search_path_.empty())
		search_path_.push_back("public");
	if (tenant_columns_.empty())
		tenant_columns_.push_back("tenant_id");
}

std::string SchemaModel::Key(const std::string &schema, const std::string &name)
{
	return schema + '\x1f' + name;
}

TableFacts &SchemaModel::Table(const std::string &schema, const std::string &name)
{
	std::string const s = schema.empty() ? search_path_.front() : schema;
	indexed_ = false;
	TableFacts &t = tables_[Key(s, name)];
	if (t.name.empty()) {
		t.schema = s;
		t.name = name;
	}
	return t;
}

void SchemaModel::AddColumn(TableFacts &table, const std::string &column)
{
	if (std::find(table.columns.begin(), table.columns.end(), column) == table.columns.end())
		table.columns.push_back(column);
}

void SchemaModel::DeclareTenantTable(const std::string &schema, const std::string &name,
									 const std::string &column, bool is_protected,
									 const std::string &from)
{
	TableFacts &t = Table(schema, name);
	t.tenant_column = column.empty() ? tenant_columns_.front() : column;
	t.column_from = from;
	if (t.table_from.empty())
		t.table_from = from;
	if (is_protected && !t.is_protected)
		t.protection_from = from;
	t.is_protected = t.is_protected || is_protected;
}

void SchemaModel::ProtectSchema(const std::string &schema, const std::string &column,
								const std::string &from)
{
	protected_schemas_.push_back({schema, column.empty() ? tenant_columns_.front() : column, from});
}

void SchemaModel::OverrideTenantColumn(const std::string &schema, const std::string &name,
									   const std::string &column)
{
	TableFacts &t = Table(schema, name);
	overrides_[Key(t.schema, t.name)] = column;
	if (t.table_from.empty())
		t.table_from = "config";
}

const TableFacts *SchemaModel::Resolve(const std::string &schema, const std::string &name) const
{
	if (!schema.empty()) {
		auto it = tables_.find(Key(schema, name));
		return it == tables_.end() ? nullptr : &it->second;
	}
	if (indexed_) {
		auto it = by_name_.find(name);
		return it == by_name_.end() ? nullptr : it->second;
	}
	for (const std::string &s : search_path_) {
		auto it = tables_.find(Key(s, name));
		if (it != tables_.end())
			return &it->second;
	}
	return nullptr;
}

const TableFacts *SchemaModel::ResolveTenantTable(const std::string &schema,
												  const std::string &name) const
{
	const TableFacts *t = Resolve(schema, name);
	return t != nullptr && t->IsTenantTable() ? t : nullptr;
}

std::vector<const TableFacts *> SchemaModel::TenantTables() const
{
	std::vector<const TableFacts *> out;
	for (const auto &entry : tables_)
		if (entry.second.IsTenantTable())
			out.push_back(&entry.second);
	return out;
}

std::vector<const TableFacts *> SchemaModel::AllTables() const
{
	std::vector<const TableFacts *> out;
	for (const auto &entry : tables_)
		out.push_back(&entry.second);
	return out;
}

std::vector<std::string> SchemaModel::ColumnNames() const
{
	std::set<std::string> names;
	for (const auto &entry : tables_)
		names.insert(entry.second.columns.begin(), entry.second.columns.end());
	return {names.begin(), names.end()};
}

namespace {
bool Has(const std::vector<std::string> &list, const std::string &item)
{
	return std::find(list.begin(), list.end(), item) != list.end();
}
} // namespace

void SchemaModel::Settle()
{
	for (auto &entry : tables_) {
		TableFacts &t = entry.second;
		if (t.tenant_column.empty())
			for (const std::string &c : tenant_columns_)
				if (Has(t.columns, c)) {
					t.tenant_column = c;
					t.column_from = t.table_from;
					break;
				}
		/* protect_schema() covers every table of the schema that has the column. */
		for (const ProtectedSchema &ps : protected_schemas_)
			if (t.schema == ps.schema && Has(t.columns, ps.column)) {
				t.tenant_column = ps.column;
				if (!t.is_protected)
					t.protection_from = ps.from;
				t.is_protected = true;
			}
		auto o = overrides_.find(entry.first);
		if (o != overrides_.end()) {
			t.tenant_column = o->second;
			t.column_from = "config";
		}
		t.rls_protected = t.IsTenantTable() && t.rls_enabled && t.rls_forced &&
						  Has(t.policy_columns, t.tenant_column);
	}
	by_name_.clear();
	for (auto s = search_path_.rbegin(); s != search_path_.rend(); ++s) /* the first schema wins */
		for (const auto &entry : tables_)
			if (entry.second.schema == *s)
				by_name_[entry.second.name] = &entry.second;
	indexed_ = true;
}

static std::string ParseIdentifier(const std::string &text, size_t &pos)
{
	std::string out;
	if (pos < text.size() && text[pos] == '"') {
		pos++;
		while (pos < text.size()) {
			if (text[pos] == '"') {
				if (pos + 1 < text.size() && text[pos + 1] == '"') {
					out += '"';
					pos += 2;
					continue;
				}
				pos++;
				break;
			}
			out += text[pos++];
		}
		return out;
	}
	while (pos < text.size() && text[pos] != '.')
		out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[pos++])));
	return out;
}

std::pair<std::string, std::string> SplitQualifiedName(const std::string &text)
{
	size_t pos = 0;
	std::string first = ParseIdentifier(text, pos);
	if (pos < text.size() && text[pos] == '.') {
		pos++;
		return {first, ParseIdentifier(text, pos)};
	}
	return {"", first};
}

} // namespace tlint
