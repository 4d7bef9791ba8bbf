/*
 * capture_trigger.cpp — tenant_guard.audit_capture(), the C++ trigger that
 * audit() installs: AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW, and AFTER
 * TRUNCATE FOR EACH STATEMENT. Each call writes one event into
 * tenant_guard.audit_events in the audited transaction (so a rollback, also
 * to a savepoint, takes the event with it), hashed on its own: the trigger
 * never reads another event and takes no lock another writer holds until
 * commit. Chaining happens later, in the sealer (sealer.cpp).
 *
 * Trigger arguments (written by audit()): the chain ('tenant' or 'global'),
 * the tenant column ('' for none: the transaction's tenant is recorded), and
 * the excluded columns. The event names the relation the row is in (for a
 * partitioned table, the partition). What follows from the arguments and the
 * relation is planned once per backend (capture_plan.h) and planned again
 * after an invalidation, so that a rename or a new column is followed.
 *
 * The event is inserted with heap_insert and index_insert directly into the
 * month's partition (event_partition.h), not through SQL: no privilege on
 * audit_events is needed (the application role has none), no plan is built
 * per row, and the table's append-only trigger, which refuses every INSERT
 * made through SQL, does not fire.
 */
#include "audit/audit_catalog.h"
#include "audit/audit_shared.h"
#include "audit/capture_plan.h"
#include "audit/config_event.h"
#include "audit/event_partition.h"
#include "audit/row_image.h"
#include "boundary/pg_boundary.h"
#include "common/audit_chain.h"
#include "tenant/tenant_setting.h"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "common/ip.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <cstring>

namespace tg::audit {

namespace {

/* One event, built in the per-row memory context; plain data, no destructors. */
struct EventRecord {
	const char *chain_id;
	const char *tenant;
	const char *operation;
	Jsonb *old_row;
	Jsonb *new_row;
	const char *old_text;
	int old_len;
	const char *new_text;
	int new_len;
	Datum changed; /* text[] or 0 */
	int nchanged;
	const char *session_actor;
	const char *actor;
	int64 txid;
	int32 ordinal;
	TimestampTz occurred_at;
	int64 seq;
};

/* The client's address as inet text, computed once per backend (nullptr: Unix socket). */
const char *ClientAddress()
{
	static bool done = false;
	static char *address = nullptr;
	if (done)
		return address;
	done = true;
	if (MyProcPort == nullptr)
		return nullptr;
	int const family = MyProcPort->raddr.addr.ss_family;
	if (family != AF_INET && family != AF_INET6)
		return nullptr;
	char host[NI_MAXHOST];
	if (pg_getnameinfo_all(&MyProcPort->raddr.addr, MyProcPort->raddr.salen, host, sizeof(host),
						   nullptr, 0, NI_NUMERICHOST) != 0)
		return nullptr;
	clean_ipv6_addr(family, host);
	Datum const inet = DirectFunctionCall1(inet_in, CStringGetDatum(host));
	char *text = DatumGetCString(DirectFunctionCall1(inet_out, inet));
	address = MemoryContextStrdup(TopMemoryContext, text);
	return address;
}

/* A per-transaction ordinal: duplicates of (txid, tx_ordinal) are forgeries. */
int32 NextOrdinal(int64 txid)
{
	static int64 last_txid = -1;
	static int32 ordinal = 0;
	if (txid != last_txid) {
		last_txid = txid;
		ordinal = 0;
	}
	return ++ordinal;
}

const char *TenantOf(const CapturePlan *plan, HeapTuple row, TupleDesc desc)
{
	if (plan->tenant_attnum > 0 && row != nullptr) {
		bool isnull = false;
		Datum const value = heap_getattr(row, plan->tenant_attnum, desc, &isnull);
		if (!isnull)
			return OutputFunctionCall(const_cast<FmgrInfo *>(&plan->tenant_output), value);
		return nullptr;
	}
	TenantReading const reading = ReadTenant();
	const char *tenant = UsableTenant(reading);
	return tenant != nullptr ? pstrdup(tenant) : nullptr;
}

/* Who and when, the same for row and configuration events; the client address is cached for HashOf. */
void SetOrigin(EventRecord *event)
{
	event->session_actor = RoleName(GetSessionUserId());
	event->actor = RoleName(GetUserId());
	event->txid = static_cast<int64>(U64FromFullTransactionId(GetTopFullTransactionId()));
	event->ordinal = NextOrdinal(event->txid);
	event->occurred_at = GetCurrentStatementStartTimestamp();
	(void)ClientAddress();
}

/* Everything but seq and the hash; C-style, called through PgCall. */
void BuildEvent(const CapturePlan *plan, TriggerData *td, EventRecord *event)
{
	TupleDesc desc = RelationGetDescr(td->tg_relation);
	HeapTuple old_tuple = nullptr;
	HeapTuple new_tuple = nullptr;
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event)) {
		event->operation = "INSERT";
		new_tuple = td->tg_trigtuple;
	} else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event)) {
		event->operation = "UPDATE";
		old_tuple = td->tg_trigtuple;
		new_tuple = td->tg_newtuple;
	} else if (TRIGGER_FIRED_BY_DELETE(td->tg_event)) {
		event->operation = "DELETE";
		old_tuple = td->tg_trigtuple;
	} else {
		event->operation = "TRUNCATE";
	}
	if (old_tuple != nullptr) {
		StringInfoData text;
		initStringInfo(&text);
		event->old_row = RowImage(plan->row, old_tuple, desc, &text);
		event->old_text = text.data;
		event->old_len = text.len;
	}
	if (new_tuple != nullptr) {
		StringInfoData text;
		initStringInfo(&text);
		event->new_row = RowImage(plan->row, new_tuple, desc, &text);
		event->new_text = text.data;
		event->new_len = text.len;
	}
	if (old_tuple != nullptr && new_tuple != nullptr)
		event->changed = ChangedColumns(plan->row, old_tuple, new_tuple, desc,
										plan->changed_names, &event->nchanged);
	event->tenant = TenantOf(plan, new_tuple != nullptr ? new_tuple : old_tuple, desc);
	if (plan->global_chain || event->tenant == nullptr)
		event->chain_id = "global";
	else
		event->chain_id = psprintf("tenant:%s", event->tenant);
	SetOrigin(event);
}

