/*
 * partition_sync.cpp — tenant_guard.protect_new_partitions(), the
 * ddl_command_end event trigger that protects partitions (and inheritance
 * children) created or attached under a protected table. A query may name a
 * partition directly, and the parent's policies do not apply then.
 */
#include "boundary/internal_ddl.h"
#include "boundary/spi.h"
#include "policy/generator.h"

extern "C" {
#include "commands/event_trigger.h"
}

TG_FUNCTION(tg_protect_new_partitions)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		throw tg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
						"tenant_guard.protect_new_partitions() must be called as an event trigger");
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
