/*
 * partition_sync.cpp — the ddl_command_end event triggers that protect new
 * tables: tenant_guard.protect_new_partitions() protects partitions (and
 * inheritance children) created or attached under a protected table — a query
 * may name a partition directly, and the parent's policies do not apply then —
 * and tenant_guard.protect_new_tables() new tables in protected schemas.
 */
#include "boundary/internal_ddl.h"
#include "boundary/spi.h"
#include "boundary/trigger_call.h"
#include "boundary/sql_text.h"
#include "guc.h"
#include "policy/generator.h"

extern "C" {
#include "commands/event_trigger.h"
}

TG_FUNCTION(tg_protect_new_partitions)
{
	tg::RequireEventTrigger(fcinfo, "tenant_guard.protect_new_partitions()",
						"It protects the partitions a DDL command created",
						"tenant_guard_protect_new_partitions");
	/* protect() itself runs ALTER TABLE; it handles its own children. */
	if (tg::InternalDdlActive())
		PG_RETURN_VOID();

	tg::SpiSession spi;
	std::vector<tg::SqlRow> orphans = spi.Query(
		"SELECT i.inhrelid, i.inhparent, p.tenant_column FROM pg_catalog.pg_inherits i"
		"  JOIN tenant_guard.protection p ON p.table_oid OPERATOR(pg_catalog.=) i.inhparent"
		" WHERE NOT EXISTS (SELECT FROM tenant_guard.protection c"
		"                    WHERE c.table_oid OPERATOR(pg_catalog.=) i.inhrelid)"
		" ORDER BY i.inhrelid");
	tg::PolicyGenerator generator(spi);
	for (const tg::SqlRow &row : orphans) {
		Oid const child = tg::SqlOid(row[0]);
		Oid const parent = tg::SqlOid(row[1]);
		generator.Protect(child, *row[2], tg::ProtectOptions{}, parent);
	}
	PG_RETURN_VOID();
}

/*
 * tenant_guard.protect_new_tables(): with tenant_guard.protect_new_tables on,
 * a table created (CREATE TABLE, LIKE, AS, SELECT INTO) in a schema that has
 * protected tables, with one of their tenant columns, is protected at once,
 * so that a copy or a re-created table never ships unprotected. Children are
 * left to protect_new_partitions, which follows their parent.
 */
TG_FUNCTION(tg_protect_new_tables)
{
	tg::RequireEventTrigger(fcinfo, "tenant_guard.protect_new_tables()",
						"It protects the tables a DDL command created", "tenant_guard_protect_new_tables");
	if (!tg_protect_new_tables_on || tg::InternalDdlActive())
		PG_RETURN_VOID();

	tg::SpiSession spi;
	std::vector<tg::SqlRow> created = spi.Query(
		"SELECT c.oid,"
		"       (SELECT p.tenant_column FROM tenant_guard.protection p"
		"          JOIN pg_catalog.pg_class pc ON pc.oid OPERATOR(pg_catalog.=) p.table_oid"
		"          JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid"
		"           AND a.attname OPERATOR(pg_catalog.=) p.tenant_column"
		"           AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
		"         WHERE pc.relnamespace OPERATOR(pg_catalog.=) c.relnamespace AND p.parent IS NULL"
		"         GROUP BY p.tenant_column"
		"         ORDER BY pg_catalog.count(*) DESC, p.tenant_column LIMIT 1)"
		"  FROM pg_catalog.pg_event_trigger_ddl_commands() d"
		"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.objid"
		" WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
		"   AND d.objsubid OPERATOR(pg_catalog.=) 0"
		"   AND c.relkind IN ('r', 'p') AND c.relpersistence OPERATOR(pg_catalog.<>) 't'"
		"   AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits i"
		"                    WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid)"
		"   AND NOT EXISTS (SELECT FROM tenant_guard.protection p"
		"                    WHERE p.table_oid OPERATOR(pg_catalog.=) c.oid::pg_catalog.regclass)"
		" ORDER BY c.oid");
	tg::PolicyGenerator generator(spi);
	for (const tg::SqlRow &row : created) {
		if (!row[1])
			continue;
		Oid const table = tg::SqlOid(row[0]);
		tg::Report(NOTICE, "protecting new table " + tg::RelationDisplayName(table) +
							   " on tenant column \"" + *row[1] + "\"",
				   "tenant_guard.protect_new_tables is on and its schema has protected tables.");
		generator.Protect(table, *row[1], tg::ProtectOptions{});
	}
	PG_RETURN_VOID();
}
