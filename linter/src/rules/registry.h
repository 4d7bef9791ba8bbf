// registry.h — every rule tenant-lint knows: id, default severity, and the
// texts SARIF and --list-rules show. A published id is never renamed; an old
// spelling stays accepted as an alias.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/finding.h"

namespace tlint {

struct RuleInfo {
	const char *id;
	Severity default_severity;
	const char *summary; /* one line */
	const char *help;	 /* how to fix */
};

const std::vector<RuleInfo> &AllRules();

/* The rule with this id or alias; nullopt if unknown. */
const RuleInfo *FindRule(std::string_view id);

/* The closest known id, for "did you mean"; empty if nothing is close. */
std::string SuggestRule(std::string_view unknown);

} // namespace tlint
