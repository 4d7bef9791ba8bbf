#include "common/rfc3161.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

#include "common/pure_cpp.h"

namespace tg::audit::tsp {

namespace {

template <typename T, void (*Free)(T *)> struct Deleter {
	void operator()(T *p) const { Free(p); }
};
template <typename T, void (*Free)(T *)> using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Req = Owned<TS_REQ, TS_REQ_free>;
using Resp = Owned<TS_RESP, TS_RESP_free>;
using Pkcs7 = Owned<PKCS7, PKCS7_free>;
using MsgImprint = Owned<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using Algor = Owned<X509_ALGOR, X509_ALGOR_free>;
using Asn1Int = Owned<ASN1_INTEGER, ASN1_INTEGER_free>;
using Store = Owned<X509_STORE, X509_STORE_free>;
using Bio = Owned<BIO, BIO_free_all>;
using VerifyCtx = Owned<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using TstInfo = Owned<TS_TST_INFO, TS_TST_INFO_free>;

/* OpenSSL's own reason for the last failure, or fallback. */
std::string OpenSslReason(const char *fallback)
{
	unsigned long const code = ERR_get_error();
	ERR_clear_error();
	if (code == 0)
		return fallback;
	char buf[256];
	ERR_error_string_n(code, buf, sizeof buf);
	return buf;
}

[[noreturn]] void Fail(const std::string &what) { throw TimestampError(what); }

template <typename T> T *Check(T *p, const char *what)
{
	if (p == nullptr)
		Fail(std::string(what) + ": " + OpenSslReason("out of memory"));
	return p;
}

void CheckOk(int rc, const char *what)
{
	if (rc != 1)
		Fail(std::string(what) + ": " + OpenSslReason("failed"));
}

std::string Der(PKCS7 *token)
{
	unsigned char *out = nullptr;
	int const len = i2d_PKCS7(token, &out);
	if (len <= 0)
		Fail("The token could not be encoded: " + OpenSslReason("i2d_PKCS7 failed") + ".");
	std::string der(reinterpret_cast<char *>(out), static_cast<size_t>(len));
	OPENSSL_free(out);
	return der;
}

std::string GenTime(const ASN1_GENERALIZEDTIME *t)
{
	if (t == nullptr)
		return {};
	return std::string(reinterpret_cast<const char *>(ASN1_STRING_get0_data(t)),
					   static_cast<size_t>(ASN1_STRING_length(t)));
}

std::string Oid(const ASN1_OBJECT *obj)
{
	if (obj == nullptr)
		return {};
	char buf[128];
	int const len = OBJ_obj2txt(buf, sizeof buf, obj, 1);
	return len > 0 ? std::string(buf, static_cast<size_t>(len)) : std::string();
}

std::string SerialHex(const ASN1_INTEGER *serial)
{
	if (serial == nullptr)
		return {};
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, nullptr);
	if (bn == nullptr)
		return {};
	char *hex = BN_bn2hex(bn);
	std::string out = hex ? hex : "";
	OPENSSL_free(hex);
	BN_free(bn);
	return out;
}

TokenInfo Describe(TS_TST_INFO *info)
{
	TokenInfo out;
	out.gen_time = GenTime(TS_TST_INFO_get_time(info));
	out.policy_oid = Oid(TS_TST_INFO_get_policy_id(info));
	out.serial_hex = SerialHex(TS_TST_INFO_get_serial(info));
	return out;
}

void CheckImprint(TS_TST_INFO *info, const Hash &head)
{
	TS_MSG_IMPRINT *imprint = TS_TST_INFO_get_msg_imprint(info);
	X509_ALGOR *algo = TS_MSG_IMPRINT_get_algo(imprint);
	const ASN1_OBJECT *oid = nullptr;
	X509_ALGOR_get0(&oid, nullptr, nullptr, algo);
	if (OBJ_obj2nid(oid) != NID_sha256)
		Fail("The response's message imprint is not SHA-256 (it is " + Oid(oid) + ").");
	ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(imprint);
	if (ASN1_STRING_length(msg) != static_cast<int>(head.size()) ||
		std::string_view(reinterpret_cast<const char *>(ASN1_STRING_get0_data(msg)), head.size()) !=
			std::string_view(reinterpret_cast<const char *>(head.data()), head.size()))
		Fail("The response time-stamps another hash, not this day's tree head.");
}

void CheckNonce(TS_TST_INFO *info, int64_t nonce)
{
	const ASN1_INTEGER *got = TS_TST_INFO_get_nonce(info);
	uint64_t value = 0;
	if (got == nullptr)
		Fail("The response carries no nonce, but one was requested.");
	if (ASN1_INTEGER_get_uint64(&value, got) != 1 || value != static_cast<uint64_t>(nonce))
		Fail("The response's nonce is not the one requested: it answers another request.");
}

std::string StatusText(TS_STATUS_INFO *status)
{
	std::string out;
	const STACK_OF(ASN1_UTF8STRING) *texts = TS_STATUS_INFO_get0_text(status);
	for (int i = 0; texts != nullptr && i < sk_ASN1_UTF8STRING_num(texts); i++) {
		const ASN1_UTF8STRING *t = sk_ASN1_UTF8STRING_value(texts, i);
		if (!out.empty())
			out += "; ";
		out.append(reinterpret_cast<const char *>(ASN1_STRING_get0_data(t)),
				   static_cast<size_t>(ASN1_STRING_length(t)));
	}
	return out;
}

} // namespace

