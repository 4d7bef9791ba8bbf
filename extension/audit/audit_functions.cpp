/*
 * audit_functions.cpp — tenant_guard.audit(tbl, exclude_columns, chain),
 * tenant_guard.unaudit(tbl) and the append-only trigger on the trail's own
 * tables.
 *
 * audit() records its choice in tenant_guard.audited_tables and (re)creates
 * two triggers: tenant_guard_audit (row changes; on a partitioned table
 * PostgreSQL clones it to every partition, future ones included) and
 * tenant_guard_audit_truncate (TRUNCATE is per relation, so it is also put on
 * each existing partition; tenant_guard.audit_new_partitions() puts it on
 * partitions created later). Everything runs in the caller's transaction, so
 * both functions are transactional; a second call replaces the triggers.
 */
#include "audit/audit_catalog.h"
#include "audit/audit_shared.h"
#include "audit/capture_triggers.h"
#include "audit/config_event.h"
#include "boundary/extension_owner.h"
#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_text.h"
#include "boundary/trigger_call.h"
#include "boundary/user_switch.h"
#include "policy/citus.h"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

#include <optional>
#include <string>
#include <vector>

namespace tg::audit {

namespace {

std::vector<std::string> TextArray(Datum array_datum)
{
	ArrayType *array = PgCall([array_datum] { return DatumGetArrayTypeP(array_datum); });
	Datum *elems = nullptr;
	bool *nulls = nullptr;
	int n = 0;
	PgCall([&] { deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
	std::vector<std::string> out;
	for (int i = 0; i < n; i++) {
		if (nulls[i])
			throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "excluded column names must not be NULL",
						"", "Pass the names of existing columns, e.g. '{password_hash}'.");
		Datum const d = elems[i];
		out.emplace_back(PgCall([d] { return text_to_cstring(DatumGetTextPP(d)); }));
	}
	return out;
}

void RequireOwner(Oid relid, const std::string &table)
{
	if (!PgCall(pg_class_ownercheck, relid, GetUserId()))
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE, "must be owner of table " + table,
					"Only the owner of a table (or a superuser) may change how it is audited.",
					"Run it as the table's owner.");
}

/* The table and every partition below it, the table first. */
std::vector<Oid> TableAndPartitions(SpiSession &spi, Oid relid)
{
	std::vector<Oid> out{relid};
	for (const SqlRow &r :
		 spi.Query("SELECT relid::pg_catalog.oid FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid)"
				   " WHERE level OPERATOR(pg_catalog.>) 0 ORDER BY level, relid::pg_catalog.oid",
				   {std::to_string(relid)}))
		if (SqlOid(r[0]) != relid)
			out.push_back(SqlOid(r[0]));
	return out;
}

/* The protected tenant column, else a column named tenant_id, else none. */
std::string TenantColumn(SpiSession &spi, Oid relid)
{
	std::optional<std::string> column = spi.Value(
		"SELECT tenant_column FROM tenant_guard.protection WHERE table_oid OPERATOR(pg_catalog.=) "
		"$1::pg_catalog.oid",
		{std::to_string(relid)});
	if (column)
		return *column;
	column = spi.Value("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid "
					   "OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND attname OPERATOR(pg_catalog.=) "
					   "'tenant_id' AND NOT attisdropped",
					   {std::to_string(relid)});
	return column.value_or("");
}

/*
 * A distributed or reference table's rows live in shards on the workers:
 * capture triggers there would name shards, every node would keep a trail of
 * its own, and shard moves would copy rows through them. Not supported yet
 * (docs/scale-out.md); Citus local tables stay on the coordinator and pass.
 */
void RefuseCitusTable(SpiSession &spi, Oid relid, const std::string &table)
{
	CitusPlacement const placement = LoadCitusTable(spi, relid).placement;
	if (placement != CitusPlacement::Distributed && placement != CitusPlacement::Reference)
		return;
	std::string const kind = placement == CitusPlacement::Distributed ? "distributed" : "reference";
	throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot audit " + kind + " table " + table,
				"Its rows are stored in shards on the worker nodes; tenant_guard's audit trail "
				"records changes on the node that runs the capture trigger and does not follow "
				"shards yet.",
				"Audit tables that stay on the coordinator (local tables or Citus local tables); "
				"see docs/scale-out.md, \"Audit trail\".");
}

/*
 * A table's tree must be one that the capture triggers cover, and one audited
 * table only: no table audited on its own above or below it (audit() would
 * replace that one's triggers with its own, and a DETACH would leave it
 * uncaptured), no child by plain inheritance (PostgreSQL clones row triggers
 * to partitions only), no foreign-table partition (its rows change on another
 * server; it cannot have a TRUNCATE trigger).
 */
void RefuseUncapturedTree(SpiSession &spi, Oid relid, const std::string &table)
{
	std::string const oid = std::to_string(relid);
	std::optional<std::string> other;
	{
		UserSwitch as_owner(ExtensionOwner(spi));
		other = spi.Value(
			"SELECT r.relid::pg_catalog.oid FROM (SELECT relid FROM pg_catalog.pg_partition_ancestors($1::pg_catalog.oid)"
			"  UNION ALL SELECT relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid)) r"
			"  JOIN tenant_guard.audited_tables a ON a.table_oid::pg_catalog.oid OPERATOR(pg_catalog.=) r.relid::pg_catalog.oid"
			" WHERE r.relid::pg_catalog.oid OPERATOR(pg_catalog.<>) $1::pg_catalog.oid LIMIT 1",
			{oid});
	}
	if (other) {
		std::string const name = RelationDisplayName(SqlOid(other));
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot audit " + table + ": " + name + " in its partition tree is audited",
					"One audited table per partition tree: each has its own capture triggers and settings.",
					"Call tenant_guard.unaudit(" + QuoteLiteral(name) + ") first, or audit " + name + " alone.");
	}
	if (spi.Value("SELECT 1 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid"
				  " WHERE (i.inhparent OPERATOR(pg_catalog.=) $1::pg_catalog.oid OR i.inhrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid)"
				  "   AND NOT c.relispartition",
				  {oid}))
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot audit " + table + ": it has or is a child by inheritance",
					"PostgreSQL gives row triggers to partitions only: rows of an inheritance child would be "
					"read and changed through the table unrecorded.",
					"Use declarative partitioning (ATTACH PARTITION) instead of INHERITS, or audit each table "
					"on its own.");
	if (std::optional<std::string> unlogged = spi.Value(
			/* pg_partition_tree() has no row for a table that is not partitioned: the table itself too. */
			"SELECT c.oid FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT relid::pg_catalog.oid"
			"   FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid)) OPERATOR(pg_catalog.||) $1::pg_catalog.oid)"
			"   AND c.relpersistence OPERATOR(pg_catalog.=) 'u' AND c.relkind OPERATOR(pg_catalog.<>) 'f' LIMIT 1",
			{oid}))
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
					"cannot audit " + table + ": " + RelationDisplayName(SqlOid(unlogged)) + " is unlogged",
					"A crash empties an unlogged table without a statement the trail could record, and a "
					"standby never has its rows.",
					"Run ALTER TABLE " + RelationDisplayName(SqlOid(unlogged)) + " SET LOGGED; first.");
	if (std::optional<std::string> foreign = spi.Value(
			"SELECT p.relid::pg_catalog.oid FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid) p"
			"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.relid::pg_catalog.oid"
			" WHERE c.relkind OPERATOR(pg_catalog.=) 'f' LIMIT 1",
			{oid}))
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
					"cannot audit " + table + ": its partition " + RelationDisplayName(SqlOid(foreign)) +
						" is a foreign table",
					"A foreign table's rows live on another server and change there, and it cannot have a "
					"TRUNCATE capture trigger.",
					"Detach the foreign partition first.");
}

