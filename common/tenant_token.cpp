#include "common/tenant_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cctype>
#include <stdexcept>

#include "common/text_list.h"

#include "common/pure_cpp.h"

namespace tg {

namespace {

constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int DecodeChar(char c, const char *alphabet)
{
	for (int i = 0; i < 64; i++)
		if (alphabet[i] == c)
			return i;
	return -1;
}

std::optional<std::string> Decode(std::string_view text, const char *alphabet, bool padded)
{
	if (padded) {
		if (text.size() % 4 != 0)
			return std::nullopt;
		while (!text.empty() && text.back() == '=')
			text.remove_suffix(1);
	}
	if (text.size() % 4 == 1)
		return std::nullopt;
	std::string out;
	uint32_t buffer = 0;
	int bits = 0;
	for (char c : text) {
		int const v = DecodeChar(c, alphabet);
		if (v < 0)
			return std::nullopt;
		buffer = buffer << 6 | static_cast<uint32_t>(v);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out += static_cast<char>((buffer >> bits) & 0xFF);
		}
	}
	/* Leftover bits must be zero, or two encodings would decode alike. */
	if ((buffer & ((1u << bits) - 1)) != 0)
		return std::nullopt;
	return out;
}

bool ValidKeyId(std::string_view id)
{
	if (id.empty() || id.size() > 32)
		return false;
	for (char c : id)
		if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
			return false;
	return true;
}

} // namespace

std::string Base64UrlEncode(std::string_view bytes)
{
	std::string out;
	uint32_t buffer = 0;
	int bits = 0;
	for (unsigned char c : bytes) {
		buffer = buffer << 8 | c;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out += kUrlAlphabet[(buffer >> bits) & 0x3F];
		}
	}
	if (bits > 0)
		out += kUrlAlphabet[(buffer << (6 - bits)) & 0x3F];
	return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) { return Decode(text, kUrlAlphabet, false); }

std::optional<std::string> Base64Decode(std::string_view text) { return Decode(text, kStdAlphabet, true); }

std::string HmacSha256(std::string_view key, std::string_view data)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int length = 0;
	HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
		 reinterpret_cast<const unsigned char *>(data.data()), data.size(), mac, &length);
	return std::string(reinterpret_cast<char *>(mac), length);
}

std::string RandomNonce()
{
	unsigned char bytes[16];
	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		throw std::runtime_error("the random number generator failed");
	return Base64UrlEncode(std::string_view(reinterpret_cast<char *>(bytes), sizeof(bytes)));
}

std::optional<std::vector<SigningKey>> ParseSigningKeyFile(std::string_view contents,
														   std::string *error)
{
	std::vector<SigningKey> keys;
	int line_number = 0;
	for (std::string_view line : SplitList(contents, '\n')) {
		line_number++;
		if (line.empty() || line.front() == '#')
			continue;
		std::string const where = "line " + std::to_string(line_number) + ": ";
		size_t const colon = line.find(':');
		if (colon == std::string_view::npos) {
			*error = where + "each key must be written key_id:base64_secret";
			return std::nullopt;
		}
		std::string_view const id = TrimSpaces(line.substr(0, colon));
		if (!ValidKeyId(id)) {
			*error = where + "key id \"" + std::string(id) +
					 "\" must be 1 to 32 letters, digits, _ or -";
			return std::nullopt;
		}
		std::optional<std::string> secret = Base64Decode(TrimSpaces(line.substr(colon + 1)));
		if (!secret) {
			*error = where + "the secret of key \"" + std::string(id) + "\" is not valid base64";
			return std::nullopt;
		}
		if (secret->size() < 32) {
			*error = where + "the secret of key \"" + std::string(id) +
					 "\" is shorter than 32 bytes";
			return std::nullopt;
		}
		for (const SigningKey &k : keys)
			if (k.id == id) {
				*error = where + "key id \"" + std::string(id) + "\" is listed twice";
				return std::nullopt;
			}
		keys.push_back({std::string(id), *secret});
	}
	return keys;
}

std::string MintToken(const SigningKey &key, const TokenClaims &claims)
{
	std::string const body = "v2." + key.id + "." + std::to_string(claims.expires) + "." +
							 Base64UrlEncode(claims.audience) + "." +
							 Base64UrlEncode(claims.tenant) + "." + claims.nonce;
	return body + "." + Base64UrlEncode(HmacSha256(key.secret, body));
}

namespace {

bool ValidNonce(std::string_view nonce)
{
	if (nonce.size() < 16 || nonce.size() > 64)
		return false;
	for (char c : nonce)
		if (DecodeChar(c, kUrlAlphabet) < 0)
			return false;
	return true;
}

std::optional<int64_t> ParseSeconds(std::string_view digits)
{
	if (digits.empty() || digits.size() > 18)
		return std::nullopt;
	int64_t value = 0;
	for (char c : digits) {
		if (c < '0' || c > '9')
			return std::nullopt;
		value = value * 10 + (c - '0');
	}
	return value;
}

} // namespace

TokenCheck VerifyToken(std::string_view token, const TokenPolicy &policy)
{
	TokenCheck check;
	/* No part of a token holds whitespace, so the trimming split changes nothing. */
	if (token.find_first_of(" \t\r\n\f\v") != std::string_view::npos)
		return check;
	std::vector<std::string_view> parts = SplitList(token, '.');
	if (parts.size() == 5 && parts[0] == "v1") {
		check.problem = TokenProblem::Outdated;
		return check;
	}
	if (parts.size() != 7 || parts[0] != "v2" || !ValidKeyId(parts[1]) || !ValidNonce(parts[5]))
		return check;
	std::optional<int64_t> expires = ParseSeconds(parts[2]);
	std::optional<std::string> audience = Base64UrlDecode(parts[3]);
	std::optional<std::string> tenant = Base64UrlDecode(parts[4]);
	std::optional<std::string> mac = Base64UrlDecode(parts[6]);
	if (!expires || !audience || !tenant || !mac || tenant->empty() || audience->empty())
		return check;
	check.key_id = std::string(parts[1]);
	check.expires = *expires;
	const SigningKey *key = nullptr;
	for (const SigningKey &k : *policy.keys)
		if (k.id == parts[1])
			key = &k;
	if (key == nullptr) {
		check.problem = TokenProblem::UnknownKey;
		return check;
	}
	std::string_view const body = token.substr(0, token.size() - parts[6].size() - 1);
	std::string const expected = HmacSha256(key->secret, body);
	/* Constant time: the comparison must not tell an attacker how many bytes matched. */
	if (mac->size() != expected.size() ||
		CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0) {
		check.problem = TokenProblem::BadSignature;
		return check;
	}
	/* Only a verified token's claims are reported back: they are the signer's. */
	check.audience = *audience;
	if (*expires <= policy.now)
		check.problem = TokenProblem::Expired;
	else if (*expires - policy.now > policy.max_lifetime)
		check.problem = TokenProblem::TooLong;
	else if (*audience != policy.audience)
		check.problem = TokenProblem::WrongAudience;
	else {
		check.problem = TokenProblem::None;
		check.tenant = *tenant;
		check.mac = *mac;
	}
	return check;
}

} // namespace tg
