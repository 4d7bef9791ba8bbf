/*
 * utility_call.h — one ProcessUtility call's arguments, and running the next
 * hook (or standard_ProcessUtility) with them. tenant_guard's ProcessUtility
 * hooks (guard/hooks.cpp, audit/membership_events.cpp) are plain C frames that
 * run the statement through CallWithCleanup, which takes one argument.
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "tcop/utility.h"
}

namespace tg {

struct UtilityCall {
	ProcessUtility_hook_type next; /* the hook installed before ours, or nullptr */
	PlannedStmt *pstmt;
	const char *query_string;
	bool read_only_tree;
	ProcessUtilityContext context;
	ParamListInfo params;
	QueryEnvironment *query_env;
	DestReceiver *dest;
	QueryCompletion *qc;
};

/* Runs the statement of arg (a UtilityCall *); may raise an ERROR, as the statement may. */
void CallNextUtility(void *arg);

} // namespace tg
