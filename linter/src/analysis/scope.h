// scope.h — one query level: its FROM items (tables, CTE references,
// sub-queries), the conjuncts that may constrain them, the equalities learnt
// from those conjuncts, and how a column reference finds its FROM item.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/equality_classes.h"
#include "analysis/schema_model.h"
#include "parse/pg_nodes.h"

namespace tlint {

/* What a query level gives its readers: its output columns, and which equal the tenant. */
struct QuerySummary {
	struct Output {
		std::string name; /* empty: unnamed expression */
		bool valued = false;
	};
	std::vector<Output> outputs; /* in order; incomplete when star is set */
	bool star = false;			 /* SELECT * over something whose columns are not all known */
	std::set<std::string> valued_names;

	bool Valued(const std::string &name) const { return valued_names.count(name) > 0; }
	void Add(std::string name, bool valued);
};

/* A FROM item. */
struct Ref {
	const TableFacts *table = nullptr;		 /* a table the schema knows (tenant or not) */
	std::shared_ptr<const QuerySummary> derived; /* a CTE reference or sub-query */
	std::string visible_name;				 /* alias, or the relation name */
	std::string written_name;
	int location = -1;
	const char *verb = "reads";

	bool IsTenant() const { return table != nullptr && table->IsTenantTable(); }
	enum class Has { Yes, No, Unknown };
	Has HasColumn(const std::string &column) const;
};

/* A conjunct and the references it may constrain (all of the level, or an outer join's side). */
struct Conjunct {
	Node *expr = nullptr;
	bool all_eligible = true;
	std::vector<int> eligible;
	bool Eligible(int ref) const;
};

/* A column reference resolved to a FROM item of some level. */
struct ColumnTerm {
	const struct Scope *scope = nullptr;
	int ref = -1;
	std::string column;
};

/*
 * An outer join of a level, kept so that Settle can narrow it as PostgreSQL
 * does: a WHERE equality on a column of a nullable side removes that side's
 * null-extended rows, and with them the other side's unmatched rows.
 */
struct OuterJoin {
	JoinType type = JOIN_LEFT; /* JOIN_LEFT, JOIN_RIGHT or JOIN_FULL */
	std::vector<int> left, right;
	size_t first_conjunct = 0, end_conjunct = 0; /* its ON clause in Scope::conjuncts */
	struct Pair {
		int left, right; /* the FROM items a USING column equates */
		std::string column;
		int merged = -1; /* FULL: the FROM item standing for COALESCE(left, right) */
	};
	std::vector<Pair> using_pairs;
};

struct Scope {
	const Scope *parent = nullptr;
	std::vector<Ref> refs;
	std::vector<Conjunct> conjuncts;
	std::vector<Node *> laterals;	 /* analysed again after this level is settled */
	std::vector<Node *> expressions; /* searched for sub-queries after this level */
	EqualityClasses classes;
	/* A JOIN ... USING column and the FROM item its unqualified name denotes (the join's left side; a RIGHT join's right; a FULL join's merged column). */
	std::vector<std::pair<std::string, int>> merged;
	std::vector<OuterJoin> outer_joins;
	bool settled = false;

	/* Room for a typical level at once: one allocation each instead of a growth series. */
	Scope()
	{
		refs.reserve(4);
		conjuncts.reserve(4);
		expressions.reserve(6);
	}
	void AddRef(Ref ref);
	/* Is the column of this level's ref known to equal the tenant (after settling)? */
	bool Valued(int ref, const std::string &column) const;

	/* The FROM item visible as name: its index, -1 if none, -2 if several. */
	int RefNamed(const std::string &name) const;

private:
	/* Levels with few FROM items search them; larger ones index them by name. */
	static constexpr size_t kIndexAfter = 16;
	std::unordered_map<std::string, std::vector<int>> by_name_;
};

/*
 * The FROM item a ColumnRef names, searching this level, then the enclosing
 * ones; nullopt when ambiguous, unknown, a star, or a PL/pgSQL variable.
 */
std::optional<ColumnTerm> ResolveColumn(Node *node, const Scope &scope,
										const std::set<std::string> &variables);

} // namespace tlint
