#include "audit/capture_triggers.h"

#include "audit/audit_catalog.h"
#include "boundary/extension_owner.h"
#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/sql_text.h"
#include "boundary/user_switch.h"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/parsenodes.h"
}

namespace tg::audit {

namespace {

/* A TRUNCATE trigger calling tenant_guard.audit_capture() (TRIGGER_TYPE_TRUNCATE is bit 5). */
constexpr const char *kIsTruncateCapture =
	"t.tgfoid OPERATOR(pg_catalog.=) 'tenant_guard.audit_capture()'::pg_catalog.regprocedure"
	" AND (t.tgtype::pg_catalog.int4 OPERATOR(pg_catalog.&) 32) OPERATOR(pg_catalog.<>) 0";

bool HasTrigger(SpiSession &spi, Oid relid, const char *name)
{
	return spi.Value("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid OPERATOR(pg_catalog.=) "
					 "$1::pg_catalog.oid AND tgname OPERATOR(pg_catalog.=) $2 AND NOT tgisinternal"
					 " AND tgparentid OPERATOR(pg_catalog.=) 0",
					 {std::to_string(relid), std::string(name)})
		.has_value();
}

/* The trigger arguments the registration of audited table `table` gives. */
std::string RegisteredArguments(SpiSession &spi, Oid table)
{
	std::vector<SqlRow> const reg = spi.QueryLatest(
		"SELECT chain, coalesce(tenant_column::pg_catalog.text, '') FROM tenant_guard.audited_tables"
		" WHERE table_oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
		{std::to_string(table)});
	if (reg.empty())
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"table " + RelationDisplayName(table) + " is not audited",
					"Its registration in tenant_guard.audited_tables went away meanwhile.",
					"Run the command again.");
	std::vector<std::string> excluded;
	for (const SqlRow &r : spi.QueryLatest("SELECT c FROM tenant_guard.audited_tables a,"
									 " pg_catalog.unnest(a.exclude_columns) WITH ORDINALITY AS x(c, n)"
									 " WHERE a.table_oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid ORDER BY n",
									 {std::to_string(table)}))
		excluded.push_back(*r[0]);
	return TriggerArguments(*reg[0][0], *reg[0][1], excluded);
}

} // namespace

std::string TriggerArguments(const std::string &chain, const std::string &tenant_column,
							 const std::vector<std::string> &excluded)
{
	std::string args = QuoteLiteral(chain) + ", " + QuoteLiteral(tenant_column);
	for (const std::string &column : excluded)
		args += ", " + QuoteLiteral(column);
	return args;
}

void CreateTruncateTrigger(SpiSession &spi, Oid relid, const std::string &args)
{
	spi.Execute("CREATE TRIGGER tenant_guard_audit_truncate AFTER TRUNCATE ON " +
				RelationDisplayName(relid) +
				" FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.audit_capture(" + args + ")");
}

void DropTriggers(SpiSession &spi, const std::vector<Oid> &relations)
{
	for (Oid rel : relations) {
		std::string const name = RelationDisplayName(rel);
		if (HasTrigger(spi, rel, "tenant_guard_audit"))
			spi.Execute("DROP TRIGGER tenant_guard_audit ON " + name);
		if (HasTrigger(spi, rel, "tenant_guard_audit_truncate"))
			spi.Execute("DROP TRIGGER tenant_guard_audit_truncate ON " + name);
	}
}