Hash HashOf(const CapturePlan *plan, const EventRecord &e)
{
	static CanonicalWriter *writer = new CanonicalWriter();
	static Sha256 *sha = new Sha256();
	EventFields f;
	f.chain_id = e.chain_id;
	f.seq = e.seq;
	f.txid = e.txid;
	f.tx_ordinal = e.ordinal;
	f.occurred_at = e.occurred_at;
	f.session_actor = e.session_actor;
	f.actor = e.actor;
	f.table_name = plan->table_name;
	f.operation = e.operation;
	if (e.tenant != nullptr)
		f.tenant_id = std::string_view(e.tenant);
	if (e.old_text != nullptr)
		f.old_row = std::string_view(e.old_text, e.old_len);
	if (e.new_text != nullptr)
		f.new_row = std::string_view(e.new_text, e.new_len);
	if (e.changed != 0) {
		std::vector<std::string_view> names;
		names.reserve(e.nchanged);
		for (int i = 0; i < e.nchanged; i++)
			names.emplace_back(plan->changed_names[i]);
		f.changed_columns = std::move(names);
	}
	if (application_name != nullptr)
		f.application_name = std::string_view(application_name);
	if (const char *addr = ClientAddress())
		f.client_addr = std::string_view(addr);
	return HashEvent(f, *writer, *sha);
}

/* The month's partition and its indexes, open and locked from BeginInsert to EndInsert. */
struct OpenTrail {
	Relation events;
	Relation rel;
	const EventTarget *target;
	Relation *indexes;
};

/*
 * Opens the trail and takes the capture lock and the event's seq; EndInsert
 * inserts, closes and releases the lock. The heavyweight locks of the trail,
 * the month's partition, its indexes and the sequence are taken before it: a
 * backend must not wait for one (behind an ALTER, REINDEX, DROP EXTENSION or
 * a prune) while it holds the capture lock, where it could not be cancelled
 * (interrupts are held off under an LWLock) and the sealer, waiting for that
 * LWLock inside its pass, could close a cycle that no deadlock check sees.
 * The relations stay open until EndInsert, so that the write does not look
 * them up and lock them a second time; an error in between leaves them to
 * the transaction's abort, which closes them.
 */
