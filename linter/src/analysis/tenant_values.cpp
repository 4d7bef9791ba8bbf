#include "analysis/tenant_values.h"

#include "analysis/node_utils.h"
#include "analysis/tree_walk.h"
#include "common/tenant_value.h"

namespace tlint {

bool ValueJudge::IsTenantFunction(FuncCall *call) const
{
	std::string const name = LastName(call->funcname);
	std::string const schema = SchemaOfName(call->funcname);
	if (name == "current_setting") {
		std::vector<Node *> args = CallArguments(call, {"setting_name", "missing_ok"});
		std::optional<std::string> setting = ConstantString(args[0]);
		return setting && *setting == options_.tenant_setting;
	}
	if ((schema.empty() || schema == tg::kExtensionSchema) && tg::IsTenantFunctionName(name))
		return true;
	std::string const qualified = schema.empty() ? name : schema + "." + name;
	for (const std::string &f : options_.tenant_functions)
		if (f == qualified || f == name)
			return true;
	return false;
}

ValueKind ValueJudge::Of(Node *node) const
{
	if (node == nullptr)
		return ValueKind::None;
	switch (nodeTag(node)) {
	case T_ParamRef:
		return ValueKind::Tenant;
	case T_A_Const: {
		auto *c = reinterpret_cast<A_Const *>(node);
		if (c->isnull)
			return ValueKind::None;
		if (placeholders_ != nullptr && placeholders_->IsQuestionMark(c->location))
			return ValueKind::Tenant;
		return ValueKind::Literal;
	}
	case T_TypeCast:
		return Of(reinterpret_cast<TypeCast *>(node)->arg);
	case T_FuncCall: {
		auto *call = reinterpret_cast<FuncCall *>(node);
		if (IsSqlcParameter(call))
			return IsSqlcSlice(call) ? ValueKind::None : ValueKind::Tenant;
		return IsTenantFunction(call) ? ValueKind::Tenant : ValueKind::None;
	}
	case T_ColumnRef: {
		List *fields = reinterpret_cast<ColumnRef *>(node)->fields;
		return list_length(fields) == 1 && variables_.count(LastName(fields)) > 0 ? ValueKind::Tenant
																				   : ValueKind::None;
	}
	case T_SubLink: {
		/* (SELECT current_setting('app.tenant_id')): evaluated once per statement. */
		auto *link = reinterpret_cast<SubLink *>(node);
		auto *sub = reinterpret_cast<SelectStmt *>(link->subselect);
		if (link->subLinkType != EXPR_SUBLINK || sub == nullptr || sub->fromClause != nullptr ||
			list_length(sub->targetList) != 1)
			return ValueKind::None;
		return Of(static_cast<ResTarget *>(linitial(sub->targetList))->val);
	}
	default:
		return ValueKind::None;
	}
}

bool ValueJudge::IsSetParameter(Node *node) const
{
	while (node != nullptr && IsA(node, TypeCast))
		node = reinterpret_cast<TypeCast *>(node)->arg;
	if (node != nullptr && IsA(node, FuncCall) && IsSqlcSlice(reinterpret_cast<FuncCall *>(node)))
		return true;
	return node != nullptr && !IsA(node, SubLink) &&
		   Of(node) == ValueKind::Tenant;
}

} // namespace tlint
