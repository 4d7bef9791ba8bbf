/*
 * export.cpp — tenant-audit export: writes the sealed log, the closed days
 * with their time-stamp tokens, and proofs, as the text files described in
 * docs/tenant-audit.md. Streams: one COPY per file, one line at a time; the
 * proofs are computed from the log as it streams by (export_proofs.h).
 */
#include "commands.h"
#include "export_proofs.h"
#include "hex.h"
#include "pg.h"

#include "common/audit_chain.h"

#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <vector>

namespace tg::audit_cli {

namespace {

/* Every text field hex-encoded UTF-8, so that no COPY escaping or session setting applies. */
/* After a prune (docs/audit-retention.md), the log starts after the latest checkpoint's pass. */
constexpr const char *kLogQuery = R"SQL(COPY (
WITH cp AS (SELECT coalesce(max(last_pass), 0) AS pass_no FROM tenant_guard.audit_checkpoints)
SELECT line FROM (
  SELECT p.pass_no, 0 AS kind, ''::text AS chain, 0::int8 AS ord,
         concat_ws(' ', 'P', p.pass_no, p.low_watermark, p.high_watermark,
                   encode(p.prev_hash, 'hex'), encode(p.pass_hash, 'hex')) AS line
    FROM tenant_guard.audit_passes p WHERE p.pass_no > (SELECT pass_no FROM cp)
  UNION ALL
  SELECT b.pass_no, 1, b.chain_id, 0,
         concat_ws(' ', 'B', encode(convert_to(b.chain_id, 'UTF8'), 'hex'), b.block_no,
                   cardinality(b.event_seqs), encode(b.merkle_root, 'hex'), encode(b.prev_hash, 'hex'),
                   encode(b.block_hash, 'hex'))
    FROM tenant_guard.audit_blocks b WHERE b.pass_no > (SELECT pass_no FROM cp)
  UNION ALL
  SELECT b.pass_no, 1, b.chain_id, u.ord,
         concat_ws(' ', 'F', u.seq, encode(convert_to(e.chain_id, 'UTF8'), 'hex'), e.txid, e.tx_ordinal,
                   ((extract(epoch FROM e.occurred_at) - 946684800) * 1000000)::int8,
                   encode(convert_to(e.session_actor, 'UTF8'), 'hex'), encode(convert_to(e.actor, 'UTF8'), 'hex'),
                   encode(convert_to(e.table_name, 'UTF8'), 'hex'), encode(convert_to(e.operation, 'UTF8'), 'hex'),
                   coalesce(encode(convert_to(e.tenant_id, 'UTF8'), 'hex'), '-'),
                   coalesce(encode(convert_to(e.old_row::text, 'UTF8'), 'hex'), '-'),
                   coalesce(encode(convert_to(e.new_row::text, 'UTF8'), 'hex'), '-'),
                   CASE WHEN e.changed_columns IS NULL THEN '-'
                        ELSE '=' || array_to_string(ARRAY(SELECT encode(convert_to(c, 'UTF8'), 'hex')
                                                            FROM unnest(e.changed_columns) WITH ORDINALITY AS x(c, n)
                                                           ORDER BY n), ',') END,
                   coalesce(encode(convert_to(e.application_name, 'UTF8'), 'hex'), '-'),
                   coalesce(encode(convert_to(CASE WHEN e.client_addr IS NOT NULL THEN format('%s', e.client_addr) END, 'UTF8'), 'hex'), '-'))
    FROM tenant_guard.audit_blocks b
   CROSS JOIN LATERAL unnest(b.event_seqs) WITH ORDINALITY AS u(seq, ord)
    JOIN tenant_guard.audit_events e ON e.seq = u.seq
   WHERE b.pass_no > (SELECT pass_no FROM cp)
) x ORDER BY pass_no, kind, chain COLLATE "C", ord
) TO STDOUT)SQL";

