// statement_analyzer.cpp — finds tenant table references that no conjunct
// ties to the current tenant.
//
// Each query level is a Scope: its FROM items (tenant tables among them) and
// the conjuncts that may constrain them. A reference is constrained when a
// conjunct it is eligible for equates its tenant column with a tenant value
// (parameter, variable, current_setting of the tenant setting, a tenant_guard
// function, a literal) or with the tenant column of a constrained reference —
// of this scope (joins) or of an enclosing one (correlation). Outer-join ON
// clauses constrain only the nullable side; OR constrains what every branch
// constrains. Sub-queries are analysed after their enclosing scope is settled.
#include <algorithm>
#include <memory>
#include <optional>

#include "analysis/analysis.h"
#include "analysis/node_utils.h"
#include "rules/rules.h"

namespace tlint {

namespace {

struct TableRef {
	const TableFacts *table = nullptr;
	std::string visible_name; /* alias, or the relation name */
	std::string written_name;
	int location = -1;
	const char *verb = "reads";
	bool constrained = false;
	bool bypassable = false;
};

/* A conjunct and the references it may constrain (empty: all of the scope). */
struct Conjunct {
	Node *expr = nullptr;
	std::vector<int> eligible;
	bool all_eligible = true;
	/* JOIN ... USING (cols): equalities between the two sides' columns. */
	std::vector<std::string> using_columns;
	std::vector<int> using_left;
	std::vector<int> using_right;
};

struct Scope {
	const Scope *parent = nullptr;
	std::vector<TableRef> refs;
	std::vector<Conjunct> conjuncts;
	std::vector<Node *> subqueries;	 /* RangeSubselects, analysed after this scope */
	std::vector<Node *> expressions; /* searched for SubLinks after this scope */
};

struct ResolvedColumn {
	const Scope *scope = nullptr;
	int index = -1;
};

class Walker {
public:
	Walker(const RuleContext &ctx, const std::set<std::string> &variables)
		: ctx_(ctx), variables_(variables) {}

	void Statement(Node *node);

private:
	const RuleContext &ctx_;
	const std::set<std::string> &variables_;
	std::vector<std::vector<std::string>> cte_names_;

	/* ---- statements ---------------------------------------------------- */

	std::unique_ptr<Scope> Select(SelectStmt *stmt, const Scope *parent)
	{
		auto scope = std::make_unique<Scope>();
		scope->parent = parent;
		if (stmt == nullptr)
			return scope;
		WithClauseScope ctes(this, stmt->withClause, parent);
		if (stmt->op != SETOP_NONE) {
			Select(stmt->larg, parent);
			Select(stmt->rarg, parent);
			return scope;
		}
		ListCell *lc;
		foreach (lc, stmt->valuesLists)
			scope->expressions.push_back(static_cast<Node *>(lfirst(lc)));
		foreach (lc, stmt->fromClause)
			CollectFrom(static_cast<Node *>(lfirst(lc)), *scope);
		AddWhere(*scope, stmt->whereClause);
		scope->expressions.push_back(reinterpret_cast<Node *>(stmt->targetList));
		scope->expressions.push_back(stmt->havingClause);
		scope->expressions.push_back(reinterpret_cast<Node *>(stmt->groupClause));
		scope->expressions.push_back(reinterpret_cast<Node *>(stmt->sortClause));
		Settle(*scope);
		return scope;
	}

	void Insert(InsertStmt *stmt)
	{
		WithClauseScope ctes(this, stmt->withClause, nullptr);
		const TableFacts *table = TenantTableOf(ctx_, stmt->relation);
		auto *select = reinterpret_cast<SelectStmt *>(stmt->selectStmt);
		std::unique_ptr<Scope> source;
		if (select != nullptr && select->valuesLists == nullptr)
			source = Select(select, nullptr);
		else if (select != nullptr)
			SearchSubLinks(reinterpret_cast<Node *>(select->valuesLists), nullptr);
		if (table != nullptr) {
			CheckInsertedTenant(stmt, *table, select, source.get());
			std::string const alias =
				stmt->relation->alias != nullptr ? stmt->relation->alias->aliasname : table->name;
			CheckUpsert(ctx_, *table, alias, stmt->onConflictClause);
		}
		if (stmt->onConflictClause != nullptr)
			SearchSubLinks(stmt->onConflictClause->whereClause, nullptr);
		SearchSubLinks(reinterpret_cast<Node *>(stmt->returningList), nullptr);
	}

