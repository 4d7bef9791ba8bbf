#include <nlohmann/json.hpp>

#include "output/report.h"

namespace tlint {

void WriteJson(std::ostream &out, const std::vector<FileReport> &reports)
{
	nlohmann::json findings = nlohmann::json::array();
	for (const FileReport &report : reports)
		for (const Finding &f : report.findings)
			findings.push_back({{"file", f.file},
								{"line", f.start.line},
								{"column", f.start.column},
								{"end_line", f.end.line},
								{"end_column", f.end.column},
								{"rule", f.rule},
								{"severity", SeverityName(f.severity)},
								{"message", f.message}});
	/* Invalid UTF-8 never reaches here (such files are reported, not echoed), but be safe. */
	out << findings.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

} // namespace tlint
