/*
 * verify.cpp — tenant-audit verify DIR --ca ca.pem: checks an export with no
 * database. One pass over log.tsv in log order, in memory independent of its
 * size (the tree head is a stack of at most 64 subtree roots; a block's
 * events are hashed as they stream by; per chain only its last block is
 * kept): every event's hash, every block's Merkle root, hash and link, every
 * pass's hash and link, each closed day's tree head at its recorded extent
 * and its RFC 3161 token against the CA, and the exported inclusion and
 * consistency proofs against those heads.
 */
#include "commands.h"
#include "event_stream.h"
#include "hex.h"
#include "log_lines.h"

#include "common/audit_chain.h"
#include "common/merkle_proof.h"
#include "common/rfc3161.h"

#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace tg::audit_cli {

namespace {

using audit::Hash;

std::optional<Hash> ParseHash(std::string_view hex)
{
	Hash out;
	if (hex.size() != 64 || !DecodeHexInto(hex, reinterpret_cast<char *>(out.data())))
		return std::nullopt;
	return out;
}

/* The number that must follow n: none after INT64_MAX, which only a forged export holds. */
std::optional<int64_t> Successor(int64_t n)
{
	if (n == std::numeric_limits<int64_t>::max())
		return std::nullopt;
	return n + 1;
}

/* "block 8 of the chain is missing", or, after INT64_MAX, that nothing can follow it. */
std::string MissingAfter(const char *what, int64_t previous, const char *of = "")
{
	if (std::optional<int64_t> next = Successor(previous))
		return std::string(what) + " " + std::to_string(*next) + of + " is missing";
	return std::string("follows ") + what + " " + std::to_string(previous) + of + ", after which there can be none";
}

std::vector<Hash> ParsePath(std::string_view list)
{
	std::vector<Hash> out;
	if (list == "-")
		return out;
	size_t start = 0;
	while (start <= list.size()) {
		size_t end = list.find(',', start);
		if (end == std::string_view::npos)
			end = list.size();
		std::optional<Hash> h = ParseHash(list.substr(start, end - start));
		if (!h)
			throw std::runtime_error("malformed proof path");
		out.push_back(*h);
		start = end + 1;
	}
	return out;
}

struct Anchor {
	std::string day;
	int64_t last_pass, tree_size;
	Hash head;
	int64_t nonce;
	std::string token; /* DER, empty when not anchored */
	bool head_checked = false;
};

class Verifier {
public:
	Verifier(const VerifyOptions &options) : options_(options) {}
	int Run();

private:
	void Problem(const std::string &where, const std::string &what)
	{
		problems_++;
		if (problems_ <= 100)
			std::cout << "PROBLEM " << where << ": " << what << "\n";
	}
	void ReadAnchors();
	void ReadCheckpoint();
	void ReadLog();
	void OnPass(const Fields &f);
	void OnBlock(const Fields &f);
	void OnEvent(const LogItem &event, const LogBatch &batch);
	void EndBlock();
	void EndPass();
	void CheckHeadsAt(int64_t pass_no);
	void CheckProofs();
	void CheckTokens();
	void Progress(bool last);

