#include "analysis/equality_classes.h"

namespace tlint {

std::string EqualityClasses::Key(int ref, const std::string &column)
{
	return std::to_string(ref) + '\x1f' + column;
}

int EqualityClasses::Term(int ref, const std::string &column)
{
	int const found = Lookup(ref, column);
	if (found >= 0)
		return found;
	int const term = static_cast<int>(parent_.size());
	parent_.push_back(term);
	state_.emplace_back();
	ref_of_.push_back(ref);
	column_of_.push_back(column);
	if (parent_.size() == kMapAfter)
		for (size_t t = 0; t < parent_.size(); t++)
			by_key_.emplace(Key(ref_of_[t], column_of_[t]), static_cast<int>(t));
	else if (parent_.size() > kMapAfter)
		by_key_.emplace(Key(ref, column), term);
	return term;
}

int EqualityClasses::Lookup(int ref, const std::string &column) const
{
	if (parent_.size() < kMapAfter) {
		for (size_t t = 0; t < ref_of_.size(); t++)
			if (ref_of_[t] == ref && column_of_[t] == column)
				return static_cast<int>(t);
		return -1;
	}
	auto it = by_key_.find(Key(ref, column));
	return it == by_key_.end() ? -1 : it->second;
}

int EqualityClasses::Find(int term) const
{
	int root = term;
	while (parent_[root] != root)
		root = parent_[root];
	while (parent_[term] != root) { /* path compression keeps finds near O(1) */
		int const next = parent_[term];
		parent_[term] = root;
		term = next;
	}
	return root;
}

void EqualityClasses::Union(int a, int b)
{
	int const ra = Find(a);
	int const rb = Find(b);
	if (ra == rb)
		return;
	parent_[rb] = ra;
	state_[ra].valued = state_[ra].valued || state_[rb].valued;
	state_[ra].literal = state_[ra].literal || state_[rb].literal;
}

void EqualityClasses::Directed(int from, int to) { directed_.emplace_back(from, to); }

void EqualityClasses::MarkValue(int term, bool literal)
{
	Class &c = state_[Find(term)];
	c.valued = true;
	c.literal = c.literal || literal;
}

void EqualityClasses::Solve()
{
	if (directed_.empty())
		return;
	/* Edges by source class; a class is queued when it gains a value or a literal. */
	std::unordered_map<int, std::vector<int>> out;
	for (const auto &[from, to] : directed_)
		out[Find(from)].push_back(Find(to));
	std::vector<int> queue;
	for (const auto &entry : out)
		if (state_[entry.first].valued)
			queue.push_back(entry.first);
	while (!queue.empty()) {
		int const from = queue.back();
		queue.pop_back();
		auto it = out.find(from);
		if (it == out.end())
			continue;
		for (int to : it->second) {
			Class &target = state_[to];
			bool const gains = !target.valued || (state_[from].literal && !target.literal);
			if (!gains)
				continue;
			target.valued = true;
			target.literal = target.literal || state_[from].literal;
			queue.push_back(to);
		}
	}
}

bool EqualityClasses::Valued(int term) const { return term >= 0 && state_[Find(term)].valued; }

bool EqualityClasses::Literal(int term) const { return term >= 0 && state_[Find(term)].literal; }

std::vector<std::string> EqualityClasses::ValuedColumns(int ref) const
{
	std::vector<std::string> out;
	for (size_t t = 0; t < ref_of_.size(); t++)
		if (ref_of_[t] == ref && Valued(static_cast<int>(t)))
			out.push_back(column_of_[t]);
	return out;
}

} // namespace tlint
