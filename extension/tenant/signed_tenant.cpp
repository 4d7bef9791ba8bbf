/*
 * signed_tenant.cpp — tenant_guard.set_tenant(token) and
 * tenant_guard.mint_token(...): the tenant switched only by a token that the
 * application server signed (crypto/tenant_token.h), so that an SQL injection
 * cannot switch tenants when tenant_guard.require_signed is on.
 */
#include "boundary/pg_boundary.h"
#include "common/tenant_token.h"
#include "tenant/tenant_setting.h"
#include "guc.h"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include <ctime>

namespace tg {

namespace {

std::vector<SigningKey> ConfiguredKeys()
{
	std::string error;
	std::optional<std::vector<SigningKey>> keys =
		ParseSigningKeys(tg_signing_keys != nullptr ? tg_signing_keys : "", &error);
	if (!keys)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"tenant_guard.signing_keys is invalid: " + error, "",
					"Write it as key_id:base64_secret, comma-separated, and reload.");
	if (keys->empty())
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"no tenant signing keys are configured", "",
					"Set tenant_guard.signing_keys in postgresql.conf and reload the server.");
	return *keys;
}

[[noreturn]] void ThrowTokenProblem(const TokenCheck &check)
{
	const char *message = "malformed tenant token";
	std::string detail = "A token is v1.<key_id>.<expires>.<tenant>.<mac>; see "
						 "docs/functions/set_tenant.md.";
	switch (check.problem) {
	case TokenProblem::UnknownKey:
		message = "tenant token is signed with an unknown key";
		detail = "Key \"" + check.key_id + "\" is not in tenant_guard.signing_keys.";
		break;
	case TokenProblem::BadSignature:
		message = "tenant token signature does not verify";
		detail = "The token was altered, or signed with another secret for key \"" +
				 check.key_id + "\".";
		break;
	case TokenProblem::Expired:
		message = "tenant token has expired";
		detail = "It expired at Unix time " + std::to_string(check.expires) + ".";
		break;
	default:
		break;
	}
	throw Error(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, message, detail,
				"Ask the application server for a fresh token; no tenant was set.");
}

std::string TextArg(FunctionCallInfo fcinfo, int n)
{
	const char *raw = PgCall([fcinfo, n] { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
	return raw;
}

} // namespace

} // namespace tg

/* tenant_guard.set_tenant(token text) RETURNS text: the tenant it set for this transaction. */
TG_FUNCTION(tg_set_tenant)
{
	std::string const token = tg::TextArg(fcinfo, 0);
	tg::TokenCheck const check =
		tg::VerifyToken(token, tg::ConfiguredKeys(), static_cast<int64_t>(time(nullptr)));
	if (check.problem != tg::TokenProblem::None)
		tg::ThrowTokenProblem(check);
	tg::SetTenantFromToken(check.tenant);
	const char *tenant = check.tenant.c_str();
	return tg::PgCall([tenant] { return CStringGetTextDatum(tenant); });
}

/* tenant_guard.mint_token(tenant text, valid_for interval, key_id text) RETURNS text */
TG_FUNCTION(tg_mint_token)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "tenant and valid_for must not be NULL");
	std::string const tenant = tg::TextArg(fcinfo, 0);
	Interval *valid_for = PG_GETARG_INTERVAL_P(1);
	int64_t const seconds = valid_for->time / USECS_PER_SEC +
							static_cast<int64_t>(valid_for->day) * SECS_PER_DAY +
							static_cast<int64_t>(valid_for->month) * DAYS_PER_MONTH * SECS_PER_DAY;
	if (seconds <= 0)
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "valid_for must be a positive interval");
	if (std::optional<std::string> problem = tg::TenantValueProblem(tg::TenantType::Text, tenant))
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "invalid tenant: the value " + *problem);
	std::vector<tg::SigningKey> const keys = tg::ConfiguredKeys();
	const tg::SigningKey *key = &keys.front();
	if (!PG_ARGISNULL(2)) {
		std::string const id = tg::TextArg(fcinfo, 2);
		key = nullptr;
		for (const tg::SigningKey &k : keys)
			if (k.id == id)
				key = &k;
		if (key == nullptr)
			throw tg::Error(ERRCODE_UNDEFINED_OBJECT, "no signing key \"" + id + "\"", "",
							"Use one of the key ids in tenant_guard.signing_keys.");
	}
	std::string const token =
		tg::MintToken(*key, tenant, static_cast<int64_t>(time(nullptr)) + seconds);
	const char *raw = token.c_str();
	return tg::PgCall([raw] { return CStringGetTextDatum(raw); });
}