constexpr const char *kAnchorsQuery = R"SQL(COPY (
SELECT concat_ws(' ', 'A', to_char(a.day, 'YYYY-MM-DD'), a.last_pass, a.tree_size, encode(a.tree_head, 'hex'),
                 coalesce(t.nonce, 0), coalesce(encode(t.token, 'hex'), '-'))
  FROM tenant_guard.audit_anchors a LEFT JOIN tenant_guard.audit_anchor_tokens t ON t.day = a.day
 ORDER BY a.day
) TO STDOUT)SQL";

/* The latest retention checkpoint: where the log resumes, and each chain's last block before it. */
constexpr const char *kCheckpointQuery = R"SQL(COPY (
WITH c AS (SELECT * FROM tenant_guard.audit_checkpoints ORDER BY checkpoint_no DESC LIMIT 1)
SELECT line FROM (
SELECT 0 AS kind, '' AS chain, concat_ws(' ', 'K', c.checkpoint_no, to_char(c.before_month, 'YYYY-MM-DD'), c.last_pass,
                 coalesce((SELECT encode(p.pass_hash, 'hex') FROM tenant_guard.audit_passes p WHERE p.pass_no = c.last_pass), '-'),
                 c.tree_size,
                 coalesce(nullif(array_to_string(ARRAY(SELECT encode(f, 'hex') FROM unnest(c.frontier) WITH ORDINALITY AS u(f, o)
                                                        ORDER BY u.o), ','), ''), '-'),
                 c.events) AS line
  FROM c
UNION ALL
SELECT 1, h.chain_id, concat_ws(' ', 'H', encode(convert_to(h.chain_id, 'UTF8'), 'hex'), h.last_block_no, encode(h.last_block_hash, 'hex'))
  FROM tenant_guard.audit_checkpoint_chains h JOIN c ON c.checkpoint_no = h.checkpoint_no
) x ORDER BY kind, chain COLLATE "C"
) TO STDOUT)SQL";

/* The closed days to prove (docs/tenant-audit.md): none once a prefix of the log was pruned, as proofs need every leaf. */
constexpr const char *kProvedDaysQuery = R"SQL(
SELECT to_char(day, 'YYYY-MM-DD'), last_pass, tree_size, encode(tree_head, 'hex') FROM tenant_guard.audit_anchors
 WHERE NOT EXISTS (SELECT FROM tenant_guard.audit_checkpoints)
 ORDER BY day)SQL";

std::vector<DayExtent> ProvedDays(Connection &db)
{
	Result const r = db.Exec(kProvedDaysQuery);
	std::vector<DayExtent> out;
	for (int i = 0; i < PQntuples(r.get()); i++) {
		std::optional<audit::Hash> const head = audit::HashFromHex(PQgetvalue(r.get(), i, 3));
		if (!head)
			throw std::runtime_error(std::string("the tree head of closed day ") + PQgetvalue(r.get(), i, 0) +
									 " is not 32 bytes long");
		out.push_back({PQgetvalue(r.get(), i, 0), std::stoll(PQgetvalue(r.get(), i, 1)),
					   std::stoll(PQgetvalue(r.get(), i, 2)), *head});
	}
	return out;
}

std::optional<std::string> Field(std::string_view hex, const char *what)
{
	if (hex == "-")
		return std::nullopt;
	std::string out;
	if (!DecodeHex(hex, out))
		throw std::runtime_error(std::string("the database sent a malformed ") + what);
	return out;
}

std::vector<std::string_view> Split(std::string_view line, char sep)
{
	std::vector<std::string_view> out;
	size_t start = 0;
	for (;;) {
		size_t const end = line.find(sep, start);
		out.push_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
		if (end == std::string_view::npos)
			return out;
		start = end + 1;
	}
}

