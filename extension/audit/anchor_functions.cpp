/*
 * anchor_functions.cpp — the SQL functions of the anchoring section:
 * close_audit_day(), audit_root(), audit_proof(), audit_consistency(),
 * anchor_request(), anchor_store(), verify_anchor(), and the append-only
 * trigger of the anchor tables. The hashing and RFC 3161 work is pure C++
 * in common/ (merkle_proof.h, rfc3161.h), shared with tenant-audit.
 */
#include "audit/anchor_log.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_text.h"
#include "common/merkle_proof.h"
#include "common/rfc3161.h"
#include "guc.h"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace tg::audit {

namespace {

std::string DayParam(int32_t day) { return std::to_string(day); }

std::string Bytes(const Hash &h) { return std::string(reinterpret_cast<const char *>(h.data()), h.size()); }

Datum ByteaDatum(std::string_view bytes)
{
	return PgCall([bytes] {
		bytea *out = static_cast<bytea *>(palloc(VARHDRSZ + bytes.size()));
		SET_VARSIZE(out, VARHDRSZ + bytes.size());
		memcpy(VARDATA(out), bytes.data(), bytes.size());
		return PointerGetDatum(out);
	});
}

Datum ByteaArrayDatum(const std::vector<Hash> &hashes)
{
	std::vector<Datum> elems;
	for (const Hash &h : hashes)
		elems.push_back(ByteaDatum(Bytes(h)));
	Datum *data = elems.data();
	int const n = static_cast<int>(elems.size());
	return PgCall([data, n] { return PointerGetDatum(construct_array(data, n, BYTEAOID, -1, false, TYPALIGN_INT)); });
}

std::string ByteaArg(FunctionCallInfo fcinfo, int arg)
{
	bytea *b = PgCall([fcinfo, arg] { return PG_GETARG_BYTEA_PP(arg); });
	return std::string(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

std::string TextArg(FunctionCallInfo fcinfo, int arg)
{
	return PgCall([fcinfo, arg] { return text_to_cstring(PG_GETARG_TEXT_PP(arg)); });
}

Error NotClosed(int32_t day)
{
	return Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "audit day " + DayText(day) + " is not closed",
				 "Only a closed day has a tree head that never changes, and only that head is anchored.",
				 "Run SELECT tenant_guard.close_audit_day('" + DayText(day) + "') first.");
}

ClosedDay RequireClosed(SpiSession &spi, int32_t day)
{
	std::optional<ClosedDay> closed = FindClosedDay(spi, day);
	if (!closed)
		throw NotClosed(day);
	return *closed;
}

bool IsAnchored(SpiSession &spi, int32_t day)
{
	return spi.Value("SELECT 1 FROM tenant_guard.audit_anchor_tokens WHERE day OPERATOR(pg_catalog.=)"
					 " ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4)",
					 {DayParam(day)})
		.has_value();
}

/* One row into the function's materialized result set. */
void PutRow(FunctionCallInfo fcinfo, std::vector<Datum> values, std::vector<bool> nulls)
{
	auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	Datum *v = values.data();
	std::unique_ptr<bool[]> n(new bool[nulls.size()]);
	std::copy(nulls.begin(), nulls.end(), n.get());
	bool *np = n.get();
	PgCall([rsinfo, v, np] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, np); });
}

Datum TextDatum(const std::string &s)
{
	const char *c = s.c_str();
	return PgCall([c] { return CStringGetTextDatum(c); });
}

