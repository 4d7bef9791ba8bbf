#include "audit/audit_catalog.h"

extern "C" {
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
}

namespace tg::audit {

Oid AuditRelid(const char *name)
{
	Oid const nsp = get_namespace_oid("tenant_guard", true);
	return OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;
}

Oid RequireAuditRelid(const char *name)
{
	Oid const relid = AuditRelid(name);
	if (!OidIsValid(relid))
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("relation \"tenant_guard.%s\" does not exist", name),
						errdetail("The audit trail needs tenant_guard 1.1 or later."),
						errhint("Run ALTER EXTENSION tenant_guard UPDATE.")));
	return relid;
}

} // namespace tg::audit
