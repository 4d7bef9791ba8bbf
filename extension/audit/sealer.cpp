/*
 * sealer.cpp — the sealing workers: a launcher that, after recovery, starts a
 * sealer for every database once (so events committed before a restart are
 * sealed without waiting for new writes), and one sealer per database with an
 * audit trail, started on demand by audit() and by the capture trigger.
 *
 * A pass, every tenant_guard.audit_seal_interval, in one transaction:
 *   1. read the sequence's last value L, then WaitForCaptures(): every event
 *      with seq <= L is now in audit_events (committed, in progress or
 *      rolled back);
 *   2. scan seq in (scan_from, L] with a dirty snapshot, which also returns
 *      rows of transactions still in progress, and classify each by its
 *      inserting (sub)transaction: in progress (TransactionIdIsInProgress,
 *      checked first), committed (TransactionIdDidCommit), else rolled back;
 *   3. re-check the transactions that were in progress on earlier passes;
 *   4. seal the committed events: per chain one block (the chain's previous
 *      block hash, the Merkle root of the events in ascending seq), then one
 *      pass row binding all blocks to the previous pass; commit.
 * Nothing waits for the oldest running transaction: an event of a long
 * transaction stays pending in memory and is sealed by the first pass after
 * its commit, in whatever block that is. The recorded order (block, position
 * in event_seqs) is the chain order; verification never looks at commit
 * times, xids or seq order.
 *
 * On disk after each pass: low_watermark (every event with seq at or below it
 * is sealed or rolled back) and high_watermark (L). A restarted sealer scans
 * from low_watermark again and skips the events the blocks above it already
 * hold, so a crash anywhere repeats at most an uncommitted pass. The primary
 * keys on (chain_id, block_no) and pass_no make a second sealer's pass fail
 * rather than fork a chain.
 */
#include "audit/audit_catalog.h"
#include "audit/audit_shared.h"
#include "audit/event_partition.h"
#include "guc.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "common/audit_chain.h"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "catalog/pg_inherits.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/array.h"
#include "catalog/pg_type.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"