	const VerifyOptions &options_;
	audit::Sha256 sha_;
	audit::CanonicalWriter writer_;
	uint64_t problems_ = 0, events_ = 0, blocks_ = 0, passes_ = 0;
	std::vector<Anchor> anchors_;
	audit::MerkleAccumulator log_;
	/* The pass being read. */
	bool in_pass_ = false;
	int64_t pass_no_ = 0;
	Hash prev_pass_hash_{};
	audit::PassFields pass_;
	Hash pass_hash_{};
	/* The block being read. */
	bool in_block_ = false;
	audit::BlockFields block_;
	std::string block_chain_;
	Hash block_hash_{};
	int64_t block_expected_events_ = 0, block_events_ = 0;
	audit::MerkleAccumulator block_tree_;
	struct ChainHead {
		int64_t block_no;
		Hash hash;
	};
	std::unordered_map<std::string, ChainHead> chains_;
	/* Row hashes the exported inclusion proofs name, by leaf index, to compare as the log streams. */
	std::map<uint64_t, Hash> wanted_leaves_;
	std::map<uint64_t, Hash> seen_leaves_;
	std::string pruned_; /* the summary of a retention checkpoint the log starts after */
	std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
	bool tty_ = isatty(STDERR_FILENO) != 0;
};

void Verifier::ReadAnchors()
{
	LineReader in(options_.dir + "/anchors.tsv");
	if (!in.ok())
		throw std::runtime_error("cannot read " + options_.dir + "/anchors.tsv");
	std::string_view line;
	while (in.Next(line)) {
		Fields const f(line);
		if (f.size() != 7 || f[0] != "A")
			throw std::runtime_error("anchors.tsv: malformed line");
		Anchor a;
		if (!IsDay(f[1]))
			throw std::runtime_error("anchors.tsv: malformed day \"" + Printable(f[1]) + "\"");
		a.day = std::string(f[1]);
		a.last_pass = ParseInt(f[2]);
		a.tree_size = ParseInt(f[3]);
		/* Closed days in order, each once: a second line for a day would be checked on its own. */
		if (!anchors_.empty() && a.day <= anchors_.back().day)
			throw std::runtime_error("anchors.tsv: day " + a.day +
									 " repeats an earlier one, or comes after a later day");
		/* Each day's extent holds the one before it: the log only grows. */
		if (!anchors_.empty() && (a.last_pass < anchors_.back().last_pass || a.tree_size < anchors_.back().tree_size))
			throw std::runtime_error("anchors.tsv: day " + a.day + " has a smaller extent (pass or tree size) than " +
									 anchors_.back().day);
		std::optional<Hash> head = ParseHash(f[4]);
		if (!head)
			throw std::runtime_error("anchors.tsv: malformed tree head for " + a.day);
		a.head = *head;
		a.nonce = ParseInt(f[5]);
		if (f[6] != "-" && !DecodeHex(f[6], a.token))
			throw std::runtime_error("anchors.tsv: malformed token for " + a.day);
		anchors_.push_back(std::move(a));
	}
	/* Heads with no pass at all (days before the first event) are the empty tree. */
	CheckHeadsAt(0);
}

/*
 * checkpoint.tsv (absent in older exports): the log starts after a retention
 * checkpoint's pass, from its tree frontier and each chain's last block. The
 * frontier is trusted only through its day: its root must be that day's
 * anchored head, and every later day's head extends it.
 */
void Verifier::ReadCheckpoint()
{
	LineReader in(options_.dir + "/checkpoint.tsv");
	if (!in.ok())
		return;
	std::string_view line;
	std::optional<int64_t> last_pass;
	while (in.Next(line)) {
		Fields const f(line);
		if (f.size() == 8 && f[0] == "K") {
			std::optional<Hash> pass_hash = ParseHash(f[4]);
			std::vector<Hash> frontier = ParsePath(f[6]);
			/* Its number, month and count are echoed in the summary: numbers and a day, nothing else. */
			if (!pass_hash || !IsDay(f[2]))
				throw std::runtime_error("checkpoint.tsv: malformed checkpoint line");
			(void)ParseInt(f[1]);
			(void)ParseInt(f[7]);
			if (last_pass || !chains_.empty())
				throw std::runtime_error("checkpoint.tsv: the checkpoint line must come first, and once");
			try {
				log_ = audit::MerkleAccumulator::Resume(static_cast<uint64_t>(ParseInt(f[5])), std::move(frontier));
			} catch (const std::invalid_argument &) {
				throw std::runtime_error("checkpoint.tsv: the frontier does not fit the tree size");
			}
			last_pass = ParseInt(f[3]);
			if (!Successor(*last_pass))
				throw std::runtime_error("checkpoint.tsv: the checkpoint's pass " + std::to_string(*last_pass) +
										 " leaves no pass to follow it");
			pass_no_ = *last_pass;
			prev_pass_hash_ = *pass_hash;
			pruned_ = "pruned by policy: retention checkpoint " + std::string(f[1]) + " dropped " + std::string(f[7]) +
					  " events before " + std::string(f[2]) + "; the log is verified from pass " +
					  std::to_string(*last_pass + 1) + " on, from the tree frontier of the day it names";
		} else if (f.size() == 4 && f[0] == "H") {
			std::string chain;
			std::optional<Hash> hash = ParseHash(f[3]);
			if (!last_pass)
				throw std::runtime_error("checkpoint.tsv: a chain line before the checkpoint line");
			if (!hash || !DecodeHex(f[1], chain))
				throw std::runtime_error("checkpoint.tsv: malformed chain line");
			if (!chains_.emplace(chain, ChainHead{ParseInt(f[2]), *hash}).second)
				throw std::runtime_error("checkpoint.tsv: chain \"" + Printable(chain) + "\" is listed twice");
		} else {
			throw std::runtime_error("checkpoint.tsv: malformed line");
		}
	}
	if (!last_pass)
		return;
	bool anchored_day = false;
	for (Anchor &a : anchors_) {
		if (a.last_pass < *last_pass)
			a.head_checked = true; /* its events are pruned: only its token can be checked */
		anchored_day = anchored_day || a.last_pass == *last_pass;
	}
	if (!anchored_day)
		Problem("checkpoint", "its pass " + std::to_string(*last_pass) +
								  " is the extent of no closed day: its tree frontier is not anchored");
	CheckHeadsAt(*last_pass);
}

void Verifier::CheckHeadsAt(int64_t pass_no)
{
	for (Anchor &a : anchors_) {
		if (a.last_pass != pass_no || a.head_checked)
			continue;
		a.head_checked = true;
		if (static_cast<uint64_t>(a.tree_size) != log_.size())
			Problem("day " + a.day, "the log up to pass " + std::to_string(pass_no) + " has " +
										std::to_string(log_.size()) + " events, but the day was closed with " +
										std::to_string(a.tree_size));
		else if (log_.Root(sha_) != a.head)
			Problem("day " + a.day, "the log up to pass " + std::to_string(pass_no) +
										" does not hash to the day's tree head: events sealed by then were changed");
	}
}

void Verifier::EndBlock()
{
	if (!in_block_)
		return;
	in_block_ = false;
	std::string const where = "chain " + block_chain_ + " block " + std::to_string(block_.block_no);
	if (block_events_ != block_expected_events_)
		Problem(where, "lists " + std::to_string(block_expected_events_) + " events, the export holds " +
						   std::to_string(block_events_) + " (events deleted from audit_events)");
	else if (block_tree_.Root(sha_) != block_.merkle_root)
		Problem(where, "its events do not give its Merkle root");
	if (audit::HashBlock(block_, writer_, sha_) != block_hash_)
		Problem(where, "does not hash to its block_hash");
	auto it = chains_.find(block_chain_);
	std::optional<int64_t> const expected_no = it == chains_.end() ? 1 : Successor(it->second.block_no);
	Hash const expected_prev = it == chains_.end() ? Hash{} : it->second.hash;
	if (block_.block_no != expected_no)
		Problem(where, it == chains_.end() ? "block 1 of the chain is missing"
										   : MissingAfter("block", it->second.block_no, " of the chain"));
	else if (block_.prev_hash != expected_prev)
		Problem(where, "does not name the hash of the chain's previous block");
	chains_[block_chain_] = {block_.block_no, block_hash_};
	pass_.block_hashes.push_back(block_hash_);
	blocks_++;
}

void Verifier::EndPass()
{
	EndBlock();
	if (!in_pass_)
		return;
	in_pass_ = false;
	std::string const where = "pass " + std::to_string(pass_.pass_no);
	if (pass_.pass_no != Successor(pass_no_))
		Problem(where, MissingAfter("pass", pass_no_));
	else if (pass_.prev_hash != prev_pass_hash_)
		Problem(where, "does not name the hash of the previous pass");
	if (audit::HashPass(pass_, writer_, sha_) != pass_hash_)
		Problem(where, "does not hash to its pass_hash");
	pass_no_ = pass_.pass_no;
	prev_pass_hash_ = pass_hash_;
	passes_++;
	CheckHeadsAt(pass_.pass_no);
}

void Verifier::OnPass(const Fields &f)
{
	EndPass();
	if (f.size() != 6)
		throw std::runtime_error("log.tsv: malformed pass line");
	std::optional<Hash> prev = ParseHash(f[4]), hash = ParseHash(f[5]);
	if (!prev || !hash)
		throw std::runtime_error("log.tsv: malformed pass line");
	pass_ = audit::PassFields{};
	pass_.pass_no = ParseInt(f[1]);
	pass_.low_watermark = ParseInt(f[2]);
	pass_.high_watermark = ParseInt(f[3]);
	pass_.prev_hash = *prev;
	pass_hash_ = *hash;
	in_pass_ = true;
}

void Verifier::OnBlock(const Fields &f)
{
	EndBlock();
	if (f.size() != 7 || !in_pass_)
		throw std::runtime_error("log.tsv: malformed block line");
	std::optional<Hash> root = ParseHash(f[4]), prev = ParseHash(f[5]), hash = ParseHash(f[6]);
	block_chain_.clear();
	if (!root || !prev || !hash || !DecodeHex(f[1], block_chain_))
		throw std::runtime_error("log.tsv: malformed block line");
	block_ = audit::BlockFields{};
	block_.block_no = ParseInt(f[2]);
	block_.event_count = ParseInt(f[3]);
	block_.merkle_root = *root;
	block_.prev_hash = *prev;
	block_hash_ = *hash;
	block_expected_events_ = block_.event_count;
	block_events_ = 0;
	block_tree_ = audit::MerkleAccumulator();
	in_block_ = true;
	block_.chain_id = block_chain_;
}

/* An event the reading thread decoded and hashed (event_stream.cpp). */
void Verifier::OnEvent(const LogItem &e, const LogBatch &batch)
{
	if (e.bytes == LogItem::kNotCanonical)
		Problem("event " + std::to_string(e.listed_seq), "its bytes are not a format-1 canonical event");
	else if (e.bytes == LogItem::kOtherEvent)
		Problem("event " + std::to_string(e.listed_seq), "its bytes name event " + std::to_string(e.bytes_seq) +
															 " of chain " + std::string(batch.Text(e)) +
															 ", not the one the block lists");
	Hash const leaf = audit::LeafHash(e.row_hash, sha_);
	if (!wanted_leaves_.empty()) {
		auto it = wanted_leaves_.find(log_.size());
		if (it != wanted_leaves_.end())
			seen_leaves_[it->first] = e.row_hash;
	}
	block_tree_.AddLeafHash(leaf, sha_);
	log_.AddLeafHash(leaf, sha_);
	block_events_++;
	if ((++events_ & 0xFFFFF) == 0)
		Progress(false);
}

void Verifier::Progress(bool last)
{
	if (!tty_ || !options_.progress)
		return;
	double const s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
	std::fprintf(stderr, "\rverified %llu events (%.0f/s)%s", static_cast<unsigned long long>(events_),
				 s > 0 ? events_ / s : 0.0, last ? "\n" : "");
}

void Verifier::ReadLog()
{
	EventStream in(options_.dir + "/log.tsv");
	for (;;) {
		const LogBatch &batch = in.Next();
		for (const LogItem &item : batch.items) {
			switch (item.kind) {
			case LogItem::kEvent:
				OnEvent(item, batch);
				break;
			case LogItem::kBlock:
				OnBlock(Fields(batch.Text(item)));
				break;
			case LogItem::kPass:
				OnPass(Fields(batch.Text(item)));
				break;
			}
		}
		if (batch.error)
			std::rethrow_exception(batch.error);
		if (batch.last)
			break;
	}
	EndPass();
	Progress(true);
}

const Anchor *FindDay(const std::vector<Anchor> &anchors, std::string_view day)
{
	for (const Anchor &a : anchors)
		if (a.day == day)
			return &a;
	return nullptr;
}

void Verifier::CheckProofs()
{
	LineReader in(options_.dir + "/proofs.tsv");
	if (!in.ok())
		throw std::runtime_error("cannot read " + options_.dir + "/proofs.tsv");
	std::string_view line;
	while (in.Next(line)) {
		Fields const f(line);
		if (f.size() == 8 && f[0] == "C") {
			const Anchor *from = FindDay(anchors_, f[1]), *to = FindDay(anchors_, f[2]);
			std::string const where = "consistency " + std::string(f[1]) + " -> " + std::string(f[2]);
			uint64_t const first = static_cast<uint64_t>(ParseInt(f[3])), second = static_cast<uint64_t>(ParseInt(f[4]));
			std::optional<Hash> h1 = ParseHash(f[5]), h2 = ParseHash(f[6]);
			if (!from || !to || !h1 || !h2)
				Problem(where, "names a day or head the anchors do not hold");
			else if (*h1 != from->head || *h2 != to->head || first != static_cast<uint64_t>(from->tree_size) ||
					 second != static_cast<uint64_t>(to->tree_size))
				Problem(where, "is not about the closed days' heads");
			else if (!audit::VerifyConsistency(first, second, *h1, *h2, ParsePath(f[7]), sha_))
				Problem(where, "the proof does not verify");
		} else if (f.size() == 7 && f[0] == "I") {
			const Anchor *day = FindDay(anchors_, f[1]);
			std::string const where = "inclusion of leaf " + std::string(f[3]) + " in " + std::string(f[1]);
			uint64_t const size = static_cast<uint64_t>(ParseInt(f[2])), index = static_cast<uint64_t>(ParseInt(f[3]));
			std::optional<Hash> row = ParseHash(f[4]), head = ParseHash(f[5]);
			if (!day || !row || !head || *head != day->head || size != static_cast<uint64_t>(day->tree_size))
				Problem(where, "is not about the closed day's head");
			else if (!audit::VerifyInclusion(index, size, audit::LeafHash(*row, sha_), ParsePath(f[6]), *head, sha_))
				Problem(where, "the proof does not verify");
			else
				wanted_leaves_[index] = *row;
		} else {
			throw std::runtime_error("proofs.tsv: malformed line");
		}
	}
}

void Verifier::CheckTokens()
{
	std::ifstream in(options_.ca, std::ios::binary);
	if (!in)
		throw std::runtime_error("cannot read the CA certificate " + options_.ca);
	std::string const ca((std::istreambuf_iterator<char>(in)), {});
	for (const Anchor &a : anchors_) {
		if (!a.head_checked)
			Problem("day " + a.day, "its recorded extent (pass " + std::to_string(a.last_pass) +
										") is not in the export: the log was cut short");
		if (a.token.empty()) {
			Problem("day " + a.day, "not anchored: no time-stamp token");
			continue;
		}
		try {
			audit::tsp::VerifyToken(a.token, a.head, a.nonce, ca);
		} catch (const audit::tsp::TimestampError &e) {
			Problem("day " + a.day, e.what());
		}
	}
}

int Verifier::Run()
{
	ReadAnchors();
	ReadCheckpoint();
	CheckProofs();
	ReadLog();
	for (const auto &[index, row] : wanted_leaves_) {
		auto it = seen_leaves_.find(index);
		if (it == seen_leaves_.end() || it->second != row)
			Problem("inclusion of leaf " + std::to_string(index), "the proof's row hash is not the log's leaf there");
	}
	CheckTokens();
	double const s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
	std::cout << "checked " << events_ << " events, " << blocks_ << " blocks, " << passes_ << " passes, "
			  << anchors_.size() << " closed days in " << s << " s\n";
	if (!pruned_.empty())
		std::cout << pruned_ << "\n";
	if (problems_ == 0) {
		std::cout << "OK: the export verifies: every chain, every day's tree head and its time-stamp\n";
		return kExitOk;
	}
	std::cout << problems_ << " problem(s) found\n";
	return kExitProblems;
}

} // namespace

int RunVerify(const VerifyOptions &options)
{
	try {
		Verifier verifier(options);
		return verifier.Run();
	} catch (const std::exception &e) {
		std::cerr << "tenant-audit verify: " << e.what() << "\n";
		return kExitError;
	}
}

} // namespace tg::audit_cli
