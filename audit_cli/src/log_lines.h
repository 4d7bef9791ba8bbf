/* log_lines.h — reading the export's text files: lines through a large buffer, fields in place. */
#pragma once

#include "common/audit_chain.h"

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tg::audit_cli {

/* The space-separated fields of a line, in place: a line has at most kMaxFields (more count as kMaxFields + 1). */
class Fields {
public:
	static constexpr size_t kMaxFields = 8;
	explicit Fields(std::string_view line)
	{
		size_t start = 0;
		for (;;) {
			size_t const end = line.find(' ', start);
			if (n_ == kMaxFields) {
				n_++;
				return;
			}
			f_[n_++] = line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
			if (end == std::string_view::npos)
				return;
			start = end + 1;
		}
	}
	size_t size() const { return n_; }
	std::string_view operator[](size_t i) const { return f_[i]; }

private:
	std::string_view f_[kMaxFields];
	size_t n_ = 0;
};

/* Text from a file, fit for a message: at most 40 bytes, control and non-ASCII bytes as \\xNN. */
inline std::string Printable(std::string_view s)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	for (size_t i = 0; i < s.size() && i < 40; i++) {
		unsigned char const c = static_cast<unsigned char>(s[i]);
		if (c >= 0x20 && c < 0x7f) {
			out += static_cast<char>(c);
		} else {
			out += "\\x";
			out += digits[c >> 4];
			out += digits[c & 0xF];
		}
	}
	return s.size() > 40 ? out + "..." : out;
}

/* A decimal int64: digits with an optional '-', nothing else, and within range. */
inline int64_t ParseInt(std::string_view s)
{
	int64_t v = 0;
	auto const [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || error != std::errc() || end != s.data() + s.size())
		throw std::runtime_error("not a number within int64: \"" + Printable(s) + "\"");
	return v;
}

/* A day as the export writes it: YYYY-MM-DD, digits and dashes. */
inline bool IsDay(std::string_view s)
{
	if (s.size() != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < s.size(); i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

/*
 * Reads lines from a file through a large buffer: getline costs too much at a
 * million lines a second. A path that exists but is no regular file (a FIFO,
 * whose open would wait for a writer forever; a directory; a device), or that
 * cannot be opened, is an error at construction; a missing one is !ok().
 */
class LineReader {
public:
	explicit LineReader(const std::string &path) : path_(path), f_(OpenRegular(path)), buf_(1 << 20) {}
	~LineReader()
	{
		if (f_)
			std::fclose(f_);
	}
	bool ok() const { return f_ != nullptr; }
	bool Next(std::string_view &line)
	{
		for (;;) {
			const char *nl = static_cast<const char *>(memchr(buf_.data() + pos_, '\n', end_ - pos_));
			if (nl) {
				line = std::string_view(buf_.data() + pos_, static_cast<size_t>(nl - (buf_.data() + pos_)));
				pos_ = static_cast<size_t>(nl - buf_.data()) + 1;
				return true;
			}
			if (eof_) {
				if (pos_ == end_)
					return false;
				line = std::string_view(buf_.data() + pos_, end_ - pos_);
				pos_ = end_;
				return true;
			}
			/* Move the partial line to the front and read more; grow for very long lines. */
			std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
			end_ -= pos_;
			pos_ = 0;
			if (end_ == buf_.size())
				buf_.resize(buf_.size() * 2);
			size_t const n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, f_);
			end_ += n;
			/* A read error (a directory, say) is no end of file: it must not pass as an empty file. */
			if (n == 0 && std::ferror(f_))
				throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
			if (n == 0)
				eof_ = true;
		}
	}

private:
	/*
	 * Opened without waiting (O_NONBLOCK: a FIFO opens at once instead of
	 * waiting for a writer), then checked on the descriptor itself, so that
	 * nothing can be swapped in between. Only a missing file is "absent";
	 * any other failure (no permission, say) is an error.
	 */
	static FILE *OpenRegular(const std::string &path)
	{
		int const fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return nullptr;
			throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
		}
		struct stat st;
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			throw std::runtime_error(path + " is not a regular file");
		}
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		FILE *f = fdopen(fd, "rb");
		if (f == nullptr) {
			close(fd);
			throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
		}
		return f;
	}

	std::string path_;
	FILE *f_;
	std::vector<char> buf_;
	size_t pos_ = 0, end_ = 0;
	bool eof_ = false;
};

/* The chain_id and seq at the start of the canonical encoding (format 1). */
inline bool ReadChainAndSeq(std::string_view b, std::string_view &chain, int64_t &seq)
{
	if (b.size() < 6 || static_cast<unsigned char>(b[0]) != audit::kEventFormat || b[1] != '\x01')
		return false;
	uint32_t len = 0;
	for (int i = 2; i < 6; i++)
		len = len << 8 | static_cast<unsigned char>(b[i]);
	/* In size_t: a length near 2^32 must not wrap the bound into a small one. */
	if (b.size() < size_t{6} + len + 9 || b[size_t{6} + len] != '\x02')
		return false;
	chain = b.substr(6, len);
	uint64_t v = 0;
	for (size_t i = 7 + len; i < 15 + len; i++)
		v = v << 8 | static_cast<unsigned char>(b[i]);
	seq = static_cast<int64_t>(v);
	return true;
}

} // namespace tg::audit_cli
