/*
 * exemption.h — roles that may work without a tenant (tenant_guard.exempt_roles,
 * tenant_guard.exempt_superusers): migrations, replication, maintenance.
 */
#pragma once

namespace tg {

/*
 * Whether the current role is exempt, and so is the role that called into a
 * SECURITY DEFINER function, if one is running. Catalog lookups that may raise an ERROR
 * (out of memory, a broken catalog): call it through PgCall from frames that
 * own C++ objects.
 */
bool CurrentRoleIsExempt();

} // namespace tg
