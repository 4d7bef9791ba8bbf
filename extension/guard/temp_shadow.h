/*
 * temp_shadow.h — temporary relations that would shadow a permanent one.
 *
 * Unqualified names resolve in pg_temp first. On a pooled server connection
 * a "CREATE TEMP TABLE orders (LIKE public.orders)" outlives its client and
 * captures the next client's "INSERT INTO orders": that client's rows go to
 * a table without policies, readable by whoever made it; the same holds for
 * a view over a protected table, or any relation a client writes to or reads
 * from. Non-exempt roles may not give a temporary relation the name of any
 * permanent relation.
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "nodes/parsenodes.h"
}

namespace tg {

/*
 * Called after a utility statement ran: refuses (with a C++ exception) when
 * it left a temporary relation named like a permanent relation.
 */
void CheckTempShadowing(Node *stmt);

} // namespace tg
