/*
 * config_event.h — changes to how a table is audited, recorded in the trail
 * itself: unaudit(), and audit() called again with other settings, write an
 * event of the chain 'config' (operation UNAUDIT or AUDIT, table_name the
 * audited table, old_row and new_row its registration before and after), so
 * that a gap in a table's events, or columns newly excluded, show in the
 * sealed, anchored log and not only in tenant_guard.audited_tables, which its
 * owner can change (docs/audit.md, "Keeping the trail complete").
 */
#pragma once

extern "C" {
#include "postgres.h"
}

#include <optional>
#include <string>

namespace tg::audit {

/* The chain of configuration events. */
inline constexpr const char *kConfigChain = "config";

/*
 * A relation's name as its events record it in table_name: schema-qualified
 * and quoted, the schema by its catalog name (pg_temp_N for a temporary table).
 */
std::string EventTableName(Oid relid);

/*
 * Writes one configuration event in the current transaction: table_name
 * schema-qualified and quoted as every event's, registrations as jsonb text.
 */
void WriteConfigEvent(const char *operation, const std::string &table_name,
					  const std::optional<std::string> &before, const std::optional<std::string> &after);

} // namespace tg::audit