Hash CloseDay(int32_t day)
{
	SpiSession spi;
	/* One closer at a time: the second finds the first one's row. */
	spi.Execute("LOCK TABLE tenant_guard.audit_anchors IN SHARE ROW EXCLUSIVE MODE");
	/* The daily job also keeps audit_events' months ahead (docs/audit-retention.md). */
	spi.Value("SELECT pg_catalog.count(*) FROM tenant_guard.audit_create_partitions()");
	if (std::optional<ClosedDay> closed = FindClosedDay(spi, day))
		return closed->tree_head;
	/*
	 * A pass stamps sealed_at when it inserts, and commits a moment later: wait
	 * audit_seal_deadline past midnight, so that every pass stamped before it has
	 * committed and the set of passes of the day is final.
	 */
	bool const over = SqlBool(spi.Value(
		"SELECT pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>=) (((('2000-01-01'::pg_catalog.date"
		" OPERATOR(pg_catalog.+) $1::pg_catalog.int4) OPERATOR(pg_catalog.+) 1)::pg_catalog.timestamp"
		" AT TIME ZONE 'UTC') OPERATOR(pg_catalog.+) ($2::pg_catalog.int4 OPERATOR(pg_catalog.*)"
		" '1 millisecond'::pg_catalog.interval))",
		{DayParam(day), std::to_string(tg_audit_seal_deadline)}));
	if (!over)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "audit day " + DayText(day) + " is not over",
					"A day can be closed once tenant_guard.audit_seal_deadline has passed after its end "
					"(midnight UTC), when no sealing pass of that day can still commit.",
					"Close it later, e.g. from a pg_cron job a few minutes after midnight UTC.");
	int64_t const last_pass = LastPassOfDay(spi, day);
	Log const log = RequireLogAfterClosedDay(spi, day, last_pass);
	Sha256 sha;
	MerkleAccumulator const tree = TreeOf(log, sha);
	Hash const head = tree.Root(sha);
	AnchorWriteScope writing;
	spi.Execute("INSERT INTO tenant_guard.audit_anchors (day, last_pass, tree_size, tree_head, frontier, closed_at)"
				" VALUES ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4,"
				" $2::pg_catalog.int8, $3::pg_catalog.int8, pg_catalog.decode($4, 'hex'),"
				" ARRAY(SELECT pg_catalog.decode(u.x, 'hex') FROM pg_catalog.unnest(pg_catalog.string_to_array($5, ','))"
				"       WITH ORDINALITY AS u(x, o) ORDER BY u.o),"
				" pg_catalog.clock_timestamp())",
				{DayParam(day), std::to_string(last_pass), std::to_string(tree.size()), ToHex(head),
				 HexList(tree.peaks())});
	return head;
}

int32_t SealingDayOf(SpiSession &spi, const std::string &chain, int64_t seq)
{
	std::optional<std::string> day = spi.Value(
		"SELECT (p.sealed_at AT TIME ZONE 'UTC')::pg_catalog.date OPERATOR(pg_catalog.-) '2000-01-01'::pg_catalog.date"
		"  FROM tenant_guard.audit_blocks b JOIN tenant_guard.audit_passes p"
		"    ON p.pass_no OPERATOR(pg_catalog.=) b.pass_no"
		" WHERE b.chain_id OPERATOR(pg_catalog.=) $1 AND $2::pg_catalog.int8 OPERATOR(pg_catalog.=) ANY (b.event_seqs)",
		{chain, std::to_string(seq)});
	if (!day)
		throw Error(ERRCODE_NO_DATA_FOUND,
					"audit event " + std::to_string(seq) + " of chain " + chain + " is not sealed",
					"No block of that chain lists the event: it does not exist, belongs to another chain, "
					"or the sealing worker has not sealed it yet.",
					"Check the chain and seq in tenant_guard.audit_events, or retry in a second.");
	return static_cast<int32_t>(std::stol(*day));
}

} // namespace
} // namespace tg::audit

using namespace tg::audit;
using AuditHash = tg::audit::Hash;

/* tenant_guard.close_audit_day(day date) RETURNS bytea: the day's tree head, recorded once. */
TG_FUNCTION(tg_close_audit_day)
{
	int32_t const day = tg::audit::RequireDay(PG_GETARG_DATEADT(0), "day");
	return ByteaDatum(Bytes(CloseDay(day)));
}

/* tenant_guard.audit_root(day date, chain_id text DEFAULT NULL) RETURNS bytea */
TG_FUNCTION(tg_audit_root)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	int32_t const day = tg::audit::RequireDay(PG_GETARG_DATEADT(0), "day");
	std::optional<std::string> chain;
	if (!PG_ARGISNULL(1))
		chain = TextArg(fcinfo, 1);
	tg::SpiSession spi;
	Log const log = RequireLog(spi, DayExtent(spi, day), chain);
	tg::audit::Sha256 sha;
	return ByteaDatum(Bytes(HeadOf(log, sha)));
}

