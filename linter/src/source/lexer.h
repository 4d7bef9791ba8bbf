// lexer.h — one pass over a SQL file that knows where strings, quoted
// identifiers, dollar quotes and comments are, so that psql meta-commands and
// COPY ... FROM STDIN data can be blanked out and comments found, without
// moving any byte (every offset stays valid). It also splits statements: at
// ';' outside strings, comments, parentheses and BEGIN ATOMIC ... END bodies.
// (libpg_query's scanner-based splitter drops statements it cannot classify,
// and a statement that does not parse must still be reported.)
#pragma once

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
};

struct LexedSource {
	std::string sql;				/* the input with non-SQL parts replaced by spaces */
	std::vector<StatementSpan> statements;
	std::vector<Comment> comments;	/* views into the original input */
	std::vector<size_t> meta_lines; /* offsets of psql meta-commands that were blanked */
};

LexedSource LexSource(std::string_view input);

} // namespace tlint
