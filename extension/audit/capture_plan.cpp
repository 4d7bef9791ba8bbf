#include "audit/capture_plan.h"
#include "audit/audit_catalog.h"
#include "boundary/pg_boundary.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/partition.h"
#include "catalog/pg_trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace tg::audit {

namespace {

struct PlanEntry {
	Oid trigger; /* key */
	CapturePlan *plan;
};

struct TargetEntry {
	Oid relid; /* key */
	EventTarget target;
};

struct RoleEntry {
	Oid role;
	const char *name;
};

/* Sessions switch between a handful of roles at most; others are looked up each time. */
constexpr int kRoles = 8;

MemoryContext cache_cxt = nullptr; /* everything below lives here */
HTAB *plans = nullptr;			   /* by trigger OID */
HTAB *targets = nullptr;		   /* by relation OID */
HTAB *relids = nullptr;			   /* every relation the cache was derived from */
Oid events_relid = InvalidOid;
Oid seq_relid = InvalidOid;
RoleEntry roles[kRoles];
int nroles = 0;

bool stale = false;
int depth = 0;

HTAB *NewOidTable(const char *name, Size entrysize)
{
	HASHCTL ctl;
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = entrysize;
	ctl.hcxt = cache_cxt;
	return hash_create(name, 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

void Reset()
{
	MemoryContextReset(cache_cxt);
	plans = NewOidTable("tenant_guard audit capture plans", sizeof(PlanEntry));
	targets = NewOidTable("tenant_guard audit event targets", sizeof(TargetEntry));
	relids = NewOidTable("tenant_guard audit cached relations", sizeof(Oid));
	events_relid = InvalidOid;
	seq_relid = InvalidOid;
	nroles = 0;
	stale = false;
}

/* Invalidation callbacks only mark: a capture call may be holding a plan right now. */
void ForgetRelation(Datum, Oid relid)
{
	if (relids == nullptr)
		return;
	if (!OidIsValid(relid)) {
		stale = true;
		return;
	}
	bool found = false;
	hash_search(relids, &relid, HASH_FIND, &found);
	if (found)
		stale = true;
}

void ForgetAll(Datum, int, uint32) { stale = true; }

void CallForgetRelation(Datum arg, Oid relid) { InvokeCpp(ForgetRelation, arg, relid); }
void CallForgetAll(Datum arg, int cacheid, uint32 hash) { InvokeCpp(ForgetAll, arg, cacheid, hash); }

void EnsureCache()
{
	if (cache_cxt != nullptr)
		return;
	cache_cxt = AllocSetContextCreate(CacheMemoryContext, "tenant_guard audit capture cache",
									  ALLOCSET_SMALL_SIZES);
	Reset();
	CacheRegisterRelcacheCallback(CallForgetRelation, Datum(0));
	/* A renamed schema renames every table_name in it; a renamed role its actor. */
	CacheRegisterSyscacheCallback(NAMESPACEOID, CallForgetAll, Datum(0));
	CacheRegisterSyscacheCallback(AUTHOID, CallForgetAll, Datum(0));
}

/* Cache only while fresh: a stale cache is still in use by the running call. */
bool Usable()
{
	EnsureCache();
	return !stale;
}

void Remember(Oid relid)
{
	bool found = false;
	hash_search(relids, &relid, HASH_ENTER, &found);
}

/* tenant_guard.audited_tables columns, 1-based, in the order of tenant_guard--1.1.sql. */
enum AuditedColumn : int { kAuditedTable = 1, kAuditedChain, kAuditedTenantColumn, kAuditedExcluded };

/* Whether a registration row names exactly the trigger's arguments: chain, tenant column, exclusions. */
bool ArgumentsMatch(HeapTuple row, TupleDesc desc, const Trigger *trigger)
{
	bool isnull = false;
	Datum const chain = heap_getattr(row, kAuditedChain, desc, &isnull);
	if (isnull || strcmp(TextDatumGetCString(chain), trigger->tgargs[0]) != 0)
		return false;
	Datum const column = heap_getattr(row, kAuditedTenantColumn, desc, &isnull);
	if (strcmp(isnull ? "" : NameStr(*DatumGetName(column)), trigger->tgargs[1]) != 0)
		return false;
	Datum const excluded = heap_getattr(row, kAuditedExcluded, desc, &isnull);
	Datum *names = nullptr;
	int n = 0;
	if (!isnull)
		deconstruct_array(DatumGetArrayTypeP(excluded), NAMEOID, NAMEDATALEN, false,
						  TYPALIGN_CHAR, &names, nullptr, &n);
	if (n != trigger->tgnargs - 2)
		return false;
	for (int i = 0; i < n; i++)
		if (strcmp(NameStr(*DatumGetName(names[i])), trigger->tgargs[i + 2]) != 0)
			return false;
	return true;
}

/*
 * Only the triggers audit() made write events: the trigger must look as
 * audit() makes it, and the registration of the relation, or of the audited
 * table a partition is in (the nearest one), must name its arguments. Anyone may EXECUTE audit_capture()
 * (partitions made by a table's owner clone its trigger), so without this
 * a role could put it on a table of its own, or with other exclusions on an
 * audited one, and write events nobody asked for. Checked when the plan is
 * built: once per trigger and backend.
 */
/*
 * The trigger is one audit() makes: its name (a partition's clone keeps its
 * parent's), no WHEN, no column list, no constraint trigger, no transition
 * tables. A second trigger with the same arguments would record every change
 * twice, under other ordinals that no duplicate check could tell apart.
 */
bool MadeByAudit(const Trigger *trigger)
{
	const char *const expected =
		TRIGGER_FOR_ROW(trigger->tgtype) ? "tenant_guard_audit" : "tenant_guard_audit_truncate";
	return strcmp(trigger->tgname, expected) == 0 && trigger->tgqual == nullptr &&
		   trigger->tgnattr == 0 && !OidIsValid(trigger->tgconstraint) &&
		   trigger->tgoldtable == nullptr && trigger->tgnewtable == nullptr;
}

void RequireRegisteredTrigger(Relation rel, const Trigger *trigger)
{
	Oid const registry = AuditRelid("audited_tables");
	List *candidates = list_make1_oid(RelationGetRelid(rel));
	if (rel->rd_rel->relispartition)
		candidates = list_concat(candidates, PartitionAncestors(RelationGetRelid(rel)));
	bool registered = false;
	bool matches = false;
	if (OidIsValid(registry)) {
		Relation reg = table_open(registry, AccessShareLock);
		Oid const index = RelationGetPrimaryKeyIndex(reg);
		ListCell *lc;
		foreach (lc, candidates) {
			ScanKeyData key;
			ScanKeyInit(&key, kAuditedTable, BTEqualStrategyNumber, F_OIDEQ,
						ObjectIdGetDatum(lfirst_oid(lc)));
			SysScanDesc scan = systable_beginscan(reg, index, true, nullptr, 1, &key);
			if (HeapTuple row = systable_getnext(scan)) {
				registered = true;
				matches = ArgumentsMatch(row, RelationGetDescr(reg), trigger);
			}
			systable_endscan(scan);
			if (registered)
				break;
		}
		table_close(reg, AccessShareLock);
	}
	bool const made_by_audit = MadeByAudit(trigger);
	if (matches && made_by_audit)
		return;
	char const *table = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												   RelationGetRelationName(rel));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("trigger \"%s\" on table %s is not a capture trigger of tenant_guard.audit()",
					trigger->tgname, table),
			 errdetail(!registered ? "The table is not audited: only tables passed to "
									 "tenant_guard.audit() write audit events."
					   : !matches ? "Its arguments differ from the chain, tenant column and excluded "
									"columns registered for the table."
								  : "tenant_guard.audit() names its triggers tenant_guard_audit and "
									"tenant_guard_audit_truncate and gives them no WHEN condition, "
									"column list or transition table; another one would record "
									"changes twice."),
			 errhint("Drop the trigger; to audit the table, call tenant_guard.audit() on it.")));
}

