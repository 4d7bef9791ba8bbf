#include "audit/membership_events.h"

#include "audit/audit_catalog.h"
#include "audit/audit_shared.h"
#include "audit/capture_triggers.h"
#include "audit/config_event.h"
#include "boundary/extension_owner.h"
#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_text.h"
#include "boundary/user_switch.h"
#include "boundary/utility_call.h"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"
}

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg::audit {

namespace {

/* A relation as its events name it. */
struct Named {
	Oid relid;
	std::string table_name;
};

/*
 * A table, partitioned table or foreign table that a statement dropped, with
 * what it was a partition of at that moment (itself first, then each parent
 * up to the root), so that its audited ancestor is known after the catalogs
 * forgot it.
 */
struct Dropped {
	std::vector<Named> lineage;
	SubTransactionId subxact;
};

ProcessUtility_hook_type prev_process_utility_hook = nullptr;
object_access_hook_type prev_object_access_hook = nullptr;

int utility_depth = 0;			   /* ProcessUtility calls running in this backend */
std::vector<Dropped> pending_drops; /* seen by the drop hook, not yet recorded */

Named NamedRelation(Oid relid)
{
	return Named{relid, EventTableName(relid)};
}

/*
 * From object_access_hook, for each relation a statement drops, before its
 * catalog rows go (PostgreSQL drops partitions before their parent, so the
 * parent is still there to be named).
 */
void NoteDrop(Oid relid)
{
	char const kind = PgCall(get_rel_relkind, relid);
	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE && kind != RELKIND_FOREIGN_TABLE)
		return;
	Dropped d{{NamedRelation(relid)}, PgCall(GetCurrentSubTransactionId)};
	if (PgCall(get_rel_relispartition, relid)) {
		List *ancestors = PgCall(get_partition_ancestors, relid);
		ListCell *lc;
		foreach (lc, ancestors)
			d.lineage.push_back(NamedRelation(lfirst_oid(lc)));
	}
	pending_drops.push_back(std::move(d));
}

/* The trail exists in this database, and tenant_guard is not installing or changing it itself. */
bool TrailInPlace()
{
	if (!IsTransactionState() || InternalDdlActive() || InSealer())
		return false;
	if (creating_extension && CurrentExtensionObject == PgCall(get_extension_oid, "tenant_guard", true))
		return false;
	return OidIsValid(PgCall(AuditRelid, "audited_tables")) && OidIsValid(PgCall(AuditRelid, "audit_events"));
}

/*
 * The registrations of those of `relations` that are audited tables, as jsonb
 * text with "audited_table" added, by OID; read as the extension owner (the
 * caller may not read the registry).
 */
std::map<Oid, std::string> Registrations(SpiSession &spi, const std::vector<Named> &relations)
{
	std::vector<std::string> oids, names;
	for (const Named &n : relations) {
		oids.push_back(std::to_string(n.relid));
		names.push_back(n.table_name);
	}
	UserSwitch as_owner(ExtensionOwner(spi));
	std::map<Oid, std::string> out;
	for (const SqlRow &r : spi.Query(
			 "SELECT a.table_oid::pg_catalog.oid, pg_catalog.jsonb_build_object('chain', a.chain,"
			 "       'tenant_column', a.tenant_column, 'exclude_columns', a.exclude_columns,"
			 "       'audited_table', n.name)::pg_catalog.text"
			 "  FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.text[])) AS n(relid, name)"
			 "  JOIN tenant_guard.audited_tables a ON a.table_oid::pg_catalog.oid OPERATOR(pg_catalog.=) n.relid",
			 {ArrayLiteral(oids), ArrayLiteral(names)}))
		out.emplace(SqlOid(r[0]), *r[1]);
	return out;
}

/*
 * One DROP event per dropped relation and audited table it belonged to (a
 * table audited on its own inside an audited tree belongs to both); a dropped
 * audited table leaves the registry, its events stay.
 */
void RecordDrops(SpiSession &spi, size_t mark)
{
	std::vector<Dropped> drops(std::make_move_iterator(pending_drops.begin() + static_cast<long>(mark)),
							   std::make_move_iterator(pending_drops.end()));
	pending_drops.resize(mark);
	std::vector<Named> lineages;
	for (const Dropped &d : drops)
		lineages.insert(lineages.end(), d.lineage.begin(), d.lineage.end());
	std::map<Oid, std::string> const registered = Registrations(spi, lineages);
	if (registered.empty())
		return;
	std::vector<std::string> forgotten;
	for (const Dropped &d : drops) {
		/* Dropped in a subtransaction that was rolled back: it is still there. */
		if (PgCall(get_rel_relkind, d.lineage.front().relid) != '\0')
			continue;
		for (const Named &member_of : d.lineage) {
			auto const reg = registered.find(member_of.relid);
			if (reg != registered.end())
				WriteConfigEvent("DROP", d.lineage.front().table_name, reg->second, std::nullopt);
		}
		if (registered.count(d.lineage.front().relid) > 0)
			forgotten.push_back(std::to_string(d.lineage.front().relid));
	}
	if (forgotten.empty())
		return;
	UserSwitch as_owner(ExtensionOwner(spi));
	spi.Execute("DELETE FROM tenant_guard.audited_tables WHERE table_oid::pg_catalog.oid"
				" OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])",
				{ArrayLiteral(forgotten)});
}

/* The relation and what it is a partition of now, itself first. */
std::vector<Named> Lineage(Oid relid)
{
	std::vector<Named> out{NamedRelation(relid)};
	if (PgCall(get_rel_relispartition, relid)) {
		List *ancestors = PgCall(get_partition_ancestors, relid);
		ListCell *lc;
		foreach (lc, ancestors)
			out.push_back(NamedRelation(lfirst_oid(lc)));
	}
	return out;
}

/* The partition and its own partitions, which move with it. */
std::vector<Named> Subtree(Oid relid)
{
	std::vector<Named> out;
	List *all = PgCall(find_all_inheritors, relid, NoLock, static_cast<List **>(nullptr));
	ListCell *lc;
	foreach (lc, all) {
		Oid const member = lfirst_oid(lc);
		if (member == relid || PgCall(get_rel_relispartition, member))
			out.push_back(NamedRelation(member));
	}
	return out;
}

/*
 * ATTACH or DETACH PARTITION, judged after the statement under the locks it
 * took: the partition (and its partitions) joined or left every audited
 * table the parent belongs to. A partition that left and belongs to no
 * audited table any more loses its TRUNCATE capture trigger; one that joined
 * gets it here too (session_replication_role = replica skips the event
 * trigger that does it otherwise).
 */
void RecordPartitionMove(SpiSession &spi, AlterTableStmt *stmt)
{
	if (stmt->objtype != OBJECT_TABLE || list_length(stmt->cmds) != 1)
		return;
	auto *cmd = static_cast<AlterTableCmd *>(linitial(stmt->cmds));
	bool const detach = cmd->subtype == AT_DetachPartition || cmd->subtype == AT_DetachPartitionFinalize;
	if (!detach && cmd->subtype != AT_AttachPartition)
		return;
	auto *partcmd = reinterpret_cast<PartitionCmd *>(cmd->def);
	Oid const parent = PgCall(RangeVarGetRelidExtended, stmt->relation, NoLock, RVR_MISSING_OK,
							  static_cast<RangeVarGetRelidCallback>(nullptr), static_cast<void *>(nullptr));
	Oid const partition = PgCall(RangeVarGetRelidExtended, partcmd->name, NoLock, RVR_MISSING_OK,
								 static_cast<RangeVarGetRelidCallback>(nullptr), static_cast<void *>(nullptr));
	if (!OidIsValid(parent) || !OidIsValid(partition))
		return;
	std::map<Oid, std::string> const audited_parent = Registrations(spi, Lineage(parent));
	if (audited_parent.empty())
		return;
	bool const attached = PgCall(get_rel_relispartition, partition) &&
						  PgCall(get_partition_parent, partition, true) == parent;
	if (attached == detach)
		return; /* the statement did nothing (DETACH FINALIZE of one already detached) */
	std::vector<Named> const moved = Subtree(partition);
	for (const Named &m : moved)
		for (const auto &[root, registration] : audited_parent)
			WriteConfigEvent(detach ? "DETACH" : "ATTACH", m.table_name,
							 detach ? std::optional<std::string>(registration) : std::nullopt,
							 detach ? std::nullopt : std::optional<std::string>(registration));
	if (!detach) {
		AddMissingTruncateTriggers(spi);
		return;
	}
	for (const Named &m : moved)
		if (Registrations(spi, Lineage(m.relid)).empty())
			DropTruncateTriggers(spi, m.relid);
}

bool HasCommand(AlterTableStmt *stmt, AlterTableType type)
{
	ListCell *lc;
	foreach (lc, stmt->cmds)
		if (static_cast<AlterTableCmd *>(lfirst(lc))->subtype == type)
			return true;
	return false;
}

/* An audited table (or a partition of one) that `relation` names, if any. */
std::optional<std::string> AuditedTableNamed(SpiSession &spi, RangeVar *relation)
{
	Oid const relid = PgCall(RangeVarGetRelidExtended, relation, NoLock, RVR_MISSING_OK,
							 static_cast<RangeVarGetRelidCallback>(nullptr), static_cast<void *>(nullptr));
	if (!OidIsValid(relid))
		return std::nullopt;
	std::vector<Named> const lineage = Lineage(relid);
	std::map<Oid, std::string> const audited = Registrations(spi, lineage);
	if (audited.empty())
		return std::nullopt;
	for (const Named &n : lineage)
		if (audited.count(n.relid) > 0)
			return n.table_name;
	return std::nullopt;
}

[[noreturn]] void RefuseUncaptured(const std::string &what, const std::string &audited, const std::string &why)
{
	throw Error(ERRCODE_FEATURE_NOT_SUPPORTED, "cannot " + what + ": " + audited + " is audited", why,
				"Add rows to an audited table as a partition of it (CREATE TABLE ... PARTITION OF, or "
				"ATTACH PARTITION of a table), or call tenant_guard.unaudit('" + audited + "') first.");
}

/*
 * Before a statement: refuses what would put rows into an audited table that
 * no capture trigger can see. A child by plain inheritance gets neither the
 * row trigger (PostgreSQL clones it to partitions only) nor a TRUNCATE
 * trigger; a foreign-table partition's rows live on another server, change
 * there, and a foreign table cannot have a TRUNCATE trigger.
 */
void RefuseUncapturedMembers(PlannedStmt *pstmt)
{
	Node *stmt = pstmt->utilityStmt;
	if (stmt == nullptr || !(IsA(stmt, CreateStmt) || IsA(stmt, CreateForeignTableStmt) || IsA(stmt, AlterTableStmt)))
		return;
	if (IsA(stmt, CreateStmt) || IsA(stmt, CreateForeignTableStmt)) {
		auto *create = reinterpret_cast<CreateStmt *>(stmt); /* CreateForeignTableStmt begins with one */
		bool const foreign = IsA(stmt, CreateForeignTableStmt);
		if (create->inhRelations == NIL || (create->partbound != nullptr && !foreign) || !TrailInPlace())
			return;
		SpiSession spi;
		ListCell *lc;
		foreach (lc, create->inhRelations)
			if (auto audited = AuditedTableNamed(spi, static_cast<RangeVar *>(lfirst(lc))))
				RefuseUncaptured(foreign ? "create a foreign-table partition of " + *audited
										 : "inherit from " + *audited,
								 *audited,
								 foreign ? "A foreign table's rows live on another server and change there, "
										   "and it cannot have a TRUNCATE capture trigger."
										 : "A child by inheritance gets no capture trigger: its rows would be "
										   "read and changed through the audited table unrecorded.");
		return;
	}
	auto *alter = reinterpret_cast<AlterTableStmt *>(stmt);
	if (alter->objtype != OBJECT_TABLE || !(HasCommand(alter, AT_AddInherit) || HasCommand(alter, AT_AttachPartition)))
		return;
	if (!TrailInPlace())
		return;
	SpiSession spi;
	ListCell *lc;
	foreach (lc, alter->cmds) {
		auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
		if (cmd->subtype == AT_AddInherit) {
			if (auto audited = AuditedTableNamed(spi, reinterpret_cast<RangeVar *>(cmd->def)))
				RefuseUncaptured("inherit from " + *audited, *audited,
								 "A child by inheritance gets no capture trigger: its rows would be read "
								 "and changed through the audited table unrecorded.");
		} else if (cmd->subtype == AT_AttachPartition) {
			RangeVar *partition = reinterpret_cast<PartitionCmd *>(cmd->def)->name;
			Oid const relid = PgCall(RangeVarGetRelidExtended, partition, NoLock, RVR_MISSING_OK,
									 static_cast<RangeVarGetRelidCallback>(nullptr), static_cast<void *>(nullptr));
			if (OidIsValid(relid) && PgCall(get_rel_relkind, relid) == RELKIND_FOREIGN_TABLE)
				if (auto audited = AuditedTableNamed(spi, alter->relation))
					RefuseUncaptured("attach foreign table " + RelationDisplayName(relid) + " to " + *audited,
									 *audited,
									 "A foreign table's rows live on another server and change there, and "
									 "it cannot have a TRUNCATE capture trigger.");
		}
	}
}

/* The text of the statement pstmt is, out of a query string that may hold several. */
std::string StatementText(PlannedStmt *pstmt, const char *query_string)
{
	if (query_string == nullptr)
		return "";
	std::string_view text(query_string);
	size_t const start = pstmt->stmt_location > 0 ? static_cast<size_t>(pstmt->stmt_location) : 0;
	if (start >= text.size())
		return "";
	text.remove_prefix(start);
	if (pstmt->stmt_len > 0 && static_cast<size_t>(pstmt->stmt_len) < text.size())
		text = text.substr(0, static_cast<size_t>(pstmt->stmt_len));
	return std::string(text);
}

/*
 * ALTER COLUMN ... TYPE rewrites every row of an audited table, with USING
 * any value at all (the tenant column's too), and no row event says so: one
 * event ALTER per audited table the relation belongs to, with the statement
 * in new_row, so that the row events before and after it can be reconciled.
 */
void RecordColumnRewrite(SpiSession &spi, AlterTableStmt *stmt, const std::string &statement)
{
	Oid const relid = PgCall(RangeVarGetRelidExtended, stmt->relation, NoLock, RVR_MISSING_OK,
							 static_cast<RangeVarGetRelidCallback>(nullptr), static_cast<void *>(nullptr));
	if (!OidIsValid(relid))
		return;
	std::string const table_name = EventTableName(relid);
	for (const auto &[root, registration] : Registrations(spi, Lineage(relid))) {
		SqlValue const image = spi.Value("SELECT ($1::pg_catalog.jsonb OPERATOR(pg_catalog.||)"
										 " pg_catalog.jsonb_build_object('statement', $2))::pg_catalog.text",
										 {registration, statement});
		WriteConfigEvent("ALTER", table_name, std::nullopt, *image);
	}
}

bool MovesPartitions(AlterTableStmt *stmt)
{
	return HasCommand(stmt, AT_AttachPartition) || HasCommand(stmt, AT_DetachPartition) ||
		   HasCommand(stmt, AT_DetachPartitionFinalize);
}

/*
 * After a statement: what it dropped (the drops noted since it began, at
 * `mark`: those of a statement around it are that one's to record, in its own
 * subtransaction), what its ATTACH or DETACH moved, and a column rewrite.
 * Within tenant_guard's own DDL nothing is recorded; drops noted when the
 * trail is gone (DROP EXTENSION) are forgotten at the end of the transaction.
 */
void RecordMembershipChanges(PlannedStmt *pstmt, const char *query_string, size_t mark)
{
	auto *alter = pstmt->utilityStmt != nullptr && IsA(pstmt->utilityStmt, AlterTableStmt)
					  ? reinterpret_cast<AlterTableStmt *>(pstmt->utilityStmt)
					  : nullptr;
	if (alter != nullptr && alter->objtype != OBJECT_TABLE)
		alter = nullptr;
	bool const moves = alter != nullptr && MovesPartitions(alter);
	bool const rewrites = alter != nullptr && HasCommand(alter, AT_AlterColumnType);
	bool const drops = pending_drops.size() > mark;
	if ((!drops && !moves && !rewrites) || !TrailInPlace())
		return;
	SpiSession spi;
	if (drops)
		RecordDrops(spi, mark);
	if (moves)
		RecordPartitionMove(spi, alter);
	if (rewrites)
		RecordColumnRewrite(spi, alter, StatementText(pstmt, query_string));
}

/* A statement that failed dropped nothing: forget what it noted. */
void ForgetDropsSince(size_t mark) noexcept
{
	if (pending_drops.size() > mark)
		pending_drops.resize(mark);
}

/*
 * A subtransaction rolled back (an EXCEPTION block around a statement that
 * had finished): its drops are undone, and so are the events recorded for
 * them (RecordDrops also checks that each relation is really gone). Noted
 * drops still pending belong to the subtransaction that made them.
 */
void ForgetDropsOfSubxact(SubXactEvent event, SubTransactionId subxact, SubTransactionId parent, void *)
{
	if (event == SUBXACT_EVENT_COMMIT_SUB) {
		/* Its drops are its parent's now, to be undone with the parent. */
		for (Dropped &d : pending_drops)
			if (d.subxact == subxact)
				d.subxact = parent;
		return;
	}
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	pending_drops.erase(std::remove_if(pending_drops.begin(), pending_drops.end(),
									   [subxact](const Dropped &d) { return d.subxact == subxact; }),
						pending_drops.end());
}

/* Drops outside any statement (a temporary table at session end) concern no audited table. */
void ForgetDropsAtEnd(XactEvent, void *)
{
	if (utility_depth == 0)
		pending_drops.clear();
}

} // namespace

} // namespace tg::audit

