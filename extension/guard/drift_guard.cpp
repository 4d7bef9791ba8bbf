#include "guard/drift_guard.h"

#include "boundary/extension_owner.h"
#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/sql_args.h"
#include "boundary/spi.h"
#include "boundary/trigger_call.h"
#include "boundary/sql_text.h"
#include "boundary/user_switch.h"
#include "guard/protected_relations.h"

extern "C" {
#include "catalog/namespace.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace tg {

namespace {

/* One protected table a running command names, and what was wrong with it before. */
struct PendingTable {
	Oid relid = InvalidOid;
	std::vector<std::string> before;
};

/* Both live for one transaction: lxid tells a stale value from a current one. */
LocalTransactionId pending_lxid = InvalidLocalTransactionId;
std::vector<PendingTable> pending;

LocalTransactionId allowed_lxid = InvalidLocalTransactionId;
std::map<Oid, std::string> allowed; /* table (InvalidOid: the event triggers) -> reason */

LocalTransactionId CurrentLxid() { return MyProc->lxid; }

/* The extension's 1.1 objects exist in this database (not mid-install, not an old version). */
bool DriftGuardInstalled()
{
	if (creating_extension || InternalDdlActive())
		return false;
	Oid const nsp = PgCall(get_namespace_oid, "tenant_guard", true);
	return OidIsValid(nsp) && OidIsValid(PgCall(get_relname_relid, "drift_log", nsp));
}

const std::string *AllowanceFor(Oid relid)
{
	if (allowed_lxid != CurrentLxid())
		return nullptr;
	auto found = allowed.find(relid);
	return found == allowed.end() ? nullptr : &found->second;
}

std::string CurrentUserName()
{
	Oid const user = GetUserId();
	return PgCall(GetUserNameFromId, user, false);
}


/* Appends to tenant_guard.drift_log as the extension owner (only it may write there). */
void LogDrift(SpiSession &spi, Oid relid, const std::string &reason, const std::string &what)
{
	std::string const by = CurrentUserName();
	UserSwitch as_owner(ExtensionOwner(spi));
	spi.Execute("INSERT INTO tenant_guard.drift_log (table_oid, table_name, reason, logged_by, what)"
				" VALUES ($1::pg_catalog.oid, $2, $3, $4, $5)",
				{relid == InvalidOid ? SqlParam{} : SqlParam{std::to_string(relid)},
				 relid == InvalidOid ? SqlParam{} : SqlParam{RelationDisplayName(relid)}, reason,
				 by, what});
}

std::vector<std::string> DriftOf(SpiSession &spi, Oid relid)
{
	std::vector<std::string> found;
	/* As the extension owner: the verdict must not depend on what the caller may read. */
	UserSwitch as_owner(ExtensionOwner(spi));
	/* Warnings too: an owner that bypasses RLS is only a warning in check(). */
	for (const SqlRow &r : spi.Query("SELECT message FROM tenant_guard._table_drift($1::pg_catalog.oid)"
									 " UNION ALL"
									 " SELECT message FROM tenant_guard._audit_drift($1::pg_catalog.oid)",
									 {std::to_string(relid)}))
		found.push_back(*r[0]);
	std::sort(found.begin(), found.end());
	return found;
}

/* The audited table relid is or is a partition of; InvalidOid when it is not audited. */
Oid AuditedTableOf(SpiSession &spi, Oid relid)
{
	return SqlOid(spi.Value(
		"SELECT a.relid FROM tenant_guard._audited a"
		" WHERE a.relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
		"    OR a.relid OPERATOR(pg_catalog.=) ANY (SELECT r.relid::pg_catalog.oid"
		"                                  FROM pg_catalog.pg_partition_ancestors($1::pg_catalog.oid) r)"
		" LIMIT 1",
		{std::to_string(relid)}));
}

std::string AllowHint(SpiSession &spi, Oid relid, const std::string &table)
{
	std::string stop = "to stop protecting it, call tenant_guard.unprotect('" + table + "')";
	if (!PgCall(IsProtectedRelation, relid))
		if (Oid const audited = AuditedTableOf(spi, relid); audited != InvalidOid)
			stop = "to stop auditing it, call tenant_guard.unaudit('" + RelationDisplayName(audited) + "')";
	return "To change the table on purpose, call SELECT tenant_guard.allow_drift('" + table +
		   "', 'why') earlier in the same transaction; " + stop + ".";
}

/* Passes (and records what was done) when allow_drift() lifted the refusal; else throws it. */
void RefuseUnlessAllowed(SpiSession &spi, Oid relid, const std::string &what, const Error &refusal)
{
	const std::string *reason = AllowanceFor(relid);
	if (reason == nullptr)
		throw refusal;
	LogDrift(spi, relid, *reason, what);
}


/* The table part of a "table.object" name list (DROP POLICY / DROP TRIGGER). */
Oid RelationOfQualifiedObject(List *names)
{
	int const n = list_length(names);
	if (n < 2)
		return InvalidOid;
	List *table = PgCall(list_truncate, PgCall(list_copy, static_cast<const List *>(names)), n - 1);
	RangeVar *rv = PgCall(makeRangeVarFromNameList, table);
	return RelationNamed(rv);
}

/* Every protected or audited relation the statement names that could be weakened through it. */
std::vector<Oid> NamedRelations(SpiSession &spi, Node *stmt)
{
	std::vector<Oid> rels;
	switch (nodeTag(stmt)) {
	case T_AlterTableStmt: {
		auto *alter = reinterpret_cast<AlterTableStmt *>(stmt);
		rels.push_back(RelationNamed(alter->relation));
		ListCell *lc;
		foreach (lc, alter->cmds) {
			auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
			if (cmd->subtype == AT_AttachPartition && cmd->def != nullptr)
				rels.push_back(RelationNamed(reinterpret_cast<PartitionCmd *>(cmd->def)->name));
		}
		break;
	}
	case T_RenameStmt:
		rels.push_back(RelationNamed(reinterpret_cast<RenameStmt *>(stmt)->relation));
		break;
	case T_CreatePolicyStmt:
		rels.push_back(RelationNamed(reinterpret_cast<CreatePolicyStmt *>(stmt)->table));
		break;
	case T_AlterPolicyStmt:
		rels.push_back(RelationNamed(reinterpret_cast<AlterPolicyStmt *>(stmt)->table));
		break;
	case T_DropStmt: {
		auto *drop = reinterpret_cast<DropStmt *>(stmt);
		if (drop->removeType != OBJECT_POLICY && drop->removeType != OBJECT_TRIGGER)
			break;
		ListCell *lc;
		foreach (lc, drop->objects)
			rels.push_back(RelationOfQualifiedObject(static_cast<List *>(lfirst(lc))));
		break;
	}
	default:
		break;
	}
	std::vector<Oid> guarded;
	for (Oid relid : rels)
		if (relid != InvalidOid &&
			(PgCall(IsProtectedRelation, relid) || AuditedTableOf(spi, relid) != InvalidOid) &&
			std::find(guarded.begin(), guarded.end(), relid) == guarded.end())
			guarded.push_back(relid);
	return guarded;
}

void RefuseDropExtension(SpiSession &spi, DropStmt *drop)
{
	if (drop->removeType != OBJECT_EXTENSION && drop->removeType != OBJECT_SCHEMA)
		return;
	ListCell *lc;
	foreach (lc, drop->objects) {
		if (strcmp(strVal(lfirst(lc)), "tenant_guard") != 0)
			continue;
		std::optional<std::string> count =
			spi.Value("SELECT pg_catalog.count(*) FROM tenant_guard.protection"
					  " WHERE parent IS NULL");
		if (!count || *count == "0")
			return;
		throw Error(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST,
					std::string("cannot drop ") +
						(drop->removeType == OBJECT_SCHEMA ? "schema" : "extension") +
						" tenant_guard while " + *count + " table" + (*count == "1" ? " is" : "s are") +
						" protected",
					"Dropping it would drop the policies of every protected table with it, and "
					"leave their rows open to every tenant.",
					"Call tenant_guard.unprotect() on each table listed in "
					"tenant_guard.protected_tables first.");
	}
}

void RefuseDropOwnTrigger(SpiSession &spi, DropStmt *drop)
{
	if (drop->removeType != OBJECT_TRIGGER)
		return;
	ListCell *lc;
	foreach (lc, drop->objects) {
		auto *names = static_cast<List *>(lfirst(lc));
		Oid const relid = RelationOfQualifiedObject(names);
		if (relid == InvalidOid)
			continue;
		std::string const trigger = strVal(llast(names));
		if (!SqlBool(spi.Value(
				"SELECT EXISTS (SELECT FROM pg_catalog.pg_trigger"
				" WHERE tgrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
				"   AND tgname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
				"   AND (tgfoid OPERATOR(pg_catalog.=) 'tenant_guard.outbox_tenant_check()'::pg_catalog.regprocedure"
				"        OR (tgfoid OPERATOR(pg_catalog.=) 'tenant_guard.fk_tenant_check()'::pg_catalog.regprocedure"
				/* a guard whose key is gone checks nothing: dropping it weakens nothing */
				"            AND EXISTS (SELECT FROM pg_catalog.pg_constraint c"
				"                         WHERE c.conrelid OPERATOR(pg_catalog.=) tgrelid"
				"                           AND c.contype OPERATOR(pg_catalog.=) 'f'"
				"                           AND c.conname OPERATOR(pg_catalog.=) pg_catalog.convert_from("
				"                               pg_catalog.rtrim(tgargs, '\\x00'::pg_catalog.bytea),"
				"                               pg_catalog.getdatabaseencoding())))))",
				{std::to_string(relid), trigger})))
			continue;
		std::string const table = RelationDisplayName(relid);
		RefuseUnlessAllowed(
			spi, relid, "dropped tenant_guard trigger \"" + trigger + "\" on " + table,
			Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				  "dropping tenant_guard trigger \"" + trigger + "\" on " + table + " is refused",
				  "The trigger keeps other tenants' rows out of this table's foreign keys or outbox "
				  "events.",
				  AllowHint(spi, relid, table)));
	}
}

void RefuseDisableEventTrigger(SpiSession &spi, AlterEventTrigStmt *alter)
{
	if (alter->tgenabled != TRIGGER_DISABLED && alter->tgenabled != TRIGGER_FIRES_ON_REPLICA)
		return;
	if (!SqlBool(spi.Value("SELECT EXISTS (SELECT FROM pg_catalog.pg_event_trigger e"
						   "  JOIN pg_catalog.pg_proc f ON f.oid OPERATOR(pg_catalog.=) e.evtfoid"
						   " WHERE e.evtname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
						   "   AND f.pronamespace OPERATOR(pg_catalog.=) 'tenant_guard'::pg_catalog.regnamespace)",
						   {std::string(alter->trigname)})))
		return;
	RefuseUnlessAllowed(
		spi, InvalidOid,
		std::string(alter->tgenabled == TRIGGER_DISABLED ? "disabled" : "made replica-only") +
			" tenant_guard event trigger \"" + alter->trigname + "\"",
		Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
			  std::string(alter->tgenabled == TRIGGER_DISABLED ? "disabling" : "making replica-only") +
				  " tenant_guard event trigger \"" + alter->trigname + "\" is refused",
			  "Without it, new partitions stay unprotected or weakening DDL goes unchecked.",
			  "To do it on purpose, call SELECT tenant_guard.allow_drift(NULL, 'why') earlier in "
			  "the same transaction."));
}