/* The table's registration as jsonb text (read as the extension owner), if it is audited. */
std::optional<std::string> Registration(SpiSession &spi, Oid relid)
{
	UserSwitch as_owner(ExtensionOwner(spi));
	return spi.Value("SELECT pg_catalog.jsonb_build_object('chain', chain, 'tenant_column', tenant_column,"
					 " 'exclude_columns', exclude_columns)::pg_catalog.text"
					 "  FROM tenant_guard.audited_tables WHERE table_oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
					 {std::to_string(relid)});
}

} // namespace

} // namespace tg::audit

/* tenant_guard.audit(tbl regclass, exclude_columns text[], chain text) RETURNS boolean */
TG_FUNCTION(tg_audit)
{
	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
							"arguments of tenant_guard.audit must not be NULL", "",
							"Pass '{}' for no excluded columns and 'tenant' or 'global' as chain.");
	Oid const relid = PG_GETARG_OID(0);
	std::vector<std::string> const excluded = tg::audit::TextArray(PG_GETARG_DATUM(1));
	std::string const chain = tg::PgCall([fcinfo] { return text_to_cstring(PG_GETARG_TEXT_PP(2)); });
	std::string const table = tg::RelationDisplayName(relid);
	if (chain != "tenant" && chain != "global")
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "invalid audit chain \"" + chain + "\"",
						"A table's events go to one chain per tenant or to one chain for the "
						"whole database.",
						"Pass chain => 'tenant' or chain => 'global'.");
	char const kind = tg::PgCall(get_rel_relkind, relid);
	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
		throw tg::Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot audit " + table,
						"Only tables and partitioned tables can be audited.",
						"Audit the table that holds the rows (for a view, its base table).");
	Oid const nsp = tg::PgCall(get_rel_namespace, relid);
	if (nsp == tg::PgCall(get_namespace_oid, "tenant_guard", true))
		throw tg::Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot audit " + table,
						"The tables of tenant_guard itself are not audited.",
						"The trail is append-only and hash-chained already: check it with "
						"tenant_guard.verify_audit().");
	if (tg::PgCall(get_rel_persistence, relid) == RELPERSISTENCE_TEMP)
		throw tg::Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot audit temporary table " + table,
						"A temporary table goes away with its session (DISCARD, ON COMMIT DROP, "
						"the end of the connection) without a statement the trail could record.",
						"Audit a permanent table.");
	tg::audit::RequireOwner(relid, table);
	tg::audit::RequireSealing();

	/*
	 * Before reading the partition tree: an ATTACH holds SHARE UPDATE
	 * EXCLUSIVE until it commits, and a partition it brings in after the read
	 * would get the cloned row trigger but no TRUNCATE trigger. CREATE
	 * TRIGGER takes this lock anyway.
	 */
	tg::PgCall(LockRelationOid, relid, static_cast<LOCKMODE>(ShareRowExclusiveLock));
	tg::SpiSession spi;
	tg::audit::RefuseCitusTable(spi, relid, table);
	tg::audit::RefuseUncapturedTree(spi, relid, table);
	for (const std::string &column : excluded)
		if (!spi.Value("SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) "
					   "$1::pg_catalog.oid AND attname OPERATOR(pg_catalog.=) $2::pg_catalog.name "
					   "AND attnum OPERATOR(pg_catalog.>) 0 AND NOT attisdropped",
					   {std::to_string(relid), column}))
			throw tg::Error(ERRCODE_UNDEFINED_COLUMN,
							"column \"" + column + "\" of table " + table + " does not exist",
							"Excluded columns must be columns of the audited table.",
							"Check the names in exclude_columns.");
	std::string const tenant_column = tg::audit::TenantColumn(spi, relid);
	std::string const args = tg::audit::TriggerArguments(chain, tenant_column, excluded);
	std::vector<Oid> const relations = tg::audit::TableAndPartitions(spi, relid);

	tg::InternalDdlScope internal;
	tg::audit::DropTriggers(spi, relations);
	spi.Execute("CREATE TRIGGER tenant_guard_audit AFTER INSERT OR UPDATE OR DELETE ON " + table +
				" FOR EACH ROW EXECUTE FUNCTION tenant_guard.audit_capture(" + args + ")");
	for (Oid rel : relations)
		tg::audit::CreateTruncateTrigger(spi, rel, args);
	/*
	 * ALWAYS: session_replication_role = replica must not skip capture. The
	 * row trigger's clones on the partitions follow their parent.
	 */
	spi.Execute("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER tenant_guard_audit");
	for (Oid rel : relations)
		spi.Execute("ALTER TABLE " + tg::RelationDisplayName(rel) +
					" ENABLE ALWAYS TRIGGER tenant_guard_audit_truncate");

	std::optional<std::string> const before = tg::audit::Registration(spi, relid);
	std::string const excluded_literal = tg::ArrayLiteral(excluded);
	{
		tg::UserSwitch as_owner(tg::ExtensionOwner(spi));
		spi.Execute("INSERT INTO tenant_guard.audited_tables (table_oid, chain, tenant_column, "
					"exclude_columns) VALUES ($1::pg_catalog.oid, $2, $3::pg_catalog.name, "
					"$4::pg_catalog.name[]) ON CONFLICT (table_oid) DO UPDATE SET chain = "
					"excluded.chain, tenant_column = excluded.tenant_column, exclude_columns = "
					"excluded.exclude_columns",
					{std::to_string(relid), chain,
					 tenant_column.empty() ? tg::SqlParam{} : tg::SqlParam{tenant_column},
					 excluded_literal});
	}
	/* Settings changed on an audited table (more columns excluded, say): recorded in the trail. */
	std::optional<std::string> const after = tg::audit::Registration(spi, relid);
	if (before && before != after)
		tg::audit::WriteConfigEvent("AUDIT", tg::audit::EventTableName(relid), before, after);
	/* A sealer for this database from now on, even before the first event. */
	tg::PgCall(tg::audit::RequestSealer, MyDatabaseId);
	PG_RETURN_BOOL(true);
}