/* F line (the event's columns) -> E line (its canonical bytes, which verify hashes); returns its row hash. */
audit::Hash WriteEvent(std::string_view line, audit::CanonicalWriter &writer, audit::Sha256 &sha, std::ofstream &out)
{
	std::vector<std::string_view> f = Split(line, ' ');
	if (f.size() != 16)
		throw std::runtime_error("the database sent a malformed event line");
	std::optional<std::string> text[16];
	for (int i : {2, 6, 7, 8, 9, 10, 11, 12, 14, 15})
		text[i] = Field(f[i], "event field");
	std::vector<std::string> changed;
	std::optional<std::vector<std::string_view>> changed_views;
	if (f[13] != "-") {
		changed_views.emplace();
		std::string_view list = f[13].substr(1);
		if (!list.empty())
			for (std::string_view c : Split(list, ','))
				changed.push_back(*Field(c, "column name"));
		for (const std::string &c : changed)
			changed_views->push_back(c);
	}
	audit::EventFields e;
	e.chain_id = *text[2];
	e.seq = std::stoll(std::string(f[1]));
	e.txid = std::stoll(std::string(f[3]));
	e.tx_ordinal = std::stoll(std::string(f[4]));
	e.occurred_at = std::stoll(std::string(f[5]));
	e.session_actor = *text[6];
	e.actor = *text[7];
	e.table_name = *text[8];
	e.operation = *text[9];
	e.tenant_id = text[10];
	e.old_row = text[11];
	e.new_row = text[12];
	e.changed_columns = changed_views;
	e.application_name = text[14];
	e.client_addr = text[15];
	audit::EncodeEvent(e, writer);
	out << "E " << f[1] << ' ' << EncodeHex(writer.bytes()) << '\n';
	return sha.Of(writer.bytes());
}

/* The number of a P line ("P pass_no ..."). */
int64_t PassNumber(std::string_view line)
{
	std::vector<std::string_view> f = Split(line, ' ');
	if (f.size() < 2)
		throw std::runtime_error("the database sent a malformed pass line");
	return std::stoll(std::string(f[1]));
}

} // namespace

int RunExport(const ExportOptions &options)
{
	try {
		::mkdir(options.dir.c_str(), 0755);
		Connection db(options.dsn);
		/* One snapshot for all three files. */
		db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
		std::ofstream log(options.dir + "/log.tsv", std::ios::binary);
		std::ofstream anchors(options.dir + "/anchors.tsv", std::ios::binary);
		std::ofstream proofs(options.dir + "/proofs.tsv", std::ios::binary);
		std::ofstream checkpoint(options.dir + "/checkpoint.tsv", std::ios::binary);
		if (!log || !anchors || !proofs || !checkpoint)
			throw std::runtime_error("cannot write into " + options.dir);
		log << "# tenant-audit export 1: log in RFC 9162 leaf order\n";
		ProofWriter prover(ProvedDays(db));
		audit::CanonicalWriter writer;
		audit::Sha256 sha;
		uint64_t events = 0;
		db.CopyOut(kLogQuery, [&](std::string_view line) {
			if (!line.empty() && line[0] == 'F') {
				prover.OnEvent(WriteEvent(line, writer, sha, log));
				events++;
				return;
			}
			if (!line.empty() && line[0] == 'P')
				prover.OnPass(PassNumber(line));
			log << line << '\n';
		});
		db.CopyOut(kAnchorsQuery, [&](std::string_view line) { anchors << line << '\n'; });
		for (const std::string &day : prover.Write(proofs))
			std::cerr << "tenant-audit export: no proofs for " << day << " (tenant-audit verify says why)\n";
		db.CopyOut(kCheckpointQuery, [&](std::string_view line) { checkpoint << line << '\n'; });
		db.Exec("COMMIT");
		if (!log.flush() || !anchors.flush() || !proofs.flush() || !checkpoint.flush())
			throw std::runtime_error("writing into " + options.dir + " failed");
		std::cout << "exported " << events << " events to " << options.dir << "\n";
		return kExitOk;
	} catch (const std::exception &e) {
		std::cerr << "tenant-audit export: " << e.what() << "\n";
		return kExitError;
	}
}

} // namespace tg::audit_cli
