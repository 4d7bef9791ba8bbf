#include "common/text_list.h"

#include <cctype>

#include "common/pure_cpp.h"

namespace tg {

std::string_view TrimSpaces(std::string_view s)
{
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
		s.remove_prefix(1);
	while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
		s.remove_suffix(1);
	return s;
}

std::vector<std::string_view> SplitList(std::string_view s, char separator)
{
	std::vector<std::string_view> parts;
	size_t start = 0;
	for (;;) {
		size_t const at = s.find(separator, start);
		size_t const length = at == std::string_view::npos ? std::string_view::npos : at - start;
		parts.push_back(TrimSpaces(s.substr(start, length)));
		if (at == std::string_view::npos)
			return parts;
		start = at + 1;
	}
}

} // namespace tg
