// statement_analyzer.cpp — the tree walker: finds each query level of a
// statement, builds its Scope (scope.h) from FROM and WHERE, has the
// ConstraintSolver settle it, reports the tenant tables left unconstrained,
// then descends into sub-queries. Each level hands its readers a
// QuerySummary: which output columns equal the tenant, so that CTEs and
// sub-queries tie the levels that read them.
//
// Order matters: a CTE or a plain sub-query in FROM is analysed before its
// reader (the reader needs its summary); a LATERAL sub-query and the
// sub-queries of expressions are analysed after their level is settled (they
// may correlate with it). When a level needs a sub-query's summary before it
// is settled (x IN (SELECT ...), LATERAL), the sub-query is first analysed
// "dry": without reporting and without descending into its own expressions,
// so every query is analysed at most twice.
#include <algorithm>
#include <memory>

#include "analysis/analysis.h"
#include "analysis/constraint_solver.h"
#include "analysis/insert_checks.h"
#include "analysis/node_utils.h"
#include "analysis/scope.h"
#include "analysis/tenant_values.h"
#include "analysis/tree_walk.h"
#include "rules/rules.h"

namespace tlint {

namespace {

using Summary = std::shared_ptr<const QuerySummary>;

class Walker {
public:
	/* statement: the statement's own text; one without '(' has no sub-query and no function call to check. */
	Walker(const RuleContext &ctx, const std::set<std::string> &variables,
		   const Placeholders *placeholders, std::string_view statement, AnalyzerScratch &scratch)
		: ctx_(&ctx), dry_ctx_{ctx.model, ctx.options, ctx.text, ctx.offset, dry_sink_, ctx.statement_start},
		  values_(ctx.options, variables, placeholders),
		  solver_(values_, [this](SubLink *link, const Scope &scope) { return DrySummary(link->subselect, scope); }),
		  parts_(scratch.conjuncts), parts_added_(scratch.indexes), has_parentheses_(statement.find('(') != std::string_view::npos)
	{}

	Summary Statement(Node *node, const Scope *parent);

	/* A statement nothing reads: its summary is not built. */
	void TopLevel(Node *node)
	{
		if (node != nullptr && IsA(node, RawStmt))
			node = reinterpret_cast<RawStmt *>(node)->stmt;
		if (node != nullptr && IsA(node, SelectStmt))
			Select(reinterpret_cast<SelectStmt *>(node), nullptr, false);
		else
			Statement(node, nullptr);
	}

private:
	const RuleContext *ctx_;
	std::vector<RawFinding> dry_sink_;
	RuleContext dry_ctx_;
	int dry_ = 0;
	ValueJudge values_;
	ConstraintSolver solver_;
	struct Cte {
		std::string name;
		Summary summary; /* nullptr while its own body is analysed */
	};
	std::vector<std::vector<Cte>> ctes_;
	/* Buffers reused from one statement to the next (AnalyzerScratch). */
	std::vector<Node *> &parts_;
	std::vector<int> &parts_added_; /* indexes a top-level FROM item added, which nobody reads */
	/*
	 * Sub-queries, and calls to set_config(), are written with parentheses
	 * (AT TIME ZONE and SIMILAR TO make calls without, never to set_config):
	 * expressions of a statement without '(' need no search.
	 */
	bool has_parentheses_;

	/* ---- summaries ------------------------------------------------------ */

	Summary DrySummary(Node *query, const Scope &scope)
	{
		if (dry_ > 0)
			return nullptr; /* a dry run does not start another: keeps analysis linear */
		const RuleContext *saved = ctx_;
		ctx_ = &dry_ctx_;
		dry_++;
		Summary s = Statement(query, &scope);
		dry_--;
		ctx_ = saved;
		dry_sink_.clear();
		return s;
	}

