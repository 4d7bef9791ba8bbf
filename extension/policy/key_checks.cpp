#include "policy/key_checks.h"

#include "boundary/sql_text.h"
#include "guc.h"

namespace tg {

namespace {

struct UniqueKey {
	std::string index;		/* qualified index name */
	std::string constraint; /* constraint name, empty for a plain unique index */
	char contype = 0;		/* p, u or x; 0 for a plain unique index */
	std::string columns;	/* the key columns or expressions, as pg_get_indexdef spells them */
};

/* Unique and exclusion keys of the table that do not contain the tenant column. */
std::vector<UniqueKey> UniqueKeysWithoutTenant(SpiSession &spi, Oid relid, const std::string &column)
{
	std::vector<UniqueKey> keys;
	for (const SqlRow &r : spi.Query(
			 "SELECT i.indexrelid::pg_catalog.regclass::pg_catalog.text, coalesce(c.conname, ''),"
			 "       coalesce(c.contype::pg_catalog.text, ''),"
			 "       (SELECT pg_catalog.string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)"
			 "          FROM pg_catalog.generate_series(1, i.indnkeyatts) AS k)"
			 "  FROM pg_catalog.pg_index i"
			 "  LEFT JOIN pg_catalog.pg_constraint c ON c.conindid OPERATOR(pg_catalog.=) i.indexrelid"
			 "   AND c.conrelid OPERATOR(pg_catalog.=) i.indrelid"
			 " WHERE i.indrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
			 "   AND (i.indisunique OR i.indisexclusion)"
			 /* A partition's copy of its parent's index was reported with the parent. */
			 "   AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h"
			 "                    WHERE h.inhrelid OPERATOR(pg_catalog.=) i.indexrelid)"
			 /*
			  * Keys only (not INCLUDE columns); in an exclusion constraint the
			  * tenant column must be compared with =, or it separates nothing.
			  */
			 "   AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a,"
			 "                          pg_catalog.generate_series(0, i.indnkeyatts - 1) AS k"
			 "                    WHERE a.attrelid OPERATOR(pg_catalog.=) i.indrelid"
			 "                      AND a.attnum OPERATOR(pg_catalog.=) i.indkey[k]"
			 "                      AND a.attname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
			 "                      AND (NOT i.indisexclusion OR EXISTS ("
			 "                           SELECT FROM pg_catalog.pg_constraint x"
			 "                             JOIN pg_catalog.pg_operator o"
			 "                               ON o.oid OPERATOR(pg_catalog.=) x.conexclop[k + 1]"
			 "                            WHERE x.conindid OPERATOR(pg_catalog.=) i.indexrelid"
			 "                              AND o.oprname OPERATOR(pg_catalog.=) '=')))"
			 " ORDER BY 1",
			 {std::to_string(relid), column})) {
		UniqueKey key;
		key.index = *r[0];
		key.constraint = *r[1];
		key.contype = r[2]->empty() ? 0 : (*r[2])[0];
		key.columns = *r[3];
		keys.push_back(std::move(key));
	}
	return keys;
}

/* The same key with the tenant column first, as the statement that makes it. */
std::string CompositeKeyHint(const TableInfo &table, const ColumnInfo &column, const UniqueKey &key)
{
	std::string const columns = "(" + QuoteIdent(column.name) + ", " + key.columns + ")";
	switch (key.contype) {
	case 'p':
	case 'u':
		return "ALTER TABLE " + table.name + " DROP CONSTRAINT " + QuoteIdent(key.constraint) +
			   ", ADD " + (key.contype == 'p' ? "PRIMARY KEY " : "UNIQUE ") + columns + ";";
	case 'x':
		return "Recreate exclusion constraint " + QuoteIdent(key.constraint) + " with " +
			   QuoteIdent(column.name) + " WITH = as its first element.";
	default:
		return "CREATE UNIQUE INDEX ON " + table.name + " " + columns + "; DROP INDEX " +
			   key.index + ";";
	}
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
		std::string const hint = CompositeKeyHint(table, column, key);
		if (tg_unique_without_tenant == kUniqueWithoutTenantError)
			throw Error(ERRCODE_INVALID_OBJECT_DEFINITION, what, why,
						hint + " Or set tenant_guard.unique_without_tenant = warning to protect "
							   "the table anyway.");
		Report(WARNING, what, why, hint);
	}
}

} // namespace tg