/* A rule on a protected table, and what a command does to it. */
struct RuleChange {
	Oid relid = InvalidOid;
	std::string rule;
	std::string doing; /* "creating" */
	std::string done;  /* "created" */
	std::string how;   /* after the table: " to \"new_name\"", " for replica sessions" */
};

std::string EnableRuleScope(AlterTableType subtype)
{
	if (subtype == AT_EnableAlwaysRule)
		return " for all sessions";
	if (subtype == AT_EnableReplicaRule)
		return " for replica sessions";
	return "";
}

/* Every rule the statement creates, replaces, renames or lets fire on a protected
 * relation. Disabling or dropping a rule only narrows, and passes. */
std::vector<RuleChange> RuleChangesOf(Node *stmt)
{
	std::vector<RuleChange> changes;
	switch (nodeTag(stmt)) {
	case T_RuleStmt: {
		auto *rule = reinterpret_cast<RuleStmt *>(stmt);
		changes.push_back(RuleChange{RelationNamed(rule->relation), rule->rulename,
									 rule->replace ? "creating or replacing" : "creating",
									 rule->replace ? "created or replaced" : "created", ""});
		break;
	}
	case T_RenameStmt: {
		auto *rename = reinterpret_cast<RenameStmt *>(stmt);
		if (rename->renameType == OBJECT_RULE)
			changes.push_back(RuleChange{RelationNamed(rename->relation), rename->subname, "renaming",
										 "renamed", std::string(" to \"") + rename->newname + "\""});
		break;
	}
	case T_AlterTableStmt: {
		auto *alter = reinterpret_cast<AlterTableStmt *>(stmt);
		ListCell *lc;
		foreach (lc, alter->cmds) {
			auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
			if (cmd->subtype == AT_EnableRule || cmd->subtype == AT_EnableAlwaysRule ||
				cmd->subtype == AT_EnableReplicaRule)
				changes.push_back(RuleChange{RelationNamed(alter->relation), cmd->name, "enabling",
											 "enabled", EnableRuleScope(cmd->subtype)});
		}
		break;
	}
	default:
		break;
	}
	std::vector<RuleChange> on_protected;
	for (const RuleChange &c : changes)
		if (c.relid != InvalidOid && PgCall(IsProtectedRelation, c.relid))
			on_protected.push_back(c);
	return on_protected;
}

