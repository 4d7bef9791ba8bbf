/*
 * tenant_token.h — signed tenant tokens (pure C++, OpenSSL).
 *
 *   v1.<key_id>.<expires>.<tenant>.<mac>
 *
 * key_id: 1-32 of [A-Za-z0-9_-]; expires: Unix seconds; tenant: base64url of
 * the tenant's UTF-8 text; mac: base64url of HMAC-SHA256(key, everything
 * before the last dot). base64url without padding (RFC 4648 section 5).
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

/* Parses "id:base64secret, id2:base64secret"; nullopt and *error when malformed. */
std::optional<std::vector<SigningKey>> ParseSigningKeys(std::string_view setting,
														std::string *error);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);
/* Standard base64 (with padding), as keys are written in postgresql.conf. */
std::optional<std::string> Base64Decode(std::string_view text);

std::string HmacSha256(std::string_view key, std::string_view data);

std::string MintToken(const SigningKey &key, std::string_view tenant, int64_t expires);

enum class TokenProblem { None, Malformed, UnknownKey, BadSignature, Expired };

struct TokenCheck {
	TokenProblem problem = TokenProblem::Malformed;
	std::string tenant;
	std::string key_id;
	int64_t expires = 0;
};

TokenCheck VerifyToken(std::string_view token, const std::vector<SigningKey> &keys, int64_t now);

} // namespace tg
