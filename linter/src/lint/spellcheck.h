// spellcheck.h — "did you mean ...?" for rule ids and config keys (as ninja does).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tlint {

/* Levenshtein distance. */
size_t EditDistance(std::string_view a, std::string_view b);

/*
 * The candidate closest to unknown: its only candidate with that prefix (at
 * least 4 characters), else the nearest by edit distance if it is within half
 * the word's length; empty if nothing is close.
 */
std::string ClosestMatch(std::string_view unknown, const std::vector<std::string_view> &candidates);

} // namespace tlint
