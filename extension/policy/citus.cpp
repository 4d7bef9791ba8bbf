#include "policy/citus.h"

#include "boundary/sql_text.h"

namespace tg {

CitusTable LoadCitusTable(SpiSession &spi, Oid relid)
{
	CitusTable t;
	t.citus_installed = SqlBool(spi.Value(
		"SELECT EXISTS (SELECT FROM pg_catalog.pg_extension"
		"                WHERE extname OPERATOR(pg_catalog.=) 'citus')"));
	if (!t.citus_installed)
		return t;
	/* pg_dist_partition exists only once Citus is installed: not before this point. */
	std::vector<SqlRow> rows = spi.Query(
		"SELECT p.partmethod, p.repmodel,"
		"       CASE WHEN p.partmethod OPERATOR(pg_catalog.=) 'h'"
		"            THEN pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END"
		"  FROM pg_catalog.pg_dist_partition p"
		" WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
		{std::to_string(relid)});
	if (rows.empty())
		return t;
	const SqlRow &r = rows[0];
	if (*r[0] == "h") {
		t.placement = CitusPlacement::Distributed;
		t.distribution_column = r[2];
	} else if (*r[0] == "n" && *r[1] == "t") {
		t.placement = CitusPlacement::Reference;
	} else {
		t.placement = CitusPlacement::Other;
	}
	return t;
}

bool IsDistributionColumn(const CitusTable &table, const std::string &column)
{
	return table.placement == CitusPlacement::Distributed && table.distribution_column == column;
}

void WarnIfNotDistributedByTenant(const std::string &table_name, const CitusTable &table,
								  const std::string &column)
{
	if (table.placement != CitusPlacement::Distributed || IsDistributionColumn(table, column))
		return;
	Report(WARNING,
		   "table " + table_name + " is distributed by column \"" +
			   table.distribution_column.value_or("") + "\", not by tenant column \"" + column + "\"",
		   "Each shard then holds rows of many tenants, so every query of one tenant runs on "
		   "every shard; the policies still hold on each of them.",
		   "Distribute it by the tenant column: SELECT alter_distributed_table('" + table_name +
			   "', distribution_column => '" + column + "').");
}

} // namespace tg
