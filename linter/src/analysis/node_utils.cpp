#include "analysis/node_utils.h"

namespace tlint {

std::string StringValue(Node *node)
{
	if (node != nullptr && IsA(node, String))
		return strVal(node);
	return {};
}

std::optional<std::string> ConstantString(Node *node)
{
	if (node == nullptr)
		return std::nullopt;
	if (IsA(node, TypeCast))
		return ConstantString(reinterpret_cast<TypeCast *>(node)->arg);
	if (IsA(node, A_Const)) {
		auto *c = reinterpret_cast<A_Const *>(node);
		if (!c->isnull && IsA(&c->val, String))
			return std::string(strVal(&c->val));
	}
	return std::nullopt;
}

std::optional<bool> ConstantBool(Node *node)
{
	if (node == nullptr)
		return std::nullopt;
	if (IsA(node, A_Const)) {
		auto *c = reinterpret_cast<A_Const *>(node);
		if (c->isnull)
			return std::nullopt;
		if (IsA(&c->val, Boolean))
			return boolVal(&c->val);
		if (IsA(&c->val, Integer))
			return intVal(&c->val) != 0;
	}
	if (std::optional<std::string> s = ConstantString(node)) {
		if (*s == "t" || *s == "true" || *s == "on" || *s == "yes" || *s == "1")
			return true;
		if (*s == "f" || *s == "false" || *s == "off" || *s == "no" || *s == "0")
			return false;
	}
	return std::nullopt;
}

std::string LastName(List *names)
{
	return names == nullptr ? std::string() : StringValue(static_cast<Node *>(llast(names)));
}

std::string SchemaOfName(List *names)
{
	int const n = list_length(names);
	return n >= 2 ? StringValue(static_cast<Node *>(list_nth(names, n - 2))) : std::string();
}

std::vector<Node *> CallArguments(FuncCall *call, const std::vector<std::string> &param_names)
{
	std::vector<Node *> args(param_names.size(), nullptr);
	size_t position = 0;
	ListCell *lc;
	foreach (lc, call->args) {
		Node *arg = static_cast<Node *>(lfirst(lc));
		if (IsA(arg, NamedArgExpr)) {
			auto *named = reinterpret_cast<NamedArgExpr *>(arg);
			for (size_t i = 0; i < param_names.size(); i++)
				if (named->name != nullptr && param_names[i] == named->name)
					args[i] = reinterpret_cast<Node *>(named->arg);
			continue;
		}
		if (position < args.size())
			args[position] = arg;
		position++;
	}
	return args;
}

void Conjuncts(Node *expr, std::vector<Node *> &out)
{
	if (expr == nullptr)
		return;
	if (IsA(expr, BoolExpr) && reinterpret_cast<BoolExpr *>(expr)->boolop == AND_EXPR) {
		ListCell *lc;
		foreach (lc, reinterpret_cast<BoolExpr *>(expr)->args)
			Conjuncts(static_cast<Node *>(lfirst(lc)), out);
		return;
	}
	out.push_back(expr);
}

} // namespace tlint
