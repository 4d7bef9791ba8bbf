#include "policy/key_checks.h"

#include "boundary/sql_text.h"
#include "guc.h"

namespace tg {

namespace {

struct UniqueKey {
	std::string index; /* qualified index name */
	std::string hint;  /* the statement that makes it a composite key with the tenant column */
};

/*
 * Unique and exclusion keys of the table that do not contain the tenant
 * column, as tenant_guard._unique_keys_without_tenant() finds them (check()
 * reads the same function). Between installing a newer library and ALTER
 * EXTENSION UPDATE from 1.0 the function is missing, and protect() checks no
 * keys, as 1.0 did.
 */
std::vector<UniqueKey> UniqueKeysWithoutTenant(SpiSession &spi, Oid relid, const std::string &column)
{
	std::vector<UniqueKey> keys;
	if (!SqlBool(spi.Value("SELECT pg_catalog.to_regprocedure('tenant_guard._unique_keys_without_tenant("
						   "pg_catalog.oid, pg_catalog.name)') IS NOT NULL")))
		return keys;
	for (const SqlRow &r :
		 spi.Query("SELECT index_name, hint FROM tenant_guard._unique_keys_without_tenant("
				   "$1::pg_catalog.oid, $2::pg_catalog.name)",
				   {std::to_string(relid), column}))
		keys.push_back(UniqueKey{*r[0], *r[1]});
	return keys;
}

} // namespace

void RequireDeterministicCollation(SpiSession &spi, const TableInfo &table, const ColumnInfo &column)
{
	std::optional<std::string> collation = spi.Value(
		"SELECT co.collname FROM pg_catalog.pg_attribute a"
		"  JOIN pg_catalog.pg_collation co ON co.oid OPERATOR(pg_catalog.=) a.attcollation"
		" WHERE a.attrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
		"   AND a.attname OPERATOR(pg_catalog.=) $2::pg_catalog.name AND NOT co.collisdeterministic",
		{std::to_string(table.relid), column.name});
	if (!collation)
		return;
	throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
				"tenant column \"" + column.name + "\" of table " + table.name +
					" has nondeterministic collation \"" + *collation + "\"",
				"Under it different tenant values can compare equal (for example 'acme' and "
				"'ACME'), so one tenant's policy would match another tenant's rows.",
				"Give the column a deterministic collation first: ALTER TABLE " + table.name +
					" ALTER COLUMN " + QuoteIdent(column.name) + " TYPE " + column.type_name +
					" COLLATE \"C\";");
}

void CheckUniqueKeys(SpiSession &spi, const TableInfo &table, const ColumnInfo &column)
{
	std::vector<UniqueKey> const keys = UniqueKeysWithoutTenant(spi, table.relid, column.name);
	for (const UniqueKey &key : keys) {
		std::string const what = "unique key " + key.index + " of table " + table.name +
								 " does not contain tenant column \"" + column.name + "\"";
		std::string const why = "A duplicate key error, or ON CONFLICT DO NOTHING inserting "
								"nothing, tells one tenant which keys other tenants use.";
		std::string const &hint = key.hint;
		if (tg_unique_without_tenant == kUniqueWithoutTenantError)
			throw Error(ERRCODE_INVALID_OBJECT_DEFINITION, what, why,
						hint + " Or set tenant_guard.unique_without_tenant = warning to protect "
							   "the table anyway.");
		Report(WARNING, what, why, hint);
	}
}

} // namespace tg
