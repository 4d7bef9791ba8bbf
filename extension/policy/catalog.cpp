#include "policy/catalog.h"

#include "boundary/sql_text.h"
#include "policy/object_names.h"
#include "boundary/user_switch.h"

extern "C" {
#include "miscadmin.h"
#include "utils/acl.h"
}

namespace tg {

static std::string OidText(Oid oid) { return std::to_string(oid); }

TableInfo LoadTable(SpiSession &spi, Oid relid)
{
	std::vector<SqlRow> rows =
		spi.Query("SELECT c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,"
				  "       c.relispartition"
				  "  FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
				  {OidText(relid)});
	if (rows.empty())
		throw Error(ERRCODE_UNDEFINED_TABLE, "relation with OID " + OidText(relid) + " does not exist",
					"No relation in pg_class has this OID: it was dropped, perhaps concurrently.",
					"Pass the table by name, e.g. 'public.orders', and retry if it was being recreated.");
	const SqlRow &r = rows[0];
	TableInfo t;
	t.relid = relid;
	t.name = RelationDisplayName(relid);
	t.relkind = (*r[0])[0];
	t.persistence = (*r[1])[0];
	t.rls_enabled = SqlBool(r[2]);
	t.rls_forced = SqlBool(r[3]);
	t.is_partition = SqlBool(r[4]);
	return t;
}

std::optional<ColumnInfo> LoadColumn(SpiSession &spi, Oid relid, const std::string &column)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT a.attname, pg_catalog.format_type(a.atttypid, NULL), a.attnotnull,"
		"       pg_catalog.pg_get_expr(d.adbin, d.adrelid),"
		"       EXISTS (SELECT FROM pg_catalog.pg_depend dep"
		"                 JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) dep.refobjid"
		"                WHERE dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
		"                  AND dep.objid OPERATOR(pg_catalog.=) d.oid"
		"                  AND dep.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
		"                  AND p.pronamespace OPERATOR(pg_catalog.=) 'tenant_guard'::pg_catalog.regnamespace"
		"                  AND p.proname OPERATOR(pg_catalog.~~) 'tenant\\_%')"
		"  FROM pg_catalog.pg_attribute a"
		"  LEFT JOIN pg_catalog.pg_attrdef d"
		"         ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum"
		" WHERE a.attrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
		"   AND a.attname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
		"   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped",
		{OidText(relid), column});
	if (rows.empty())
		return std::nullopt;
	const SqlRow &r = rows[0];
	ColumnInfo c;
	c.name = *r[0];
	c.type_name = *r[1];
	c.not_null = SqlBool(r[2]);
	c.default_expr = r[3];
	c.default_is_ours = SqlBool(r[4]);
	return c;
}

/*
 * The contents comparisons live in SQL (tenant_guard._policy_status and
 * friends, 1.1). Between installing a newer library and ALTER EXTENSION
 * UPDATE they are missing: then policies are recognised by name, as 1.0 did.
 */
static bool HaveContentHelpers(SpiSession &spi)
{
	return SqlBool(spi.Value("SELECT pg_catalog.to_regprocedure("
							 "'tenant_guard._policy_status(pg_catalog.oid, pg_catalog.name, pg_catalog.regtype)')"
							 " IS NOT NULL"));
}

static std::vector<std::string> PermissivePoliciesNotNamedOurs(SpiSession &spi, Oid relid)
{
	std::vector<std::string> names;
	for (const SqlRow &r :
		 spi.Query("SELECT polname FROM pg_catalog.pg_policy"
				   " WHERE polrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND polpermissive"
				   "   AND polname OPERATOR(pg_catalog.!~~) 'tenant\\_guard\\_%' ORDER BY polname",
				   {OidText(relid)}))
		names.push_back(*r[0]);
	return names;
}

static std::vector<PolicyStatus> PolicyStatusByName(SpiSession &spi, Oid relid)
{
	std::vector<PolicyStatus> policies;
	for (const SqlRow &r : spi.Query(
			 "SELECT w.polname, w.polcmd, pol.oid IS NOT NULL,"
			 "       pol.polcmd OPERATOR(pg_catalog.=) w.polcmd AND pol.polpermissive"
			 "       AND pol.polroles OPERATOR(pg_catalog.=) '{0}'::pg_catalog.oid[]"
			 "  FROM " + GeneratedPoliciesValues() + " AS w(polname, polcmd)"
			 "  LEFT JOIN pg_catalog.pg_policy pol ON pol.polrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
			 "   AND pol.polname OPERATOR(pg_catalog.=) w.polname",
			 {OidText(relid)})) {
		PolicyStatus p;
		p.name = *r[0];
		p.command = (*r[1])[0];
		p.matched = SqlBool(r[2]) && SqlBool(r[3]);
		p.named_differs = SqlBool(r[2]) && !p.matched;
		policies.push_back(std::move(p));
	}
	return policies;
}

std::vector<std::string> ForeignPermissivePolicies(SpiSession &spi, Oid relid,
												   const std::string &column,
												   const std::string &tenant_type)
{
	if (!HaveContentHelpers(spi))
		return PermissivePoliciesNotNamedOurs(spi, relid);
	std::vector<std::string> names;
	for (const SqlRow &r :
		 spi.Query("SELECT p FROM tenant_guard._foreign_permissive_policies($1::pg_catalog.oid,"
				   " $2::pg_catalog.name, $3::pg_catalog.regtype) AS p",
				   {OidText(relid), column, tenant_type}))
		names.push_back(*r[0]);
	return names;
}

