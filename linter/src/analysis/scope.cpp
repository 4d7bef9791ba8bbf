#include "analysis/scope.h"

#include <algorithm>

#include "analysis/node_utils.h"

namespace tlint {

void QuerySummary::Add(std::string name, bool valued)
{
	if (valued && !name.empty())
		valued_names.insert(name);
	outputs.push_back({std::move(name), valued});
}

Ref::Has Ref::HasColumn(const std::string &column) const
{
	if (table != nullptr) {
		bool const listed = std::find(table->columns.begin(), table->columns.end(), column) !=
								table->columns.end() ||
							table->tenant_column == column;
		if (listed)
			return Has::Yes;
		return table->columns_complete ? Has::No : Has::Unknown;
	}
	if (derived != nullptr) {
		for (const QuerySummary::Output &o : derived->outputs)
			if (o.name == column)
				return Has::Yes;
		return derived->star ? Has::Unknown : Has::No;
	}
	return Has::Unknown;
}

bool Conjunct::Eligible(int ref) const
{
	return all_eligible || std::find(eligible.begin(), eligible.end(), ref) != eligible.end();
}

void Scope::AddRef(Ref ref)
{
	refs.push_back(std::move(ref));
	if (refs.size() == kIndexAfter)
		for (size_t i = 0; i < refs.size(); i++)
			by_name_[refs[i].visible_name].push_back(static_cast<int>(i));
	else if (refs.size() > kIndexAfter)
		by_name_[refs.back().visible_name].push_back(static_cast<int>(refs.size()) - 1);
}

bool Scope::Valued(int ref, const std::string &column) const
{
	return settled && classes.Valued(classes.Lookup(ref, column));
}

int Scope::RefNamed(const std::string &name) const
{
	if (refs.size() < kIndexAfter) {
		int found = -1;
		for (size_t i = 0; i < refs.size(); i++)
			if (refs[i].visible_name == name) {
				if (found >= 0)
					return -2;
				found = static_cast<int>(i);
			}
		return found;
	}
	auto it = by_name_.find(name);
	if (it == by_name_.end())
		return -1;
	return it->second.size() == 1 ? it->second.front() : -2;
}

namespace {

enum class Found { Here, Ambiguous, NotHere };

/* An unqualified column: the one FROM item of the level that has it. */
Found FindUnqualified(const Scope &s, const std::string &column, bool allow_unknown, int &ref)
{
	/* After JOIN ... USING (col), col names the merged column, not one side's: no ambiguity. */
	for (auto it = s.merged.rbegin(); it != s.merged.rend(); ++it)
		if (it->first == column) {
			ref = it->second;
			return Found::Here;
		}
	int yes = -1, yes_count = 0, unknown = -1, unknown_count = 0;
	for (size_t i = 0; i < s.refs.size(); i++) {
		switch (s.refs[i].HasColumn(column)) {
		case Ref::Has::Yes:
			yes = static_cast<int>(i);
			yes_count++;
			break;
		case Ref::Has::Unknown:
			unknown = static_cast<int>(i);
			unknown_count++;
			break;
		case Ref::Has::No:
			break;
		}
	}
	if (yes_count == 1) {
		ref = yes;
		return Found::Here;
	}
	if (yes_count > 1)
		return Found::Ambiguous; /* PostgreSQL would refuse it too */
	if (!allow_unknown)
		return Found::NotHere; /* a variable of that name: only a column known to exist wins */
	if (unknown_count == 1 && s.refs.size() == 1) {
		ref = unknown;
		return Found::Here;
	}
	return unknown_count > 0 ? Found::Ambiguous : Found::NotHere;
}

} // namespace

std::optional<ColumnTerm> ResolveColumn(Node *node, const Scope &scope,
										const std::set<std::string> &variables)
{
	if (node == nullptr)
		return std::nullopt;
	if (IsA(node, TypeCast))
		return ResolveColumn(reinterpret_cast<TypeCast *>(node)->arg, scope, variables);
	if (!IsA(node, ColumnRef))
		return std::nullopt;
	List *fields = reinterpret_cast<ColumnRef *>(node)->fields;
	int const n = list_length(fields);
	if (n == 0 || !IsA(static_cast<Node *>(llast(fields)), String))
		return std::nullopt;
	std::string column = LastName(fields);
	std::string const qualifier = n >= 2 ? SchemaOfName(fields) : "";
	for (const Scope *s = &scope; s != nullptr; s = s->parent) {
		if (!qualifier.empty()) {
			int const named = s->RefNamed(qualifier);
			if (named == -1)
				continue;
			if (named == -2)
				return std::nullopt;
			return ColumnTerm{s, named, std::move(column)};
		}
		int ref = -1;
		bool const variable = !variables.empty() && variables.count(column) > 0;
		switch (FindUnqualified(*s, column, !variable, ref)) {
		case Found::Here:
			return ColumnTerm{s, ref, std::move(column)};
		case Found::Ambiguous:
			return std::nullopt;
		case Found::NotHere:
			break;
		}
		/* A PL/pgSQL variable or function argument shadows nothing further out. */
		if (variable)
			return std::nullopt;
	}
	return std::nullopt;
}

} // namespace tlint
