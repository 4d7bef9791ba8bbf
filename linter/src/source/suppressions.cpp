#include "source/suppressions.h"

#include "common/text_list.h"

namespace tlint {

namespace {

constexpr std::string_view kMarker = "tenant-lint:";

void ParseRuleList(std::string_view list, Suppression &s)
{
	for (std::string_view id : tg::SplitList(list, ','))
		if (!id.empty())
			s.rules.emplace_back(id);
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
	s.reason = std::string(tg::TrimSpaces(directive.substr(close + 1)));
	return s;
}

} // namespace

std::vector<Suppression> ParseSuppressions(const std::vector<Comment> &comments)
{
	std::vector<Suppression> out;
	for (const Comment &c : comments) {
		std::string_view body = tg::TrimSpaces(c.text);
		if (body.substr(0, kMarker.size()) != kMarker)
			continue;
		body = tg::TrimSpaces(body.substr(kMarker.size()));
		out.push_back(ParseDirective(c, body));
	}
	return out;
}

} // namespace tlint
