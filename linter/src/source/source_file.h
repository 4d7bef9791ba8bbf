// source_file.h — reading a file and mapping byte offsets to lines and columns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"

namespace tlint {

/* Byte offset -> 1-based line and column (columns count UTF-8 characters). */
class LineIndex {
public:
	explicit LineIndex(std::string_view text);
	Position At(size_t byte_offset) const;
	std::string_view Line(int line) const; /* without its newline */
	int LineCount() const { return static_cast<int>(starts_.size()); }

private:
	std::string_view text_;
	std::vector<size_t> starts_;
};

/* Why a file's bytes cannot be linted as SQL, with where; nullopt when they can. */
struct InputProblem {
	std::string message;
	size_t byte_offset = 0;
};
std::optional<InputProblem> CheckSqlText(std::string_view bytes);

/* A file's bytes, or why it was not read: an I/O error, or too large to lint. */
struct FileContents {
	std::string bytes;
	std::string io_error;				 /* could not be read at all */
	std::optional<InputProblem> problem; /* read, but not lintable (size) */
};
FileContents ReadFile(const std::string &path, size_t max_bytes);

/* Offset of the first byte that is not valid UTF-8, or nullopt. */
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

} // namespace tlint