PGDLLEXPORT void tg_audit_sealer_main(Datum arg);
PGDLLEXPORT void tg_audit_launcher_main(Datum arg);
}

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace tg::audit {

namespace {

/* A sealer with nothing to seal or wait for exits after this long; writers restart it. */
constexpr long kIdleExitMs = 2000;
/* Events per pass at most, so that a backlog (after a restart) seals in bounded steps. */
constexpr int kMaxEventsPerPass = 100000;

enum class XidState { Committed, InProgress, RolledBack };

/* Step 2's order: in progress first, because a committing transaction is marked in
 * pg_xact before it leaves the proc array. */
XidState StateOf(TransactionId xid)
{
	if (TransactionIdIsInProgress(xid))
		return XidState::InProgress;
	if (TransactionIdDidCommit(xid))
		return XidState::Committed;
	return XidState::RolledBack;
}

struct SeenEvent {
	int64 seq;
	TransactionId xmin;
	std::string chain_id;
	Hash row_hash;
};

struct ScanSink {
	std::vector<SeenEvent> *events;
	bool failed;
};

/*
 * C-style: the dirty scan of one partition over seq in (after, upto], at most
 * kMaxEventsPerPass events; returns upto, or the last seq read when it
 * stopped at the limit.
 */
int64 ScanLeaf(Oid leaf, int64 after, int64 upto, ScanSink *sink)
{
	Relation rel = table_open(leaf, AccessShareLock);
	RequireEventLayout(rel);
	Oid const index = RelationGetPrimaryKeyIndex(rel);
	ScanKeyData keys[2];
	ScanKeyInit(&keys[0], kSeq, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(after));
	ScanKeyInit(&keys[1], kSeq, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(upto));
	SnapshotData dirty;
	InitDirtySnapshot(dirty);
	SysScanDesc scan = systable_beginscan(rel, index, true, &dirty, 2, keys);
	TupleDesc desc = RelationGetDescr(rel);
	int64 last = after;
	int count = 0;
	HeapTuple tuple;
	while ((tuple = systable_getnext(scan)) != nullptr) {
		bool isnull = false;
		int64 const seq = DatumGetInt64(heap_getattr(tuple, kSeq, desc, &isnull));
		bool chain_null = false;
		bool hash_null = false;
		Datum const chain_datum = heap_getattr(tuple, kChainId, desc, &chain_null);
		Datum const hash_datum = heap_getattr(tuple, kRowHash, desc, &hash_null);
		/*
		 * NULL only in a row forged after someone dropped a NOT NULL: it is
		 * never sealed, and verify_audit() reports it once the watermark
		 * passes it (event outside the chain).
		 */
		if (chain_null || hash_null) {
			last = seq;
			if (++count >= kMaxEventsPerPass)
				break;
			continue;
		}
		text *chain = DatumGetTextPP(chain_datum);
		bytea *hash = DatumGetByteaPP(hash_datum);
		TransactionId const xmin = HeapTupleHeaderGetXmin(tuple->t_data);
		try {
			SeenEvent e{seq, xmin, std::string(VARDATA_ANY(chain), VARSIZE_ANY_EXHDR(chain)), {}};
			if (auto h = HashFromBytes(std::string_view(VARDATA_ANY(hash), VARSIZE_ANY_EXHDR(hash))))
				e.row_hash = *h;
			sink->events->push_back(std::move(e));
		} catch (...) {
			sink->failed = true;
			break;
		}
		last = seq;
		if (++count >= kMaxEventsPerPass)
			break;
	}
	if (count < kMaxEventsPerPass)
		last = upto;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return last;
}

/*
 * C-style: the events with seq in (after, upto] of every monthly partition,
 * in seq order; returns the last seq covered. A partition that stopped at the
 * limit bounds what the others may contribute, so nothing below the returned
 * seq is skipped.
 */
int64 ScanEvents(int64 after, int64 upto, ScanSink *sink)
{
	List *leaves = EventLeaves(RequireAuditRelid("audit_events"), AccessShareLock);
	int64 last = upto;
	ListCell *lc;
	foreach (lc, leaves) {
		int64 const leaf_last = ScanLeaf(lfirst_oid(lc), after, upto, sink);
		last = std::min(last, leaf_last);
		if (sink->failed)
			return after;
	}
	std::vector<SeenEvent> &events = *sink->events;
	std::sort(events.begin(), events.end(),
			  [](const SeenEvent &a, const SeenEvent &b) { return a.seq < b.seq; });
	while (!events.empty() && events.back().seq > last)
		events.pop_back();
	if (events.size() > static_cast<size_t>(kMaxEventsPerPass)) {
		events.resize(kMaxEventsPerPass);
		last = events.back().seq;
	}
	return last;
}

/*
 * The relation, its indexes, its TOAST table and that one's index, in mode,
 * none waited for; false when one is locked by someone else. A relation that
 * is gone has nothing to lock: the pass then finds the trail gone itself.
 */
bool LockWithIndexes(Oid relid, LOCKMODE mode)
{
	if (!OidIsValid(relid))
		return true;
	if (!ConditionalLockRelationOid(relid, mode))
		return false;
	Relation rel = try_table_open(relid, NoLock);
	if (rel == nullptr)
		return true;
	List *indexes = RelationGetIndexList(rel);
	Oid const toast = rel->rd_rel->reltoastrelid;
	table_close(rel, NoLock);
	ListCell *lc;
	foreach (lc, indexes)
		if (!ConditionalLockRelationOid(lfirst_oid(lc), mode))
			return false;
	return !OidIsValid(toast) || LockWithIndexes(toast, mode);
}

enum class TrailLock { Skipped, Locked, LockedForPartitions };

/* The trail's relations by OID, looked up again after locking to see that none was replaced. */
struct TrailRelids {
	Oid passes = AuditRelid("audit_passes");
	Oid blocks = AuditRelid("audit_blocks");
	Oid seq = AuditRelid("audit_event_seq");
	Oid events = AuditRelid("audit_events");
	Oid checkpoints = AuditRelid("audit_checkpoints");
	bool operator==(const TrailRelids &o) const
	{
		return passes == o.passes && blocks == o.blocks && seq == o.seq && events == o.events &&
			   checkpoints == o.checkpoints;
	}
};

/*
 * C-style: every relation of the trail a pass reads or writes (the sealing
 * tables, the sequence, audit_events and each monthly partition, with their
 * indexes and TOAST tables), locked before the pass touches any of them, in
 * the strongest mode the pass uses, and none waited for. Behind DDL on one of
 * them (DROP EXTENSION, an ALTER, a prune's DETACH) the pass is skipped and
 * tried again after the interval: a sealer that held one of them while it
 * waited for the next could close a cycle with that DDL, and the deadlock
 * check could cancel the DDL. With partitions_due, also what
 * audit_create_partitions() takes: audit_events in SHARE UPDATE EXCLUSIVE mode
 * and audit_checkpoints; when another holds that mode (a prune, close_audit_day,
 * an ANALYZE), the pass seals and the partitions wait for a later one.
 */
TrailLock LockTrail(bool partitions_due)
{
	TrailRelids const relids;
	if (!LockWithIndexes(relids.passes, RowExclusiveLock) ||
		!LockWithIndexes(relids.blocks, RowExclusiveLock) ||
		/* pg_sequence_last_value() opens the sequence in ROW EXCLUSIVE mode. */
		!LockWithIndexes(relids.seq, RowExclusiveLock))
		return TrailLock::Skipped;
	bool const for_partitions = partitions_due &&
								LockWithIndexes(relids.events, ShareUpdateExclusiveLock) &&
								LockWithIndexes(relids.checkpoints, AccessShareLock);
	if (!for_partitions && !LockWithIndexes(relids.events, AccessShareLock))
		return TrailLock::Skipped;
	List *leaves = OidIsValid(relids.events) ? find_inheritance_children(relids.events, NoLock) : NIL;
	ListCell *lc;
	foreach (lc, leaves)
		if (!LockWithIndexes(lfirst_oid(lc), AccessShareLock))
			return TrailLock::Skipped;
	/* Replaced between the lookup and the locks (DROP and CREATE EXTENSION): next time. */
	if (!(TrailRelids() == relids))
		return TrailLock::Skipped;
	return for_partitions ? TrailLock::LockedForPartitions : TrailLock::Locked;
}

std::string HexBytea(const Hash &hash) { return ToHex(hash); }

/* A stored hash as hex, zeros when it is no hash: verify_audit() reports that block or pass. */
Hash HashParam(const std::optional<std::string> &hex)
{
	return hex ? HashFromHex(*hex).value_or(Hash{}) : Hash{};
}

/*
 * A pass's blocks, column by column, for one INSERT: with thousands of
 * tenants a pass has thousands of blocks, and a statement per block (parsed
 * and planned each time) made a pass last longer than the seal lag allows.
 * Block i lists seqs[first[i] - 1 .. last[i] - 1].
 */
struct PassBlocks {
	std::vector<std::string> chains;
	std::vector<int64> block_nos;
	std::vector<int32> firsts;
	std::vector<int32> lasts;
	std::vector<Hash> roots;
	std::vector<Hash> prevs;
	std::vector<Hash> hashes;
	std::vector<int64> seqs;
};

enum BlockParam { kChains, kPassNo, kSeqs, kBlockNos, kFirsts, kLasts, kRoots, kPrevs, kHashes, kBlockParams };

/* C-style: a one-dimensional array of n elements of type. */
Datum ArrayDatum(Datum *elems, int n, Oid type)
{
	int16 len;
	bool byval;
	char align;
	get_typlenbyvalalign(type, &len, &byval, &align);
	return PointerGetDatum(construct_array(elems, n, type, len, byval, align));
}

/* C-style: hashes as a bytea[]. */
Datum HashArray(const std::vector<Hash> &hashes)
{
	int const n = static_cast<int>(hashes.size());
	Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (n + 1)));
	for (int i = 0; i < n; i++) {
		bytea *b = static_cast<bytea *>(palloc(VARHDRSZ + hashes[i].size()));
		SET_VARSIZE(b, VARHDRSZ + hashes[i].size());
		memcpy(VARDATA(b), hashes[i].data(), hashes[i].size());
		elems[i] = PointerGetDatum(b);
	}
	return ArrayDatum(elems, n, BYTEAOID);
}