/* tenant_guard.audit_proof(chain_id, seq, day DEFAULT NULL): inclusion of one event in a day's head. */
TG_FUNCTION(tg_audit_proof)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "chain_id and seq must not be NULL", "",
						"Name the event by its chain_id and seq in tenant_guard.audit_events.");
	std::string const chain = TextArg(fcinfo, 0);
	int64_t const seq = PG_GETARG_INT64(1);
	tg::SpiSession spi;
	int32_t const day = PG_ARGISNULL(2) ? SealingDayOf(spi, chain, seq) : RequireDay(PG_GETARG_DATEADT(2), "day");
	Log const log = RequireLog(spi, DayExtent(spi, day), std::nullopt);
	tg::audit::Sha256 sha;
	std::vector<AuditHash> const leaf_hashes = LeafHashesOf(log, sha);
	auto it = std::find_if(log.leaves.begin(), log.leaves.end(), [&](const LogLeaf &l) {
		return l.seq == seq && log.chains[l.chain] == chain;
	});
	if (it == log.leaves.end())
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
						"audit event " + std::to_string(seq) + " of chain " + chain + " is not in the log of " +
							DayText(day),
						"The log of a day holds the events sealed before its end (UTC); this event was "
						"sealed later, or is not in that chain.",
						"Ask for the proof against a later day, or leave day NULL for the event's own day.");
	uint64_t const index = static_cast<uint64_t>(it - log.leaves.begin());
	std::vector<AuditHash> const path = InclusionProof(leaf_hashes, index, leaf_hashes.size(), sha);
	AuditHash const head = SubtreeRoot(leaf_hashes, 0, leaf_hashes.size(), sha);
	tg::PgCall(InitMaterializedSRF, fcinfo, static_cast<bits32>(0));
	PutRow(fcinfo,
		   {DateADTGetDatum(day), Int64GetDatum(static_cast<int64>(leaf_hashes.size())),
			Int64GetDatum(static_cast<int64>(index)), ByteaDatum(Bytes(it->row_hash)), ByteaDatum(Bytes(head)),
			ByteaArrayDatum(path)},
		   {false, false, false, false, false, false});
	return static_cast<Datum>(0);
}

/* tenant_guard.audit_consistency(from_day, to_day): the older day's log is a prefix of the newer one's. */
TG_FUNCTION(tg_audit_consistency)
{
	int32_t const from = tg::audit::RequireDay(PG_GETARG_DATEADT(0), "from_day");
	int32_t const to = tg::audit::RequireDay(PG_GETARG_DATEADT(1), "to_day");
	if (from > to)
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
						"from_day " + DayText(from) + " is later than to_day " + DayText(to),
						"A consistency proof shows that an older tree head is a prefix of a newer one.",
						"Swap the two days.");
	tg::SpiSession spi;
	int64_t const first_pass = DayExtent(spi, from), second_pass = DayExtent(spi, to);
	Log const first_log = RequireLog(spi, first_pass, std::nullopt);
	Log const log = RequireLog(spi, second_pass, std::nullopt);
	tg::audit::Sha256 sha;
	std::vector<AuditHash> const leaf_hashes = LeafHashesOf(log, sha);
	uint64_t const first = first_log.size(), second = log.size();
	if (first == 0)
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "the audit log of " + DayText(from) + " is empty",
						"RFC 9162 defines consistency proofs from a non-empty tree only; every tree is an "
						"extension of the empty one.",
						"Start from the first day with sealed events.");
	std::vector<AuditHash> const path = ConsistencyProof(leaf_hashes, first, second, sha);
	AuditHash const first_head = HeadOf(first_log, sha);
	AuditHash const second_head = SubtreeRoot(leaf_hashes, 0, second, sha);
	tg::PgCall(InitMaterializedSRF, fcinfo, static_cast<bits32>(0));
	PutRow(fcinfo,
		   {Int64GetDatum(static_cast<int64>(first)), Int64GetDatum(static_cast<int64>(second)),
			ByteaDatum(Bytes(first_head)), ByteaDatum(Bytes(second_head)), ByteaArrayDatum(path)},
		   {false, false, false, false, false});
	return static_cast<Datum>(0);
}

