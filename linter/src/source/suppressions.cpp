#include "source/suppressions.h"

#include <cctype>

namespace tlint {

namespace {

constexpr std::string_view kMarker = "tenant-lint:";

std::string_view Trim(std::string_view s)
{
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
		s.remove_prefix(1);
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
		s.remove_suffix(1);
	return s;
}

void ParseRuleList(std::string_view list, Suppression &s)
{
	size_t pos = 0;
	while (pos <= list.size()) {
		size_t const comma = list.find(',', pos);
		size_t const end = comma == std::string_view::npos ? list.size() : comma;
		std::string_view const id = Trim(list.substr(pos, end - pos));
		if (!id.empty())
			s.rules.emplace_back(id);
		if (comma == std::string_view::npos)
			break;
		pos = comma + 1;
	}
}

Suppression ParseDirective(const Comment &comment, std::string_view body)
{
	Suppression s;
	s.offset = comment.offset;
	s.length = comment.length;
	std::string_view directive = body;
	if (directive.substr(0, 11) == "ignore-file") {
		s.whole_file = true;
		directive.remove_prefix(11);
	} else if (directive.substr(0, 6) == "ignore") {
		directive.remove_prefix(6);
	} else {
		s.problem = "unknown directive; write ignore[rule-id] or ignore-file[rule-id]";
		return s;
	}
	if (directive.empty() || directive.front() != '[') {
		s.problem = "name the rules to ignore in brackets, e.g. ignore[missing-tenant-predicate]";
		return s;
	}
	size_t const close = directive.find(']');
	if (close == std::string_view::npos) {
		s.problem = "missing ']' after the rule list";
		return s;
	}
	ParseRuleList(directive.substr(1, close - 1), s);
	if (s.rules.empty())
		s.problem = "the rule list is empty";
	s.reason = std::string(Trim(directive.substr(close + 1)));
	return s;
}

} // namespace

std::vector<Suppression> ParseSuppressions(const std::vector<Comment> &comments)
{
	std::vector<Suppression> out;
	for (const Comment &c : comments) {
		std::string_view body = Trim(c.text);
		if (body.substr(0, kMarker.size()) != kMarker)
			continue;
		body = Trim(body.substr(kMarker.size()));
		out.push_back(ParseDirective(c, body));
	}
	return out;
}

} // namespace tlint
