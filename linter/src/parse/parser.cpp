#include "parse/parser.h"

#include <algorithm>

#include "parse/pg_nodes.h"

namespace tlint {

size_t CursorToByte(std::string_view text, int cursorpos)
{
	/* libpg_query's cursor position is a 1-based character (not byte) index. */
	size_t byte = 0;
	for (int chars = 1; chars < cursorpos && byte < text.size(); chars++) {
		byte++;
		while (byte < text.size() && (static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80)
			byte++;
	}
	return byte;
}

ParsedStatement::ParsedStatement(const std::string &sql)
{
	context_ = pg_query_enter_memory_context();
	PgQueryInternalParsetreeAndError result = pg_query_raw_parse(sql.c_str());
	tree_ = result.tree;
	if (result.error != nullptr) {
		error_.message = result.error->message != nullptr ? result.error->message : "syntax error";
		error_.byte_offset =
			CursorToByte(sql, result.error->cursorpos);
		pg_query_free_error(result.error);
		tree_ = nullptr;
	}
	free(result.stderr_buffer);
}

ParsedStatement::~ParsedStatement()
{
	pg_query_exit_memory_context(static_cast<MemoryContext>(context_));
}

} // namespace tlint
