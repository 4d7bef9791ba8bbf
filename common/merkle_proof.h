/*
 * merkle_proof.h — RFC 9162 (Certificate Transparency v2) tree heads over the
 * audit log and the two proofs an auditor checks against them: inclusion of
 * one event (section 2.1.3) and consistency of an older head with a newer one
 * (section 2.1.4). Pure C++, shared by the extension and tenant-audit.
 *
 * Leaves are the events' 32-byte row hashes in log order; the tree hashes
 * them as leaf = SHA-256(0x00 || row_hash), node = SHA-256(0x01 || l || r),
 * as MerkleRoot() in audit_chain.h does for a block.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "common/audit_chain.h"

namespace tg::audit {

Hash LeafHash(std::string_view data, Sha256 &sha);
inline Hash LeafHash(const Hash &data, Sha256 &sha)
{
	return LeafHash(std::string_view(reinterpret_cast<const char *>(data.data()), data.size()), sha);
}
Hash NodeHash(const Hash &left, const Hash &right, Sha256 &sha);

/*
 * A tree head computed while the leaves stream by, in O(log n) memory: it
 * keeps the roots of the perfect subtrees that RFC 9162's left-heavy split
 * produces (at most 64), so verifying an export of any size needs no list of
 * its leaves.
 */
class MerkleAccumulator {
public:
	void AddLeafHash(const Hash &leaf_hash, Sha256 &sha);
	void AddLeaf(const Hash &row_hash, Sha256 &sha) { AddLeafHash(LeafHash(row_hash, sha), sha); }
	uint64_t size() const { return size_; }
	/* The tree head of the leaves so far; SHA-256("") for none. */
	Hash Root(Sha256 &sha) const;

	/*
	 * The frontier: the roots of the perfect subtrees covering the leaves so
	 * far, largest first (one per 1 bit of size()). Enough to go on adding
	 * leaves once the leaves themselves are gone (a pruned audit log).
	 */
	const std::vector<Hash> &peaks() const { return peaks_; }
	/* An accumulator resumed from a frontier; std::invalid_argument unless there is one peak per 1 bit of size. */
	static MerkleAccumulator Resume(uint64_t size, std::vector<Hash> peaks);

private:
	uint64_t size_ = 0;
	std::vector<Hash> peaks_; /* peaks_[i] covers 2^k leaves, k decreasing with i */
};

/* MTH over leaf_hashes[begin, end) (leaf hashes, already prefixed with 0x00). */
Hash SubtreeRoot(const std::vector<Hash> &leaf_hashes, uint64_t begin, uint64_t end, Sha256 &sha);

/*
 * The inclusion proof of leaf `index` in the tree of the first `size` leaf
 * hashes (RFC 9162 2.1.3.1). std::invalid_argument unless index < size <=
 * leaf_hashes.size().
 */
std::vector<Hash> InclusionProof(const std::vector<Hash> &leaf_hashes, uint64_t index, uint64_t size,
								 Sha256 &sha);

/* RFC 9162 2.1.3.2, including the check that the proof consumed the whole tree size. */
bool VerifyInclusion(uint64_t index, uint64_t size, const Hash &leaf_hash, const std::vector<Hash> &proof,
					 const Hash &root, Sha256 &sha);

/*
 * The consistency proof between the trees of the first `first` and `second`
 * leaf hashes (RFC 9162 2.1.4.1): empty when first == second.
 * std::invalid_argument unless 0 < first <= second <= leaf_hashes.size().
 */
std::vector<Hash> ConsistencyProof(const std::vector<Hash> &leaf_hashes, uint64_t first, uint64_t second,
								   Sha256 &sha);

/*
 * RFC 9162 2.1.4.2. Refuses first > second, first == 0, and a proof that does
 * not consume the second size exactly (which would accept a proof built for
 * another size). Equal sizes need an empty proof and equal roots.
 */
bool VerifyConsistency(uint64_t first, uint64_t second, const Hash &first_root, const Hash &second_root,
					   const std::vector<Hash> &proof, Sha256 &sha);

/* MTH(D[begin:end]) of a tree whose leaves are not all at hand (tenant-audit export). */
using SubtreeRootFn = std::function<Hash(uint64_t begin, uint64_t end)>;

/*
 * The same proofs, asking root for each subtree they need; the same checks
 * on index and sizes, against size and second only.
 */
std::vector<Hash> InclusionProofOf(const SubtreeRootFn &root, uint64_t index, uint64_t size);
std::vector<Hash> ConsistencyProofOf(const SubtreeRootFn &root, uint64_t first, uint64_t second);

} // namespace tg::audit
