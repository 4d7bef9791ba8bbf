#include "lint/spellcheck.h"

#include <algorithm>

namespace tlint {

size_t EditDistance(std::string_view a, std::string_view b)
{
	std::vector<size_t> row(b.size() + 1);
	for (size_t j = 0; j <= b.size(); j++)
		row[j] = j;
	for (size_t i = 1; i <= a.size(); i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= b.size(); j++) {
			size_t const above = row[j];
			row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
			diagonal = above;
		}
	}
	return row[b.size()];
}

std::string ClosestMatch(std::string_view unknown, const std::vector<std::string_view> &candidates)
{
	std::string_view prefix_match;
	int prefix_matches = 0;
	for (std::string_view c : candidates)
		if (unknown.size() >= 4 && c.substr(0, unknown.size()) == unknown) {
			prefix_match = c;
			prefix_matches++;
		}
	if (prefix_matches == 1)
		return std::string(prefix_match);
	std::string_view best;
	size_t best_distance = unknown.size() / 2 + 2; /* farther than this is no suggestion */
	for (std::string_view c : candidates) {
		size_t const d = EditDistance(unknown, c);
		if (d < best_distance) {
			best_distance = d;
			best = c;
		}
	}
	return std::string(best);
}

} // namespace tlint
