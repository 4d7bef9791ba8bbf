#include "analysis/placeholders.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace tlint {

namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }
bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$'; }

/* Words after which an expression (a value) starts: ? there is a placeholder, not jsonb's ?. */
bool IsValueKeyword(std::string_view word)
{
	static const char *const kWords[] = {"and", "or", "not", "in", "is", "like", "ilike", "between",
										 "limit", "offset", "then", "else", "when", "select", "values",
										 "set", "returning", "by", "on", "where", "having", "case",
										 "return", "distinct", "all", "any", "some", "array", "to",
										 "from", "using", "similar", "with"};
	if (word.size() > 9)
		return false;
	char lower[10];
	for (size_t i = 0; i < word.size(); i++)
		lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(word[i])));
	std::string_view const w(lower, word.size());
	for (const char *k : kWords)
		if (w == k)
			return true;
	return false;
}

class Rewriter {
public:
	explicit Rewriter(std::string &sql) : s_(sql) {}

	Placeholders Run()
	{
		while (i_ < s_.size())
			Step();
		return std::move(out_);
	}

private:
	std::string &s_;
	size_t i_ = 0;
	Placeholders out_;

	void Step()
	{
		char const c = s_[i_];
		if (c == '-' && Next() == '-') {
			size_t const nl = s_.find('\n', i_);
			i_ = nl == std::string::npos ? s_.size() : nl;
		} else if (c == '/' && Next() == '*') {
			SkipBlockComment();
		} else if (c == '\'') {
			SkipQuoted('\'', i_ > 0 && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E'));
		} else if (c == '"') {
			SkipQuoted('"', false);
		} else if (c == '$' && DollarTag() > 0) {
			size_t const tag = DollarTag();
			size_t const close = s_.find(s_.substr(i_, tag), i_ + tag);
			i_ = close == std::string::npos ? s_.size() : close + tag;
		} else if (IsIdentChar(c)) {
			while (i_ < s_.size() && IsIdentChar(s_[i_]))
				i_++;
		} else if (c == '@') {
			AtName();
		} else if (c == ':') {
			ColonName();
		} else if (c == '?') {
			QuestionMark();
		} else {
			i_++;
		}
	}

	char Next() const { return i_ + 1 < s_.size() ? s_[i_ + 1] : '\0'; }
	char Prev() const { return i_ > 0 ? s_[i_ - 1] : '\0'; }

	size_t DollarTag() const
	{
		size_t j = i_ + 1;
		if (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j])))
			return 0;
		while (j < s_.size() && IsIdentStart(s_[j]))
			j++;
		while (j < s_.size() && IsIdentChar(s_[j]) && s_[j] != '$')
			j++;
		return j < s_.size() && s_[j] == '$' ? j - i_ + 1 : 0;
	}

	void SkipBlockComment()
	{
		int depth = 0;
		while (i_ < s_.size()) {
			if (s_.compare(i_, 2, "/*") == 0) {
				depth++;
				i_ += 2;
			} else if (s_.compare(i_, 2, "*/") == 0) {
				i_ += 2;
				if (--depth == 0)
					return;
			} else {
				i_++;
			}
		}
	}

	void SkipQuoted(char quote, bool backslash_escapes)
	{
		i_++;
		while (i_ < s_.size()) {
			if (backslash_escapes && s_[i_] == '\\') {
				i_ += 2;
				continue;
			}
			if (s_[i_] == quote) {
				i_++;
				if (i_ < s_.size() && s_[i_] == quote) {
					i_++;
					continue;
				}
				return;
			}
			i_++;
		}
	}

	/* Replaces [from, to) with $1 and spaces (to - from >= 2). */
	void Parameter(size_t from, size_t to)
	{
		s_[from] = '$';
		s_[from + 1] = '1';
		for (size_t k = from + 2; k < to; k++)
			s_[k] = ' ';
		i_ = to;
	}

	size_t NameEnd(size_t from) const
	{
		size_t j = from;
		while (j < s_.size() && IsIdentChar(s_[j]) && s_[j] != '$')
			j++;
		return j;
	}

	/* @name: sqlc. Not <@ or @@ (containment, text search), not @ followed by a space (abs). */
	void AtName()
	{
		char const prev = Prev();
		if (!IsIdentStart(Next()) || (prev != '\0' && !std::isspace(static_cast<unsigned char>(prev)) &&
									  !std::strchr("(,=[", prev))) {
			i_++;
			return;
		}
		Parameter(i_, NameEnd(i_ + 1));
	}

	/* :name and :'name'; not :: (a cast) nor an array slice a[lo:hi]. */
	void ColonName()
	{
		char const prev = Prev();
		if (prev == ':' || Next() == ':' || IsIdentChar(prev) || prev == ']' || prev == ')') {
			i_++;
			return;
		}
		if (IsIdentStart(Next()))
			return Parameter(i_, NameEnd(i_ + 1));
		if (Next() == '\'') {
			size_t const close = s_.find('\'', i_ + 2);
			if (close != std::string::npos)
				return Parameter(i_, close + 1);
		}
		i_++;
	}

	/* The last significant character before i_, and the word ending there if any. */
	bool InValuePosition() const
	{
		size_t j = i_;
		while (j > 0 && std::isspace(static_cast<unsigned char>(s_[j - 1])))
			j--;
		if (j == 0)
			return false;
		char const c = s_[j - 1];
		if (std::strchr("(,=<>[+-*/|%", c))
			return true;
		if (!IsIdentChar(c))
			return false;
		size_t k = j;
		while (k > 0 && IsIdentChar(s_[k - 1]))
			k--;
		return IsValueKeyword(std::string_view(s_).substr(k, j - k));
	}

	void QuestionMark()
	{
		size_t digits = i_ + 1;
		while (digits < s_.size() && std::isdigit(static_cast<unsigned char>(s_[digits])))
			digits++;
		char const after = digits < s_.size() ? s_[digits] : '\0';
		bool const operator_after = after != '\0' && std::strchr("|&?-", after) != nullptr;
		if (operator_after || !InValuePosition()) {
			i_++;
			return;
		}
		if (digits > i_ + 1) /* ?1: a numbered placeholder, as wide as $1 */
			return Parameter(i_, digits);
		s_[i_] = '0';
		out_.question_marks.push_back(static_cast<int>(i_));
		i_++;
	}
};

} // namespace

bool Placeholders::IsQuestionMark(int location) const
{
	return std::binary_search(question_marks.begin(), question_marks.end(), location);
}

Placeholders RewritePlaceholders(std::string &sql)
{
	/* Most statements hold none of the three characters: leave them untouched. */
	bool any = false;
	for (char const c : sql)
		any = any || c == '@' || c == ':' || c == '?';
	if (!any)
		return {};
	return Rewriter(sql).Run();
}

} // namespace tlint