	void AddStar(QuerySummary &out, const Scope &scope, int ref)
	{
		const Ref &r = scope.refs[ref];
		if (r.table != nullptr && r.table->columns_complete) {
			for (const std::string &c : r.table->columns)
				out.Add(c, scope.Valued(ref, c));
			return;
		}
		if (r.derived != nullptr && !r.derived->star) {
			for (const QuerySummary::Output &o : r.derived->outputs)
				out.Add(o.name, o.valued || scope.Valued(ref, o.name));
			return;
		}
		out.star = true;
		for (const std::string &c : scope.classes.ValuedColumns(ref))
			out.valued_names.insert(c);
		if (r.derived != nullptr)
			out.valued_names.insert(r.derived->valued_names.begin(), r.derived->valued_names.end());
	}

	/* A target list (or RETURNING) over a settled level. */
	Summary Summarize(List *targets, const Scope &scope)
	{
		auto out = std::make_shared<QuerySummary>();
		ListCell *lc;
		foreach (lc, targets) {
			auto *target = static_cast<ResTarget *>(lfirst(lc));
			Node *val = target->val;
			if (val != nullptr && IsA(val, ColumnRef)) {
				List *fields = reinterpret_cast<ColumnRef *>(val)->fields;
				if (IsA(static_cast<Node *>(llast(fields)), A_Star)) {
					std::string const qualifier =
						list_length(fields) >= 2 ? StringValue(static_cast<Node *>(list_nth(fields, list_length(fields) - 2))) : "";
					for (size_t i = 0; i < scope.refs.size(); i++)
						if (qualifier.empty() || scope.refs[i].visible_name == qualifier)
							AddStar(*out, scope, static_cast<int>(i));
					continue;
				}
			}
			std::string name = target->name != nullptr ? target->name : "";
			if (name.empty() && val != nullptr && IsA(val, ColumnRef))
				name = LastName(reinterpret_cast<ColumnRef *>(val)->fields);
			out->Add(std::move(name), solver_.ValueOf(val, scope) != ValueKind::None);
		}
		return out;
	}

	static Summary CombineSetOperation(SetOperation op, const Summary &l, const Summary &r)
	{
		if (l == nullptr || r == nullptr)
			return l != nullptr && op == SETOP_EXCEPT ? l : nullptr;
		auto out = std::make_shared<QuerySummary>();
		out->star = l->star || r->star;
		for (size_t i = 0; i < l->outputs.size(); i++) {
			bool const rv = i < r->outputs.size() && r->outputs[i].valued;
			bool const lv = l->outputs[i].valued;
			bool const v = op == SETOP_INTERSECT ? (lv || rv) : op == SETOP_EXCEPT ? lv : (lv && rv);
			out->Add(l->outputs[i].name, v);
		}
		return out;
	}

	/* ---- statements ----------------------------------------------------- */

	/* summarize: false when no reader wants the summary (a top-level SELECT): it is not built. */
	Summary Select(SelectStmt *stmt, const Scope *parent, bool summarize = true)
	{
		if (stmt == nullptr)
			return nullptr;
		WithClauseScope ctes(this, stmt->withClause, parent);
		if (stmt->op != SETOP_NONE)
			return CombineSetOperation(stmt->op, Select(stmt->larg, parent, summarize),
									   Select(stmt->rarg, parent, summarize));
		Scope scope;
		scope.parent = parent;
		ListCell *lc;
		foreach (lc, stmt->valuesLists)
			scope.expressions.push_back(static_cast<Node *>(lfirst(lc)));
		foreach (lc, stmt->fromClause)
			CollectFrom(static_cast<Node *>(lfirst(lc)), scope);
		AddWhere(scope, stmt->whereClause);
		scope.expressions.push_back(reinterpret_cast<Node *>(stmt->targetList));
		scope.expressions.push_back(stmt->havingClause);
		scope.expressions.push_back(reinterpret_cast<Node *>(stmt->groupClause));
		scope.expressions.push_back(reinterpret_cast<Node *>(stmt->sortClause));
		Settle(scope);
		if (stmt->valuesLists != nullptr || !summarize)
			return nullptr;
		return Summarize(stmt->targetList, scope);
	}

