// Signed tenant tokens: HMAC vectors, base64url, minting and every refusal.
#include <boost/test/unit_test.hpp>

#include "common/tenant_token.h"

using namespace tg;

namespace {

std::string Hex(const std::string &bytes)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	for (unsigned char c : bytes) {
		out += digits[c >> 4];
		out += digits[c & 0xF];
	}
	return out;
}

const SigningKey kKey{"k1", std::string(32, 'k')};
const SigningKey kOther{"k2", std::string(32, 'o')};

} // namespace

BOOST_AUTO_TEST_SUITE(tenant_token)

BOOST_AUTO_TEST_CASE(hmac_sha256_rfc4231_case_2)
{
	BOOST_TEST(Hex(HmacSha256("Jefe", "what do ya want for nothing?")) ==
			   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

BOOST_AUTO_TEST_CASE(hmac_sha256_rfc4231_case_1)
{
	BOOST_TEST(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")) ==
			   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

BOOST_AUTO_TEST_CASE(base64url_round_trip)
{
	for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
		BOOST_TEST(*Base64UrlDecode(Base64UrlEncode(s)) == s);
	}
	BOOST_TEST(Base64UrlEncode("\xfb\xff") == "-_8");
	BOOST_TEST(!Base64UrlDecode("a"));		/* impossible length */
	BOOST_TEST(!Base64UrlDecode("ab+/"));	/* standard alphabet */
	BOOST_TEST(!Base64UrlDecode("Zh"));		/* non-zero leftover bits */
}

BOOST_AUTO_TEST_CASE(standard_base64_for_keys)
{
	BOOST_TEST(*Base64Decode("Zm9vYmFy") == "foobar");
	BOOST_TEST(*Base64Decode("Zm9vYg==") == "foob");
	BOOST_TEST(!Base64Decode("Zm9vYg="));
	BOOST_TEST(!Base64Decode("Zm9v_mFy"));
}

BOOST_AUTO_TEST_CASE(signing_keys_setting)
{
	std::string error;
	std::string const secret = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="; /* 32 bytes of 'k' */
	auto keys = ParseSigningKeys(" k1:" + secret + " , k-2:" + secret, &error);
	BOOST_REQUIRE_MESSAGE(keys.has_value(), error);
	BOOST_TEST(keys->size() == 2u);
	BOOST_TEST((*keys)[1].id == "k-2");
	BOOST_TEST((*keys)[0].secret == std::string(32, 'k'));
	BOOST_TEST(ParseSigningKeys("", &error)->empty());
	BOOST_TEST(!ParseSigningKeys("k1", &error));
	BOOST_TEST(!ParseSigningKeys("k 1:" + secret, &error));
	BOOST_TEST(!ParseSigningKeys("k1:not base64!", &error));
	BOOST_TEST(!ParseSigningKeys("k1:c2hvcnQ=", &error));
	BOOST_TEST(error.find("shorter than 32 bytes") != std::string::npos);
	BOOST_TEST(!ParseSigningKeys("k1:" + secret + ",k1:" + secret, &error));
}

BOOST_AUTO_TEST_CASE(mint_and_verify)
{
	std::string const token = MintToken(kKey, "acme", 2000);
	BOOST_TEST(token.rfind("v1.k1.2000.YWNtZQ.", 0) == 0u);
	TokenCheck c = VerifyToken(token, {kOther, kKey}, 1999);
	BOOST_TEST((c.problem == TokenProblem::None));
	BOOST_TEST(c.tenant == "acme");
	BOOST_TEST(c.key_id == "k1");
}

BOOST_AUTO_TEST_CASE(refusals)
{
	std::string const token = MintToken(kKey, "acme", 2000);
	BOOST_TEST((VerifyToken(token, {kKey}, 2000).problem == TokenProblem::Expired));
	BOOST_TEST((VerifyToken(token, {kOther}, 1).problem == TokenProblem::UnknownKey));
	BOOST_TEST((VerifyToken(token, {SigningKey{"k1", std::string(32, 'x')}}, 1).problem ==
				TokenProblem::BadSignature));
	/* Another tenant under the same signature. */
	std::string forged = token;
	forged.replace(forged.find("YWNtZQ"), 6, "Z2xvYmV4");
	BOOST_TEST((VerifyToken(forged, {kKey}, 1).problem == TokenProblem::BadSignature));
	/* A later expiry under the same signature. */
	std::string extended = token;
	extended.replace(extended.find("2000"), 4, "9999");
	BOOST_TEST((VerifyToken(extended, {kKey}, 1).problem == TokenProblem::BadSignature));
	for (const char *bad : {"", "v1", "v2.k1.2000.YWNtZQ.AAAA", "v1.k1.20x0.YWNtZQ.AAAA",
							"v1..2000.YWNtZQ.AAAA", "v1.k1.2000..AAAA", "v1.k1.2000.YWNtZQ.AA+A",
							"v1.k1.2000.YWNtZQ.AAAA.extra", "v1. k1.2000.YWNtZQ.AAAA"})
		BOOST_TEST((VerifyToken(bad, {kKey}, 1).problem == TokenProblem::Malformed), bad);
}

BOOST_AUTO_TEST_SUITE_END()