int64 BeginInsert(TimestampTz at, OpenTrail *trail)
{
	Oid const seq = EventSeqRelid();
	trail->events = table_open(EventsRelid(), RowExclusiveLock);
	trail->rel = table_open(EventPartition(trail->events, at), RowExclusiveLock);
	RequireEventLayout(trail->rel);
	/*
	 * After table_open, which processed the invalidations a new index sends;
	 * built (catalog reads) here, not under the capture lock.
	 */
	trail->target = EventTargetFor(trail->rel);
	trail->indexes = static_cast<Relation *>(palloc(sizeof(Relation) * (trail->target->nindexes + 1)));
	for (int i = 0; i < trail->target->nindexes; i++)
		trail->indexes[i] = index_open(trail->target->indexes[i].relid, RowExclusiveLock);
	LockRelationOid(seq, RowExclusiveLock);
	BeginCapture();
	return nextval_internal(seq, false);
}

void EndInsert(const CapturePlan *plan, const EventRecord *e, const Hash *hash, const OpenTrail *trail)
{
	Relation rel = trail->rel;
	TupleDesc desc = RelationGetDescr(rel);
	Datum values[kEventColumns] = {};
	bool nulls[kEventColumns] = {};
	auto set = [&](int column, Datum value) { values[column - 1] = value; };
	auto set_null = [&](int column) { nulls[column - 1] = true; };
	set(kSeq, Int64GetDatum(e->seq));
	set(kChainId, CStringGetTextDatum(e->chain_id));
	set(kFormatVersion, Int16GetDatum(kEventFormat));
	set(kOccurredAt, TimestampTzGetDatum(e->occurred_at));
	set(kTxid, Int64GetDatum(e->txid));
	set(kTxOrdinal, Int32GetDatum(e->ordinal));
	set(kSessionActor, CStringGetTextDatum(e->session_actor));
	set(kActor, CStringGetTextDatum(e->actor));
	set(kTableName, plan->table_name_text);
	set(kOperation, CStringGetTextDatum(e->operation));
	if (e->tenant != nullptr)
		set(kTenantId, CStringGetTextDatum(e->tenant));
	else
		set_null(kTenantId);
	if (e->old_row != nullptr)
		set(kOldRow, JsonbPGetDatum(e->old_row));
	else
		set_null(kOldRow);
	if (e->new_row != nullptr)
		set(kNewRow, JsonbPGetDatum(e->new_row));
	else
		set_null(kNewRow);
	if (e->changed != 0)
		set(kChangedColumns, e->changed);
	else
		set_null(kChangedColumns);
	if (application_name != nullptr)
		set(kApplicationName, CStringGetTextDatum(application_name));
	else
		set_null(kApplicationName);
	if (const char *addr = ClientAddress())
		set(kClientAddr, DirectFunctionCall1(inet_in, CStringGetDatum(addr)));
	else
		set_null(kClientAddr);
	bytea *h = static_cast<bytea *>(palloc(VARHDRSZ + hash->size()));
	SET_VARSIZE(h, VARHDRSZ + hash->size());
	memcpy(VARDATA(h), hash->data(), hash->size());
	set(kRowHash, PointerGetDatum(h));

	HeapTuple tuple = heap_form_tuple(desc, values, nulls);
	simple_heap_insert(rel, tuple);
	const EventTarget *target = trail->target;
	for (int i = 0; i < target->nindexes; i++) {
		const EventIndex &ix = target->indexes[i];
		Relation index = trail->indexes[i];
		Datum key[INDEX_MAX_KEYS];
		bool key_null[INDEX_MAX_KEYS];
		for (int k = 0; k < ix.info->ii_NumIndexAttrs; k++)
			key[k] = heap_getattr(tuple, ix.info->ii_IndexAttrNumbers[k], desc, &key_null[k]);
		index_insert(index, key, key_null, &tuple->t_self, rel,
					 index->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO, false,
					 ix.info);
		index_close(index, NoLock);
	}
	table_close(rel, NoLock);
	table_close(trail->events, NoLock);
	EndCapture();
	EnsureSealer();
}

/* A registration's jsonb and its text as new_row::text prints it, for the encoding. */
void ConfigImage(const char *json, Jsonb **image, const char **text, int *len)
{
	if (json == nullptr)
		return;
	*image = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
	char *out = JsonbToCString(nullptr, &(*image)->root, VARSIZE(*image));
	*text = out;
	*len = static_cast<int>(strlen(out));
}