/* C-style: integers as an int8[] or int4[]. */
template <typename Int> Datum IntArray(const std::vector<Int> &values, Oid type)
{
	int const n = static_cast<int>(values.size());
	Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (n + 1)));
	for (int i = 0; i < n; i++)
		elems[i] = type == INT8OID ? Int64GetDatum(values[i]) : Int32GetDatum(static_cast<int32>(values[i]));
	return ArrayDatum(elems, n, type);
}

/* C-style: strings (chain ids) as a text[]. */
Datum TextArray(const std::vector<std::string> &values)
{
	int const n = static_cast<int>(values.size());
	Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (n + 1)));
	for (int i = 0; i < n; i++)
		elems[i] = PointerGetDatum(cstring_to_text_with_len(values[i].data(), static_cast<int>(values[i].size())));
	return ArrayDatum(elems, n, TEXTOID);
}

/* C-style, called through PgCall: the parameters of the pass's block INSERT. */
void BlockParams(const PassBlocks *b, int64 pass_no, Datum *params)
{
	params[kChains] = TextArray(b->chains);
	params[kPassNo] = Int64GetDatum(pass_no);
	params[kSeqs] = IntArray(b->seqs, INT8OID);
	params[kBlockNos] = IntArray(b->block_nos, INT8OID);
	params[kFirsts] = IntArray(b->firsts, INT4OID);
	params[kLasts] = IntArray(b->lasts, INT4OID);
	params[kRoots] = HashArray(b->roots);
	params[kPrevs] = HashArray(b->prevs);
	params[kHashes] = HashArray(b->hashes);
}