CapturePlan *BuildPlan(TriggerData *td, MemoryContext cxt)
{
	Trigger *trigger = td->tg_trigger;
	if (trigger->tgnargs < 2)
		ereport(ERROR, (errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
						errmsg("trigger \"%s\" needs at least 2 arguments", trigger->tgname),
						errdetail("The audit trigger was not created by tenant_guard.audit()."),
						errhint("Call tenant_guard.audit() again.")));
	RequireRegisteredTrigger(td->tg_relation, trigger);
	auto *plan = static_cast<CapturePlan *>(MemoryContextAllocZero(cxt, sizeof(CapturePlan)));
	Relation rel = td->tg_relation;
	MemoryContext const old = MemoryContextSwitchTo(cxt);
	plan->table_name = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												  RelationGetRelationName(rel));
	plan->table_name_text = CStringGetTextDatum(plan->table_name);
	MemoryContextSwitchTo(old);
	plan->global_chain = strcmp(trigger->tgargs[0], "global") == 0;
	TupleDesc desc = RelationGetDescr(rel);
	if (trigger->tgargs[1][0] != '\0') {
		int const attnum = SPI_fnumber(desc, trigger->tgargs[1]);
		if (attnum > 0) {
			plan->tenant_attnum = static_cast<AttrNumber>(attnum);
			Oid output = InvalidOid;
			bool varlena = false;
			getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &output, &varlena);
			fmgr_info_cxt(output, &plan->tenant_output, cxt);
		}
	}
	plan->row = PlanRow(desc, trigger->tgargs + 2, trigger->tgnargs - 2, cxt);
	plan->changed_names = static_cast<const char **>(
		MemoryContextAllocZero(cxt, sizeof(char *) * (plan->row->ncolumns + 1)));
	return plan;
}

/* The index a user made: a monthly partition's copy is named after the month, its parent is not. */
const char *UserIndexName(Relation index)
{
	if (!index->rd_rel->relispartition)
		return RelationGetRelationName(index);
	List *ancestors = get_partition_ancestors(RelationGetRelid(index));
	return get_rel_name(llast_oid(ancestors));
}

