// The command line end to end: golden outputs of every format, exit codes,
// configuration, directories, threads.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "cli/cli.h"
#include "cli/config.h"
#include "output/report.h"

namespace fs = std::filesystem;

namespace {

struct Run {
	int status = -1;
	std::string out;
	std::string err;
};

/* Runs tenant-lint in-process from dir, capturing what it prints. */
Run Cli(std::vector<std::string> args, const std::string &dir = TLINT_SOURCE_DIR)
{
	fs::path const saved = fs::current_path();
	fs::current_path(dir);
	std::ostringstream out, err;
	std::streambuf *old_out = std::cout.rdbuf(out.rdbuf());
	std::streambuf *old_err = std::cerr.rdbuf(err.rdbuf());
	args.insert(args.begin(), "tenant-lint");
	std::vector<char *> argv;
	for (std::string &a : args)
		argv.push_back(a.data());
	Run run;
	run.status = tlint::RunCli(static_cast<int>(argv.size()), argv.data());
	std::cout.rdbuf(old_out);
	std::cerr.rdbuf(old_err);
	fs::current_path(saved);
	run.out = out.str();
	run.err = err.str();
	return run;
}

std::string Slurp(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

const std::string kGolden = "linter/tests/golden/";

Run Golden(const std::string &format)
{
	return Cli({"--no-config", "--color", "never", "--format", format, "--schema",
				kGolden + "schema.sql", kGolden + "input.sql"});
}

/* A scratch directory with files, removed afterwards. */
struct Scratch {
	fs::path dir;
	Scratch()
	{
		dir = fs::temp_directory_path() / ("tlint_cli_" + std::to_string(getpid()) + "_" +
										   std::to_string(counter++));
		fs::create_directories(dir);
	}
	~Scratch() { fs::remove_all(dir); }
	std::string Write(const std::string &name, const std::string &text) const
	{
		fs::path const p = dir / name;
		fs::create_directories(p.parent_path());
		std::ofstream(p) << text;
		return p.string();
	}
	static inline int counter = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(golden_text)
{
	Run r = Golden("text");
	BOOST_TEST(r.status == 1);
	BOOST_TEST(r.out == Slurp(TLINT_SOURCE_DIR "/linter/tests/golden/expected.text"));
}

BOOST_AUTO_TEST_CASE(golden_json)
{
	Run r = Golden("json");
	BOOST_TEST(r.status == 1);
	BOOST_TEST(r.out == Slurp(TLINT_SOURCE_DIR "/linter/tests/golden/expected.json"));
}

/* The JSON writer escapes as a JSON library would; invalid UTF-8 becomes U+FFFD. */
BOOST_AUTO_TEST_CASE(json_escapes_strings)
{
	tlint::FileReport report;
	tlint::Finding f;
	f.file = "dir/\"q\".sql";
	f.rule = "r";
	f.message = std::string("tab\there\nback\\slash \x01 caf\xc3\xa9 bad\xff end");
	report.findings.push_back(f);
	std::ostringstream out;
	tlint::WriteJson(out, {report});
	BOOST_TEST(out.str().find("\"file\": \"dir/\\\"q\\\".sql\"") != std::string::npos);
	BOOST_TEST(out.str().find("\"message\": \"tab\\there\\nback\\\\slash \\u0001 caf\xc3\xa9 bad\xef\xbf\xbd end\"") !=
			   std::string::npos);
	std::ostringstream empty;
	tlint::WriteJson(empty, {});
	BOOST_TEST(empty.str() == "[]\n");
}

BOOST_AUTO_TEST_CASE(golden_sarif)
{
	Run r = Golden("sarif");
	BOOST_TEST(r.status == 1);
	BOOST_TEST(r.out == Slurp(TLINT_SOURCE_DIR "/linter/tests/golden/expected.sarif"));
}

BOOST_AUTO_TEST_CASE(golden_github)
{
	Run r = Golden("github");
	BOOST_TEST(r.status == 1);
	BOOST_TEST(r.out == Slurp(TLINT_SOURCE_DIR "/linter/tests/golden/expected.github"));
}

BOOST_AUTO_TEST_CASE(sarif_has_what_code_scanning_requires)
{
	Run r = Golden("sarif");
	BOOST_TEST(r.out.find("\"version\": \"2.1.0\"") != std::string::npos);
	BOOST_TEST(r.out.find("\"name\": \"tenant-lint\"") != std::string::npos);
	BOOST_TEST(r.out.find("\"startColumn\": 0") == std::string::npos);
	BOOST_TEST(r.out.find("\"primaryLocationLineHash\"") != std::string::npos);
	/* URIs are relative to the directory tenant-lint runs in, wherever the checkout is. */
	BOOST_TEST(r.out.find("\"uri\": \"linter/tests/golden/input.sql\"") != std::string::npos);
	BOOST_TEST(r.out.find(std::string("\"uri\": \"") + TLINT_SOURCE_DIR) == std::string::npos);
	BOOST_TEST(r.out.find("\"uri\": \"/") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(colour_only_when_asked)
{
	std::vector<std::string> base = {"--no-config", "--schema", kGolden + "schema.sql",
									 kGolden + "input.sql"};
	std::vector<std::string> always = base;
	always.insert(always.begin(), {"--color", "always"});
	BOOST_TEST(Cli(always).out.find("\033[") != std::string::npos);
	/*
	 * auto: no colour when fd 1 is not a terminal. The output is captured from
	 * std::cout either way, so point fd 1 away from any terminal the tests run in.
	 */
	int const saved = dup(STDOUT_FILENO);
	int const null = open("/dev/null", O_WRONLY);
	dup2(null, STDOUT_FILENO);
	std::string const captured = Cli(base).out;
	dup2(saved, STDOUT_FILENO);
	close(null);
	close(saved);
	BOOST_TEST(captured.find("\033[") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(exit_0_when_clean)
{
	Scratch s;
	std::string const f = s.Write("ok.sql", "SELECT * FROM orders WHERE tenant_id = $1;");
	Run r = Cli({"--no-config", "--table", "orders", f});
	BOOST_TEST(r.status == 0);
	BOOST_TEST(r.out == "no findings in 1 file\n");
}

BOOST_AUTO_TEST_CASE(exit_0_with_warnings_only)
{
	Scratch s;
	std::string const f = s.Write("w.sql", "SELECT * FROM orders WHERE tenant_id = 'x';");
	BOOST_TEST(Cli({"--no-config", "--table", "orders", f}).status == 0);
}

BOOST_AUTO_TEST_CASE(exit_1_with_errors)
{
	Scratch s;
	std::string const f = s.Write("e.sql", "SELECT * FROM orders;");
	BOOST_TEST(Cli({"--no-config", "--table", "orders", f}).status == 1);
}

BOOST_AUTO_TEST_CASE(exit_2_on_missing_path_but_lints_the_rest)
{
	Scratch s;
	std::string const f = s.Write("e.sql", "SELECT * FROM orders;");
	Run r = Cli({"--no-config", "--table", "orders", f, "/no/such/file.sql"});
	BOOST_TEST(r.status == 2);
	BOOST_TEST(r.err.find("/no/such/file.sql: no such file or directory") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(exit_2_on_usage_errors)
{
	BOOST_TEST(Cli({"--no-config"}).status == 2);
	BOOST_TEST(Cli({"--no-config", "--format", "xml", "x.sql"}).status == 2);
	BOOST_TEST(Cli({"--no-config", "--bogus", "x.sql"}).status == 2);
	BOOST_TEST(Cli({"--no-config", "--max-file-size", "-3", "x.sql"}).status == 2);
}

BOOST_AUTO_TEST_CASE(list_rules_and_version)
{
	Run rules = Cli({"--list-rules"});
	BOOST_TEST(rules.status == 0);
	BOOST_TEST(rules.out.find("missing-tenant-predicate (error)") != std::string::npos);
	Run version = Cli({"--version"});
	BOOST_TEST(version.status == 0);
	BOOST_TEST(version.out.find("1.0.0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(directories_are_searched_for_sql_files)
{
	Scratch s;
	s.Write("b/second.sql", "SELECT * FROM orders;");
	s.Write("a/first.sql", "SELECT * FROM orders;");
	s.Write("a/notes.txt", "SELECT * FROM orders;");
	Run r = Cli({"--no-config", "--table", "orders", "--format", "json", s.dir.string()});
	BOOST_TEST(r.status == 1);
	size_t const first = r.out.find("first.sql");
	size_t const second = r.out.find("second.sql");
	BOOST_TEST(first != std::string::npos);
	BOOST_TEST(second != std::string::npos);
	BOOST_TEST(first < second);
	BOOST_TEST(r.out.find("notes.txt") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(migrations_directory_as_schema)
{
	Scratch s;
	s.Write("migrations/001.sql", "CREATE TABLE orders (id int, tenant_id uuid);");
	s.Write("migrations/002.sql", "SELECT tenant_guard.protect('orders');");
	std::string const q = s.Write("q.sql", "SELECT * FROM orders;");
	Run r = Cli({"--no-config", "--schema", (s.dir / "migrations").string(), q});
	BOOST_TEST(r.status == 1);
	BOOST_TEST(r.out.find("[missing-tenant-predicate]") != std::string::npos);
	/* Schema files are learnt from, not linted. */
	BOOST_TEST(r.out.find("001.sql") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tenant_column_option)
{
	Scratch s;
	s.Write("schema.sql", "CREATE TABLE docs (id int, org_id bigint);");
	std::string const q = s.Write("q.sql", "SELECT * FROM docs WHERE id = 1;");
	/* Without the right column no table is a tenant table: a misconfiguration, not a clean run. */
	Run wrong = Cli({"--no-config", "--schema", (s.dir / "schema.sql").string(), q});
	BOOST_TEST(wrong.status == 2);
	BOOST_TEST(wrong.err == "tenant-lint: no tenant table known: no table learnt (1 in all) has a "
							"column named tenant_id (pass --schema, --dsn or "
							"--table, or set tenant_columns; --print-schema shows what was learnt)\n");
	BOOST_TEST(Cli({"--no-config", "--tenant-column", "org_id", "--schema",
					(s.dir / "schema.sql").string(), q})
				   .status == 1);
}

BOOST_AUTO_TEST_CASE(misspelt_tenant_column_is_a_usage_error_with_a_suggestion)
{
	Scratch s;
	s.Write("schema.sql", "CREATE TABLE docs (id int, tenant_id bigint);");
	std::string const q = s.Write("q.sql", "SELECT * FROM docs WHERE id = 1;");
	Run r = Cli({"--no-config", "--tenant-column", "tenant_di", "--schema",
				 (s.dir / "schema.sql").string(), q});
	BOOST_TEST(r.status == 2);
	BOOST_TEST(r.err.find("did you mean 'tenant_id'?") != std::string::npos);
	BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(print_schema_says_where_each_fact_was_learnt)
{
	Scratch s;
	std::string const schema = s.Write("schema.sql",
		"CREATE TABLE docs (id int, tenant_id uuid);\n"
		"SELECT tenant_guard.protect('docs');\n"
		"CREATE TABLE widgets (id int, \"tenantId\" uuid);\n"
		"ALTER TABLE widgets ENABLE ROW LEVEL SECURITY;\n"
		"ALTER TABLE widgets FORCE ROW LEVEL SECURITY;\n"
		"CREATE POLICY iso ON widgets USING (\"tenantId\" = current_setting('app.tenant_id')::uuid);\n"
		"CREATE TABLE plans (id int, name text);\n");
	Run r = Cli({"--no-config", "--tenant-column", "tenant_id", "--tenant-column", "tenantId",
				 "--schema", schema, "--print-schema"});
	BOOST_TEST(r.status == 0);
	BOOST_TEST(r.out == "public.docs: tenant column tenant_id (" + schema + ":2 (tenant_guard.protect)); protected by "
						"tenant_guard (" + schema + ":2 (tenant_guard.protect))\n"
						"public.plans: no tenant column (" + schema + ":7)\n"
						"public.widgets: tenant column tenantId (" + schema + ":3); row-level "
						"security of its own (" + schema + ":6 (row-level security policy iso))\n");
}

BOOST_AUTO_TEST_CASE(threads_do_not_change_the_output)
{
	std::vector<std::string> args = {"--no-config", "--format", "json", "--schema",
									 kGolden + "schema.sql"};
	for (int i = 0; i < 8; i++)
		args.push_back(kGolden + "input.sql");
	std::vector<std::string> one = args, many = args;
	one.insert(one.begin(), {"-j", "1"});
	many.insert(many.begin(), {"-j", "4"});
	BOOST_TEST(Cli(one).out == Cli(many).out);
}

BOOST_AUTO_TEST_CASE(config_found_upward)
{
	Scratch s;
	s.Write(".tenant-lint.toml", "tables = [\"orders\"]\n[rules]\nmissing-tenant-predicate = \"warning\"\n");
	s.Write("sub/dir/q.sql", "SELECT * FROM orders;");
	Run r = Cli({"q.sql"}, (s.dir / "sub" / "dir").string());
	BOOST_TEST(r.status == 0); /* downgraded to a warning */
	BOOST_TEST(r.out.find("warning:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_schema_paths_are_relative_to_the_config)
{
	Scratch s;
	s.Write(".tenant-lint.toml", "schema = [\"db/schema.sql\"]\n");
	s.Write("db/schema.sql", "CREATE TABLE orders (id int, tenant_id uuid);");
	std::string const q = s.Write("app/q.sql", "SELECT * FROM orders;");
	Run r = Cli({"--config", (s.dir / ".tenant-lint.toml").string(), q}, "/");
	BOOST_TEST(r.status == 1);
}

BOOST_AUTO_TEST_CASE(config_errors_are_usage_errors)
{
	std::string error;
	BOOST_TEST(!tlint::ParseConfig("tenant_colum = \"x\"", "c.toml", &error));
	BOOST_TEST(error.find("did you mean 'tenant_column'") != std::string::npos);
	BOOST_TEST(!tlint::ParseConfig("[rules]\nmissing-tenant = \"off\"", "c.toml", &error));
	BOOST_TEST(error.find("did you mean 'missing-tenant-predicate'") != std::string::npos);
	BOOST_TEST(!tlint::ParseConfig("[rules]\nhard-coded-tenant = \"loud\"", "c.toml", &error));
	BOOST_TEST(!tlint::ParseConfig("tables = \"orders\"", "c.toml", &error));
	BOOST_TEST(!tlint::ParseConfig("trust_rls = 1", "c.toml", &error));
	BOOST_TEST(!tlint::ParseConfig("tables = [", "c.toml", &error));
	BOOST_TEST(error.find("c.toml:1:") == 0u);

	Scratch s;
	std::string const cfg = s.Write("bad.toml", "nonsense = 1\n");
	std::string const q = s.Write("q.sql", "SELECT 1;");
	Run r = Cli({"--config", cfg, q});
	BOOST_TEST(r.status == 2);
	BOOST_TEST(r.err.find("unknown key 'nonsense'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_values)
{
	std::string error;
	auto c = tlint::ParseConfig("tenant_column = \"org\"\ntenant_setting = \"request.org\"\n"
								"tables = [\"a\", \"s.b\"]\nsearch_path = [\"app\"]\n"
								"tenant_functions = [\"auth.org\"]\ntrust_rls = true\n"
								"max_file_size = 1000\n[rules]\nhard-coded-tenant = \"off\"\n"
								"missing-tenant-filter = \"warning\"\n",
								"/x/c.toml", &error);
	BOOST_REQUIRE_MESSAGE(c.has_value(), error);
	BOOST_TEST(c->tenant_columns == std::vector<std::string>{"org"});
	BOOST_TEST(*c->tenant_setting == "request.org");
	BOOST_TEST(c->tables.size() == 2u);
	BOOST_TEST(c->search_path[0] == "app");
	BOOST_TEST(*c->trust_rls);
	BOOST_TEST(*c->max_file_size == 1000);
	BOOST_TEST((c->rules.at("hard-coded-tenant") == tlint::Severity::Off));
	/* The alias is stored under the rule's id. */
	BOOST_TEST((c->rules.at("missing-tenant-predicate") == tlint::Severity::Warning));
}

BOOST_AUTO_TEST_CASE(github_escaping)
{
	BOOST_TEST(tlint::EscapeGithubData("50% a\nb\r") == "50%25 a%0Ab%0D");
	BOOST_TEST(tlint::EscapeGithubProperty("a:b,c%") == "a%3Ab%2Cc%25");
}

BOOST_AUTO_TEST_CASE(relative_uris)
{
	BOOST_TEST(tlint::RelativeUri("/repo/db/q.sql", "/repo") == "db/q.sql");
	BOOST_TEST(tlint::RelativeUri("./db/my q.sql", "/repo") == "db/my%20q.sql");
	BOOST_TEST(tlint::RelativeUri("/elsewhere/q.sql", "/repo") == "/elsewhere/q.sql");
}

BOOST_AUTO_TEST_SUITE_END()
