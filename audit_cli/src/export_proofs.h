/*
 * export_proofs.h — the proofs of tenant-audit export (proofs.tsv), computed
 * from the log as the export streams it: a consistency proof between each
 * two consecutive non-empty closed days and one event's inclusion proof per
 * day (the first event of the day's last pass). Asking the database for each
 * day's proofs read the whole log again for each.
 *
 * In memory independent of the log's length: the subtree roots a
 * consistency proof needs are known from the recorded tree sizes before the
 * log streams, and are kept as they complete; an inclusion proof needs the
 * tree's frontier where its event's pass starts and that pass's leaves,
 * which is all it keeps of the log besides its own frontier.
 */
#pragma once

#include "common/merkle_proof.h"

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace tg::audit_cli {

/* A closed day as audit_anchors records it. */
struct DayExtent {
	std::string day; /* YYYY-MM-DD */
	int64_t last_pass = 0;
	int64_t tree_size = 0;
	audit::Hash tree_head{};
};

class ProofWriter {
public:
	/* The closed days to prove, in day order. */
	explicit ProofWriter(std::vector<DayExtent> days);

	/* The log in leaf order: each pass, then its events' row hashes. */
	void OnPass(int64_t pass_no);
	void OnEvent(const audit::Hash &row_hash);

	/*
	 * C lines, then I lines (docs/tenant-audit.md); call once the log has
	 * streamed by. Only days whose exported log gives their recorded size and
	 * head are proved (a proof against another head proves nothing); returns
	 * a sentence for each day left out.
	 */
	std::vector<std::string> Write(std::ostream &out);

private:
	struct Day {
		DayExtent extent;
		uint64_t size = 0; /* events sealed by the day's last pass */
		audit::Hash head{};
		std::string inclusion; /* its I line, once it ended with its recorded size and head */
	};
	/* A perfect subtree: leaves [index * 2^level, (index + 1) * 2^level). */
	using Subtree = std::pair<int, uint64_t>;

	/* Days whose extent ends before pass_no end now. */
	void EndDaysBefore(int64_t pass_no);
	void EndDay(Day &d);
	std::string InclusionLine(const Day &d);
	void AddLeafHash(const audit::Hash &leaf_hash);
	/* MTH over [begin, end) from the subtrees kept for the consistency proofs. */
	audit::Hash KeptRoot(uint64_t begin, uint64_t end);

	std::vector<Day> days_;
	std::vector<size_t> by_extent_; /* indexes into days_, by last_pass */
	size_t next_ = 0;				/* into by_extent_: the first day not yet ended */
	/* Events after the last closed day's extent are in no proof: they are not kept. */
	int64_t last_proved_pass_ = 0;
	bool in_proved_pass_ = false;

	/* The log's tree so far: its size and frontier (MerkleAccumulator's, with the subtrees completed seen). */
	uint64_t size_ = 0;
	std::vector<audit::Hash> peaks_;
	/* The subtrees the consistency proofs need, filled in as they complete. */
	std::map<Subtree, std::optional<audit::Hash>> wanted_;

	/* The latest pass with events: where it starts, the frontier there, its leaf hashes, its first row hash. */
	bool pass_has_events_ = false;
	uint64_t pass_start_ = 0;
	std::vector<audit::Hash> pass_peaks_;
	std::vector<audit::Hash> pass_leaves_;
	audit::Hash first_row_{};
	audit::Sha256 sha_;
};

} // namespace tg::audit_cli