	/* UPDATE ... FROM and DELETE ... USING: a target, more FROM items, one WHERE. */
	void TargetedWrite(WithClause *with, RangeVar *target, const char *verb, List *from,
					   Node *where, std::initializer_list<List *> expressions)
	{
		WithClauseScope ctes(this, with, nullptr);
		Scope scope;
		AddTarget(scope, target, verb);
		ListCell *lc;
		foreach (lc, from)
			CollectFrom(static_cast<Node *>(lfirst(lc)), scope);
		AddWhere(scope, where);
		for (List *list : expressions)
			scope.expressions.push_back(reinterpret_cast<Node *>(list));
		Settle(scope);
	}

	void Update(UpdateStmt *stmt)
	{
		TargetedWrite(stmt->withClause, stmt->relation, "updates", stmt->fromClause,
					  stmt->whereClause, {stmt->targetList, stmt->returningList});
	}

	void Delete(DeleteStmt *stmt)
	{
		TargetedWrite(stmt->withClause, stmt->relation, "deletes from", stmt->usingClause,
					  stmt->whereClause, {stmt->returningList});
	}

	void Merge(MergeStmt *stmt)
	{
		WithClauseScope ctes(this, stmt->withClause, nullptr);
		Scope scope;
		AddTarget(scope, stmt->relation, "merges into");
		CollectFrom(stmt->sourceRelation, scope);
		AddWhere(scope, stmt->joinCondition);
		ListCell *lc;
		foreach (lc, stmt->mergeWhenClauses) {
			auto *when = static_cast<MergeWhenClause *>(lfirst(lc));
			scope.expressions.push_back(when->condition);
			scope.expressions.push_back(reinterpret_cast<Node *>(when->targetList));
			scope.expressions.push_back(reinterpret_cast<Node *>(when->values));
		}
		Settle(scope);
	}

	/* ---- FROM and WHERE ------------------------------------------------ */

	void AddTarget(Scope &scope, RangeVar *rv, const char *verb)
	{
		std::vector<int> added;
		AddRangeVar(scope, rv, verb, added);
	}

	bool IsCteName(RangeVar *rv) const
	{
		if (rv->schemaname != nullptr)
			return false;
		for (const auto &level : cte_names_)
			for (const std::string &name : level)
				if (name == rv->relname)
					return true;
		return false;
	}

	void AddRangeVar(Scope &scope, RangeVar *rv, const char *verb, std::vector<int> &added)
	{
		if (IsCteName(rv))
			return;
		const TableFacts *table = TenantTableOf(ctx_, rv);
		if (table == nullptr)
			return;
		TableRef ref;
		ref.table = table;
		ref.visible_name = rv->alias != nullptr ? rv->alias->aliasname : rv->relname;
		ref.written_name = WrittenName(rv);
		ref.location = rv->location;
		ref.verb = verb;
		added.push_back(static_cast<int>(scope.refs.size()));
		scope.refs.push_back(std::move(ref));
	}

	/* Adds the references of one FROM item; returns their indexes. */
	std::vector<int> CollectFrom(Node *item, Scope &scope)
	{
		std::vector<int> added;
		if (item == nullptr)
			return added;
		if (IsA(item, RangeVar)) {
			AddRangeVar(scope, reinterpret_cast<RangeVar *>(item), "reads", added);
		} else if (IsA(item, JoinExpr)) {
			auto *join = reinterpret_cast<JoinExpr *>(item);
			std::vector<int> left = CollectFrom(join->larg, scope);
			std::vector<int> right = CollectFrom(join->rarg, scope);
			AddJoinQuals(scope, join, left, right);
			added = left;
			added.insert(added.end(), right.begin(), right.end());
		} else if (IsA(item, RangeSubselect)) {
			scope.subqueries.push_back(reinterpret_cast<RangeSubselect *>(item)->subquery);
		} else if (IsA(item, RangeFunction)) {
			scope.expressions.push_back(item);
		}
		return added;
	}

