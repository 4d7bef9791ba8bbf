/*
 * text_list.h — trimming and splitting the small comma lists that settings
 * and comments hold (signing keys, suppression rule ids). Pure C++: shared
 * by the extension and tenant-lint.
 */
#pragma once

#include <string_view>
#include <vector>

namespace tg {

/* s without leading and trailing whitespace. */
std::string_view TrimSpaces(std::string_view s);

/* The parts of s between separators, each trimmed; empty parts are kept. */
std::vector<std::string_view> SplitList(std::string_view s, char separator);

} // namespace tg