/* Every block of a pass in one statement; the count it inserted. */
int64 InsertBlocks(SpiSession &spi, const PassBlocks &blocks, int64 pass_no)
{
	Datum params[kBlockParams];
	PgCall(BlockParams, &blocks, pass_no, params);
	std::vector<Oid> const types = {TEXTARRAYOID,  INT8OID,		 INT8ARRAYOID,	INT8ARRAYOID, INT4ARRAYOID,
									INT4ARRAYOID, BYTEAARRAYOID, BYTEAARRAYOID, BYTEAARRAYOID};
	std::optional<std::string> const inserted = spi.FirstValue(
		"WITH inserted AS ("
		" INSERT INTO tenant_guard.audit_blocks (chain_id, block_no, pass_no, event_seqs, merkle_root,"
		"   prev_hash, block_hash)"
		" SELECT u.chain_id, u.block_no, $2, $3[u.first_seq:u.last_seq], u.merkle_root, u.prev_hash, u.block_hash"
		"   FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($4), pg_catalog.unnest($5),"
		"                   pg_catalog.unnest($6), pg_catalog.unnest($7), pg_catalog.unnest($8),"
		"                   pg_catalog.unnest($9))"
		"        AS u(chain_id, block_no, first_seq, last_seq, merkle_root, prev_hash, block_hash)"
		" RETURNING 1)"
		"SELECT pg_catalog.count(*) FROM inserted",
		types, std::vector<Datum>(params, params + kBlockParams), std::string(kBlockParams, ' '));
	return std::stoll(inserted.value_or("0"));
}

class Sealer {
public:
	/* False when this database has no audit trail (the extension is absent or older). */
	bool Load(SpiSession &spi);
	/* One pass; returns how many events it sealed. */
	int Pass(SpiSession &spi);
	bool HasPending() const { return !pending_.empty(); }
	/* Whether the last pass was skipped behind DDL on the trail (see LockTrail). */
	bool Skipped() const { return skipped_; }
	/* Whether any event was written after the last pass. */
	bool NewEvents(SpiSession &spi) { return LastSeq(spi) > high_; }

private:
	int64 LastSeq(SpiSession &spi);
	void EnsurePartitions(SpiSession &spi, int month);
	/* heads_ for every chain of the pass that has none yet. */
	void LoadHeads(SpiSession &spi, const std::map<std::string, std::vector<const SeenEvent *>> &by_chain);
	void WriteBlocks(SpiSession &spi, const std::vector<SeenEvent> &committed, int64 low,
					 int64 high);

	Oid passes_relid_ = InvalidOid;
	int64 pass_no_ = 0;
	Hash pass_hash_{};
	int64 low_ = 0;
	int64 high_ = 0;
	int64 scan_from_ = 0;
	/* Each chain's newest block (block_no 0: none yet), read when the chain first writes. */
	std::map<std::string, std::pair<int64, Hash>> heads_;
	std::unordered_map<TransactionId, std::vector<SeenEvent>> pending_;
	/* After a restart: the events above low_ sealed before it, up to sealed_above_until_. */
	std::unordered_set<int64> sealed_above_low_;
	int64 sealed_above_until_ = 0;
	int partitions_month_ = -1; /* UTC year * 12 + month of the last check */
	bool skipped_ = false;
	CanonicalWriter writer_;
	Sha256 sha_;
};

