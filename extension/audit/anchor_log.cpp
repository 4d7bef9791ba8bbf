#include "audit/anchor_log.h"

#include "common/merkle_proof.h"

extern "C" {
#include "utils/date.h"
#include "utils/datetime.h"
}

#include <algorithm>
#include <cstdio>
#include <stdexcept>
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

int32_t RequireDay(int32_t day, const char *argument)
{
	DateADT const first = DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE;
	DateADT const end = TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE;
	if (DATE_NOT_FINITE(day) || day < first || day >= end - 1)
		throw Error(ERRCODE_DATETIME_FIELD_OVERFLOW,
					std::string(argument) + " must be a finite date within timestamptz's range",
					"The audit days are UTC days whose end is a timestamptz.",
					"Pass a date such as the one an audit day has, for example current_date - 1.");
	return day;
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

/* A hash the anchoring tables hold as hex; anything else is an ERROR. */
Hash StoredHash(const std::string &hex)
{
	std::optional<Hash> const hash = HashFromHex(hex);
	if (!hash)
		throw Error(ERRCODE_DATA_CORRUPTED, "audit hash is not 32 bytes long", "A stored hash has " +
					std::to_string(hex.size() / 2) + " bytes.", "Run tenant_guard.verify_audit().");
	return *hash;
}

int anchor_write_depth = 0;

} // namespace

AnchorWriteScope::AnchorWriteScope() { anchor_write_depth++; }
AnchorWriteScope::~AnchorWriteScope() { anchor_write_depth--; }
bool InAnchorWrite() { return anchor_write_depth > 0; }

namespace {

Error BrokenFrontier(const std::string &what, const std::string &why)
{
	return Error(ERRCODE_DATA_CORRUPTED, what + " has a broken frontier", why,
				 "Compare it with a fresh recomputation: tenant_guard.verify_anchor() for a closed day, "
				 "tenant_guard.verify_audit() for a checkpoint.");
}

/*
 * The frontier of a tree of `size` leaves from FrontierHexOf()'s text; what
 * names its owner in the ERROR. Every element must be one 32-byte hash.
 */
MerkleAccumulator StoredFrontier(const std::string &size, const std::string &text, const std::string &what)
{
	std::vector<Hash> peaks;
	for (size_t at = 0; at < text.size();) {
		size_t const comma = std::min(text.find(',', at), text.size());
		std::optional<Hash> const peak = HashFromHex(text.substr(at, comma - at));
		if (!peak)
			throw BrokenFrontier(what, "Element " + std::to_string(peaks.size() + 1) +
										   " of its frontier is not a 32-byte hash.");
		peaks.push_back(*peak);
		at = comma + 1;
	}
	long long const leaves = std::stoll(size);
	std::string const mismatch = "Its frontier has " + std::to_string(peaks.size()) + " hashes for a tree of " +
								 size + " leaves, which needs one per 1 bit.";
	if (leaves < 0)
		throw BrokenFrontier(what, mismatch);
	try {
		return MerkleAccumulator::Resume(static_cast<uint64_t>(leaves), std::move(peaks));
	} catch (const std::invalid_argument &) {
		throw BrokenFrontier(what, mismatch);
	}
}

/*
 * A bytea[] expression as comma-separated hex, in array order (bytea_output
 * must not matter); a NULL element as "null", which no hash parses as.
 */
std::string FrontierHexOf(const std::string &array)
{
	return "pg_catalog.array_to_string(ARRAY(SELECT COALESCE(pg_catalog.encode(f, 'hex'), 'null')"
		   " FROM pg_catalog.unnest(" + array + ") WITH ORDINALITY AS u(f, o) ORDER BY u.o), ',')";
}

/* The frontier of the latest checkpoint at or before last_pass (for chain: that chain's). */
void ReadBase(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain, Log &log)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT c.checkpoint_no, c.last_pass, COALESCE(CASE WHEN $2::pg_catalog.text IS NULL THEN c.tree_size"
		"       ELSE h.tree_size END, 0), " +
			FrontierHexOf("CASE WHEN $2::pg_catalog.text IS NULL THEN c.frontier ELSE h.frontier END") +
			"  FROM tenant_guard.audit_checkpoints c"
			"  LEFT JOIN tenant_guard.audit_checkpoint_chains h ON h.checkpoint_no OPERATOR(pg_catalog.=) c.checkpoint_no"
			"       AND h.chain_id OPERATOR(pg_catalog.=) $2::pg_catalog.text"
			" WHERE c.last_pass OPERATOR(pg_catalog.<=) $1::pg_catalog.int8"
			" ORDER BY c.checkpoint_no DESC LIMIT 1",
		{std::to_string(last_pass), chain});
	if (rows.empty())
		return;
	log.base_checkpoint = std::stoll(*rows[0][0]);
	log.base_pass = std::stoll(*rows[0][1]);
	log.base = StoredFrontier(*rows[0][2], rows[0][3].value_or(""), "retention checkpoint " + *rows[0][0]);
}

