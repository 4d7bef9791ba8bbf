// equality_classes.h — which columns of one query level are known to equal the
// current tenant. Terms are columns (a FROM item and a column name); equalities
// that hold for every row of the level merge their classes (union-find), and a
// class that meets a tenant value is "valued". An outer join's ON clause holds
// only for the side it filters: such an equality is directed, and passes the
// value on to that side only. Solving is linear in terms and equalities.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace tlint {

class EqualityClasses {
public:
	/* The term of (ref, column), created on first use. */
	int Term(int ref, const std::string &column);
	/* The term if it exists, else -1. */
	int Lookup(int ref, const std::string &column) const;

	/* a = b holds for every row. */
	void Union(int a, int b);
	/* a = b holds where `to` is filtered: a value of from's class reaches to's class. */
	void Directed(int from, int to);
	/* The term equals a tenant value (literal: a constant). */
	void MarkValue(int term, bool literal);

	/* Propagates values along directed equalities; call after the last edge. */
	void Solve();

	bool Valued(int term) const;
	bool Literal(int term) const;
	/* The terms of one ref that are valued, by column name. */
	std::vector<std::string> ValuedColumns(int ref) const;

private:
	struct Class {
		bool valued = false;
		bool literal = false;
	};
	/* Most levels have a handful of terms: a linear search, and a map only past kMapAfter. */
	static constexpr size_t kMapAfter = 32;
	struct Entry {
		int ref;
		mutable int parent;
		Class state; /* meaningful at roots */
		std::string column;
	};
	std::unordered_map<std::string, int> by_key_;
	std::vector<Entry> terms_; /* one vector: a level's few terms cost one allocation */
	std::vector<std::pair<int, int>> directed_;

	static std::string Key(int ref, const std::string &column);
	int Find(int term) const;
};

} // namespace tlint
