#include "analysis/function_bodies.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>
#include <string>

#include "analysis/node_utils.h"
#include "parse/parser.h"
#include "source/lexer.h"

namespace tlint {

namespace {

struct Body {
	std::string language;
	std::string source; /* the AS string */
	int as_location = -1;
	Node *sql_body = nullptr; /* BEGIN ATOMIC / RETURN */
	std::set<std::string> parameters;
};

Body ReadCreateFunction(CreateFunctionStmt *stmt)
{
	Body body;
	ListCell *lc;
	foreach (lc, stmt->options) {
		auto *opt = static_cast<DefElem *>(lfirst(lc));
		if (strcmp(opt->defname, "language") == 0)
			body.language = StringValue(opt->arg);
		else if (strcmp(opt->defname, "as") == 0 && opt->arg != nullptr && IsA(opt->arg, List)) {
			body.source = StringValue(static_cast<Node *>(linitial(castNode(List, opt->arg))));
			body.as_location = opt->location;
		}
	}
	foreach (lc, stmt->parameters) {
		auto *param = static_cast<FunctionParameter *>(lfirst(lc));
		if (param->name != nullptr)
			body.parameters.insert(param->name);
	}
	body.sql_body = stmt->sql_body;
	return body;
}

Body ReadDo(DoStmt *stmt)
{
	Body body;
	body.language = "plpgsql";
	ListCell *lc;
	foreach (lc, stmt->args) {
		auto *opt = static_cast<DefElem *>(lfirst(lc));
		if (strcmp(opt->defname, "language") == 0)
			body.language = StringValue(opt->arg);
		else if (strcmp(opt->defname, "as") == 0) {
			body.source = StringValue(opt->arg);
			body.as_location = opt->location;
		}
	}
	return body;
}

class BodyAnalyzer {
public:
	BodyAnalyzer(std::string_view text, size_t offset, StatementAnalyzer &analyzer,
				 std::vector<RawFinding> &sink)
		: text_(text), offset_(offset), analyzer_(analyzer), sink_(sink) {}

	/* Parses sql (found at statement-relative position at, minus prefix bytes) and analyses it. */
	bool ParseAndAnalyze(const std::string &sql, size_t at, size_t prefix,
						 const std::set<std::string> &variables, bool report_errors)
	{
		ParsedStatement parsed(sql);
		if (!parsed.ok()) {
			if (report_errors)
				ReportParseError(parsed.error(), at, prefix);
			return false;
		}
		/* Locations in the tree count from the start of sql, which starts prefix bytes early. */
		size_t const base = offset_ + at - std::min(at, prefix);
		ListCell *lc;
		foreach (lc, parsed.tree())
			analyzer_.Analyze(static_cast<Node *>(lfirst(lc)), sql, base, variables);
		return true;
	}

	void Sql(const Body &body)
	{
		if (body.sql_body != nullptr) {
			/* BEGIN ATOMIC (a list holding the list of statements) or RETURN: parsed already. */
			AnalyzeParsedBody(body.sql_body, body.parameters);
			return;
		}
		size_t const at = Locate(body.source, body.as_location);
		LexedSource const lexed = LexSource(body.source);
		for (const StatementSpan &span : lexed.statements) {
			if (!span.has_tokens)
				continue;
			std::string const statement = lexed.sql.substr(span.offset, span.length);
			ParseAndAnalyze(statement, at + span.offset, 0, body.parameters, true);
		}
	}

	/* libpg_query parses the whole statement (text_), not just the body. */
	void PlPgSql(const Body &body)
	{
		size_t const body_at = Locate(body.source, body.as_location);
		PgQueryPlpgsqlParseResult result = pg_query_parse_plpgsql(std::string(text_).c_str());
		if (result.error != nullptr) {
			ParseError error{result.error->message ? result.error->message : "syntax error", 0};
			pg_query_free_plpgsql_parse_result(result);
			ReportParseError(error, body_at, 0);
			return;
		}
		nlohmann::json functions = nlohmann::json::parse(result.plpgsql_funcs, nullptr, false);
		pg_query_free_plpgsql_parse_result(result);
		std::set<std::string> variables = body.parameters;
		std::vector<std::string> queries;
		Collect(functions, variables, queries);
		size_t cursor = body_at;
		for (const std::string &q : queries) {
			size_t found = FindWithBlanks(text_, q, cursor);
			if (found == std::string_view::npos)
				found = FindWithBlanks(text_, q, 0);
			if (found == std::string_view::npos)
				found = cursor;
			else
				cursor = found + 1;
			AnalyzePlQuery(q, found, variables);
		}
	}

	void AnalyzeParsedBody(Node *node, const std::set<std::string> &parameters)
	{
		if (node != nullptr && IsA(node, List)) {
			ListCell *lc;
			foreach (lc, castNode(List, node))
				AnalyzeParsedBody(static_cast<Node *>(lfirst(lc)), parameters);
			return;
		}
		analyzer_.Analyze(node, text_, offset_, parameters);
	}

