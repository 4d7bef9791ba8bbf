/*
 * tenant_token.h — signed tenant tokens (pure C++, OpenSSL).
 *
 *   v2.<key_id>.<expires>.<audience>.<tenant>.<nonce>.<mac>
 *
 * key_id: 1-32 of [A-Za-z0-9_-]; expires: Unix seconds; audience: base64url
 * of the database name (a token for one database fails in another that
 * shares the key); tenant: base64url of the tenant's UTF-8 text; nonce: 16-64
 * base64url characters chosen at random by the minter, so that no two tokens
 * are alike (each is accepted once, see the server's token ledger); mac:
 * base64url of HMAC-SHA256(key, everything before the last dot). base64url
 * without padding (RFC 4648 section 5). v1 tokens (no audience, no nonce)
 * are refused.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg {

struct SigningKey {
	std::string id;
	std::string secret; /* raw bytes */
};

/*
 * Parses a signing key file: one key_id:base64_secret per line, blank lines
 * and lines starting with # ignored. nullopt and *error (naming the line)
 * when malformed.
 */
std::optional<std::vector<SigningKey>> ParseSigningKeyFile(std::string_view contents,
														   std::string *error);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);
/* Standard base64 (with padding), as keys are written in the key file. */
std::optional<std::string> Base64Decode(std::string_view text);

std::string HmacSha256(std::string_view key, std::string_view data);

/* 16 random bytes from OpenSSL's CSPRNG as base64url (22 characters). */
std::string RandomNonce();

struct TokenClaims {
	std::string tenant;
	std::string audience; /* database name */
	int64_t expires = 0;
	std::string nonce;
};

std::string MintToken(const SigningKey &key, const TokenClaims &claims);

enum class TokenProblem {
	None,
	Malformed,
	Outdated,	   /* a v1 token */
	UnknownKey,
	BadSignature,
	Expired,
	TooLong,	   /* expires later than now + the lifetime cap */
	WrongAudience, /* signed for another database */
};

struct TokenCheck {
	TokenProblem problem = TokenProblem::Malformed;
	std::string tenant;
	std::string audience;
	std::string key_id;
	int64_t expires = 0;
	std::string mac; /* raw bytes once the signature verified: the token's identity */
};

/* What the server accepts: its keys, the time, its database, the lifetime cap in seconds. */
struct TokenPolicy {
	const std::vector<SigningKey> *keys = nullptr;
	int64_t now = 0;
	std::string_view audience;
	int64_t max_lifetime = 0;
};

TokenCheck VerifyToken(std::string_view token, const TokenPolicy &policy);

} // namespace tg
