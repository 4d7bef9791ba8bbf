#include "audit/membership_events.h"

#include "audit/audit_catalog.h"
#include "audit/audit_shared.h"
#include "audit/config_event.h"
#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_text.h"
#include "boundary/user_switch.h"

extern "C" {
#include "access/xact.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
}

#include <algorithm>
#include <string>
#include <vector>

namespace tg::audit {

namespace {

/* A relation in the partition tree of an audited table (the table itself included). */
struct Member {
	Oid relid;
	std::string table_name;	  /* as events record it */
	std::string registration; /* the audited table's, with "audited_table" added, jsonb text */
};

ProcessUtility_hook_type prev_process_utility_hook = nullptr;

/* The members before the outermost watched statement that is running; nested ones are its part. */
std::vector<Member> members_before;
int watch_depth = 0;

bool DetachesOrAttaches(AlterTableStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->cmds) {
		auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
		if (cmd->subtype == AT_AttachPartition || cmd->subtype == AT_DetachPartition ||
			cmd->subtype == AT_DetachPartitionFinalize)
			return true;
	}
	return false;
}

/* The statements that can drop, detach or attach a table; everything else passes unwatched. */
bool MayMoveTables(Node *stmt)
{
	if (stmt == nullptr)
		return false;
	switch (nodeTag(stmt)) {
	case T_DropStmt: {
		auto *drop = reinterpret_cast<DropStmt *>(stmt);
		switch (drop->removeType) {
		case OBJECT_TABLE:
		case OBJECT_FOREIGN_TABLE: /* a partition may be one */
		case OBJECT_SCHEMA:
		case OBJECT_EXTENSION:
		case OBJECT_ACCESS_METHOD:
		case OBJECT_FOREIGN_SERVER:
		case OBJECT_FDW:
			return true;
		default:
			return drop->behavior == DROP_CASCADE;
		}
	}
	case T_DropOwnedStmt:
		return true;
	case T_AlterTableStmt:
		return DetachesOrAttaches(reinterpret_cast<AlterTableStmt *>(stmt));
	default:
		return false;
	}
}

/*
 * The trail exists in this database and is not being installed or changed by
 * tenant_guard itself. Never in the sealer, whose own DDL (the next month's
 * partition of audit_events) moves no audited table, and which must not lock
 * the registry behind the trail relations it holds.
 */
bool TrailInPlace()
{
	return IsTransactionState() && !creating_extension && !InternalDdlActive() && !InSealer() &&
		   OidIsValid(PgCall(AuditRelid, "audited_tables")) &&
		   OidIsValid(PgCall(AuditRelid, "audit_events"));
}

/*
 * Every member of every audited table, read as the extension owner (the
 * caller may not read the registry), from pg_inherits as find_all_inheritors
 * follows it, but without locking the tables: a DROP of an unrelated table
 * must not wait behind a migration that holds an audited one.
 */
std::vector<Member> AuditedMembers()
{
	SpiSession spi;
	UserSwitch as_owner(SqlOid(ExtensionOwner(spi)));
	std::vector<Member> out;
	for (const SqlRow &r : spi.Query(
			 "WITH RECURSIVE tree (relid, audited, level) AS ("
			 "  SELECT a.table_oid::pg_catalog.oid, a.table_oid::pg_catalog.oid, 0"
			 "    FROM tenant_guard.audited_tables a"
			 "  UNION ALL"
			 "  SELECT i.inhrelid, t.audited, t.level OPERATOR(pg_catalog.+) 1"
			 "    FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent OPERATOR(pg_catalog.=) t.relid)"
			 " SELECT t.relid, pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
			 "        OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),"
			 "        pg_catalog.jsonb_build_object('chain', a.chain, 'tenant_column', a.tenant_column,"
			 "          'exclude_columns', a.exclude_columns, 'audited_table',"
			 "          pg_catalog.quote_ident(an.nspname) OPERATOR(pg_catalog.||) '.'"
			 "          OPERATOR(pg_catalog.||) pg_catalog.quote_ident(ac.relname))::pg_catalog.text"
			 "   FROM tree t"
			 "   JOIN tenant_guard.audited_tables a ON a.table_oid::pg_catalog.oid OPERATOR(pg_catalog.=) t.audited"
			 "   JOIN pg_catalog.pg_class ac ON ac.oid OPERATOR(pg_catalog.=) t.audited"
			 "   JOIN pg_catalog.pg_namespace an ON an.oid OPERATOR(pg_catalog.=) ac.relnamespace"
			 "   JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid"
			 "   JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
			 "  ORDER BY t.audited, t.level, t.relid"))
		out.push_back(Member{SqlOid(r[0]), *r[1], *r[2]});
	return out;
}

/* Before a watched statement: notes the members; false when there is nothing to watch. */
bool StartWatch(PlannedStmt *pstmt)
{
	if (!MayMoveTables(pstmt->utilityStmt) || !TrailInPlace())
		return false;
	members_before = AuditedMembers();
	return !members_before.empty();
}

bool Contains(const std::vector<Member> &members, Oid relid)
{
	return std::any_of(members.begin(), members.end(),
					   [relid](const Member &m) { return m.relid == relid; });
}

/*
 * A detached relation keeps its TRUNCATE trigger (the row trigger, a clone of
 * the audited table's, goes with the DETACH); outside an audited table that
 * trigger would refuse every TRUNCATE of it. Dropped as the relation's owner,
 * who may differ from the role that detached it.
 */
void DropTruncateTrigger(SpiSession &spi, Oid relid)
{
	SqlValue const owner = spi.Value(
		"SELECT c.relowner FROM pg_catalog.pg_class c JOIN pg_catalog.pg_trigger t"
		"    ON t.tgrelid OPERATOR(pg_catalog.=) c.oid"
		" WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
		"   AND t.tgname OPERATOR(pg_catalog.=) 'tenant_guard_audit_truncate'"
		"   AND t.tgfoid OPERATOR(pg_catalog.=) 'tenant_guard.audit_capture()'::pg_catalog.regprocedure",
		{std::to_string(relid)});
	if (!owner)
		return;
	InternalDdlScope internal;
	UserSwitch as_owner(SqlOid(owner));
	spi.Execute("DROP TRIGGER tenant_guard_audit_truncate ON " + RelationDisplayName(relid));
}

/* A dropped audited table leaves the registry (its events stay), however it was dropped. */
void ForgetDroppedTables(SpiSession &spi)
{
	UserSwitch as_owner(SqlOid(ExtensionOwner(spi)));
	spi.Execute("DELETE FROM tenant_guard.audited_tables a WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_class c"
				" WHERE c.oid OPERATOR(pg_catalog.=) a.table_oid::pg_catalog.oid)");
}

/*
 * After it: one event per relation that left an audited table (DROP when it
 * no longer exists, DETACH when it does) or joined one (ATTACH). Skipped
 * when the statement dropped the trail itself (DROP EXTENSION).
 */
void RecordMembershipChanges()
{
	if (!TrailInPlace())
		return;
	std::vector<Member> const after = AuditedMembers();
	SpiSession spi;
	bool any_dropped = false;
	for (const Member &m : members_before)
		if (!Contains(after, m.relid)) {
			bool const dropped = PgCall(get_rel_relkind, m.relid) == '\0';
			WriteConfigEvent(dropped ? "DROP" : "DETACH", m.table_name, m.registration, std::nullopt);
			if (!dropped)
				DropTruncateTrigger(spi, m.relid);
			any_dropped |= dropped;
		}
	for (const Member &m : after)
		if (!Contains(members_before, m.relid))
			WriteConfigEvent("ATTACH", m.table_name, std::nullopt, m.registration);
	if (any_dropped)
		ForgetDroppedTables(spi);
}

void EndWatch() noexcept
{
	watch_depth--;
	members_before.clear();
}

} // namespace

} // namespace tg::audit

