#include "analysis/tree_walk.h"

#include "analysis/node_utils.h"

namespace tlint {

namespace {

struct State {
	bool (*visit)(Node *, void *);
	void *context;
};

bool RecurseTree(Node *node, void *raw)
{
	if (node == nullptr)
		return false;
	auto *state = static_cast<State *>(raw);
	if (!state->visit(node, state->context))
		return false;
	/* Leaves, the most common nodes: the generic walker would only find that they have no children. */
	switch (nodeTag(node)) {
	case T_ColumnRef:
	case T_ParamRef:
	case T_A_Const:
	case T_A_Star:
	case T_String:
		return false;
	default:
		break;
	}
	/* PostgreSQL 15 declares the walker as bool (*)(); void (*)() is the portable detour. */
	auto *walker = reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(&RecurseTree));
	return raw_expression_tree_walker(node, walker, raw);
}

} // namespace

void WalkTree(Node *root, bool (*visit)(Node *, void *), void *context)
{
	State state{visit, context};
	RecurseTree(root, &state);
}

bool IsSqlcParameter(FuncCall *call)
{
	if (SchemaOfName(call->funcname) != "sqlc")
		return false;
	std::string const name = LastName(call->funcname);
	return name == "arg" || name == "narg" || name == "slice";
}

bool IsSqlcSlice(FuncCall *call)
{
	return SchemaOfName(call->funcname) == "sqlc" && LastName(call->funcname) == "slice";
}

} // namespace tlint