/*
 * A rule rewrites a statement before row-level security sees it: a DO INSTEAD
 * INSERT skips the WITH CHECK of our policies, and its actions write wherever the
 * owner may. At the end of the command, like the other table refusals, so that a
 * superuser's session_replication_role = replica (no event triggers) bypasses it
 * and check() reports the rule instead.
 */
void RefuseRuleChanges(SpiSession &spi, const std::vector<RuleChange> &changes)
{
	for (const RuleChange &c : changes) {
		std::string const table = RelationDisplayName(c.relid);
		std::string const rule = "rule \"" + c.rule + "\"";
		RefuseUnlessAllowed(
			spi, c.relid, c.done + " " + rule + " on " + table + c.how,
			Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				  c.doing + " " + rule + " on protected table " + table + c.how + " is refused",
				  "A rule rewrites statements on the table before its row-level security policies "
				  "see them, so its actions can write rows for another tenant or copy every "
				  "tenant's rows elsewhere.",
				  "Use a trigger instead: the policies still check the rows the statement writes. "
				  "To do this on purpose, call SELECT tenant_guard.allow_drift('" + table +
					  "', 'why') earlier in the same transaction."));
	}
}

void NotePending(SpiSession &spi, const std::vector<Oid> &relids)
{
	if (pending_lxid != CurrentLxid()) {
		pending.clear();
		pending_lxid = CurrentLxid();
	}
	for (Oid relid : relids) {
		bool known = false;
		for (const PendingTable &p : pending)
			known |= p.relid == relid;
		if (!known)
			pending.push_back(PendingTable{relid, DriftOf(spi, relid)});
	}
}

