#include "source/lexer.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace tlint {

namespace {

constexpr bool IsIdentChar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		   (c & 0x80);
}

/* A dollar-quote opener at i: "$$" or "$tag$"; returns its length or 0. */
size_t DollarTag(std::string_view s, size_t i)
{
	if (s[i] != '$')
		return 0;
	/* "$1" is a parameter, not a tag; a tag cannot start with a digit. */
	size_t j = i + 1;
	if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
		return 0;
	while (j < s.size() && IsIdentChar(s[j]))
		j++;
	if (j < s.size() && s[j] == '$')
		return j - i + 1;
	return 0;
}

bool EqualsIgnoreCase(std::string_view word, std::string_view lower)
{
	if (word.size() != lower.size())
		return false;
	for (size_t k = 0; k < word.size(); k++)
		if ((word[k] | 0x20) != lower[k]) /* ASCII only: the keywords below are letters */
			return false;
	return true;
}

/* What Step does with a byte: most bytes only advance, and need no other test. */
enum ByteClass : unsigned char { kSpace, kToken, kWordStart, kSpecial };

struct ByteClasses {
	ByteClass of[256];
	bool ident[256]; /* IsIdentChar */
	constexpr ByteClasses() : of(), ident()
	{
		for (int c = 0; c < 256; c++)
			ident[c] = IsIdentChar(static_cast<char>(c));
		for (int c = 0; c < 256; c++)
			of[c] = kToken;
		for (char c : {' ', '\t', '\r', '\n', '\f', '\v'})
			of[static_cast<unsigned char>(c)] = kSpace;
		for (int c = 'a'; c <= 'z'; c++)
			of[c] = of[c - 'a' + 'A'] = kWordStart;
		of[static_cast<unsigned char>('_')] = kWordStart;
		for (char c : {'-', '/', '\'', '"', '$', '\\', ';', '(', ')', '@', ':', '?'})
			of[static_cast<unsigned char>(c)] = kSpecial;
	}
};

constexpr ByteClasses kByteClasses;

/*
 * Lexes from a statement boundary. Blanks are recorded, not applied, so that
 * lexers of several pieces of one input can run at once and the work of a
 * piece that started inside a string can be thrown away.
 */
class Lexer {
public:
	explicit Lexer(std::string_view in, size_t start = 0) : in_(in), i_(start), statement_start_(start) {}

	/* Lexes up to `stop` or a little past it (a token is never cut). */
	void RunUntil(size_t stop)
	{
		while (i_ < stop && i_ < in_.size())
			Step();
	}

	/* Did this lexer end a statement exactly at pos, with nothing pending? Then a lexer started at pos agrees with it. */
	bool BoundaryAt(size_t pos) const { return i_ == pos && statement_start_ == pos; }

	/* Moves what this lexer found onto out, in input order. */
	void AppendTo(LexedSource &out, std::vector<std::pair<size_t, size_t>> &blanks)
	{
		Append(out.statements, out_.statements);
		Append(out.comments, out_.comments);
		Append(out.meta_lines, out_.meta_lines);
		Append(blanks, blanks_);
	}

	/* The last statement, when the input ends without ';'. */
	void Finish()
	{
		if (statement_start_ < in_.size())
			PushStatement(in_.size());
	}

private:
	std::string_view in_;
	LexedSource out_; /* sql stays empty: see ApplyBlanks */
	std::vector<std::pair<size_t, size_t>> blanks_;
	size_t i_ = 0;
	size_t statement_start_ = 0;
	/* What the current statement holds so far, tracked word by word (no copies: hot path). */
	bool has_tokens_ = false;
	bool starts_with_copy_ = false;
	bool from_stdin_ = false;
	bool previous_was_from_ = false;
	bool previous_was_begin_ = false;
	int paren_depth_ = 0;
	int atomic_depth_ = 0; /* inside BEGIN ATOMIC ... END: BEGIN and CASE open, END closes */
	bool has_word_ = false;
	bool maybe_placeholders_ = false;

	template <typename T> static void Append(std::vector<T> &to, std::vector<T> &from)
	{
		if (to.empty()) { /* the first piece, or the only one: take its buffer */
			to.swap(from);
			return;
		}
		to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
		from.clear();
	}

	void Blank(size_t from, size_t to) { blanks_.emplace_back(from, std::min(to, in_.size())); }

	size_t LineEnd(size_t from) const
	{
		size_t const nl = in_.find('\n', from);
		return nl == std::string_view::npos ? in_.size() : nl;
	}

	bool OnlySpaceBefore(size_t pos) const
	{
		/* The input, not the blanked text: a blanked line ends before pos's line starts. */
		for (size_t k = pos; k > statement_start_; k--) {
			char const c = in_[k - 1];
			if (c == '\n')
				return true;
			if (c != ' ' && c != '\t' && c != '\r')
				return false;
		}
		return true;
	}