	void AddJoinQuals(Scope &scope, JoinExpr *join, const std::vector<int> &left,
					  const std::vector<int> &right)
	{
		/* An outer join's ON clause filters only the side that can go missing. */
		Conjunct base;
		base.all_eligible = false;
		switch (join->jointype) {
		case JOIN_INNER:
			base.eligible = left;
			base.eligible.insert(base.eligible.end(), right.begin(), right.end());
			break;
		case JOIN_LEFT:
			base.eligible = right;
			break;
		case JOIN_RIGHT:
			base.eligible = left;
			break;
		default:
			break; /* FULL: neither side is filtered */
		}
		if (join->usingClause != nullptr) {
			Conjunct using_conjunct = base;
			ListCell *lc;
			foreach (lc, join->usingClause)
				using_conjunct.using_columns.push_back(StringValue(static_cast<Node *>(lfirst(lc))));
			using_conjunct.using_left = left;
			using_conjunct.using_right = right;
			scope.conjuncts.push_back(std::move(using_conjunct));
		}
		std::vector<Node *> parts;
		Conjuncts(join->quals, parts);
		for (Node *part : parts) {
			Conjunct c = base;
			c.expr = part;
			scope.conjuncts.push_back(std::move(c));
		}
		scope.expressions.push_back(join->quals);
	}

	void AddWhere(Scope &scope, Node *where)
	{
		std::vector<Node *> parts;
		Conjuncts(where, parts);
		for (Node *part : parts) {
			Conjunct c;
			c.expr = part;
			scope.conjuncts.push_back(std::move(c));
		}
		scope.expressions.push_back(where);
	}

	/* ---- constraint resolution ---------------------------------------- */

	/* A ColumnRef naming the tenant column of a tenant reference in scope or above. */
	std::optional<ResolvedColumn> ResolveTenantColumn(Node *node, const Scope &scope) const
	{
		if (node == nullptr)
			return std::nullopt;
		if (IsA(node, TypeCast))
			return ResolveTenantColumn(reinterpret_cast<TypeCast *>(node)->arg, scope);
		if (!IsA(node, ColumnRef))
			return std::nullopt;
		List *fields = reinterpret_cast<ColumnRef *>(node)->fields;
		int const n = list_length(fields);
		if (n == 0 || !IsA(static_cast<Node *>(llast(fields)), String))
			return std::nullopt;
		std::string const column = LastName(fields);
		std::string const qualifier = n >= 2 ? SchemaOfName(fields) : "";
		for (const Scope *s = &scope; s != nullptr; s = s->parent) {
			int found = -1;
			int matches = 0;
			for (size_t i = 0; i < s->refs.size(); i++) {
				const TableRef &r = s->refs[i];
				if (r.table->tenant_column != column)
					continue;
				if (!qualifier.empty() && r.visible_name != qualifier)
					continue;
				found = static_cast<int>(i);
				matches++;
			}
			if (matches == 1)
				return ResolvedColumn{s, found};
			if (matches > 1)
				return std::nullopt; /* ambiguous: PostgreSQL would refuse it too */
			/* A PL/pgSQL variable or function argument shadows nothing further out. */
			if (n == 1 && variables_.count(column))
				return std::nullopt;
		}
		return std::nullopt;
	}

	bool IsTenantFunction(FuncCall *call) const
	{
		std::string const name = LastName(call->funcname);
		std::string const schema = SchemaOfName(call->funcname);
		if (name == "current_setting") {
			std::vector<Node *> args = CallArguments(call, {"setting_name", "missing_ok"});
			std::optional<std::string> setting = ConstantString(args[0]);
			return setting && *setting == ctx_.options.tenant_setting;
		}
		if ((schema.empty() || schema == "tenant_guard") &&
			(name == "current_tenant" || name == "tenant_uuid" || name == "tenant_bigint" ||
			 name == "tenant_integer" || name == "tenant_text"))
			return true;
		std::string const qualified = schema.empty() ? name : schema + "." + name;
		for (const std::string &f : ctx_.options.tenant_functions)
			if (f == qualified || f == name)
				return true;
		return false;
	}