/* tenant_guard.anchor_request(day date) RETURNS bytea: a DER TimeStampReq over the closed day's head. */
TG_FUNCTION(tg_anchor_request)
{
	int32_t const day = tg::audit::RequireDay(PG_GETARG_DATEADT(0), "day");
	tg::SpiSession spi;
	ClosedDay const closed = RequireClosed(spi, day);
	if (IsAnchored(spi, day))
		throw tg::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "audit day " + DayText(day) + " is already anchored",
						"tenant_guard.audit_anchor_tokens holds its time-stamp token; a day is anchored once.",
						"Check it with tenant_guard.verify_anchor().");
	int64_t const nonce = tsp::RandomNonce();
	std::string const request = tsp::BuildRequest(closed.tree_head, nonce);
	AnchorWriteScope writing;
	spi.Execute("INSERT INTO tenant_guard.audit_anchor_requests (day, nonce, requested_at)"
				" VALUES ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4,"
				" $2::pg_catalog.int8, pg_catalog.clock_timestamp())",
				{DayParam(day), std::to_string(nonce)});
	return ByteaDatum(request);
}

/* tenant_guard.anchor_store(day date, response bytea) RETURNS text: the token's genTime. */
TG_FUNCTION(tg_anchor_store)
{
	int32_t const day = tg::audit::RequireDay(PG_GETARG_DATEADT(0), "day");
	std::string const response = ByteaArg(fcinfo, 1);
	tg::SpiSession spi;
	spi.Execute("LOCK TABLE tenant_guard.audit_anchor_tokens IN SHARE ROW EXCLUSIVE MODE");
	ClosedDay const closed = RequireClosed(spi, day);
	if (IsAnchored(spi, day))
		throw tg::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "audit day " + DayText(day) + " is already anchored",
						"tenant_guard.audit_anchor_tokens holds its time-stamp token; a day is anchored once.",
						"Check it with tenant_guard.verify_anchor().");
	std::optional<std::string> nonce = spi.Value(
		"SELECT nonce FROM tenant_guard.audit_anchor_requests WHERE day OPERATOR(pg_catalog.=)"
		" ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4)"
		" ORDER BY requested_at DESC LIMIT 1",
		{DayParam(day)});
	if (!nonce)
		throw tg::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						"no time-stamp request for audit day " + DayText(day),
						"A response is accepted only for the nonce of the day's latest request.",
						"Send the request from tenant_guard.anchor_request('" + DayText(day) + "') to the TSA.");
	tsp::TokenInfo info;
	try {
		info = tsp::CheckResponse(response, closed.tree_head, std::stoll(*nonce));
	} catch (const tsp::TimestampError &e) {
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
						"time-stamp response for audit day " + DayText(day) + " is refused", e.what(),
						"Send the DER request of the day's latest tenant_guard.anchor_request() to the TSA "
						"and store its answer unchanged.");
	}
	AnchorWriteScope writing;
	spi.Execute("INSERT INTO tenant_guard.audit_anchor_tokens (day, nonce, token, gen_time, policy_oid, serial, stored_at)"
				" VALUES ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4,"
				" $2::pg_catalog.int8, pg_catalog.decode($3, 'hex'), $4, $5, $6, pg_catalog.clock_timestamp())",
				{DayParam(day), *nonce, HexOf(info.token_der), info.gen_time, info.policy_oid, info.serial_hex});
	return TextDatum(info.gen_time);
}

