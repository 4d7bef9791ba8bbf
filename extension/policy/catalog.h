/*
 * catalog.h — what the policy generator needs to know about a table, read
 * from the system catalogs through SPI.
 */
#pragma once

#include "boundary/spi.h"
#include "common/tenant_value.h"

#include <optional>
#include <string>
#include <vector>

namespace tg {

struct TableInfo {
	Oid relid = InvalidOid;
	std::string name; /* qualified, quoted where needed */
	char relkind = 0;
	char persistence = 0;
	bool rls_enabled = false;
	bool rls_forced = false;
	bool is_partition = false;
};

struct ColumnInfo {
	std::string name;
	std::string type_name; /* format_type() */
	bool not_null = false;
	std::optional<std::string> default_expr;
	bool default_is_ours = false; /* the default calls a tenant_guard.tenant_* function */
};

/* One of tenant_guard's own policies as it stands in pg_policy. */
struct ExistingPolicy {
	std::string name;
	char command = 0;		 /* polcmd: r a w d */
	bool permissive = false;
	bool public_only = false; /* TO PUBLIC and nothing else */
	bool calls_tenant_function = false;
	bool names_table = false; /* passes a regclass constant (not under Citus) */
};

struct ForeignKeyRef {
	std::string name;
	Oid referencing = InvalidOid;
	Oid referenced = InvalidOid;
	bool carries_tenant = false; /* both tenant columns are paired in the key */
};

TableInfo LoadTable(SpiSession &spi, Oid relid);
std::optional<ColumnInfo> LoadColumn(SpiSession &spi, Oid relid, const std::string &column);

/* Permissive policies on the table that tenant_guard did not create. */
std::vector<std::string> ForeignPermissivePolicies(SpiSession &spi, Oid relid);

std::vector<ExistingPolicy> OwnPolicies(SpiSession &spi, Oid relid);

int64_t CountNullTenants(SpiSession &spi, const TableInfo &table, const std::string &column);

/* Direct children: partitions, or tables that INHERIT from it. */
std::vector<Oid> ChildTables(SpiSession &spi, Oid relid);

/* A valid index whose first key column is the tenant column. */
bool HasTenantLeadingIndex(SpiSession &spi, Oid relid, const std::string &column);

/* Top-level foreign keys where the table is either side, between two protected tables. */
std::vector<ForeignKeyRef> ForeignKeysBetweenProtected(SpiSession &spi, Oid relid);

bool IsOwner(Oid relid);

} // namespace tg
