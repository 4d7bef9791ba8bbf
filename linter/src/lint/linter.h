// linter.h — linting files: read, lex, split, learn the schema, parse,
// analyse, apply suppressions and severities. The CLI and the tests use this;
// output formats are elsewhere (output/).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "analysis/schema_model.h"
#include "lint/finding.h"
#include "parse/parser.h"
#include "source/lexer.h"
#include "source/source_file.h"

namespace tlint {

struct LintOptions {
	AnalysisOptions analysis;
	std::map<std::string, Severity> severities; /* per rule id; Severity::Off disables */
	size_t max_file_size = 64u << 20;
	bool keep_source = true; /* FileReport::source, for the outputs that quote the file (text, SARIF) */
};

/* A file read, lexed and split, ready to be learnt from and linted. */
struct PreparedFile {
	std::string path;
	std::string bytes;
	std::string io_error; /* the file could not be read: a usage/I/O error, not a finding */
	std::optional<InputProblem> problem;
	LexedSource lexed; /* its statements are moved into spans */
	std::vector<StatementSpan> spans;
};

/* threads > 1 lexes a large file in pieces at once. */
PreparedFile PrepareFile(const std::string &path, size_t max_file_size, unsigned threads = 1);
PreparedFile PrepareText(const std::string &name, std::string text, unsigned threads = 1);

/* Learns tenant tables and protect() calls from the file's DDL. */
void LearnSchema(const PreparedFile &file, SchemaModel &model);

/* Lints one prepared file against a settled schema model; threads > 1 splits a large file. */
FileReport LintFile(const PreparedFile &file, const SchemaModel &model, const LintOptions &options,
					unsigned threads = 1);

/* Convenience for tests: learn from and lint one text. */
FileReport LintText(const std::string &name, const std::string &sql, SchemaModel &model,
					const LintOptions &options);

} // namespace tlint
