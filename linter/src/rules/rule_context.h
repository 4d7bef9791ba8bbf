// rule_context.h — what a rule sees of the statement it checks, and how it reports.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/analysis.h"

namespace tlint {

struct RuleContext {
	const SchemaModel &model;
	const AnalysisOptions &options;
	std::string_view text; /* the statement as parsed */
	size_t offset;		   /* of text in the file */
	std::vector<RawFinding> &sink;
	size_t statement_start = 0; /* of the statement in text (several share one parse): where -1 points */

	/* location: statement-relative byte offset from the parse tree (-1: the statement start). */
	void Report(const char *rule, int location, std::string message, bool downgrade = false) const;

	/* Where the name (identifier, possibly qualified and quoted) at location ends. */
	size_t NameEnd(size_t location) const;
};

} // namespace tlint
