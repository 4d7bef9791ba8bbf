#include "lint/linter.h"

#include <algorithm>
#include <unordered_map>

#include "analysis/ddl_learner.h"
#include "analysis/function_bodies.h"
#include "lint/parallel.h"
#include "rules/registry.h"
#include "source/suppressions.h"
#include "parse/pg_nodes.h"

namespace tlint {

namespace {

std::string_view StatementText(const PreparedFile &file, const StatementSpan &span)
{
	return std::string_view(file.lexed.sql).substr(span.offset, span.length);
}

/*
 * Applies ignore comments: marks them used, drops what they cover, reports the
 * unused and invalid. A finding finds its statement by binary search and its
 * comments by statement, so the cost does not grow with findings x statements.
 */
class SuppressionFilter {
public:
	SuppressionFilter(const PreparedFile &file, std::vector<Suppression> suppressions)
		: file_(file), suppressions_(std::move(suppressions))
	{
		for (size_t i = 0; i < suppressions_.size(); i++) {
			const Suppression &s = suppressions_[i];
			if (!s.problem.empty())
				continue;
			if (s.whole_file)
				whole_file_.push_back(i);
			else if (int const span = TargetSpan(s); span >= 0)
				by_span_[span].push_back(i);
		}
	}

	bool Suppressed(const RawFinding &f)
	{
		if (f.rule == "unused-suppression" || f.rule == "invalid-suppression")
			return false;
		bool hit = Hits(whole_file_, f);
		int const span = SpanOf(f.offset);
		if (span >= 0)
			if (auto it = by_span_.find(span); it != by_span_.end())
				hit = Hits(it->second, f) || hit;
		return hit;
	}

	void ReportUnusedAndInvalid(std::vector<RawFinding> &out) const
	{
		for (const Suppression &s : suppressions_) {
			RawFinding f;
			f.offset = s.offset;
			f.end = s.offset + s.length;
			if (!s.problem.empty()) {
				f.rule = "invalid-suppression";
				f.message = "malformed tenant-lint comment: " + s.problem;
			} else if (std::string unknown = UnknownRule(s); !unknown.empty()) {
				f.rule = "invalid-suppression";
				f.message = "tenant-lint comment names unknown rule '" + unknown + "'";
				std::string const suggestion = SuggestRule(unknown);
				if (!suggestion.empty())
					f.message += "; did you mean '" + suggestion + "'?";
			} else if (!s.used) {
				f.rule = "unused-suppression";
				f.message = "this tenant-lint ignore comment suppresses nothing";
			} else {
				continue;
			}
			out.push_back(std::move(f));
		}
	}

private:
	const PreparedFile &file_;
	std::vector<Suppression> suppressions_;
	std::vector<size_t> whole_file_;
	std::unordered_map<int, std::vector<size_t>> by_span_;

	bool Hits(const std::vector<size_t> &which, const RawFinding &f)
	{
		bool hit = false;
		for (size_t i : which)
			if (Names(suppressions_[i], f.rule))
				hit = suppressions_[i].used = true;
		return hit;
	}

	static bool Names(const Suppression &s, const std::string &rule)
	{
		for (const std::string &id : s.rules) {
			const RuleInfo *info = FindRule(id);
			if (info != nullptr && rule == info->id)
				return true;
		}
		return false;
	}

	static std::string UnknownRule(const Suppression &s)
	{
		for (const std::string &id : s.rules)
			if (FindRule(id) == nullptr)
				return id;
		return {};
	}

	/* The statement holding offset (its terminating ';' included), or -1. */
	int SpanOf(size_t offset) const
	{
		const std::vector<StatementSpan> &spans = file_.spans;
		auto it = std::upper_bound(spans.begin(), spans.end(), offset,
								   [](size_t o, const StatementSpan &s) { return o < s.offset; });
		if (it == spans.begin())
			return -1;
		--it;
		return offset <= it->offset + it->length ? static_cast<int>(it - spans.begin()) : -1;
	}

