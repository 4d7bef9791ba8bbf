#include "rules/rule_context.h"

#include <cctype>

namespace tlint {

void RuleContext::Report(const char *rule, int location, std::string message, bool downgrade) const
{
	size_t start = location < 0 ? 0 : static_cast<size_t>(location);
	if (location < 0) {
		/* The statement's first token: skip what the splitter left in front. */
		while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start])))
			start++;
	}
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