	/* Is node a value that names the current tenant? *literal: it is a constant. */
	bool IsTenantValue(Node *node, bool *literal) const
	{
		if (node == nullptr)
			return false;
		switch (nodeTag(node)) {
		case T_ParamRef:
			return true;
		case T_A_Const:
			if (reinterpret_cast<A_Const *>(node)->isnull)
				return false;
			*literal = true;
			return true;
		case T_TypeCast:
			return IsTenantValue(reinterpret_cast<TypeCast *>(node)->arg, literal);
		case T_FuncCall:
			return IsTenantFunction(reinterpret_cast<FuncCall *>(node));
		case T_ColumnRef: {
			List *fields = reinterpret_cast<ColumnRef *>(node)->fields;
			return list_length(fields) == 1 && variables_.count(LastName(fields)) > 0;
		}
		case T_SubLink: {
			/* (SELECT current_setting('app.tenant_id')): evaluated once per statement. */
			auto *link = reinterpret_cast<SubLink *>(node);
			auto *sub = reinterpret_cast<SelectStmt *>(link->subselect);
			if (link->subLinkType != EXPR_SUBLINK || sub == nullptr || sub->fromClause != nullptr ||
				list_length(sub->targetList) != 1)
				return false;
			auto *target = static_cast<ResTarget *>(linitial(sub->targetList));
			return IsTenantValue(target->val, literal);
		}
		default:
			return false;
		}
	}

	static bool Eligible(const Conjunct &c, int index)
	{
		if (c.all_eligible)
			return true;
		for (int e : c.eligible)
			if (e == index)
				return true;
		return false;
	}

	/*
	 * The references of `scope` that expr constrains, given which are
	 * constrained already. Handles =, IS NOT DISTINCT FROM, IN (single), OR, AND.
	 */
	void ConstrainedBy(Node *expr, const Scope &scope, std::vector<int> &out,
					   std::vector<int> &literals) const
	{
		if (expr == nullptr)
			return;
		if (IsA(expr, BoolExpr)) {
			auto *b = reinterpret_cast<BoolExpr *>(expr);
			if (b->boolop == AND_EXPR) {
				ListCell *lc;
				foreach (lc, b->args)
					ConstrainedBy(static_cast<Node *>(lfirst(lc)), scope, out, literals);
			} else if (b->boolop == OR_EXPR) {
				OrConstraints(b, scope, out, literals);
			}
			return;
		}
		if (!IsA(expr, A_Expr))
			return;
		auto *e = reinterpret_cast<A_Expr *>(expr);
		Node *rhs = e->rexpr;
		bool equality = (e->kind == AEXPR_OP && LastName(e->name) == "=") ||
						e->kind == AEXPR_NOT_DISTINCT;
		if (e->kind == AEXPR_IN && LastName(e->name) == "=" && rhs != nullptr && IsA(rhs, List) &&
			list_length(reinterpret_cast<List *>(rhs)) == 1) {
			equality = true;
			rhs = static_cast<Node *>(linitial(reinterpret_cast<List *>(rhs)));
		}
		if (!equality)
			return;
		ConstrainSide(e->lexpr, rhs, scope, out, literals);
		ConstrainSide(rhs, e->lexpr, scope, out, literals);
	}

	void ConstrainSide(Node *column, Node *other, const Scope &scope, std::vector<int> &out,
					   std::vector<int> &literals) const
	{
		std::optional<ResolvedColumn> target = ResolveTenantColumn(column, scope);
		if (!target || target->scope != &scope)
			return;
		bool literal = false;
		if (IsTenantValue(other, &literal)) {
			out.push_back(target->index);
			if (literal)
				literals.push_back(target->index);
			return;
		}
		std::optional<ResolvedColumn> source = ResolveTenantColumn(other, scope);
		if (source && !(source->scope == target->scope && source->index == target->index) &&
			source->scope->refs[source->index].constrained)
			out.push_back(target->index);
	}

