/*
 * block_roots.h — the Merkle roots of sealed blocks, computed while the
 * events stream in, in any order. verify_audit()'s leader receives the events
 * from its parallel workers; hashing while they still scan, rather than after
 * the scan, does that work while the workers take the pages the leader leaves,
 * instead of on one core after them. A block's leaves are hashed in aligned
 * groups of kGroup as each group's last event arrives (in RFC 9162's tree
 * every aligned full group is a perfect subtree), so that even a block
 * completed by the scan's very last event needs only about one node hash per
 * group then; a block's root is computed as soon as its last event arrives.
 * Pure C++.
 *
 * A block gets no root here (Root() is empty, the caller computes it as
 * before) when one of its seqs is listed by two blocks or twice by one, when an
 * event arrives for a seq whose slot is filled already (two events with one
 * seq), or when one of its events never arrives: each of those is a problem
 * that the caller's own pass over the blocks reports.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/audit_chain.h"
#include "common/merkle_proof.h"

namespace tg::audit {

class BlockRoots {
public:
	/*
	 * block_seqs[b]: the seqs block b lists, in chain order. Returns false,
	 * and computes no root, when the seqs are too sparse for a direct index
	 * (more than four slots per listed seq).
	 */
	bool Plan(const std::vector<const std::vector<int64_t> *> &block_seqs);

	/*
	 * The event with this seq arrived as the caller's event number `event`;
	 * leaf_of(event) gives its Merkle leaf hash (called for events that have
	 * arrived only, when their group or block is complete, so the caller may
	 * keep leaves wherever it keeps events).
	 */
	template <typename LeafOf> void Arrived(int64_t seq, int32_t event, LeafOf &&leaf_of, Sha256 &sha)
	{
		/* Unsigned: a forged seq far from the others must not overflow into a valid offset. */
		uint64_t const offset = static_cast<uint64_t>(seq) - static_cast<uint64_t>(first_seq_);
		if (offset >= slot_.size())
			return;
		int32_t const entry = slot_[static_cast<size_t>(offset)];
		if (entry < 0)
			return;
		Block &b = blocks_[static_cast<size_t>(entry_block_[static_cast<size_t>(entry)])];
		if (entry_event_[static_cast<size_t>(entry)] >= 0) {
			b.broken = true;
			return;
		}
		entry_event_[static_cast<size_t>(entry)] = event;
		if (b.broken)
			return;
		int32_t const position = entry - b.first_entry;
		if (position < b.entries / kGroup * kGroup) {
			int32_t const group = b.first_group + position / kGroup;
			if (--group_remaining_[static_cast<size_t>(group)] == 0) {
				int32_t const start = b.first_entry + position / kGroup * kGroup;
				leaves_.clear();
				for (int32_t e = start; e < start + kGroup; e++)
					leaves_.push_back(leaf_of(entry_event_[static_cast<size_t>(e)]));
				group_root_[static_cast<size_t>(group)] = MerkleRootOfLeafHashes(leaves_, sha);
			}
		}
		if (--b.remaining == 0)
			b.root = RangeRoot(b, 0, b.entries, leaf_of, sha);
	}

	/* Block b's root, when it was computed and nothing above made it unusable. */
	std::optional<Hash> Root(size_t b) const
	{
		if (b >= blocks_.size() || blocks_[b].broken)
			return std::nullopt;
		return blocks_[b].root;
	}

	/* Leaves per group: a power of two. */
	static constexpr int32_t kGroup = 256;

private:
	struct Block {
		int32_t first_entry = 0;
		int32_t entries = 0;
		int32_t first_group = 0; /* its full groups: entries / kGroup of them */
		int32_t remaining = 0;
		bool broken = false;
		std::optional<Hash> root;
	};

	/* MTH over the block's leaves [begin, end) (positions in the block), taking complete groups' roots. */
	template <typename LeafOf>
	Hash RangeRoot(const Block &b, int32_t begin, int32_t end, LeafOf &leaf_of, Sha256 &sha) const
	{
		int32_t const n = end - begin;
		if (n == kGroup && begin % kGroup == 0)
			return group_root_[static_cast<size_t>(b.first_group + begin / kGroup)];
		if (n == 1)
			return leaf_of(entry_event_[static_cast<size_t>(b.first_entry + begin)]);
		/* The largest power of two below n, without forming 2k (n may be near INT32_MAX). */
		int32_t k = 1;
		while (k < n - k)
			k *= 2;
		return NodeHash(RangeRoot(b, begin, begin + k, leaf_of, sha), RangeRoot(b, begin + k, end, leaf_of, sha),
						sha);
	}

	int64_t first_seq_ = 0;
	std::vector<int32_t> slot_;		   /* seq - first_seq_ -> entry, -1: listed by no block */
	std::vector<int32_t> entry_block_; /* entry -> block */
	std::vector<int32_t> entry_event_; /* entry -> the caller's event, -1 until it arrives */
	std::vector<Block> blocks_;
	std::vector<int32_t> group_remaining_; /* group -> its events yet to arrive */
	std::vector<Hash> group_root_;		   /* group -> its subtree's root, once complete */
	std::vector<Hash> leaves_;			   /* one group's, reused */
};

} // namespace tg::audit
