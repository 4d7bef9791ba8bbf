#include "source/source_file.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <sys/stat.h>

namespace tlint {

LineIndex::LineIndex(std::string_view text) : text_(text)
{
	starts_.push_back(0);
	for (size_t i = 0; i < text.size(); i++)
		if (text[i] == '\n')
			starts_.push_back(i + 1);
}

Position LineIndex::At(size_t byte_offset) const
{
	if (byte_offset > text_.size())
		byte_offset = text_.size();
	auto it = std::upper_bound(starts_.begin(), starts_.end(), byte_offset);
	size_t const line_start = *(it - 1);
	Position p;
	p.line = static_cast<int>(it - starts_.begin());
	/* Count characters, not bytes: UTF-8 continuation bytes do not start one. */
	int column = 1;
	for (size_t i = line_start; i < byte_offset; i++)
		if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80)
			column++;
	p.column = column;
	return p;
}

namespace {

/* Characters in bytes (UTF-8 continuation bytes do not start one); ASCII eight bytes at a time. */
int CountCharacters(const char *bytes, size_t n)
{
	size_t count = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t word;
		memcpy(&word, bytes + i, sizeof(word));
		if ((word & 0x8080808080808080ull) == 0) {
			count += 8;
			continue;
		}
		for (size_t k = i; k < i + 8; k++)
			count += (static_cast<unsigned char>(bytes[k]) & 0xC0) != 0x80;
	}
	for (; i < n; i++)
		count += (static_cast<unsigned char>(bytes[i]) & 0xC0) != 0x80;
	return static_cast<int>(count);
}

} // namespace

/* Line by line with memchr: the report stage walks the whole file once. */
Position LineCursor::Advance(Position p, size_t from, size_t to) const
{
	to = std::min(to, text_.size());
	const char *const base = text_.data();
	while (from < to) {
		auto const *nl = static_cast<const char *>(memchr(base + from, '\n', to - from));
		size_t const stop = nl != nullptr ? static_cast<size_t>(nl - base) : to;
		p.column += CountCharacters(base + from, stop - from);
		if (nl == nullptr)
			break;
		p.line++;
		p.column = 1;
		from = stop + 1;
	}
	return p;
}

Position LineCursor::At(size_t byte_offset)
{
	byte_offset = std::min(byte_offset, text_.size());
	if (byte_offset < offset_) {
		offset_ = 0;
		position_ = Position{};
	}
	position_ = Advance(position_, offset_, byte_offset);
	offset_ = byte_offset;
	return position_;
}

std::string_view LineIndex::Line(int line) const
{
	if (line < 1 || line > LineCount())
		return {};
	size_t const start = starts_[line - 1];
	size_t end = line < LineCount() ? starts_[line] - 1 : text_.size();
	if (end > start && text_[end - 1] == '\r')
		end--;
	return text_.substr(start, end - start);
}

std::optional<size_t> FirstInvalidUtf8(std::string_view text)
{
	size_t i = 0;
	while (i < text.size()) {
		/* Most SQL is ASCII: skip eight such bytes at a time. */
		if (i + 8 <= text.size()) {
			uint64_t word;
			memcpy(&word, text.data() + i, sizeof(word));
			if ((word & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		auto const c = static_cast<unsigned char>(text[i]);
		size_t len = 0;
		uint32_t cp = 0;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + len > text.size())
			return i;
		for (size_t k = 1; k < len; k++) {
			auto const cc = static_cast<unsigned char>(text[i + k]);
			if ((cc & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (cc & 0x3F);
		}
		/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
			(cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return i;
		i += len;
	}
	return std::nullopt;
}

std::optional<InputProblem> CheckSqlText(std::string_view bytes)
{
	size_t const nul = bytes.find('\0');
	if (nul != std::string_view::npos)
		return InputProblem{"file is binary (it contains a NUL byte), not SQL text", nul};
	if (std::optional<size_t> bad = FirstInvalidUtf8(bytes))
		return InputProblem{"file is not valid UTF-8; save it as UTF-8", *bad};
	return std::nullopt;
}

FileContents ReadFile(const std::string &path, size_t max_bytes)
{
	FileContents contents;
	struct stat st {};
	if (stat(path.c_str(), &st) != 0) {
		contents.io_error = strerror(errno);
		return contents;
	}
	if (S_ISDIR(st.st_mode)) {
		contents.io_error = "is a directory";
		return contents;
	}
	auto const size = static_cast<size_t>(st.st_size);
	if (size > max_bytes) {
		contents.problem = InputProblem{"file is " + std::to_string(size) +
											" bytes, over the limit of " + std::to_string(max_bytes) +
											" (raise it with --max-file-size)",
										0};
		return contents;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		contents.io_error = strerror(errno);
		return contents;
	}
	contents.bytes.resize(size);
	in.read(contents.bytes.data(), static_cast<std::streamsize>(size));
	/* A file that shrank while we read it: keep what was there. */
	contents.bytes.resize(static_cast<size_t>(in.gcount()));
	if (in.bad())
		contents.io_error = "read failed";
	return contents;
}

} // namespace tlint