extern "C" {

struct MembershipCall {
	tg::UtilityCall utility;
	size_t mark;
	bool done;
};

static void tg_membership_run(void *arg)
{
	auto *call = static_cast<MembershipCall *>(arg);
	tg::InvokeCpp(tg::audit::RefuseUncapturedMembers, call->utility.pstmt);
	tg::CallNextUtility(&call->utility);
	tg::InvokeCpp(tg::audit::RecordMembershipChanges, call->utility.pstmt, call->utility.query_string,
				  call->mark);
	call->done = true;
}

static void tg_membership_leave(void *arg)
{
	auto *call = static_cast<MembershipCall *>(arg);
	tg::audit::utility_depth--;
	if (!call->done)
		tg::audit::ForgetDropsSince(call->mark);
}

/* A plain C frame: every utility statement, so that drops in nested ones are seen too. */
static void tg_membership_process_utility(PlannedStmt *pstmt, const char *query_string,
										  bool read_only_tree, ProcessUtilityContext context,
										  ParamListInfo params, QueryEnvironment *query_env,
										  DestReceiver *dest, QueryCompletion *qc)
{
	MembershipCall call{{tg::audit::prev_process_utility_hook, pstmt, query_string, read_only_tree,
						 context, params, query_env, dest, qc},
						tg::audit::pending_drops.size(),
						false};
	tg::audit::utility_depth++;
	tg::CallWithCleanup(tg_membership_run, tg_membership_leave, &call);
}

static void tg_membership_object_access(ObjectAccessType access, Oid class_id, Oid object_id, int sub_id,
										void *arg)
{
	if (tg::audit::prev_object_access_hook != nullptr)
		tg::audit::prev_object_access_hook(access, class_id, object_id, sub_id, arg);
	if (access == OAT_DROP && class_id == RelationRelationId && sub_id == 0 && tg::audit::utility_depth > 0)
		tg::InvokeCpp(tg::audit::NoteDrop, object_id);
}

static void tg_membership_subxact(SubXactEvent event, SubTransactionId subxact, SubTransactionId parent,
								  void *arg)
{
	tg::audit::ForgetDropsOfSubxact(event, subxact, parent, arg);
}

static void tg_membership_xact(XactEvent event, void *arg) { tg::audit::ForgetDropsAtEnd(event, arg); }
}

namespace tg::audit {

void InitMembershipEvents()
{
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = tg_membership_process_utility;
	prev_object_access_hook = object_access_hook;
	object_access_hook = tg_membership_object_access;
	RegisterSubXactCallback(tg_membership_subxact, nullptr);
	RegisterXactCallback(tg_membership_xact, nullptr);
}

} // namespace tg::audit