/*
 * A closed day's recorded tree size must be what its blocks list: the
 * previous closed day's size plus the events of the blocks after its last
 * pass, up to this day's. The frontier's root is checked against the head,
 * which the time-stamp covers; size and last pass are not covered by it, and
 * a later close resumes from them. One day of blocks. (Whether last_pass is
 * the day's last pass cannot be checked from the passes alone: a pass stamped
 * before midnight may commit after the close, and then belongs to the next
 * day's log, docs/audit.md.)
 */
void RequireRecordedExtent(SpiSession &spi, int32_t day, int64_t last_pass, int64_t tree_size)
{
	std::vector<SqlRow> prev = spi.Query(
		"SELECT last_pass, tree_size FROM tenant_guard.audit_anchors"
		" WHERE day OPERATOR(pg_catalog.<) ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4)"
		" ORDER BY day DESC LIMIT 1",
		{std::to_string(day)});
	int64_t const from_pass = prev.empty() ? 0 : std::stoll(*prev[0][0]);
	int64_t const from_size = prev.empty() ? 0 : std::stoll(*prev[0][1]);
	int64_t const listed = std::stoll(
		spi.Value("SELECT COALESCE(pg_catalog.sum(pg_catalog.cardinality(event_seqs)), 0) FROM tenant_guard.audit_blocks"
				  " WHERE pass_no OPERATOR(pg_catalog.>) $1::pg_catalog.int8 AND pass_no OPERATOR(pg_catalog.<=) $2::pg_catalog.int8",
				  {std::to_string(from_pass), std::to_string(last_pass)})
			.value_or("0"));
	if (from_pass <= last_pass && from_size + listed == tree_size)
		return;
	throw Error(ERRCODE_DATA_CORRUPTED,
				"the extent recorded for audit day " + DayText(day) + " does not match its passes",
				"tenant_guard.audit_anchors records " + std::to_string(tree_size) + " events up to pass " +
					std::to_string(last_pass) + ", but the blocks up to that pass list " +
					std::to_string(from_size + listed) + " (" + std::to_string(from_size) +
					" up to the previous closed day's pass " + std::to_string(from_pass) +
					"). No later day can be closed on top of it.",
				"Run tenant_guard.verify_anchor('" + DayText(day) + "', ...) and tenant_guard.verify_audit().");
}

/*
 * The frontier of the latest day closed before `day` within last_pass, when
 * there is one; its root must be the head that day was closed with, and its
 * extent that of its passes.
 */
bool ReadClosedDayBase(SpiSession &spi, int32_t day, int64_t last_pass, Log &log)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT day OPERATOR(pg_catalog.-) '2000-01-01'::pg_catalog.date, last_pass, tree_size,"
		"       pg_catalog.encode(tree_head, 'hex'), " +
			FrontierHexOf("frontier") +
			"  FROM tenant_guard.audit_anchors"
			" WHERE day OPERATOR(pg_catalog.<) ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4)"
			"   AND last_pass OPERATOR(pg_catalog.<=) $2::pg_catalog.int8"
			" ORDER BY day DESC LIMIT 1",
		{std::to_string(day), std::to_string(last_pass)});
	if (rows.empty())
		return false;
	int32_t const closed_day = static_cast<int32_t>(std::stol(*rows[0][0]));
	std::string const closed = "audit day " + DayText(closed_day);
	MerkleAccumulator base = StoredFrontier(*rows[0][2], rows[0][4].value_or(""), closed);
	Sha256 sha;
	if (base.Root(sha) != StoredHash(*rows[0][3]))
		throw Error(ERRCODE_DATA_CORRUPTED, "the frontier recorded for " + closed + " does not give its tree head",
					"tenant_guard.audit_anchors holds a frontier whose root is not the head the day was "
					"closed with, so no later day can be closed on top of it.",
					"Run tenant_guard.verify_anchor('" + DayText(closed_day) + "', ...) and tenant_guard.verify_audit().");
	RequireRecordedExtent(spi, closed_day, std::stoll(*rows[0][1]), std::stoll(*rows[0][2]));
	log.base = std::move(base);
	log.base_pass = std::stoll(*rows[0][1]);
	log.base_checkpoint = 0;
	return true;
}

