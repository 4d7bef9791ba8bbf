/*
 * token_ledger.h — signed tenant tokens are single use. The first backend
 * that presents a token consumes it: its MAC is recorded in a table in shared
 * memory until the token expires, and every later presentation, in any
 * session, is refused. So a token read from pg_stat_activity.query, a log or
 * a network capture after its use is worth nothing.
 */
#pragma once

#include <cstdint>
#include <string>

namespace tg {

/* Registers the shared memory hooks; call from _PG_init (only while preloading). */
void InitTokenLedger();

/*
 * Records the token with this MAC (32 bytes) as used until expires (Unix
 * seconds). Throws 28000 when it was used before, 53400 when the ledger is
 * full of unexpired tokens, 55000 when the ledger does not exist (library not
 * preloaded).
 */
void ConsumeToken(const std::string &mac, int64_t expires, int64_t now);

} // namespace tg
