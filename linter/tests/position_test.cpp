// Where findings point: lines, columns (characters), ends, severities.
#include <boost/test/unit_test.hpp>

#include "test_support.h"

using tlint::test::Lint;

BOOST_AUTO_TEST_SUITE(positions)

BOOST_AUTO_TEST_CASE(points_at_the_table_name)
{
	auto f = Lint("SELECT 1;\n\nSELECT *\n  FROM orders o\n WHERE o.id = 1;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.line == 4);
	BOOST_TEST(f[0].start.column == 8);
	BOOST_TEST(f[0].end.line == 4);
	BOOST_TEST(f[0].end.column == 14);
	BOOST_TEST(f[0].message == "query reads tenant table orders without a tenant predicate on tenant_id");
}

BOOST_AUTO_TEST_CASE(qualified_and_quoted_names_are_spanned_whole)
{
	auto f = Lint("SELECT * FROM billing.invoices;\nSELECT * FROM \"Audit\";");
	BOOST_REQUIRE_EQUAL(f.size(), 2u);
	BOOST_TEST(f[0].end.column - f[0].start.column == 16);
	BOOST_TEST(f[1].end.column - f[1].start.column == 7);
}

BOOST_AUTO_TEST_CASE(columns_count_characters_not_bytes)
{
	auto f = Lint("SELECT 'ünïcödé', * FROM orders;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.column == 26);
}

BOOST_AUTO_TEST_CASE(crlf_line_endings)
{
	auto f = Lint("SELECT 1;\r\nSELECT * FROM orders;\r\n");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.line == 2);
	BOOST_TEST(f[0].start.column == 15);
}

BOOST_AUTO_TEST_CASE(parse_error_points_at_the_token)
{
	auto f = Lint("SELECT 1;\nSELECT * FORM orders;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].rule == "parse-error");
	BOOST_TEST(f[0].start.line == 2);
	BOOST_TEST(f[0].start.column == 10);
	BOOST_TEST(f[0].message == "syntax error at or near \"FORM\"");
}

BOOST_AUTO_TEST_CASE(parse_error_after_multibyte_text)
{
	/* FORM is taken as a column alias; the error is at "orders", character 19. */
	auto f = Lint("SELECT 'ééé' FORM orders;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.column == 19);
}

BOOST_AUTO_TEST_CASE(plpgsql_finding_points_into_the_body)
{
	auto f = Lint("CREATE FUNCTION n() RETURNS bigint LANGUAGE plpgsql AS $$\n"
				  "DECLARE n bigint;\nBEGIN\n  SELECT count(*) INTO n FROM orders;\n  RETURN n;\nEND $$;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.line == 4);
	BOOST_TEST(f[0].start.column == 31);
}

BOOST_AUTO_TEST_CASE(plpgsql_assignment_points_into_the_body)
{
	auto f = Lint("CREATE FUNCTION n() RETURNS bigint LANGUAGE plpgsql AS $$\nDECLARE n bigint;\nBEGIN\n"
				  "  n := (SELECT count(*) FROM orders);\n  RETURN n;\nEND $$;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.line == 4);
	BOOST_TEST(f[0].start.column == 30);
}

BOOST_AUTO_TEST_CASE(sql_function_finding_points_into_the_body)
{
	auto f = Lint("CREATE FUNCTION n() RETURNS bigint\nLANGUAGE sql AS $$\n  SELECT count(*)\n  FROM orders\n$$;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.line == 4);
	BOOST_TEST(f[0].start.column == 8);
}

BOOST_AUTO_TEST_CASE(regression_statement_findings_skip_leading_comments)
{
	auto f = Lint("SELECT 1;\n-- set up the connection\n/* pooled */ SET app.tenant_id = 'x';");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.line == 3);
	BOOST_TEST(f[0].start.column == 14);
}

BOOST_AUTO_TEST_CASE(default_severities)
{
	auto f = Lint("SELECT * FROM orders WHERE tenant_id = 'x';\nSELECT * FROM customers;\n"
				  "-- tenant-lint: ignore[truncate-tenant-table]\nSELECT 1;\n");
	BOOST_REQUIRE_EQUAL(f.size(), 3u);
	BOOST_TEST(f[0].severity == tlint::Severity::Warning);
	BOOST_TEST(f[1].severity == tlint::Severity::Error);
	BOOST_TEST(f[2].severity == tlint::Severity::Warning);
}

BOOST_AUTO_TEST_CASE(configured_severity_and_off)
{
	tlint::LintOptions options;
	options.severities["hard-coded-tenant"] = tlint::Severity::Error;
	options.severities["missing-tenant-predicate"] = tlint::Severity::Off;
	auto f = Lint("SELECT * FROM orders WHERE tenant_id = 'x';\nSELECT * FROM customers;", options);
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].rule == "hard-coded-tenant");
	BOOST_TEST(f[0].severity == tlint::Severity::Error);
}

BOOST_AUTO_TEST_CASE(trust_rls_makes_protected_tables_info)
{
	tlint::LintOptions options;
	options.analysis.trust_rls = true;
	auto f = Lint("SELECT * FROM protected_notes;\nSELECT * FROM orders;\nTRUNCATE protected_notes;", options);
	BOOST_REQUIRE_EQUAL(f.size(), 3u);
	BOOST_TEST(f[0].severity == tlint::Severity::Info);
	BOOST_TEST(f[1].severity == tlint::Severity::Error);
	BOOST_TEST(f[2].severity == tlint::Severity::Error); /* RLS does not apply to TRUNCATE */
}

BOOST_AUTO_TEST_CASE(custom_tenant_function_and_setting)
{
	tlint::LintOptions options;
	options.analysis.tenant_functions = {"auth.tenant_id"};
	options.analysis.tenant_setting = "request.tenant";
	auto f = Lint("SELECT * FROM orders WHERE tenant_id = auth.tenant_id();\n"
				  "SELECT * FROM orders WHERE tenant_id = current_setting('request.tenant')::uuid;\n"
				  "SELECT * FROM orders WHERE tenant_id = current_setting('app.tenant_id')::uuid;\n"
				  "SET request.tenant = 'x';",
				  options);
	BOOST_TEST(tlint::test::RuleList(f) == "missing-tenant-predicate,session-tenant-setting");
	BOOST_TEST(f[0].start.line == 3);
}

BOOST_AUTO_TEST_CASE(message_names_the_one_reason)
{
	auto f = Lint("SELECT * FROM orders WHERE tenant_id = $1 OR true;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].message == "query reads tenant table orders without a tenant predicate on "
							   "tenant_id (the predicate on tenant_id is under OR: another branch "
							   "lets other tenants' rows through)");
	auto g = Lint("SELECT * FROM orders WHERE id = 1;");
	BOOST_TEST(g[0].message ==
			   "query reads tenant table orders without a tenant predicate on tenant_id");
}

BOOST_AUTO_TEST_CASE(help_text_comes_from_the_registry)
{
	auto f = Lint("TRUNCATE orders;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].help == "DELETE the current tenant's rows instead.");
}

BOOST_AUTO_TEST_SUITE_END()

/* Statements are parsed in runs of several per libpg_query call; what each finding says must not depend on its neighbours. */
BOOST_AUTO_TEST_SUITE(parsed_in_runs)

std::string Describe(const std::vector<tlint::Finding> &findings)
{
	std::string out;
	for (const tlint::Finding &f : findings)
		out += f.rule + " " + std::to_string(f.start.line) + ":" + std::to_string(f.start.column) +
			   "-" + std::to_string(f.end.column) + "\n";
	return out;
}

/* Each statement alone, as its own file: the reference a run must agree with. */
std::string OneByOne(const std::vector<std::string> &statements)
{
	std::string out;
	for (size_t i = 0; i < statements.size(); i++)
		for (tlint::Finding f : Lint(statements[i])) {
			f.start.line += static_cast<int>(i);
			f.end.line += static_cast<int>(i);
			out += Describe({f});
		}
	return out;
}

std::string Joined(const std::vector<std::string> &statements)
{
	std::string out;
	for (const std::string &s : statements)
		out += s + "\n";
	return out;
}

BOOST_AUTO_TEST_CASE(a_statement_without_location_points_at_itself)
{
	/* SET has no location in the parse tree: the finding goes to the statement's first token. */
	std::vector<std::string> const statements{"SELECT * FROM orders WHERE tenant_id = $1;",
											  "  /* c */ SET app.tenant_id = 'x';",
											  "SELECT * FROM orders WHERE id = ?;"};
	std::string const joined = Describe(Lint(Joined(statements)));
	BOOST_TEST(joined == OneByOne(statements));
	BOOST_TEST(joined.find("session-tenant-setting 2:11-") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_syntax_error_in_a_run_leaves_its_neighbours_analysed)
{
	std::vector<std::string> statements;
	for (int i = 0; i < 40; i++)
		statements.push_back(i == 17   ? "SELECT * FORM orders;"
							 : i % 3 ? "SELECT * FROM orders WHERE id = :id;"
									 : "UPDATE orders SET total = 0 WHERE tenant_id = @tenant_id;");
	std::string const joined = Describe(Lint(Joined(statements)));
	BOOST_TEST(joined == OneByOne(statements));
	BOOST_TEST(joined.find("parse-error 18:10-") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
