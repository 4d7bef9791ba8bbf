#include "parse/parser.h"

#include "parse/pg_nodes.h"

namespace tlint {

size_t CharPositionToByte(std::string_view text, int cursorpos)
{
	size_t byte = 0;
	int chars = 1;
	while (byte < text.size() && chars < cursorpos) {
		byte++;
		while (byte < text.size() && (static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80)
			byte++;
		chars++;
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
			result.error->cursorpos > 0 ? CharPositionToByte(sql, result.error->cursorpos) : 0;
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
