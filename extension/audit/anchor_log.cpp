#include "audit/anchor_log.h"

#include "common/merkle_proof.h"

extern "C" {
#include "utils/datetime.h"
}

#include <cstdio>
#include <unordered_map>

namespace tg::audit {

std::string DayText(int32_t day)
{
	int year = 0, month = 0, mday = 0;
	j2date(day + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
	char buf[32];
	std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, mday);
	return buf;
}

std::string HexOf(std::string_view bytes)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	out.reserve(bytes.size() * 2);
	for (unsigned char c : bytes) {
		out += digits[c >> 4];
		out += digits[c & 0xF];
	}
	return out;
}

namespace {

int Nibble(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

Hash HashFromHex(const std::string &hex)
{
	Hash out{};
	if (hex.size() != 64)
		throw Error(ERRCODE_DATA_CORRUPTED, "audit hash is not 32 bytes long", "A stored hash has " +
					std::to_string(hex.size() / 2) + " bytes.", "Run tenant_guard.verify_audit().");
	for (size_t i = 0; i < 32; i++)
		out[i] = static_cast<unsigned char>(Nibble(hex[2 * i]) << 4 | Nibble(hex[2 * i + 1]));
	return out;
}

int anchor_write_depth = 0;

} // namespace

AnchorWriteScope::AnchorWriteScope() { anchor_write_depth++; }
AnchorWriteScope::~AnchorWriteScope() { anchor_write_depth--; }
bool InAnchorWrite() { return anchor_write_depth > 0; }

Log ReadLog(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain)
{
	/* Hex through encode(): bytea_output must not matter. COLLATE "C": byte order, as the sealer wrote. */
	std::vector<SqlRow> rows = spi.Query(
		"SELECT u.seq, b.chain_id, pg_catalog.encode(e.row_hash, 'hex')"
		"  FROM tenant_guard.audit_blocks b"
		" CROSS JOIN LATERAL pg_catalog.unnest(b.event_seqs) WITH ORDINALITY AS u(seq, ord)"
		"  LEFT JOIN tenant_guard.audit_events e ON e.seq OPERATOR(pg_catalog.=) u.seq"
		" WHERE b.pass_no OPERATOR(pg_catalog.<=) $1::pg_catalog.int8"
		"   AND ($2::pg_catalog.text IS NULL OR b.chain_id OPERATOR(pg_catalog.=) $2::pg_catalog.text)"
		" ORDER BY b.pass_no, b.chain_id COLLATE \"C\", u.ord",
		{std::to_string(last_pass), chain});
	Log log;
	std::unordered_map<std::string, int> index;
	log.leaves.reserve(rows.size());
	for (const SqlRow &row : rows) {
		int64_t const seq = std::stoll(row[0].value_or("0"));
		const std::string &chain_id = *row[1];
		if (!row[2]) {
			if (!log.missing_seq) {
				log.missing_seq = seq;
				log.missing_chain = chain_id;
			}
			continue;
		}
		auto [it, inserted] = index.emplace(chain_id, static_cast<int>(log.chains.size()));
		if (inserted)
			log.chains.push_back(chain_id);
		log.leaves.push_back({seq, it->second, HashFromHex(*row[2])});
	}
	return log;
}

Log RequireLog(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain)
{
	Log log = ReadLog(spi, last_pass, chain);
	if (log.missing_seq)
		throw Error(ERRCODE_DATA_CORRUPTED,
					"audit event " + std::to_string(*log.missing_seq) + " of chain " + log.missing_chain +
						" is missing",
					"A block lists the event, but tenant_guard.audit_events no longer holds it, so "
					"no tree head over it can be computed.",
					"Run tenant_guard.verify_audit() to see every problem of the trail.");
	return log;
}

std::optional<ClosedDay> FindClosedDay(SpiSession &spi, int32_t day)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT last_pass, tree_size, pg_catalog.encode(tree_head, 'hex') FROM tenant_guard.audit_anchors"
		" WHERE day OPERATOR(pg_catalog.=) ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4)",
		{std::to_string(day)});
	if (rows.empty())
		return std::nullopt;
	ClosedDay out;
	out.last_pass = std::stoll(*rows[0][0]);
	out.tree_size = std::stoll(*rows[0][1]);
	out.tree_head = HashFromHex(*rows[0][2]);
	return out;
}

int64_t LastPassOfDay(SpiSession &spi, int32_t day)
{
	/* The day's end in UTC, whatever the session's TimeZone. */
	std::optional<std::string> last = spi.Value(
		"SELECT pg_catalog.max(pass_no) FROM tenant_guard.audit_passes"
		" WHERE sealed_at OPERATOR(pg_catalog.<) ((('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+)"
		" $1::pg_catalog.int4) OPERATOR(pg_catalog.+) 1)::pg_catalog.timestamp AT TIME ZONE 'UTC')",
		{std::to_string(day)});
	return last ? std::stoll(*last) : 0;
}

int64_t DayExtent(SpiSession &spi, int32_t day)
{
	std::optional<ClosedDay> closed = FindClosedDay(spi, day);
	return closed ? closed->last_pass : LastPassOfDay(spi, day);
}

Hash HeadOf(const Log &log, Sha256 &sha)
{
	MerkleAccumulator acc;
	for (const LogLeaf &leaf : log.leaves)
		acc.AddLeaf(leaf.row_hash, sha);
	return acc.Root(sha);
}

std::vector<Hash> LeafHashesOf(const Log &log, Sha256 &sha)
{
	std::vector<Hash> out;
	out.reserve(log.leaves.size());
	for (const LogLeaf &leaf : log.leaves)
		out.push_back(LeafHash(leaf.row_hash, sha));
	return out;
}

} // namespace tg::audit
