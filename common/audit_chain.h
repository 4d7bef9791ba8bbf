/*
 * audit_chain.h — the audit trail's hashes (pure C++, OpenSSL): the
 * canonical, versioned byte encoding of an event, RFC 9162 Merkle roots over
 * a block's events, and the block and pass hashes that chain them. The
 * encoding is specified in docs/audit.md so that an auditor can re-verify an
 * export without this code; the unit tests pin it byte for byte.
 */
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
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
		len_ = 0;
		*Room(1) = static_cast<char>(format);
	}
	void Null() { *Room(1) = '\x00'; }
	/* bytes must not point into this writer's own buffer: Room() may move it. */
	void Bytes(std::string_view bytes)
	{
		if (bytes.size() > UINT32_MAX)
			throw std::length_error("audit field longer than 4 GiB");
		char *p = Room(5 + bytes.size());
		p[0] = '\x01';
		Be32(p + 1, static_cast<uint32_t>(bytes.size()));
		if (!bytes.empty())
			memcpy(p + 5, bytes.data(), bytes.size());
	}
	void Int(int64_t value)
	{
		uint64_t const bits = static_cast<uint64_t>(value);
		char *p = Room(9);
		p[0] = '\x02';
		for (int i = 0; i < 8; i++)
			p[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
	}
	void List(uint32_t count)
	{
		char *p = Room(5);
		p[0] = '\x03';
		Be32(p + 1, count);
	}
	void MaybeBytes(const std::optional<std::string_view> &bytes)
	{
		if (bytes)
			Bytes(*bytes);
		else
			Null();
	}
	std::string_view bytes() const { return std::string_view(buf_.data(), len_); }

private:
	/*
	 * n more bytes at the end, to be filled in: the fields of a million
	 * events are appended here during one verify_audit(), so no append goes
	 * through std::string's out-of-line growth check.
	 */
	char *Room(size_t n)
	{
		if (len_ + n > buf_.size())
			buf_.resize(std::max(2 * buf_.size(), len_ + n + 256));
		char *p = &buf_[len_];
		len_ += n;
		return p;
	}
	static void Be32(char *p, uint32_t value)
	{
		p[0] = static_cast<char>(value >> 24);
		p[1] = static_cast<char>(value >> 16);
		p[2] = static_cast<char>(value >> 8);
		p[3] = static_cast<char>(value);
	}
	std::string buf_;
	size_t len_ = 0;
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
/* Hashes as comma-separated hex, in order ("" for none): frontiers and proof paths. */
std::string HexList(const std::vector<Hash> &hashes);
/* nullopt unless exactly 32 bytes. */
std::optional<Hash> HashFromBytes(std::string_view bytes);
/* nullopt unless exactly 64 hex digits (either case): what encode(hash, 'hex') gives. */
std::optional<Hash> HashFromHex(std::string_view hex);

} // namespace tg::audit