int64_t RandomNonce()
{
	uint64_t value = 0;
	do {
		CheckOk(RAND_bytes(reinterpret_cast<unsigned char *>(&value), sizeof value),
				"No random nonce");
		value &= 0x7FFFFFFFFFFFFFFFull;
	} while (value == 0);
	return static_cast<int64_t>(value);
}

std::string BuildRequest(const Hash &head, int64_t nonce)
{
	Req req(Check(TS_REQ_new(), "No time-stamp request"));
	CheckOk(TS_REQ_set_version(req.get(), 1), "No time-stamp request");
	MsgImprint imprint(Check(TS_MSG_IMPRINT_new(), "No message imprint"));
	Algor algo(Check(X509_ALGOR_new(), "No digest algorithm"));
	CheckOk(X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr),
			"No digest algorithm");
	CheckOk(TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()), "No digest algorithm");
	CheckOk(TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char *>(head.data()),
								   static_cast<int>(head.size())),
			"No message imprint");
	CheckOk(TS_REQ_set_msg_imprint(req.get(), imprint.get()), "No message imprint");
	Asn1Int n(Check(ASN1_INTEGER_new(), "No nonce"));
	CheckOk(ASN1_INTEGER_set_uint64(n.get(), static_cast<uint64_t>(nonce)), "No nonce");
	CheckOk(TS_REQ_set_nonce(req.get(), n.get()), "No nonce");
	CheckOk(TS_REQ_set_cert_req(req.get(), 1), "No certReq");
	unsigned char *out = nullptr;
	int const len = i2d_TS_REQ(req.get(), &out);
	if (len <= 0)
		Fail("The time-stamp request could not be encoded: " + OpenSslReason("i2d_TS_REQ failed") + ".");
	std::string der(reinterpret_cast<char *>(out), static_cast<size_t>(len));
	OPENSSL_free(out);
	return der;
}