void BeforeUtility(PlannedStmt *pstmt)
{
	Node *stmt = pstmt->utilityStmt;
	if (stmt == nullptr)
		return;
	switch (nodeTag(stmt)) {
	case T_AlterTableStmt:
	case T_RenameStmt:
	case T_CreatePolicyStmt:
	case T_AlterPolicyStmt:
	case T_DropStmt:
	case T_AlterEventTrigStmt:
		break;
	default:
		return;
	}
	if (!DriftGuardInstalled())
		return;
	SpiSession spi;
	if (IsA(stmt, DropStmt)) {
		RefuseDropExtension(spi, reinterpret_cast<DropStmt *>(stmt));
		RefuseDropOwnTrigger(spi, reinterpret_cast<DropStmt *>(stmt));
	}
	if (IsA(stmt, AlterEventTrigStmt)) {
		RefuseDisableEventTrigger(spi, reinterpret_cast<AlterEventTrigStmt *>(stmt));
		return;
	}
	NotePending(spi, NamedRelations(spi, stmt));
}

std::string JoinLines(const std::vector<std::string> &lines)
{
	std::string joined;
	for (const std::string &line : lines)
		joined += (joined.empty() ? "" : "\n") + line;
	return joined;
}

/* At the end of a command (stmt): its rules, and what it made worse on each table it named. */
void RefuseNewDrift(Node *stmt)
{
	if (!DriftGuardInstalled())
		return;
	std::vector<PendingTable> tables;
	if (pending_lxid == CurrentLxid())
		tables.swap(pending);
	std::vector<RuleChange> const rules = stmt == nullptr ? std::vector<RuleChange>{} : RuleChangesOf(stmt);
	if (tables.empty() && rules.empty())
		return;
	SpiSession spi;
	RefuseRuleChanges(spi, rules);
	for (const PendingTable &t : tables) {
		std::vector<std::string> const after = DriftOf(spi, t.relid);
		std::vector<std::string> added;
		std::set_difference(after.begin(), after.end(), t.before.begin(), t.before.end(),
							std::back_inserter(added));
		if (added.empty())
			continue;
		if (const std::string *reason = AllowanceFor(t.relid)) {
			for (const std::string &what : added)
				LogDrift(spi, t.relid, *reason, what);
			continue;
		}
		std::string const table = RelationDisplayName(t.relid);
		std::string const weakened = PgCall(IsProtectedRelation, t.relid)
										 ? "protected table " + table
										 : "the audit trail of table " + table;
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					"command would weaken " + weakened + " and is refused", JoinLines(added),
					AllowHint(spi, t.relid, table));
	}
}

} // namespace

