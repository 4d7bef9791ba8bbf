/*
 * audit_catalog.h — where the audit trail lives: the OIDs of its relations
 * (looked up by name through the syscache, so a reinstalled extension is
 * found again) and the column positions of audit_events, which the capture
 * trigger writes and verify_audit() reads without SQL.
 */
#pragma once

extern "C" {
#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/relcache.h"
}

#include <vector>


namespace tg::audit {

/* audit_events columns, 1-based, in the order of tenant_guard--1.1.sql. */
enum EventColumn : int {
	kSeq = 1,
	kChainId,
	kFormatVersion,
	kOccurredAt,
	kTxid,
	kTxOrdinal,
	kSessionActor,
	kActor,
	kTableName,
	kOperation,
	kTenantId,
	kOldRow,
	kNewRow,
	kChangedColumns,
	kApplicationName,
	kClientAddr,
	kRowHash,
	kEventColumns = kRowHash
};

/*
 * An ERROR (55000) naming rel unless it (audit_events or one of its
 * partitions) has exactly the trail's columns, in order and of the trail's
 * types: the capture trigger writes them, and the sealer and verify_audit()
 * read them, by position, so a column added or a partition attached with
 * another layout must be refused, never read as something else.
 */
void RequireEventLayout(Relation rel);

/* The same for any of the trail's tables: exactly ncolumns columns of these types. */
void RequireLayout(Relation rel, const Oid *types, int ncolumns);

/* The column types of audit_blocks and audit_passes, which verify_audit() reads by position. */
extern const Oid kBlockColumnTypes[7];
extern const Oid kPassColumnTypes[6];

/* The relation's OID in schema tenant_guard, or InvalidOid. */
Oid AuditRelid(const char *name);

/* Like AuditRelid, but an ERROR (55000) naming the missing relation. */
Oid RequireAuditRelid(const char *name);

/*
 * What relid is a partition of, parent first up to the root, in C style (it
 * may raise an ERROR). Unlike get_partition_ancestors() it does not stop at a
 * partition whose DETACH CONCURRENTLY was interrupted: that one is still in
 * its audited table, captured, and recorded when it is dropped.
 */
List *PartitionAncestors(Oid relid);

/* relid and everything below it in its inheritance tree, relid first, unlocked (C++: through PgCall). */
std::vector<Oid> InheritorsOf(Oid relid);

} // namespace tg::audit
