/*
 * verify_scan.cpp — verify_audit()'s per-event stage (see verify_scan.h).
 *
 * The calling process (the leader) sets up a ParallelContext: a parallel
 * table scan descriptor (it carries the snapshot) and one message queue per
 * worker. Every participant, the leader included, takes pages from the
 * shared scan, decodes each event, recomputes its row_hash and hashes its
 * Merkle leaf; a worker packs the results into batches for its queue, the
 * leader hands its own to the sink directly and empties the queues between
 * pages. A worker's ERROR reaches the leader through the parallel machinery
 * (the queue waits process interrupts) and aborts verify_audit() like any.
 */
#include "audit/verify_scan.h"

#include "audit/audit_catalog.h"
#include "audit/row_image.h"
#include "boundary/pg_boundary.h"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "storage/bufmgr.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "pgstat.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace tg::audit {

namespace {

/* shm_toc keys of the parallel context. */
constexpr uint64 kKeyShared = 1;
constexpr uint64 kKeyQueues = 2;
/* Per worker: the queue, and the batch a worker fills before it sends. */
constexpr Size kQueueSize = 1024 * 1024;
constexpr size_t kBatchBytes = 64 * 1024;
/* The leader empties the queues after this many of its own events. */
constexpr int kLeaderStride = 256;

struct ScanShared {
	Oid relid;
	int nqueues;
	/* then the ParallelTableScanDesc, at MAXALIGN(sizeof(ScanShared)) */
};

ParallelTableScanDesc SharedScan(ScanShared *shared)
{
	return reinterpret_cast<ParallelTableScanDesc>(reinterpret_cast<char *>(shared) +
												   MAXALIGN(sizeof(ScanShared)));
}

/* An event's columns as the encoding needs them; pointers into the row context. */
struct DecodedEvent {
	int64 seq;
	int16 format;
	TimestampTz occurred_at;
	int64 txid;
	int32 ordinal;
	const char *text[7]; /* chain, session_actor, actor, table, operation, tenant, application */
	int text_len[7];
	const char *old_row;
	int old_len;
	const char *new_row;
	int new_len;
	int nchanged; /* -1: NULL */
	const char **changed;
	int *changed_len;
	const char *client_addr;
	const char *row_hash;
	int row_hash_len;
};

enum TextField { kTChain, kTSessionActor, kTActor, kTTable, kTOperation, kTTenant, kTApplication };
constexpr int kTextColumns[7] = {kChainId, kSessionActor, kActor, kTableName,
								 kOperation, kTenantId, kApplicationName};

void DecodeText(const Datum *values, const bool *nulls, int column, const char **out, int *len)
{
	if (nulls[column - 1]) {
		*out = nullptr;
		*len = 0;
		return;
	}
	text *t = DatumGetTextPP(values[column - 1]);
	*out = VARDATA_ANY(t);
	*len = static_cast<int>(VARSIZE_ANY_EXHDR(t));
}

const char *DecodeJsonb(const Datum *values, const bool *nulls, int column, int *len)
{
	if (nulls[column - 1])
		return nullptr;
	Jsonb *jb = DatumGetJsonbP(values[column - 1]);
	StringInfoData buf;
	initStringInfo(&buf);
	AppendJsonbText(&buf, jb);
	*len = buf.len;
	return buf.data;
}

/* C-style: the columns of one event, in the row memory context; one deform per row. */
void DecodeEvent(HeapTuple tuple, TupleDesc desc, DecodedEvent *e)
{
	Datum values[kEventColumns];
	bool nulls[kEventColumns];
	heap_deform_tuple(tuple, desc, values, nulls);
	e->seq = DatumGetInt64(values[kSeq - 1]);
	e->format = DatumGetInt16(values[kFormatVersion - 1]);
	e->occurred_at = DatumGetTimestampTz(values[kOccurredAt - 1]);
	e->txid = DatumGetInt64(values[kTxid - 1]);
	e->ordinal = DatumGetInt32(values[kTxOrdinal - 1]);
	for (int i = 0; i < 7; i++)
		DecodeText(values, nulls, kTextColumns[i], &e->text[i], &e->text_len[i]);
	e->old_row = DecodeJsonb(values, nulls, kOldRow, &e->old_len);
	e->new_row = DecodeJsonb(values, nulls, kNewRow, &e->new_len);
	e->nchanged = -1;
	if (!nulls[kChangedColumns - 1]) {
		Datum *elems = nullptr;
		bool *elem_nulls = nullptr;
		int n = 0;
		deconstruct_array(DatumGetArrayTypeP(values[kChangedColumns - 1]), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, &elem_nulls, &n);
		e->nchanged = n;
		e->changed = static_cast<const char **>(palloc(sizeof(char *) * (n + 1)));
		e->changed_len = static_cast<int *>(palloc(sizeof(int) * (n + 1)));
		for (int i = 0; i < n; i++) {
			text *t = elem_nulls[i] ? nullptr : DatumGetTextPP(elems[i]);
			e->changed[i] = t ? VARDATA_ANY(t) : "";
			e->changed_len[i] = t ? static_cast<int>(VARSIZE_ANY_EXHDR(t)) : 0;
		}
	}
	e->client_addr = nulls[kClientAddr - 1]
						 ? nullptr
						 : DatumGetCString(DirectFunctionCall1(inet_out, values[kClientAddr - 1]));
	DecodeText(values, nulls, kRowHash, &e->row_hash, &e->row_hash_len);
}

std::optional<std::string_view> View(const char *p, int len)
{
	if (p == nullptr)
		return std::nullopt;
	return std::string_view(p, static_cast<size_t>(len));
}

/* The per-event work: decode, recompute the row_hash, hash the Merkle leaf. */
class EventHasher {
public:
	ScannedEvent Examine(HeapTuple tuple, TupleDesc desc)
	{
		DecodedEvent d{};
		PgCall(DecodeEvent, tuple, desc, &d);
		EventFields f;
		f.chain_id = std::string_view(d.text[kTChain], d.text_len[kTChain]);
		f.seq = d.seq;
		f.txid = d.txid;
		f.tx_ordinal = d.ordinal;
		f.occurred_at = d.occurred_at;
		f.session_actor = std::string_view(d.text[kTSessionActor], d.text_len[kTSessionActor]);
		f.actor = std::string_view(d.text[kTActor], d.text_len[kTActor]);
		f.table_name = std::string_view(d.text[kTTable], d.text_len[kTTable]);
		f.operation = std::string_view(d.text[kTOperation], d.text_len[kTOperation]);
		f.tenant_id = View(d.text[kTTenant], d.text_len[kTTenant]);
		f.old_row = View(d.old_row, d.old_len);
		f.new_row = View(d.new_row, d.new_len);
		if (d.nchanged >= 0) {
			names_.clear();
			for (int i = 0; i < d.nchanged; i++)
				names_.emplace_back(d.changed[i], d.changed_len[i]);
			f.changed_columns = names_;
		}
		f.application_name = View(d.text[kTApplication], d.text_len[kTApplication]);
		if (d.client_addr != nullptr)
			f.client_addr = std::string_view(d.client_addr);
		std::optional<Hash> const stored =
			HashFromBytes(std::string_view(d.row_hash, static_cast<size_t>(d.row_hash_len)));
		ScannedEvent e{};
		e.seq = d.seq;
		e.txid = d.txid;
		e.occurred_at = d.occurred_at;
		e.ordinal = d.ordinal;
		e.hash_ok = stored && d.format == kEventFormat && HashEvent(f, writer_, sha_) == *stored;
		e.leaf = LeafHash(stored.value_or(Hash{}), sha_);
		e.chain_id = f.chain_id;
		return e;
	}

private:
	CanonicalWriter writer_;
	Sha256 sha_;
	std::vector<std::string_view> names_;
};

/*
 * One participant's share of the parallel scan: Next() returns the next
 * event it takes, or false when the pages are all taken. The event's chain_id
 * points into a row context that the following Next() resets.
 */
class ScanShare {
public:
	ScanShare(Relation rel, ParallelTableScanDesc pscan) : rel_(rel)
	{
		scan_ = PgCall(table_beginscan_parallel, rel, pscan);
		row_cxt_ = PgCall([] {
			return AllocSetContextCreate(CurrentMemoryContext, "verify_audit event",
										 ALLOCSET_DEFAULT_SIZES);
		});
	}
	/* On an ERROR the transaction's abort releases the scan; End() is the normal way out. */
	~ScanShare() = default;
	ScanShare(const ScanShare &) = delete;
	ScanShare &operator=(const ScanShare &) = delete;

