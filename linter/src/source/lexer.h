// lexer.h — one pass over a SQL file that knows where strings, quoted
// identifiers, dollar quotes and comments are, so that psql meta-commands and
// COPY ... FROM STDIN data can be blanked out and comments found, without
// moving any byte (every offset stays valid). It also splits statements: at
// ';' outside strings, comments, parentheses and BEGIN ATOMIC ... END bodies.
// (libpg_query's scanner-based splitter drops statements it cannot classify,
// and a statement that does not parse must still be reported.)
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tlint {

struct Comment {
	size_t offset = 0; /* of the "--" or slash-star */
	size_t length = 0;
	std::string_view text; /* without the comment markers */
};

/* A statement's bytes, without its terminating ';'; leading comments included. */
struct StatementSpan {
	size_t offset = 0;
	size_t length = 0;
	bool has_tokens = true; /* false: only spaces and comments */
	bool maybe_placeholders = true; /* false: no @, ? or : (but ::) outside strings and comments */
};

struct LexedSource {
	std::string sql;				/* the input with non-SQL parts replaced by spaces */
	std::vector<StatementSpan> statements;
	std::vector<Comment> comments;	/* views into the original input */
	std::vector<size_t> meta_lines; /* offsets of psql meta-commands that were blanked */
};

LexedSource LexSource(std::string_view input);

/* Runs work(0) ... work(count - 1), perhaps on several threads. */
using ForEach = std::function<void(size_t count, const std::function<void(size_t)> &work)>;

/* Inputs this large are cut into pieces lexed at once (through for_each); smaller ones are not worth it. */
constexpr size_t kParallelLexBytes = 1u << 20;

/* The same result as LexSource(input), from up to `pieces` pieces lexed at once. */
LexedSource LexSource(std::string_view input, unsigned pieces, const ForEach &for_each);

} // namespace tlint
