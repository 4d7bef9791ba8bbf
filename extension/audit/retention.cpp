/*
 * retention.cpp — tenant_guard.audit_prune(before, allow_unanchored): drops
 * whole monthly partitions of audit_events that end on or before `before`,
 * after recording a checkpoint that keeps the rest of the trail verifiable
 * (docs/audit-retention.md), in one transaction. And PrunedLog, which
 * verify_audit() uses to tell events pruned by policy from missing ones.
 *
 * What keeps pruning from hiding tampering or deleting recent events:
 *   - only months before the latest closed (and, unless allowed, RFC 3161
 *     time-stamped) day, and only if every event in them was sealed by the
 *     end of that day: the checkpoint's frontier is that day's tree, so every
 *     later head still extends the recorded one;
 *   - only when verify_audit() reports nothing else, and when the day's head
 *     recomputes to the recorded one: tampered events are never dropped;
 *   - the dropped seqs are recorded exactly (a multirange), and a checkpoint
 *     legitimises only those seqs in blocks of its own passes: a partition
 *     dropped any other way stays "event missing";
 *   - blocks and passes are kept: their hash chains still verify end to end.
 */
#include "audit/retention.h"

#include "audit/anchor_log.h"
#include "audit/audit_catalog.h"
#include "audit/event_partition.h"
#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_args.h"
#include "boundary/sql_text.h"