	bool Next(ScannedEvent *out)
	{
		/* A long verification can be cancelled (in a worker: ended by its leader). */
		PgCall([] { CHECK_FOR_INTERRUPTS(); });
		MemoryContextReset(row_cxt_);
		HeapTuple tuple = PgCall(heap_getnext, scan_, ForwardScanDirection);
		if (tuple == nullptr)
			return false;
		MemoryContext const old = MemoryContextSwitchTo(row_cxt_);
		try {
			*out = hasher_.Examine(tuple, RelationGetDescr(rel_));
		} catch (...) {
			MemoryContextSwitchTo(old);
			throw;
		}
		MemoryContextSwitchTo(old);
		return true;
	}

	void End()
	{
		if (scan_ == nullptr)
			return;
		TableScanDesc const scan = scan_;
		scan_ = nullptr;
		PgCall(table_endscan, scan);
		PgCall(MemoryContextDelete, row_cxt_);
	}

private:
	Relation rel_;
	TableScanDesc scan_ = nullptr;
	MemoryContext row_cxt_ = nullptr;
	EventHasher hasher_;
};

/*
 * The wire form of a ScannedEvent in a worker's batch: the fixed part, then
 * chain_len bytes of chain_id. Leader and workers are the same binary on the
 * same machine, so the layout needs no conversion.
 */
struct WireEvent {
	int64 seq;
	int64 txid;
	TimestampTz occurred_at;
	int32 ordinal;
	uint32 chain_len;
	Hash leaf;
	bool hash_ok;
};

void AppendWire(std::string &batch, const ScannedEvent &e)
{
	WireEvent w{};
	w.seq = e.seq;
	w.txid = e.txid;
	w.occurred_at = e.occurred_at;
	w.ordinal = e.ordinal;
	w.chain_len = static_cast<uint32>(e.chain_id.size());
	w.leaf = e.leaf;
	w.hash_ok = e.hash_ok;
	batch.append(reinterpret_cast<const char *>(&w), sizeof(w));
	batch.append(e.chain_id.data(), e.chain_id.size());
}

void ReadBatch(const char *data, Size size, const std::function<void(const ScannedEvent &)> &sink)
{
	Size pos = 0;
	while (pos + sizeof(WireEvent) <= size) {
		WireEvent w;
		memcpy(&w, data + pos, sizeof(w));
		pos += sizeof(w);
		ScannedEvent e{};
		e.seq = w.seq;
		e.txid = w.txid;
		e.occurred_at = w.occurred_at;
		e.ordinal = w.ordinal;
		e.leaf = w.leaf;
		e.hash_ok = w.hash_ok;
		e.chain_id = std::string_view(data + pos, w.chain_len);
		pos += w.chain_len;
		sink(e);
	}
}

/* Like PostgreSQL's planner for a parallel sequential scan: one worker, one more per tripling. */
int WorkersFor(Relation rel)
{
	if (max_parallel_workers_per_gather <= 0 || !IsUnderPostmaster || IsParallelWorker())
		return 0;
	double const blocks = static_cast<double>(PgCall(RelationGetNumberOfBlocksInFork, rel, MAIN_FORKNUM));
	double threshold = Max(min_parallel_table_scan_size, 1);
	if (blocks < threshold)
		return 0;
	int workers = 1;
	while (blocks >= threshold * 3 && workers < max_parallel_workers_per_gather) {
		workers++;
		threshold *= 3;
	}
	return workers;
}

/* C-style: the DSM contents, once InitializeParallelDSM has sized it. */
ScanShared *SetUpShared(ParallelContext *pcxt, Relation rel, Snapshot snapshot, Size scan_size)
{
	auto *shared = static_cast<ScanShared *>(
		shm_toc_allocate(pcxt->toc, MAXALIGN(sizeof(ScanShared)) + scan_size));
	shared->relid = RelationGetRelid(rel);
	shared->nqueues = pcxt->nworkers;
	table_parallelscan_initialize(rel, SharedScan(shared), snapshot);
	shm_toc_insert(pcxt->toc, kKeyShared, shared);
	if (pcxt->nworkers > 0) {
		char *queues = static_cast<char *>(shm_toc_allocate(pcxt->toc, kQueueSize * pcxt->nworkers));
		for (int i = 0; i < pcxt->nworkers; i++) {
			shm_mq *mq = shm_mq_create(queues + i * kQueueSize, kQueueSize);
			shm_mq_set_receiver(mq, MyProc);
		}
		shm_toc_insert(pcxt->toc, kKeyQueues, queues);
	}
	return shared;
}

/* C-style: attach to the queues of the workers that started. */
void AttachQueues(ParallelContext *pcxt, shm_mq_handle **handles)
{
	char *queues = static_cast<char *>(shm_toc_lookup(pcxt->toc, kKeyQueues, false));
	for (int i = 0; i < pcxt->nworkers_launched; i++) {
		auto *mq = reinterpret_cast<shm_mq *>(queues + i * kQueueSize);
		handles[i] = shm_mq_attach(mq, pcxt->seg, pcxt->worker[i].bgwhandle);
	}
}

/* Reads what the workers sent; with wait, until every worker has detached. */
class QueueReader {
public:
	QueueReader(std::vector<shm_mq_handle *> handles,
				const std::function<void(const ScannedEvent &)> &sink)
		: handles_(std::move(handles)), sink_(sink) {}