	Summary Insert(InsertStmt *stmt)
	{
		WithClauseScope ctes(this, stmt->withClause, nullptr);
		const TableFacts *table = TenantTableOf(*ctx_, stmt->relation);
		auto *select = reinterpret_cast<SelectStmt *>(stmt->selectStmt);
		Summary source;
		if (select != nullptr && select->valuesLists == nullptr)
			source = Select(select, nullptr);
		else if (select != nullptr)
			SearchSubLinks(reinterpret_cast<Node *>(select->valuesLists), nullptr);
		bool tenant_ok = false;
		if (table != nullptr) {
			tenant_ok = CheckInsertedTenant(*ctx_, values_, stmt, *table, select, source.get());
			std::string const alias =
				stmt->relation->alias != nullptr ? stmt->relation->alias->aliasname : table->name;
			CheckUpsert(*ctx_, *table, alias, stmt->onConflictClause);
		}
		if (stmt->onConflictClause != nullptr)
			SearchSubLinks(stmt->onConflictClause->whereClause, nullptr);
		SearchSubLinks(reinterpret_cast<Node *>(stmt->returningList), nullptr);
		return InsertReturning(stmt->returningList, table, tenant_ok);
	}

	/* RETURNING of an INSERT: its tenant column equals the tenant when every row took it. */
	static Summary InsertReturning(List *returning, const TableFacts *table, bool tenant_ok)
	{
		auto out = std::make_shared<QuerySummary>();
		ListCell *lc;
		foreach (lc, returning) {
			auto *target = static_cast<ResTarget *>(lfirst(lc));
			std::string name = target->name != nullptr ? target->name : "";
			bool valued = false;
			if (target->val != nullptr && IsA(target->val, ColumnRef)) {
				List *fields = reinterpret_cast<ColumnRef *>(target->val)->fields;
				if (IsA(static_cast<Node *>(llast(fields)), A_Star)) {
					out->star = true;
					if (table != nullptr && tenant_ok)
						out->valued_names.insert(table->tenant_column);
					continue;
				}
				std::string const column = LastName(fields);
				valued = tenant_ok && table != nullptr && column == table->tenant_column;
				if (name.empty())
					name = column;
			}
			out->Add(std::move(name), valued);
		}
		return out;
	}

	/* UPDATE ... FROM and DELETE ... USING: a target, more FROM items, one WHERE. */
	Summary TargetedWrite(WithClause *with, RangeVar *target, const char *verb, List *from,
						  Node *where, std::initializer_list<List *> expressions, List *returning)
	{
		WithClauseScope ctes(this, with, nullptr);
		Scope scope;
		AddRangeVar(scope, target, verb);
		ListCell *lc;
		foreach (lc, from)
			CollectFrom(static_cast<Node *>(lfirst(lc)), scope);
		AddWhere(scope, where);
		for (List *list : expressions)
			scope.expressions.push_back(reinterpret_cast<Node *>(list));
		Settle(scope);
		return Summarize(returning, scope);
	}

	Summary Update(UpdateStmt *stmt)
	{
		return TargetedWrite(stmt->withClause, stmt->relation, "updates", stmt->fromClause,
							 stmt->whereClause, {stmt->targetList, stmt->returningList},
							 stmt->returningList);
	}

	Summary Delete(DeleteStmt *stmt)
	{
		return TargetedWrite(stmt->withClause, stmt->relation, "deletes from", stmt->usingClause,
							 stmt->whereClause, {stmt->returningList}, stmt->returningList);
	}

	Summary Merge(MergeStmt *stmt)
	{
		WithClauseScope ctes(this, stmt->withClause, nullptr);
		Scope scope;
		AddRangeVar(scope, stmt->relation, "merges into");
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
		return nullptr;
	}