	/* A reference is constrained by an OR only if every branch constrains it. */
	void OrConstraints(BoolExpr *b, const Scope &scope, std::vector<int> &out,
					   std::vector<int> &literals) const
	{
		std::vector<int> common;
		bool first = true;
		ListCell *lc;
		foreach (lc, b->args) {
			std::vector<int> branch;
			std::vector<int> ignored;
			ConstrainedBy(static_cast<Node *>(lfirst(lc)), scope, branch, ignored);
			if (first) {
				common = branch;
				first = false;
				continue;
			}
			std::vector<int> kept;
			for (int i : common)
				if (std::find(branch.begin(), branch.end(), i) != branch.end())
					kept.push_back(i);
			common = kept;
		}
		out.insert(out.end(), common.begin(), common.end());
	}

	void ApplyUsing(Scope &scope, const Conjunct &c, bool &changed) const
	{
		for (const std::string &column : c.using_columns)
			for (int l : c.using_left)
				for (int r : c.using_right) {
					TableRef &left = scope.refs[l];
					TableRef &right = scope.refs[r];
					if (left.table->tenant_column != column || right.table->tenant_column != column)
						continue;
					if (left.constrained && !right.constrained && Eligible(c, r))
						right.constrained = changed = true;
					if (right.constrained && !left.constrained && Eligible(c, l))
						left.constrained = changed = true;
				}
	}

	/* Settles which references are constrained, reports, then descends. */
	void Settle(Scope &scope)
	{
		std::vector<int> literals;
		/* A scope without tenant tables has nothing to settle, only sub-queries to visit. */
		bool changed = !scope.refs.empty();
		while (changed) {
			changed = false;
			for (const Conjunct &c : scope.conjuncts) {
				if (!c.using_columns.empty()) {
					ApplyUsing(scope, c, changed);
					continue;
				}
				std::vector<int> hits;
				ConstrainedBy(c.expr, scope, hits, literals);
				for (int i : hits)
					if (!scope.refs[i].constrained && Eligible(c, i))
						scope.refs[i].constrained = changed = true;
			}
		}
		ReportLiterals(scope, literals);
		/* Only a reference that will be reported needs the "bypassable" wording. */
		if (std::any_of(scope.refs.begin(), scope.refs.end(),
						[](const TableRef &r) { return !r.constrained; }))
			MarkBypassable(scope);
		for (const TableRef &r : scope.refs)
			if (!r.constrained)
				ReportMissingTenantPredicate(ctx_, *r.table, r.written_name, r.location, r.verb,
											 r.bypassable);
		for (Node *sub : scope.subqueries)
			Statement(sub, &scope);
		for (Node *expr : scope.expressions)
			SearchSubLinks(expr, &scope);
	}

	void ReportLiterals(const Scope &scope, std::vector<int> &literals)
	{
		std::sort(literals.begin(), literals.end());
		literals.erase(std::unique(literals.begin(), literals.end()), literals.end());
		for (int i : literals)
			ReportHardCodedTenant(ctx_, *scope.refs[i].table, scope.refs[i].location);
	}

	/* For the message: does some conjunct mention the tenant column without constraining it? */
	void MarkBypassable(Scope &scope) const
	{
		for (const Conjunct &c : scope.conjuncts)
			if (c.expr != nullptr)
				MarkMentions(c.expr, scope);
	}

	void MarkMentions(Node *node, Scope &scope) const
	{
		WalkColumnRefs(node, [&](Node *n) {
			if (auto r = ResolveTenantColumn(n, scope))
				if (r->scope == &scope)
					scope.refs[r->index].bypassable = true;
		});
	}

	template <typename F>
	static void WalkColumnRefs(Node *node, F &&visit)
	{
		struct Ctx {
			F *visit;
		} ctx{&visit};
		WalkTree(node, [](Node *n, void *raw) -> bool {
			if (IsA(n, SubLink) || IsA(n, SelectStmt))
				return false;
			if (IsA(n, ColumnRef))
				(*static_cast<Ctx *>(raw)->visit)(n);
			return true;
		}, &ctx);
	}

	/*
	 * Visits every node under root (raw_expression_tree_walker order);
	 * visit returns false to skip a node's children.
	 */
	static void WalkTree(Node *root, bool (*visit)(Node *, void *), void *context)
	{
		struct State {
			bool (*visit)(Node *, void *);
			void *context;
		} state{visit, context};
		RecurseTree(root, &state);
	}