bool Sealer::Load(SpiSession &spi)
{
	passes_relid_ = PgCall(AuditRelid, "audit_passes");
	if (passes_relid_ == InvalidOid)
		return false;
	pass_no_ = 0;
	pass_hash_ = Hash{};
	low_ = high_ = 0;
	heads_.clear();
	pending_.clear();
	sealed_above_low_.clear();
	std::vector<SqlRow> last = spi.Query(
		"SELECT pass_no, low_watermark, high_watermark, pg_catalog.encode(pass_hash, 'hex')"
		"  FROM tenant_guard.audit_passes ORDER BY pass_no DESC LIMIT 1");
	if (!last.empty()) {
		pass_no_ = std::stoll(*last[0][0]);
		low_ = std::stoll(*last[0][1]);
		high_ = std::stoll(*last[0][2]);
		pass_hash_ = HashParam(last[0][3]);
	}
	/* Each chain's newest block is read when the chain next writes (LoadHeads). */
	/*
	 * Events above the low watermark that are sealed already. A pass seals
	 * only events at or below its own high watermark, so the passes with a
	 * high watermark above low_ hold them all (high watermarks need not grow
	 * from one pass to the next: a restarted sealer's first pass may stop
	 * below its predecessor's last one). Found by the index on
	 * high_watermark: without it, every pass ever made was read.
	 */
	sealed_above_until_ = low_;
	for (const SqlRow &r :
		 spi.Query("SELECT s FROM tenant_guard.audit_blocks b CROSS JOIN LATERAL pg_catalog.unnest(b.event_seqs) s"
				   " WHERE b.pass_no OPERATOR(pg_catalog.=) ANY (SELECT pass_no FROM tenant_guard.audit_passes"
				   "        WHERE high_watermark OPERATOR(pg_catalog.>) $1::pg_catalog.int8)"
				   "   AND s OPERATOR(pg_catalog.>) $1::pg_catalog.int8",
				   {std::to_string(low_)})) {
		int64 const seq = std::stoll(*r[0]);
		sealed_above_low_.insert(seq);
		sealed_above_until_ = std::max(sealed_above_until_, seq);
	}
	scan_from_ = low_;
	return true;
}

/*
 * The last seq handed out, read under the sequence's buffer lock by
 * pg_sequence_last_value(). A plain SELECT from the sequence reads its tuple
 * after releasing that lock, and nextval() puts the value it WAL-logs ahead
 * (up to 32 more) in the tuple while it writes its WAL record: a pass that
 * scanned up to that value would record a high watermark above seqs not yet
 * handed out, and the events that took them afterwards were never scanned.
 */
int64 Sealer::LastSeq(SpiSession &spi)
{
	return std::stoll(spi.Value("SELECT pg_catalog.pg_sequence_last_value("
								"'tenant_guard.audit_event_seq'::pg_catalog.regclass)")
						  .value_or("0"));
}

/* The UTC year * 12 + month of now, -1 if it cannot be had. */
int CurrentMonth()
{
	struct pg_tm tm;
	fsec_t fsec;
	if (PgCall(timestamp2tm, GetCurrentTimestamp(), static_cast<int *>(nullptr), &tm, &fsec,
			   static_cast<const char **>(nullptr), static_cast<pg_tz *>(nullptr)) != 0)
		return -1;
	return tm.tm_year * 12 + tm.tm_mon;
}

/*
 * Once a month (and after a start), the partitions of this month and the next
 * two: writers never wait for them, since a new partition is attached under
 * SHARE UPDATE EXCLUSIVE, which their ROW EXCLUSIVE does not conflict with.
 * The pass holds that lock already (LockTrail).
 */
void Sealer::EnsurePartitions(SpiSession &spi, int month)
{
	spi.Value("SELECT pg_catalog.count(*) FROM tenant_guard.audit_create_partitions()");
	partitions_month_ = month;
}

