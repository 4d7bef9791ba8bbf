/*
 * rfc3161.h — RFC 3161 time-stamps for the audit log's daily tree heads
 * (pure C++, OpenSSL): the request, the checks on the authority's response,
 * and the verification of a stored token against the authority's CA. Shared
 * by the extension (anchor_request, anchor_store, verify_anchor) and by
 * tenant-audit, which verifies an export with no database.
 */
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/audit_chain.h"

namespace tg::audit::tsp {

/* A refused, malformed or unverifiable response or token; what() says which, as a full sentence. */
class TimestampError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

/* A fresh random nonce: 63 bits, positive, well inside every TSA's size limit. */
int64_t RandomNonce();

/*
 * DER TimeStampReq (version 1): SHA-256 message imprint of head, the nonce,
 * certReq TRUE so that the token carries the TSA's certificate, no policy
 * (the TSA chooses and the token records it).
 */
std::string BuildRequest(const Hash &head, int64_t nonce);

/* What a granted token says, for the record (the token itself is the evidence). */
struct TokenInfo {
	std::string token_der;  /* the TimeStampToken (CMS SignedData), DER */
	std::string gen_time;   /* genTime as the TSA wrote it, e.g. 20260102000105Z */
	std::string policy_oid; /* dotted */
	std::string serial_hex;
};

/*
 * Parses a DER TimeStampResp and checks that it grants (status granted or
 * grantedWithMods), that its imprint is SHA-256 of head and its nonce the one
 * requested. Does not check the signature (that needs the CA: VerifyToken).
 */
TokenInfo CheckResponse(std::string_view response_der, const Hash &head, int64_t nonce);

/* Reads a stored token (DER) back: its genTime, policy and serial. */
TokenInfo ReadToken(std::string_view token_der);

/*
 * Verifies a token against the CA certificates in ca_pem (one or more PEM
 * certificates): CMS signature, the signer's chain up to that CA with the
 * timeStamping extended key usage, the ESS signing-certificate binding, the
 * imprint (SHA-256 of head) and, when nonce != 0, the nonce.
 */
void VerifyToken(std::string_view token_der, const Hash &head, int64_t nonce, std::string_view ca_pem);

} // namespace tg::audit::tsp
