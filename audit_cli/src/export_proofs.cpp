#include "export_proofs.h"

#include "common/audit_chain.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tg::audit_cli {

namespace {

std::string PathText(const std::vector<audit::Hash> &path) { return path.empty() ? "-" : audit::HexList(path); }

/*
 * The perfect subtrees of [begin, end), largest first: a subtree that the
 * RFC 9162 split reaches from the root starts at a multiple of each of them.
 */
template <typename Fn> void ForEachPiece(uint64_t begin, uint64_t end, Fn &&fn)
{
	uint64_t at = begin;
	for (int level = 63; level >= 0; level--) {
		uint64_t const width = uint64_t{1} << level;
		if (!((end - begin) & width))
			continue;
		if (at % width != 0)
			throw std::logic_error("a subtree of the RFC 9162 split is not aligned");
		fn(level, at >> level, at, width);
		at += width;
	}
}

audit::Hash Fold(const std::vector<audit::Hash> &pieces, audit::Sha256 &sha)
{
	if (pieces.empty())
		return sha.Of({});
	audit::Hash root = pieces.back();
	for (size_t i = pieces.size() - 1; i-- > 0;)
		root = audit::NodeHash(pieces[i], root, sha);
	return root;
}

} // namespace

ProofWriter::ProofWriter(std::vector<DayExtent> days)
{
	for (DayExtent &d : days)
		days_.push_back(Day{std::move(d), 0, {}, {}});
	for (size_t i = 0; i < days_.size(); i++)
		by_extent_.push_back(i);
	std::stable_sort(by_extent_.begin(), by_extent_.end(),
					 [this](size_t a, size_t b) { return days_[a].extent.last_pass < days_[b].extent.last_pass; });
	if (!by_extent_.empty())
		last_proved_pass_ = days_[by_extent_.back()].extent.last_pass;
	/* The subtrees of every consistency proof between recorded sizes, asked for once to learn which. */
	const Day *from = nullptr;
	for (const Day &d : days_) {
		if (d.extent.tree_size <= 0)
			continue;
		if (from && from->extent.tree_size <= d.extent.tree_size)
			audit::ConsistencyProofOf(
				[this](uint64_t b, uint64_t e) {
					ForEachPiece(b, e, [this](int level, uint64_t index, uint64_t, uint64_t) {
						wanted_.emplace(Subtree{level, index}, std::nullopt);
					});
					return audit::Hash{};
				},
				static_cast<uint64_t>(from->extent.tree_size), static_cast<uint64_t>(d.extent.tree_size));
		from = &d;
	}
}

void ProofWriter::AddLeafHash(const audit::Hash &leaf_hash)
{
	auto keep = [this](int level, uint64_t index, const audit::Hash &root) {
		auto it = wanted_.find(Subtree{level, index});
		if (it != wanted_.end())
			it->second = root;
	};
	uint64_t const leaf = size_;
	audit::Hash carry = leaf_hash;
	keep(0, leaf, carry);
	/* Each trailing 1 bit of the old size is a perfect subtree that the new leaf completes. */
	int level = 1;
	for (uint64_t s = size_; s & 1; s >>= 1, level++) {
		carry = audit::NodeHash(peaks_.back(), carry, sha_);
		peaks_.pop_back();
		keep(level, leaf >> level, carry);
	}
	peaks_.push_back(carry);
	size_++;
}

audit::Hash ProofWriter::KeptRoot(uint64_t begin, uint64_t end)
{
	std::vector<audit::Hash> pieces;
	ForEachPiece(begin, end, [&](int level, uint64_t index, uint64_t, uint64_t) {
		auto it = wanted_.find(Subtree{level, index});
		if (it == wanted_.end() || !it->second)
			throw std::logic_error("a subtree a consistency proof needs was not kept");
		pieces.push_back(*it->second);
	});
	return Fold(pieces, sha_);
}

