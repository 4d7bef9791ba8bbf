/*
 * temp_shadow.h — temporary relations that would shadow a protected table.
 *
 * Unqualified names resolve in pg_temp first. On a pooled server connection
 * a "CREATE TEMP TABLE orders (LIKE public.orders)" outlives its client and
 * captures the next client's "INSERT INTO orders": that client's rows go to
 * a table without policies, readable by whoever made it. Non-exempt roles
 * may not give a temporary relation the name of a protected table.
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "nodes/parsenodes.h"
}

namespace tg {

/*
 * Called after a utility statement ran: refuses (with a C++ exception) when
 * it left a temporary relation named like a protected table.
 */
void CheckTempShadowing(Node *stmt);

} // namespace tg