	/*
	 * Reads every batch that is there; with wait, until every worker has
	 * detached, sleeping on the latch (which a worker sets when it sends or
	 * leaves) only when no queue had anything, so that no worker waits on a
	 * full queue while the leader waits on another.
	 */
	void Drain(bool wait)
	{
		for (;;) {
			bool attached = false;
			bool received = false;
			for (shm_mq_handle *&h : handles_) {
				while (h != nullptr) {
					Size size = 0;
					void *data = nullptr;
					shm_mq_result const r = PgCall(shm_mq_receive, h, &size, &data, true);
					if (r == SHM_MQ_WOULD_BLOCK) {
						attached = true;
						break;
					}
					if (r == SHM_MQ_DETACHED) {
						h = nullptr;
						break;
					}
					ReadBatch(static_cast<const char *>(data), size, sink_);
					received = true;
				}
			}
			if (!wait || !attached)
				return;
			if (!received)
				PgCall([] {
					(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L, PG_WAIT_EXTENSION);
					ResetLatch(MyLatch);
					CHECK_FOR_INTERRUPTS();
				});
		}
	}

private:
	std::vector<shm_mq_handle *> handles_;
	const std::function<void(const ScannedEvent &)> &sink_;
};

void WorkerMain(dsm_segment *seg, shm_toc *toc)
{
	auto *shared = static_cast<ScanShared *>(PgCall(shm_toc_lookup, toc, kKeyShared, false));
	auto *queues = static_cast<char *>(PgCall(shm_toc_lookup, toc, kKeyQueues, false));
	auto *mq = reinterpret_cast<shm_mq *>(queues + ParallelWorkerNumber * kQueueSize);
	PgCall(shm_mq_set_sender, mq, MyProc);
	shm_mq_handle *out = PgCall(shm_mq_attach, mq, seg, static_cast<BackgroundWorkerHandle *>(nullptr));
	Relation rel = PgCall(table_open, shared->relid, AccessShareLock);
	std::string batch;
	batch.reserve(kBatchBytes + 1024);
	auto send = [&] {
		if (batch.empty())
			return;
		const char *data = batch.data();
		Size const size = batch.size();
		/* DETACHED: the leader stopped reading (it failed); stop too. */
		if (PgCall(shm_mq_send, out, size, static_cast<const void *>(data), false, true) !=
			SHM_MQ_SUCCESS)
			PgCall(proc_exit, 0);
		batch.clear();
	};
	{
		ScanShare share(rel, SharedScan(shared));
		ScannedEvent e;
		while (share.Next(&e)) {
			AppendWire(batch, e);
			if (batch.size() >= kBatchBytes)
				send();
		}
		send();
		share.End();
	}
	PgCall(table_close, rel, AccessShareLock);
	PgCall(shm_mq_detach, out);
}

} // namespace

