#include "export_proofs.h"

#include "common/audit_chain.h"

#include <algorithm>
#include <limits>

namespace tg::audit_cli {

namespace {

std::string PathText(const std::vector<audit::Hash> &path) { return path.empty() ? "-" : audit::HexList(path); }

} // namespace

ProofWriter::ProofWriter(std::vector<DayExtent> days)
{
	for (DayExtent &d : days)
		days_.push_back(Day{std::move(d), 0, std::nullopt, {}});
	for (size_t i = 0; i < days_.size(); i++)
		by_extent_.push_back(i);
	std::stable_sort(by_extent_.begin(), by_extent_.end(),
					 [this](size_t a, size_t b) { return days_[a].extent.last_pass < days_[b].extent.last_pass; });
	if (!by_extent_.empty())
		last_proved_pass_ = days_[by_extent_.back()].extent.last_pass;
}

void ProofWriter::EndDaysBefore(int64_t pass_no)
{
	for (; next_ < by_extent_.size() && days_[by_extent_[next_]].extent.last_pass < pass_no; next_++) {
		Day &d = days_[by_extent_[next_]];
		d.size = tree_.size();
		d.first_of_last = first_of_pass_;
		d.row_hash = first_row_;
	}
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
	if (!pass_has_events_) {
		first_of_pass_ = tree_.size();
		first_row_ = row_hash;
		pass_has_events_ = true;
	}
	tree_.AddLeaf(row_hash, sha_);
}

std::vector<std::string> ProofWriter::Write(std::ostream &out)
{
	EndDaysBefore(std::numeric_limits<int64_t>::max());
	std::vector<std::string> left_out;
	std::vector<const Day *> proved;
	for (const Day &d : days_) {
		if (d.size == 0 && d.extent.tree_size == 0)
			continue;
		audit::Hash const head = tree_.Root(d.size, sha_);
		if (d.size == 0 || static_cast<int64_t>(d.size) != d.extent.tree_size || head != d.extent.tree_head) {
			left_out.push_back("day " + d.extent.day + ": the exported log up to pass " +
							   std::to_string(d.extent.last_pass) + " has " + std::to_string(d.size) +
							   " events with head " + audit::ToHex(head) + ", the closed day " +
							   std::to_string(d.extent.tree_size) + " events with head " +
							   audit::ToHex(d.extent.tree_head));
			continue;
		}
		proved.push_back(&d);
	}
	for (size_t i = 0; i + 1 < proved.size(); i++) {
		const Day &from = *proved[i], &to = *proved[i + 1];
		out << "C " << from.extent.day << ' ' << to.extent.day << ' ' << from.size << ' ' << to.size << ' '
			<< audit::ToHex(from.extent.tree_head) << ' ' << audit::ToHex(to.extent.tree_head) << ' '
			<< PathText(tree_.ConsistencyProof(from.size, to.size, sha_)) << '\n';
	}
	for (const Day *d : proved)
		out << "I " << d->extent.day << ' ' << d->size << ' ' << *d->first_of_last << ' ' << audit::ToHex(d->row_hash)
			<< ' ' << audit::ToHex(d->extent.tree_head) << ' '
			<< PathText(tree_.InclusionProof(*d->first_of_last, d->size, sha_)) << '\n';
	return left_out;
}

} // namespace tg::audit_cli
