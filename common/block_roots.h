/*
 * block_roots.h — the Merkle roots of sealed blocks, computed while the
 * events stream in, in any order: each block's root as soon as the last of
 * its events has arrived. verify_audit()'s leader receives the events from its
 * parallel workers; computing a block's root then, rather than all of them
 * after the scan, does that hashing while the workers still scan instead of
 * on one core after them. Pure C++.
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
	 * leaf_of(event) gives its Merkle leaf hash (called only once its block is
	 * complete, so the caller may keep leaves wherever it keeps events).
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
		if (--b.remaining > 0 || b.broken)
			return;
		leaves_.clear();
		for (int32_t e = b.first_entry; e < b.first_entry + b.entries; e++)
			leaves_.push_back(leaf_of(entry_event_[static_cast<size_t>(e)]));
		b.root = MerkleRootOfLeafHashes(leaves_, sha);
	}

	/* Block b's root, when it was computed and nothing above made it unusable. */
	std::optional<Hash> Root(size_t b) const
	{
		if (b >= blocks_.size() || blocks_[b].broken)
			return std::nullopt;
		return blocks_[b].root;
	}

private:
	struct Block {
		int32_t first_entry = 0;
		int32_t entries = 0;
		int32_t remaining = 0;
		bool broken = false;
		std::optional<Hash> root;
	};
	int64_t first_seq_ = 0;
	std::vector<int32_t> slot_;		   /* seq - first_seq_ -> entry, -1: listed by no block */
	std::vector<int32_t> entry_block_; /* entry -> block */
	std::vector<int32_t> entry_event_; /* entry -> the caller's event, -1 until it arrives */
	std::vector<Block> blocks_;
	std::vector<Hash> leaves_; /* one block's, reused */
};

} // namespace tg::audit
