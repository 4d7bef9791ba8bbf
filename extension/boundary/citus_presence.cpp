#include "boundary/citus_presence.h"

#include "boundary/pg_boundary.h"

extern "C" {
#include "commands/extension.h"
}

namespace tg {

bool CitusInstalledHere() { return PgCall(get_extension_oid, "citus", true) != InvalidOid; }

} // namespace tg