	static bool RecurseTree(Node *node, void *raw)
	{
		if (node == nullptr)
			return false;
		struct State {
			bool (*visit)(Node *, void *);
			void *context;
		};
		auto *state = static_cast<State *>(raw);
		if (!state->visit(node, state->context))
			return false;
		/* PostgreSQL 15 declares the walker as bool (*)(); void (*)() is the portable detour. */
		auto *walker = reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(&RecurseTree));
		return raw_expression_tree_walker(node, walker, raw);
	}

	/* Analyses the sub-queries inside an expression, and checks calls that rules care about. */
	void SearchSubLinks(Node *expr, const Scope *scope)
	{
		if (expr == nullptr)
			return;
		struct Ctx {
			Walker *self;
			const Scope *scope;
		} ctx{this, scope};
		WalkTree(expr, [](Node *n, void *raw) -> bool {
			auto *cx = static_cast<Ctx *>(raw);
			if (IsA(n, SubLink)) {
				auto *link = reinterpret_cast<SubLink *>(n);
				cx->self->SearchSubLinks(link->testexpr, cx->scope);
				cx->self->Statement(link->subselect, cx->scope);
				return false;
			}
			if (IsA(n, SelectStmt)) {
				cx->self->Statement(n, cx->scope);
				return false;
			}
			if (IsA(n, FuncCall))
				CheckSetConfigCall(cx->self->ctx_, reinterpret_cast<FuncCall *>(n));
			return true;
		}, &ctx);
	}

	/* ---- INSERT -------------------------------------------------------- */

	int TenantColumnIndex(InsertStmt *stmt, const TableFacts &table) const
	{
		if (stmt->cols != nullptr) {
			int i = 0;
			ListCell *lc;
			foreach (lc, stmt->cols) {
				auto *target = static_cast<ResTarget *>(lfirst(lc));
				if (target->name != nullptr && table.tenant_column == target->name)
					return i;
				i++;
			}
			return -1;
		}
		if (!table.columns_complete)
			return -2; /* unknown: no column list and no CREATE TABLE seen */
		for (size_t i = 0; i < table.columns.size(); i++)
			if (table.columns[i] == table.tenant_column)
				return static_cast<int>(i);
		return -1;
	}

	void CheckInsertedTenant(InsertStmt *stmt, const TableFacts &table, SelectStmt *select,
							 const Scope *source)
	{
		int const index = TenantColumnIndex(stmt, table);
		if (index == -2)
			return;
		if (index == -1) {
			if (!table.is_protected)
				ReportInsertWithoutTenant(ctx_, table, stmt->relation->location,
										  "does not set tenant column " + table.tenant_column);
			return;
		}
		if (select == nullptr)
			return; /* DEFAULT VALUES */
		if (select->valuesLists != nullptr) {
			ListCell *row;
			foreach (row, select->valuesLists) {
				auto *values = static_cast<List *>(lfirst(row));
				if (index < list_length(values))
					CheckInsertedValue(table, static_cast<Node *>(list_nth(values, index)), nullptr,
									   stmt->relation->location);
			}
			return;
		}
		if (select->op == SETOP_NONE && index < list_length(select->targetList)) {
			auto *target = static_cast<ResTarget *>(list_nth(select->targetList, index));
			CheckInsertedValue(table, target->val, source, stmt->relation->location);
		}
	}

	void CheckInsertedValue(const TableFacts &table, Node *value, const Scope *source,
							int fallback_location)
	{
		if (value != nullptr && IsA(value, SetToDefault)) {
			if (!table.is_protected)
				ReportInsertWithoutTenant(ctx_, table, fallback_location,
										  "leaves tenant column " + table.tenant_column +
											  " to its DEFAULT, and the table is not protected");
			return;
		}
		bool literal = false;
		if (IsTenantValue(value, &literal)) {
			if (literal)
				ReportHardCodedTenant(ctx_, table, ExprLocation(value, fallback_location));
			return;
		}
		if (source != nullptr)
			if (auto r = ResolveTenantColumn(value, *source))
				if (r->scope->refs[r->index].constrained)
					return;
		ReportInsertWithoutTenant(ctx_, table, ExprLocation(value, fallback_location),
								  "sets tenant column " + table.tenant_column +
									  " to a value that is not the current tenant");
	}

