// tree_walk.h — visiting raw parse trees (raw_expression_tree_walker order).
#pragma once

#include "parse/pg_nodes.h"

namespace tlint {

/* Visits every node under root; visit returns false to skip a node's children. */
void WalkTree(Node *root, bool (*visit)(Node *, void *), void *context);

/* sqlc.arg(x), sqlc.narg(x), sqlc.slice(x): a parameter; its argument is a name, not a column. */
bool IsSqlcParameter(FuncCall *call);
bool IsSqlcSlice(FuncCall *call);

/*
 * Calls visit(ColumnRef *) for the column references of an expression, not
 * descending into sub-queries nor into sqlc parameters.
 */
template <typename F>
void WalkColumnRefs(Node *node, F &&visit)
{
	struct Ctx {
		F *visit;
	} ctx{&visit};
	WalkTree(node, [](Node *n, void *raw) -> bool {
		if (IsA(n, SubLink) || IsA(n, SelectStmt))
			return false;
		if (IsA(n, FuncCall) && IsSqlcParameter(reinterpret_cast<FuncCall *>(n)))
			return false;
		if (IsA(n, ColumnRef))
			(*static_cast<Ctx *>(raw)->visit)(reinterpret_cast<ColumnRef *>(n));
		return true;
	}, &ctx);
}

} // namespace tlint
