/*
 * verify.cpp — tenant_guard.verify_audit(chain_id DEFAULT NULL): recomputes
 * every event's row_hash from its columns, every block's Merkle root and hash,
 * every chain's and the passes' links, and returns one row per problem
 * (chain_id, seq, problem, detail), none when the trail is intact.
 *
 * Two stages. (a) Per event, independent of every other event: the row_hash
 * recomputed and the Merkle leaf hashed, shared with parallel workers
 * (verify_scan.cpp). (b) Over the hashes only, here, in order: duplicates,
 * Merkle roots, block and chain links, passes and the unsealed tail.
 *
 * Read-only: the events, blocks and passes under one snapshot (the calling
 * statement's, which the workers share), then the retention checkpoints
 * through SQL (retention.h), which can only excuse events that are absent.
 * It runs on a hot standby too, where events not yet sealed are the normal
 * tail and never reported. What each check catches, and what
 * no check inside the database can catch (a deleted tail after the last
 * digest kept elsewhere), is in docs/audit.md.
 */
#include "audit/audit_catalog.h"
#include "audit/event_partition.h"
#include "audit/retention.h"
#include "audit/verify_scan.h"
#include "boundary/pg_boundary.h"
#include "common/audit_chain.h"
#include "common/block_roots.h"
#include "guc.h"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace tg::audit {