extern "C" {
#include "access/table.h"
#include "catalog/pg_class.h"
#include "funcapi.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <map>

namespace tg::audit {

namespace {

/* A stored hash as hex, zeros when it is no hash (a changed checkpoint then mismatches). */
Hash HashOfHex(const std::optional<std::string> &hex)
{
	return hex ? HashFromHex(*hex).value_or(Hash{}) : Hash{};
}

std::vector<std::string> Split(const std::string &text, char sep)
{
	std::vector<std::string> out;
	size_t start = 0;
	while (start < text.size()) {
		size_t const end = std::min(text.find(sep, start), text.size());
		out.push_back(text.substr(start, end - start));
		start = end + 1;
	}
	return out;
}

} // namespace

void PrunedLog::Load()
{
	SpiSession spi;
	if (!spi.Value("SELECT pg_catalog.to_regclass('tenant_guard.audit_checkpoint_chains')"))
		return;
	/* to_char: DateStyle and TimeZone must not change the details. */
	for (const SqlRow &r : spi.Query(
			 "SELECT c.checkpoint_no, pg_catalog.to_char(c.before_month, 'YYYY-MM-DD'),"
			 "       pg_catalog.to_char(c.day, 'YYYY-MM-DD'), c.last_pass,"
			 "       CASE WHEN c.anchor_serial IS NULL THEN 'not time-stamped'"
			 "            ELSE 'time-stamped ' OPERATOR(pg_catalog.||) c.anchor_gen_time"
			 "                 OPERATOR(pg_catalog.||) ' (serial ' OPERATOR(pg_catalog.||) c.anchor_serial"
			 "                 OPERATOR(pg_catalog.||) ')' END,"
			 "       pg_catalog.to_char(c.pruned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'),"
			 "       pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.lower(r) OPERATOR(pg_catalog.||) ':'"
			 "         OPERATOR(pg_catalog.||) pg_catalog.upper(r) FROM pg_catalog.unnest(c.pruned_seqs) AS r"
			 "         ORDER BY 1), ',')"
			 "  FROM tenant_guard.audit_checkpoints c ORDER BY c.checkpoint_no")) {
		Checkpoint c;
		c.checkpoint_no = std::stoll(*r[0]);
		c.before_month = *r[1];
		c.day = *r[2];
		c.last_pass = std::stoll(*r[3]);
		c.anchor = *r[4];
		c.pruned_at = *r[5];
		for (const std::string &range : Split(r[6].value_or(""), ',')) {
			size_t const colon = range.find(':');
			c.ranges.emplace_back(std::stoll(range.substr(0, colon)), std::stoll(range.substr(colon + 1)));
		}
		std::sort(c.ranges.begin(), c.ranges.end());
		checkpoints_.push_back(std::move(c));
	}
	for (const SqlRow &r : spi.Query(
			 "SELECT checkpoint_no, chain_id, last_block_no, pg_catalog.encode(last_block_hash, 'hex'),"
			 "       last_seq, events FROM tenant_guard.audit_checkpoint_chains")) {
		int64 const no = std::stoll(*r[0]);
		for (Checkpoint &c : checkpoints_)
			if (c.checkpoint_no == no) {
				CheckpointChain &h = c.chains[*r[1]];
				h.last_block_no = std::stoll(*r[2]);
				h.last_block_hash = HashOfHex(r[3]);
				h.last_seq = std::stoll(*r[4]);
				h.events = std::stoll(*r[5]);
			}
	}
}

CheckpointChain *PrunedLog::PrunedBy(const std::string &chain, int64 seq, int64 pass_no)
{
	for (Checkpoint &c : checkpoints_) {
		if (pass_no > c.last_pass)
			continue;
		auto it = std::upper_bound(c.ranges.begin(), c.ranges.end(), std::make_pair(seq, INT64_MAX));
		if (it == c.ranges.begin() || seq >= std::prev(it)->second)
			continue;
		auto h = c.chains.find(chain);
		return h == c.chains.end() ? nullptr : &h->second;
	}
	return nullptr;
}

namespace {

struct PrunedPartition {
	std::string name; /* schema-qualified, quoted */
	Oid relid;
	int64 events;
};

/* C-style: the leaves whose range ends at or before `before`, oldest first; returns their count. */
int EndedLeaves(Oid events, TimestampTz before, Oid *out, int max)
{
	Relation rel = table_open(events, AccessShareLock);
	PartitionDesc desc = RelationGetPartitionDesc(rel, true);
	PartitionBoundInfo bounds = desc->boundinfo;
	int n = 0;
	if (bounds != nullptr && bounds->strategy == PARTITION_STRATEGY_RANGE)
		for (int i = 0; i + 1 < bounds->ndatums && n < max; i++) {
			int const index = bounds->indexes[i + 1];
			if (index >= 0 && bounds->kind[i + 1][0] == PARTITION_RANGE_DATUM_VALUE &&
				DatumGetTimestampTz(bounds->datums[i + 1][0]) <= before)
				out[n++] = desc->oids[index];
		}
	table_close(rel, AccessShareLock);
	return n;
}

std::vector<PrunedPartition> Prunable(Oid events, DateADT before)
{
	int const max = 4096;
	std::vector<Oid> oids(max);
	TimestampTz const cut = static_cast<TimestampTz>(before) * USECS_PER_DAY;
	oids.resize(PgCall(EndedLeaves, events, cut, oids.data(), max));
	std::vector<PrunedPartition> out;
	for (Oid relid : oids) {
		const char *name = PgCall(get_rel_name, relid);
		out.push_back({"tenant_guard." + QuoteIdent(name), relid, 0});
	}
	return out;
}

std::string UnionOf(const std::vector<PrunedPartition> &parts, const std::string &columns)
{
	std::string sql;
	for (const PrunedPartition &p : parts)
		sql += (sql.empty() ? "" : " UNION ALL ") + ("SELECT " + columns + " FROM ONLY " + p.name);
	return sql;
}

MerkleAccumulator ResumeFrom(const std::string &size, const std::optional<std::string> &frontier)
{
	std::vector<Hash> peaks;
	for (const std::string &hex : Split(frontier.value_or(""), ','))
		peaks.push_back(HashOfHex(hex));
	return MerkleAccumulator::Resume(static_cast<uint64_t>(std::stoll(size)), std::move(peaks));
}

struct ClosedAnchor {
	DateADT day;
	int64 last_pass;
	int64 tree_size;
	Hash tree_head;
	std::optional<std::string> serial, gen_time;
};

ClosedAnchor LatestClosedDay(SpiSession &spi, DateADT before, bool allow_unanchored)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT a.day OPERATOR(pg_catalog.-) '2000-01-01'::pg_catalog.date, a.last_pass, a.tree_size,"
		"       pg_catalog.encode(a.tree_head, 'hex'), t.serial, t.gen_time"
		"  FROM tenant_guard.audit_anchors a"
		"  LEFT JOIN tenant_guard.audit_anchor_tokens t ON t.day OPERATOR(pg_catalog.=) a.day"
		" WHERE $1::pg_catalog.bool OR t.day IS NOT NULL"
		" ORDER BY a.day DESC LIMIT 1",
		{allow_unanchored ? "true" : "false"});
	std::string const month = DayText(before);
	if (rows.empty())
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"no closed and time-stamped audit day to prune the audit events before " + month + " up to",
					"A retention checkpoint records the tree head of a closed day and its RFC 3161 "
					"time-stamp; there is none yet.",
					"Close and anchor a day first (close_audit_day(), tenant-audit anchor), or pass "
					"allow_unanchored => true.");
	ClosedAnchor a{static_cast<DateADT>(std::stoi(*rows[0][0])), std::stoll(*rows[0][1]),
				   std::stoll(*rows[0][2]), HashOfHex(rows[0][3]), rows[0][4], rows[0][5]};
	if (before > a.day + 1)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"audit events before " + month + " are not all in a closed day",
					"The latest closed" + std::string(allow_unanchored ? "" : " and time-stamped") +
						" audit day is " + DayText(a.day) + "; only months that end by its end can be pruned.",
					"Prune up to the first of the month after " + DayText(a.day) +
						" at most, or close and anchor later days first.");
	return a;
}