TokenInfo CheckResponse(std::string_view response_der, const Hash &head, int64_t nonce)
{
	const unsigned char *p = reinterpret_cast<const unsigned char *>(response_der.data());
	Resp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
	ERR_clear_error();
	if (!resp || p != reinterpret_cast<const unsigned char *>(response_der.data()) + response_der.size())
		Fail("The response is not a DER TimeStampResp (RFC 3161).");
	TS_STATUS_INFO *status = TS_RESP_get_status_info(resp.get());
	long const code = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status));
	if (code != 0 && code != 1) {
		static const char *const names[] = {"granted", "grantedWithMods", "rejection", "waiting",
											"revocationWarning", "revocationNotification"};
		std::string const name = code >= 0 && code <= 5 ? names[code] : std::to_string(code);
		std::string const text = StatusText(status);
		Fail("The time-stamp authority refused the request (status " + name + ")" +
			 (text.empty() ? std::string(".") : ": " + text + "."));
	}
	PKCS7 *token = TS_RESP_get_token(resp.get());
	TS_TST_INFO *info = TS_RESP_get_tst_info(resp.get());
	if (token == nullptr || info == nullptr)
		Fail("The response grants but carries no time-stamp token.");
	CheckImprint(info, head);
	CheckNonce(info, nonce);
	TokenInfo out = Describe(info);
	out.token_der = Der(token);
	return out;
}

/* The token as DER, all of it: bytes after the structure mean it is not the token that was stored. */
Pkcs7 ParseToken(std::string_view token_der)
{
	const unsigned char *p = reinterpret_cast<const unsigned char *>(token_der.data());
	Pkcs7 token(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
	ERR_clear_error();
	if (!token || p != reinterpret_cast<const unsigned char *>(token_der.data()) + token_der.size())
		Fail("The stored token is not a DER TimeStampToken.");
	return token;
}

TokenInfo ReadToken(std::string_view token_der)
{
	Pkcs7 token = ParseToken(token_der);
	TstInfo info(PKCS7_to_TS_TST_INFO(token.get()));
	ERR_clear_error();
	if (!info)
		Fail("The stored token holds no TSTInfo.");
	TokenInfo out = Describe(info.get());
	out.token_der = std::string(token_der);
	return out;
}

void VerifyToken(std::string_view token_der, const Hash &head, int64_t nonce, std::string_view ca_pem)
{
	Pkcs7 token = ParseToken(token_der);

	Store store(Check(X509_STORE_new(), "No certificate store"));
	Bio bio(Check(BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())), "No buffer"));
	int certs = 0;
	for (;;) {
		X509 *cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
		if (cert == nullptr)
			break;
		int const rc = X509_STORE_add_cert(store.get(), cert);
		X509_free(cert);
		CheckOk(rc, "The CA certificate could not be used");
		certs++;
	}
	ERR_clear_error();
	if (certs == 0)
		Fail("The CA text holds no PEM certificate.");

	VerifyCtx ctx(Check(TS_VERIFY_CTX_new(), "No verification context"));
	/* OpenSSL 3.0 has no nonce setter on the context: the nonce is checked below. */
	int const flags = TS_VFY_VERSION | TS_VFY_SIGNER | TS_VFY_SIGNATURE | TS_VFY_IMPRINT;
	TS_VERIFY_CTX_set_flags(ctx.get(), flags);
	unsigned char *imprint = static_cast<unsigned char *>(OPENSSL_malloc(head.size()));
	Check(imprint, "No imprint");
	std::copy(head.begin(), head.end(), imprint);
	/* The context takes ownership of the imprint and the store (set0_ since OpenSSL 3.4). */
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
	TS_VERIFY_CTX_set0_imprint(ctx.get(), imprint, static_cast<long>(head.size()));
	TS_VERIFY_CTX_set0_store(ctx.get(), store.release());
#else
	TS_VERIFY_CTX_set_imprint(ctx.get(), imprint, static_cast<long>(head.size()));
	TS_VERIFY_CTX_set_store(ctx.get(), store.release());
#endif
	if (TS_RESP_verify_token(ctx.get(), token.get()) != 1)
		Fail("The time-stamp token does not verify against this CA: " +
			 OpenSslReason("verification failed") + ".");
	ERR_clear_error();
	/* TS_VFY_IMPRINT compares the bytes only: the algorithm must be SHA-256 too. */
	TstInfo info(PKCS7_to_TS_TST_INFO(token.get()));
	if (!info)
		Fail("The token holds no TSTInfo.");
	CheckImprint(info.get(), head);
	if (nonce != 0)
		CheckNonce(info.get(), nonce);
}

} // namespace tg::audit::tsp
