/* log_lines.h — reading the export's text files: lines through a large buffer, fields in place. */
#pragma once

#include "common/audit_chain.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

inline int64_t ParseInt(std::string_view s)
{
	int64_t v = 0;
	bool neg = !s.empty() && s[0] == '-';
	for (size_t i = neg ? 1 : 0; i < s.size(); i++) {
		if (s[i] < '0' || s[i] > '9')
			throw std::runtime_error("not a number: " + std::string(s));
		v = v * 10 + (s[i] - '0');
	}
	return neg ? -v : v;
}

/* Reads lines from a file through a large buffer: getline costs too much at a million lines a second. */
class LineReader {
public:
	explicit LineReader(const std::string &path) : f_(std::fopen(path.c_str(), "rb")), buf_(1 << 20) {}
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
			if (n == 0)
				eof_ = true;
		}
	}

private:
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
	if (b.size() < 6 + len + 9 || b[6 + len] != '\x02')
		return false;
	chain = b.substr(6, len);
	uint64_t v = 0;
	for (size_t i = 7 + len; i < 15 + len; i++)
		v = v << 8 | static_cast<unsigned char>(b[i]);
	seq = static_cast<int64_t>(v);
	return true;
}

} // namespace tg::audit_cli