void RequireIntact(SpiSession &spi)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT v.problem, COALESCE(v.chain_id, '-'), COALESCE(v.seq::pg_catalog.text, '-')"
		"  FROM tenant_guard.verify_audit() v"
		" WHERE v.problem OPERATOR(pg_catalog.<>) 'pruned by policy' LIMIT 1");
	if (!rows.empty())
		throw Error(ERRCODE_DATA_CORRUPTED, "the audit trail does not verify",
					"verify_audit() reports \"" + *rows[0][0] + "\" (chain " + *rows[0][1] + ", seq " +
						*rows[0][2] + "); pruning now could drop the evidence.",
					"Investigate every problem tenant_guard.verify_audit() reports; prune once it "
					"reports nothing else.");
}

void RequireSealedBy(SpiSession &spi, const std::vector<PrunedPartition> &parts, const ClosedAnchor &day)
{
	std::vector<SqlRow> rows = spi.Query(
		"WITH sealed AS MATERIALIZED (SELECT s FROM tenant_guard.audit_blocks b"
		"       CROSS JOIN LATERAL pg_catalog.unnest(b.event_seqs) AS s"
		"      WHERE b.pass_no OPERATOR(pg_catalog.<=) $1::pg_catalog.int8)"
		"SELECT e.seq, e.part FROM (" + UnionOf(parts, "seq, tableoid::pg_catalog.regclass::pg_catalog.text AS part") +
		") e WHERE NOT EXISTS (SELECT FROM sealed WHERE sealed.s OPERATOR(pg_catalog.=) e.seq) LIMIT 1",
		{std::to_string(day.last_pass)});
	if (!rows.empty())
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"audit event " + *rows[0][0] + " of " + *rows[0][1] + " is not in the log of " +
						DayText(day.day),
					"Only events sealed by the end of the closed day that the checkpoint records can be "
					"pruned; this one was sealed later, or not yet.",
					"Close (and anchor) a later day, then prune again.");
}

struct NewCheckpoint {
	int64 no;
	MerkleAccumulator tree;
	std::map<std::string, MerkleAccumulator> chains;
};