extern "C" {

struct MembershipUtilityCall {
	PlannedStmt *pstmt;
	const char *query_string;
	bool read_only_tree;
	ProcessUtilityContext context;
	ParamListInfo params;
	QueryEnvironment *query_env;
	DestReceiver *dest;
	QueryCompletion *qc;
};

static void tg_membership_call_next(void *arg)
{
	auto *c = static_cast<MembershipUtilityCall *>(arg);
	if (tg::audit::prev_process_utility_hook != nullptr)
		tg::audit::prev_process_utility_hook(c->pstmt, c->query_string, c->read_only_tree, c->context,
											 c->params, c->query_env, c->dest, c->qc);
	else
		standard_ProcessUtility(c->pstmt, c->query_string, c->read_only_tree, c->context, c->params,
								c->query_env, c->dest, c->qc);
}

/* The statement, then what it moved. */
static void tg_membership_run_watched(void *arg)
{
	tg_membership_call_next(arg);
	tg::InvokeCpp(tg::audit::RecordMembershipChanges);
}

static void tg_membership_end_watch(void *) { tg::audit::EndWatch(); }

/*
 * A plain C frame: the statement runs between the two C++ steps, each entered
 * through InvokeCpp, and an ERROR in it ends the watch on its way out.
 */
static void tg_membership_process_utility(PlannedStmt *pstmt, const char *query_string,
										  bool read_only_tree, ProcessUtilityContext context,
										  ParamListInfo params, QueryEnvironment *query_env,
										  DestReceiver *dest, QueryCompletion *qc)
{
	MembershipUtilityCall call{pstmt, query_string, read_only_tree, context,
							   params, query_env, dest, qc};
	if (tg::audit::watch_depth > 0 || !tg::InvokeCpp(tg::audit::StartWatch, pstmt)) {
		tg_membership_call_next(&call);
		return;
	}
	tg::audit::watch_depth++;
	tg::CallWithCleanup(tg_membership_run_watched, tg_membership_end_watch, &call);
}
}

namespace tg::audit {

void InitMembershipEvents()
{
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = tg_membership_process_utility;
}

} // namespace tg::audit
