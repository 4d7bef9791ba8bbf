// Tenant values: what the current-tenant functions accept for each column type.
#include <boost/test/unit_test.hpp>

#include "common/tenant_value.h"

using namespace tg;

BOOST_AUTO_TEST_SUITE(tenant_value)

BOOST_AUTO_TEST_CASE(type_names_round_trip)
{
	for (TenantType t : {TenantType::Uuid, TenantType::Bigint, TenantType::Integer, TenantType::Text})
		BOOST_TEST((TenantTypeFromSqlName(TenantTypeSqlName(t)) == t));
	BOOST_TEST(!TenantTypeFromSqlName("numeric"));
	BOOST_TEST(!TenantTypeFromSqlName("character varying"));
	BOOST_TEST(!TenantTypeFromSqlName("UUID")); /* format_type() spells types in lower case */
}

BOOST_AUTO_TEST_CASE(function_names_match_the_install_script)
{
	BOOST_TEST(std::string(TenantFunctionName(TenantType::Uuid)) == "tenant_uuid");
	BOOST_TEST(std::string(TenantFunctionName(TenantType::Bigint)) == "tenant_bigint");
	BOOST_TEST(std::string(TenantFunctionName(TenantType::Integer)) == "tenant_integer");
	BOOST_TEST(std::string(TenantFunctionName(TenantType::Text)) == "tenant_text");
}

BOOST_AUTO_TEST_CASE(tenant_function_names_are_recognised)
{
	for (const char *name : {"tenant_uuid", "tenant_bigint", "tenant_integer", "tenant_text", "current_tenant"})
		BOOST_TEST(IsTenantFunctionName(name), name);
	for (const char *name : {"tenant_guard", "tenant_numeric", "current_setting", "", "Tenant_uuid"})
		BOOST_TEST(!IsTenantFunctionName(name), name);
}

BOOST_AUTO_TEST_CASE(uuid_canonical_form)
{
	auto bytes = ParseUuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	BOOST_REQUIRE(bytes);
	BOOST_TEST((*bytes)[0] == 0xa0);
	BOOST_TEST((*bytes)[15] == 0x11);
}

BOOST_AUTO_TEST_CASE(uuid_forms_uuid_in_accepts)
{
	auto canonical = ParseUuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	BOOST_TEST((ParseUuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11") == canonical));
	BOOST_TEST((ParseUuid("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}") == canonical));
	BOOST_TEST((ParseUuid("a0eebc999c0b4ef8bb6d6bb9bd380a11") == canonical));
	BOOST_TEST((ParseUuid("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11") == canonical));
}

BOOST_AUTO_TEST_CASE(uuid_rejects_malformed_text)
{
	BOOST_TEST(!ParseUuid(""));
	BOOST_TEST(!ParseUuid("garbage"));
	BOOST_TEST(!ParseUuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"));	 /* 31 digits */
	BOOST_TEST(!ParseUuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111")); /* 33 digits */
	BOOST_TEST(!ParseUuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g"));
	BOOST_TEST(!ParseUuid("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
	BOOST_TEST(!ParseUuid("a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11")); /* hyphen inside a group */
	BOOST_TEST(!ParseUuid(" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
	BOOST_TEST(!ParseUuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-"));
}

BOOST_AUTO_TEST_CASE(int64_bounds)
{
	BOOST_TEST(*ParseInt64("9223372036854775807") == INT64_MAX);
	BOOST_TEST(*ParseInt64("-9223372036854775808") == INT64_MIN);
	BOOST_TEST(!ParseInt64("9223372036854775808"));
	BOOST_TEST(!ParseInt64("-9223372036854775809"));
	BOOST_TEST(*ParseInt64("+42") == 42);
	BOOST_TEST(*ParseInt64("007") == 7);
}

BOOST_AUTO_TEST_CASE(int64_rejects_non_decimal)
{
	for (const char *bad : {"", "-", "+", " 1", "1 ", "1.0", "1e3", "0x10", "12a", "١٢"})
		BOOST_TEST(!ParseInt64(bad), "accepted \"" << bad << "\"");
}

BOOST_AUTO_TEST_CASE(int32_bounds)
{
	BOOST_TEST(*ParseInt32("2147483647") == INT32_MAX);
	BOOST_TEST(*ParseInt32("-2147483648") == INT32_MIN);
	BOOST_TEST(!ParseInt32("2147483648"));
	BOOST_TEST(!ParseInt32("-2147483649"));
}

BOOST_AUTO_TEST_CASE(empty_means_not_set_for_every_type)
{
	for (TenantType t : {TenantType::Uuid, TenantType::Bigint, TenantType::Integer, TenantType::Text})
		BOOST_TEST(*TenantValueProblem(t, "") == "is empty");
}

BOOST_AUTO_TEST_CASE(problems_name_the_type)
{
	BOOST_TEST(*TenantValueProblem(TenantType::Uuid, "x") == "is not a valid uuid");
	BOOST_TEST(*TenantValueProblem(TenantType::Bigint, "x") == "is not a valid bigint");
	BOOST_TEST(*TenantValueProblem(TenantType::Integer, "3000000000") == "is not a valid integer");
	BOOST_TEST(!TenantValueProblem(TenantType::Integer, "42"));
	BOOST_TEST(!TenantValueProblem(TenantType::Bigint, "3000000000"));
}

BOOST_AUTO_TEST_CASE(text_tenants)
{
	BOOST_TEST(!TenantValueProblem(TenantType::Text, "acme"));
	BOOST_TEST(!TenantValueProblem(TenantType::Text, "acme corp"));
	BOOST_TEST(!TenantValueProblem(TenantType::Text, "ünïcode-tenant"));
	BOOST_TEST(*TenantValueProblem(TenantType::Text, " acme") == "has leading or trailing spaces");
	BOOST_TEST(*TenantValueProblem(TenantType::Text, "acme ") == "has leading or trailing spaces");
	BOOST_TEST(*TenantValueProblem(TenantType::Text, "ac\nme") == "contains a control character");
	BOOST_TEST(*TenantValueProblem(TenantType::Text, std::string(256, 'a')) ==
			   "is longer than 255 bytes");
	BOOST_TEST(!TenantValueProblem(TenantType::Text, std::string(255, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(same_tenant)

BOOST_AUTO_TEST_CASE(uuids_compare_as_values)
{
	BOOST_TEST(SameTenant(TenantType::Uuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
						  "a0eebc999c0b4ef8bb6d6bb9bd380a11"));
	BOOST_TEST(!SameTenant(TenantType::Uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
						   "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12"));
	BOOST_TEST(!SameTenant(TenantType::Uuid, "not-a-uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
}

BOOST_AUTO_TEST_CASE(integers_compare_as_numbers)
{
	BOOST_TEST(SameTenant(TenantType::Bigint, "42", "+042"));
	BOOST_TEST(!SameTenant(TenantType::Integer, "42", "43"));
}

BOOST_AUTO_TEST_CASE(text_compares_exactly)
{
	BOOST_TEST(SameTenant(TenantType::Text, "acme", "acme"));
	BOOST_TEST(!SameTenant(TenantType::Text, "acme", "ACME"));
	BOOST_TEST(!SameTenant(TenantType::Text, "42", "042"));
}

BOOST_AUTO_TEST_SUITE_END()
