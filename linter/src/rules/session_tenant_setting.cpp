// session-tenant-setting: the tenant set for the session (SET without LOCAL,
// set_config(..., false)). Behind PgBouncer in transaction mode the setting
// stays on the server connection and reaches the next client.
#include "analysis/node_utils.h"
#include "rules/rules.h"

namespace tlint {

void CheckVariableSet(const RuleContext &ctx, VariableSetStmt *stmt)
{
	if (stmt->is_local || stmt->name == nullptr || ctx.options.tenant_setting != stmt->name)
		return;
	if (stmt->kind != VAR_SET_VALUE && stmt->kind != VAR_SET_CURRENT)
		return;
	ctx.Report("session-tenant-setting", -1,
			   "SET " + ctx.options.tenant_setting +
				   " lasts for the session; use SET LOCAL so the tenant ends with the transaction");
}

void CheckSetConfigCall(const RuleContext &ctx, FuncCall *call)
{
	if (LastName(call->funcname) != "set_config")
		return;
	std::vector<Node *> args = CallArguments(call, {"setting_name", "new_value", "is_local"});
	std::optional<std::string> name = ConstantString(args[0]);
	if (!name || *name != ctx.options.tenant_setting)
		return;
	std::optional<bool> is_local = ConstantBool(args[2]);
	if (is_local && *is_local)
		return;
	ctx.Report("session-tenant-setting", call->location,
			   "set_config('" + ctx.options.tenant_setting +
				   "', ..., false) lasts for the session; pass true as the third argument");
}

} // namespace tlint
