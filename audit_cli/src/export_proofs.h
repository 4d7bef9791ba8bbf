/*
 * export_proofs.h — the proofs of tenant-audit export (proofs.tsv), computed
 * from the log as the export streams it: a consistency proof between each
 * two consecutive non-empty closed days and one event's inclusion proof per
 * day (the first event of the day's last pass). One tree of the whole log
 * (common/merkle_proof.h's MerkleTree, 64 to 96 bytes an event as its
 * vectors grow) proves every day in
 * O(log^2 n) hashes; asking the database for each day's proofs read the
 * whole log again for each.
 */
#pragma once

#include "common/merkle_proof.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
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
		uint64_t size = 0;					 /* events sealed by the day's last pass */
		std::optional<uint64_t> first_of_last; /* leaf index of the first event of its last non-empty pass */
		audit::Hash row_hash{};
	};
	/* Days whose extent ends before pass_no take their sizes now. */
	void EndDaysBefore(int64_t pass_no);

	std::vector<Day> days_;
	std::vector<size_t> by_extent_; /* indexes into days_, by last_pass */
	size_t next_ = 0;				/* into by_extent_: the first day not yet ended */
	/* Events after the last closed day's extent are in no proof: the tree stops before them. */
	int64_t last_proved_pass_ = 0;
	bool in_proved_pass_ = false;
	bool pass_has_events_ = false;
	std::optional<uint64_t> first_of_pass_; /* the latest non-empty pass's first leaf */
	audit::Hash first_row_{};
	audit::MerkleTree tree_;
	audit::Sha256 sha_;
};

} // namespace tg::audit_cli