/* tenant_guard.verify_anchor(day date, ca_pem text): one row per problem, none when the anchor holds. */
TG_FUNCTION(tg_verify_anchor)
{
	int32_t const day = tg::audit::RequireDay(PG_GETARG_DATEADT(0), "day");
	std::string const ca = TextArg(fcinfo, 1);
	std::vector<std::pair<std::string, std::string>> problems;
	tg::SpiSession spi;
	std::optional<ClosedDay> closed = FindClosedDay(spi, day);
	if (!closed) {
		problems.emplace_back("day not closed", "tenant_guard.audit_anchors has no tree head for " + DayText(day) + ".");
	} else {
		std::vector<tg::SqlRow> token = spi.Query(
			"SELECT pg_catalog.encode(token, 'hex'), nonce FROM tenant_guard.audit_anchor_tokens"
			" WHERE day OPERATOR(pg_catalog.=) ('2000-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) $1::pg_catalog.int4)",
			{DayParam(day)});
		if (token.empty()) {
			problems.emplace_back("not anchored", "No time-stamp token was stored for " + DayText(day) + ".");
		} else {
			std::string der;
			const std::string &hex = *token[0][0];
			for (size_t i = 0; i + 1 < hex.size(); i += 2)
				der += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
			try {
				tsp::VerifyToken(der, closed->tree_head, std::stoll(*token[0][1]), ca);
			} catch (const tsp::TimestampError &e) {
				problems.emplace_back("token does not verify", e.what());
			}
		}
		Log const log = ReadLog(spi, closed->last_pass, std::nullopt);
		tg::audit::Sha256 sha;
		if (log.missing_seq && log.missing_pruned_by > 0) {
			problems.emplace_back("pruned by policy",
								  "Event " + std::to_string(*log.missing_seq) + " of chain " + log.missing_chain +
									  " and the others of that day were pruned by retention checkpoint " +
									  std::to_string(log.missing_pruned_by) + ": the head cannot be "
									  "recomputed; the token was checked against the recorded head.");
		} else if (log.missing_seq) {
			problems.emplace_back("event missing",
								  "Event " + std::to_string(*log.missing_seq) + " of chain " + log.missing_chain +
									  ", sealed by the end of that day, is no longer in audit_events.");
		} else if (MerkleAccumulator const tree = TreeOf(log, sha); tree.Root(sha) != closed->tree_head ||
				   static_cast<int64_t>(tree.size()) != closed->tree_size) {
			problems.emplace_back("tree head changed",
								  "The log as of the end of " + DayText(day) + " now has " +
									  std::to_string(tree.size()) + " events with head " + ToHex(tree.Root(sha)) +
									  ", but " + std::to_string(closed->tree_size) + " events with head " +
									  ToHex(closed->tree_head) + " were closed and anchored: events sealed by "
									  "then were edited, removed, reordered or forged.");
		} else if (HexList(tree.peaks()) != closed->frontier) {
			problems.emplace_back("frontier changed",
								  "The frontier recorded for " + DayText(day) + " in tenant_guard.audit_anchors "
								  "is not that of its tree; the next day's close starts from it.");
		}
	}
	tg::PgCall(InitMaterializedSRF, fcinfo, static_cast<bits32>(0));
	for (const auto &[problem, detail] : problems)
		PutRow(fcinfo, {DateADTGetDatum(day), TextDatum(problem), TextDatum(detail)}, {false, false, false});
	return static_cast<Datum>(0);
}

/*
 * tenant_guard.audit_anchor_append_only(): the anchor tables refuse UPDATE,
 * DELETE and TRUNCATE for every role, and INSERT except from the anchoring
 * functions above.
 */
TG_FUNCTION(tg_audit_anchor_append_only)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw tg::Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
						"tenant_guard.audit_anchor_append_only() must be called as a trigger");
	auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event) && InAnchorWrite())
		return PointerGetDatum(nullptr);
	const char *op = TRIGGER_FIRED_BY_INSERT(td->tg_event)	 ? "INSERT"
					 : TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "UPDATE"
					 : TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "DELETE"
															 : "TRUNCATE";
	std::string const table = tg::RelationDisplayName(RelationGetRelid(td->tg_relation));
	throw tg::Error(ERRCODE_INSUFFICIENT_PRIVILEGE, std::string(op) + " on " + table + " is refused",
					table + " is append-only: closed days and their time-stamps are written only by "
							"close_audit_day(), anchor_request() and anchor_store(), and never changed.",
					"Read it, or check an anchor with tenant_guard.verify_anchor().");
}
