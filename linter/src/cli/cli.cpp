#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/config.h"
#include "cli/exit_status.h"
#include "cli/parallel.h"
#include "lint/linter.h"
#include "output/report.h"
#include "rules/registry.h"

namespace tlint {

namespace fs = std::filesystem;

namespace {

constexpr const char *kVersion = "1.0.0";

struct Options {
	std::vector<std::string> paths;
	std::vector<std::string> schema;
	std::vector<std::string> tables;
	std::string tenant_column;
	std::string tenant_setting;
	std::string config;
	bool no_config = false;
	std::string format = "text";
	std::string color = "auto";
	unsigned jobs = 0;
	long long max_file_size = 0;
	bool trust_rls = false;
	bool list_rules = false;
};

void Error(const std::string &message) { std::cerr << "tenant-lint: " << message << '\n'; }

/* Files named, and *.sql files under directories named, in a stable order. */
bool ExpandPaths(const std::vector<std::string> &inputs, std::vector<std::string> &files)
{
	bool ok = true;
	for (const std::string &input : inputs) {
		std::error_code ec;
		if (fs::is_directory(input, ec)) {
			std::vector<std::string> found;
			for (fs::recursive_directory_iterator it(input, ec), end; !ec && it != end;
				 it.increment(ec))
				if (it->is_regular_file(ec) && it->path().extension() == ".sql")
					found.push_back(it->path().string());
			if (ec) {
				Error(input + ": " + ec.message());
				ok = false;
			}
			std::sort(found.begin(), found.end());
			files.insert(files.end(), found.begin(), found.end());
		} else if (fs::exists(input, ec)) {
			files.push_back(input);
		} else {
			Error(input + ": no such file or directory");
			ok = false;
		}
	}
	return ok;
}

void ListRules()
{
	for (const RuleInfo &r : AllRules())
		std::cout << r.id << " (" << SeverityName(r.default_severity) << "): " << r.summary << '\n';
}

bool BuildLintOptions(const Options &opts, const Config &config, LintOptions &lint,
					  std::vector<std::string> &schema_files, std::vector<std::string> &tables)
{
	lint.analysis.tenant_setting =
		!opts.tenant_setting.empty() ? opts.tenant_setting
									 : config.tenant_setting.value_or("app.tenant_id");
	lint.analysis.tenant_functions = config.tenant_functions;
	lint.analysis.trust_rls = opts.trust_rls || config.trust_rls.value_or(false);
	lint.severities = config.rules;
	if (opts.max_file_size > 0)
		lint.max_file_size = static_cast<size_t>(opts.max_file_size);
	else if (config.max_file_size)
		lint.max_file_size = static_cast<size_t>(*config.max_file_size);
	std::vector<std::string> schema_inputs = config.schema;
	schema_inputs.insert(schema_inputs.end(), opts.schema.begin(), opts.schema.end());
	tables = config.tables;
	tables.insert(tables.end(), opts.tables.begin(), opts.tables.end());
	return ExpandPaths(schema_inputs, schema_files);
}

int Lint(const Options &opts, const Config &config)
{
	LintOptions lint;
	std::vector<std::string> schema_files;
	std::vector<std::string> tables;
	bool ok = BuildLintOptions(opts, config, lint, schema_files, tables);
	std::vector<std::string> files;
	ok = ExpandPaths(opts.paths, files) && ok;
	if (!ok)
		return kExitUsage;

	std::string const tenant_column =
		!opts.tenant_column.empty() ? opts.tenant_column : config.tenant_column.value_or("tenant_id");
	SchemaModel model(tenant_column, config.search_path);
	for (const std::string &t : tables) {
		auto const [schema, name] = SplitQualifiedName(t);
		model.DeclareTenantTable(schema, name, tenant_column, false);
	}

	unsigned const jobs =
		opts.jobs > 0 ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
	std::vector<std::string> all = schema_files;
	all.insert(all.end(), files.begin(), files.end());
	std::vector<PreparedFile> prepared(all.size());
	ParallelFor(all.size(), jobs,
				[&](size_t i) { prepared[i] = PrepareFile(all[i], lint.max_file_size); });

	/* Schema files first, then the linted files, in order: later DDL sees earlier tables. */
	for (const PreparedFile &file : prepared)
		LearnSchema(file, model);
	model.Settle();

	size_t const first = schema_files.size();
	std::vector<FileReport> reports(files.size());
	ParallelFor(files.size(), jobs, [&](size_t i) {
		if (prepared[first + i].io_error.empty())
			reports[i] = LintFile(prepared[first + i], model, lint);
	});

	int status = kExitClean;
	for (const PreparedFile &file : prepared)
		if (!file.io_error.empty()) {
			Error(file.path + ": " + file.io_error);
			status = kExitUsage;
		}
	reports.erase(std::remove_if(reports.begin(), reports.end(),
								 [](const FileReport &r) { return r.file.empty(); }),
				  reports.end());

	bool const color = opts.color == "always" ||
					   (opts.color == "auto" && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == nullptr);
	if (opts.format == "json")
		WriteJson(std::cout, reports);
	else if (opts.format == "sarif")
		WriteSarif(std::cout, reports, fs::current_path().string(), kVersion);
	else if (opts.format == "github")
		WriteGithub(std::cout, reports);
	else
		WriteText(std::cout, reports, color);
	std::cout.flush();

	if (status == kExitClean)
		for (const FileReport &r : reports)
			for (const Finding &f : r.findings)
				if (f.severity == Severity::Error)
					status = kExitFindings;
	return status;
}

} // namespace

int RunCli(int argc, char **argv)
{
	/*
	 * libpg_query redirects the process-wide stderr to a pipe around every
	 * parse. Two threads parsing at once can leave fd 2 on a closed pipe:
	 * keep our own copy of stderr, ignore SIGPIPE, and put fd 2 back after
	 * the parsing threads have joined.
	 */
	int const saved_stderr = dup(STDERR_FILENO);
	std::signal(SIGPIPE, SIG_IGN);
	struct RestoreStderr {
		int fd;
		~RestoreStderr()
		{
			if (fd >= 0) {
				dup2(fd, STDERR_FILENO);
				close(fd);
			}
		}
	} restore{saved_stderr};

	Options opts;
	CLI::App app{"tenant-lint: finds SQL on tenant tables that lacks a tenant predicate"};
	app.set_version_flag("--version", kVersion);
	app.add_option("paths", opts.paths, "SQL files, or directories searched for *.sql");
	app.add_option("--schema", opts.schema,
				   "DDL (files or migration directories) to learn tenant tables from")
		->allow_extra_args(false);
	app.add_option("--table", opts.tables, "a tenant table, [schema.]name (repeatable)")
		->allow_extra_args(false);
	app.add_option("--tenant-column", opts.tenant_column, "tenant column name (default tenant_id)");
	app.add_option("--tenant-setting", opts.tenant_setting,
				   "setting that holds the tenant (default app.tenant_id)");
	app.add_option("--config", opts.config, "config file (default: .tenant-lint.toml, found upward)");
	app.add_flag("--no-config", opts.no_config, "do not read a config file");
	app.add_option("--format", opts.format, "output format")
		->check(CLI::IsMember({"text", "json", "sarif", "github"}));
	app.add_option("--color", opts.color, "colour in text output")
		->check(CLI::IsMember({"auto", "always", "never"}));
	app.add_option("-j,--jobs", opts.jobs, "threads (default: one per core)");
	app.add_option("--max-file-size", opts.max_file_size, "skip files larger than this many bytes")
		->check(CLI::PositiveNumber);
	app.add_flag("--trust-rls", opts.trust_rls,
				 "report queries on protect()ed tables as info: RLS filters them at run time");
	app.add_flag("--list-rules", opts.list_rules, "list the rules and exit");

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int const code = app.exit(e);
		return code == 0 ? kExitClean : kExitUsage;
	}
	if (opts.list_rules) {
		ListRules();
		return kExitClean;
	}
	if (opts.paths.empty()) {
		Error("no input: pass SQL files or directories (see --help)");
		return kExitUsage;
	}
	Config config;
	std::string const config_path =
		opts.no_config ? "" : (!opts.config.empty() ? opts.config : FindConfig("."));
	if (!config_path.empty()) {
		std::string error;
		std::optional<Config> loaded = LoadConfig(config_path, &error);
		if (!loaded) {
			Error(error);
			return kExitUsage;
		}
		config = *loaded;
	}
	return Lint(opts, config);
}

} // namespace tlint