	size_t Locate(const std::string &source, int as_location) const
	{
		size_t const from = as_location < 0 ? 0 : static_cast<size_t>(as_location);
		size_t const at = text_.find(source, from);
		return at == std::string_view::npos ? from : at;
	}

private:
	std::string_view text_;
	size_t offset_;
	StatementAnalyzer &analyzer_;
	std::vector<RawFinding> &sink_;

	static bool StartsWithStatementKeyword(const std::string &q)
	{
		static const char *const keywords[] = {"select", "insert", "update", "delete", "with",
											   "merge",	 "values", "table",	 "copy",   "truncate",
											   "create", "alter",  "drop",	 "set",	   "reset",
											   "lock",	 "explain"};
		size_t i = q.find_first_not_of(" \t\r\n(");
		if (i == std::string::npos)
			return false;
		for (const char *k : keywords) {
			size_t const n = strlen(k);
			if (q.size() - i >= n && strncasecmp(q.c_str() + i, k, n) == 0 &&
				(q.size() - i == n || !std::isalnum(static_cast<unsigned char>(q[i + n]))))
				return true;
		}
		return false;
	}

	/* A PL/pgSQL query is a statement, an expression, or "target := expression". */
	void AnalyzePlQuery(const std::string &q, size_t at, const std::set<std::string> &vars)
	{
		if (StartsWithStatementKeyword(q) && ParseAndAnalyze(q, at, 0, vars, false))
			return;
		size_t const assign = q.find(":=");
		if (assign != std::string::npos && !StartsWithStatementKeyword(q)) {
			std::string const rhs = q.substr(assign + 2);
			ParseAndAnalyze("SELECT " + rhs, at + assign + 2, 7, vars, true);
			return;
		}
		if (StartsWithStatementKeyword(q)) {
			ParseAndAnalyze(q, at, 0, vars, true);
			return;
		}
		ParseAndAnalyze("SELECT " + q, at, 7, vars, true);
	}

	void ReportParseError(const ParseError &error, size_t at, size_t prefix)
	{
		RawFinding f;
		f.rule = "parse-error";
		size_t const within = error.byte_offset >= prefix ? error.byte_offset - prefix : 0;
		f.offset = offset_ + at + within;
		f.end = f.offset + 1;
		f.message = "function body: " + error.message;
		sink_.push_back(std::move(f));
	}

	/* Variables (datums) and queries (PLpgSQL_expr), in document order. */
	static void Collect(const nlohmann::json &node, std::set<std::string> &variables,
						std::vector<std::string> &queries)
	{
		if (node.is_array()) {
			for (const auto &item : node)
				Collect(item, variables, queries);
			return;
		}
		if (!node.is_object())
			return;
		for (auto it = node.begin(); it != node.end(); ++it) {
			const std::string &key = it.key();
			const nlohmann::json &value = it.value();
			if ((key == "PLpgSQL_var" || key == "PLpgSQL_rec" || key == "PLpgSQL_row") &&
				value.is_object() && value.contains("refname") && value["refname"].is_string()) {
				std::string const name = value["refname"].get<std::string>();
				if (name != "(unnamed row)")
					variables.insert(name);
			}
			if (key == "PLpgSQL_expr" && value.is_object() && value.contains("query") &&
				value["query"].is_string()) {
				queries.push_back(value["query"].get<std::string>());
				continue;
			}
			Collect(value, variables, queries);
		}
	}
};

} // namespace

size_t FindWithBlanks(std::string_view text, std::string_view q, size_t from)
{
	if (q.empty() || q.size() > text.size())
		return std::string_view::npos;
	for (size_t start = from; start + q.size() <= text.size(); start++) {
		size_t i = 0;
		while (i < q.size() && (q[i] == text[start + i] || (q[i] == ' ' && i > 0)))
			i++;
		if (i == q.size())
			return start;
	}
	return std::string_view::npos;
}

void AnalyzeFunctionBodies(Node *raw_statement, std::string_view text, size_t offset,
						   StatementAnalyzer &analyzer, std::vector<RawFinding> &sink)
{
	Node *stmt = raw_statement;
	if (stmt != nullptr && IsA(stmt, RawStmt))
		stmt = reinterpret_cast<RawStmt *>(stmt)->stmt;
	if (stmt == nullptr)
		return;
	Body body;
	bool is_do = false;
	if (IsA(stmt, CreateFunctionStmt))
		body = ReadCreateFunction(reinterpret_cast<CreateFunctionStmt *>(stmt));
	else if (IsA(stmt, DoStmt)) {
		body = ReadDo(reinterpret_cast<DoStmt *>(stmt));
		is_do = true;
	} else
		return;
	BodyAnalyzer bodies(text, offset, analyzer, sink);
	if (body.language == "sql" && !is_do)
		bodies.Sql(body);
	/* libpg_query asserts (aborts) on a PL/pgSQL function without an AS body. */
	else if (body.language == "plpgsql" && body.as_location >= 0)
		bodies.PlPgSql(body);
}

} // namespace tlint