/* tenant_guard.unaudit(tbl regclass) RETURNS boolean: false if it was not audited */
TG_FUNCTION(tg_unaudit)
{
	Oid const relid = PG_GETARG_OID(0);
	std::string const table = tg::RelationDisplayName(relid);
	tg::audit::RequireOwner(relid, table);
	tg::SpiSession spi;
	std::vector<Oid> const relations = tg::audit::TableAndPartitions(spi, relid);
	std::optional<std::string> const before = tg::audit::Registration(spi, relid);
	tg::InternalDdlScope internal;
	tg::audit::DropTriggers(spi, relations);
	uint64_t removed = 0;
	{
		tg::UserSwitch as_owner(tg::ExtensionOwner(spi));
		removed = spi.Execute("DELETE FROM tenant_guard.audited_tables WHERE table_oid "
							  "OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
							  {std::to_string(relid)});
	}
	/* The gap that follows is recorded in the trail, not only in audited_tables. */
	if (removed > 0)
		tg::audit::WriteConfigEvent("UNAUDIT", tg::audit::EventTableName(relid), before, std::nullopt);
	PG_RETURN_BOOL(removed > 0);
}

/*
 * tenant_guard.audit_new_partitions(): the ddl_command_end event trigger.
 * TRUNCATE triggers are per relation: partitions created or attached under an
 * audited table after audit() get theirs here (row triggers are cloned by
 * PostgreSQL itself), only those the command brought in (ArrivingPartitions),
 * with the arguments of the audited table's, created and
 * enabled ALWAYS as tenant_guard's own DDL, so that the drift check at the
 * end of the user's command judges the result and not the step in between (a
 * trigger created but not yet ALWAYS); that DDL runs this trigger again,
 * and audit() makes the triggers itself, so within tenant_guard's own DDL it
 * does nothing. As the extension owner: the user's role may own the
 * partition but not the registry.
 */