namespace {

struct Problem {
	std::optional<std::string> chain_id;
	std::optional<int64> seq;
	std::string problem;
	std::string detail;
};

struct EventInfo {
	int64 seq;
	int chain; /* index into chain names */
	Hash leaf; /* LeafHash of the stored row_hash */
	bool hash_ok;
	TimestampTz occurred_at;
	int64 txid;
	int32 ordinal;
	bool own; /* written by the calling transaction, not committed yet */
	int claimed_by; /* block index, -1: unsealed */
};

struct BlockInfo {
	std::string chain_id;
	int64 block_no;
	int64 pass_no;
	std::vector<int64> seqs;
	std::optional<Hash> merkle_root, prev_hash, block_hash;
};

struct PassInfo {
	int64 pass_no, low, high;
	TimestampTz sealed_at;
	std::optional<Hash> prev_hash, pass_hash;
};

/*
 * Where a chain's verification starts: the number its first block present
 * must have and the prev_hash that block must name. Verification starts at
 * each chain's first block, whose prev_hash is 32 zero bytes.
 */
struct ChainOrigin {
	int64 first_block_no = 1;
	Hash prev_hash{};
};

std::optional<Hash> HashColumn(HeapTuple tuple, TupleDesc desc, int column)
{
	bool isnull = false;
	Datum const d = heap_getattr(tuple, column, desc, &isnull);
	if (isnull)
		return std::nullopt;
	bytea *b = PgCall([d] { return DatumGetByteaPP(d); });
	return HashFromBytes(std::string_view(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
}

class Verifier {
public:
	explicit Verifier(std::optional<std::string> only) : only_(std::move(only)) {}
	void Run();
	std::vector<Problem> &problems() { return problems_; }

private:
	void ReadEvents();
	void ReadBlocks();
	void ReadPasses();
	void CheckEvents();
	void CheckChains();
	void CheckPasses();
	void CheckUnsealed();
	ChainOrigin OriginOf(const std::string &) const { return ChainOrigin{}; }
	bool PrunedByPolicy(const BlockInfo &b, int64 seq);
	void ReportPruned();
	void Report(std::optional<std::string> chain, std::optional<int64> seq, std::string problem,
				std::string detail)
	{
		if (only_ && chain && *chain != *only_)
			return;
		if (only_ && !chain)
			return;
		problems_.push_back({std::move(chain), seq, std::move(problem), std::move(detail)});
	}
	int ChainIndex(std::string_view chain)
	{
		/* Few chains (tenants) are the common case: compare before hashing. */
		if (chain_names_.size() <= 8)
			for (size_t i = 0; i < chain_names_.size(); i++)
				if (chain_names_[i] == chain)
					return static_cast<int>(i);
		auto it = chain_index_.find(chain);
		if (it != chain_index_.end())
			return it->second;
		chain_storage_.emplace_back(chain);
		chain_names_.push_back(chain_storage_.back());
		int const index = static_cast<int>(chain_names_.size() - 1);
		chain_index_.emplace(std::string_view(chain_storage_.back()), index);
		return index;
	}
	void IndexEvents();
	EventInfo *FindEvent(int64 seq)
	{
		if (!by_seq_.empty()) {
			/* Unsigned: a forged seq far from the others must not overflow into a valid offset. */
			uint64 const offset = static_cast<uint64>(seq) - static_cast<uint64>(first_seq_);
			if (offset >= by_seq_.size())
				return nullptr;
			int32 const i = by_seq_[offset];
			return i < 0 ? nullptr : &events_[i];
		}
		auto it = std::lower_bound(events_.begin(), events_.end(), seq,
								   [](const EventInfo &e, int64 s) { return e.seq < s; });
		return it != events_.end() && it->seq == seq ? &*it : nullptr;
	}

	std::optional<std::string> only_;
	int64 own_txid_ = -1; /* the calling transaction's txid, -1 while it has none */
	std::vector<Problem> problems_;
	std::vector<EventInfo> events_; /* in no particular order (see IndexEvents) */
	/* When seqs are dense: index into events_ by seq - first_seq_, -1 for none. */
	std::vector<int32> by_seq_;
	int64 first_seq_ = 0;
	std::vector<BlockInfo> blocks_;
	std::vector<PassInfo> passes_;
	std::deque<std::string> chain_storage_; /* stable addresses for the views below */
	std::vector<std::string> chain_names_;
	std::unordered_map<std::string_view, int> chain_index_;
	std::vector<Hash> leaves_; /* one block's, reused */
	BlockRoots early_roots_;   /* blocks' Merkle roots, computed while the scan runs */
	PrunedLog pruned_;
	CanonicalWriter writer_;
	Sha256 sha_;
};

/*
 * Runs fn(tuple, desc) for every row of the table visible to the active
 * snapshot; the table must have exactly the columns of types (fn reads them
 * by position).
 */
template <typename Fn> void ScanTable(const char *name, const Oid *types, int ncolumns, Fn &&fn)
{
	Relation rel = PgCall(table_open, PgCall(RequireAuditRelid, name), AccessShareLock);
	PgCall(RequireLayout, rel, types, ncolumns);
	Snapshot snapshot = PgCall(GetActiveSnapshot);
	TableScanDesc scan =
		PgCall(table_beginscan, rel, snapshot, 0, static_cast<ScanKeyData *>(nullptr));
	TupleDesc desc = RelationGetDescr(rel);
	MemoryContext const row_cxt = PgCall([] {
		return AllocSetContextCreate(CurrentMemoryContext, "verify_audit row", ALLOCSET_DEFAULT_SIZES);
	});
	for (;;) {
		HeapTuple tuple = PgCall(heap_getnext, scan, ForwardScanDirection);
		if (tuple == nullptr)
			break;
		MemoryContext const old = MemoryContextSwitchTo(row_cxt);
		fn(tuple, desc);
		MemoryContextSwitchTo(old);
		MemoryContextReset(row_cxt);
	}
	PgCall(table_endscan, scan);
	PgCall(table_close, rel, AccessShareLock);
	MemoryContextDelete(row_cxt);
}

/* The planner's row estimate of a relation (0 when never analyzed), to size vectors once. */
double EstimatedRows(Oid relid)
{
	Relation rel = PgCall(table_open, relid, AccessShareLock);
	double const rows = rel->rd_rel->reltuples > 0 ? rel->rd_rel->reltuples : 0;
	PgCall(table_close, rel, AccessShareLock);
	return rows;
}

void Verifier::ReadEvents()
{
	FullTransactionId const mine = PgCall(GetTopFullTransactionIdIfAny);
	if (FullTransactionIdIsValid(mine))
		own_txid_ = static_cast<int64>(U64FromFullTransactionId(mine));
	/* A partitioned table has no heap of its own: each monthly leaf is scanned in turn. */
	List *leaves = PgCall(EventLeaves, PgCall(RequireAuditRelid, "audit_events"), AccessShareLock);
	double rows = 0;
	ListCell *lc;
	foreach (lc, leaves)
		rows += EstimatedRows(lfirst_oid(lc));
	events_.reserve(static_cast<size_t>(rows));
	std::vector<const std::vector<int64> *> block_seqs;
	for (const BlockInfo &b : blocks_)
		block_seqs.push_back(&b.seqs);
	early_roots_.Plan(block_seqs);
	auto const leaf_of = [this](int32 event) { return events_[static_cast<size_t>(event)].leaf; };
	auto const sink = [this, &leaf_of](const ScannedEvent &s) {
		EventInfo info{};
		info.seq = s.seq;
		info.chain = ChainIndex(s.chain_id);
		info.leaf = s.leaf;
		info.hash_ok = s.hash_ok;
		info.occurred_at = s.occurred_at;
		info.txid = s.txid;
		info.ordinal = s.ordinal;
		/* The capture trigger records the writer's top-level txid (its 64-bit form). */
		info.own = own_txid_ >= 0 && s.txid == own_txid_;
		info.claimed_by = -1;
		events_.push_back(info);
		if (events_.size() <= static_cast<size_t>(INT32_MAX))
			early_roots_.Arrived(s.seq, static_cast<int32>(events_.size() - 1), leaf_of, sha_);
	};
	foreach (lc, leaves)
		ScanEvents(lfirst_oid(lc), sink);
	IndexEvents();
}

/*
 * Blocks name their events by seq. When the seqs are dense (the usual case:
 * only rolled-back work leaves gaps) a direct index finds them; otherwise
 * events_ is sorted for a binary search. Nothing else depends on the order of
 * events_: the problems are sorted at the end.
 */
void Verifier::IndexEvents()
{
	if (events_.empty())
		return;
	auto const [lo, hi] = std::minmax_element(
		events_.begin(), events_.end(),
		[](const EventInfo &a, const EventInfo &b) { return a.seq < b.seq; });
	/* hi - lo in unsigned arithmetic: seqs may be anything a tampered row holds. */
	uint64 const span = static_cast<uint64>(hi->seq) - static_cast<uint64>(lo->seq);
	if (events_.size() > static_cast<size_t>(INT32_MAX) ||
		span >= 4 * static_cast<uint64>(events_.size()) + 1024) {
		std::sort(events_.begin(), events_.end(),
				  [](const EventInfo &a, const EventInfo &b) { return a.seq < b.seq; });
		return;
	}
	first_seq_ = lo->seq;
	by_seq_.assign(static_cast<size_t>(span + 1), -1);
	for (size_t i = 0; i < events_.size(); i++)
		by_seq_[static_cast<uint64>(events_[i].seq) - static_cast<uint64>(first_seq_)] = static_cast<int32>(i);
}

void Verifier::ReadBlocks()
{
	ScanTable("audit_blocks", kBlockColumnTypes, 7, [this](HeapTuple tuple, TupleDesc desc) {
		BlockInfo b;
		bool isnull = false;
		Datum const chain = heap_getattr(tuple, 1, desc, &isnull);
		/* NULL only where someone dropped the primary key: a block of no chain, reported as such. */
		if (!isnull)
			b.chain_id = PgCall([chain] { return text_to_cstring(DatumGetTextPP(chain)); });
		b.block_no = DatumGetInt64(heap_getattr(tuple, 2, desc, &isnull));
		b.pass_no = DatumGetInt64(heap_getattr(tuple, 3, desc, &isnull));
		Datum const seqs = heap_getattr(tuple, 4, desc, &isnull);
		/* NULL only where someone dropped the NOT NULL: a block that lists nothing. */
		ArrayType *array = isnull ? nullptr : PgCall([seqs] { return DatumGetArrayTypeP(seqs); });
		if (array == nullptr) {
			b.seqs.clear();
		} else if (ARR_NDIM(array) == 1 && !ARR_HASNULL(array) && ARR_ELEMTYPE(array) == INT8OID) {
			/* As the sealer writes it: the int8 values, copied at once. */
			auto const *values = reinterpret_cast<const int64 *>(ARR_DATA_PTR(array));
			b.seqs.assign(values, values + ARR_DIMS(array)[0]);
		} else {
			Datum *elems = nullptr;
			bool *nulls = nullptr;
			int n = 0;
			PgCall([&] {
				deconstruct_array(array, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
			});
			for (int i = 0; i < n; i++)
				b.seqs.push_back(nulls[i] ? -1 : DatumGetInt64(elems[i]));
		}
		b.merkle_root = HashColumn(tuple, desc, 5);
		b.prev_hash = HashColumn(tuple, desc, 6);
		b.block_hash = HashColumn(tuple, desc, 7);
		blocks_.push_back(std::move(b));
	});
	std::sort(blocks_.begin(), blocks_.end(), [](const BlockInfo &a, const BlockInfo &b) {
		return a.chain_id != b.chain_id ? a.chain_id < b.chain_id : a.block_no < b.block_no;
	});
}

void Verifier::ReadPasses()
{
	ScanTable("audit_passes", kPassColumnTypes, 6, [this](HeapTuple tuple, TupleDesc desc) {
		PassInfo p{};
		bool isnull = false;
		p.pass_no = DatumGetInt64(heap_getattr(tuple, 1, desc, &isnull));
		p.sealed_at = DatumGetTimestampTz(heap_getattr(tuple, 2, desc, &isnull));
		p.low = DatumGetInt64(heap_getattr(tuple, 3, desc, &isnull));
		p.high = DatumGetInt64(heap_getattr(tuple, 4, desc, &isnull));
		p.prev_hash = HashColumn(tuple, desc, 5);
		p.pass_hash = HashColumn(tuple, desc, 6);
		passes_.push_back(p);
	});
	std::sort(passes_.begin(), passes_.end(),
			  [](const PassInfo &a, const PassInfo &b) { return a.pass_no < b.pass_no; });
}

/* A well-mixed 64-bit hash of an event's origin (splitmix64's finalizer). */
uint64 OriginSlot(int64 txid, int32 ordinal)
{
	uint64 h = static_cast<uint64>(txid) * 0x9E3779B97F4A7C15ULL ^ static_cast<uint32>(ordinal);
	h ^= h >> 30;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 27;
	h *= 0x94D049BB133111EBULL;
	return h ^ (h >> 31);
}

/* Each event on its own: its row_hash (stage a) and its origin (transaction, ordinal). */
void Verifier::CheckEvents()
{
	for (const EventInfo &e : events_)
		if (!e.hash_ok)
			Report(chain_names_[e.chain], e.seq, "row hash mismatch",
				   "The event's columns do not hash to its row_hash: its payload, old row, "
				   "actor, time, table, tenant or chain was changed.");
	/*
	 * Duplicates: one (txid, tx_ordinal) per captured row. Sorting a million
	 * keys was a tenth of a second of the leader's serial time; instead a byte
	 * per slot counts the keys' hashes in about eight slots per event, and only
	 * the events whose slot was hit more than once (about one in eight, and
	 * every true duplicate among them) are sorted and compared exactly.
	 */
	size_t slots = 1024;
	while (slots < 8 * events_.size())
		slots *= 2;
	std::vector<uint8_t> hits(slots, 0);
	size_t const mask = slots - 1;
	for (const EventInfo &e : events_) {
		uint8_t &n = hits[OriginSlot(e.txid, e.ordinal) & mask];
		if (n < 2)
			n++;
	}
	struct Origin {
		int64 txid;
		int64 seq;
		int32 ordinal;
		int32 chain;
	};
	std::vector<Origin> by_origin;
	for (const EventInfo &e : events_)
		if (hits[OriginSlot(e.txid, e.ordinal) & mask] > 1)
			by_origin.push_back({e.txid, e.seq, e.ordinal, e.chain});
	std::sort(by_origin.begin(), by_origin.end(), [](const Origin &a, const Origin &b) {
		return std::tie(a.txid, a.ordinal, a.seq) < std::tie(b.txid, b.ordinal, b.seq);
	});
	for (size_t i = 1; i < by_origin.size(); i++) {
		const Origin &first = by_origin[i - 1];
		const Origin &o = by_origin[i];
		if (o.txid == first.txid && o.ordinal == first.ordinal)
			Report(chain_names_[o.chain], o.seq, "duplicated event",
				   "It repeats the transaction and ordinal of event " + std::to_string(first.seq) +
					   " (txid " + std::to_string(o.txid) + ", ordinal " +
					   std::to_string(o.ordinal) + ").");
	}
}

/* Stage (b): each chain's blocks in order, over the hashes only. */
void Verifier::CheckChains()
{
	const BlockInfo *previous = nullptr;
	for (size_t bi = 0; bi < blocks_.size(); bi++) {
		BlockInfo &b = blocks_[bi];
		bool const first_of_chain = previous == nullptr || previous->chain_id != b.chain_id;
		ChainOrigin const origin = first_of_chain ? OriginOf(b.chain_id) : ChainOrigin{};
		int64 const expected_no = first_of_chain ? origin.first_block_no : previous->block_no + 1;
		std::optional<int64> const at =
			b.seqs.empty() ? std::nullopt : std::optional<int64>(b.seqs.front());
		if (b.block_no != expected_no)
			Report(b.chain_id, at, "block missing",
				   "Block " + std::to_string(expected_no) + " of the chain is missing; the next "
				   "block present is " + std::to_string(b.block_no) + ".");
		Hash const expected_prev =
			first_of_chain ? origin.prev_hash : previous->block_hash.value_or(Hash{});
		if (b.block_no == expected_no && (!b.prev_hash || *b.prev_hash != expected_prev))
			Report(b.chain_id, at, "block chain broken",
				   "Block " + std::to_string(b.block_no) +
					   " does not name the hash of the chain's previous block.");
		/* Computed during the scan unless the block lacks an event or shares a seq. */
		std::optional<Hash> const early_root = early_roots_.Root(bi);
		std::vector<Hash> &leaves = leaves_;
		leaves.clear();
		int const chain = ChainIndex(b.chain_id);
		bool complete = true;
		for (int64 seq : b.seqs) {
			EventInfo *e = FindEvent(seq);
			if (e == nullptr) {
				if (!PrunedByPolicy(b, seq))
					Report(b.chain_id, seq, "event missing",
						   "Event " + std::to_string(seq) + ", sealed in block " +
							   std::to_string(b.block_no) + ", is no longer in audit_events.");
				complete = false;
				continue;
			}
			if (e->chain != chain)
				Report(b.chain_id, seq, "event moved to another chain",
					   "Event " + std::to_string(seq) + " was sealed in chain " + b.chain_id +
						   " but now names chain " + chain_names_[e->chain] + ".");
			if (e->claimed_by >= 0)
				Report(b.chain_id, seq, "event sealed twice",
					   "Event " + std::to_string(seq) + " is listed by two blocks.");
			e->claimed_by = static_cast<int>(bi);
			if (!early_root)
				leaves.push_back(e->leaf);
		}
		if (complete && (!b.merkle_root ||
						 (early_root ? *early_root : MerkleRootOfLeafHashes(leaves, sha_)) != *b.merkle_root))
			Report(b.chain_id, at, "block merkle root mismatch",
				   "The row hashes of block " + std::to_string(b.block_no) +
					   "'s events no longer give its Merkle root: an event's row_hash was "
					   "rewritten, or events were reordered.");
		BlockFields fields;
		fields.chain_id = b.chain_id;
		fields.block_no = b.block_no;
		fields.prev_hash = b.prev_hash.value_or(Hash{});
		fields.event_count = static_cast<int64>(b.seqs.size());
		fields.merkle_root = b.merkle_root.value_or(Hash{});
		if (!b.block_hash || HashBlock(fields, writer_, sha_) != *b.block_hash)
			Report(b.chain_id, at, "block hash mismatch",
				   "Block " + std::to_string(b.block_no) + " does not hash to its block_hash.");
		previous = &b;
	}
}

/* An absent event that a retention checkpoint dropped, within that checkpoint's passes. */
bool Verifier::PrunedByPolicy(const BlockInfo &b, int64 seq)
{
	CheckpointChain *chain = pruned_.PrunedBy(b.chain_id, seq, b.pass_no);
	if (chain == nullptr)
		return false;
	chain->seen++;
	return true;
}

/*
 * One row per checkpoint and chain that lost events to audit_prune(), so
 * that pruning is never silent; and the checkpoint's recorded last block
 * must still be the chain's block of that number.
 */
void Verifier::ReportPruned()
{
	for (Checkpoint &c : pruned_.checkpoints())
		for (auto &[chain, h] : c.chains) {
			if (only_ && *only_ != chain)
				continue;
			auto it = std::find_if(blocks_.begin(), blocks_.end(), [&](const BlockInfo &b) {
				return b.chain_id == chain && b.block_no == h.last_block_no;
			});
			if (it == blocks_.end() || !it->block_hash || *it->block_hash != h.last_block_hash)
				Report(chain, h.last_seq, "checkpoint mismatch",
					   "Retention checkpoint " + std::to_string(c.checkpoint_no) + " recorded block " +
						   std::to_string(h.last_block_no) + " of the chain with another hash: the block "
						   "or the checkpoint was changed.");
			if (h.seen > 0)
				Report(chain, std::nullopt, "pruned by policy",
					   std::to_string(h.seen) + " events of blocks up to " + std::to_string(h.last_block_no) +
						   " (seq up to " + std::to_string(h.last_seq) + ") were dropped by audit_prune() at " +
						   c.pruned_at + ": every event before " + c.before_month + ", checkpoint " +
						   std::to_string(c.checkpoint_no) + " at the closed day " + c.day + ", " + c.anchor + ".");
		}
}

void Verifier::CheckPasses()
{
	std::map<int64, std::vector<const BlockInfo *>> by_pass;
	for (const BlockInfo &b : blocks_)
		by_pass[b.pass_no].push_back(&b);
	std::optional<Hash> previous_hash = Hash{};
	int64 expected = 1;
	for (const PassInfo &p : passes_) {
		std::string const name = "Pass " + std::to_string(p.pass_no);
		if (p.pass_no != expected)
			Report(std::nullopt, std::nullopt, "pass missing",
				   "Pass " + std::to_string(expected) + " is missing; the next pass present is " +
					   std::to_string(p.pass_no) + ".");
		else if (!p.prev_hash || !previous_hash || *p.prev_hash != *previous_hash)
			Report(std::nullopt, std::nullopt, "pass chain broken",
				   name + " does not name the hash of the previous pass.");
		PassFields fields;
		fields.pass_no = p.pass_no;
		fields.prev_hash = p.prev_hash.value_or(Hash{});
		fields.low_watermark = p.low;
		fields.high_watermark = p.high;
		/* Blocks in chain_id byte order, as the sealer wrote them (blocks_ is sorted so). */
		for (const BlockInfo *b : by_pass[p.pass_no])
			fields.block_hashes.push_back(b->block_hash.value_or(Hash{}));
		if (!p.pass_hash || HashPass(fields, writer_, sha_) != *p.pass_hash)
			Report(std::nullopt, std::nullopt, "pass hash mismatch",
				   name + " does not hash to its pass_hash: one of its blocks was "
				   "removed, added or changed, or its watermarks were edited.");
		by_pass.erase(p.pass_no);
		previous_hash = p.pass_hash;
		expected = p.pass_no + 1;
	}
	for (auto &[pass_no, blocks] : by_pass)
		for (const BlockInfo *b : blocks)
			Report(b->chain_id, b->seqs.empty() ? std::nullopt : std::optional<int64>(b->seqs.front()),
				   "block without pass",
				   "Block " + std::to_string(b->block_no) + " names pass " +
					   std::to_string(pass_no) + ", which does not exist.");
}

void Verifier::CheckUnsealed()
{
	int64 const low = passes_.empty() ? 0 : passes_.back().low;
	bool const standby = PgCall(RecoveryInProgress);
	TimestampTz const now = PgCall(GetCurrentTimestamp);
	for (const EventInfo &e : events_) {
		if (e.claimed_by >= 0)
			continue;
		if (e.seq <= low)
			Report(chain_names_[e.chain], e.seq, "event outside the chain",
				   "Event " + std::to_string(e.seq) + " is at or below the sealed watermark " +
					   std::to_string(low) + " but in no block: it was inserted afterwards "
					   "(forged) or its block was removed.");
		else if (!standby && !e.own &&
				 TimestampDifferenceExceeds(e.occurred_at, now, tg_audit_seal_deadline) &&
				 (passes_.empty() ||
				  TimestampDifferenceExceeds(passes_.back().sealed_at, now, tg_audit_seal_deadline)))
			Report(chain_names_[e.chain], e.seq, "unsealed past the deadline",
				   "Event " + std::to_string(e.seq) + " is committed but not sealed, and no pass "
				   "sealed anything within tenant_guard.audit_seal_deadline: the sealing worker "
				   "is not running or cannot write.");
	}
}

void Verifier::Run()
{
	ReadPasses();
	ReadBlocks();
	ReadEvents();
	pruned_.Load();
	CheckEvents();
	CheckChains();
	ReportPruned();
	CheckPasses();
	CheckUnsealed();
	std::stable_sort(problems_.begin(), problems_.end(), [](const Problem &a, const Problem &b) {
		if (a.chain_id != b.chain_id)
			return !a.chain_id ? false : !b.chain_id ? true : *a.chain_id < *b.chain_id;
		if (a.seq != b.seq)
			return !a.seq ? false : !b.seq ? true : *a.seq < *b.seq;
		return false;
	});
}

void RequireSelect(const char *name)
{
	Oid const relid = PgCall(RequireAuditRelid, name);
	if (PgCall(pg_class_aclcheck, relid, GetUserId(), static_cast<AclMode>(ACL_SELECT)) !=
		ACLCHECK_OK)
		throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
					std::string("permission denied for table tenant_guard.") + name,
					"verify_audit() reads the whole audit trail.",
					"Grant the role tenant_guard_auditor to the auditor.");
}

} // namespace
} // namespace tg::audit

/* tenant_guard.verify_audit(chain_id text DEFAULT NULL) RETURNS TABLE (chain_id, seq, problem, detail) */
TG_FUNCTION(tg_verify_audit)
{
	for (const char *name : {"audit_events", "audit_blocks", "audit_passes"})
		tg::audit::RequireSelect(name);
	std::optional<std::string> only;
	if (!PG_ARGISNULL(0))
		only = tg::PgCall([fcinfo] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
	tg::audit::Verifier verifier(only);
	verifier.Run();
	tg::PgCall(InitMaterializedSRF, fcinfo, static_cast<bits32>(0));
	auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	for (const tg::audit::Problem &p : verifier.problems()) {
		const char *chain = p.chain_id ? p.chain_id->c_str() : nullptr;
		bool const has_seq = p.seq.has_value();
		int64 const seq = p.seq.value_or(0);
		const char *problem = p.problem.c_str();
		const char *detail = p.detail.c_str();
		tg::PgCall([=] {
			Datum values[4];
			bool nulls[4] = {chain == nullptr, !has_seq, false, false};
			values[0] = chain ? CStringGetTextDatum(chain) : 0;
			values[1] = Int64GetDatum(seq);
			values[2] = CStringGetTextDatum(problem);
			values[3] = CStringGetTextDatum(detail);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		});
	}
	return static_cast<Datum>(0);
}

