#include "cli/config.h"

/* parse_result instead of exceptions: errors become messages with line and column. */
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lint/spellcheck.h"
#include "rules/registry.h"

namespace tlint {

namespace fs = std::filesystem;

std::optional<Severity> SeverityFromName(const std::string &name)
{
	if (name == "error")
		return Severity::Error;
	if (name == "warning")
		return Severity::Warning;
	if (name == "info")
		return Severity::Info;
	if (name == "off")
		return Severity::Off;
	return std::nullopt;
}

std::string FindConfig(const std::string &dir)
{
	std::error_code ec;
	fs::path current = fs::absolute(dir, ec).lexically_normal();
	while (!ec) {
		fs::path const candidate = current / ".tenant-lint.toml";
		std::error_code missing; /* a missing file is no error: keep walking up */
		if (fs::is_regular_file(candidate, missing))
			return candidate.string();
		if (!current.has_parent_path() || current.parent_path() == current)
			break;
		current = current.parent_path();
	}
	return {};
}

namespace {

const char *const kKeys[] = {"tenant_column",	"tenant_columns", "tenant_setting",
							 "tables",			"schema",		  "search_path",
							 "tenant_functions", "trust_rls",	  "any_tenant_parameter",
							 "max_file_size",	"rules"};

std::string Suggest(const std::string &key)
{
	std::string const best =
		ClosestMatch(key, std::vector<std::string_view>(std::begin(kKeys), std::end(kKeys)));
	return best.empty() ? "" : "; did you mean '" + best + "'?";
}

bool StringList(const toml::node &node, const std::string &key, std::vector<std::string> &out,
				std::string *error)
{
	const toml::array *array = node.as_array();
	if (array == nullptr) {
		*error = "'" + key + "' must be an array of strings";
		return false;
	}
	for (const toml::node &item : *array) {
		std::optional<std::string> s = item.value<std::string>();
		if (!s) {
			*error = "'" + key + "' must be an array of strings";
			return false;
		}
		out.push_back(*s);
	}
	return true;
}

bool ReadRules(const toml::node &node, Config &config, std::string *error)
{
	const toml::table *table = node.as_table();
	if (table == nullptr) {
		*error = "[rules] must be a table of rule = \"error\" | \"warning\" | \"info\" | \"off\"";
		return false;
	}
	for (const auto &[key, value] : *table) {
		std::string const id(key.str());
		const RuleInfo *rule = FindRule(id);
		if (rule == nullptr) {
			std::string const suggestion = SuggestRule(id);
			*error = "unknown rule '" + id + "' in [rules]" +
					 (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?");
			return false;
		}
		std::optional<std::string> level = value.value<std::string>();
		std::optional<Severity> severity = level ? SeverityFromName(*level) : std::nullopt;
		if (!severity) {
			*error = "rule '" + id + "' must be \"error\", \"warning\", \"info\" or \"off\"";
			return false;
		}
		config.rules[rule->id] = *severity;
	}
	return true;
}

bool ReadKey(const std::string &key, const toml::node &value, Config &config,
			 const fs::path &base, std::string *error)
{
	auto need_string = [&](std::optional<std::string> &out) {
		out = value.value<std::string>();
		if (!out)
			*error = "'" + key + "' must be a string";
		return out.has_value();
	};
	if (key == "tenant_column") {
		std::optional<std::string> column;
		if (!need_string(column))
			return false;
		config.tenant_columns.insert(config.tenant_columns.begin(), *column);
		return true;
	}
	if (key == "tenant_columns")
		return StringList(value, key, config.tenant_columns, error);
	if (key == "tenant_setting")
		return need_string(config.tenant_setting);
	if (key == "tables" && value.is_table()) {
		for (const auto &[name, column] : *value.as_table()) {
			std::optional<std::string> c = column.value<std::string>();
			if (!c) {
				*error = "[tables] maps a table to its tenant column name (\"\" for none)";
				return false;
			}
			config.table_columns.emplace_back(std::string(name.str()), *c);
		}
		return true;
	}
	if (key == "tables")
		return StringList(value, key, config.tables, error);
	if (key == "search_path")
		return StringList(value, key, config.search_path, error);
	if (key == "tenant_functions")
		return StringList(value, key, config.tenant_functions, error);
	if (key == "schema") {
		std::vector<std::string> paths;
		if (!StringList(value, key, paths, error))
			return false;
		for (const std::string &p : paths)
			config.schema.push_back(fs::path(p).is_absolute() ? p : (base / p).string());
		return true;
	}
	if (key == "trust_rls" || key == "any_tenant_parameter") {
		std::optional<bool> &flag = key == "trust_rls" ? config.trust_rls : config.any_tenant_parameter;
		if (value.is_boolean())
			flag = value.value<bool>();
		if (!flag)
			*error = "'" + key + "' must be true or false";
		return flag.has_value();
	}
	if (key == "max_file_size") {
		config.max_file_size = value.value<long long>();
		if (!config.max_file_size || *config.max_file_size <= 0)
			*error = "'max_file_size' must be a positive number of bytes";
		return config.max_file_size && *config.max_file_size > 0;
	}
	if (key == "rules")
		return ReadRules(value, config, error);
	*error = "unknown key '" + key + "'" + Suggest(key);
	return false;
}

} // namespace

std::optional<Config> ParseConfig(const std::string &text, const std::string &path,
								  std::string *error)
{
	Config config;
	config.path = path;
	toml::parse_result result = toml::parse(text, path);
	if (!result) {
		const toml::parse_error &e = result.error();
		*error = path + ":" + std::to_string(e.source().begin.line) + ":" +
				 std::to_string(e.source().begin.column) + ": " + std::string(e.description());
		return std::nullopt;
	}
	fs::path const base = fs::path(path).parent_path();
	for (const auto &[key, value] : result.table()) {
		std::string const k(key.str());
		if (!ReadKey(k, value, config, base, error)) {
			*error = path + ": " + *error;
			return std::nullopt;
		}
	}
	return config;
}

std::optional<Config> LoadConfig(const std::string &path, std::string *error)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		*error = path + ": cannot read config file";
		return std::nullopt;
	}
	std::stringstream buffer;
	buffer << in.rdbuf();
	return ParseConfig(buffer.str(), path, error);
}

} // namespace tlint