	/* ---- FROM and WHERE ------------------------------------------------- */

	const Cte *FindCte(RangeVar *rv) const
	{
		if (rv->schemaname != nullptr)
			return nullptr;
		for (auto level = ctes_.rbegin(); level != ctes_.rend(); ++level)
			for (const Cte &cte : *level)
				if (cte.name == rv->relname)
					return &cte;
		return nullptr;
	}

	int AddRangeVar(Scope &scope, RangeVar *rv, const char *verb)
	{
		Ref ref;
		ref.visible_name = rv->alias != nullptr ? rv->alias->aliasname : rv->relname;
		ref.written_name = WrittenName(rv);
		ref.location = rv->location;
		ref.verb = verb;
		if (const Cte *cte = FindCte(rv))
			ref.derived = cte->summary;
		else
			ref.table = ctx_->model.Resolve(rv->schemaname != nullptr ? rv->schemaname : "", rv->relname);
		scope.AddRef(std::move(ref));
		return static_cast<int>(scope.refs.size()) - 1;
	}

	/* AS x(a, b): the sub-query's outputs under new names. */
	static Summary Renamed(Summary summary, Alias *alias)
	{
		if (summary == nullptr || alias == nullptr || alias->colnames == nullptr)
			return summary;
		auto out = std::make_shared<QuerySummary>(*summary);
		out->valued_names.clear();
		int i = 0;
		ListCell *lc;
		foreach (lc, alias->colnames) {
			if (static_cast<size_t>(i) < out->outputs.size()) {
				out->outputs[i].name = StringValue(static_cast<Node *>(lfirst(lc)));
				if (out->outputs[i].valued)
					out->valued_names.insert(out->outputs[i].name);
			}
			i++;
		}
		return out;
	}

	void AddSubselect(Scope &scope, RangeSubselect *sub, std::vector<int> &added)
	{
		Ref ref;
		ref.visible_name = sub->alias != nullptr ? sub->alias->aliasname : "";
		if (sub->lateral) {
			ref.derived = Renamed(DrySummary(sub->subquery, scope), sub->alias);
			scope.laterals.push_back(sub->subquery);
		} else {
			ref.derived = Renamed(Statement(sub->subquery, scope.parent), sub->alias);
		}
		added.push_back(static_cast<int>(scope.refs.size()));
		scope.AddRef(std::move(ref));
	}

	void AddFunction(Scope &scope, RangeFunction *fn, std::vector<int> &added)
	{
		Ref ref;
		if (fn->alias != nullptr)
			ref.visible_name = fn->alias->aliasname;
		added.push_back(static_cast<int>(scope.refs.size()));
		scope.AddRef(std::move(ref));
		scope.expressions.push_back(reinterpret_cast<Node *>(fn));
	}

	/* Adds the references of one FROM item of a level. */
	void CollectFrom(Node *item, Scope &scope)
	{
		if (item == nullptr)
			return;
		if (IsA(item, RangeVar)) { /* the common case: no list of indexes to build */
			AddRangeVar(scope, reinterpret_cast<RangeVar *>(item), "reads");
		} else {
			parts_added_.clear();
			CollectFrom(item, scope, parts_added_);
		}
	}

	/* Adds the references of one FROM item, appending their indexes to added. */
	void CollectFrom(Node *item, Scope &scope, std::vector<int> &added)
	{
		if (item == nullptr)
			return;
		if (IsA(item, RangeVar)) {
			added.push_back(AddRangeVar(scope, reinterpret_cast<RangeVar *>(item), "reads"));
		} else if (IsA(item, JoinExpr)) {
			auto *join = reinterpret_cast<JoinExpr *>(item);
			std::vector<int> left, right;
			CollectFrom(join->larg, scope, left);
			CollectFrom(join->rarg, scope, right);
			std::vector<int> joined = left;
			joined.insert(joined.end(), right.begin(), right.end());
			AddJoinQuals(scope, join, left, right, joined); /* a FULL join adds its merged columns */
			added.insert(added.end(), joined.begin(), joined.end());
		} else if (IsA(item, RangeSubselect)) {
			AddSubselect(scope, reinterpret_cast<RangeSubselect *>(item), added);
		} else if (IsA(item, RangeFunction)) {
			AddFunction(scope, reinterpret_cast<RangeFunction *>(item), added);
		}
	}

