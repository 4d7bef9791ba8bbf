#include "audit/audit_catalog.h"
#include "boundary/pg_boundary.h"

extern "C" {
#include "access/tupdesc.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace tg::audit {

const Oid kBlockColumnTypes[7] = {TEXTOID, INT8OID, INT8OID, INT8ARRAYOID, BYTEAOID, BYTEAOID, BYTEAOID};
const Oid kPassColumnTypes[6] = {INT8OID, TIMESTAMPTZOID, INT8OID, INT8OID, BYTEAOID, BYTEAOID};

void RequireLayout(Relation rel, const Oid *types, int ncolumns)
{
	TupleDesc desc = RelationGetDescr(rel);
	bool same = desc->natts == ncolumns;
	for (int i = 0; same && i < desc->natts; i++) {
		Form_pg_attribute att = TupleDescAttr(desc, i);
		same = !att->attisdropped && att->atttypid == types[i];
	}
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"tenant_guard.%s\" does not have the columns of the audit trail",
						RelationGetRelationName(rel)),
				 errdetail("The trail's tables are written and read by column position: a column was "
						   "added, dropped or changed, or a partition with other columns was attached."),
				 errhint("Restore the table as tenant_guard--1.1.sql creates it, or run ALTER "
						 "EXTENSION tenant_guard UPDATE if the library and the extension differ.")));
}

void RequireEventLayout(Relation rel)
{
	/* kSeq .. kRowHash, as tenant_guard--1.1.sql creates them. */
	static const Oid kTypes[kEventColumns] = {INT8OID, TEXTOID, INT2OID, TIMESTAMPTZOID, INT8OID,
											  INT4OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
											  TEXTOID, JSONBOID, JSONBOID, TEXTARRAYOID, TEXTOID,
											  INETOID, BYTEAOID};
	RequireLayout(rel, kTypes, kEventColumns);
}

Oid AuditRelid(const char *name)
{
	Oid const nsp = get_namespace_oid("tenant_guard", true);
	return OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;
}

Oid RequireAuditRelid(const char *name)
{
	Oid const relid = AuditRelid(name);
	if (!OidIsValid(relid))
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("relation \"tenant_guard.%s\" does not exist", name),
						errdetail("The audit trail needs tenant_guard 1.1 or later."),
						errhint("Run ALTER EXTENSION tenant_guard UPDATE.")));
	return relid;
}

List *PartitionAncestors(Oid relid)
{
	List *out = NIL;
	for (Oid r = relid; get_rel_relispartition(r);) {
		r = get_partition_parent(r, true);
		out = lappend_oid(out, r);
	}
	return out;
}

std::vector<Oid> InheritorsOf(Oid relid)
{
	List *all = PgCall(find_all_inheritors, relid, NoLock, static_cast<List **>(nullptr));
	std::vector<Oid> out;
	ListCell *lc;
	foreach (lc, all)
		out.push_back(lfirst_oid(lc));
	return out;
}

} // namespace tg::audit
