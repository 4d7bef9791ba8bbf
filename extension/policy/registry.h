/*
 * registry.h — tenant_guard.protection, the record of what protect() changed,
 * so that unprotect() can undo exactly that and check() can spot drift.
 *
 * Only the extension owner may write the table; protect() runs as the table
 * owner, so writes switch to the extension owner for the one statement.
 */
#pragma once

#include "boundary/spi.h"

#include <optional>
#include <string>
#include <vector>

namespace tg {

struct ProtectionRecord {
	Oid table = InvalidOid;
	std::string tenant_column;
	std::string tenant_type;
	Oid parent = InvalidOid; /* protected because its parent was */
	std::optional<std::string> previous_default;
	bool column_was_not_null = false;
	bool rls_was_enabled = false;
	bool rls_was_forced = false;
	std::optional<std::string> created_index;
};

class Registry {
public:
	explicit Registry(SpiSession &spi) : spi_(spi) {}

	std::optional<ProtectionRecord> Find(Oid table);
	std::vector<Oid> ProtectedChildren(Oid parent);
	void Insert(const ProtectionRecord &record);
	void Remove(Oid table);
	void SetTenantColumn(Oid table, const std::string &column);
	void DeclareGlobal(Oid relation, const std::string &reason);
	void RegisterAppRole(const std::string &role);

private:
	SpiSession &spi_;
	void ExecuteAsExtensionOwner(const std::string &sql, const std::vector<SqlParam> &params);
};

} // namespace tg
