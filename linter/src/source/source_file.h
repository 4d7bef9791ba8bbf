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
	size_t LineStart(int line) const { return starts_[line - 1]; }

private:
	std::string_view text_;
	std::vector<size_t> starts_;
};

/*
 * Positions for ascending offsets in time linear in the distance walked: At()
 * counts characters from the previous offset, not from the line start (a
 * one-line file of megabytes has one line start).
 */
class LineCursor {
public:
	explicit LineCursor(std::string_view text) : text_(text) {}
	Position At(size_t byte_offset); /* offsets should ascend; a step back restarts the count */
	/* From a known position to a later offset (a finding's end). */
	Position Advance(Position from, size_t from_offset, size_t to_offset) const;

private:
	std::string_view text_;
	size_t offset_ = 0;
	Position position_;
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
