// report.h — the output formats. Rules produce findings; only this layer
// decides how they look.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "lint/finding.h"

namespace tlint {

/* file:line:col: severity: message [rule], the source line, a caret; colour if asked. */
void WriteText(std::ostream &out, const std::vector<FileReport> &reports, bool color);

/* An array of {file, line, column, end_line, end_column, rule, severity, message}. */
void WriteJson(std::ostream &out, const std::vector<FileReport> &reports);

/* SARIF 2.1.0 for GitHub code scanning; URIs relative to base_dir. */
void WriteSarif(std::ostream &out, const std::vector<FileReport> &reports,
				const std::string &base_dir, const std::string &version);

/* GitHub Actions workflow commands (::error file=...::message). */
void WriteGithub(std::ostream &out, const std::vector<FileReport> &reports);

/* Escaping for workflow commands: data (message) and property values. */
std::string EscapeGithubData(const std::string &s);
std::string EscapeGithubProperty(const std::string &s);

/* "a/b.sql" for base "/repo" and path "/repo/a/b.sql"; the path itself if outside. */
std::string RelativeUri(const std::string &path, const std::string &base_dir);

} // namespace tlint
