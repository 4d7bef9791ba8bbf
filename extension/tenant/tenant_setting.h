/*
 * tenant_setting.h — the tenant setting (app.tenant_id unless configured),
 * defined by the library so that it can be validated when it is SET, and the
 * one reading of it that the rest of tenant_guard trusts.
 *
 * Only a value given explicitly in the current transaction counts: SET LOCAL,
 * set_config(..., true), set_tenant(token), or a function's SET clause. A
 * value that came from outside the transaction (a session-level SET in an
 * earlier transaction, startup options, role or database defaults,
 * postgresql.conf), also when brought back by SET LOCAL ... TO DEFAULT or
 * RESET, counts as unset, so a pooled server connection never carries one
 * client's tenant into another client's transaction. SHOW and
 * current_setting() display such a value as ''.
 *
 * Parallel workers receive the leader's settings without their history, so
 * they cannot judge that themselves: before a parallel plan starts, the
 * leader publishes its own verdict (the usable tenant, or '') in a hidden
 * setting that travels to the workers with the others.
 */
#pragma once

#include <string>

#include "common/tenant_value.h"

namespace tg {

enum class TenantState {
	Unset,		   /* empty */
	Local,		   /* set in this transaction, for this transaction */
	SessionNow,	   /* set for the session in this transaction (refused unless reset mode) */
	Inherited,	   /* a value from outside this transaction: ignored */
};

struct TenantReading {
	TenantState state = TenantState::Unset;
	const char *value = nullptr; /* the raw value, valid until the next SET */
};

/* Defines the setting; call after tenant_guard.tenant_setting is defined. */
void DefineTenantSetting();

/* The tenant as the current transaction sees it. Allocation-free: policies call it per row. */
TenantReading ReadTenant();

/* The value, if ReadTenant's state makes it usable. */
const char *UsableTenant(const TenantReading &reading);

/* Raises the error for an unusable tenant, naming the table (InvalidOid: none). */
[[noreturn]] void ThrowUnusableTenant(const TenantReading &reading, unsigned int relid);

/* Sets the tenant for the current transaction from a verified token (bypasses require_signed). */
void SetTenantFromToken(const std::string &tenant);

/* Called by the leader before a parallel plan starts: hands its verdict to the workers. */
void PublishTenantForWorkers();

} // namespace tg
