// Precision and recall on labelled application SQL, one example project each:
// examples/sqlc (sqlc-style, several tenant columns, hierarchies), examples/rails
// (account_id, :name and ? binds, structure.sql with RLS of its own),
// examples/go (sqlc with "tenantId", @param and sqlc.arg), examples/node
// (node-postgres, $1, a project tenant column and = ANY($1::uuid[])). A statement
// preceded by "-- expect: rule" is a true violation; every other statement must
// be clean. Each example is linted as a user would: its own .tenant-lint.toml,
// its schema directory, nothing else. Both ratios must stay at 0.95 or more.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli/config.h"
#include "lint/linter.h"

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(labelled_corpus)

namespace {

struct Score {
	int statements = 0, tp = 0, fp = 0, fn = 0;
	double Precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / (tp + fp); }
	double Recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / (tp + fn); }
};

Score ScoreExample(const std::string &example)
{
	fs::path const root = fs::path(TLINT_SOURCE_DIR) / "examples" / example;
	std::string error;
	std::optional<tlint::Config> config = tlint::LoadConfig((root / ".tenant-lint.toml").string(), &error);
	BOOST_REQUIRE_MESSAGE(config, error);
	tlint::SchemaModel model(config->tenant_columns, config->search_path);
	for (const auto &[table, column] : config->table_columns) {
		auto const [schema, name] = tlint::SplitQualifiedName(table);
		model.OverrideTenantColumn(schema, name, column);
	}
	for (const auto &entry : fs::directory_iterator(root / "schema"))
		tlint::LearnSchema(tlint::PrepareFile(entry.path().string(), 1 << 20), model);
	model.Settle();
	tlint::LintOptions options;
	options.analysis.any_tenant_parameter = config->any_tenant_parameter.value_or(false);

	Score score;
	int &tp = score.tp, &fp = score.fp, &fn = score.fn, &statements = score.statements;
	for (const auto &entry : fs::directory_iterator(root / "queries")) {
		tlint::PreparedFile file = tlint::PrepareFile(entry.path().string(), 1 << 20);
		tlint::FileReport report = tlint::LintFile(file, model, options);
		std::set<std::pair<size_t, std::string>> found, expected;
		for (const tlint::Finding &f : report.findings) {
			if (f.severity != tlint::Severity::Error)
				continue;
			auto it = std::upper_bound(file.spans.begin(), file.spans.end(),
									   static_cast<size_t>(f.byte_offset),
									   [](size_t o, const tlint::StatementSpan &s) { return o < s.offset; });
			found.emplace(static_cast<size_t>(it - file.spans.begin()), f.rule);
		}
		for (size_t i = 0; i < file.spans.size(); i++) {
			std::string_view const text =
				std::string_view(file.bytes).substr(file.spans[i].offset, file.spans[i].length);
			statements += file.spans[i].has_tokens;
			for (size_t at = text.find("-- expect: "); at != std::string_view::npos;
				 at = text.find("-- expect: ", at + 1)) {
				size_t const end = text.find('\n', at);
				expected.emplace(i + 1, std::string(text.substr(at + 11, end - at - 11)));
			}
		}
		for (const auto &e : expected) {
			(found.count(e) ? tp : fn)++;
			if (!found.count(e))
				BOOST_TEST_MESSAGE("missed in " << example << "/" << entry.path().filename().string()
												<< ": statement " << e.first << " " << e.second);
		}
		for (const auto &f : found)
			if (!expected.count(f)) {
				fp++;
				BOOST_TEST_MESSAGE("false error in " << example << "/" << entry.path().filename().string()
												<< ": statement " << f.first << " " << f.second);
			}
	}
	std::cout << "labelled corpus " << example << ": " << statements << " statements, " << tp
			  << " true, " << fp << " false, " << fn << " missed; precision " << score.Precision()
			  << ", recall " << score.Recall() << '\n';
	return score;
}

} // namespace

BOOST_AUTO_TEST_CASE(examples_precision_and_recall)
{
	Score all;
	for (const char *example : {"sqlc", "rails", "go", "node"}) {
		BOOST_TEST_CONTEXT("example " << example)
		{
			Score const s = ScoreExample(example);
			BOOST_TEST(s.tp + s.fn >= 10);
			BOOST_TEST(s.Precision() >= 0.95);
			BOOST_TEST(s.Recall() >= 0.95);
			all.statements += s.statements;
			all.tp += s.tp;
			all.fp += s.fp;
			all.fn += s.fn;
		}
	}
	std::cout << "labelled corpora: " << all.statements << " statements, precision "
			  << all.Precision() << ", recall " << all.Recall() << '\n';
}

BOOST_AUTO_TEST_SUITE_END()
