#include "analysis/schema_model.h"

#include <algorithm>
#include <cctype>

namespace tlint {

SchemaModel::SchemaModel(std::string tenant_column, std::vector<std::string> search_path)
	: tenant_column_(std::move(tenant_column)), search_path_(std::move(search_path))
{
	if (search_path_.empty())
		search_path_.push_back("public");
}

std::string SchemaModel::Key(const std::string &schema, const std::string &name)
{
	return schema + '\x1f' + name;
}

TableFacts &SchemaModel::Table(const std::string &schema, const std::string &name)
{
	std::string const s = schema.empty() ? search_path_.front() : schema;
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
	if (column == tenant_column_ && table.tenant_column.empty())
		table.tenant_column = column;
}

void SchemaModel::DeclareTenantTable(const std::string &schema, const std::string &name,
									 const std::string &column, bool is_protected)
{
	TableFacts &t = Table(schema, name);
	t.tenant_column = column.empty() ? tenant_column_ : column;
	t.is_protected = t.is_protected || is_protected;
}

void SchemaModel::ProtectSchema(const std::string &schema, const std::string &column)
{
	protected_schemas_.emplace_back(schema, column.empty() ? tenant_column_ : column);
}

const TableFacts *SchemaModel::Resolve(const std::string &schema, const std::string &name) const
{
	if (!schema.empty()) {
		auto it = tables_.find(Key(schema, name));
		return it == tables_.end() ? nullptr : &it->second;
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

void SchemaModel::Settle()
{
	/* protect_schema() covers every table of the schema that has the column. */
	for (auto &entry : tables_)
		for (const auto &ps : protected_schemas_) {
			TableFacts &t = entry.second;
			if (t.schema == ps.first &&
				std::find(t.columns.begin(), t.columns.end(), ps.second) != t.columns.end()) {
				t.tenant_column = ps.second;
				t.is_protected = true;
			}
		}
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