int Sealer::Pass(SpiSession &spi)
{
	int const month = CurrentMonth();
	TrailLock const lock = PgCall(LockTrail, month >= 0 && month != partitions_month_);
	skipped_ = lock == TrailLock::Skipped;
	if (skipped_)
		return 0;
	/*
	 * Memory must describe what is on disk: after DROP and CREATE EXTENSION,
	 * or a pass written by anyone else, start again from the disk.
	 */
	std::optional<std::string> const disk_pass = spi.Value(
		"SELECT pass_no FROM tenant_guard.audit_passes ORDER BY pass_no DESC LIMIT 1");
	if (PgCall(AuditRelid, "audit_passes") != passes_relid_ ||
		std::stoll(disk_pass.value_or("0")) != pass_no_)
		if (!Load(spi))
			throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						"the audit trail of this database is gone");
	if (lock == TrailLock::LockedForPartitions)
		EnsurePartitions(spi, month);
	int64 const last = LastSeq(spi);
	PgCall(WaitForCaptures);
	std::vector<SeenEvent> seen;
	ScanSink sink{&seen, false};
	int64 const scanned_to = PgCall(ScanEvents, scan_from_, last, &sink);
	if (sink.failed)
		throw std::bad_alloc();

	std::vector<SeenEvent> committed;
	for (SeenEvent &e : seen) {
		if (sealed_above_low_.count(e.seq))
			continue;
		switch (PgCall(StateOf, e.xmin)) {
		case XidState::Committed:
			committed.push_back(std::move(e));
			break;
		case XidState::InProgress:
			pending_[e.xmin].push_back(std::move(e));
			break;
		case XidState::RolledBack:
			break;
		}
	}
	std::vector<TransactionId> resolved;
	for (auto &[xid, events] : pending_) {
		XidState const state = PgCall(StateOf, xid);
		if (state == XidState::InProgress)
			continue;
		if (state == XidState::Committed)
			for (SeenEvent &e : events)
				committed.push_back(std::move(e));
		resolved.push_back(xid);
	}

	int64 low = scanned_to;
	for (auto &[xid, events] : pending_)
		if (std::find(resolved.begin(), resolved.end(), xid) == resolved.end())
			for (const SeenEvent &e : events)
				low = std::min(low, e.seq - 1);
	if (!committed.empty() || low != low_)
		WriteBlocks(spi, committed, low, scanned_to);
	/* Memory follows disk only once the pass's writes are done (the caller commits). */
	for (TransactionId xid : resolved)
		pending_.erase(xid);
	/*
	 * The skip list is needed until the scan has passed all of it: a pass
	 * reads at most kMaxEventsPerPass events, so after a restart with a
	 * larger backlog above the low watermark the first pass stops inside it.
	 */
	if (scanned_to >= sealed_above_until_)
		sealed_above_low_.clear();
	scan_from_ = scanned_to;
	high_ = scanned_to;
	return static_cast<int>(committed.size());
}

void Sealer::LoadHeads(SpiSession &spi, const std::map<std::string, std::vector<const SeenEvent *>> &by_chain)
{
	std::vector<std::string> missing;
	for (const auto &[chain, events] : by_chain)
		if (heads_.find(chain) == heads_.end())
			missing.push_back(chain);
	if (missing.empty())
		return;
	/*
	 * One probe of the primary key per chain, as "i block_no hash" by the
	 * chain's position in the array, so that no chain_id is quoted or parsed.
	 * Reading every chain's head at the start instead took 150 to 250 ms with
	 * 10,000 chains, at every start after an idle exit.
	 */
	Datum const chains = PgCall(TextArray, missing);
	std::optional<std::string> const found = spi.FirstValue(
		"SELECT pg_catalog.string_agg(c.i::pg_catalog.text OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)"
		"       h.block_no::pg_catalog.text OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)"
		"       pg_catalog.encode(h.block_hash, 'hex'), ' ')"
		"  FROM pg_catalog.unnest($1) WITH ORDINALITY AS c(chain_id, i)"
		" CROSS JOIN LATERAL (SELECT b.block_no, b.block_hash FROM tenant_guard.audit_blocks b"
		"                      WHERE b.chain_id OPERATOR(pg_catalog.=) c.chain_id"
		"                      ORDER BY b.block_no DESC LIMIT 1) h",
		{TEXTARRAYOID}, {chains}, " ");
	/* A chain without a block yet starts at block 1 after the zero hash. */
	for (const std::string &chain : missing)
		heads_[chain] = {0, Hash{}};
	std::istringstream in(found.value_or(""));
	size_t i = 0;
	int64 block_no = 0;
	std::string hash;
	while (in >> i >> block_no >> hash) {
		if (i == 0 || i > missing.size())
			throw Error(ERRCODE_INTERNAL_ERROR, "a chain head query returned an unknown chain");
		heads_[missing[i - 1]] = {block_no, HashParam(hash)};
	}
}

