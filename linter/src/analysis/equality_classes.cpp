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
	int const term = static_cast<int>(terms_.size());
	if (terms_.empty())
		terms_.reserve(8);
	terms_.push_back({ref, term, {}, column});
	if (terms_.size() == kMapAfter)
		for (size_t t = 0; t < terms_.size(); t++)
			by_key_.emplace(Key(terms_[t].ref, terms_[t].column), static_cast<int>(t));
	else if (terms_.size() > kMapAfter)
		by_key_.emplace(Key(ref, column), term);
	return term;
}

int EqualityClasses::Lookup(int ref, const std::string &column) const
{
	if (terms_.size() < kMapAfter) {
		for (size_t t = 0; t < terms_.size(); t++)
			if (terms_[t].ref == ref && terms_[t].column == column)
				return static_cast<int>(t);
		return -1;
	}
	auto it = by_key_.find(Key(ref, column));
	return it == by_key_.end() ? -1 : it->second;
}

int EqualityClasses::Find(int term) const
{
	int root = term;
	while (terms_[root].parent != root)
		root = terms_[root].parent;
	while (terms_[term].parent != root) { /* path compression keeps finds near O(1) */
		int const next = terms_[term].parent;
		terms_[term].parent = root;
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
	terms_[rb].parent = ra;
	Class &root = terms_[ra].state;
	root.valued = root.valued || terms_[rb].state.valued;
	root.literal = root.literal || terms_[rb].state.literal;
}

void EqualityClasses::Directed(int from, int to) { directed_.emplace_back(from, to); }

void EqualityClasses::MarkValue(int term, bool literal)
{
	Class &c = terms_[Find(term)].state;
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
		if (terms_[entry.first].state.valued)
			queue.push_back(entry.first);
	while (!queue.empty()) {
		int const from = queue.back();
		queue.pop_back();
		auto it = out.find(from);
		if (it == out.end())
			continue;
		for (int to : it->second) {
			Class &target = terms_[to].state;
			bool const from_literal = terms_[from].state.literal;
			bool const gains = !target.valued || (from_literal && !target.literal);
			if (!gains)
				continue;
			target.valued = true;
			target.literal = target.literal || from_literal;
			queue.push_back(to);
		}
	}
}

bool EqualityClasses::Valued(int term) const { return term >= 0 && terms_[Find(term)].state.valued; }

bool EqualityClasses::Literal(int term) const { return term >= 0 && terms_[Find(term)].state.literal; }

std::vector<std::string> EqualityClasses::ValuedColumns(int ref) const
{
	std::vector<std::string> out;
	for (size_t t = 0; t < terms_.size(); t++)
		if (terms_[t].ref == ref && Valued(static_cast<int>(t)))
			out.push_back(terms_[t].column);
	return out;
}

} // namespace tlint
