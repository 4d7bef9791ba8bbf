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

/* One policy protect() generates, compared by contents with what pg_policy holds. */
struct PolicyStatus {
	std::string name; /* the name protect() gives it */
	char command = 0; /* polcmd: r a w d */
	bool matched = false;	   /* a policy with exactly these contents exists, under any name */
	bool named_differs = false; /* the policy under this name has other contents */
};

/* Our own triggers on the table (foreign-key guard, outbox) that do not fire normally. */
struct DisabledTrigger {
	std::string name;
};

struct ForeignKeyRef {
	std::string name;
	Oid referencing = InvalidOid;
	Oid referenced = InvalidOid;
	bool carries_tenant = false; /* both tenant columns are paired in the key */
};

TableInfo LoadTable(SpiSession &spi, Oid relid);
std::optional<ColumnInfo> LoadColumn(SpiSession &spi, Oid relid, const std::string &column);

/*
 * Permissive policies on the table that are not protect()'s by contents,
 * whatever their name (one under a generated name that differs is replaced).
 */
std::vector<std::string> ForeignPermissivePolicies(SpiSession &spi, Oid relid,
												   const std::string &column,
												   const std::string &tenant_type);

std::vector<PolicyStatus> GeneratedPolicyStatus(SpiSession &spi, Oid relid,
												const std::string &column,
												const std::string &tenant_type);

std::vector<DisabledTrigger> DisabledOwnTriggers(SpiSession &spi, Oid relid);

/* The column that carries protect()'s default, if any: the tenant column under its current name. */
std::optional<std::string> ColumnWithTenantDefault(SpiSession &spi, Oid relid);

Oid RelationOwner(SpiSession &spi, Oid relid);

/* Counted with row-level security off for the owner: every tenant's rows, and those of none. */
int64_t CountNullTenants(SpiSession &spi, const TableInfo &table, const std::string &column);

/* Direct children: partitions, or tables that INHERIT from it. */
std::vector<Oid> ChildTables(SpiSession &spi, Oid relid);

/* A valid index whose first key column is the tenant column. */
bool HasTenantLeadingIndex(SpiSession &spi, Oid relid, const std::string &column);

/* Top-level foreign keys where the table is either side, between two protected tables. */
std::vector<ForeignKeyRef> ForeignKeysBetweenProtected(SpiSession &spi, Oid relid);

bool IsOwner(Oid relid);

} // namespace tg