/* C-style, called through PgCall: a configuration event but for seq and hash, and its "plan". */
void BuildConfigEvent(const char *operation, const char *table_name, const char *before,
					  const char *after, EventRecord *event, CapturePlan *plan)
{
	plan->table_name = pstrdup(table_name);
	plan->table_name_text = CStringGetTextDatum(plan->table_name);
	event->operation = operation;
	event->chain_id = kConfigChain;
	ConfigImage(before, &event->old_row, &event->old_text, &event->old_len);
	ConfigImage(after, &event->new_row, &event->new_text, &event->new_len);
	SetOrigin(event);
}

/* Brackets a capture call, also when it fails, so that a stale plan cache is freed only between calls. */
struct CaptureCall {
	CaptureCall() { PgCall(BeginCaptureCall); }
	~CaptureCall() { EndCaptureCall(); }
	CaptureCall(const CaptureCall &) = delete;
	CaptureCall &operator=(const CaptureCall &) = delete;
};

TriggerData *RequireCaptureTrigger(FunctionCallInfo fcinfo)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
					"tenant_guard.audit_capture() must be called as a trigger",
					"It records the row changes of the table whose trigger calls it.",
					"Call tenant_guard.audit() on the table instead.");
	auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
	bool const row_event = TRIGGER_FIRED_FOR_ROW(td->tg_event) &&
						   !TRIGGER_FIRED_BY_TRUNCATE(td->tg_event);
	bool const truncate_event = TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) &&
								TRIGGER_FIRED_BY_TRUNCATE(td->tg_event);
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !(row_event || truncate_event))
		throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
					"tenant_guard.audit_capture() must fire AFTER INSERT OR UPDATE OR DELETE FOR "
					"EACH ROW or AFTER TRUNCATE FOR EACH STATEMENT",
					"Only after a change is final is it recorded.",
					"Drop the trigger and call tenant_guard.audit() on the table instead.");
	return td;
}

} // namespace

std::string EventTableName(Oid relid)
{
	char *const name = PgCall(get_rel_name, relid);
	if (name == nullptr)
		throw Error(ERRCODE_UNDEFINED_TABLE, "relation " + std::to_string(relid) + " does not exist",
					"The audited table was dropped while its audit settings changed.",
					"Run the command again.");
	Oid const nsp = PgCall(get_rel_namespace, relid);
	return PgCall(quote_qualified_identifier, PgCall(get_namespace_name, nsp), name);
}

void WriteConfigEvent(const char *operation, const std::string &table_name,
					  const std::optional<std::string> &before, const std::optional<std::string> &after)
{
	CaptureCall const call;
	auto *event = static_cast<EventRecord *>(PgCall(palloc0, sizeof(EventRecord)));
	auto *plan = static_cast<CapturePlan *>(PgCall(palloc0, sizeof(CapturePlan)));
	PgCall(BuildConfigEvent, operation, table_name.c_str(), before ? before->c_str() : nullptr,
		   after ? after->c_str() : nullptr, event, plan);
	OpenTrail trail{};
	event->seq = PgCall(BeginInsert, event->occurred_at, &trail);
	Hash const hash = HashOf(plan, *event);
	PgCall(EndInsert, plan, event, &hash, &trail);
}

} // namespace tg::audit

TG_FUNCTION(tg_audit_capture)
{
	TriggerData *td = tg::audit::RequireCaptureTrigger(fcinfo);
	tg::audit::CaptureCall const call;
	auto *event =
		static_cast<tg::audit::EventRecord *>(tg::PgCall(palloc0, sizeof(tg::audit::EventRecord)));
	tg::audit::CapturePlan *plan = tg::PgCall(tg::audit::CapturePlanFor, fcinfo, td);
	tg::PgCall(tg::audit::BuildEvent, plan, td, event);
	tg::audit::OpenTrail trail{};
	event->seq = tg::PgCall(tg::audit::BeginInsert, event->occurred_at, &trail);
	tg::audit::Hash const hash = tg::audit::HashOf(plan, *event);
	tg::PgCall(tg::audit::EndInsert, plan, event, &hash, &trail);
	return PointerGetDatum(nullptr);
}
