#include "output/report.h"

namespace tlint {

std::string EscapeGithubData(const std::string &s)
{
	std::string out;
	for (char c : s) {
		if (c == '%')
			out += "%25";
		else if (c == '\r')
			out += "%0D";
		else if (c == '\n')
			out += "%0A";
		else
			out += c;
	}
	return out;
}

std::string EscapeGithubProperty(const std::string &s)
{
	std::string out;
	for (char c : EscapeGithubData(s)) {
		if (c == ':')
			out += "%3A";
		else if (c == ',')
			out += "%2C";
		else
			out += c;
	}
	return out;
}

void WriteGithub(std::ostream &out, const std::vector<FileReport> &reports)
{
	for (const FileReport &report : reports)
		for (const Finding &f : report.findings) {
			const char *command = f.severity == Severity::Error	  ? "error"
								  : f.severity == Severity::Warning ? "warning"
																	: "notice";
			out << "::" << command << " file=" << EscapeGithubProperty(f.file)
				<< ",line=" << f.start.line << ",col=" << f.start.column
				<< ",endLine=" << f.end.line << ",endColumn=" << f.end.column
				<< ",title=" << EscapeGithubProperty("tenant-lint " + f.rule)
				<< "::" << EscapeGithubData(f.message) << '\n';
		}
}

} // namespace tlint