/* The leaves of the passes after log.base_pass up to last_pass. */
void ReadLeaves(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain, Log &log)
{
	/* Hex through encode(): bytea_output must not matter. COLLATE "C": byte order, as the sealer wrote. */
	std::vector<SqlRow> rows = spi.Query(
		"SELECT u.seq, b.chain_id, pg_catalog.encode(e.row_hash, 'hex')"
		"  FROM tenant_guard.audit_blocks b"
		" CROSS JOIN LATERAL pg_catalog.unnest(b.event_seqs) WITH ORDINALITY AS u(seq, ord)"
		"  LEFT JOIN tenant_guard.audit_events e ON e.seq OPERATOR(pg_catalog.=) u.seq"
		" WHERE b.pass_no OPERATOR(pg_catalog.<=) $1::pg_catalog.int8"
		"   AND b.pass_no OPERATOR(pg_catalog.>) $3::pg_catalog.int8"
		"   AND ($2::pg_catalog.text IS NULL OR b.chain_id OPERATOR(pg_catalog.=) $2::pg_catalog.text)"
		" ORDER BY b.pass_no, b.chain_id COLLATE \"C\", u.ord",
		{std::to_string(last_pass), chain, std::to_string(log.base_pass)});
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
		log.leaves.push_back({seq, it->second, StoredHash(*row[2])});
	}
	if (log.missing_seq)
		log.missing_pruned_by = std::stoll(
			spi.Value("SELECT pg_catalog.min(checkpoint_no) FROM tenant_guard.audit_checkpoints"
					  " WHERE pruned_seqs OPERATOR(pg_catalog.@>) $1::pg_catalog.int8",
					  {std::to_string(*log.missing_seq)})
				.value_or("0"));
}

void RequireComplete(const Log &log)
{
	if (log.missing_seq && log.missing_pruned_by > 0)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"audit event " + std::to_string(*log.missing_seq) + " of chain " + log.missing_chain +
						" was pruned by retention checkpoint " + std::to_string(log.missing_pruned_by),
					"tenant_guard.audit_prune() dropped the events of that log and kept only the tree "
					"frontier of a later closed day, so no head of an earlier extent can be recomputed; "
					"the heads recorded in tenant_guard.audit_anchors stay.",
					"Use the recorded head, or the export taken before pruning (tenant-audit export).");
	if (log.missing_seq)
		throw Error(ERRCODE_DATA_CORRUPTED,
					"audit event " + std::to_string(*log.missing_seq) + " of chain " + log.missing_chain +
						" is missing",
					"A block lists the event, but tenant_guard.audit_events no longer holds it, so "
					"no tree head over it can be computed.",
					"Run tenant_guard.verify_audit() to see every problem of the trail.");
}

} // namespace

Log ReadLog(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain)
{
	Log log;
	ReadBase(spi, last_pass, chain, log);
	ReadLeaves(spi, last_pass, chain, log);
	return log;
}

Log RequireLogAfterClosedDay(SpiSession &spi, int32_t day, int64_t last_pass)
{
	Log log;
	if (!ReadClosedDayBase(spi, day, last_pass, log))
		ReadBase(spi, last_pass, std::nullopt, log);
	ReadLeaves(spi, last_pass, std::nullopt, log);
	RequireComplete(log);
	return log;
}

Log RequireLog(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain)
{
	Log log = ReadLog(spi, last_pass, chain);
	RequireComplete(log);
	return log;
}

std::optional<ClosedDay> FindClosedDay(SpiSession &spi, int32_t day)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT last_pass, tree_size, pg_catalog.encode(tree_head, 'hex'), " + FrontierHexOf("frontier") +
			" FROM tenant_guard.audit_anchors"
		" WHERE day OPERATOR(pg_catalog.=) ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4)",
		{std::to_string(day)});
	if (rows.empty())
		return std::nullopt;
	ClosedDay out;
	out.last_pass = std::stoll(*rows[0][0]);
	out.tree_size = std::stoll(*rows[0][1]);
	out.tree_head = StoredHash(*rows[0][2]);
	out.frontier = rows[0][3].value_or("");
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

MerkleAccumulator TreeOf(const Log &log, Sha256 &sha)
{
	MerkleAccumulator acc = log.base;
	for (const LogLeaf &leaf : log.leaves)
		acc.AddLeaf(leaf.row_hash, sha);
	return acc;
}

Hash HeadOf(const Log &log, Sha256 &sha) { return TreeOf(log, sha).Root(sha); }

std::vector<Hash> LeafHashesOf(const Log &log, Sha256 &sha)
{
	if (log.base.size() > 0)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"the audit log before retention checkpoint " + std::to_string(log.base_checkpoint) +
						" was pruned",
					"A proof needs the leaves of the whole tree; tenant_guard.audit_prune() kept only "
					"the frontier of the first " + std::to_string(log.base.size()) + " leaves.",
					"Prove against the export taken before pruning (tenant-audit export), which holds "
					"those events.");
	std::vector<Hash> out;
	out.reserve(log.leaves.size());
	for (const LogLeaf &leaf : log.leaves)
		out.push_back(LeafHash(leaf.row_hash, sha));
	return out;
}

} // namespace tg::audit
