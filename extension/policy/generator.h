/*
 * generator.h — the RLS policy generator behind tenant_guard.protect() and
 * tenant_guard.unprotect().
 */
#pragma once

#include "boundary/spi.h"
#include "policy/catalog.h"
#include "policy/registry.h"

#include <string>

namespace tg {

struct ProtectOptions {
	bool keep_other_policies = false; /* else other permissive policies are an error */
	bool create_index = false;		  /* else a missing tenant index is a warning */
};

class PolicyGenerator {
public:
	explicit PolicyGenerator(SpiSession &spi) : spi_(spi), registry_(spi) {}

	/*
	 * Protects the table (and its partitions) on the tenant column. Returns
	 * whether anything changed: a second call on a protected table changes
	 * nothing, says so with a NOTICE and returns false.
	 */
	bool Protect(Oid relid, const std::string &column, const ProtectOptions &options,
				 Oid parent = InvalidOid);

	/*
	 * The tenant column to protect relid on: requested, or, when the
	 * registered column was renamed and requested names it by either name,
	 * its new name (the registry follows).
	 */
	std::string FollowRenamedColumn(Oid relid, const std::string &requested);

	/* Undoes exactly what Protect did. Returns false if the table was not protected. */
	bool Unprotect(Oid relid, bool with_parent = false);

private:
	SpiSession &spi_;
	Registry registry_;

	bool EnsureNotNull(const TableInfo &table, const ColumnInfo &column);
	bool EnsureDefault(const TableInfo &table, const ColumnInfo &column, TenantType type);
	bool EnsureRowLevelSecurity(const TableInfo &table);
	bool EnsurePolicies(const TableInfo &table, const ColumnInfo &column, TenantType type,
						bool names_table);
	bool EnsureOwnTriggersEnabled(const TableInfo &table);
	bool ProtectChild(Oid child, const std::string &column, const ProtectOptions &options,
					  Oid parent);
	void CheckOtherPolicies(const TableInfo &table, const ColumnInfo &column, TenantType type,
							const ProtectOptions &options);
	void CheckNoNullTenants(const TableInfo &table, const ColumnInfo &column);
	std::optional<std::string> EnsureTenantIndex(const TableInfo &table, const ColumnInfo &column,
												  const ProtectOptions &options);
	void Run(const std::string &sql) { spi_.Execute(sql); }
};

} // namespace tg