std::string ProofWriter::InclusionLine(const Day &d)
{
	/* The event is the first of the latest pass with events, whose leaves end the day's tree. */
	uint64_t const index = pass_start_;
	auto root = [&](uint64_t b, uint64_t e) {
		if (b >= index)
			return audit::SubtreeRoot(pass_leaves_, b - index, e - index, sha_);
		/* Left of the event the path takes the perfect subtrees of the tree before it: its frontier then. */
		std::optional<audit::Hash> found;
		size_t k = 0;
		ForEachPiece(0, index, [&](int, uint64_t, uint64_t at, uint64_t width) {
			if (at == b && at + width == e)
				found = pass_peaks_[k];
			k++;
		});
		if (!found)
			throw std::logic_error("an inclusion proof needs a subtree left of its event that is not a peak");
		return *found;
	};
	return "I " + d.extent.day + ' ' + std::to_string(d.size) + ' ' + std::to_string(index) + ' ' +
		   audit::ToHex(first_row_) + ' ' + audit::ToHex(d.head) + ' ' +
		   PathText(audit::InclusionProofOf(root, index, d.size)) + '\n';
}

void ProofWriter::EndDay(Day &d)
{
	d.size = size_;
	d.head = Fold(peaks_, sha_);
	if (d.size > 0 && static_cast<int64_t>(d.size) == d.extent.tree_size && d.head == d.extent.tree_head)
		d.inclusion = InclusionLine(d);
}

void ProofWriter::EndDaysBefore(int64_t pass_no)
{
	for (; next_ < by_extent_.size() && days_[by_extent_[next_]].extent.last_pass < pass_no; next_++)
		EndDay(days_[by_extent_[next_]]);
}

void ProofWriter::OnPass(int64_t pass_no)
{
	EndDaysBefore(pass_no);
	pass_has_events_ = false;
	in_proved_pass_ = pass_no <= last_proved_pass_;
}

void ProofWriter::OnEvent(const audit::Hash &row_hash)
{
	if (!in_proved_pass_)
		return;
	audit::Hash const leaf = audit::LeafHash(row_hash, sha_);
	if (!pass_has_events_) {
		pass_start_ = size_;
		pass_peaks_ = peaks_;
		pass_leaves_.clear();
		first_row_ = row_hash;
		pass_has_events_ = true;
	}
	pass_leaves_.push_back(leaf);
	AddLeafHash(leaf);
}

std::vector<std::string> ProofWriter::Write(std::ostream &out)
{
	EndDaysBefore(std::numeric_limits<int64_t>::max());
	std::vector<std::string> left_out;
	for (const Day &d : days_)
		if ((d.size > 0 || d.extent.tree_size != 0) && d.inclusion.empty())
			left_out.push_back("day " + d.extent.day + ": the exported log up to pass " +
							   std::to_string(d.extent.last_pass) + " has " + std::to_string(d.size) +
							   " events with head " + audit::ToHex(d.head) + ", the closed day " +
							   std::to_string(d.extent.tree_size) + " events with head " +
							   audit::ToHex(d.extent.tree_head));
	/* Consistency between consecutive non-empty closed days, where both were proved. */
	const Day *from = nullptr;
	for (const Day &d : days_) {
		if (d.extent.tree_size <= 0)
			continue;
		if (from && !from->inclusion.empty() && !d.inclusion.empty() && from->size <= d.size)
			out << "C " << from->extent.day << ' ' << d.extent.day << ' ' << from->size << ' ' << d.size << ' '
				<< audit::ToHex(from->head) << ' ' << audit::ToHex(d.head) << ' '
				<< PathText(audit::ConsistencyProofOf([this](uint64_t b, uint64_t e) { return KeptRoot(b, e); },
													  from->size, d.size))
				<< '\n';
		from = &d;
	}
	for (const Day &d : days_)
		out << d.inclusion;
	return left_out;
}

} // namespace tg::audit_cli
