// Precision and recall on labelled application SQL: examples/sqlc, a sqlc-style
// project (named parameters, CTEs, chains, hierarchies, several tenant columns,
// RLS of its own). A statement preceded by "-- expect: rule" is a true violation;
// every other statement must be clean. Both ratios must stay at 0.95 or more.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli/config.h"
#include "lint/linter.h"

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(labelled_corpus)

BOOST_AUTO_TEST_CASE(sqlc_example_precision_and_recall)
{
	fs::path const root = fs::path(TLINT_SOURCE_DIR) / "examples" / "sqlc";
	std::string error;
	std::optional<tlint::Config> config = tlint::LoadConfig((root / ".tenant-lint.toml").string(), &error);
	BOOST_REQUIRE_MESSAGE(config, error);
	tlint::SchemaModel model(config->tenant_columns, config->search_path);
	for (const auto &[table, column] : config->table_columns) {
		auto const [schema, name] = tlint::SplitQualifiedName(table);
		model.OverrideTenantColumn(schema, name, column);
	}
	tlint::LearnSchema(tlint::PrepareFile((root / "schema" / "schema.sql").string(), 1 << 20), model);
	model.Settle();
	tlint::LintOptions options;
	options.analysis.any_tenant_parameter = config->any_tenant_parameter.value_or(false);

	int tp = 0, fp = 0, fn = 0, statements = 0;
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
				BOOST_TEST_MESSAGE("missed in " << entry.path().filename() << ": statement " << e.first);
		}
		for (const auto &f : found)
			if (!expected.count(f)) {
				fp++;
				BOOST_TEST_MESSAGE("false error in " << entry.path().filename() << ": " << f.second);
			}
	}
	double const precision = tp + fp == 0 ? 1.0 : static_cast<double>(tp) / (tp + fp);
	double const recall = tp + fn == 0 ? 1.0 : static_cast<double>(tp) / (tp + fn);
	std::cout << "labelled corpus: " << statements << " statements, " << tp << " true, " << fp
			  << " false, " << fn << " missed; precision " << precision << ", recall " << recall << '\n';
	BOOST_TEST(tp + fn >= 10);
	BOOST_TEST(precision >= 0.95);
	BOOST_TEST(recall >= 0.95);
}

BOOST_AUTO_TEST_SUITE_END()
