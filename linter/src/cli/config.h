// config.h — .tenant-lint.toml: found by walking up from the working
// directory, or named with --config. Unknown keys are errors, with a
// suggestion, so a typo never silently disables a rule.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lint/finding.h"

namespace tlint {

struct Config {
	std::string path; /* empty: no config file */
	std::vector<std::string> tenant_columns; /* tenant_column and tenant_columns, in order */
	std::optional<std::string> tenant_setting;
	std::vector<std::string> tables;		  /* tenant tables on the default column */
	/* [tables] name = "column": a table's own tenant column ("" : not a tenant table). */
	std::vector<std::pair<std::string, std::string>> table_columns;
	std::vector<std::string> schema; /* resolved against the config file's directory */
	std::vector<std::string> search_path;
	std::vector<std::string> tenant_functions;
	std::optional<bool> trust_rls;
	std::optional<bool> any_tenant_parameter;
	std::optional<long long> max_file_size;
	std::map<std::string, Severity> rules;
};

/* The nearest .tenant-lint.toml at or above dir, or empty. */
std::string FindConfig(const std::string &dir);

/* Parses a config file; on error returns nullopt with *error set. */
std::optional<Config> LoadConfig(const std::string &path, std::string *error);

/* Parses config text (path only names it in messages and anchors relative paths). */
std::optional<Config> ParseConfig(const std::string &text, const std::string &path,
								  std::string *error);

std::optional<Severity> SeverityFromName(const std::string &name);

} // namespace tlint
