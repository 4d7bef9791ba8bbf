// BlockRoots: each block's root, computed as its events arrive in any order,
// equals MerkleRootOfLeafHashes over the block's leaves in chain order;
// a block with an event that never arrives, a seq that arrives twice, or a
// seq listed twice gets none; sparse seqs plan nothing.
#include <boost/test/unit_test.hpp>

#include "common/block_roots.h"

#include <algorithm>
#include <limits>
#include <random>

using namespace tg::audit;

namespace {

struct Log {
	std::vector<std::vector<int64_t>> blocks;
	std::vector<Hash> leaves; /* by event number */
	std::vector<int64_t> seq_of; /* by event number */

	explicit Log(std::vector<std::vector<int64_t>> b) : blocks(std::move(b))
	{
		Sha256 sha;
		for (const auto &block : blocks)
			for (int64_t seq : block) {
				seq_of.push_back(seq);
				leaves.push_back(sha.Of(std::to_string(seq)));
			}
	}
	std::vector<const std::vector<int64_t> *> Seqs() const
	{
		std::vector<const std::vector<int64_t> *> out;
		for (const auto &b : blocks)
			out.push_back(&b);
		return out;
	}
	Hash Expected(size_t block) const
	{
		Sha256 sha;
		std::vector<Hash> l;
		for (int64_t seq : blocks[block])
			l.push_back(leaves[std::find(seq_of.begin(), seq_of.end(), seq) - seq_of.begin()]);
		return MerkleRootOfLeafHashes(l, sha);
	}
};

void Arrive(BlockRoots &roots, const Log &log, int32_t event, Sha256 &sha)
{
	roots.Arrived(log.seq_of[static_cast<size_t>(event)], event,
				  [&](int32_t e) { return log.leaves[static_cast<size_t>(e)]; }, sha);
}

} // namespace

BOOST_AUTO_TEST_SUITE(block_roots)

BOOST_AUTO_TEST_CASE(roots_equal_the_recursive_definition_in_any_arrival_order)
{
	Log const log({{1, 2, 3, 4, 5}, {7, 6}, {8}, {12, 9, 10, 11, 13, 14, 15}});
	std::mt19937 random(42);
	for (int round = 0; round < 50; round++) {
		std::vector<int32_t> order(log.seq_of.size());
		for (size_t i = 0; i < order.size(); i++)
			order[i] = static_cast<int32_t>(i);
		std::shuffle(order.begin(), order.end(), random);
		BlockRoots roots;
		BOOST_TEST(roots.Plan(log.Seqs()));
		Sha256 sha;
		for (int32_t event : order)
			Arrive(roots, log, event, sha);
		for (size_t b = 0; b < log.blocks.size(); b++) {
			BOOST_TEST_REQUIRE(roots.Root(b).has_value());
			BOOST_TEST((*roots.Root(b) == log.Expected(b)));
		}
	}
}

BOOST_AUTO_TEST_CASE(blocks_of_every_size_to_300_and_of_many_groups_in_any_order)
{
	/*
	 * Sizes that are no power of two split unevenly (RFC 9162): each size is
	 * its own block, up to past one group of leaves (BlockRoots::kGroup), and
	 * blocks of several groups with and without a partial last one.
	 */
	std::vector<int> sizes;
	for (int size = 1; size <= 300; size++)
		sizes.push_back(size);
	for (int size : {512, 1000, 1537, 2048, 2049})
		sizes.push_back(size);
	std::vector<std::vector<int64_t>> blocks;
	int64_t seq = 1;
	for (int size : sizes) {
		blocks.emplace_back();
		for (int i = 0; i < size; i++)
			blocks.back().push_back(seq++);
	}
	Log const log(blocks);
	std::mt19937 random(7);
	for (int order_kind = 0; order_kind < 3; order_kind++) {
		std::vector<int32_t> order(log.seq_of.size());
		for (size_t i = 0; i < order.size(); i++)
			order[i] = static_cast<int32_t>(i);
		if (order_kind == 1)
			std::reverse(order.begin(), order.end());
		if (order_kind == 2)
			std::shuffle(order.begin(), order.end(), random);
		BlockRoots roots;
		BOOST_TEST(roots.Plan(log.Seqs()));
		Sha256 sha;
		std::vector<int> leaf_calls(log.seq_of.size(), 0);
		std::vector<bool> arrived(log.seq_of.size(), false);
		for (int32_t event : order) {
			arrived[static_cast<size_t>(event)] = true;
			roots.Arrived(log.seq_of[static_cast<size_t>(event)], event,
						  [&](int32_t e) {
							  BOOST_TEST_REQUIRE(arrived[static_cast<size_t>(e)]);
							  leaf_calls[static_cast<size_t>(e)]++;
							  return log.leaves[static_cast<size_t>(e)];
						  },
						  sha);
		}
		for (size_t b = 0; b < log.blocks.size(); b++) {
			BOOST_TEST_REQUIRE(roots.Root(b).has_value());
			BOOST_TEST_REQUIRE((*roots.Root(b) == log.Expected(b)));
		}
		/* Each leaf is hashed into its block once, whatever the order. */
		BOOST_TEST((std::count(leaf_calls.begin(), leaf_calls.end(), 1) == static_cast<long>(leaf_calls.size())));
	}
}