void Sealer::WriteBlocks(SpiSession &spi, const std::vector<SeenEvent> &committed, int64 low,
						 int64 high)
{
	std::map<std::string, std::vector<const SeenEvent *>> by_chain;
	for (const SeenEvent &e : committed)
		by_chain[e.chain_id].push_back(&e);
	int64 const pass_no = pass_no_ + 1;
	PassFields pass;
	pass.pass_no = pass_no;
	pass.prev_hash = pass_hash_;
	pass.low_watermark = low;
	pass.high_watermark = high;
	LoadHeads(spi, by_chain);
	std::map<std::string, std::pair<int64, Hash>> new_heads;
	PassBlocks blocks;
	blocks.seqs.reserve(committed.size());
	for (auto &[chain, events] : by_chain) {
		std::sort(events.begin(), events.end(),
				  [](const SeenEvent *a, const SeenEvent *b) { return a->seq < b->seq; });
		std::vector<Hash> leaves;
		leaves.reserve(events.size());
		for (const SeenEvent *e : events)
			leaves.push_back(e->row_hash);
		const std::pair<int64, Hash> &head = heads_.at(chain);
		BlockFields block;
		block.chain_id = chain;
		block.block_no = head.first + 1;
		block.prev_hash = head.second;
		block.event_count = static_cast<int64>(events.size());
		block.merkle_root = MerkleRoot(leaves, sha_);
		Hash const block_hash = HashBlock(block, writer_, sha_);
		blocks.chains.push_back(chain);
		blocks.block_nos.push_back(block.block_no);
		blocks.firsts.push_back(static_cast<int32>(blocks.seqs.size() + 1));
		for (const SeenEvent *e : events)
			blocks.seqs.push_back(e->seq);
		blocks.lasts.push_back(static_cast<int32>(blocks.seqs.size()));
		blocks.roots.push_back(block.merkle_root);
		blocks.prevs.push_back(block.prev_hash);
		blocks.hashes.push_back(block_hash);
		pass.block_hashes.push_back(block_hash);
		new_heads[chain] = {block.block_no, block_hash};
	}
	if (!blocks.chains.empty() &&
		InsertBlocks(spi, blocks, pass_no) != static_cast<int64>(blocks.chains.size()))
		throw Error(ERRCODE_INTERNAL_ERROR,
					"a sealing pass inserted fewer blocks into tenant_guard.audit_blocks than it sealed",
					"A rule or trigger on audit_blocks changed the insert.",
					"Run tenant_guard.check() and tenant_guard.verify_audit().");
	Hash const pass_hash = HashPass(pass, writer_, sha_);
	spi.Execute("INSERT INTO tenant_guard.audit_passes (pass_no, sealed_at, low_watermark,"
				" high_watermark, prev_hash, pass_hash) VALUES ($1::pg_catalog.int8,"
				" pg_catalog.clock_timestamp(), $2::pg_catalog.int8, $3::pg_catalog.int8,"
				" pg_catalog.decode($4, 'hex'), pg_catalog.decode($5, 'hex'))",
				{std::to_string(pass_no), std::to_string(low), std::to_string(high),
				 HexBytea(pass.prev_hash), HexBytea(pass_hash)});
	for (auto &[chain, head] : new_heads)
		heads_[chain] = head;
	pass_no_ = pass_no;
	pass_hash_ = pass_hash;
	low_ = low;
}

void BeginWork()
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
}

void EndWork()
{
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
}

/* Runs body(spi) in its own transaction; an error ends the worker (it restarts from disk). */
template <typename Body> auto InTransaction(Body &&body)
{
	PgCall(BeginWork);
	using Result = decltype(body(std::declval<SpiSession &>()));
	Result result{};
	{
		SpiSession spi;
		result = body(spi);
	}
	PgCall(EndWork);
	return result;
}

void WaitInterval(long ms)
{
	PgCall([ms] {
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms,
						PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	});
}

void ReleaseSlot(int code) { ReleaseSealerSlot(code != 0); }
/* An on_shmem_exit callback: enters C++ through InvokeCpp like every entry point. */
extern "C" void ReleaseSlotAtExit(int code, Datum) { InvokeCpp(ReleaseSlot, code); }

