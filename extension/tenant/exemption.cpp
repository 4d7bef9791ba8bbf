#include "tenant/exemption.h"

#include "guc.h"

extern "C" {
#include "postgres.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/varlena.h"
}

namespace tg {

/*
 * Runs on the error path only (a statement without a tenant), so it parses
 * the list each time rather than caching it. Plain C frame: nothing here
 * owns a destructor, so an ERROR may pass through; a role that does not
 * exist is skipped, not an error.
 */
static bool RoleIsExempt(Oid user)
{
	if (tg_exempt_superusers && superuser_arg(user))
		return true;
	if (tg_exempt_roles == nullptr || tg_exempt_roles[0] == '\0')
		return false;
	char *copy = pstrdup(tg_exempt_roles);
	List *names = NIL;
	bool exempt = false;
	if (SplitIdentifierString(copy, ',', &names)) {
		ListCell *lc;
		foreach (lc, names) {
			Oid const role = get_role_oid(static_cast<const char *>(lfirst(lc)), true);
			if (OidIsValid(role) && has_privs_of_role(user, role)) {
				exempt = true;
				break;
			}
		}
	}
	list_free(names);
	pfree(copy);
	return exempt;
}

/*
 * Inside a SECURITY DEFINER function the current user is the function's
 * owner, often a superuser: the role that called in (SET ROLE's "outer"
 * user, which SECURITY DEFINER does not change) must be exempt as well, or
 * an application role would read through such a function without a tenant.
 */
bool CurrentRoleIsExempt()
{
	Oid const current = GetUserId();
	Oid const outer = GetOuterUserId();
	return RoleIsExempt(current) && (outer == current || RoleIsExempt(outer));
}

} // namespace tg
