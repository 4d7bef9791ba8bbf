#include "boundary/utility_call.h"

namespace tg {

void CallNextUtility(void *arg)
{
	auto *c = static_cast<UtilityCall *>(arg);
	if (c->next != nullptr)
		c->next(c->pstmt, c->query_string, c->read_only_tree, c->context, c->params, c->query_env,
				c->dest, c->qc);
	else
		standard_ProcessUtility(c->pstmt, c->query_string, c->read_only_tree, c->context, c->params,
								c->query_env, c->dest, c->qc);
}

} // namespace tg