BOOST_AUTO_TEST_CASE(a_root_appears_with_the_last_event_of_its_block)
{
	Log const log({{1, 2}, {3}});
	BlockRoots roots;
	BOOST_TEST(roots.Plan(log.Seqs()));
	Sha256 sha;
	Arrive(roots, log, 1, sha);
	BOOST_TEST(!roots.Root(0).has_value());
	Arrive(roots, log, 0, sha);
	BOOST_TEST(roots.Root(0).has_value());
	BOOST_TEST(!roots.Root(1).has_value());
}

BOOST_AUTO_TEST_CASE(missing_repeated_and_doubly_listed_events_leave_the_block_to_the_caller)
{
	/* Event 2 (seq 3) never arrives; seq 4 arrives twice, after its block was complete. */
	Log const log({{1, 2, 3}, {4, 5}, {6}});
	BlockRoots roots;
	BOOST_TEST(roots.Plan(log.Seqs()));
	Sha256 sha;
	for (int32_t event : {0, 1, 3, 4, 5})
		Arrive(roots, log, event, sha);
	BOOST_TEST(!roots.Root(0).has_value());
	BOOST_TEST(roots.Root(1).has_value());
	Arrive(roots, log, 3, sha);
	BOOST_TEST(!roots.Root(1).has_value());
	BOOST_TEST(roots.Root(2).has_value());

	/* Seq 2 listed by two blocks; seq 5 twice by one. */
	Log const listed({{1, 2}, {2, 3}, {5, 5}, {6}});
	BOOST_TEST(roots.Plan(listed.Seqs()));
	for (int32_t event = 0; event < static_cast<int32_t>(listed.seq_of.size()); event++)
		Arrive(roots, listed, event, sha);
	BOOST_TEST(!roots.Root(0).has_value());
	BOOST_TEST(!roots.Root(1).has_value());
	BOOST_TEST(!roots.Root(2).has_value());
	BOOST_TEST(roots.Root(3).has_value());
}

BOOST_AUTO_TEST_CASE(sparse_seqs_and_empty_blocks_plan_nothing)
{
	Log const sparse({{1, 1000000}});
	BlockRoots roots;
	BOOST_TEST(!roots.Plan(sparse.Seqs()));
	Sha256 sha;
	Arrive(roots, sparse, 0, sha);
	Arrive(roots, sparse, 1, sha);
	BOOST_TEST(!roots.Root(0).has_value());

	Log const empty({{}, {1}});
	BOOST_TEST(roots.Plan(empty.Seqs()));
	Arrive(roots, empty, 0, sha);
	BOOST_TEST(!roots.Root(0).has_value());
	BOOST_TEST(roots.Root(1).has_value());
}

BOOST_AUTO_TEST_CASE(seqs_at_the_ends_of_bigint_neither_overflow_nor_crash)
{
	int64_t const min = std::numeric_limits<int64_t>::min();
	int64_t const max = std::numeric_limits<int64_t>::max();
	/* A tampered block listing both ends: the span does not wrap to a small one. */
	Log const ends({{min, max}});
	BlockRoots roots;
	BOOST_TEST(!roots.Plan(ends.Seqs()));
	Sha256 sha;
	Arrive(roots, ends, 0, sha);
	Arrive(roots, ends, 1, sha);
	BOOST_TEST(!roots.Root(0).has_value());

	/* A NULL element (-1) beside real seqs, and forged events at both ends arriving. */
	Log const null_element({{-1, 1, 2}, {3}});
	BOOST_TEST(roots.Plan(null_element.Seqs()));
	for (int64_t forged : {min, max, int64_t{-2}, int64_t{1000000}})
		roots.Arrived(forged, 0, [&](int32_t e) { return null_element.leaves[static_cast<size_t>(e)]; }, sha);
	for (int32_t event = 1; event < 4; event++)
		Arrive(roots, null_element, event, sha);
	BOOST_TEST(!roots.Root(0).has_value()); /* its -1 never arrived */
	BOOST_TEST(roots.Root(1).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