TG_FUNCTION(tg_audit_new_partitions)
{
	EventTriggerData *data = tg::RequireEventTrigger(
		fcinfo, "tenant_guard.audit_new_partitions()",
		"It gives partitions of audited tables their TRUNCATE capture trigger", "tenant_guard_audit_new_partitions");
	if (tg::InternalDdlActive())
		PG_RETURN_VOID();
	std::vector<Oid> const arriving = tg::audit::ArrivingPartitions(data->parsetree);
	if (arriving.empty())
		PG_RETURN_VOID();
	tg::SpiSession spi;
	tg::audit::AddMissingTruncateTriggers(spi, &arriving);
	PG_RETURN_VOID();
}

/*
 * tenant_guard.audit_append_only(): BEFORE INSERT OR UPDATE OR DELETE OR
 * TRUNCATE FOR EACH STATEMENT on audit_events (and on each of its monthly
 * partitions: statement triggers are not inherited), audit_blocks and
 * audit_passes. Refuses everything for every role, superusers included; the
 * only writers are the capture trigger (which inserts below SQL) and the
 * sealer, whose INSERTs into the sealing tables pass.
 */
TG_FUNCTION(tg_audit_append_only)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw tg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
						"tenant_guard.audit_append_only() must be called as a trigger");
	auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
	Oid const relid = RelationGetRelid(td->tg_relation);
	bool const sealing_table = relid != tg::PgCall(tg::audit::AuditRelid, "audit_events") &&
							   !tg::PgCall(get_rel_relispartition, relid);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event) && sealing_table && tg::audit::InSealer())
		return PointerGetDatum(nullptr);
	const char *op = TRIGGER_FIRED_BY_INSERT(td->tg_event)	 ? "INSERT"
					 : TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "UPDATE"
					 : TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "DELETE"
															 : "TRUNCATE";
	std::string const table = tg::RelationDisplayName(relid);
	throw tg::Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					std::string(op) + " on " + table + " is refused",
					table + " is append-only: the audit trail is written only by the capture "
							"trigger and the sealing worker, and is never changed.",
					"Read it, or check it with tenant_guard.verify_audit().");
}
