// parser.h — libpg_query, one statement at a time, on the raw parse tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct List;

namespace tlint {

struct ParseError {
	std::string message;
	size_t byte_offset = 0; /* within the parsed text */
};

/*
 * One parse, owning the memory context its tree lives in: the tree is valid
 * until the ParsedStatement is destroyed. Thread-safe (libpg_query keeps its
 * memory contexts per thread); see main.cpp for what it does to stderr.
 */
class ParsedStatement {
public:
	explicit ParsedStatement(const std::string &sql);
	~ParsedStatement();
	ParsedStatement(const ParsedStatement &) = delete;
	ParsedStatement &operator=(const ParsedStatement &) = delete;

	bool ok() const { return error_.message.empty(); }
	const ParseError &error() const { return error_; }
	List *tree() const { return tree_; } /* of RawStmt */

private:
	void *context_ = nullptr;
	List *tree_ = nullptr;
	ParseError error_;
};

/* The byte offset in text of libpg_query's 1-based error cursor position. */
size_t CursorToByte(std::string_view text, int cursorpos);

} // namespace tlint
