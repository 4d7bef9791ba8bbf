/*
 * extension_owner.h — the role that owns tenant_guard in this database.
 * tenant_guard's registries (protection, audited_tables, drift_log, ...) are
 * the owner's: the roles that call protect() or audit(), or whose DDL an event
 * trigger judges, may not read or write them, so those statements run as it
 * (boundary/user_switch.h).
 */
#pragma once

#include "boundary/spi.h"

namespace tg {

/* The owner's OID; an ERROR (55000, with a hint) when tenant_guard is not installed here. */
Oid ExtensionOwner(SpiSession &spi);

} // namespace tg
