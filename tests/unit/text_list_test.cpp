// Trimming and splitting the comma lists of settings and comments.
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/text_list.h"

using namespace tg;

BOOST_AUTO_TEST_SUITE(text_list)

BOOST_AUTO_TEST_CASE(trims_whitespace_of_every_kind)
{
	BOOST_TEST(std::string(TrimSpaces(" \t a b \n")) == "a b");
	BOOST_TEST(std::string(TrimSpaces("   ")) == "");
}

BOOST_AUTO_TEST_CASE(splits_trims_and_keeps_empty_parts)
{
	auto parts = SplitList(" a , b,,c ", ',');
	BOOST_REQUIRE_EQUAL(parts.size(), 4u);
	BOOST_TEST(std::string(parts[0]) == "a");
	BOOST_TEST(std::string(parts[2]) == "");
	BOOST_TEST(std::string(parts[3]) == "c");
	BOOST_TEST(SplitList("", ',').size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
