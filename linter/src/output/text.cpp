#include "output/report.h"
#include "source/source_file.h"

#include <algorithm>

namespace tlint {

namespace {

const char *Color(Severity s)
{
	switch (s) {
	case Severity::Error:
		return "\033[1;31m";
	case Severity::Warning:
		return "\033[1;33m";
	default:
		return "\033[1;36m";
	}
}

/* Long lines (a one-line file) are shown as a window around the finding. */
constexpr size_t kContextBefore = 60;
constexpr size_t kContextAfter = 100;

size_t CharStart(std::string_view line, size_t byte)
{
	while (byte > 0 && byte < line.size() && (static_cast<unsigned char>(line[byte]) & 0xC0) == 0x80)
		byte--;
	return byte;
}

void WriteCaret(std::ostream &out, const Finding &f, std::string_view line, size_t at, bool color)
{
	/* at: the finding's byte offset within the line. */
	at = std::min(at, line.size());
	size_t const from = CharStart(line, at > kContextBefore ? at - kContextBefore : 0);
	size_t const to = CharStart(line, std::min(line.size(), at + kContextAfter));
	bool const clipped_left = from > 0;
	std::string_view const shown = line.substr(from, (to < line.size() ? to : line.size()) - from);
	out << "    " << (clipped_left ? "..." : "") << shown << (to < line.size() ? "..." : "") << '\n'
		<< "    " << (clipped_left ? "   " : "");
	/* Tabs stay tabs so the caret lines up under the source in any terminal. */
	for (size_t byte = 0; byte < at - from && byte < shown.size(); byte++)
		if ((static_cast<unsigned char>(shown[byte]) & 0xC0) != 0x80)
			out << (shown[byte] == '\t' ? '\t' : ' ');
	int const width = f.end.line == f.start.line ? std::max(1, f.end.column - f.start.column) : 1;
	if (color)
		out << Color(f.severity);
	out << '^' << std::string(static_cast<size_t>(width - 1), '~');
	if (color)
		out << "\033[0m";
	out << '\n';
}

} // namespace

void WriteText(std::ostream &out, const std::vector<FileReport> &reports, bool color)
{
	size_t counts[3] = {0, 0, 0};
	for (const FileReport &report : reports) {
		LineIndex const lines(report.source);
		for (const Finding &f : report.findings) {
			counts[static_cast<int>(f.severity)]++;
			if (color)
				out << "\033[1m";
			out << f.file << ':' << f.start.line << ':' << f.start.column << ": ";
			if (color)
				out << "\033[0m" << Color(f.severity);
			out << SeverityName(f.severity) << ':';
			if (color)
				out << "\033[0m";
			out << ' ' << f.message << " [" << f.rule << "]\n";
			std::string_view const line = lines.Line(f.start.line);
			if (!line.empty())
				WriteCaret(out, f, line,
						   static_cast<size_t>(f.byte_offset) - lines.LineStart(f.start.line), color);
		}
	}
	size_t const total = counts[0] + counts[1] + counts[2];
	if (total == 0) {
		out << "no findings in " << reports.size() << (reports.size() == 1 ? " file\n" : " files\n");
		return;
	}
	out << counts[2] << (counts[2] == 1 ? " error, " : " errors, ") << counts[1]
		<< (counts[1] == 1 ? " warning, " : " warnings, ") << counts[0] << " info in "
		<< reports.size() << (reports.size() == 1 ? " file\n" : " files\n");
}

} // namespace tlint
