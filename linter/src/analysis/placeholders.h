// placeholders.h — the parameter spellings of application code that
// PostgreSQL's grammar does not know: sqlc's @name, :name and :'name' (sqlx,
// psql), ? (JDBC, database/sql) and ?1. They are rewritten in place, without
// moving a byte, into forms that parse as values ($1 padded with spaces; a lone
// ? becomes 0, remembered so that it is not taken for a literal).
#pragma once

#include <string>
#include <vector>

namespace tlint {

struct Placeholders {
	std::vector<int> question_marks; /* offsets of lone ? rewritten to 0, ascending */

	bool IsQuestionMark(int location) const;
};

/* Rewrites sql in place; strings, quoted identifiers and comments are left alone. */
Placeholders RewritePlaceholders(std::string &sql);

} // namespace tlint
