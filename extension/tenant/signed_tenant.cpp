/*
 * signed_tenant.cpp — tenant_guard.set_tenant(token) and
 * tenant_guard.mint_token(...): the tenant switched only by a token that the
 * application server signed (common/tenant_token.h), so that an SQL injection
 * cannot switch tenants when tenant_guard.require_signed is on. A token names
 * its database (audience), lives at most tenant_guard.token_max_lifetime and
 * is accepted once (tenant/token_ledger.h).
 */
#include "boundary/pg_boundary.h"
#include "boundary/sql_args.h"
#include "common/tenant_token.h"
#include "tenant/signing_keys.h"
#include "tenant/tenant_setting.h"
#include "tenant/token_ledger.h"
#include "guc.h"

extern "C" {
#include "commands/dbcommands.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include <ctime>

namespace tg {

namespace {

[[noreturn]] void ThrowTokenProblem(const TokenCheck &check)
{
	const char *message = "malformed tenant token";
	std::string detail = "A token is v2.<key_id>.<expires>.<audience>.<tenant>.<nonce>.<mac>; see "
						 "docs/functions/set_tenant.md.";
	switch (check.problem) {
	case TokenProblem::Outdated:
		message = "tenant token format v1 is no longer accepted";
		detail = "v1 tokens name no database and carry no nonce, so they could be replayed.";
		break;
	case TokenProblem::UnknownKey:
		message = "tenant token is signed with an unknown key";
		detail = "Key \"" + check.key_id + "\" is not in tenant_guard.signing_keys_file.";
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
	case TokenProblem::TooLong:
		message = "tenant token lives longer than tenant_guard.token_max_lifetime";
		detail = "It expires at Unix time " + std::to_string(check.expires) + ", more than " +
				 std::to_string(tg_token_max_lifetime) + " seconds from now.";
		break;
	case TokenProblem::WrongAudience:
		message = "tenant token is for another database";
		detail = "It was signed for database \"" + check.audience + "\".";
		break;
	default:
		break;
	}
	throw Error(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, message, detail,
				"Ask the application server for a fresh token for this database; no tenant was "
				"set.");
}

std::string CurrentDatabase()
{
	const char *name = PgCall([] { return get_database_name(MyDatabaseId); });
	if (name == nullptr)
		throw Error(ERRCODE_UNDEFINED_DATABASE, "the current database has no name any more",
					"It was dropped while this session was connected; tokens name the database they "
					"are signed for.",
					"Reconnect to the database the token is for.");
	return name;
}

int64_t Now() { return static_cast<int64_t>(time(nullptr)); }

} // namespace

} // namespace tg

/* tenant_guard.set_tenant(token text) RETURNS text: the tenant it set for this transaction. */
TG_FUNCTION(tg_set_tenant)
{
	std::string const token = tg::TextArg(fcinfo, 0);
	std::string const database = tg::CurrentDatabase();
	int64_t const now = tg::Now();
	tg::TokenPolicy const policy{&tg::SigningKeys(), now, database, tg_token_max_lifetime};
	tg::TokenCheck const check = tg::VerifyToken(token, policy);
	if (check.problem != tg::TokenProblem::None)
		tg::ThrowTokenProblem(check);
	/* Only a verified token is recorded, so forged ones cannot fill the ledger. */
	tg::ConsumeToken(check.mac, check.expires, now);
	tg::SetTenantFromToken(check.tenant);
	return tg::TextDatum(check.tenant);
}

/* tenant_guard.mint_token(tenant text, valid_for interval, key_id text) RETURNS text */
TG_FUNCTION(tg_mint_token)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
						"arguments \"tenant\" and \"valid_for\" of tenant_guard.mint_token must not be NULL",
						"A token names one tenant and expires; without either it cannot be signed.",
						"Pass the tenant and how long the token is valid, e.g. "
						"tenant_guard.mint_token('acme', '30 seconds').");
	std::string const tenant = tg::TextArg(fcinfo, 0);
	Interval *valid_for = PG_GETARG_INTERVAL_P(1);
	int64_t const seconds = valid_for->time / USECS_PER_SEC +
							static_cast<int64_t>(valid_for->day) * SECS_PER_DAY +
							static_cast<int64_t>(valid_for->month) * DAYS_PER_MONTH * SECS_PER_DAY;
	if (seconds <= 0)
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
						"argument \"valid_for\" of tenant_guard.mint_token must be a positive interval",
						"A token that expires now or earlier would be refused by set_tenant().",
						"Pass a short positive interval, e.g. '30 seconds'.");
	if (seconds > tg_token_max_lifetime)
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE,
						"valid_for is longer than tenant_guard.token_max_lifetime",
						"set_tenant() accepts tokens that expire within " +
							std::to_string(tg_token_max_lifetime) + " seconds.",
						"Mint a token per transaction, shortly before it is used.");
	if (std::optional<std::string> problem = tg::TenantValueProblem(tg::TenantType::Text, tenant))
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "invalid tenant: the value " + *problem,
						"tenant_guard.mint_token() signs only a value that set_tenant() could set "
						"as the tenant.",
						"Pass the tenant as the application stores it: not empty, at most " +
							std::to_string(tg::kMaxTextTenantBytes) +
							" bytes, without control characters or leading or trailing spaces.");
	std::vector<tg::SigningKey> const &keys = tg::SigningKeys();
	const tg::SigningKey *key = &keys.front();
	if (!PG_ARGISNULL(2)) {
		std::string const id = tg::TextArg(fcinfo, 2);
		key = nullptr;
		for (const tg::SigningKey &k : keys)
			if (k.id == id)
				key = &k;
		if (key == nullptr)
			throw tg::Error(ERRCODE_UNDEFINED_OBJECT, "no signing key \"" + id + "\"",
							"The key id names none of the keys the server loaded from its key file.",
							"Use one of the key ids in tenant_guard.signing_keys_file.");
	}
	tg::TokenClaims const claims{tenant, tg::CurrentDatabase(), tg::Now() + seconds,
								 tg::RandomNonce()};
	std::string const token = tg::MintToken(*key, claims);
	return tg::TextDatum(token);
}
