#include "guard/protected_relations.h"

extern "C" {
#include "postgres.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_policy.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
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

/* A policy named tenant_guard_select on the relation marks it protected. */
bool HasTenantGuardPolicy(Oid relid)
{
	Relation policies = table_open(PolicyRelationId, AccessShareLock);
	ScanKeyData keys[2];
	ScanKeyInit(&keys[0], Anum_pg_policy_polrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[1], Anum_pg_policy_polname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("tenant_guard_select"));
	SysScanDesc scan =
		systable_beginscan(policies, PolicyPolrelidPolnameIndexId, true, nullptr, 2, keys);
	bool const found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(policies, AccessShareLock);
	return found;
}

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
		CacheRegisterRelcacheCallback(ForgetRelation, Datum(0));
		callback_registered = true;
	}
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
	/* Opening pg_policy may process invalidations, which can drop the whole cache. */
	bool const is_protected = HasTenantGuardPolicy(relid);
	EnsureCache();
	entry = static_cast<ProtectedEntry *>(hash_search(cache, &key, HASH_ENTER, &found));
	entry->is_protected = is_protected;
	return is_protected;
}

} // namespace tg