void BuildTarget(Relation rel, EventTarget *target, MemoryContext cxt)
{
	List *indexes = RelationGetIndexList(rel);
	target->relid = RelationGetRelid(rel);
	target->nindexes = list_length(indexes);
	target->indexes =
		static_cast<EventIndex *>(MemoryContextAllocZero(cxt, sizeof(EventIndex) * (target->nindexes + 1)));
	int i = 0;
	ListCell *lc;
	foreach (lc, indexes) {
		Relation index = index_open(lfirst_oid(lc), RowExclusiveLock);
		MemoryContext const old = MemoryContextSwitchTo(cxt);
		IndexInfo *info = BuildIndexInfo(index);
		MemoryContextSwitchTo(old);
		if (info->ii_Expressions != NIL || info->ii_Predicate != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("index \"%s\" on tenant_guard.audit_events is not supported",
							UserIndexName(index)),
					 errdetail("The capture trigger maintains plain column indexes only."),
					 errhint("Drop the index or make it a plain column index.")));
		/*
		 * Not ready for inserts: CREATE INDEX CONCURRENTLY has committed it
		 * empty and waits for the writers; its validation adds their events
		 * (as ExecInsertIndexTuples skips it). Its readiness invalidates the
		 * table's relcache entry, and this target with it.
		 */
		if (info->ii_ReadyForInserts)
			target->indexes[i++] = EventIndex{RelationGetRelid(index), info};
		index_close(index, NoLock);
	}
	target->nindexes = i;
	list_free(indexes);
}

} // namespace

void BeginCaptureCall()
{
	EnsureCache();
	/* Counted only once nothing can fail, so that a failed start leaves no call open. */
	if (depth == 0 && stale)
		Reset();
	depth++;
}

void EndCaptureCall()
{
	if (depth > 0)
		depth--;
}

CapturePlan *CapturePlanFor(FunctionCallInfo fcinfo, TriggerData *td)
{
	Oid const trigger = td->tg_trigger->tgoid;
	if (!Usable())
		return BuildPlan(td, fcinfo->flinfo->fn_mcxt);
	bool found = false;
	auto *entry = static_cast<PlanEntry *>(hash_search(plans, &trigger, HASH_FIND, &found));
	if (found)
		return entry->plan;
	CapturePlan *plan = BuildPlan(td, cache_cxt);
	/* Building may have processed invalidations (catalog lookups take locks). */
	if (!Usable())
		return plan;
	entry = static_cast<PlanEntry *>(hash_search(plans, &trigger, HASH_ENTER, &found));
	entry->plan = plan;
	Remember(RelationGetRelid(td->tg_relation));
	return plan;
}

Oid EventsRelid()
{
	if (!Usable())
		return RequireAuditRelid("audit_events");
	if (!OidIsValid(events_relid)) {
		Oid const relid = RequireAuditRelid("audit_events");
		if (!Usable())
			return relid;
		Remember(relid);
		events_relid = relid;
	}
	return events_relid;
}

Oid EventSeqRelid()
{
	if (!Usable())
		return RequireAuditRelid("audit_event_seq");
	if (!OidIsValid(seq_relid)) {
		Oid const relid = RequireAuditRelid("audit_event_seq");
		if (!Usable())
			return relid;
		Remember(relid);
		seq_relid = relid;
	}
	return seq_relid;
}

const EventTarget *EventTargetFor(Relation rel)
{
	Oid const relid = RelationGetRelid(rel);
	if (!Usable()) {
		auto *target = static_cast<EventTarget *>(palloc0(sizeof(EventTarget)));
		BuildTarget(rel, target, CurrentMemoryContext);
		return target;
	}
	bool found = false;
	auto *entry = static_cast<TargetEntry *>(hash_search(targets, &relid, HASH_FIND, &found));
	if (found)
		return &entry->target;
	/*
	 * Built in a context of its own under the statement's, and handed to the
	 * cache only once complete: an index the trigger cannot maintain fails the
	 * write inside BuildTarget, and what was built goes with the statement
	 * instead of staying in the cache's memory on every such write.
	 */
	MemoryContext const building =
		AllocSetContextCreate(CurrentMemoryContext, "tenant_guard audit event target", ALLOCSET_SMALL_SIZES);
	EventTarget built{};
	BuildTarget(rel, &built, building);
	if (!Usable()) {
		auto *target = static_cast<EventTarget *>(palloc(sizeof(EventTarget)));
		*target = built;
		return target;
	}
	MemoryContextSetParent(building, cache_cxt);
	entry = static_cast<TargetEntry *>(hash_search(targets, &relid, HASH_ENTER, &found));
	entry->target = built;
	Remember(relid);
	return &entry->target;
}

const char *RoleName(Oid roleid)
{
	if (Usable())
		for (int i = 0; i < nroles; i++)
			if (roles[i].role == roleid)
				return roles[i].name;
	char *name = GetUserNameFromId(roleid, false);
	if (Usable() && nroles < kRoles)
		roles[nroles++] = RoleEntry{roleid, MemoryContextStrdup(cache_cxt, name)};
	return name;
}

} // namespace tg::audit
