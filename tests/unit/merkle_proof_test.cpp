// RFC 9162 tree heads and proofs: the RFC 6962/9162 reference roots for the
// eight-leaf test log, the streaming head equal to the recursive definition,
// and for every tree size 1..64: each leaf's inclusion proof verifies and a
// proof for the wrong size, index or root does not; each consistency proof
// m <= n verifies and is refused for the wrong sizes and for first > second.
#include <boost/test/unit_test.hpp>

#include "common/merkle_proof.h"

#include <stdexcept>

using namespace tg::audit;

namespace {

std::string Unhex(const std::string &hex)
{
	std::string out;
	for (size_t i = 0; i + 1 < hex.size(); i += 2)
		out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
	return out;
}

/* Leaf hashes of n leaves whose data is SHA-256 of the byte i (like the audit log's row hashes). */
std::vector<Hash> LeafHashes(uint64_t n, Sha256 &sha)
{
	std::vector<Hash> out;
	for (uint64_t i = 0; i < n; i++)
		out.push_back(LeafHash(sha.Of(std::string(1, static_cast<char>(i))), sha));
	return out;
}

constexpr uint64_t kMaxSize = 64;

} // namespace

BOOST_AUTO_TEST_SUITE(merkle_proof)

// The test log of the CT reference implementations: leaves "", 00, 10, 2021,
// 3031, 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f.
BOOST_AUTO_TEST_CASE(reference_roots_of_the_rfc_6962_test_log)
{
	Sha256 sha;
	const char *const leaves[] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
								  "606162636465666768696a6b6c6d6e6f"};
	const char *const roots[] = {
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
	MerkleAccumulator acc;
	BOOST_TEST(ToHex(acc.Root(sha)) == ToHex(sha.Of({})));
	for (int i = 0; i < 8; i++) {
		acc.AddLeafHash(LeafHash(Unhex(leaves[i]), sha), sha);
		BOOST_TEST(ToHex(acc.Root(sha)) == roots[i], "tree size " << i + 1);
	}
}

BOOST_AUTO_TEST_CASE(streaming_head_equals_the_block_merkle_root)
{
	Sha256 sha;
	for (uint64_t n = 1; n <= kMaxSize; n++) {
		std::vector<Hash> data;
		MerkleAccumulator acc;
		for (uint64_t i = 0; i < n; i++) {
			data.push_back(sha.Of(std::string(1, static_cast<char>(i))));
			acc.AddLeaf(data.back(), sha);
		}
		BOOST_TEST(acc.size() == n);
		BOOST_TEST(ToHex(acc.Root(sha)) == ToHex(MerkleRoot(data, sha)), "tree size " << n);
	}
}

