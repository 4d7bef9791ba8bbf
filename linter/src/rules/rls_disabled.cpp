// rls-disabled: ALTER TABLE ... DISABLE / NO FORCE ROW LEVEL SECURITY.
#include "rules/rules.h"

namespace tlint {

void CheckAlterTable(const RuleContext &ctx, AlterTableStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->cmds) {
		auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
		const char *what = nullptr;
		if (cmd->subtype == AT_DisableRowSecurity)
			what = "disables row-level security on ";
		else if (cmd->subtype == AT_NoForceRowSecurity)
			what = "stops forcing row-level security on ";
		if (what != nullptr)
			ctx.Report("rls-disabled", stmt->relation->location,
					   std::string("ALTER TABLE ") + what + WrittenName(stmt->relation) +
						   ": its owner and every role would see all tenants' rows");
	}
}

} // namespace tlint