/* The frontiers at the day's end, from the previous checkpoint's on; the day's head must recompute. */
NewCheckpoint Frontiers(SpiSession &spi, const ClosedAnchor &day)
{
	Log const log = RequireLog(spi, day.last_pass, std::nullopt);
	Sha256 sha;
	if (HeadOf(log, sha) != day.tree_head || static_cast<int64>(log.size()) != day.tree_size)
		throw Error(ERRCODE_DATA_CORRUPTED, "the tree head of audit day " + DayText(day.day) + " changed",
					"The events sealed by the end of that day no longer give the head it was closed "
					"with.",
					"Run tenant_guard.verify_anchor() and tenant_guard.verify_audit() for that day.");
	NewCheckpoint out{0, log.base, {}};
	for (const SqlRow &r : spi.Query(
			 "SELECT chain_id, tree_size, pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.encode(f, 'hex')"
			 "       FROM pg_catalog.unnest(frontier) WITH ORDINALITY AS u(f, o) ORDER BY u.o), ',')"
			 "  FROM tenant_guard.audit_checkpoint_chains WHERE checkpoint_no OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
			 {std::to_string(log.base_checkpoint)}))
		out.chains[*r[0]] = ResumeFrom(*r[1], r[2]);
	for (const LogLeaf &leaf : log.leaves) {
		out.tree.AddLeaf(leaf.row_hash, sha);
		out.chains[log.chains[leaf.chain]].AddLeaf(leaf.row_hash, sha);
	}
	out.no = std::stoll(*spi.Value(
		"SELECT COALESCE(pg_catalog.max(checkpoint_no), 0) OPERATOR(pg_catalog.+) 1 FROM tenant_guard.audit_checkpoints"));
	return out;
}

void RecordCheckpoint(SpiSession &spi, const NewCheckpoint &cp, const ClosedAnchor &day, DateADT before,
					  const std::vector<PrunedPartition> &parts)
{
	std::string const all = UnionOf(parts, "seq, chain_id");
	std::vector<SqlRow> totals = spi.Query(
		"SELECT COALESCE(pg_catalog.range_agg(pg_catalog.int8range(seq, seq, '[]'))::pg_catalog.text, '{}'),"
		"       pg_catalog.count(*) FROM (" + all + ") e");
	std::string names;
	for (const PrunedPartition &p : parts)
		names += (names.empty() ? "" : ",") + p.name;
	AnchorWriteScope writing;
	spi.Execute(
		"INSERT INTO tenant_guard.audit_checkpoints (checkpoint_no, before_month, day, last_pass, tree_size,"
		"   tree_head, frontier, anchor_serial, anchor_gen_time, pruned_seqs, events, partitions, pruned_by, pruned_at)"
		" VALUES ($1::pg_catalog.int8, '2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $2::pg_catalog.int4,"
		"   '2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $3::pg_catalog.int4, $4::pg_catalog.int8,"
		"   $5::pg_catalog.int8, pg_catalog.decode($6, 'hex'),"
		"   ARRAY(SELECT pg_catalog.decode(u.x, 'hex') FROM pg_catalog.unnest(pg_catalog.string_to_array($7, ','))"
		"         WITH ORDINALITY AS u(x, o) ORDER BY u.o),"
		"   $8, $9, $10::pg_catalog.int8multirange, $11::pg_catalog.int8, pg_catalog.string_to_array($12, ','),"
		"   pg_catalog.session_user(), pg_catalog.clock_timestamp())",
		{std::to_string(cp.no), std::to_string(before), std::to_string(day.day), std::to_string(day.last_pass),
		 std::to_string(day.tree_size), ToHex(day.tree_head), HexList(cp.tree.peaks()), day.serial, day.gen_time,
		 *totals[0][0], *totals[0][1], names});
	/* Per chain: its last block within the day's log, and its own tree's frontier. */
	for (const auto &[chain, acc] : cp.chains)
		spi.Execute(
			"INSERT INTO tenant_guard.audit_checkpoint_chains (checkpoint_no, chain_id, last_block_no,"
			"   last_block_hash, last_seq, tree_size, frontier, events)"
			" SELECT $1::pg_catalog.int8, b.chain_id, b.block_no, b.block_hash,"
			"        b.event_seqs[pg_catalog.array_upper(b.event_seqs, 1)], $4::pg_catalog.int8,"
			"        ARRAY(SELECT pg_catalog.decode(u.x, 'hex') FROM pg_catalog.unnest(pg_catalog.string_to_array($5, ','))"
			"              WITH ORDINALITY AS u(x, o) ORDER BY u.o),"
			"        (SELECT pg_catalog.count(*) FROM (" + all + ") e WHERE e.chain_id OPERATOR(pg_catalog.=) b.chain_id)"
			"   FROM tenant_guard.audit_blocks b"
			"  WHERE b.chain_id OPERATOR(pg_catalog.=) $3 AND b.pass_no OPERATOR(pg_catalog.<=) $2::pg_catalog.int8"
			"  ORDER BY b.block_no DESC LIMIT 1",
			{std::to_string(cp.no), std::to_string(day.last_pass), chain, std::to_string(acc.size()),
			 HexList(acc.peaks())});
}

