#include "guard/protected_relations.h"

#include "boundary/pg_boundary.h"

extern "C" {
#include "postgres.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace tg {

namespace {

struct ProtectedEntry {
	Oid relid; /* hash key */
	bool is_protected;
};

HTAB *cache = nullptr;

void ForgetRelation(Datum, Oid relid)
{
	if (cache == nullptr)
		return;
	if (relid == InvalidOid) {
		hash_destroy(cache);
		cache = nullptr;
		return;
	}
	hash_search(cache, &relid, HASH_REMOVE, nullptr);
}

/*
 * A row for relid in tenant_guard.protection (column 1, table_oid, is its
 * primary key). Without the extension in this database nothing is protected.
 */
bool InRegistry(Oid relid)
{
	Oid const nsp = get_namespace_oid("tenant_guard", true);
	if (!OidIsValid(nsp))
		return false;
	Oid const registry = get_relname_relid("protection", nsp);
	if (!OidIsValid(registry))
		return false;
	Oid const pkey = get_relname_relid("protection_pkey", nsp);
	Relation rel = table_open(registry, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(rel, pkey, OidIsValid(pkey), nullptr, 1, &key);
	bool const found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* A relcache callback is a callback like any other: it enters C++ through the boundary. */
void CallForgetRelation(Datum arg, Oid relid) { InvokeCpp(ForgetRelation, arg, relid); }

void EnsureCache()
{
	static bool callback_registered = false;
	if (cache == nullptr) {
		HASHCTL ctl;
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ProtectedEntry);
		ctl.hcxt = CacheMemoryContext;
		cache = hash_create("tenant_guard protected relations", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	if (!callback_registered) {
		CacheRegisterRelcacheCallback(CallForgetRelation, Datum(0));
		callback_registered = true;
	}
}

/* Relcache invalidation for a registry row's table, if the table still exists. */
void InvalidateRow(HeapTuple row, TupleDesc desc)
{
	if (row == nullptr)
		return;
	bool isnull = false;
	Datum const value = heap_getattr(row, 1, desc, &isnull);
	Oid const relid = isnull ? InvalidOid : DatumGetObjectId(value);
	/* A dropped table has sent its own invalidation. */
	if (OidIsValid(relid) && SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		CacheInvalidateRelcacheByRelid(relid);
}

} // namespace

/* Plain C frame: no C++ objects, so a catalog ERROR may pass through. */
bool IsProtectedRelation(unsigned int relid)
{
	EnsureCache();
	Oid key = relid;
	bool found = false;
	auto *entry = static_cast<ProtectedEntry *>(hash_search(cache, &key, HASH_FIND, &found));
	if (found)
		return entry->is_protected;
	/* Opening the registry may process invalidations, which can drop the whole cache. */
	bool const is_protected = InRegistry(relid);
	EnsureCache();
	entry = static_cast<ProtectedEntry *>(hash_search(cache, &key, HASH_ENTER, &found));
	entry->is_protected = is_protected;
	return is_protected;
}

} // namespace tg

/* tenant_guard._protection_changed(): AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on the registry */
TG_FUNCTION(tg_protection_changed)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw tg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
						"tenant_guard._protection_changed() must be called as a trigger",
						"It forgets cached protection decisions for the registry row its trigger "
						"passes it, and a direct call passes none.",
						"Do not call it: the trigger protection_changed on tenant_guard.protection runs it.");
	auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
	TupleDesc desc = RelationGetDescr(td->tg_relation);
	HeapTuple old_row = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? nullptr : td->tg_trigtuple;
	HeapTuple new_row = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? td->tg_trigtuple
						: TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple
																 : nullptr;
	tg::PgCall(tg::InvalidateRow, old_row, desc);
	tg::PgCall(tg::InvalidateRow, new_row, desc);
	return PointerGetDatum(nullptr);
}