	/*
	 * The statement a comment covers: the one it sits in or precedes, or the
	 * one that ends earlier on the comment's own line (a trailing comment).
	 */
	int TargetSpan(const Suppression &s) const
	{
		int const span = SpanOf(s.offset);
		if (span > 0) {
			const StatementSpan &previous = file_.spans[span - 1];
			size_t const prev_end = previous.offset + previous.length;
			std::string_view const gap =
				std::string_view(file_.bytes).substr(prev_end, s.offset - std::min(s.offset, prev_end));
			if (gap.find('\n') == std::string_view::npos)
				return span - 1;
		}
		return span;
	}
};

Severity SeverityOf(const std::string &rule, const LintOptions &options)
{
	auto it = options.severities.find(rule);
	if (it != options.severities.end())
		return it->second;
	const RuleInfo *info = FindRule(rule);
	return info != nullptr ? info->default_severity : Severity::Error;
}

void ParseAndAnalyze(const PreparedFile &file, const StatementSpan &span,
					 StatementAnalyzer &analyzer, std::vector<RawFinding> &raw)
{
	if (!span.has_tokens)
		return;
	std::string sql(StatementText(file, span));
	/* @name, :name and ? become $1 or 0 in place: every offset stays valid. */
	Placeholders const placeholders = span.maybe_placeholders ? RewritePlaceholders(sql) : Placeholders{};
	ParsedStatement parsed(sql);
	if (!parsed.ok()) {
		/* Report the error as the user wrote the statement, not as rewritten. */
		std::string const original(StatementText(file, span));
		ParsedStatement unchanged(original);
		const ParseError &error = unchanged.ok() ? parsed.error() : unchanged.error();
		RawFinding f;
		f.rule = "parse-error";
		f.offset = span.offset + error.byte_offset;
		f.end = f.offset + 1;
		f.message = error.message;
		raw.push_back(std::move(f));
		return;
	}
	ListCell *lc;
	foreach (lc, parsed.tree()) {
		auto *statement = static_cast<Node *>(lfirst(lc));
		analyzer.Analyze(statement, sql, span.offset, {}, &placeholders);
		AnalyzeFunctionBodies(statement, sql, span.offset, analyzer, raw);
	}
}

Finding Locate(RawFinding &&raw, LineCursor &cursor, const std::string &path, Severity severity)
{
	Finding f;
	f.file = path;
	f.rule = std::move(raw.rule);
	f.severity = severity;
	f.message = std::move(raw.message);
	f.byte_offset = static_cast<int>(raw.offset);
	f.start = cursor.At(raw.offset);
	f.end = cursor.Advance(f.start, raw.offset, std::max(raw.end, raw.offset));
	if (f.end.line == f.start.line && f.end.column <= f.start.column)
		f.end.column = f.start.column + 1;
	const RuleInfo *info = FindRule(f.rule);
	if (info != nullptr)
		f.help = info->help;
	return f;
}

/*
 * Statements parsed by one libpg_query call: a call has set-up costs (memory
 * context, scanner) that a run of statements shares. One syntax error fails
 * the whole call; the run is then parsed statement by statement, so that every
 * statement is analysed or reported alone.
 */
constexpr size_t kStatementsPerParse = 32;

void ParseAndAnalyzeRun(const PreparedFile &file, size_t begin, size_t end,
						StatementAnalyzer &analyzer, std::vector<RawFinding> &raw)
{
	const StatementSpan &first = file.spans[begin];
	const StatementSpan &last = file.spans[end - 1];
	/* The run's text holds the ';' between its statements; offsets stay the file's minus from. */
	size_t const from = first.offset;
	std::string sql = file.lexed.sql.substr(from, last.offset + last.length - from);
	bool const maybe_placeholders =
		std::any_of(file.spans.begin() + begin, file.spans.begin() + end,
					[](const StatementSpan &s) { return s.maybe_placeholders; });
	Placeholders const placeholders = maybe_placeholders ? RewritePlaceholders(sql) : Placeholders{};
	ParsedStatement parsed(sql);
	if (!parsed.ok()) {
		for (size_t i = begin; i < end; i++)
			ParseAndAnalyze(file, file.spans[i], analyzer, raw);
		return;
	}
	ListCell *lc;
	foreach (lc, parsed.tree()) {
		auto *statement = static_cast<Node *>(lfirst(lc));
		analyzer.Analyze(statement, sql, from, {}, &placeholders);
		AnalyzeFunctionBodies(statement, sql, from, analyzer, raw);
	}
}

/* Statements [begin, end) of a file, parsed and analysed. */
std::vector<RawFinding> AnalyzeSpans(const PreparedFile &file, size_t begin, size_t end,
									 const SchemaModel &model, const LintOptions &options)
{
	std::vector<RawFinding> raw;
	StatementAnalyzer analyzer(model, options.analysis, raw);
	for (size_t i = begin; i < end; i += kStatementsPerParse) {
		size_t const run_end = std::min(end, i + kStatementsPerParse);
		if (run_end - i == 1)
			ParseAndAnalyze(file, file.spans[i], analyzer, raw);
		else
			ParseAndAnalyzeRun(file, i, run_end, analyzer, raw);
	}
	return raw;
}

/* Large files are cut into runs of statements analysed on several threads, in file order. */
constexpr size_t kStatementsPerChunk = 2048;

std::vector<RawFinding> AnalyzeFile(const PreparedFile &file, const SchemaModel &model,
									const LintOptions &options, unsigned threads)
{
	size_t const n = file.spans.size();
	if (threads <= 1 || n <= kStatementsPerChunk)
		return AnalyzeSpans(file, 0, n, model, options);
	size_t const chunks = (n + kStatementsPerChunk - 1) / kStatementsPerChunk;
	std::vector<std::vector<RawFinding>> parts(chunks);
	ParallelFor(chunks, threads, [&](size_t c) {
		size_t const begin = c * kStatementsPerChunk;
		parts[c] = AnalyzeSpans(file, begin, std::min(n, begin + kStatementsPerChunk), model, options);
	});
	std::vector<RawFinding> raw;
	for (std::vector<RawFinding> &part : parts)
		raw.insert(raw.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
	return raw;
}

} // namespace

PreparedFile PrepareText(const std::string &name, std::string text, unsigned threads)
{
	PreparedFile file;
	file.path = name;
	file.bytes = std::move(text);
	file.problem = CheckSqlText(file.bytes);
	if (file.problem)
		return file;
	file.lexed = LexSource(file.bytes, threads, [threads](size_t count, const std::function<void(size_t)> &work) {
		ParallelFor(count, threads, work);
	});
	file.spans = std::move(file.lexed.statements);
	return file;
}

PreparedFile PrepareFile(const std::string &path, size_t max_file_size, unsigned threads)
{
	FileContents contents = ReadFile(path, max_file_size);
	if (!contents.io_error.empty() || contents.problem) {
		PreparedFile file;
		file.path = path;
		file.io_error = contents.io_error;
		file.problem = contents.problem;
		return file;
	}
	return PrepareText(path, std::move(contents.bytes), threads);
}

void LearnSchema(const PreparedFile &file, SchemaModel &model)
{
	std::optional<LineIndex> lines; /* only files that declare something need line numbers */
	for (const StatementSpan &span : file.spans) {
		std::string_view const text = StatementText(file, span);
		if (!span.has_tokens || !MayDeclareSchema(text.data(), text.size()))
			continue;
		ParsedStatement parsed{std::string(text)};
		if (!parsed.ok())
			continue;
		if (!lines)
			lines.emplace(file.bytes);
		std::string const from =
			file.path + ":" +
			std::to_string(lines->At(span.offset + FirstTokenOffset(text)).line);
		ListCell *lc;
		foreach (lc, parsed.tree())
			LearnFromStatement(static_cast<Node *>(lfirst(lc)), model, from);
	}
}

FileReport LintFile(const PreparedFile &file, const SchemaModel &model, const LintOptions &options,
					unsigned threads)
{
	FileReport report;
	report.file = file.path;
	if (options.keep_source)
		report.source = file.bytes;
	std::vector<RawFinding> raw;

	if (file.problem) {
		raw.push_back({"unreadable-file", file.problem->byte_offset, file.problem->byte_offset + 1,
					   file.problem->message, false});
	} else if (std::none_of(file.spans.begin(), file.spans.end(),
							[](const StatementSpan &s) { return s.has_tokens; })) {
		raw.push_back({"empty-file", 0, 0,
					   file.bytes.empty() ? "file is empty" : "file holds no SQL statement", false});
	} else {
		raw = AnalyzeFile(file, model, options, threads);
	}

	SuppressionFilter filter(file, file.problem ? std::vector<Suppression>{}
												: ParseSuppressions(file.lexed.comments));
	std::vector<RawFinding> kept;
	kept.reserve(raw.size());
	for (RawFinding &f : raw)
		if (!filter.Suppressed(f))
			kept.push_back(std::move(f));
	filter.ReportUnusedAndInvalid(kept);

	/* In file order, so that one cursor walks the file once to find lines and columns. */
	std::stable_sort(kept.begin(), kept.end(),
					 [](const RawFinding &a, const RawFinding &b) { return a.offset < b.offset; });
	LineCursor cursor(file.bytes);
	report.findings.reserve(kept.size());
	for (RawFinding &f : kept) {
		Severity severity = SeverityOf(f.rule, options);
		if (severity == Severity::Off)
			continue;
		if (f.downgrade)
			severity = Severity::Info;
		report.findings.push_back(Locate(std::move(f), cursor, file.path, severity));
	}
	return report;
}

FileReport LintText(const std::string &name, const std::string &sql, SchemaModel &model,
					const LintOptions &options)
{
	PreparedFile file = PrepareText(name, sql);
	LearnSchema(file, model);
	model.Settle();
	return LintFile(file, model, options);
}

} // namespace tlint