void DropPartitions(SpiSession &spi, std::vector<PrunedPartition> &parts)
{
	InternalDdlScope internal;
	for (PrunedPartition &p : parts) {
		p.events = std::stoll(*spi.Value("SELECT pg_catalog.count(*) FROM ONLY " + p.name));
		if (spi.Value("SELECT 1 FROM pg_catalog.pg_depend WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					  " AND objid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND deptype OPERATOR(pg_catalog.=) 'e'",
					  {std::to_string(p.relid)}))
			spi.Execute("ALTER EXTENSION tenant_guard DROP TABLE " + p.name);
		spi.Execute("ALTER TABLE tenant_guard.audit_events DETACH PARTITION " + p.name);
		spi.Execute("DROP TABLE " + p.name);
	}
}

struct PruneResult {
	int64 checkpoint_no = 0;
	std::vector<PrunedPartition> parts;
};

/*
 * With the append-only triggers off (session_replication_role = replica, or a
 * trigger disabled by its owner), the trail could be changed inside the very
 * transaction that records the checkpoint: refuse.
 */
void RequireAppendOnly(SpiSession &spi)
{
	if (spi.Value("SELECT pg_catalog.current_setting('session_replication_role')").value_or("") != "origin")
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"audit_prune() refuses to run with session_replication_role = " +
						spi.Value("SELECT pg_catalog.current_setting('session_replication_role')").value_or(""),
					"Triggers do not fire in that mode, so the audit trail's append-only triggers are "
					"bypassed while the checkpoint is recorded.",
					"RESET session_replication_role, then prune.");
	std::optional<std::string> disabled = spi.Value(
		"SELECT t.tgrelid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_trigger t"
		" WHERE t.tgname OPERATOR(pg_catalog.=) 'tenant_guard_append_only'"
		"   AND t.tgenabled OPERATOR(pg_catalog.<>) 'O'"
		"   AND t.tgrelid IN (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relnamespace"
		"       OPERATOR(pg_catalog.=) 'tenant_guard'::pg_catalog.regnamespace) LIMIT 1");
	if (disabled)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"the append-only trigger of " + *disabled + " is not enabled",
					"An audit table whose append-only trigger is disabled (or set to fire on replica "
					"or always) can be changed; pruning must not record a checkpoint over it.",
					"ALTER TABLE " + *disabled + " ENABLE TRIGGER tenant_guard_append_only, then prune.");
}

