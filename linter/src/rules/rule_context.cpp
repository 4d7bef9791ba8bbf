#include "rules/rule_context.h"

#include "analysis/ddl_learner.h"

#include <algorithm>
#include <cctype>

namespace tlint {

void RuleContext::Report(const char *rule, int location, std::string message, bool downgrade) const
{
	/* -1: the statement's first token, past the comments the splitter left in front. */
	size_t start = location >= 0 ? static_cast<size_t>(location)
								 : statement_start + FirstTokenOffset(text.substr(std::min(statement_start, text.size())));
	if (start > text.size())
		start = text.size();
	RawFinding f;
	f.rule = rule;
	f.offset = offset + start;
	f.end = offset + NameEnd(start);
	f.message = std::move(message);
	f.downgrade = downgrade;
	sink.push_back(std::move(f));
}

size_t RuleContext::NameEnd(size_t location) const
{
	size_t i = location;
	while (i < text.size()) {
		char const c = text[i];
		if (c == '"') {
			size_t const close = text.find('"', i + 1);
			i = close == std::string_view::npos ? text.size() : close + 1;
			continue;
		}
		if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' ||
			(c & 0x80))
			i++;
		else
			break;
	}
	return i == location ? std::min(location + 1, text.size()) : i;
}

} // namespace tlint
