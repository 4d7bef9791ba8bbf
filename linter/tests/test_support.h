// test_support.h — lint SQL against the shared test schema and summarise findings.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "lint/linter.h"

namespace tlint {
/* Boost.Test prints severities in failure messages. */
inline std::ostream &operator<<(std::ostream &out, Severity s) { return out << SeverityName(s); }
} // namespace tlint

namespace tlint::test {

/* The schema every rule case runs against (learnt, not linted). */
extern const char *const kSchema;

/* Lints sql as file "case.sql"; returns the findings. */
std::vector<Finding> Lint(const std::string &sql, const LintOptions &options = {});

/* "rule-a,rule-b" in file order; "" when clean. */
std::string RuleList(const std::vector<Finding> &findings);

} // namespace tlint::test
