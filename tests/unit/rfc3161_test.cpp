// RFC 3161: the request's fields, and a round trip through a local TSA made by
// `openssl ts -reply` (scripts/tsa.sh, set up by the ctest fixture tsa_setup):
// a granted response is accepted and its token verifies against the test CA;
// another CA, another head, another nonce, a refusal and garbage are refused.
#include <boost/test/unit_test.hpp>

#include "common/rfc3161.h"

#include <openssl/ts.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace tg::audit;
using namespace tg::audit::tsp;

namespace {

std::string TsaDir()
{
	const char *dir = std::getenv("TG_TEST_TSA_DIR");
	BOOST_REQUIRE_MESSAGE(dir != nullptr, "TG_TEST_TSA_DIR is not set (run through ctest)");
	return dir;
}

std::string ReadFile(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string &path, const std::string &bytes)
{
	std::ofstream(path, std::ios::binary) << bytes;
}

/* Asks the test TSA to answer a request; returns its DER response. */
std::string Reply(const std::string &request)
{
	std::string const dir = TsaDir();
	WriteFile(dir + "/unit.tsq", request);
	std::string const cmd = std::string("bash '") + TG_SOURCE_DIR + "/scripts/tsa.sh' reply '" + dir +
							"' '" + dir + "/unit.tsq' '" + dir + "/unit.tsr'";
	BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
	return ReadFile(dir + "/unit.tsr");
}

Hash Head(char c)
{
	Sha256 sha;
	return sha.Of(std::string(1, c));
}

template <typename Fn> std::string RefusalOf(Fn &&fn)
{
	try {
		fn();
	} catch (const TimestampError &e) {
		return e.what();
	}
	return "accepted";
}

} // namespace

BOOST_AUTO_TEST_SUITE(rfc3161)

BOOST_AUTO_TEST_CASE(request_carries_sha256_imprint_nonce_and_cert_req)
{
	Hash const head = Head('a');
	std::string const der = BuildRequest(head, 0x1234567890ABCDEF);
	const unsigned char *p = reinterpret_cast<const unsigned char *>(der.data());
	TS_REQ *req = d2i_TS_REQ(nullptr, &p, static_cast<long>(der.size()));
	BOOST_REQUIRE(req != nullptr);
	BOOST_TEST(TS_REQ_get_version(req) == 1);
	BOOST_TEST(TS_REQ_get_cert_req(req) == 1);
	BOOST_TEST(TS_REQ_get_policy_id(req) == nullptr);
	uint64_t nonce = 0;
	BOOST_TEST(ASN1_INTEGER_get_uint64(&nonce, TS_REQ_get_nonce(req)) == 1);
	BOOST_TEST(nonce == 0x1234567890ABCDEFull);
	TS_MSG_IMPRINT *imprint = TS_REQ_get_msg_imprint(req);
	const ASN1_OBJECT *oid = nullptr;
	X509_ALGOR_get0(&oid, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
	BOOST_TEST(OBJ_obj2nid(oid) == NID_sha256);
	ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(imprint);
	BOOST_TEST(std::string(reinterpret_cast<const char *>(ASN1_STRING_get0_data(msg)), 32) ==
			   std::string(reinterpret_cast<const char *>(head.data()), 32));
	TS_REQ_free(req);
	BOOST_TEST(RandomNonce() > 0);
	BOOST_TEST(RandomNonce() != RandomNonce());
}

BOOST_AUTO_TEST_CASE(granted_response_round_trip)
{
	Hash const head = Head('b');
	int64_t const nonce = RandomNonce();
	std::string const response = Reply(BuildRequest(head, nonce));
	TokenInfo const info = CheckResponse(response, head, nonce);
	BOOST_TEST(info.policy_oid == "1.3.6.1.4.1.99999.1");
	BOOST_TEST(info.gen_time.size() >= 15);
	BOOST_TEST(ReadToken(info.token_der).gen_time == info.gen_time);
	std::string const ca = ReadFile(TsaDir() + "/ca.pem");
	BOOST_CHECK_NO_THROW(VerifyToken(info.token_der, head, nonce, ca));
	BOOST_CHECK_NO_THROW(VerifyToken(info.token_der, head, 0, ca));

	std::string const other = ReadFile(TsaDir() + "/other/ca.pem");
	BOOST_TEST(RefusalOf([&] { VerifyToken(info.token_der, head, nonce, other); })
				   .find("does not verify against this CA") != std::string::npos);
	BOOST_TEST(RefusalOf([&] { VerifyToken(info.token_der, Head('c'), nonce, ca); }) != "accepted");
	BOOST_TEST(RefusalOf([&] { VerifyToken(info.token_der, head, nonce + 1, ca); }) != "accepted");
	BOOST_TEST(RefusalOf([&] { VerifyToken(info.token_der, head, nonce, "not a pem"); })
				   .find("no PEM certificate") != std::string::npos);
	BOOST_TEST(RefusalOf([&] { VerifyToken("garbage", head, nonce, ca); }).find("not a DER") !=
			   std::string::npos);
	/* Bytes after the token's DER: not the token that was stored. */
	std::string const padded = info.token_der + std::string(16, '\0');
	BOOST_TEST(RefusalOf([&] { VerifyToken(padded, head, nonce, ca); }).find("not a DER") !=
			   std::string::npos);
	BOOST_TEST(RefusalOf([&] { (void)ReadToken(padded); }).find("not a DER") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(response_for_another_head_or_nonce_is_refused)
{
	Hash const head = Head('d');
	int64_t const nonce = RandomNonce();
	std::string const response = Reply(BuildRequest(head, nonce));
	BOOST_TEST(RefusalOf([&] { CheckResponse(response, Head('e'), nonce); })
				   .find("another hash") != std::string::npos);
	BOOST_TEST(RefusalOf([&] { CheckResponse(response, head, nonce ^ 1); })
				   .find("nonce is not the one requested") != std::string::npos);
	BOOST_TEST(RefusalOf([&] { CheckResponse("\x30\x00", head, nonce); }).find("not a DER") !=
			   std::string::npos);
	BOOST_TEST(RefusalOf([&] { CheckResponse(response + "x", head, nonce); }).find("not a DER") !=
			   std::string::npos);
}

BOOST_AUTO_TEST_CASE(refusal_is_reported_with_its_status)
{
	std::string const refusal("\x30\x05\x30\x03\x02\x01\x02", 7);
	BOOST_TEST(RefusalOf([&] { CheckResponse(refusal, Head('f'), 1); }) ==
			   "The time-stamp authority refused the request (status rejection).");
}

BOOST_AUTO_TEST_SUITE_END()