PruneResult Prune(SpiSession &spi, DateADT before, bool allow_unanchored)
{
	PruneResult result;
	RequireAppendOnly(spi);
	/*
	 * One prune or partition maker at a time (SHARE UPDATE EXCLUSIVE conflicts
	 * with itself, not with writers): a second prune then sees the first's
	 * checkpoint and partitions, instead of failing on them. ONLY the parent,
	 * as audit_create_partitions() locks it: that mode on a partition is
	 * VACUUM's, and a prune that waited for a VACUUM of a month that stays
	 * (an anti-wraparound one is never cancelled for it) would hold the
	 * parent meanwhile, and close_audit_day() would wait behind it.
	 */
	spi.Execute("LOCK TABLE ONLY tenant_guard.audit_events IN SHARE UPDATE EXCLUSIVE MODE");
	std::optional<std::string> const pruned_before = spi.Value(
		"SELECT pg_catalog.max(before_month) OPERATOR(pg_catalog.-) '2000-01-01'::pg_catalog.date"
		"  FROM tenant_guard.audit_checkpoints");
	if (pruned_before && before <= std::stoi(*pruned_before))
		throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
					"audit events before " + DayText(before) + " are already pruned",
					"The latest retention checkpoint pruned everything before " +
						DayText(std::stoi(*pruned_before)) + ".",
					"Pass a later month.");
	result.parts = Prunable(PgCall(RequireAuditRelid, "audit_events"), before);
	if (result.parts.empty())
		return result;
	/*
	 * Writers of these months (stragglers only) finish first; nobody writes to
	 * them afterwards. SHARE, not ACCESS EXCLUSIVE: the checks below (a whole
	 * verify_audit() among them) take seconds, and the sealer, which reads
	 * every partition in each pass, must go on sealing meanwhile. The DETACH
	 * at the end takes ACCESS EXCLUSIVE for the last moment.
	 */
	for (const PrunedPartition &p : result.parts)
		spi.Execute("LOCK TABLE " + p.name + " IN SHARE MODE");
	ClosedAnchor const day = LatestClosedDay(spi, before, allow_unanchored);
	std::optional<std::string> const last_day = spi.Value(
		"SELECT pg_catalog.max(day) OPERATOR(pg_catalog.-) '2000-01-01'::pg_catalog.date FROM tenant_guard.audit_checkpoints");
	if (last_day && day.day < std::stoi(*last_day))
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"audit day " + DayText(day.day) + " is before the latest retention checkpoint's day",
					"Retention checkpoint days only move forward; the latest is " + DayText(std::stoi(*last_day)) + ".",
					"Close and anchor a later day first.");
	RequireIntact(spi);
	RequireSealedBy(spi, result.parts, day);
	NewCheckpoint const cp = Frontiers(spi, day);
	RecordCheckpoint(spi, cp, day, before, result.parts);
	DropPartitions(spi, result.parts);
	result.checkpoint_no = cp.no;
	return result;
}

void RequireFirstOfMonth(DateADT before)
{
	int year = 0, month = 0, mday = 0;
	j2date(before + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
	if (mday != 1)
		throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "before must be the first day of a month, not " + DayText(before),
					"audit_events is pruned by whole UTC months (its partitions).",
					"Pass the first day of the month, e.g. date_trunc('month', now() - interval '2 years')::date.");
}

} // namespace

} // namespace tg::audit

/* tenant_guard.audit_prune(before date, allow_unanchored bool) RETURNS TABLE (checkpoint_no, partition, events) */
TG_FUNCTION(tg_audit_prune)
{
	DateADT const before = tg::audit::RequireDay(PG_GETARG_DATEADT(0), "before");
	bool const allow_unanchored = PG_GETARG_BOOL(1);
	tg::audit::RequireFirstOfMonth(before);
	tg::audit::PruneResult result;
	{
		tg::SpiSession spi;
		result = tg::audit::Prune(spi, before, allow_unanchored);
	}
	tg::PgCall(InitMaterializedSRF, fcinfo, static_cast<bits32>(0));
	auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	for (const tg::audit::PrunedPartition &p : result.parts) {
		Datum values[3] = {Int64GetDatum(result.checkpoint_no), tg::TextDatum(p.name), Int64GetDatum(p.events)};
		bool nulls[3] = {false, false, false};
		tg::PgCall([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls); });
	}
	return static_cast<Datum>(0);
}