void ScanEvents(Oid relid, const std::function<void(const ScannedEvent &)> &sink)
{
	Relation rel = PgCall(table_open, relid, AccessShareLock);
	/* Read by position (DecodeEvent), here and in the workers: the lock keeps it so. */
	PgCall(RequireEventLayout, rel);
	Snapshot snapshot = PgCall(GetActiveSnapshot);
	int const nworkers = WorkersFor(rel);
	PgCall(EnterParallelMode);
	ParallelContext *pcxt = PgCall(CreateParallelContext, "tenant_guard", "tg_verify_scan_worker", nworkers);
	Size const scan_size = PgCall(table_parallelscan_estimate, rel, snapshot);
	PgCall([&] {
		shm_toc_estimate_chunk(&pcxt->estimator, MAXALIGN(sizeof(ScanShared)) + scan_size);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
		if (pcxt->nworkers > 0) {
			shm_toc_estimate_chunk(&pcxt->estimator, kQueueSize * pcxt->nworkers);
			shm_toc_estimate_keys(&pcxt->estimator, 1);
		}
		InitializeParallelDSM(pcxt);
	});
	ScanShared *shared = PgCall(SetUpShared, pcxt, rel, snapshot, scan_size);
	std::vector<shm_mq_handle *> handles;
	if (pcxt->seg != nullptr && pcxt->nworkers > 0) {
		PgCall(LaunchParallelWorkers, pcxt);
		handles.resize(pcxt->nworkers_launched);
		PgCall(AttachQueues, pcxt, handles.data());
	}
	int const launched = static_cast<int>(handles.size());
	if (nworkers > 0)
		PgCall([&] {
			ereport(DEBUG1, (errmsg_internal("verify_audit(): %d of %d parallel workers launched",
											 launched, nworkers)));
		});
	QueueReader reader(std::move(handles), sink);
	/*
	 * As for a Gather, parallel_leader_participation = off leaves the pages to
	 * the workers; the leader then scans only what is left once they are done
	 * (nothing, unless a worker never started).
	 */
	bool const participate = parallel_leader_participation || launched == 0;
	if (!participate)
		reader.Drain(true);
	{
		ScanShare share(rel, SharedScan(shared));
		ScannedEvent e;
		int n = 0;
		while (share.Next(&e)) {
			sink(e);
			if (++n % kLeaderStride == 0)
				reader.Drain(false);
		}
		share.End();
	}
	reader.Drain(true);
	PgCall(WaitForParallelWorkersToFinish, pcxt);
	PgCall(DestroyParallelContext, pcxt);
	PgCall(ExitParallelMode);
	PgCall(table_close, rel, AccessShareLock);
}

} // namespace tg::audit

extern "C" void tg_verify_scan_worker(dsm_segment *seg, shm_toc *toc)
{
	tg::InvokeCpp(tg::audit::WorkerMain, seg, toc);
}