	/* The side of a USING join that has the column: an earlier USING's merged column, or the one FROM item that may. */
	static int UsingSide(const Scope &scope, const std::vector<int> &side, const std::string &column)
	{
		for (auto it = scope.merged.rbegin(); it != scope.merged.rend(); ++it)
			if (it->first == column && std::find(side.begin(), side.end(), it->second) != side.end())
				return it->second;
		int found = -1;
		for (int i : side)
			if (scope.refs[i].HasColumn(column) != Ref::Has::No) {
				if (found >= 0)
					return -1;
				found = i;
			}
		return found;
	}

	/*
	 * The columns a join equates by name: its USING list, or for NATURAL the
	 * names both sides are known to have (a column only one side is known to
	 * have may be common too, but equating fewer columns only reports more).
	 */
	static std::vector<std::string> JoinColumns(const Scope &scope, JoinExpr *join,
												const std::vector<int> &left,
												const std::vector<int> &right)
	{
		std::vector<std::string> names;
		auto add = [&names](const std::string &name) {
			if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
				names.push_back(name);
		};
		ListCell *lc;
		foreach (lc, join->usingClause)
			add(StringValue(static_cast<Node *>(lfirst(lc))));
		if (!join->isNatural)
			return names;
		for (int i : left) {
			const Ref &r = scope.refs[i];
			if (r.table != nullptr) {
				add(r.table->tenant_column);
				for (const std::string &c : r.table->columns)
					add(c);
			} else if (r.derived != nullptr) {
				for (const QuerySummary::Output &o : r.derived->outputs)
					add(o.name);
			}
		}
		std::vector<std::string> common;
		for (const std::string &name : names)
			if (UsingSide(scope, left, name) >= 0 && UsingSide(scope, right, name) >= 0)
				common.push_back(name);
		return common;
	}

	/* A FULL join's USING column: a FROM item of its own, with the one column COALESCE(left, right). */
	static int AddMergedColumn(Scope &scope, const std::string &column)
	{
		auto outputs = std::make_shared<QuerySummary>();
		outputs->Add(column, false);
		Ref ref;
		ref.derived = std::move(outputs);
		scope.AddRef(std::move(ref));
		return static_cast<int>(scope.refs.size()) - 1;
	}

	void AddJoinQuals(Scope &scope, JoinExpr *join, const std::vector<int> &left,
					  const std::vector<int> &right, std::vector<int> &added)
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
		OuterJoin outer;
		outer.type = join->jointype;
		outer.left = left;
		outer.right = right;
		for (const std::string &column : JoinColumns(scope, join, left, right)) {
			int const l = UsingSide(scope, left, column);
			int const r = UsingSide(scope, right, column);
			if (l < 0 || r < 0)
				continue;
			OuterJoin::Pair pair{l, r, column};
			ConstraintSolver::Equate(scope, l, column, r, column, base);
			int denotes = join->jointype == JOIN_RIGHT ? r : l;
			if (join->jointype == JOIN_FULL) {
				/*
				 * COALESCE(l, r) is l's value in every row that has l, and r's in
				 * every row that has r: a value of the merged column reaches both.
				 */
				pair.merged = denotes = AddMergedColumn(scope, column);
				added.push_back(pair.merged);
				int const merged = scope.classes.Term(pair.merged, column);
				scope.classes.Directed(merged, scope.classes.Term(l, column));
				scope.classes.Directed(merged, scope.classes.Term(r, column));
			}
			scope.merged.emplace_back(column, denotes);
			outer.using_pairs.push_back(std::move(pair));
		}
		outer.first_conjunct = scope.conjuncts.size();
		std::vector<Node *> &parts = Parts(join->quals);
		for (Node *part : parts) {
			Conjunct c = base;
			c.expr = part;
			scope.conjuncts.push_back(std::move(c));
		}
		outer.end_conjunct = scope.conjuncts.size();
		if (join->jointype == JOIN_LEFT || join->jointype == JOIN_RIGHT || join->jointype == JOIN_FULL)
			scope.outer_joins.push_back(std::move(outer));
		scope.expressions.push_back(join->quals);
	}

