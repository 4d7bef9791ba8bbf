/*
 * exemption.h — roles that may work without a tenant (tenant_guard.exempt_roles,
 * tenant_guard.exempt_superusers): migrations, replication, maintenance.
 */
#pragma once

namespace tg {

/* Whether the current role is exempt. Catalog lookups only; never raises an ERROR. */
bool CurrentRoleIsExemptNoError();

} // namespace tg
