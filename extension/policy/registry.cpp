#include "policy/registry.h"

#include "boundary/extension_owner.h"
#include "boundary/user_switch.h"

extern "C" {
#include "utils/inval.h"
}

namespace tg {

static const char *const kColumns =
	"table_oid, tenant_column, tenant_type, parent, previous_default, column_was_not_null,"
	" rls_was_enabled, rls_was_forced, created_index";

static SqlParam OidParam(Oid oid)
{
	return oid == InvalidOid ? SqlParam{} : SqlParam{std::to_string(oid)};
}

static std::string BoolText(bool b) { return b ? "true" : "false"; }

std::optional<ProtectionRecord> Registry::Find(Oid table)
{
	std::vector<SqlRow> rows = spi_.Query(
		std::string("SELECT table_oid::pg_catalog.oid, tenant_column, tenant_type::pg_catalog.text,"
					" parent::pg_catalog.oid, previous_default, column_was_not_null,"
					" rls_was_enabled, rls_was_forced, created_index"
					" FROM tenant_guard.protection"
					" WHERE table_oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"),
		{std::to_string(table)});
	if (rows.empty())
		return std::nullopt;
	const SqlRow &r = rows[0];
	ProtectionRecord rec;
	rec.table = SqlOid(r[0]);
	rec.tenant_column = *r[1];
	rec.tenant_type = *r[2];
	rec.parent = SqlOid(r[3]);
	rec.previous_default = r[4];
	rec.column_was_not_null = SqlBool(r[5]);
	rec.rls_was_enabled = SqlBool(r[6]);
	rec.rls_was_forced = SqlBool(r[7]);
	rec.created_index = r[8];
	return rec;
}

std::vector<Oid> Registry::ProtectedChildren(Oid parent)
{
	std::vector<Oid> children;
	for (const SqlRow &r : spi_.Query("SELECT table_oid::pg_catalog.oid FROM tenant_guard.protection"
									  " WHERE parent OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
									  " ORDER BY 1",
									  {std::to_string(parent)}))
		children.push_back(SqlOid(r[0]));
	return children;
}

void Registry::Insert(const ProtectionRecord &record)
{
	ExecuteAsExtensionOwner(
		std::string("INSERT INTO tenant_guard.protection (") + kColumns +
			") VALUES ($1::pg_catalog.oid, $2, $3::pg_catalog.regtype, $4::pg_catalog.oid, $5,"
			" $6::boolean, $7::boolean, $8::boolean, $9)",
		{std::to_string(record.table), record.tenant_column, record.tenant_type,
		 OidParam(record.parent), record.previous_default, BoolText(record.column_was_not_null),
		 BoolText(record.rls_was_enabled), BoolText(record.rls_was_forced), record.created_index});
	/* The registry's trigger does this too; a 1.0 installation has no trigger yet. */
	PgCall(CacheInvalidateRelcacheByRelid, record.table);
}

void Registry::Remove(Oid table)
{
	ExecuteAsExtensionOwner("DELETE FROM tenant_guard.protection"
							" WHERE table_oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
							{std::to_string(table)});
	PgCall(CacheInvalidateRelcacheByRelid, table);
}

void Registry::SetTenantColumn(Oid table, const std::string &column)
{
	ExecuteAsExtensionOwner("UPDATE tenant_guard.protection SET tenant_column = $2"
							" WHERE table_oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
							{std::to_string(table), column});
}

void Registry::DeclareGlobal(Oid relation, const std::string &reason)
{
	Oid const user = GetUserId();
	std::string const by = PgCall(GetUserNameFromId, user, false);
	ExecuteAsExtensionOwner("INSERT INTO tenant_guard.global_relation (table_oid, reason, declared_by)"
							" VALUES ($1::pg_catalog.oid, $2, $3) ON CONFLICT (table_oid)"
							" DO UPDATE SET reason = EXCLUDED.reason, declared_by = EXCLUDED.declared_by,"
							" declared_at = pg_catalog.now()",
							{std::to_string(relation), reason, by});
}

void Registry::RegisterAppRole(const std::string &role)
{
	ExecuteAsExtensionOwner("INSERT INTO tenant_guard.app_roles (role_name) VALUES ($1::pg_catalog.name)"
							" ON CONFLICT DO NOTHING",
							{role});
}

void Registry::ExecuteAsExtensionOwner(const std::string &sql, const std::vector<SqlParam> &params)
{
	UserSwitch as_owner(ExtensionOwner(spi_));
	spi_.Execute(sql, params);
}

} // namespace tg