	/* The conjuncts of an expression, in a vector reused from one call to the next. */
	std::vector<Node *> &Parts(Node *expr)
	{
		parts_.clear();
		Conjuncts(expr, parts_);
		return parts_;
	}

	void AddWhere(Scope &scope, Node *where)
	{
		std::vector<Node *> &parts = Parts(where);
		for (Node *part : parts) {
			Conjunct c;
			c.expr = part;
			scope.conjuncts.push_back(std::move(c));
		}
		scope.expressions.push_back(where);
	}

	/* ---- settling and reporting ---------------------------------------- */

	void Settle(Scope &scope)
	{
		bool const has_tenant_tables =
			std::any_of(scope.refs.begin(), scope.refs.end(), [](const Ref &r) { return r.IsTenant(); });
		/* Summaries need the solved level even without tenant tables; conjuncts are cheap. */
		solver_.Settle(scope);
		if (dry_ > 0)
			return; /* a dry run only wants the summary */
		if (has_tenant_tables)
			Report(scope);
		for (Node *sub : scope.laterals)
			Statement(sub, &scope);
		for (Node *expr : scope.expressions)
			SearchSubLinks(expr, &scope);
	}

	void Report(const Scope &scope)
	{
		for (size_t i = 0; i < scope.refs.size(); i++) {
			const Ref &r = scope.refs[i];
			if (!r.IsTenant())
				continue;
			int const term = scope.classes.Lookup(static_cast<int>(i), r.table->tenant_column);
			if (scope.classes.Literal(term))
				ReportHardCodedTenant(*ctx_, *r.table, r.location);
			if (!scope.classes.Valued(term))
				ReportMissingTenantPredicate(*ctx_, *r.table, r.written_name, r.location, r.verb,
											 solver_.BypassReason(scope, static_cast<int>(i)));
		}
	}

	/* Analyses the sub-queries inside an expression, and checks calls that rules care about. */
	void SearchSubLinks(Node *expr, const Scope *scope)
	{
		if (expr == nullptr || !has_parentheses_)
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
				CheckSetConfigCall(*cx->self->ctx_, reinterpret_cast<FuncCall *>(n));
			return true;
		}, &ctx);
	}

	/* ---- WITH ------------------------------------------------------------ */

	/* Makes a WITH clause's names, and their summaries, visible while its statement is analysed. */
	class WithClauseScope {
	public:
		WithClauseScope(Walker *walker, WithClause *with, const Scope *parent)
			: walker_(walker), pushed_(with != nullptr)
		{
			if (with == nullptr)
				return; /* no names to add: no level (most statements) */
			walker_->ctes_.emplace_back();
			ListCell *lc;
			foreach (lc, with->ctes)
				walker_->ctes_.back().push_back({static_cast<CommonTableExpr *>(lfirst(lc))->ctename, nullptr});
			size_t i = 0;
			foreach (lc, with->ctes) {
				auto *cte = static_cast<CommonTableExpr *>(lfirst(lc));
				Summary s = with->recursive ? Recursive(cte->ctequery, parent, i)
											: walker_->Statement(cte->ctequery, parent);
				walker_->ctes_.back()[i++].summary = Renamed(s, cte->aliascolnames);
			}
		}
		~WithClauseScope()
		{
			if (pushed_)
				walker_->ctes_.pop_back();
		}
		WithClauseScope(const WithClauseScope &) = delete;
		WithClauseScope &operator=(const WithClauseScope &) = delete;

	private:
		Walker *walker_;
		bool pushed_;

		static Summary Renamed(Summary s, List *colnames)
		{
			if (colnames == nullptr)
				return s;
			Alias alias{};
			alias.colnames = colnames;
			return Walker::Renamed(std::move(s), &alias);
		}

		/* base UNION ALL step: the step sees the CTE as the base term left it. */
		Summary Recursive(Node *query, const Scope *parent, size_t index)
		{
			auto *select = reinterpret_cast<SelectStmt *>(query);
			if (query == nullptr || !IsA(query, SelectStmt) || select->op != SETOP_UNION)
				return walker_->Statement(query, parent);
			Summary base = walker_->Select(select->larg, parent);
			walker_->ctes_.back()[index].summary = base;
			return CombineSetOperation(SETOP_UNION, base, walker_->Select(select->rarg, parent));
		}
	};
};

