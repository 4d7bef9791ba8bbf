/*
 * current_tenant.cpp — the functions generated policies and column defaults
 * call: tenant_guard.tenant_uuid(regclass), tenant_bigint, tenant_integer,
 * tenant_text, plus tenant_guard.current_tenant() for applications.
 *
 * A policy evaluates its function per row, so the hot path reads the setting
 * (tenant/tenant_setting.h: only a value set in this transaction counts),
 * compares it with the text parsed last time and returns the cached Datum:
 * no allocation unless the tenant changes. A missing or malformed tenant is
 * an error naming the table, never a silently empty result.
 */
#include "boundary/pg_boundary.h"
#include "boundary/sql_args.h"
#include "boundary/sql_text.h"
#include "tenant/tenant_setting.h"
#include "guc.h"
#include "common/tenant_value.h"

extern "C" {
#include "utils/builtins.h"
#include "utils/uuid.h"
}

#include <cstring>

namespace tg {

/* Per call site (FmgrInfo) cache of the last tenant text and its Datum. */
struct TenantCache {
	char *text;
	Datum value;
};

[[noreturn]] static void ThrowTenantInvalid(Oid relid, TenantType type, const char *text,
											const std::string &problem)
{
	std::string shown(text, strnlen(text, 64));
	std::string const name = tg_tenant_setting;
	throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				"tenant setting \"" + name + "\" is not a valid " + TenantTypeSqlName(type) + " tenant",
				"The value \"" + shown + "\" " + problem + "; the tenant column" +
					/* Under Citus, policies name no table (policy/citus.h). */
					(relid == InvalidOid ? "" : " of table " + RelationDisplayName(relid)) +
					" has type " + TenantTypeSqlName(type) + ".",
				"Run SET LOCAL " + name + " = '<tenant>' with a valid " + TenantTypeSqlName(type) +
					" at the start of the transaction.");
}

/* Converts validated text to the Datum of its type, allocated in the cache's context. */
static Datum MakeTenantDatum(TenantType type, const char *text, MemoryContext cxt)
{
	switch (type) {
	case TenantType::Uuid: {
		UuidBytes const bytes = *ParseUuid(text);
		auto *uuid = static_cast<pg_uuid_t *>(PgCall(MemoryContextAlloc, cxt, sizeof(pg_uuid_t)));
		memcpy(uuid->data, bytes.data(), bytes.size());
		return UUIDPGetDatum(uuid);
	}
	case TenantType::Bigint:
		/* int8 is pass-by-value on every 64-bit platform PostgreSQL 15 supports. */
		return Int64GetDatum(*ParseInt64(text));
	case TenantType::Integer:
		return Int32GetDatum(*ParseInt32(text));
	case TenantType::Text:
		return PgCall([cxt, text] {
			MemoryContext old = MemoryContextSwitchTo(cxt);
			Datum d = CStringGetTextDatum(text);
			MemoryContextSwitchTo(old);
			return d;
		});
	}
	throw Error(ERRCODE_INTERNAL_ERROR, "unknown tenant type",
				"The tenant type is none of uuid, bigint, integer and text.",
				"This is a bug in tenant_guard; please report it with the statement that failed.");
}

/*
 * The current tenant as a Datum of the column's type. The old cached value is
 * never overwritten in place: a caller may still hold its Datum.
 */
static Datum CurrentTenantDatum(FunctionCallInfo fcinfo, TenantType type)
{
	Oid const relid = PG_GETARG_OID(0);
	TenantReading const reading = ReadTenant();
	const char *text = UsableTenant(reading);
	if (text == nullptr)
		ThrowUnusableTenant(reading, relid);

	auto *cache = static_cast<TenantCache *>(fcinfo->flinfo->fn_extra);
	if (cache != nullptr && strcmp(cache->text, text) == 0)
		return cache->value;

	if (std::optional<std::string> problem = TenantValueProblem(type, text))
		ThrowTenantInvalid(relid, type, text, *problem);

	MemoryContext const cxt = fcinfo->flinfo->fn_mcxt;
	if (cache == nullptr) {
		cache = static_cast<TenantCache *>(PgCall(MemoryContextAllocZero, cxt, sizeof(TenantCache)));
		fcinfo->flinfo->fn_extra = cache;
	}
	Datum const value = MakeTenantDatum(type, text, cxt);
	cache->text = PgCall(MemoryContextStrdup, cxt, text);
	cache->value = value;
	return value;
}

} // namespace tg

TG_FUNCTION(tg_tenant_uuid) { return tg::CurrentTenantDatum(fcinfo, tg::TenantType::Uuid); }
TG_FUNCTION(tg_tenant_bigint) { return tg::CurrentTenantDatum(fcinfo, tg::TenantType::Bigint); }
TG_FUNCTION(tg_tenant_integer) { return tg::CurrentTenantDatum(fcinfo, tg::TenantType::Integer); }
TG_FUNCTION(tg_tenant_text) { return tg::CurrentTenantDatum(fcinfo, tg::TenantType::Text); }

/* tenant_guard.current_tenant(): the tenant as text, NULL when unset ('' counts as unset). */
TG_FUNCTION(tg_current_tenant)
{
	const char *text = tg::UsableTenant(tg::ReadTenant());
	if (text == nullptr)
		PG_RETURN_NULL();
	return tg::TextDatum(text);
}

/*
 * tenant_guard.is_preloaded() of version 1.0 (dropped by the 1.1 upgrade). The
 * symbol stays so that a 1.0 install script still loads; since the library
 * refuses to load any other way, the answer is always true.
 */
TG_FUNCTION(tg_is_preloaded) { PG_RETURN_BOOL(true); }
