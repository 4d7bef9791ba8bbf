/*
 * audit_chain.h — the audit trail's hashes (pure C++, OpenSSL): the
 * canonical, versioned byte encoding of an event, RFC 9162 Merkle roots over
 * a block's events, and the block and pass hashes that chain them. The
 * encoding is specified in docs/audit.md so that an auditor can re-verify an
 * export without this code; the unit tests pin it byte for byte.
 */
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg::audit {

using Hash = std::array<unsigned char, 32>;

/* The first byte of every encoded event; a new field layout gets a new number. */
constexpr unsigned char kEventFormat = 1;
/* Domain-separation prefixes: Merkle leaf and node (RFC 9162), block, pass. */
constexpr unsigned char kLeafPrefix = 0x00;
constexpr unsigned char kNodePrefix = 0x01;
constexpr unsigned char kBlockPrefix = 0x02;
constexpr unsigned char kPassPrefix = 0x03;

/* One SHA-256 context, reused: hashing allocates nothing, once or a million times. */
class Sha256 {
public:
	/* Room for OpenSSL's SHA256_CTX (checked in audit_chain.cpp), so that this header needs no OpenSSL header. */
	struct State {
		alignas(8) unsigned char bytes[128];
	};

	Sha256() = default;
	Sha256(const Sha256 &) = delete;
	Sha256 &operator=(const Sha256 &) = delete;

	void Begin();
	void Update(std::string_view bytes);
	void Update(const Hash &hash) { Update(std::string_view(reinterpret_cast<const char *>(hash.data()), hash.size())); }
	void Update(unsigned char byte) { Update(std::string_view(reinterpret_cast<const char *>(&byte), 1)); }
	Hash Finish();

	Hash Of(std::string_view bytes)
	{
		Begin();
		Update(bytes);
		return Finish();
	}

private:
	State state_;
};

/*
 * Appends fields in the canonical form: a tag byte, then
 *   0x00 NULL                      (nothing follows)
 *   0x01 bytes   4-byte big-endian length, the bytes
 *   0x02 integer 8-byte big-endian two's complement
 *   0x03 list    4-byte big-endian count, then each element as a field
 */
class CanonicalWriter {
public:
	void Reset(unsigned char format)
	{
		out_.clear();
		out_.push_back(static_cast<char>(format));
	}
	void Null() { out_.push_back('\x00'); }
	void Bytes(std::string_view bytes);
	void Int(int64_t value);
	void List(uint32_t count);
	void MaybeBytes(const std::optional<std::string_view> &bytes)
	{
		if (bytes)
			Bytes(*bytes);
		else
			Null();
	}
	const std::string &bytes() const { return out_; }

private:
	void Be32(uint32_t value);
	std::string out_;
};

/* Everything about an event that its row_hash covers, in encoding order. */
struct EventFields {
	std::string_view chain_id;
	int64_t seq = 0;
	int64_t txid = 0;
	int64_t tx_ordinal = 0;
	int64_t occurred_at = 0; /* microseconds since 2000-01-01 00:00:00 UTC */
	std::string_view session_actor;
	std::string_view actor;
	std::string_view table_name;
	std::string_view operation;
	std::optional<std::string_view> tenant_id;
	std::optional<std::string_view> old_row; /* jsonb text, PostgreSQL's canonical output */
	std::optional<std::string_view> new_row;
	std::optional<std::vector<std::string_view>> changed_columns;
	std::optional<std::string_view> application_name;
	std::optional<std::string_view> client_addr;
};

/* The canonical bytes of an event (format kEventFormat), written into writer. */
void EncodeEvent(const EventFields &event, CanonicalWriter &writer);

/* row_hash = SHA-256 of the canonical bytes. */
Hash HashEvent(const EventFields &event, CanonicalWriter &writer, Sha256 &sha);

/*
 * RFC 9162 section 2.1.1 Merkle Tree Hash over leaves (each leaf's data is an
 * event's 32-byte row_hash): leaf = SHA-256(0x00 || data), node = SHA-256(0x01
 * || left || right), split at the largest power of two smaller than n. The
 * empty tree's hash is SHA-256 of the empty string.
 */
Hash MerkleRoot(const std::vector<Hash> &leaves, Sha256 &sha);

/* SHA-256(0x00 || leaf): a leaf's hash in the tree above. */
Hash LeafHash(const Hash &leaf, Sha256 &sha);

/* MerkleRoot for leaves already hashed with LeafHash (so that the leaf hashing can happen elsewhere). */
Hash MerkleRootOfLeafHashes(const std::vector<Hash> &leaf_hashes, Sha256 &sha);

/* A chain's block: binds its events (by their Merkle root) to the chain's previous block. */
struct BlockFields {
	std::string_view chain_id;
	int64_t block_no = 0;
	Hash prev_hash{}; /* all zero for a chain's first block */
	int64_t event_count = 0;
	Hash merkle_root{};
};
Hash HashBlock(const BlockFields &block, CanonicalWriter &writer, Sha256 &sha);

/* A sealing pass: binds every block it wrote (in the order given) to the previous pass. */
struct PassFields {
	int64_t pass_no = 0;
	Hash prev_hash{}; /* all zero for the first pass */
	int64_t low_watermark = 0;
	int64_t high_watermark = 0;
	std::vector<Hash> block_hashes;
};
Hash HashPass(const PassFields &pass, CanonicalWriter &writer, Sha256 &sha);

std::string ToHex(const Hash &hash);
/* nullopt unless exactly 32 bytes. */
std::optional<Hash> HashFromBytes(std::string_view bytes);

} // namespace tg::audit