Summary Walker::Statement(Node *node, const Scope *parent)
{
	if (node == nullptr)
		return nullptr;
	switch (nodeTag(node)) {
	case T_RawStmt:
		return Statement(reinterpret_cast<RawStmt *>(node)->stmt, parent);
	case T_SelectStmt:
		return Select(reinterpret_cast<SelectStmt *>(node), parent);
	case T_InsertStmt:
		return Insert(reinterpret_cast<InsertStmt *>(node));
	case T_UpdateStmt:
		return Update(reinterpret_cast<UpdateStmt *>(node));
	case T_DeleteStmt:
		return Delete(reinterpret_cast<DeleteStmt *>(node));
	case T_MergeStmt:
		return Merge(reinterpret_cast<MergeStmt *>(node));
	case T_CopyStmt:
		CheckCopy(*ctx_, reinterpret_cast<CopyStmt *>(node));
		return Statement(reinterpret_cast<CopyStmt *>(node)->query, parent);
	case T_TruncateStmt:
		CheckTruncate(*ctx_, reinterpret_cast<TruncateStmt *>(node));
		return nullptr;
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
		CheckCreateTable(*ctx_, reinterpret_cast<CreateStmt *>(node));
		return nullptr;
	case T_AlterTableStmt:
		CheckAlterTable(*ctx_, reinterpret_cast<AlterTableStmt *>(node));
		return nullptr;
	case T_VariableSetStmt:
		CheckVariableSet(*ctx_, reinterpret_cast<VariableSetStmt *>(node));
		return nullptr;
	case T_ReturnStmt:
		SearchSubLinks(reinterpret_cast<ReturnStmt *>(node)->returnval, parent);
		return nullptr;
	default:
		return nullptr;
	}
}

} // namespace

void StatementAnalyzer::Analyze(Node *raw_statement, std::string_view text, size_t offset,
								const std::set<std::string> &variables,
								const Placeholders *placeholders)
{
	size_t start = 0;
	std::string_view statement = text;
	if (raw_statement != nullptr && IsA(raw_statement, RawStmt)) {
		auto *raw = reinterpret_cast<RawStmt *>(raw_statement);
		start = std::min(text.size(), static_cast<size_t>(std::max(0, raw->stmt_location)));
		/* stmt_len 0: the rest of the text */
		statement = raw->stmt_len > 0 ? text.substr(start, static_cast<size_t>(raw->stmt_len)) : text.substr(start);
	}
	RuleContext ctx{model_, options_, text, offset, sink_, start};
	Walker walker(ctx, variables, placeholders, statement, scratch_);
	walker.TopLevel(raw_statement);
}

} // namespace tlint