void AddMissingTruncateTriggers(SpiSession &spi, const std::vector<Oid> *only)
{
	std::vector<std::string> oids;
	if (only != nullptr)
		for (Oid relid : *only)
			oids.push_back(std::to_string(relid));
	UserSwitch as_owner(ExtensionOwner(spi));
	/*
	 * From pg_inherits, not pg_partition_tree(), which locks every tree it
	 * reads, and from the latest committed registry (an audit() committed
	 * after a REPEATABLE READ snapshot counts). Foreign tables cannot have
	 * TRUNCATE triggers (audit() and ATTACH refuse them).
	 */
	std::vector<SqlRow> const missing = spi.QueryLatest(
		std::string("WITH RECURSIVE tree (relid, root, level) AS ("
					"  SELECT a.table_oid::pg_catalog.oid, a.table_oid::pg_catalog.oid, 0 FROM tenant_guard.audited_tables a"
					"  UNION ALL"
					"  SELECT i.inhrelid, m.root, m.level OPERATOR(pg_catalog.+) 1"
					"    FROM pg_catalog.pg_inherits i JOIN tree m ON i.inhparent OPERATOR(pg_catalog.=) m.relid)"
					" SELECT m.relid, m.root, EXISTS (SELECT FROM pg_catalog.pg_trigger n"
					"   WHERE n.tgrelid OPERATOR(pg_catalog.=) m.relid AND n.tgname OPERATOR(pg_catalog.=) 'tenant_guard_audit_truncate')"
					"   FROM tree m JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) m.relid"
					" WHERE m.level OPERATOR(pg_catalog.>) 0 AND c.relispartition"
					"   AND ($1::pg_catalog.oid[] IS NULL OR m.relid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]))"
					"   AND c.relkind OPERATOR(pg_catalog.<>) 'f'"
					"   AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t"
					"                    WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid AND ") +
			kIsTruncateCapture + ") ORDER BY m.level, m.relid",
		{only == nullptr ? SqlParam{} : SqlParam{ArrayLiteral(oids)}});
	InternalDdlScope internal;
	for (const SqlRow &r : missing) {
		Oid const relid = SqlOid(r[0]);
		/*
		 * Our trigger's name taken by another trigger: for the statement that
		 * brought the partition in, a refusal; for everyone else's DDL (the
		 * event trigger), no failure: check() reports the partition.
		 */
		if (SqlBool(r[2])) {
			if (only == nullptr)
				continue;
			std::string const table = RelationDisplayName(relid);
			throw Error(ERRCODE_DUPLICATE_OBJECT,
						"trigger \"tenant_guard_audit_truncate\" on " + table + " is not tenant_guard's",
						"The partition joins an audited table and needs tenant_guard's TRUNCATE capture "
						"trigger under that name.",
						"Drop or rename that trigger: DROP TRIGGER tenant_guard_audit_truncate ON " + table + ";");
		}
		CreateTruncateTrigger(spi, relid, RegisteredArguments(spi, SqlOid(r[1])));
		spi.Execute("ALTER TABLE " + RelationDisplayName(relid) +
					" ENABLE ALWAYS TRIGGER tenant_guard_audit_truncate");
	}
}

std::vector<Oid> ArrivingPartitions(Node *stmt)
{
	RangeVar *arriving = nullptr;
	if (stmt != nullptr && IsA(stmt, CreateStmt) && reinterpret_cast<CreateStmt *>(stmt)->partbound != nullptr)
		arriving = reinterpret_cast<CreateStmt *>(stmt)->relation;
	if (stmt != nullptr && IsA(stmt, AlterTableStmt)) {
		ListCell *lc;
		foreach (lc, reinterpret_cast<AlterTableStmt *>(stmt)->cmds) {
			auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
			if (cmd->subtype == AT_AttachPartition)
				arriving = reinterpret_cast<PartitionCmd *>(cmd->def)->name;
		}
	}
	Oid const relid = RelationNamed(arriving);
	return OidIsValid(relid) ? InheritorsOf(relid) : std::vector<Oid>{};
}

void DropTruncateTriggers(SpiSession &spi, Oid relid)
{
	std::vector<SqlRow> const triggers = spi.QueryLatest(
		std::string("SELECT t.tgname FROM pg_catalog.pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) "
					"$1::pg_catalog.oid AND ") +
			kIsTruncateCapture,
		{std::to_string(relid)});
	/* As the extension owner, as the trigger was made: the relation's owner may not even reach its schema. */
	UserSwitch as_owner(ExtensionOwner(spi));
	InternalDdlScope internal;
	for (const SqlRow &t : triggers)
		spi.Execute("DROP TRIGGER " + QuoteIdent(*t[0]) + " ON " + RelationDisplayName(relid));
}

} // namespace tg::audit
