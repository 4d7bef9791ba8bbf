// analysis.h — what the analyzer needs from the outside and gives back: the
// schema, the options, and a sink for findings located in the file.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/placeholders.h"
#include "analysis/schema_model.h"
#include "lint/finding.h"

struct Node;

namespace tlint {

struct AnalysisOptions {
	std::string tenant_setting = "app.tenant_id";
	std::vector<std::string> tenant_functions; /* extra functions returning the current tenant */
	bool trust_rls = false; /* findings on protected tables (ours or the schema's RLS) become info */
	bool any_tenant_parameter = false; /* col = ANY($1): a set of tenants the application allows */
};

/* A finding before severity, suppressions and line numbers are applied. */
struct RawFinding {
	std::string rule;
	size_t offset = 0; /* in the file */
	size_t end = 0;
	std::string message;
	bool downgrade = false; /* trust_rls applied: report as info */
};

/*
 * Analyzes one parsed statement. text is the statement as parsed (locations
 * in the tree are offsets into it); offset is where text starts in the file.
 */
/* Buffers the analysis of one statement uses and the next one reuses. */
struct AnalyzerScratch {
	std::vector<Node *> conjuncts;
	std::vector<int> indexes;
};

class StatementAnalyzer {
public:
	StatementAnalyzer(const SchemaModel &model, const AnalysisOptions &options,
					  std::vector<RawFinding> &sink)
		: model_(model), options_(options), sink_(sink) {}

	void Analyze(Node *raw_statement, std::string_view text, size_t offset,
				 const std::set<std::string> &variables = {},
				 const Placeholders *placeholders = nullptr);

private:
	const SchemaModel &model_;
	const AnalysisOptions &options_;
	std::vector<RawFinding> &sink_;
	AnalyzerScratch scratch_;
};

} // namespace tlint
