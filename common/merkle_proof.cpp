#include "common/merkle_proof.h"

#include <stdexcept>

#include "common/pure_cpp.h"

namespace tg::audit {

Hash LeafHash(std::string_view data, Sha256 &sha)
{
	sha.Begin();
	sha.Update(kLeafPrefix);
	sha.Update(data);
	return sha.Finish();
}

Hash NodeHash(const Hash &left, const Hash &right, Sha256 &sha)
{
	sha.Begin();
	sha.Update(kNodePrefix);
	sha.Update(left);
	sha.Update(right);
	return sha.Finish();
}

void MerkleAccumulator::AddLeafHash(const Hash &leaf_hash, Sha256 &sha)
{
	/* Each trailing 1 bit of the old size is a perfect subtree that the new leaf completes. */
	Hash carry = leaf_hash;
	for (uint64_t s = size_; s & 1; s >>= 1) {
		carry = NodeHash(peaks_.back(), carry, sha);
		peaks_.pop_back();
	}
	peaks_.push_back(carry);
	size_++;
}

MerkleAccumulator MerkleAccumulator::Resume(uint64_t size, std::vector<Hash> peaks)
{
	if (static_cast<size_t>(__builtin_popcountll(size)) != peaks.size())
		throw std::invalid_argument("a frontier has one peak per 1 bit of the tree size");
	MerkleAccumulator acc;
	acc.size_ = size;
	acc.peaks_ = std::move(peaks);
	return acc;
}

Hash MerkleAccumulator::Root(Sha256 &sha) const
{
	if (peaks_.empty())
		return sha.Of({});
	/* The split at the largest power of two below n puts the big peaks on the left. */
	Hash root = peaks_.back();
	for (size_t i = peaks_.size() - 1; i-- > 0;)
		root = NodeHash(peaks_[i], root, sha);
	return root;
}

Hash SubtreeRoot(const std::vector<Hash> &leaf_hashes, uint64_t begin, uint64_t end, Sha256 &sha)
{
	MerkleAccumulator acc;
	for (uint64_t i = begin; i < end; i++)
		acc.AddLeafHash(leaf_hashes[i], sha);
	return acc.Root(sha);
}

namespace {

/* The largest power of two strictly smaller than n (n >= 2). */
uint64_t SplitPoint(uint64_t n)
{
	uint64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

/*
 * PATH(m, D[begin:end]) of RFC 9162 2.1.3.1, appended in leaf-to-root order;
 * root(b, e) is MTH(D[b:e]).
 */
template <typename RootFn>
void Path(const RootFn &root, uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash> &out)
{
	uint64_t const n = end - begin;
	if (n == 1)
		return;
	uint64_t const k = SplitPoint(n);
	if (m < k) {
		Path(root, m, begin, begin + k, out);
		out.push_back(root(begin + k, end));
	} else {
		Path(root, m - k, begin + k, end, out);
		out.push_back(root(begin, begin + k));
	}
}

/* SUBPROOF(m, D[begin:end], b) of RFC 9162 2.1.4.1. */
template <typename RootFn>
void Subproof(const RootFn &root, uint64_t m, uint64_t begin, uint64_t end, bool b, std::vector<Hash> &out)
{
	uint64_t const n = end - begin;
	if (m == n) {
		if (!b)
			out.push_back(root(begin, end));
		return;
	}
	uint64_t const k = SplitPoint(n);
	if (m <= k) {
		Subproof(root, m, begin, begin + k, b, out);
		out.push_back(root(begin + k, end));
	} else {
		Subproof(root, m - k, begin + k, end, false, out);
		out.push_back(root(begin, begin + k));
	}
}

} // namespace

std::vector<Hash> InclusionProof(const std::vector<Hash> &leaf_hashes, uint64_t index, uint64_t size,
								 Sha256 &sha)
{
	if (size > leaf_hashes.size() || index >= size)
		throw std::invalid_argument("inclusion proof needs index < size <= number of leaves");
	return InclusionProofOf([&](uint64_t b, uint64_t e) { return SubtreeRoot(leaf_hashes, b, e, sha); }, index, size);
}

bool VerifyInclusion(uint64_t index, uint64_t size, const Hash &leaf_hash, const std::vector<Hash> &proof,
					 const Hash &root, Sha256 &sha)
{
	if (index >= size)
		return false;
	uint64_t fn = index, sn = size - 1;
	Hash r = leaf_hash;
	for (const Hash &p : proof) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			r = NodeHash(p, r, sha);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			r = NodeHash(r, p, sha);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && r == root;
}

std::vector<Hash> ConsistencyProof(const std::vector<Hash> &leaf_hashes, uint64_t first, uint64_t second,
								   Sha256 &sha)
{
	if (first == 0 || first > second || second > leaf_hashes.size())
		throw std::invalid_argument("consistency proof needs 0 < first <= second <= number of leaves");
	return ConsistencyProofOf([&](uint64_t b, uint64_t e) { return SubtreeRoot(leaf_hashes, b, e, sha); }, first,
							  second);
}

bool VerifyConsistency(uint64_t first, uint64_t second, const Hash &first_root, const Hash &second_root,
					   const std::vector<Hash> &proof, Sha256 &sha)
{
	if (first == 0 || first > second)
		return false;
	if (first == second)
		return proof.empty() && first_root == second_root;
	if (proof.empty())
		return false;
	std::vector<Hash> path;
	if ((first & (first - 1)) == 0)
		path.push_back(first_root);
	path.insert(path.end(), proof.begin(), proof.end());
	uint64_t fn = first - 1, sn = second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	Hash fr = path[0], sr = path[0];
	for (size_t i = 1; i < path.size(); i++) {
		const Hash &c = path[i];
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			fr = NodeHash(c, fr, sha);
			sr = NodeHash(c, sr, sha);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			sr = NodeHash(sr, c, sha);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return fr == first_root && sr == second_root && sn == 0;
}

std::vector<Hash> InclusionProofOf(const SubtreeRootFn &root, uint64_t index, uint64_t size)
{
	if (index >= size)
		throw std::invalid_argument("inclusion proof needs index < size");
	std::vector<Hash> out;
	Path(root, index, 0, size, out);
	return out;
}

std::vector<Hash> ConsistencyProofOf(const SubtreeRootFn &root, uint64_t first, uint64_t second)
{
	if (first == 0 || first > second)
		throw std::invalid_argument("consistency proof needs 0 < first <= second");
	std::vector<Hash> out;
	if (first < second)
		Subproof(root, first, 0, second, true, out);
	return out;
}

} // namespace tg::audit