// A pruned log keeps only the frontier of its first m leaves: every later
// head computed from it equals the head over all the leaves.
BOOST_AUTO_TEST_CASE(heads_resumed_from_a_frontier_for_every_split_up_to_64)
{
	Sha256 sha;
	std::vector<Hash> const leaves = LeafHashes(kMaxSize, sha);
	for (uint64_t m = 0; m <= kMaxSize; m++) {
		MerkleAccumulator prefix;
		for (uint64_t i = 0; i < m; i++)
			prefix.AddLeafHash(leaves[i], sha);
		MerkleAccumulator resumed = MerkleAccumulator::Resume(m, prefix.peaks());
		for (uint64_t n = m; n <= kMaxSize; n++) {
			if (n > m)
				resumed.AddLeafHash(leaves[n - 1], sha);
			BOOST_TEST(ToHex(resumed.Root(sha)) == ToHex(SubtreeRoot(leaves, 0, n, sha)),
					   "prefix " << m << ", tree size " << n);
		}
	}
	BOOST_CHECK_THROW(MerkleAccumulator::Resume(3, {Hash{}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(inclusion_proofs_for_every_size_up_to_64)
{
	Sha256 sha;
	std::vector<Hash> const d = LeafHashes(kMaxSize + 1, sha);
	std::vector<Hash> roots(kMaxSize + 2);
	for (uint64_t n = 1; n <= kMaxSize + 1; n++)
		roots[n] = SubtreeRoot(d, 0, n, sha);
	for (uint64_t n = 1; n <= kMaxSize; n++) {
		Hash const &root = roots[n];
		for (uint64_t m = 0; m < n; m++) {
			std::vector<Hash> const proof = InclusionProof(d, m, n, sha);
			BOOST_TEST(VerifyInclusion(m, n, d[m], proof, root, sha), "leaf " << m << " of " << n);
			// Claimed for another tree size: refused against that size's head, and
			// against this one's whenever the proof does not consume that size exactly
			// (the check hash-tree 0.1.1 missed).
			for (uint64_t s = m + 1; s <= kMaxSize + 1; s++) {
				if (s == n)
					continue;
				std::vector<Hash> const other = InclusionProof(d, m, s, sha);
				if (other != proof)
					BOOST_TEST(!VerifyInclusion(m, s, d[m], proof, roots[s], sha), m << " of " << n << " as " << s);
				if (other.size() != proof.size())
					BOOST_TEST(!VerifyInclusion(m, s, d[m], proof, root, sha), m << " of " << n << " as " << s);
			}
			BOOST_TEST(!VerifyInclusion(n, n, d[m], proof, root, sha));
			if (n > 1) {
				BOOST_TEST(!VerifyInclusion((m + 1) % n, n, d[m], proof, root, sha));
				BOOST_TEST(!VerifyInclusion(m, n, d[(m + 1) % n], proof, root, sha));
				std::vector<Hash> tampered = proof;
				tampered.front()[31] ^= 1;
				BOOST_TEST(!VerifyInclusion(m, n, d[m], tampered, root, sha));
			}
			std::vector<Hash> longer = proof;
			longer.push_back(root);
			BOOST_TEST(!VerifyInclusion(m, n, d[m], longer, root, sha));
			if (!proof.empty()) {
				std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
				BOOST_TEST(!VerifyInclusion(m, n, d[m], shorter, root, sha));
			}
		}
	}
	BOOST_CHECK_THROW(InclusionProof(d, 3, 3, sha), std::invalid_argument);
	BOOST_CHECK_THROW(InclusionProof(d, 0, kMaxSize + 2, sha), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(consistency_proofs_for_every_pair_up_to_64)
{
	Sha256 sha;
	std::vector<Hash> const d = LeafHashes(kMaxSize + 1, sha);
	std::vector<Hash> roots(kMaxSize + 2);
	for (uint64_t n = 1; n <= kMaxSize + 1; n++)
		roots[n] = SubtreeRoot(d, 0, n, sha);
	for (uint64_t n = 1; n <= kMaxSize; n++) {
		for (uint64_t m = 1; m <= n; m++) {
			std::vector<Hash> const proof = ConsistencyProof(d, m, n, sha);
			BOOST_TEST(VerifyConsistency(m, n, roots[m], roots[n], proof, sha), m << " -> " << n);
			// The proof of m -> n says nothing about other sizes.
			BOOST_TEST(!VerifyConsistency(m, n + 1, roots[m], roots[n + 1], proof, sha));
			if (m < n) {
				BOOST_TEST(!VerifyConsistency(m, n - 1, roots[m], roots[n - 1], proof, sha));
				BOOST_TEST(!VerifyConsistency(n, m, roots[n], roots[m], proof, sha)); // first > second
				BOOST_TEST(!VerifyConsistency(m, n, roots[m], roots[n - 1], proof, sha));
				BOOST_TEST(!VerifyConsistency(m, n, roots[n], roots[n], proof, sha));
				if (m > 1)
					BOOST_TEST(!VerifyConsistency(m - 1, n, roots[m - 1], roots[n], proof, sha));
				std::vector<Hash> tampered = proof;
				tampered.back()[0] ^= 1;
				BOOST_TEST(!VerifyConsistency(m, n, roots[m], roots[n], tampered, sha));
				std::vector<Hash> longer = proof;
				longer.push_back(roots[1]);
				BOOST_TEST(!VerifyConsistency(m, n, roots[m], roots[n], longer, sha));
			} else {
				BOOST_TEST(proof.empty());
				BOOST_TEST(!VerifyConsistency(m, n, roots[m], roots[n + 1], proof, sha));
			}
		}
		BOOST_TEST(!VerifyConsistency(0, n, roots[1], roots[n], {}, sha));
	}
	BOOST_CHECK_THROW(ConsistencyProof(d, 5, 4, sha), std::invalid_argument);
	BOOST_CHECK_THROW(ConsistencyProof(d, 0, 4, sha), std::invalid_argument);
	BOOST_CHECK_THROW(ConsistencyProof(d, 1, kMaxSize + 2, sha), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