	void Step()
	{
		switch (kByteClasses.of[static_cast<unsigned char>(in_[i_])]) {
		case kSpace:
		case kToken:
			return Plain();
		case kWordStart:
			has_tokens_ = true;
			return Word();
		case kSpecial:
			return Special();
		}
	}

	/* Spaces and bytes that are tokens on their own (digits, operators), up to the next word or special byte. */
	void Plain()
	{
		bool tokens = false;
		for (; i_ < in_.size(); i_++) {
			ByteClass const k = kByteClasses.of[static_cast<unsigned char>(in_[i_])];
			if (k == kToken)
				tokens = true;
			else if (k != kSpace)
				break;
		}
		has_tokens_ = has_tokens_ || tokens;
	}

	void Special()
	{
		char const c = in_[i_];
		if (c == '@' || c == '?' || c == ':') {
			has_tokens_ = true;
			/* "::" is a cast; anything else may be a placeholder to rewrite (analysis/placeholders.h). */
			if (c == ':' && i_ + 1 < in_.size() && in_[i_ + 1] == ':')
				i_++;
			else
				maybe_placeholders_ = true;
			i_++;
			return;
		}
		if (c == '-' && i_ + 1 < in_.size() && in_[i_ + 1] == '-')
			return LineComment();
		if (c == '/' && i_ + 1 < in_.size() && in_[i_ + 1] == '*')
			return BlockComment();
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v' && c != ';' &&
			c != '\\')
			has_tokens_ = true;
		if (c == '\'')
			return Quoted('\'', i_ > 0 && (in_[i_ - 1] == 'e' || in_[i_ - 1] == 'E'));
		if (c == '"')
			return Quoted('"', false);
		if (c == '$') {
			if (size_t const tag = DollarTag(in_, i_))
				return DollarQuoted(tag);
		}
		if (c == '\\')
			return MetaCommand();
		if (c == ';' && paren_depth_ == 0 && atomic_depth_ == 0)
			return EndStatement();
		if (c == '(')
			paren_depth_++;
		else if (c == ')' && paren_depth_ > 0)
			paren_depth_--;
		i_++;
	}

	void Word()
	{
		size_t const start = i_;
		bool const first = !starts_with_copy_ && !has_word_;
		while (i_ < in_.size() && kByteClasses.ident[static_cast<unsigned char>(in_[i_])])
			i_++;
		std::string_view const word = in_.substr(start, i_ - start);
		has_word_ = true;
		/* Only words of 3 to 6 letters matter below: most identifiers are ruled out by length. */
		if (word.size() < 3 || word.size() > 6) {
			previous_was_from_ = previous_was_begin_ = false;
			return;
		}
		/* Each keyword below is compared only with words that start with its letter. */
		char const f = static_cast<char>(word[0] | 0x20);
		if (first)
			starts_with_copy_ = f == 'c' && EqualsIgnoreCase(word, "copy");
		if (previous_was_from_ && f == 's' && EqualsIgnoreCase(word, "stdin"))
			from_stdin_ = true;
		bool const is_begin = f == 'b' && EqualsIgnoreCase(word, "begin");
		if (atomic_depth_ > 0) {
			if (is_begin || (f == 'c' && EqualsIgnoreCase(word, "case")))
				atomic_depth_++;
			else if (f == 'e' && EqualsIgnoreCase(word, "end"))
				atomic_depth_--;
		} else if (previous_was_begin_ && f == 'a' && EqualsIgnoreCase(word, "atomic")) {
			atomic_depth_ = 1;
		}
		previous_was_from_ = f == 'f' && EqualsIgnoreCase(word, "from");
		previous_was_begin_ = is_begin;
	}

	void LineComment()
	{
		size_t const end = LineEnd(i_);
		out_.comments.push_back({i_, end - i_, in_.substr(i_ + 2, end - i_ - 2)});
		i_ = end;
	}

	void BlockComment()
	{
		size_t const start = i_;
		int depth = 0; /* PostgreSQL block comments nest */
		while (i_ < in_.size()) {
			if (in_.compare(i_, 2, "/*") == 0) {
				depth++;
				i_ += 2;
			} else if (in_.compare(i_, 2, "*/") == 0) {
				depth--;
				i_ += 2;
				if (depth == 0)
					break;
			} else {
				i_++;
			}
		}
		size_t const inner_end = depth == 0 ? i_ - 2 : i_;
		out_.comments.push_back({start, i_ - start, in_.substr(start + 2, inner_end - start - 2)});
	}

	void Quoted(char quote, bool backslash_escapes)
	{
		i_++;
		while (i_ < in_.size()) {
			if (backslash_escapes && in_[i_] == '\\') {
				i_ += 2;
				continue;
			}
			if (in_[i_] == quote) {
				if (i_ + 1 < in_.size() && in_[i_ + 1] == quote) {
					i_ += 2; /* doubled quote */
					continue;
				}
				i_++;
				break;
			}
			i_++;
		}
	}

	void DollarQuoted(size_t tag_length)
	{
		std::string_view const tag = in_.substr(i_, tag_length);
		size_t const close = in_.find(tag, i_ + tag_length);
		size_t const end = close == std::string_view::npos ? in_.size() : close + tag_length;
		i_ = end;
	}

	/*
	 * A backslash outside strings is psql's. At the start of a line it is a
	 * meta-command (\set, \i, \connect): blank the line. After a query
	 * (\g, \gset, \gx) it also ends the statement, like ';'.
	 */
	void MetaCommand()
	{
		size_t const end = LineEnd(i_);
		out_.meta_lines.push_back(i_);
		bool const ends_query = !OnlySpaceBefore(i_);
		Blank(i_, end);
		if (ends_query) {
			PushStatement(i_);
			i_ = end;
			FinishStatement();
			return;
		}
		i_ = end;
	}

	void PushStatement(size_t end)
	{
		out_.statements.push_back({statement_start_, end - statement_start_, has_tokens_, maybe_placeholders_});
	}

	void EndStatement()
	{
		PushStatement(i_);
		i_++;
		FinishStatement();
	}

	void FinishStatement()
	{
		bool const copy_data = starts_with_copy_ && from_stdin_;
		has_tokens_ = has_word_ = starts_with_copy_ = from_stdin_ = maybe_placeholders_ = false;
		previous_was_from_ = previous_was_begin_ = false;
		paren_depth_ = 0;
		atomic_depth_ = 0;
		statement_start_ = i_;
		if (copy_data)
			SkipCopyData();
	}

	/* COPY ... FROM STDIN: data lines follow up to a line "\." (or the end). */
	void SkipCopyData()
	{
		size_t line = LineEnd(i_);
		if (line == in_.size())
			return;
		size_t pos = line + 1;
		while (pos < in_.size()) {
			size_t const end = LineEnd(pos);
			std::string_view text = in_.substr(pos, end - pos);
			if (!text.empty() && text.back() == '\r')
				text.remove_suffix(1);
			Blank(pos, end);
			pos = end + 1;
			if (text == "\\.")
				break;
		}
		i_ = std::min(pos, in_.size());
		statement_start_ = i_;
	}
};

