// suppressions.h — "-- tenant-lint: ignore[rule-id] reason" comments.
//
//   ignore[rule, ...] reason        the statement on the next line, or the
//                                   statement the comment sits in or ends
//   ignore-file[rule, ...] reason   the whole file
//
// A suppression that suppresses nothing is reported (unused-suppression), and
// so is one naming no rule or an unknown rule (invalid-suppression).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "source/lexer.h"

namespace tlint {

struct Suppression {
	size_t offset = 0; /* of the comment */
	size_t length = 0;
	bool whole_file = false;
	std::vector<std::string> rules;
	std::string reason;
	std::string problem; /* non-empty: malformed, with why */
	bool used = false;
};

/* The suppressions among a file's comments. */
std::vector<Suppression> ParseSuppressions(const std::vector<Comment> &comments);

} // namespace tlint
