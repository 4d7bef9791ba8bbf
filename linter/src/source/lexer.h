// lexer.h — one pass over a SQL file that knows where strings, quoted
// identifiers, dollar quotes and comments are, so that psql meta-commands and
// COPY ... FROM STDIN data can be blanked out and comments found, without
// moving any byte (every offset stays valid).
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

struct LexedSource {
	std::string sql;				/* the input with non-SQL parts replaced by spaces */
	std::vector<Comment> comments;	/* views into the original input */
	std::vector<size_t> meta_lines; /* offsets of psql meta-commands that were blanked */
};

LexedSource LexSource(std::string_view input);

} // namespace tlint