	static int ExprLocation(Node *node, int fallback)
	{
		if (node == nullptr)
			return fallback;
		int const loc = exprLocation(node);
		return loc >= 0 ? loc : fallback;
	}

	/* ---- WITH ------------------------------------------------------------ */

	/* Makes a WITH clause's names visible while its statement is analysed. */
	class WithClauseScope {
	public:
		WithClauseScope(Walker *walker, WithClause *with, const Scope *parent) : walker_(walker)
		{
			std::vector<std::string> names;
			ListCell *lc;
			if (with != nullptr)
				foreach (lc, with->ctes)
					names.emplace_back(static_cast<CommonTableExpr *>(lfirst(lc))->ctename);
			walker_->cte_names_.push_back(std::move(names));
			if (with != nullptr)
				foreach (lc, with->ctes)
					walker_->Statement(static_cast<CommonTableExpr *>(lfirst(lc))->ctequery, parent);
		}
		~WithClauseScope() { walker_->cte_names_.pop_back(); }
		WithClauseScope(const WithClauseScope &) = delete;
		WithClauseScope &operator=(const WithClauseScope &) = delete;

	private:
		Walker *walker_;
	};

public:
	void Statement(Node *node, const Scope *parent);
};

void Walker::Statement(Node *node) { Statement(node, nullptr); }

void Walker::Statement(Node *node, const Scope *parent)
{
	if (node == nullptr)
		return;
	switch (nodeTag(node)) {
	case T_RawStmt:
		return Statement(reinterpret_cast<RawStmt *>(node)->stmt, parent);
	case T_SelectStmt:
		Select(reinterpret_cast<SelectStmt *>(node), parent);
		return;
	case T_InsertStmt:
		return Insert(reinterpret_cast<InsertStmt *>(node));
	case T_UpdateStmt:
		return Update(reinterpret_cast<UpdateStmt *>(node));
	case T_DeleteStmt:
		return Delete(reinterpret_cast<DeleteStmt *>(node));
	case T_MergeStmt:
		return Merge(reinterpret_cast<MergeStmt *>(node));
	case T_CopyStmt:
		CheckCopy(ctx_, reinterpret_cast<CopyStmt *>(node));
		return Statement(reinterpret_cast<CopyStmt *>(node)->query, parent);
	case T_TruncateStmt:
		return CheckTruncate(ctx_, reinterpret_cast<TruncateStmt *>(node));
	case T_ExplainStmt:
		return Statement(reinterpret_cast<ExplainStmt *>(node)->query, parent);
	case T_CreateTableAsStmt:
		return Statement(reinterpret_cast<CreateTableAsStmt *>(node)->query, parent);
	case T_ViewStmt:
		return Statement(reinterpret_cast<ViewStmt *>(node)->query, parent);
	case T_DeclareCursorStmt:
		return Statement(reinterpret_cast<DeclareCursorStmt *>(node)->query, parent);
	case T_PrepareStmt:
		return Statement(reinterpret_cast<PrepareStmt *>(node)->query, parent);
	case T_CreateStmt:
		return CheckCreateTable(ctx_, reinterpret_cast<CreateStmt *>(node));
	case T_AlterTableStmt:
		return CheckAlterTable(ctx_, reinterpret_cast<AlterTableStmt *>(node));
	case T_VariableSetStmt:
		return CheckVariableSet(ctx_, reinterpret_cast<VariableSetStmt *>(node));
	case T_ReturnStmt:
		return SearchSubLinks(reinterpret_cast<ReturnStmt *>(node)->returnval, parent);
	default:
		return;
	}
}

} // namespace

void StatementAnalyzer::Analyze(Node *raw_statement, std::string_view text, size_t offset,
								const std::set<std::string> &variables)
{
	RuleContext ctx{model_, options_, text, offset, sink_};
	Walker walker(ctx, variables);
	walker.Statement(raw_statement);
}

} // namespace tlint
