#include "catalog/database.h"

#include <libpq-fe.h>

#include <memory>

namespace tlint {

namespace {

/* System schemas hold no application tables. */
constexpr const char *kColumns = R"sql(
SELECT n.nspname, c.relname, a.attname, c.relrowsecurity, c.relforcerowsecurity
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tenant_guard')
   AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY n.nspname, c.relname, a.attnum)sql";

/* A policy depends on each column its expressions read (pg_depend, refobjsubid). */
constexpr const char *kPolicyColumns = R"sql(
SELECT n.nspname, c.relname, a.attname, p.polname
  FROM pg_catalog.pg_policy p
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  JOIN pg_catalog.pg_depend d
    ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass
   AND d.objid OPERATOR(pg_catalog.=) p.oid
   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
   AND d.refobjid OPERATOR(pg_catalog.=) c.oid
   AND d.refobjsubid OPERATOR(pg_catalog.>) 0
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
   AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
 ORDER BY 1, 2, 4, 3)sql";

constexpr const char *kHasRegistry =
	"SELECT pg_catalog.to_regclass('tenant_guard.protection') IS NOT NULL";

constexpr const char *kRegistry = R"sql(
SELECT n.nspname, c.relname, p.tenant_column::pg_catalog.text
  FROM tenant_guard.protection p
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.table_oid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace)sql";

struct ConnCloser {
	void operator()(PGconn *c) const { PQfinish(c); }
};
struct ResultClearer {
	void operator()(PGresult *r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultClearer>;

Result Query(PGconn *conn, const char *sql, std::string *error)
{
	Result r(PQexec(conn, sql));
	if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
		*error = std::string("reading the schema from the database failed: ") +
				 PQerrorMessage(conn);
		while (!error->empty() && error->back() == '\n')
			error->pop_back();
		return nullptr;
	}
	return r;
}

std::string Text(const Result &r, int row, int col) { return PQgetvalue(r.get(), row, col); }

} // namespace

bool LoadDatabaseSchema(const std::string &conninfo, SchemaModel &model, std::string *error)
{
	std::unique_ptr<PGconn, ConnCloser> conn(PQconnectdb(conninfo.c_str()));
	if (PQstatus(conn.get()) != CONNECTION_OK) {
		*error = std::string("cannot connect to the database: ") + PQerrorMessage(conn.get());
		while (!error->empty() && error->back() == '\n')
			error->pop_back();
		return false;
	}
	std::string const from = std::string("database ") + PQdb(conn.get());

	Result columns = Query(conn.get(), kColumns, error);
	if (columns == nullptr)
		return false;
	for (int i = 0; i < PQntuples(columns.get()); i++) {
		TableFacts &t = model.Table(Text(columns, i, 0), Text(columns, i, 1));
		if (t.table_from.empty())
			t.table_from = from;
		model.AddColumn(t, Text(columns, i, 2));
		t.columns_complete = true;
		t.rls_enabled = Text(columns, i, 3) == "t";
		t.rls_forced = Text(columns, i, 4) == "t";
	}

	Result policies = Query(conn.get(), kPolicyColumns, error);
	if (policies == nullptr)
		return false;
	for (int i = 0; i < PQntuples(policies.get()); i++) {
		TableFacts &t = model.Table(Text(policies, i, 0), Text(policies, i, 1));
		if (t.policy_columns.empty())
			t.protection_from = from + " (row-level security policy " + Text(policies, i, 3) + ")";
		t.policy_columns.push_back(Text(policies, i, 2));
	}

	Result has_registry = Query(conn.get(), kHasRegistry, error);
	if (has_registry == nullptr)
		return false;
	if (Text(has_registry, 0, 0) != "t")
		return true; /* tenant_guard is not installed there */
	Result registry = Query(conn.get(), kRegistry, error);
	if (registry == nullptr)
		return false;
	for (int i = 0; i < PQntuples(registry.get()); i++)
		model.DeclareTenantTable(Text(registry, i, 0), Text(registry, i, 1), Text(registry, i, 2),
								 true, from + " (tenant_guard.protection)");
	return true;
}

} // namespace tlint
