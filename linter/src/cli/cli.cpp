#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/config.h"
#include "catalog/database.h"
#include "cli/exit_status.h"
#include "lint/parallel.h"
#include "lint/spellcheck.h"
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
	std::vector<std::string> tenant_columns;
	std::string dsn;
	std::string tenant_setting;
	std::string config;
	bool no_config = false;
	std::string format = "text";
	std::string color = "auto";
	unsigned jobs = 0;
	long long max_file_size = 0;
	bool trust_rls = false;
	bool any_tenant_parameter = false;
	bool print_schema = false;
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
	lint.analysis.any_tenant_parameter =
		opts.any_tenant_parameter || config.any_tenant_parameter.value_or(false);
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

/* --print-schema: every table learnt, its tenant column and protection, and where each came from. */
void PrintSchema(const SchemaModel &model)
{
	for (const TableFacts *t : model.AllTables()) {
		std::cout << t->QualifiedName() << ": ";
		if (!t->IsTenantTable()) {
			std::cout << "no tenant column (" << t->table_from << ")\n";
			continue;
		}
		std::cout << "tenant column " << t->tenant_column << " (" << t->column_from << ")";
		if (t->is_protected)
			std::cout << "; protected by tenant_guard (" << t->protection_from << ")";
		else if (t->rls_protected)
			std::cout << "; row-level security of its own (" << t->protection_from << ")";
		else
			std::cout << "; not protected";
		std::cout << '\n';
	}
}

/* A typo in the tenant column or a wrong schema path would silently find nothing: refuse. */
std::string NoTenantTable(const SchemaModel &model)
{
	std::string names;
	for (const std::string &c : model.TenantColumns())
		names += (names.empty() ? "" : ", ") + c;
	std::string message = "no tenant table known: no table learnt (" +
						  std::to_string(model.AllTables().size()) + " in all) has a column named " +
						  names;
	std::vector<std::string> const columns = model.ColumnNames();
	std::string const suggestion = ClosestMatch(
		model.TenantColumns().front(), std::vector<std::string_view>(columns.begin(), columns.end()));
	if (!suggestion.empty())
		message += "; did you mean '" + suggestion + "'?";
	return message + " (pass --schema, --dsn or --table, or set tenant_columns; --print-schema "
					 "shows what was learnt)";
}

SchemaModel MakeModel(const Options &opts, const Config &config, const std::vector<std::string> &tables)
{
	std::vector<std::string> columns = opts.tenant_columns;
	if (columns.empty())
		columns = config.tenant_columns;
	SchemaModel model(columns, config.search_path);
	for (const std::string &t : tables) {
		auto const [schema, name] = SplitQualifiedName(t);
		model.DeclareTenantTable(schema, name, "", false, "--table or config tables");
	}
	for (const auto &[table, column] : config.table_columns) {
		auto const [schema, name] = SplitQualifiedName(table);
		model.OverrideTenantColumn(schema, name, column);
	}
	return model;
}

/* Files this large are lexed on every thread, one after another; the others side by side. */
bool LexedInPieces(const std::string &path)
{
	std::error_code error;
	auto const size = fs::file_size(path, error);
	return !error && size >= kParallelLexBytes;
}

std::vector<PreparedFile> PrepareAll(const std::vector<std::string> &paths, size_t max_file_size,
									 unsigned jobs)
{
	std::vector<PreparedFile> prepared(paths.size());
	std::vector<size_t> small;
	for (size_t i = 0; i < paths.size(); i++)
		if (jobs > 1 && LexedInPieces(paths[i]))
			prepared[i] = PrepareFile(paths[i], max_file_size, jobs);
		else
			small.push_back(i);
	ParallelFor(small.size(), jobs,
				[&](size_t k) { prepared[small[k]] = PrepareFile(paths[small[k]], max_file_size); });
	return prepared;
}

/* Big files use every thread themselves; the others are linted side by side, one thread each. */
constexpr size_t kLargeFileStatements = 8192;

std::vector<FileReport> LintAll(const std::vector<PreparedFile> &prepared, size_t first,
								const SchemaModel &model, const LintOptions &lint, unsigned jobs)
{
	size_t const count = prepared.size() - first;
	std::vector<FileReport> reports(count);
	std::vector<size_t> small;
	for (size_t i = 0; i < count; i++) {
		const PreparedFile &file = prepared[first + i];
		if (!file.io_error.empty())
			continue;
		if (file.spans.size() >= kLargeFileStatements)
			reports[i] = LintFile(file, model, lint, jobs);
		else
			small.push_back(i);
	}
	ParallelFor(small.size(), jobs, [&](size_t k) {
		reports[small[k]] = LintFile(prepared[first + small[k]], model, lint);
	});
	return reports;
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

	SchemaModel model = MakeModel(opts, config, tables);
	if (!opts.dsn.empty()) {
		std::string error;
		if (!LoadDatabaseSchema(opts.dsn, model, &error)) {
			Error(error);
			return kExitUsage;
		}
	}

	unsigned const jobs =
		opts.jobs > 0 ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
	std::vector<std::string> all = schema_files;
	all.insert(all.end(), files.begin(), files.end());
	std::vector<PreparedFile> prepared = PrepareAll(all, lint.max_file_size, jobs);

	/* Schema files first, then the linted files, in order: later DDL sees earlier tables. */
	for (const PreparedFile &file : prepared)
		LearnSchema(file, model);
	model.Settle();
	if (opts.print_schema) {
		PrintSchema(model);
		return kExitClean;
	}
	if (model.TenantTables().empty()) {
		Error(NoTenantTable(model));
		return kExitUsage;
	}

	/* Only the text and SARIF outputs quote the file: the others need no copy of it. */
	lint.keep_source = opts.format == "text" || opts.format == "sarif";
	std::vector<FileReport> reports = LintAll(prepared, schema_files.size(), model, lint, jobs);

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
	 * libpg_query built as upstream releases it redirects the process-wide
	 * stderr to a pipe around every parse, and two threads parsing at once can
	 * leave fd 2 on a closed pipe. Debian's libpg-query 15-4.0.0 does not (its
	 * library calls neither pipe nor dup2), but a linked build may: keep our
	 * own copy of stderr, ignore SIGPIPE, and put fd 2 back at the end.
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
	app.add_option("--tenant-column", opts.tenant_columns,
				   "tenant column name (repeatable; default tenant_id)")
		->allow_extra_args(false);
	app.add_option("--dsn", opts.dsn,
				   "read tables, tenant columns, RLS and tenant_guard's registry from a database");
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
				 "report queries on protected tables as info: RLS (tenant_guard's or the schema's "
				 "own, enabled, forced, with a policy on the tenant column) filters them");
	app.add_flag("--any-tenant-parameter", opts.any_tenant_parameter,
				 "accept tenant_column = ANY($1) (a set of tenants the application allows)");
	app.add_flag("--print-schema", opts.print_schema,
				 "list the tables, tenant columns and protection learnt, with where, and exit");
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
	if (opts.paths.empty() && !opts.print_schema) {
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
