#include "common/audit_chain.h"

/*
 * The low-level SHA-256 calls, deprecated in OpenSSL 3 but kept through 3.x:
 * with OpenSSL 3.0 every EVP_DigestInit_ex frees and reallocates the
 * provider's context, about 100 ns per hash (280 ns against 170 ns for a
 * 65-byte Merkle node, measured here), and verifying an export computes four
 * hashes per event. Same SHA-NI code underneath, no allocation at all.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>
#include <new>
#include <stdexcept>

#include "common/pure_cpp.h"

namespace tg::audit {

static_assert(sizeof(SHA256_CTX) <= sizeof(Sha256::State), "Sha256::State too small for SHA256_CTX");
static_assert(alignof(SHA256_CTX) <= alignof(Sha256::State), "Sha256::State misaligned for SHA256_CTX");

static SHA256_CTX *Ctx(Sha256::State &state)
{
	return reinterpret_cast<SHA256_CTX *>(&state);
}

void Sha256::Begin()
{
	if (SHA256_Init(Ctx(state_)) != 1)
		throw std::runtime_error("SHA-256 initialisation failed");
}

void Sha256::Update(std::string_view bytes)
{
	if (SHA256_Update(Ctx(state_), bytes.data(), bytes.size()) != 1)
		throw std::runtime_error("SHA-256 update failed");
}

Hash Sha256::Finish()
{
	Hash out{};
	if (SHA256_Final(out.data(), Ctx(state_)) != 1)
		throw std::runtime_error("SHA-256 finalisation failed");
	return out;
}

void EncodeEvent(const EventFields &e, CanonicalWriter &w)
{
	w.Reset(kEventFormat);
	w.Bytes(e.chain_id);
	w.Int(e.seq);
	w.Int(e.txid);
	w.Int(e.tx_ordinal);
	w.Int(e.occurred_at);
	w.Bytes(e.session_actor);
	w.Bytes(e.actor);
	w.Bytes(e.table_name);
	w.Bytes(e.operation);
	w.MaybeBytes(e.tenant_id);
	w.MaybeBytes(e.old_row);
	w.MaybeBytes(e.new_row);
	if (e.changed_columns) {
		w.List(static_cast<uint32_t>(e.changed_columns->size()));
		for (std::string_view column : *e.changed_columns)
			w.Bytes(column);
	} else {
		w.Null();
	}
	w.MaybeBytes(e.application_name);
	w.MaybeBytes(e.client_addr);
}

Hash HashEvent(const EventFields &event, CanonicalWriter &writer, Sha256 &sha)
{
	EncodeEvent(event, writer);
	return sha.Of(writer.bytes());
}

namespace {

Hash Node(const Hash &left, const Hash &right, Sha256 &sha)
{
	/* One contiguous input: a million nodes per million events, so the calls count. */
	char bytes[1 + 2 * sizeof(Hash)];
	bytes[0] = static_cast<char>(kNodePrefix);
	memcpy(bytes + 1, left.data(), left.size());
	memcpy(bytes + 1 + left.size(), right.data(), right.size());
	return sha.Of(std::string_view(bytes, sizeof(bytes)));
}

/* MTH over leaf_hashes[begin, end), end - begin >= 1. */
Hash Subtree(const std::vector<Hash> &leaf_hashes, size_t begin, size_t end, Sha256 &sha)
{
	size_t const n = end - begin;
	if (n == 1)
		return leaf_hashes[begin];
	size_t k = 1;
	while (k * 2 < n)
		k *= 2;
	Hash const left = Subtree(leaf_hashes, begin, begin + k, sha);
	Hash const right = Subtree(leaf_hashes, begin + k, end, sha);
	return Node(left, right, sha);
}

} // namespace

Hash LeafHash(const Hash &leaf, Sha256 &sha)
{
	char bytes[1 + sizeof(Hash)];
	bytes[0] = static_cast<char>(kLeafPrefix);
	memcpy(bytes + 1, leaf.data(), leaf.size());
	return sha.Of(std::string_view(bytes, sizeof(bytes)));
}

Hash MerkleRoot(const std::vector<Hash> &leaves, Sha256 &sha)
{
	std::vector<Hash> leaf_hashes;
	leaf_hashes.reserve(leaves.size());
	for (const Hash &leaf : leaves)
		leaf_hashes.push_back(LeafHash(leaf, sha));
	return MerkleRootOfLeafHashes(leaf_hashes, sha);
}

Hash MerkleRootOfLeafHashes(const std::vector<Hash> &leaf_hashes, Sha256 &sha)
{
	if (leaf_hashes.empty())
		return sha.Of({});
	return Subtree(leaf_hashes, 0, leaf_hashes.size(), sha);
}

static std::string_view View(const Hash &hash)
{
	return std::string_view(reinterpret_cast<const char *>(hash.data()), hash.size());
}

Hash HashBlock(const BlockFields &b, CanonicalWriter &w, Sha256 &sha)
{
	w.Reset(kBlockPrefix);
	w.Bytes(b.chain_id);
	w.Int(b.block_no);
	w.Bytes(View(b.prev_hash));
	w.Int(b.event_count);
	w.Bytes(View(b.merkle_root));
	return sha.Of(w.bytes());
}

Hash HashPass(const PassFields &p, CanonicalWriter &w, Sha256 &sha)
{
	w.Reset(kPassPrefix);
	w.Int(p.pass_no);
	w.Bytes(View(p.prev_hash));
	w.Int(p.low_watermark);
	w.Int(p.high_watermark);
	w.List(static_cast<uint32_t>(p.block_hashes.size()));
	for (const Hash &h : p.block_hashes)
		w.Bytes(View(h));
	return sha.Of(w.bytes());
}

std::string ToHex(const Hash &hash)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	out.reserve(64);
	for (unsigned char c : hash) {
		out += digits[c >> 4];
		out += digits[c & 0xF];
	}
	return out;
}

std::string HexList(const std::vector<Hash> &hashes)
{
	std::string out;
	for (const Hash &h : hashes)
		out += (out.empty() ? "" : ",") + ToHex(h);
	return out;
}

std::optional<Hash> HashFromBytes(std::string_view bytes)
{
	if (bytes.size() != 32)
		return std::nullopt;
	Hash out{};
	std::memcpy(out.data(), bytes.data(), out.size());
	return out;
}

std::optional<Hash> HashFromHex(std::string_view hex)
{
	auto nibble = [](char c) {
		return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
											  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
	};
	if (hex.size() != 64)
		return std::nullopt;
	Hash out{};
	for (size_t i = 0; i < out.size(); i++) {
		int const high = nibble(hex[2 * i]);
		int const low = nibble(hex[2 * i + 1]);
		if (high < 0 || low < 0)
			return std::nullopt;
		out[i] = static_cast<unsigned char>(high << 4 | low);
	}
	return out;
}

} // namespace tg::audit