/* The input with the recorded ranges blanked (newlines kept: lines stay where they are). */
std::string ApplyBlanks(std::string_view input, const std::vector<std::pair<size_t, size_t>> &blanks)
{
	std::string sql(input);
	for (auto [from, to] : blanks)
		for (size_t k = from; k < to; k++)
			if (sql[k] != '\n')
				sql[k] = ' ';
	return sql;
}

/* Piece boundaries: just after a ';' near each k-th of the input. */
std::vector<size_t> Cuts(std::string_view input, unsigned pieces)
{
	std::vector<size_t> cuts{0};
	for (unsigned p = 1; p < pieces; p++) {
		size_t const semi = input.find(';', std::max(cuts.back(), input.size() / pieces * p));
		if (semi == std::string_view::npos || semi + 1 >= input.size())
			break;
		cuts.push_back(semi + 1);
	}
	cuts.push_back(input.size());
	return cuts;
}

} // namespace

LexedSource LexSource(std::string_view input) { return LexSource(input, 1, nullptr); }

LexedSource LexSource(std::string_view input, unsigned pieces, const ForEach &for_each)
{
	if (pieces <= 1 || !for_each || input.size() < kParallelLexBytes)
		pieces = 1;
	std::vector<size_t> const cuts = Cuts(input, pieces);
	size_t const n = cuts.size() - 1;
	std::vector<Lexer> lexers;
	lexers.reserve(n);
	for (size_t p = 0; p < n; p++)
		lexers.emplace_back(input, cuts[p]);
	if (n == 1)
		lexers[0].RunUntil(input.size());
	else
		for_each(n, [&](size_t p) { lexers[p].RunUntil(cuts[p + 1]); });

	/*
	 * A piece counts only if the lexer before it ended a statement exactly at
	 * its start (a ';' inside a string or a function body does not). Otherwise
	 * that lexer goes on through the piece itself, as a single lexer would.
	 */
	LexedSource out;
	std::vector<std::pair<size_t, size_t>> blanks;
	Lexer *current = &lexers[0];
	for (size_t p = 1; p < n; p++) {
		if (current->BoundaryAt(cuts[p])) {
			current->AppendTo(out, blanks);
			current = &lexers[p];
		} else {
			current->RunUntil(cuts[p + 1]);
		}
	}
	current->Finish();
	current->AppendTo(out, blanks);
	out.sql = ApplyBlanks(input, blanks);
	return out;
}

} // namespace tlint
