#include <charconv>
#include <string>

#include "output/report.h"

namespace tlint {

namespace {

/* Length of the valid UTF-8 sequence at s[i], or 0 when it is not one. */
size_t Utf8Length(const std::string &s, size_t i)
{
	auto const byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
	unsigned char const c = byte(i);
	size_t const n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
	if (n == 0 || i + n > s.size())
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((byte(i + k) & 0xC0) != 0x80)
			return 0;
	/* No overlong three- or four-byte forms, no surrogates, nothing above U+10FFFF. */
	if ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) > 0x9F) ||
		(c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) > 0x8F))
		return 0;
	return n;
}

/* The bytes a JSON string holds as they are: printable ASCII but '"' and backslash. */
struct PlainBytes {
	bool of[256];
	constexpr PlainBytes() : of()
	{
		for (int c = 0x20; c < 0x80; c++)
			of[c] = c != '"' && c != '\\';
	}
};
constexpr PlainBytes kPlain;

/* A JSON string; invalid UTF-8 (never expected: such files are reported, not echoed) becomes U+FFFD. */
void AppendString(std::string &out, const std::string &s)
{
	static const char kHex[] = "0123456789abcdef";
	out += '"';
	size_t run = 0; /* start of the bytes that need no escaping */
	for (size_t i = 0; i < s.size();) {
		auto const c = static_cast<unsigned char>(s[i]);
		if (kPlain.of[c]) {
			i++;
			continue;
		}
		size_t const n = c >= 0x80 ? Utf8Length(s, i) : 1;
		if (c >= 0x80 && n > 0) {
			i += n;
			continue;
		}
		out.append(s, run, i - run);
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\b': out += "\\b"; break;
		case '\f': out += "\\f"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (c < 0x20) {
				out += "\\u00";
				out += kHex[c >> 4];
				out += kHex[c & 0xF];
			} else {
				out += "\xEF\xBF\xBD";
			}
		}
		run = ++i;
	}
	out.append(s, run, std::string::npos);
	out += '"';
}

void AppendInt(std::string &out, int value)
{
	char digits[16];
	auto const [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
	out.append(digits, end);
}

} // namespace

/*
 * Written by hand, not through a JSON DOM: a findings-heavy run spent a fifth
 * of its time building and freeing the tree. Keys in alphabetical order, two
 * spaces of indent.
 */
void WriteJson(std::ostream &out, const std::vector<FileReport> &reports)
{
	std::string text = "[";
	bool first = true;
	for (const FileReport &report : reports)
		for (const Finding &f : report.findings) {
			text += first ? "\n  {\n" : ",\n  {\n";
			first = false;
			/* Each key with the punctuation around it is one literal: a few appends per finding. */
			text += "    \"column\": ";
			AppendInt(text, f.start.column);
			text += ",\n    \"end_column\": ";
			AppendInt(text, f.end.column);
			text += ",\n    \"end_line\": ";
			AppendInt(text, f.end.line);
			text += ",\n    \"file\": ";
			AppendString(text, f.file);
			text += ",\n    \"line\": ";
			AppendInt(text, f.start.line);
			text += ",\n    \"message\": ";
			AppendString(text, f.message);
			text += ",\n    \"rule\": ";
			AppendString(text, f.rule);
			text += ",\n    \"severity\": ";
			AppendString(text, SeverityName(f.severity));
			text += "\n";
			text += "  }";
			if (text.size() > (1u << 20)) {
				out << text;
				text.clear();
			}
		}
	text += first ? "]\n" : "\n]\n";
	out << text;
}

} // namespace tlint
