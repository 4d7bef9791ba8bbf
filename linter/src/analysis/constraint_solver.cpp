#include "analysis/constraint_solver.h"

#include <algorithm>
#include <cstring>

#include "analysis/node_utils.h"
#include "analysis/tree_walk.h"

namespace tlint {

bool EqualitySides(A_Expr *e, Node *&left, Node *&right, bool &set)
{
	left = e->lexpr;
	right = e->rexpr;
	set = false;
	/* The operator's last name, compared in place: this runs for every operator of every predicate. */
	Node *const last = e->name != nullptr ? static_cast<Node *>(llast(e->name)) : nullptr;
	bool const op = last != nullptr && IsA(last, String) && std::strcmp(strVal(last), "=") == 0;
	if ((e->kind == AEXPR_OP && op) || e->kind == AEXPR_NOT_DISTINCT)
		return true;
	if (e->kind == AEXPR_OP_ANY && op) {
		set = true;
		return true;
	}
	if (e->kind == AEXPR_IN && op && right != nullptr && IsA(right, List) &&
		list_length(reinterpret_cast<List *>(right)) == 1) {
		right = static_cast<Node *>(linitial(reinterpret_cast<List *>(right)));
		/* IN (sqlc.slice(ids)) is sqlc's = ANY($1). */
		set = IsA(right, FuncCall) && IsSqlcSlice(reinterpret_cast<FuncCall *>(right));
		return true;
	}
	return false;
}

/* (a, b) = (x, y) holds exactly when a = x and b = y: the pairs, or false when l and r are not rows of one length. */
bool RowPairs(Node *l, Node *r, std::vector<std::pair<Node *, Node *>> &pairs)
{
	if (l == nullptr || r == nullptr || !IsA(l, RowExpr) || !IsA(r, RowExpr))
		return false;
	List *const la = reinterpret_cast<RowExpr *>(l)->args;
	List *const ra = reinterpret_cast<RowExpr *>(r)->args;
	if (list_length(la) != list_length(ra))
		return false;
	for (int i = 0; i < list_length(la); i++)
		pairs.emplace_back(static_cast<Node *>(list_nth(la, i)), static_cast<Node *>(list_nth(ra, i)));
	return true;
}

namespace {

/* Is ref the FROM item `term`, or a side of the FULL join whose merged column `term` is? */
bool Covers(const Scope &scope, int term, int ref, const std::string &column)
{
	if (term == ref)
		return true;
	for (const OuterJoin &j : scope.outer_joins)
		for (const OuterJoin::Pair &p : j.using_pairs)
			if (p.merged == term && p.column == column)
				return Covers(scope, p.left, ref, column) || Covers(scope, p.right, ref, column);
	return false;
}

} // namespace

std::optional<ColumnTerm> ConstraintSolver::Local(Node *node, const Scope &scope) const
{
	std::optional<ColumnTerm> t = ResolveColumn(node, scope, values_.Variables());
	if (t && t->scope == &scope)
		return t;
	return std::nullopt;
}

ValueKind ConstraintSolver::ValueOf(Node *node, const Scope &scope) const
{
	ValueKind const kind = values_.Of(node);
	if (kind != ValueKind::None)
		return kind;
	if (std::optional<ColumnTerm> t = ResolveColumn(node, scope, values_.Variables()))
		return t->scope->Valued(t->ref, t->column) ? ValueKind::Tenant : ValueKind::None;
	if (node != nullptr && IsA(node, SubLink)) {
		auto *link = reinterpret_cast<SubLink *>(node);
		if (link->subLinkType == EXPR_SUBLINK)
			if (auto summary = summarize_(link, scope))
				if (!summary->outputs.empty() && summary->outputs.front().valued)
					return ValueKind::Tenant;
	}
	return ValueKind::None;
}

void ConstraintSolver::Equate(Scope &scope, int ref_a, const std::string &col_a, int ref_b,
							  const std::string &col_b, const Conjunct &where)
{
	bool const a = where.Eligible(ref_a);
	bool const b = where.Eligible(ref_b);
	if (!a && !b)
		return;
	int const ta = scope.classes.Term(ref_a, col_a);
	int const tb = scope.classes.Term(ref_b, col_b);
	if (a && b)
		scope.classes.Union(ta, tb);
	else if (b)
		scope.classes.Directed(ta, tb);
	else
		scope.classes.Directed(tb, ta);
}

void ConstraintSolver::MarkIfEligible(Scope &scope, const Conjunct &c, const ColumnTerm &t,
									  bool literal) const
{
	if (c.Eligible(t.ref))
		scope.classes.MarkValue(scope.classes.Term(t.ref, t.column), literal);
}

void ConstraintSolver::ApplyEquality(Node *l, Node *r, const Conjunct &c, Scope &scope) const
{
	std::optional<ColumnTerm> lt = Local(l, scope);
	std::optional<ColumnTerm> rt = Local(r, scope);
	if (lt && rt) {
		Equate(scope, lt->ref, lt->column, rt->ref, rt->column, c);
		return;
	}
	if (lt) {
		ValueKind const v = ValueOf(r, scope);
		if (v != ValueKind::None)
			MarkIfEligible(scope, c, *lt, v == ValueKind::Literal);
	} else if (rt) {
		ValueKind const v = ValueOf(l, scope);
		if (v != ValueKind::None)
			MarkIfEligible(scope, c, *rt, v == ValueKind::Literal);
	}
}

/* (tenant_id, id) IN (SELECT tenant_id, id FROM to_delete): position by position. */
void ConstraintSolver::ApplyInSublink(SubLink *link, const Conjunct &c, Scope &scope) const
{
	if (link->operName != nullptr && LastName(link->operName) != "=")
		return;
	std::shared_ptr<const QuerySummary> summary = summarize_(link, scope);
	if (summary == nullptr)
		return;
	std::vector<Node *> tested;
	if (link->testexpr != nullptr && IsA(link->testexpr, RowExpr)) {
		ListCell *lc;
		foreach (lc, reinterpret_cast<RowExpr *>(link->testexpr)->args)
			tested.push_back(static_cast<Node *>(lfirst(lc)));
	} else {
		tested.push_back(link->testexpr);
	}
	if (summary->star && summary->outputs.size() < tested.size())
		return; /* SELECT *: positions unknown */
	for (size_t i = 0; i < tested.size() && i < summary->outputs.size(); i++)
		if (summary->outputs[i].valued)
			if (std::optional<ColumnTerm> t = Local(tested[i], scope))
				MarkIfEligible(scope, c, *t, false);
}

/* The columns one OR branch ties to a tenant value directly. */
void ConstraintSolver::BranchMarks(Node *expr, const Scope &scope, std::vector<Mark> &out) const
{
	if (expr == nullptr)
		return;
	if (IsA(expr, BoolExpr)) {
		auto *b = reinterpret_cast<BoolExpr *>(expr);
		ListCell *lc;
		if (b->boolop == AND_EXPR) {
			foreach (lc, b->args)
				BranchMarks(static_cast<Node *>(lfirst(lc)), scope, out);
		} else if (b->boolop == OR_EXPR) {
			bool first = true;
			std::vector<Mark> common;
			foreach (lc, b->args) {
				std::vector<Mark> branch;
				BranchMarks(static_cast<Node *>(lfirst(lc)), scope, branch);
				if (first) {
					common = std::move(branch);
					first = false;
					continue;
				}
				std::vector<Mark> kept;
				for (const Mark &m : common)
					for (const Mark &n : branch)
						if (m.ref == n.ref && m.column == n.column) {
							kept.push_back({m.ref, m.column, m.literal && n.literal});
							break;
						}
				common = std::move(kept);
			}
			out.insert(out.end(), common.begin(), common.end());
		}
		return;
	}
	if (!IsA(expr, A_Expr))
		return;
	Node *l, *r;
	bool set;
	if (!EqualitySides(reinterpret_cast<A_Expr *>(expr), l, r, set))
		return;
	if (set) {
		if (values_.AcceptsSets() && values_.IsSetParameter(r))
			if (std::optional<ColumnTerm> t = Local(l, scope))
				out.push_back({t->ref, t->column, false});
		return;
	}
	BranchEqualityMarks(l, r, scope, out);
}

void ConstraintSolver::BranchEqualityMarks(Node *l, Node *r, const Scope &scope,
										   std::vector<Mark> &out) const
{
	std::vector<std::pair<Node *, Node *>> pairs;
	if (RowPairs(l, r, pairs)) {
		for (auto [a, b] : pairs)
			BranchEqualityMarks(a, b, scope, out);
		return;
	}
	for (int side = 0; side < 2; side++) {
		std::optional<ColumnTerm> t = Local(side == 0 ? l : r, scope);
		ValueKind const v = t ? ValueOf(side == 0 ? r : l, scope) : ValueKind::None;
		if (v != ValueKind::None)
			out.push_back({t->ref, t->column, v == ValueKind::Literal});
	}
}

void ConstraintSolver::ApplyOr(BoolExpr *b, const Conjunct &c, Scope &scope) const
{
	std::vector<Mark> marks;
	BranchMarks(reinterpret_cast<Node *>(b), scope, marks);
	for (const Mark &m : marks)
		MarkIfEligible(scope, c, ColumnTerm{&scope, m.ref, m.column}, m.literal);
}

void ConstraintSolver::Apply(Node *expr, const Conjunct &c, Scope &scope) const
{
	if (expr == nullptr)
		return;
	if (IsA(expr, BoolExpr)) {
		auto *b = reinterpret_cast<BoolExpr *>(expr);
		if (b->boolop == AND_EXPR) {
			ListCell *lc;
			foreach (lc, b->args)
				Apply(static_cast<Node *>(lfirst(lc)), c, scope);
		} else if (b->boolop == OR_EXPR) {
			ApplyOr(b, c, scope);
		}
		return;
	}
	if (IsA(expr, SubLink)) {
		auto *link = reinterpret_cast<SubLink *>(expr);
		if (link->subLinkType == ANY_SUBLINK)
			ApplyInSublink(link, c, scope);
		return;
	}
	if (!IsA(expr, A_Expr))
		return;
	Node *l, *r;
	bool set;
	if (!EqualitySides(reinterpret_cast<A_Expr *>(expr), l, r, set))
		return;
	if (std::vector<std::pair<Node *, Node *>> pairs; !set && RowPairs(l, r, pairs)) {
		for (auto [a, b] : pairs)
			ApplyEquality(a, b, c, scope);
		return;
	}
	if (!set)
		return ApplyEquality(l, r, c, scope);
	if (values_.AcceptsSets() && values_.IsSetParameter(r))
		if (std::optional<ColumnTerm> t = Local(l, scope))
			MarkIfEligible(scope, c, *t, false);
}

/* The FROM items whose columns an equality compares: where one of them has no row (NULL), the comparison fails. */
void ConstraintSolver::StrictRefs(Node *expr, const Scope &scope, std::vector<int> &out) const
{
	if (expr == nullptr || !IsA(expr, A_Expr) || reinterpret_cast<A_Expr *>(expr)->kind == AEXPR_NOT_DISTINCT)
		return;
	Node *l, *r;
	bool set;
	if (!EqualitySides(reinterpret_cast<A_Expr *>(expr), l, r, set))
		return;
	std::vector<std::pair<Node *, Node *>> pairs;
	if (set || !RowPairs(l, r, pairs))
		pairs.emplace_back(l, set ? nullptr : r);
	for (auto [a, b] : pairs)
		for (Node *side : {a, b})
			if (std::optional<ColumnTerm> t = Local(side, scope))
				out.push_back(t->ref);
}

/*
 * An outer join's side loses its unmatched rows when the WHERE clause compares
 * a column of the other side with =: those rows have NULL there. Its ON clause
 * then filters that side as well (a LEFT join acts as an inner one, a FULL
 * join as a LEFT or RIGHT one), and a FULL join's merged column is the side
 * that every row has.
 */
void ConstraintSolver::NarrowOuterJoins(Scope &scope) const
{
	if (scope.outer_joins.empty())
		return;
	std::vector<int> strict;
	for (const Conjunct &c : scope.conjuncts)
		if (c.all_eligible)
			StrictRefs(c.expr, scope, strict);
	auto has_strict = [&strict](const std::vector<int> &side) {
		return std::any_of(side.begin(), side.end(), [&strict](int ref) {
			return std::find(strict.begin(), strict.end(), ref) != strict.end();
		});
	};
	for (const OuterJoin &j : scope.outer_joins) {
		bool const left_kept = j.type != JOIN_RIGHT && !has_strict(j.right);
		bool const right_kept = j.type != JOIN_LEFT && !has_strict(j.left);
		if (left_kept == (j.type != JOIN_RIGHT) && right_kept == (j.type != JOIN_LEFT))
			continue; /* nothing narrowed */
		Conjunct on;
		on.all_eligible = false;
		if (!left_kept)
			on.eligible = j.left;
		if (!right_kept)
			on.eligible.insert(on.eligible.end(), j.right.begin(), j.right.end());
		for (size_t k = j.first_conjunct; k < j.end_conjunct; k++)
			scope.conjuncts[k].eligible = on.eligible;
		for (const OuterJoin::Pair &p : j.using_pairs) {
			Equate(scope, p.left, p.column, p.right, p.column, on);
			if (p.merged < 0)
				continue;
			int const merged = scope.classes.Term(p.merged, p.column);
			if (!right_kept) /* every row has its left side */
				scope.classes.Union(merged, scope.classes.Term(p.left, p.column));
			if (!left_kept)
				scope.classes.Union(merged, scope.classes.Term(p.right, p.column));
		}
	}
}

void ConstraintSolver::Settle(Scope &scope) const
{
	NarrowOuterJoins(scope);
	/* A FROM item whose output column equals the tenant passes it on. */
	for (size_t i = 0; i < scope.refs.size(); i++)
		if (scope.refs[i].derived != nullptr)
			for (const std::string &name : scope.refs[i].derived->valued_names)
				scope.classes.MarkValue(scope.classes.Term(static_cast<int>(i), name), false);
	for (const Conjunct &c : scope.conjuncts)
		Apply(c.expr, c, scope);
	scope.classes.Solve();
	scope.settled = true;
}

/* ---- why a predicate does not count ----------------------------------- */


bool ConstraintSolver::Mentions(Node *expr, const Scope &scope, int ref,
								const std::string &column) const
{
	bool found = false;
	WalkColumnRefs(expr, [&](ColumnRef *n) {
		if (found)
			return;
		std::optional<ColumnTerm> t = ResolveColumn(reinterpret_cast<Node *>(n), scope, values_.Variables());
		found = t && t->scope == &scope && t->column == column && Covers(scope, t->ref, ref, column);
	});
	return found;
}

namespace {

std::string OperatorWord(A_Expr *e)
{
	switch (e->kind) {
	case AEXPR_LIKE:
		return "LIKE";
	case AEXPR_ILIKE:
		return "ILIKE";
	case AEXPR_SIMILAR:
		return "SIMILAR TO";
	case AEXPR_BETWEEN:
	case AEXPR_NOT_BETWEEN:
	case AEXPR_BETWEEN_SYM:
	case AEXPR_NOT_BETWEEN_SYM:
		return "BETWEEN";
	case AEXPR_DISTINCT:
		return "IS DISTINCT FROM";
	case AEXPR_IN:
		return LastName(e->name) == "=" ? "IN" : "NOT IN";
	default:
		return LastName(e->name);
	}
}

std::string ColumnText(Node *node)
{
	while (node != nullptr && IsA(node, TypeCast))
		node = reinterpret_cast<TypeCast *>(node)->arg;
	if (node == nullptr || !IsA(node, ColumnRef))
		return {};
	std::string text;
	ListCell *lc;
	foreach (lc, reinterpret_cast<ColumnRef *>(node)->fields) {
		std::string const part = StringValue(static_cast<Node *>(lfirst(lc)));
		text += (text.empty() ? "" : ".") + (part.empty() ? "*" : part);
	}
	return text;
}

} // namespace

std::string ConstraintSolver::AtomReason(Node *atom, const Scope &scope, int ref,
										 const std::string &column, bool under_or) const
{
	std::string const col = column;
	if (IsA(atom, NullTest))
		return col + " IS " +
			   (reinterpret_cast<NullTest *>(atom)->nulltesttype == IS_NULL ? "NULL" : "NOT NULL") +
			   " does not pick a tenant";
	if (IsA(atom, SubLink))
		return col + " is compared with a sub-query whose rows are not tied to the current tenant";
	if (!IsA(atom, A_Expr))
		return "the predicate on " + col + " does not equate it with the current tenant";
	auto *e = reinterpret_cast<A_Expr *>(atom);
	Node *l, *r;
	bool set;
	if (!EqualitySides(e, l, r, set)) {
		if (e->kind == AEXPR_IN)
			return col + " IN (...) admits several tenants";
		return col + " is compared with " + OperatorWord(e) + ", not =";
	}
	if (set) {
		if (!values_.AcceptsSets())
			return col + " = ANY(...) admits a set of tenants (set any_tenant_parameter = true to "
						 "accept a parameter holding the tenants the application allows)";
		if (!values_.IsSetParameter(r))
			return col + " = ANY(...) takes its tenants from something that is not a parameter";
	}
	std::optional<ColumnTerm> lt = Local(l, scope);
	bool const ours_left = lt && lt->column == column && Covers(scope, lt->ref, ref, column);
	Node *other = ours_left ? r : l;
	std::optional<ColumnTerm> ot = Local(other, scope);
	if (ot && ot->column == column && Covers(scope, ot->ref, ref, column))
		return "the predicate compares " + col + " with itself";
	if (Mentions(other, scope, ref, column))
		return "the predicate compares " + col + " with an expression of " + col +
			   " itself, which every row can match";
	if (!set && ValueOf(other, scope) == ValueKind::None) {
		std::string const name = ColumnText(other);
		if (!name.empty())
			return col + " is equated with " + name + ", which is not tied to the current tenant";
		return col + " is compared with a value that is not the current tenant (a parameter, the "
					 "tenant setting or a tenant function)";
	}
	if (under_or)
		return "the predicate on " + col + " is under OR: another branch lets other tenants' rows through";
	return "the predicate on " + col + " does not constrain this table";
}

std::string ConstraintSolver::FindReason(Node *expr, const Conjunct &c, const Scope &scope, int ref,
										 const std::string &column, bool under_or,
										 bool under_not) const
{
	if (expr == nullptr)
		return {};
	if (IsA(expr, BoolExpr)) {
		auto *b = reinterpret_cast<BoolExpr *>(expr);
		ListCell *lc;
		foreach (lc, b->args) {
			std::string reason =
				FindReason(static_cast<Node *>(lfirst(lc)), c, scope, ref, column,
						   under_or || b->boolop == OR_EXPR, under_not || b->boolop == NOT_EXPR);
			if (!reason.empty())
				return reason;
		}
		return {};
	}
	bool const mentions = IsA(expr, SubLink)
							  ? Mentions(reinterpret_cast<SubLink *>(expr)->testexpr, scope, ref, column)
							  : Mentions(expr, scope, ref, column);
	if (!mentions)
		return {};
	if (!c.Eligible(ref))
		return "the predicate on " + column +
			   " is in an outer join's ON clause, which does not filter this table";
	if (under_not)
		return "the predicate on " + column + " is negated";
	return AtomReason(expr, scope, ref, column, under_or);
}

std::string ConstraintSolver::BypassReason(const Scope &scope, int ref) const
{
	const std::string &column = scope.refs[ref].table->tenant_column;
	for (const Conjunct &c : scope.conjuncts) {
		std::string reason = FindReason(c.expr, c, scope, ref, column, false, false);
		if (!reason.empty())
			return reason;
	}
	return {};
}

} // namespace tlint
