// The rule registry: ids, aliases, suggestions, and a doc page for every rule.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "lint/spellcheck.h"
#include "rules/registry.h"

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(ids_are_unique_kebab_case)
{
	std::set<std::string> seen;
	for (const tlint::RuleInfo &r : tlint::AllRules()) {
		std::string const id = r.id;
		BOOST_TEST(seen.insert(id).second, "duplicate id " << id);
		for (char c : id)
			BOOST_TEST(((c >= 'a' && c <= 'z') || c == '-'), "bad character in " << id);
		BOOST_TEST(std::string(r.summary).size() > 10u);
		BOOST_TEST(std::string(r.help).size() > 10u);
	}
}

BOOST_AUTO_TEST_CASE(every_rule_has_a_doc_page)
{
	for (const tlint::RuleInfo &r : tlint::AllRules()) {
		std::ifstream in(std::string(TLINT_SOURCE_DIR "/docs/rules/") + r.id + ".md");
		BOOST_REQUIRE_MESSAGE(in.good(), "docs/rules/" << r.id << ".md is missing");
		std::stringstream text;
		text << in.rdbuf();
		BOOST_TEST(text.str().rfind(std::string("# ") + r.id + "\n", 0) == 0u);
		BOOST_TEST(text.str().find(std::string("Default severity: **") +
								   tlint::SeverityName(r.default_severity) + "**") != std::string::npos);
		BOOST_TEST(text.str().find("## Problem") != std::string::npos);
		BOOST_TEST(text.str().find("## Solution") != std::string::npos);
	}
}

BOOST_AUTO_TEST_CASE(aliases_resolve_to_the_published_id)
{
	BOOST_TEST(std::string(tlint::FindRule("missing-tenant-filter")->id) == "missing-tenant-predicate");
	BOOST_TEST(std::string(tlint::FindRule("no-tenant-predicate")->id) == "missing-tenant-predicate");
	BOOST_TEST(tlint::FindRule("no-such-rule") == nullptr);
}

BOOST_AUTO_TEST_CASE(suggestions)
{
	BOOST_TEST(tlint::SuggestRule("hard-coded-tenat") == "hard-coded-tenant");
	BOOST_TEST(tlint::SuggestRule("truncate") == "truncate-tenant-table");
	BOOST_TEST(tlint::SuggestRule("xyz") == "");
	BOOST_TEST(tlint::EditDistance("kitten", "sitting") == 3u);
	BOOST_TEST(tlint::EditDistance("", "abc") == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
