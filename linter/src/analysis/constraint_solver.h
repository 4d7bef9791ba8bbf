// constraint_solver.h — settles one query level: turns its conjuncts into
// equalities between columns and with tenant values (EqualityClasses), and
// words, for a tenant table left unconstrained, the one reason a predicate on
// its tenant column does not count.
//
// Counted: col = value, value = col, IS NOT DISTINCT FROM, IN (one value),
// col = col chains through any column, (a, b) IN (SELECT ...) and
// col = (SELECT ...) when the sub-query's column equals the tenant, FROM items
// (CTEs, sub-queries) whose output column equals the tenant, and, when
// any_tenant_parameter is on, col = ANY(parameter). An OR counts what every
// branch counts; an outer join's ON clause counts only for its nullable side,
// and for the other side too when a WHERE equality on a nullable side's column
// removes the rows that side is missing from (as PostgreSQL narrows the join).
// A FULL join's USING column is COALESCE(left, right): a value of it reaches
// the rows of both sides.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "analysis/scope.h"
#include "analysis/tenant_values.h"

namespace tlint {

/* The output columns of a sub-query in an expression, or nullptr when not known. */
using SublinkSummarizer = std::function<std::shared_ptr<const QuerySummary>(SubLink *, const Scope &)>;

class ConstraintSolver {
public:
	ConstraintSolver(const ValueJudge &values, SublinkSummarizer summarize)
		: values_(values), summarize_(std::move(summarize)) {}

	/* Applies every conjunct and marks the level settled. */
	void Settle(Scope &scope) const;

	/* Does a column or expression equal the current tenant, seen from scope? */
	ValueKind ValueOf(Node *node, const Scope &scope) const;

	/* Why the tenant table at ref is not constrained; empty when nothing mentions its column. */
	std::string BypassReason(const Scope &scope, int ref) const;

	/* JOIN ... USING and other equalities between two columns of the level. */
	static void Equate(Scope &scope, int ref_a, const std::string &col_a, int ref_b,
					   const std::string &col_b, const Conjunct &where);

private:
	const ValueJudge &values_;
	SublinkSummarizer summarize_;

	struct Mark {
		int ref;
		std::string column;
		bool literal;
	};

	void NarrowOuterJoins(Scope &scope) const;
	void StrictRefs(Node *expr, const Scope &scope, std::vector<int> &out) const;
	void Apply(Node *expr, const Conjunct &c, Scope &scope) const;
	void ApplyEquality(Node *l, Node *r, const Conjunct &c, Scope &scope) const;
	void ApplyInSublink(SubLink *link, const Conjunct &c, Scope &scope) const;
	void ApplyOr(BoolExpr *b, const Conjunct &c, Scope &scope) const;
	void BranchMarks(Node *expr, const Scope &scope, std::vector<Mark> &out) const;
	void BranchEqualityMarks(Node *l, Node *r, const Scope &scope, std::vector<Mark> &out) const;
	void MarkIfEligible(Scope &scope, const Conjunct &c, const ColumnTerm &t, bool literal) const;
	std::optional<ColumnTerm> Local(Node *node, const Scope &scope) const;

	std::string AtomReason(Node *atom, const Scope &scope, int ref, const std::string &column,
						   bool under_or) const;
	std::string FindReason(Node *expr, const Conjunct &c, const Scope &scope, int ref,
						   const std::string &column, bool under_or, bool under_not) const;
	bool Mentions(Node *expr, const Scope &scope, int ref, const std::string &column) const;
};

/* For = and its kin: the two sides (IN with one value included); set: = ANY(...). */
bool EqualitySides(A_Expr *e, Node *&left, Node *&right, bool &set);

} // namespace tlint
