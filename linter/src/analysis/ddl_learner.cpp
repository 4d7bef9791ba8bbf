#include "analysis/ddl_learner.h"

#include <cctype>
#include <cstring>

#include "analysis/node_utils.h"
#include "analysis/tree_walk.h"

namespace tlint {

namespace {

std::string SchemaOf(RangeVar *rv) { return rv->schemaname != nullptr ? rv->schemaname : ""; }

void CopyColumns(SchemaModel &model, TableFacts &to, const TableFacts *from)
{
	if (from == nullptr)
		return;
	for (const std::string &c : from->columns)
		model.AddColumn(to, c);
	if (to.tenant_column.empty())
		to.tenant_column = from->tenant_column;
}

void LearnCreate(CreateStmt *stmt, SchemaModel &model, const std::string &from)
{
	RangeVar *rv = stmt->relation;
	TableFacts &table = model.Table(SchemaOf(rv), rv->relname);
	if (table.table_from.empty())
		table.table_from = from;
	bool complete = true;
	ListCell *lc;
	/* PARTITION OF / INHERITS: the parent's columns come first. */
	foreach (lc, stmt->inhRelations) {
		auto *parent = static_cast<RangeVar *>(lfirst(lc));
		const TableFacts *facts = model.Resolve(SchemaOf(parent), parent->relname);
		complete = complete && facts != nullptr && facts->columns_complete;
		CopyColumns(model, table, facts);
		if (stmt->partbound != nullptr && facts != nullptr && facts->is_protected) {
			table.is_protected = true; /* protected through its parent by the event trigger */
			table.protection_from = from + " (partition of a protected table)";
		}
	}
	foreach (lc, stmt->tableElts) {
		auto *elt = static_cast<Node *>(lfirst(lc));
		if (IsA(elt, ColumnDef)) {
			model.AddColumn(table, reinterpret_cast<ColumnDef *>(elt)->colname);
		} else if (IsA(elt, TableLikeClause)) {
			RangeVar *like = reinterpret_cast<TableLikeClause *>(elt)->relation;
			const TableFacts *facts = model.Resolve(SchemaOf(like), like->relname);
			complete = complete && facts != nullptr && facts->columns_complete;
			CopyColumns(model, table, facts);
		}
	}
	table.columns_complete = complete && stmt->partbound == nullptr;
}

void LearnAlter(AlterTableStmt *stmt, SchemaModel &model)
{
	if (stmt->objtype != OBJECT_TABLE || stmt->relation == nullptr)
		return;
	ListCell *lc;
	foreach (lc, stmt->cmds) {
		auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
		TableFacts &table = model.Table(SchemaOf(stmt->relation), stmt->relation->relname);
		switch (cmd->subtype) {
		case AT_AddColumn:
			if (cmd->def != nullptr && IsA(cmd->def, ColumnDef))
				model.AddColumn(table, reinterpret_cast<ColumnDef *>(cmd->def)->colname);
			break;
		/* Row-level security that is the schema's own (as pg_dump shows it), for --trust-rls. */
		case AT_EnableRowSecurity:
			table.rls_enabled = true;
			break;
		case AT_DisableRowSecurity:
			table.rls_enabled = false;
			break;
		case AT_ForceRowSecurity:
			table.rls_forced = true;
			break;
		case AT_NoForceRowSecurity:
			table.rls_forced = false;
			break;
		default:
			break;
		}
	}
}

void LearnPolicy(CreatePolicyStmt *stmt, SchemaModel &model, const std::string &from)
{
	if (stmt->table == nullptr)
		return;
	TableFacts &table = model.Table(SchemaOf(stmt->table), stmt->table->relname);
	bool const first = table.policy_columns.empty();
	for (Node *expr : {stmt->qual, stmt->with_check})
		WalkColumnRefs(expr, [&](ColumnRef *ref) {
			std::string const column = LastName(ref->fields);
			if (!column.empty())
				table.policy_columns.push_back(column);
		});
	if (first && !table.policy_columns.empty())
		table.protection_from = from + " (row-level security policy " + stmt->policy_name + ")";
}

void LearnProtectCall(FuncCall *call, SchemaModel &model, const std::string &from)
{
	std::string const name = LastName(call->funcname);
	std::string const schema = SchemaOfName(call->funcname);
	if (!schema.empty() && schema != "tenant_guard")
		return;
	if (name == "protect") {
		std::vector<Node *> args = CallArguments(call, {"tbl", "tenant_column"});
		std::optional<std::string> table = ConstantString(args[0]);
		if (!table)
			return;
		std::optional<std::string> column = ConstantString(args[1]);
		auto const [table_schema, table_name] = SplitQualifiedName(*table);
		model.DeclareTenantTable(table_schema, table_name, column.value_or(""), true,
								 from + " (tenant_guard.protect)");
	} else if (name == "protect_schema") {
		std::vector<Node *> args = CallArguments(call, {"schema_name", "tenant_column"});
		std::optional<std::string> target = ConstantString(args[0]);
		if (target)
			model.ProtectSchema(*target, ConstantString(args[1]).value_or(""),
							   from + " (tenant_guard.protect_schema)");
	}
}

void LearnSelect(SelectStmt *stmt, SchemaModel &model, const std::string &from)
{
	ListCell *lc;
	foreach (lc, stmt->targetList) {
		Node *val = static_cast<ResTarget *>(lfirst(lc))->val;
		if (val != nullptr && IsA(val, FuncCall))
			LearnProtectCall(reinterpret_cast<FuncCall *>(val), model, from);
	}
}

} // namespace

void LearnFromStatement(Node *raw_statement, SchemaModel &model, const std::string &from)
{
	Node *stmt = raw_statement;
	if (stmt != nullptr && IsA(stmt, RawStmt))
		stmt = reinterpret_cast<RawStmt *>(stmt)->stmt;
	if (stmt == nullptr)
		return;
	switch (nodeTag(stmt)) {
	case T_CreateStmt:
		return LearnCreate(reinterpret_cast<CreateStmt *>(stmt), model, from);
	case T_AlterTableStmt:
		return LearnAlter(reinterpret_cast<AlterTableStmt *>(stmt), model);
	case T_SelectStmt:
		return LearnSelect(reinterpret_cast<SelectStmt *>(stmt), model, from);
	case T_CreatePolicyStmt:
		return LearnPolicy(reinterpret_cast<CreatePolicyStmt *>(stmt), model, from);
	default:
		return;
	}
}

/* Skips spaces and comments: the offset of the first token. */
static size_t FirstToken(const char *text, size_t length)
{
	size_t i = 0;
	while (i < length) {
		if (std::isspace(static_cast<unsigned char>(text[i]))) {
			i++;
		} else if (i + 1 < length && text[i] == '-' && text[i + 1] == '-') {
			while (i < length && text[i] != '\n')
				i++;
		} else if (i + 1 < length && text[i] == '/' && text[i + 1] == '*') {
			const char *end = strstr(text + i + 2, "*/");
			i = end == nullptr || end >= text + length ? length : static_cast<size_t>(end - text) + 2;
		} else {
			break;
		}
	}
	return i;
}

size_t FirstTokenOffset(std::string_view text) { return FirstToken(text.data(), text.size()); }

bool MayDeclareSchema(const char *text, size_t length)
{
	size_t i = FirstToken(text, length);
	auto starts_with = [&](const char *word) {
		size_t const n = strlen(word);
		if (i + n > length)
			return false;
		for (size_t k = 0; k < n; k++)
			if (std::tolower(static_cast<unsigned char>(text[i + k])) != word[k])
				return false;
		return true;
	};
	if (starts_with("create") || starts_with("alter"))
		return true;
	if (!starts_with("select"))
		return false;
	std::string_view const body(text, length);
	return body.find("protect") != std::string_view::npos;
}

} // namespace tlint