std::vector<PolicyStatus> GeneratedPolicyStatus(SpiSession &spi, Oid relid,
												const std::string &column,
												const std::string &tenant_type)
{
	if (!HaveContentHelpers(spi))
		return PolicyStatusByName(spi, relid);
	std::vector<PolicyStatus> policies;
	for (const SqlRow &r :
		 spi.Query("SELECT polname, polcmd, matched, named_exists AND differences IS NOT NULL"
				   "  FROM tenant_guard._policy_status($1::pg_catalog.oid, $2::pg_catalog.name,"
				   "       $3::pg_catalog.regtype)",
				   {OidText(relid), column, tenant_type})) {
		PolicyStatus p;
		p.name = *r[0];
		p.command = (*r[1])[0];
		p.matched = SqlBool(r[2]);
		p.named_differs = SqlBool(r[3]);
		policies.push_back(std::move(p));
	}
	return policies;
}

std::vector<DisabledTrigger> DisabledOwnTriggers(SpiSession &spi, Oid relid)
{
	std::vector<DisabledTrigger> triggers;
	for (const SqlRow &r : spi.Query(
			 "SELECT tgname FROM pg_catalog.pg_trigger"
			 " WHERE tgrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND NOT tgisinternal"
			 "   AND tgfoid IN ('tenant_guard.fk_tenant_check()'::pg_catalog.regprocedure,"
			 "                  'tenant_guard.outbox_tenant_check()'::pg_catalog.regprocedure)"
			 "   AND tgenabled OPERATOR(pg_catalog.<>) ALL (ARRAY['O', 'A']::pg_catalog.\"char\"[])"
			 " ORDER BY tgname",
			 {OidText(relid)}))
		triggers.push_back(DisabledTrigger{*r[0]});
	return triggers;
}

std::optional<std::string> ColumnWithTenantDefault(SpiSession &spi, Oid relid)
{
	if (!HaveContentHelpers(spi))
		return std::nullopt;
	return spi.Value("SELECT tenant_guard._effective_tenant_column($1::pg_catalog.oid, NULL)",
					 {OidText(relid)});
}

Oid RelationOwner(SpiSession &spi, Oid relid)
{
	return SqlOid(spi.Value("SELECT relowner FROM pg_catalog.pg_class"
							" WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
							{OidText(relid)}));
}

int64_t CountNullTenants(SpiSession &spi, const TableInfo &table, const std::string &column)
{
	/* As the owner, with FORCE lifted as PostgreSQL's own key checks do: the policies would hide NULLs. */
	UserSwitch as_owner(RelationOwner(spi, table.relid), SECURITY_NOFORCE_RLS);
	std::optional<std::string> count = spi.Value("SELECT pg_catalog.count(*) FROM " + table.name +
												 " WHERE " + QuoteIdent(column) + " IS NULL");
	return count ? std::stoll(*count) : 0;
}

std::vector<Oid> ChildTables(SpiSession &spi, Oid relid)
{
	std::vector<Oid> children;
	for (const SqlRow &r : spi.Query("SELECT inhrelid FROM pg_catalog.pg_inherits"
									 " WHERE inhparent OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
									 " ORDER BY inhrelid",
									 {OidText(relid)}))
		children.push_back(SqlOid(r[0]));
	return children;
}

bool HasTenantLeadingIndex(SpiSession &spi, Oid relid, const std::string &column)
{
	return SqlBool(spi.Value(
		"SELECT EXISTS (SELECT FROM pg_catalog.pg_index i"
		"  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid"
		"   AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0]"
		" WHERE i.indrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND i.indisvalid"
		"   AND i.indpred IS NULL AND a.attname OPERATOR(pg_catalog.=) $2::pg_catalog.name)",
		{OidText(relid), column}));
}

std::vector<ForeignKeyRef> ForeignKeysBetweenProtected(SpiSession &spi, Oid relid)
{
	std::vector<ForeignKeyRef> keys;
	for (const SqlRow &r : spi.Query(
			 "SELECT c.conname, c.conrelid, c.confrelid,"
			 "       EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS k(l, f)"
			 "                 JOIN pg_catalog.pg_attribute la ON la.attrelid OPERATOR(pg_catalog.=) c.conrelid"
			 "                  AND la.attnum OPERATOR(pg_catalog.=) k.l"
			 "                 JOIN pg_catalog.pg_attribute fa ON fa.attrelid OPERATOR(pg_catalog.=) c.confrelid"
			 "                  AND fa.attnum OPERATOR(pg_catalog.=) k.f"
			 "                WHERE la.attname OPERATOR(pg_catalog.=) lp.tenant_column"
			 "                  AND fa.attname OPERATOR(pg_catalog.=) fp.tenant_column)"
			 "  FROM pg_catalog.pg_constraint c"
			 "  JOIN tenant_guard.protection lp ON lp.table_oid OPERATOR(pg_catalog.=) c.conrelid"
			 "  JOIN tenant_guard.protection fp ON fp.table_oid OPERATOR(pg_catalog.=) c.confrelid"
			 " WHERE c.contype OPERATOR(pg_catalog.=) 'f' AND c.conparentid OPERATOR(pg_catalog.=) 0"
			 "   AND $1::pg_catalog.oid IN (c.conrelid, c.confrelid)"
			 " ORDER BY c.conrelid, c.conname",
			 {OidText(relid)})) {
		ForeignKeyRef k;
		k.name = *r[0];
		k.referencing = SqlOid(r[1]);
		k.referenced = SqlOid(r[2]);
		k.carries_tenant = SqlBool(r[3]);
		keys.push_back(std::move(k));
	}
	return keys;
}

bool IsOwner(Oid relid)
{
	Oid const user = GetUserId();
	return PgCall(pg_class_ownercheck, relid, user);
}

} // namespace tg
