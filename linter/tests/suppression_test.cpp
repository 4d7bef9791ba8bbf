// Suppression comments: what they cover, and what is reported about them.
#include <boost/test/unit_test.hpp>

#include "test_support.h"

using tlint::test::Lint;
using tlint::test::RuleList;

BOOST_AUTO_TEST_SUITE(suppressions)

BOOST_AUTO_TEST_CASE(line_before_the_statement)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[missing-tenant-predicate] admin report\n"
							 "SELECT * FROM orders;")) == "");
}

BOOST_AUTO_TEST_CASE(trailing_on_the_statement_end_line)
{
	BOOST_TEST(RuleList(Lint("SELECT * FROM orders; -- tenant-lint: ignore[missing-tenant-predicate] ok\n"
							 "SELECT 1;")) == "");
}

BOOST_AUTO_TEST_CASE(inside_a_multi_line_statement)
{
	BOOST_TEST(RuleList(Lint("SELECT *\n  FROM orders -- tenant-lint: ignore[missing-tenant-predicate]\n"
							 " WHERE id = 1;")) == "");
}

BOOST_AUTO_TEST_CASE(does_not_reach_the_next_statement)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[missing-tenant-predicate] first only\n"
							 "SELECT * FROM orders;\nSELECT * FROM customers;")) ==
			   "missing-tenant-predicate");
}

BOOST_AUTO_TEST_CASE(trailing_comment_does_not_cover_the_next_line)
{
	BOOST_TEST(RuleList(Lint("SELECT 1; -- tenant-lint: ignore[missing-tenant-predicate]\n"
							 "SELECT * FROM orders;")) ==
			   "unused-suppression,missing-tenant-predicate");
}

BOOST_AUTO_TEST_CASE(whole_file)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore-file[missing-tenant-predicate] reporting job\n"
							 "SELECT * FROM orders;\nSELECT * FROM customers;\nTRUNCATE orders;")) ==
			   "truncate-tenant-table");
}

BOOST_AUTO_TEST_CASE(only_the_named_rule)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[hard-coded-tenant]\n"
							 "SELECT * FROM orders;")) ==
			   "unused-suppression,missing-tenant-predicate");
}

BOOST_AUTO_TEST_CASE(several_rules_in_one_comment)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[missing-tenant-predicate, hard-coded-tenant]\n"
							 "SELECT * FROM orders o JOIN customers c ON c.tenant_id = 'x';")) == "");
}

BOOST_AUTO_TEST_CASE(unused_is_reported)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[missing-tenant-predicate]\nSELECT 1;")) ==
			   "unused-suppression");
}

BOOST_AUTO_TEST_CASE(unknown_rule_gets_a_suggestion)
{
	std::vector<tlint::Finding> f = Lint("-- tenant-lint: ignore[missing-tenant-predicat]\nSELECT 1;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].rule == "invalid-suppression");
	BOOST_TEST(f[0].message.find("did you mean 'missing-tenant-predicate'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_comment)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore missing-tenant-predicate\nSELECT 1;")) ==
			   "invalid-suppression");
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[]\nSELECT 1;")) == "invalid-suppression");
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[x\nSELECT 1;")) == "invalid-suppression");
	BOOST_TEST(RuleList(Lint("-- tenant-lint: silence[x]\nSELECT 1;")) == "invalid-suppression");
}

BOOST_AUTO_TEST_CASE(alias_id_is_accepted)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[missing-tenant-filter]\nSELECT * FROM orders;")) ==
			   "");
}

BOOST_AUTO_TEST_CASE(block_comment_form)
{
	BOOST_TEST(RuleList(Lint("/* tenant-lint: ignore[missing-tenant-predicate] */ SELECT * FROM orders;")) ==
			   "");
}

BOOST_AUTO_TEST_CASE(marker_inside_a_string_is_not_a_comment)
{
	BOOST_TEST(RuleList(Lint("SELECT '-- tenant-lint: ignore[missing-tenant-predicate]' FROM orders;")) ==
			   "missing-tenant-predicate");
}

BOOST_AUTO_TEST_CASE(ordinary_comments_are_ignored)
{
	BOOST_TEST(RuleList(Lint("-- list orders\nSELECT * FROM orders WHERE tenant_id = $1;")) == "");
}

BOOST_AUTO_TEST_CASE(regression_suppression_cannot_hide_its_own_findings)
{
	BOOST_TEST(RuleList(Lint("-- tenant-lint: ignore[unused-suppression]\nSELECT 1;")) ==
			   "unused-suppression");
}

BOOST_AUTO_TEST_SUITE_END()
