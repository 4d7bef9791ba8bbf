// tenant-audit export's proofs (audit_cli/src/export_proofs.h): for a log of
// passes with several events, empty passes and an empty day, the C and I
// lines equal the RFC 9162 proofs over the list of leaf hashes (the functions
// tests/unit/merkle_proof_test.cpp checks), and a day whose recorded size or
// head the log does not give gets no proof and is named; and so for many
// random logs.
#include <boost/test/unit_test.hpp>

#include "export_proofs.h"

#include <sstream>

using namespace tg::audit;
using tg::audit_cli::DayExtent;
using tg::audit_cli::ProofWriter;

namespace {

std::string PathText(const std::vector<Hash> &path)
{
	std::string out;
	for (const Hash &h : path)
		out += (out.empty() ? "" : ",") + ToHex(h);
	return out.empty() ? "-" : out;
}

struct Log {
	std::vector<int> events_per_pass; /* pass i + 1 seals this many */
	std::vector<Hash> rows, leaves;
	std::vector<uint64_t> first_of_pass, size_after_pass;
};

Log MakeLog(std::vector<int> events_per_pass, Sha256 &sha)
{
	Log log{std::move(events_per_pass), {}, {}, {}, {}};
	for (int n : log.events_per_pass) {
		log.first_of_pass.push_back(log.rows.size());
		for (int i = 0; i < n; i++) {
			log.rows.push_back(sha.Of("event " + std::to_string(log.rows.size())));
			log.leaves.push_back(LeafHash(log.rows.back(), sha));
		}
		log.size_after_pass.push_back(log.rows.size());
	}
	return log;
}

DayExtent Closed(const std::string &day, int64_t last_pass, const Log &log, Sha256 &sha)
{
	uint64_t const size = log.size_after_pass[static_cast<size_t>(last_pass - 1)];
	return {day, last_pass, static_cast<int64_t>(size), SubtreeRoot(log.leaves, 0, size, sha)};
}

std::string Stream(const Log &log, std::vector<DayExtent> days, std::vector<std::string> &left_out)
{
	ProofWriter writer(std::move(days));
	size_t at = 0;
	for (size_t p = 0; p < log.events_per_pass.size(); p++) {
		writer.OnPass(static_cast<int64_t>(p + 1));
		for (int i = 0; i < log.events_per_pass[p]; i++)
			writer.OnEvent(log.rows[at++]);
	}
	std::ostringstream out;
	left_out = writer.Write(out);
	return out.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(export_proofs)

BOOST_AUTO_TEST_CASE(proofs_equal_the_list_proofs_and_skip_empty_days)
{
	Sha256 sha;
	/* Passes 1..7; pass 4 is empty. Day A: passes 1-2, B: 3-4 (4 empty), C: nothing new, D: 5-7. */
	Log const log = MakeLog({3, 2, 5, 0, 1, 4, 2}, sha);
	std::vector<DayExtent> const days = {Closed("2026-11-01", 2, log, sha), Closed("2026-11-02", 4, log, sha),
										 Closed("2026-11-03", 4, log, sha), Closed("2026-11-04", 7, log, sha)};
	std::vector<std::string> left_out;
	std::string const got = Stream(log, days, left_out);
	BOOST_TEST(left_out.empty());

	std::ostringstream want;
	/* C between consecutive days; a day with the same size as the one before still gets its (empty) proof. */
	const int64_t sizes[] = {5, 10, 10, 17};
	for (int i = 0; i + 1 < 4; i++)
		want << "C " << days[i].day << ' ' << days[i + 1].day << ' ' << sizes[i] << ' ' << sizes[i + 1] << ' '
			 << ToHex(days[i].tree_head) << ' ' << ToHex(days[i + 1].tree_head) << ' '
			 << PathText(ConsistencyProof(log.leaves, sizes[i], sizes[i + 1], sha)) << '\n';
	/* I: the first event of the day's last non-empty pass (day B's pass 4 is empty: pass 3's). */
	const uint64_t index[] = {3, 5, 5, 15};
	for (int i = 0; i < 4; i++)
		want << "I " << days[i].day << ' ' << sizes[i] << ' ' << index[i] << ' ' << ToHex(log.rows[index[i]]) << ' '
			 << ToHex(days[i].tree_head) << ' '
			 << PathText(InclusionProof(log.leaves, index[i], static_cast<uint64_t>(sizes[i]), sha)) << '\n';
	BOOST_TEST(got == want.str());
}

BOOST_AUTO_TEST_CASE(a_day_the_log_does_not_give_is_left_out_and_named)
{
	Sha256 sha;
	Log const log = MakeLog({3, 2, 5}, sha);
	std::vector<DayExtent> days = {Closed("2026-11-01", 1, log, sha), Closed("2026-11-02", 2, log, sha),
								   Closed("2026-11-03", 3, log, sha)};
	days[1].tree_head = sha.Of("another head");
	days[2].tree_size += 1;
	std::vector<std::string> left_out;
	std::string const got = Stream(log, days, left_out);
	BOOST_TEST(left_out.size() == 2u);
	BOOST_TEST(left_out[0].rfind("day 2026-11-02: the exported log up to pass 2 has 5 events", 0) == 0);
	BOOST_TEST(left_out[1].rfind("day 2026-11-03: the exported log up to pass 3 has 10 events", 0) == 0);
	/* Only day 1 is proved: one inclusion proof, no consistency proof. */
	BOOST_TEST(got.rfind("I 2026-11-01 3 0 ", 0) == 0);
	BOOST_TEST(got.find('\n') == got.size() - 1);
}

BOOST_AUTO_TEST_CASE(events_after_the_last_closed_day_are_not_kept)
{
	Sha256 sha;
	Log const log = MakeLog({2, 3}, sha);
	std::vector<std::string> left_out;
	std::string const got = Stream(log, {Closed("2026-11-01", 1, log, sha)}, left_out);
	BOOST_TEST(left_out.empty());
	BOOST_TEST(got == "I 2026-11-01 2 0 " + ToHex(log.rows[0]) + ' ' + ToHex(SubtreeRoot(log.leaves, 0, 2, sha)) +
						  ' ' + ToHex(log.leaves[1]) + '\n');
	BOOST_TEST(Stream(log, {}, left_out).empty());
}

// Many logs of up to 300 passes of 0 to 9 events (up to about 1,400 leaves,
// across many powers of two), closed days at random extents, some sharing
// one: every line equals the proofs over the whole list of leaf hashes.
BOOST_AUTO_TEST_CASE(random_logs_give_the_list_proofs)
{
	Sha256 sha;
	uint64_t state = 12345;
	auto next = [&state](uint64_t bound) {
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		return (state >> 33) % bound;
	};
	for (int round = 0; round < 60; round++) {
		std::vector<int> per_pass;
		for (uint64_t p = 0, n = 1 + next(300); p < n; p++)
			per_pass.push_back(static_cast<int>(next(4) == 0 ? 0 : next(10)));
		Log const log = MakeLog(per_pass, sha);
		std::vector<DayExtent> days;
		for (int64_t pass = 0;;) {
			pass += static_cast<int64_t>(next(40));
			if (pass > static_cast<int64_t>(per_pass.size()))
				break;
			if (pass == 0)
				continue;
			days.push_back(Closed("2026-10-" + std::to_string(10 + days.size()), pass, log, sha));
		}
		std::vector<std::string> left_out;
		std::string const got = Stream(log, days, left_out);
		BOOST_TEST(left_out.empty());
		std::ostringstream want;
		const DayExtent *from = nullptr;
		for (const DayExtent &d : days) {
			if (d.tree_size == 0)
				continue;
			if (from)
				want << "C " << from->day << ' ' << d.day << ' ' << from->tree_size << ' ' << d.tree_size << ' '
					 << ToHex(from->tree_head) << ' ' << ToHex(d.tree_head) << ' '
					 << PathText(ConsistencyProof(log.leaves, from->tree_size, d.tree_size, sha)) << '\n';
			from = &d;
		}
		for (const DayExtent &d : days) {
			if (d.tree_size == 0)
				continue;
			size_t last = static_cast<size_t>(d.last_pass - 1);
			while (per_pass[last] == 0)
				last--;
			uint64_t const index = log.first_of_pass[last];
			want << "I " << d.day << ' ' << d.tree_size << ' ' << index << ' ' << ToHex(log.rows[index]) << ' '
				 << ToHex(d.tree_head) << ' '
				 << PathText(InclusionProof(log.leaves, index, static_cast<uint64_t>(d.tree_size), sha)) << '\n';
		}
		BOOST_TEST(got == want.str(), "round " << round);
	}
}

BOOST_AUTO_TEST_SUITE_END()
