#include "audit/event_partition.h"
#include "audit/audit_shared.h"

extern "C" {
#include "miscadmin.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
}

namespace tg::audit {

namespace {

/* The month (or whatever range the leaf has) the last event went to. */
struct CachedLeaf {
	bool valid;
	Oid parent;
	Oid leaf;
	TimestampTz lower; /* inclusive; DT_NOBEGIN: unbounded */
	TimestampTz upper; /* exclusive; DT_NOEND: unbounded */
};

CachedLeaf cached;
bool callback_registered = false;

void ForgetLeaf(Datum, Oid relid)
{
	if (relid == InvalidOid || relid == cached.parent || relid == cached.leaf)
		cached.valid = false;
}

[[noreturn]] void NoPartition(TimestampTz at)
{
	struct pg_tm tm;
	fsec_t fsec;
	/* No time zone: the month in UTC, as the partitions are cut. */
	if (timestamp2tm(at, nullptr, &tm, &fsec, nullptr, nullptr) != 0)
		tm.tm_year = tm.tm_mon = 0;
	/*
	 * A database without audited writes for months may have no sealer to make
	 * the partition (it exits when idle, and writers restart it only after an
	 * event): start one, so that the next write finds the month's partition.
	 */
	(void)RequestSealer(MyDatabaseId);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("no partition of \"tenant_guard.audit_events\" holds events of %04d-%02d",
					tm.tm_year, tm.tm_mon),
			 errdetail("audit_events has one partition per UTC month, made ahead by the sealing "
					   "worker, close_audit_day() and audit_create_partitions(); none exists for "
					   "this month, and there is no default partition."),
			 errhint("Run SELECT tenant_guard.audit_create_partitions(); as the extension owner.")));
}

} // namespace

Oid EventPartition(Relation events, TimestampTz at)
{
	Oid const parent = RelationGetRelid(events);
	if (cached.valid && cached.parent == parent && at >= cached.lower && at < cached.upper)
		return cached.leaf;
	if (!callback_registered) {
		CacheRegisterRelcacheCallback(ForgetLeaf, (Datum)0);
		callback_registered = true;
	}
	if (events->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("table \"tenant_guard.audit_events\" is not partitioned"),
						errdetail("The library and the installed extension version differ."),
						errhint("Run ALTER EXTENSION tenant_guard UPDATE.")));
	PartitionKey key = RelationGetPartitionKey(events);
	PartitionDesc desc = RelationGetPartitionDesc(events, true);
	PartitionBoundInfo bounds = desc->boundinfo;
	if (desc->nparts == 0 || bounds == nullptr || bounds->strategy != PARTITION_STRATEGY_RANGE)
		NoPartition(at);
	Datum value = TimestampTzGetDatum(at);
	bool equal = false;
	/* As get_partition_for_tuple(): the range [datums[offset], datums[offset + 1]). */
	int const offset = partition_range_datum_bsearch(key->partsupfunc, key->partcollation, bounds, 1,
													 &value, &equal);
	int const index = bounds->indexes[offset + 1];
	if (index < 0)
		NoPartition(at);
	cached.parent = parent;
	cached.leaf = desc->oids[index];
	cached.lower = offset >= 0 && bounds->kind[offset][0] == PARTITION_RANGE_DATUM_VALUE
					   ? DatumGetTimestampTz(bounds->datums[offset][0])
					   : DT_NOBEGIN;
	cached.upper = offset + 1 < bounds->ndatums && bounds->kind[offset + 1][0] == PARTITION_RANGE_DATUM_VALUE
					   ? DatumGetTimestampTz(bounds->datums[offset + 1][0])
					   : DT_NOEND;
	cached.valid = true;
	return cached.leaf;
}

List *EventLeaves(Oid events, LOCKMODE lockmode)
{
	List *all = find_all_inheritors(events, lockmode, nullptr);
	List *leaves = NIL;
	ListCell *lc;
	foreach (lc, all)
		if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_RELATION)
			leaves = lappend_oid(leaves, lfirst_oid(lc));
	return leaves;
}

} // namespace tg::audit
