// Signed tenant tokens: HMAC vectors, base64url, minting and every refusal.
#include <boost/test/unit_test.hpp>

#include "common/tenant_token.h"

#include <string>
#include <utility>
#include <vector>

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

BOOST_AUTO_TEST_CASE(signing_key_file)
{
	std::string error;
	std::string const secret = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="; /* 32 bytes of 'k' */
	auto keys = ParseSigningKeyFile("# rotation in progress\n k1:" + secret + " \r\n\nk-2:" + secret +
										"\n",
									&error);
	BOOST_REQUIRE_MESSAGE(keys.has_value(), error);
	BOOST_TEST(keys->size() == 2u);
	BOOST_TEST((*keys)[1].id == "k-2");
	BOOST_TEST((*keys)[0].secret == std::string(32, 'k'));
	BOOST_TEST(ParseSigningKeyFile("", &error)->empty());
	BOOST_TEST(ParseSigningKeyFile("# none yet\n", &error)->empty());
	BOOST_TEST(!ParseSigningKeyFile("k1", &error));
	BOOST_TEST(error == "line 1: each key must be written key_id:base64_secret");
	BOOST_TEST(!ParseSigningKeyFile("k 1:" + secret, &error));
	BOOST_TEST(!ParseSigningKeyFile("k1:not base64!", &error));
	BOOST_TEST(!ParseSigningKeyFile("\nk1:c2hvcnQ=", &error));
	BOOST_TEST(error.find("line 2: ") == 0u);
	BOOST_TEST(error.find("shorter than 32 bytes") != std::string::npos);
	BOOST_TEST(!ParseSigningKeyFile("k1:" + secret + "\nk1:" + secret, &error));
	/* The inline form of 1.0 (a comma list on one line) is not a key file. */
	BOOST_TEST(!ParseSigningKeyFile("k1:" + secret + ", k2:" + secret, &error));
}

namespace {

const std::vector<SigningKey> kKeys{kOther, kKey};

TokenClaims Claims(std::string tenant = "acme", int64_t expires = 2000)
{
	return {std::move(tenant), "appdb", expires, "bm9uY2Utbm9uY2Utbm9u"};
}

TokenPolicy Policy(int64_t now, const std::vector<SigningKey> &keys = kKeys,
				   std::string_view audience = "appdb", int64_t max_lifetime = 300)
{
	return {&keys, now, audience, max_lifetime};
}

} // namespace

BOOST_AUTO_TEST_CASE(mint_and_verify)
{
	std::string const token = MintToken(kKey, Claims());
	BOOST_TEST(token.rfind("v2.k1.2000.YXBwZGI.YWNtZQ.bm9uY2Utbm9uY2Utbm9u.", 0) == 0u);
	TokenCheck c = VerifyToken(token, Policy(1999));
	BOOST_TEST((c.problem == TokenProblem::None));
	BOOST_TEST(c.tenant == "acme");
	BOOST_TEST(c.audience == "appdb");
	BOOST_TEST(c.key_id == "k1");
	BOOST_TEST(c.mac == HmacSha256(kKey.secret, token.substr(0, token.rfind('.'))));
}

BOOST_AUTO_TEST_CASE(nonces_make_every_token_unique)
{
	std::string const a = RandomNonce();
	std::string const b = RandomNonce();
	BOOST_TEST(a.size() == 22u);
	BOOST_TEST(a != b);
	TokenClaims first = Claims();
	TokenClaims second = Claims();
	first.nonce = a;
	second.nonce = b;
	TokenCheck const one = VerifyToken(MintToken(kKey, first), Policy(1999));
	TokenCheck const two = VerifyToken(MintToken(kKey, second), Policy(1999));
	BOOST_TEST((one.problem == TokenProblem::None && two.problem == TokenProblem::None));
	BOOST_TEST(one.mac != two.mac);
}

BOOST_AUTO_TEST_CASE(refusals)
{
	std::string const token = MintToken(kKey, Claims());
	BOOST_TEST((VerifyToken(token, Policy(2000)).problem == TokenProblem::Expired));
	BOOST_TEST((VerifyToken(token, Policy(1999, {kOther})).problem == TokenProblem::UnknownKey));
	BOOST_TEST((VerifyToken(token, Policy(1999, {SigningKey{"k1", std::string(32, 'x')}})).problem ==
				TokenProblem::BadSignature));
	/* A token for another database that shares the key. */
	TokenCheck const other_db = VerifyToken(token, Policy(1999, kKeys, "otherdb"));
	BOOST_TEST((other_db.problem == TokenProblem::WrongAudience));
	BOOST_TEST(other_db.tenant.empty());
	/* Lifetime cap: 2000 - 1699 = 301 seconds is longer than 300. */
	BOOST_TEST((VerifyToken(token, Policy(1699)).problem == TokenProblem::TooLong));
	BOOST_TEST((VerifyToken(token, Policy(1700)).problem == TokenProblem::None));
	/* Another tenant, audience or expiry under the same signature. */
	for (auto [from, to] : {std::pair{"YWNtZQ", "Z2xvYmV4"}, std::pair{"YXBwZGI", "b3RoZXJkYg"},
							std::pair{"2000", "1999"}}) {
		std::string forged = token;
		forged.replace(forged.find(from), std::string_view(from).size(), to);
		BOOST_TEST((VerifyToken(forged, Policy(1)).problem == TokenProblem::BadSignature), to);
	}
	/* v1 tokens carry no audience and no nonce. */
	BOOST_TEST((VerifyToken("v1.k1.2000.YWNtZQ.AAAA", Policy(1)).problem == TokenProblem::Outdated));
	std::string const n = "bm9uY2Utbm9uY2Utbm9u";
	std::vector<std::string> const malformed{std::string(""), std::string("v2"), "v3.k1.2000.YXBwZGI.YWNtZQ." + n + ".AAAA",
		  "v2.k1.20x0.YXBwZGI.YWNtZQ." + n + ".AAAA", "v2..2000.YXBwZGI.YWNtZQ." + n + ".AAAA",
		  "v2.k1.2000.YXBwZGI.." + n + ".AAAA", "v2.k1.2000..YWNtZQ." + n + ".AAAA",
		  "v2.k1.2000.YXBwZGI.YWNtZQ.short.AAAA", "v2.k1.2000.YXBwZGI.YWNtZQ.bm9u+2Utbm9uY2Utbm9u.AAAA",
		  "v2.k1.2000.YXBwZGI.YWNtZQ." + n + ".AA+A", "v2.k1.2000.YXBwZGI.YWNtZQ." + n + ".AAAA.extra",
		  "v2. k1.2000.YXBwZGI.YWNtZQ." + n + ".AAAA"};
	for (const std::string &bad : malformed)
		BOOST_TEST((VerifyToken(bad, Policy(1)).problem == TokenProblem::Malformed), bad);
}

BOOST_AUTO_TEST_SUITE_END()