void SealerMain(Datum arg)
{
	Oid const db = DatumGetObjectId(arg);
	PgCall([] {
		pqsignal(SIGHUP, SignalHandlerForConfigReload);
		pqsignal(SIGTERM, die);
		BackgroundWorkerUnblockSignals();
	});
	if (!ClaimSealerSlot(db))
		PgCall(proc_exit, 0);
	PgCall(on_shmem_exit, ReleaseSlotAtExit, Datum(0));
	PgCall(BackgroundWorkerInitializeConnectionByOid, db, InvalidOid, 0u);
	/* Silent on a standby: it replays the primary's blocks instead. */
	if (PgCall(RecoveryInProgress))
		PgCall(proc_exit, 0);
	MarkInSealer();
	PgCall(pgstat_report_appname, "tenant_guard audit sealer");

	Sealer sealer;
	/* Without locks (a pass locks the trail first, see LockTrail): is there a trail here? */
	if (!InTransaction([](SpiSession &) { return OidIsValid(PgCall(AuditRelid, "audit_passes")); }))
		PgCall(proc_exit, 0);
	long idle_ms = 0;
	for (;;) {
		PgCall(pgstat_report_activity, STATE_RUNNING, "sealing audit events");
		int const sealed = InTransaction([&](SpiSession &spi) { return sealer.Pass(spi); });
		PgCall(pgstat_report_activity, STATE_IDLE, static_cast<const char *>(nullptr));
		idle_ms = sealed > 0 || sealer.HasPending() || sealer.Skipped() ? 0 : idle_ms + tg_audit_seal_interval;
		if (idle_ms >= kIdleExitMs) {
			/* Release first, then look once more: see EnsureSealer. */
			ReleaseSealerSlot(false);
			if (!InTransaction([&](SpiSession &spi) { return sealer.NewEvents(spi); }))
				PgCall(proc_exit, 0);
			if (!ClaimSealerSlot(db))
				PgCall(proc_exit, 0);
			idle_ms = 0;
		}
		WaitInterval(tg_audit_seal_interval);
	}
}

/* Databases that accept connections (InvalidOid: all), read from the shared catalog. */
std::vector<Oid> ConnectableDatabases()
{
	std::vector<Oid> out;
	PgCall([] {
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
	});
	Relation rel = PgCall(table_open, DatabaseRelationId, AccessShareLock);
	TableScanDesc scan = PgCall(table_beginscan_catalog, rel, 0, static_cast<ScanKeyData *>(nullptr));
	for (;;) {
		HeapTuple tuple = PgCall(heap_getnext, scan, ForwardScanDirection);
		if (tuple == nullptr)
			break;
		auto *db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
		if (db->datallowconn && !db->datistemplate)
			out.push_back(db->oid);
	}
	PgCall(table_endscan, scan);
	PgCall(table_close, rel, AccessShareLock);
	PgCall(CommitTransactionCommand);
	return out;
}

void LauncherMain(Datum)
{
	PgCall([] {
		pqsignal(SIGHUP, SignalHandlerForConfigReload);
		pqsignal(SIGTERM, die);
		BackgroundWorkerUnblockSignals();
	});
	PgCall(BackgroundWorkerInitializeConnection, static_cast<const char *>(nullptr),
		   static_cast<const char *>(nullptr), 0u);
	PgCall(pgstat_report_appname, "tenant_guard audit launcher");
	std::vector<Oid> waiting = ConnectableDatabases();
	/* A sealer finds out itself whether its database has a trail; slots may be short at first. */
	for (int attempt = 0; !waiting.empty() && attempt < 600; attempt++) {
		std::vector<Oid> still;
		for (Oid db : waiting)
			if (!PgCall(RequestSealer, db))
				still.push_back(db);
		waiting.swap(still);
		if (!waiting.empty())
			WaitInterval(1000);
	}
	/*
	 * Stay: a crash restart forgets workers that exited, and a sealer that
	 * failed (they are never restarted by the postmaster) is replaced from
	 * here when no writer has done so, unless its database was dropped.
	 */
	for (;;) {
		WaitInterval(1000);
		Oid failed[64];
		int const n = PgCall(SealersToRestart, failed, 64);
		if (n == 0)
			continue;
		std::vector<Oid> const exist = ConnectableDatabases();
		for (int i = 0; i < n; i++) {
			if (std::find(exist.begin(), exist.end(), failed[i]) == exist.end())
				PgCall(ForgetSealer, failed[i]);
			else
				PgCall(RequestSealer, failed[i]);
		}
	}
}

} // namespace
} // namespace tg::audit

extern "C" {
void tg_audit_sealer_main(Datum arg) { tg::InvokeCpp(tg::audit::SealerMain, arg); }
void tg_audit_launcher_main(Datum arg) { tg::InvokeCpp(tg::audit::LauncherMain, arg); }
}
