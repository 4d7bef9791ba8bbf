#include "common/block_roots.h"

#include <algorithm>
#include <limits>

#include "common/pure_cpp.h"

namespace tg::audit {

bool BlockRoots::Plan(const std::vector<const std::vector<int64_t> *> &block_seqs)
{
	*this = BlockRoots();
	size_t total = 0;
	int64_t lo = std::numeric_limits<int64_t>::max();
	int64_t hi = std::numeric_limits<int64_t>::min();
	for (const std::vector<int64_t> *seqs : block_seqs)
		for (int64_t seq : *seqs) {
			total++;
			lo = std::min(lo, seq);
			hi = std::max(hi, seq);
		}
	/* The span in unsigned arithmetic: seqs may be anything a tampered block lists. */
	uint64_t const span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
	if (total == 0 || total > static_cast<size_t>(std::numeric_limits<int32_t>::max()) ||
		span >= 4 * static_cast<uint64_t>(total) + 1024)
		return false;
	first_seq_ = lo;
	slot_.assign(static_cast<size_t>(span + 1), -1);
	entry_block_.resize(total);
	entry_event_.assign(total, -1);
	blocks_.resize(block_seqs.size());
	int32_t entry = 0;
	int32_t groups = 0;
	for (size_t b = 0; b < block_seqs.size(); b++) {
		Block &block = blocks_[b];
		block.first_entry = entry;
		block.entries = static_cast<int32_t>(block_seqs[b]->size());
		block.remaining = block.entries;
		block.first_group = groups;
		groups += block.entries / kGroup;
		/* An empty block has nothing to wait for; its root is the caller's to compute. */
		block.broken = block.entries == 0;
		for (int64_t seq : *block_seqs[b]) {
			int32_t &slot = slot_[static_cast<size_t>(static_cast<uint64_t>(seq) - static_cast<uint64_t>(first_seq_))];
			if (slot >= 0) {
				/* Listed twice: neither block is computed here. */
				block.broken = true;
				blocks_[static_cast<size_t>(entry_block_[static_cast<size_t>(slot)])].broken = true;
			} else {
				slot = entry;
			}
			entry_block_[static_cast<size_t>(entry)] = static_cast<int32_t>(b);
			entry++;
		}
	}
	group_remaining_.assign(static_cast<size_t>(groups), kGroup);
	group_root_.resize(static_cast<size_t>(groups));
	return true;
}

} // namespace tg::audit