void CheckDriftBeforeUtility(PlannedStmt *pstmt) { InvokeCpp(BeforeUtility, pstmt); }

} // namespace tg

/* tenant_guard.refuse_drift(): the ddl_command_end event trigger */
TG_FUNCTION(tg_refuse_drift)
{
	EventTriggerData *data = tg::RequireEventTrigger(
		fcinfo, "tenant_guard.refuse_drift()", "It checks each DDL command at its end",
		"tenant_guard_refuse_drift");
	tg::RefuseNewDrift(data->parsetree);
	PG_RETURN_VOID();
}

/* tenant_guard.allow_drift(tbl, reason) */
TG_FUNCTION(tg_allow_drift)
{
	if (PG_ARGISNULL(1) || tg::TextArg(fcinfo, 1).empty())
		throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
						"argument \"reason\" of tenant_guard.allow_drift must not be empty",
						"Every weakening of a protected table is recorded with its reason.",
						"Say why, e.g. tenant_guard.allow_drift('orders', 'backfill, ticket 123').");
	std::string const reason = tg::TextArg(fcinfo, 1);
	Oid const relid = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
	Oid const user = GetUserId();
	if (relid == InvalidOid ? !tg::PgCall(superuser_arg, user)
							: !tg::PgCall(pg_class_ownercheck, relid, user))
		throw tg::Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
						relid == InvalidOid
							? std::string("must be superuser to allow drift of tenant_guard's event triggers")
							: "must be owner of table " + tg::RelationDisplayName(relid) +
								  " to allow drift on it",
						"Only whoever may change the table may let a change weaken it.",
						"Run it as the table owner, for example the role that runs migrations.");
	if (tg::allowed_lxid != tg::CurrentLxid()) {
		tg::allowed.clear();
		tg::allowed_lxid = tg::CurrentLxid();
	}
	tg::SpiSession spi;
	tg::LogDrift(spi, relid, reason, "allow_drift");
	tg::allowed[relid] = reason;
	PG_RETURN_BOOL(true);
}
