#include "policy/fk_guard.h"

#include "boundary/sql_text.h"
#include "boundary/trigger_call.h"
#include "boundary/user_switch.h"
#include "policy/catalog.h"
#include "policy/object_names.h"

extern "C" {
#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

#include <unordered_map>
#include <vector>

namespace tg {

bool EnsureForeignKeyGuards(SpiSession &spi, Oid relid)
{
	bool added = false;
	for (const ForeignKeyRef &fk : ForeignKeysBetweenProtected(spi, relid)) {
		if (fk.carries_tenant)
			continue;
		std::string const trigger = FkGuardTriggerName(fk.name);
		std::optional<std::string> exists = spi.Value(
			"SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid OPERATOR(pg_catalog.=) "
			"$1::pg_catalog.oid AND tgname OPERATOR(pg_catalog.=) $2::pg_catalog.name",
			{std::to_string(fk.referencing), trigger});
		if (exists)
			continue;
		std::string const table = RelationDisplayName(fk.referencing);
		if (!IsOwner(fk.referencing)) {
			Report(WARNING,
				   "foreign key \"" + fk.name + "\" of table " + table +
					   " lets its rows reference other tenants' rows",
				   "Only the owner of " + table + " can add the tenant check.",
				   "Ask its owner to call tenant_guard.protect('" + table +
					   "'), or make the key include the tenant column.");
			continue;
		}
		spi.Execute("CREATE TRIGGER " + QuoteIdent(trigger) + " BEFORE INSERT OR UPDATE ON " +
					table + " FOR EACH ROW EXECUTE FUNCTION tenant_guard.fk_tenant_check(" +
					QuoteLiteral(fk.name) + ")");
		added = true;
	}
	return added;
}

bool DropOrphanedForeignKeyGuards(SpiSession &spi, Oid relid)
{
	std::vector<SqlRow> rows = spi.Query(
		"SELECT t.tgname FROM pg_catalog.pg_trigger t"
		" WHERE t.tgrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND NOT t.tgisinternal"
		"   AND t.tgfoid OPERATOR(pg_catalog.=) 'tenant_guard.fk_tenant_check()'::pg_catalog.regprocedure"
		"   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint c"
		"                    WHERE c.conrelid OPERATOR(pg_catalog.=) t.tgrelid"
		"                      AND c.contype OPERATOR(pg_catalog.=) 'f'"
		"                      AND c.conname OPERATOR(pg_catalog.=) pg_catalog.convert_from("
		"                          pg_catalog.rtrim(t.tgargs, '\\x00'::pg_catalog.bytea),"
		"                          pg_catalog.getdatabaseencoding()))",
		{std::to_string(relid)});
	for (const SqlRow &r : rows)
		spi.Execute("DROP TRIGGER " + QuoteIdent(*r[0]) + " ON " + RelationDisplayName(relid));
	return !rows.empty();
}

void DropForeignKeyGuards(SpiSession &spi, Oid relid)
{
	/* Guards sit on the referencing table; the trigger's argument names its key. */
	std::vector<SqlRow> rows = spi.Query(
		"SELECT t.tgrelid, t.tgname FROM pg_catalog.pg_trigger t"
		"  JOIN pg_catalog.pg_constraint c ON c.conrelid OPERATOR(pg_catalog.=) t.tgrelid"
		"   AND c.conname OPERATOR(pg_catalog.=) pg_catalog.convert_from("
		"       pg_catalog.rtrim(t.tgargs, '\\x00'::pg_catalog.bytea),"
		"       pg_catalog.getdatabaseencoding())"
		" WHERE t.tgfoid OPERATOR(pg_catalog.=) 'tenant_guard.fk_tenant_check()'::pg_catalog.regprocedure"
		"   AND NOT t.tgisinternal AND c.conparentid OPERATOR(pg_catalog.=) 0"
		"   AND $1::pg_catalog.oid IN (c.conrelid, c.confrelid)",
		{std::to_string(relid)});
	for (const SqlRow &r : rows) {
		Oid const table = SqlOid(r[0]);
		spi.Execute("DROP TRIGGER IF EXISTS " + QuoteIdent(*r[1]) + " ON " +
					RelationDisplayName(table));
	}
}

/* ---- the trigger ---------------------------------------------------------- */

namespace {

/* What one guard trigger needs at run time, prepared on its first row. */
struct GuardPlan {
	bool active = false;	   /* false: its key or protection is gone; the trigger passes */
	SPIPlanPtr plan = nullptr; /* SELECT 1 FROM referenced WHERE key = $k AND tenant = $t */
	std::vector<AttrNumber> columns; /* key columns, then the tenant column, of the new row */
	Oid referenced_owner = InvalidOid;
	std::string constraint;
	std::string referenced;
};

std::unordered_map<Oid, GuardPlan> guard_plans; /* by trigger OID */
bool guard_plans_stale = false;
bool invalidation_registered = false;

/* A relcache invalidation may change columns or keys: rebuild lazily, never inside the callback. */
void MarkGuardPlansStale(Datum, Oid) { guard_plans_stale = true; }

/* Registered as a relcache callback: enters through the boundary like every callback. */
void CallMarkGuardPlansStale(Datum arg, Oid relid) { InvokeCpp(MarkGuardPlansStale, arg, relid); }

void DropStalePlans()
{
	if (!guard_plans_stale)
		return;
	for (auto &entry : guard_plans)
		if (entry.second.plan != nullptr)
			PgCall(SPI_freeplan, entry.second.plan);
	guard_plans.clear();
	guard_plans_stale = false;
}

GuardPlan BuildGuardPlan(SpiSession &spi, Relation rel, const char *constraint)
{
	GuardPlan g;
	g.constraint = constraint;
	Oid const relid = RelationGetRelid(rel);
	std::vector<SqlRow> rows = spi.Query(
		"SELECT c.confrelid, r.relowner, k.l, fa.attname, k.ord"
		"  FROM pg_catalog.pg_constraint c"
		"  JOIN tenant_guard.protection lp ON lp.table_oid OPERATOR(pg_catalog.=) c.conrelid"
		"  JOIN tenant_guard.protection fp ON fp.table_oid OPERATOR(pg_catalog.=) c.confrelid"
		"  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.confrelid"
		"  CROSS JOIN LATERAL ("
		"       SELECT l, f, ord FROM ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) WITH ORDINALITY AS u(l, f, ord)"
		"       UNION ALL"
		"       SELECT la.attnum, fa2.attnum, 1000"
		"         FROM pg_catalog.pg_attribute la, pg_catalog.pg_attribute fa2"
		"        WHERE la.attrelid OPERATOR(pg_catalog.=) c.conrelid"
		"          AND la.attname OPERATOR(pg_catalog.=) lp.tenant_column"
		"          AND fa2.attrelid OPERATOR(pg_catalog.=) c.confrelid"
		"          AND fa2.attname OPERATOR(pg_catalog.=) fp.tenant_column) AS k(l, f, ord)"
		"  JOIN pg_catalog.pg_attribute fa ON fa.attrelid OPERATOR(pg_catalog.=) c.confrelid"
		"   AND fa.attnum OPERATOR(pg_catalog.=) k.f"
		" WHERE c.conrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
		"   AND c.conname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
		"   AND c.contype OPERATOR(pg_catalog.=) 'f'"
		" ORDER BY k.ord",
		{std::to_string(relid), std::string(constraint)});
	/* Key dropped, a side no longer protected, or its tenant column gone: nothing to check. */
	if (rows.size() < 2 || *rows.back()[4] != "1000")
		return g;

	Oid const referenced = SqlOid(rows[0][0]);
	g.referenced = RelationDisplayName(referenced);
	g.referenced_owner = SqlOid(rows[0][1]);
	std::string sql = "SELECT 1 FROM " + g.referenced + " r WHERE ";
	std::vector<Oid> types;
	TupleDesc desc = RelationGetDescr(rel);
	for (size_t i = 0; i < rows.size(); i++) {
		auto const attnum = static_cast<AttrNumber>(std::stoi(*rows[i][2]));
		g.columns.push_back(attnum);
		types.push_back(TupleDescAttr(desc, attnum - 1)->atttypid);
		sql += (i ? " AND " : "") + std::string("r.") + QuoteIdent(*rows[i][3]) +
			   " OPERATOR(pg_catalog.=) $" + std::to_string(i + 1);
	}
	const char *query = sql.c_str();
	int const nargs = static_cast<int>(types.size());
	g.plan = PgCall(SPI_prepare, query, nargs, types.data());
	if (g.plan == nullptr)
		throw Error(ERRCODE_INTERNAL_ERROR,
					"could not prepare tenant check for foreign key \"" + g.constraint + "\"",
					std::string("SPI_prepare failed with ") + PgCall(SPI_result_code_string, SPI_result) +
						" for: " + sql,
					"This is a bug in tenant_guard; please report it with the statement that failed.");
	PgCall(SPI_keepplan, g.plan);
	g.active = true;
	return g;
}

const GuardPlan &GuardPlanFor(SpiSession &spi, TriggerData *td)
{
	if (!invalidation_registered) {
		PgCall(CacheRegisterRelcacheCallback, CallMarkGuardPlansStale, Datum(0));
		invalidation_registered = true;
	}
	DropStalePlans();
	Oid const trigger = td->tg_trigger->tgoid;
	auto found = guard_plans.find(trigger);
	if (found != guard_plans.end())
		return found->second;
	if (td->tg_trigger->tgnargs != 1)
		throw Error(ERRCODE_TRIGGERED_ACTION_EXCEPTION,
					"trigger \"" + std::string(td->tg_trigger->tgname) +
						"\" must pass one argument, the foreign key's name",
					"tenant_guard.fk_tenant_check() checks the foreign key its argument names; this "
					"trigger passes " + std::to_string(td->tg_trigger->tgnargs) + " arguments.",
					"Drop the trigger and call tenant_guard.protect() on the table, which creates it "
					"with the key's name.");
	return guard_plans
		.emplace(trigger, BuildGuardPlan(spi, td->tg_relation, td->tg_trigger->tgargs[0]))
		.first->second;
}

/* For UPDATE: did the key or the tenant change? Unchanged rows need no check. */
bool KeyChanged(const GuardPlan &g, TriggerData *td)
{
	TupleDesc desc = RelationGetDescr(td->tg_relation);
	for (AttrNumber attnum : g.columns) {
		bool old_null = false;
		bool new_null = false;
		Datum const old_value = heap_getattr(td->tg_trigtuple, attnum, desc, &old_null);
		Datum const new_value = heap_getattr(td->tg_newtuple, attnum, desc, &new_null);
		if (old_null != new_null)
			return true;
		Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
		if (!old_null && !datumIsEqual(old_value, new_value, att->attbyval, att->attlen))
			return true;
	}
	return false;
}

/* Runs the prepared lookup as the referenced table's owner with RLS off, as PostgreSQL's own key check does. */
bool ReferencedRowOfSameTenant(const GuardPlan &g, HeapTuple row, TupleDesc desc)
{
	std::vector<Datum> values;
	for (AttrNumber attnum : g.columns) {
		bool isnull = false;
		values.push_back(heap_getattr(row, attnum, desc, &isnull));
		if (isnull)
			return true; /* MATCH SIMPLE: a NULL in the key means nothing is referenced */
	}
	int rc = 0;
	{
		UserSwitch as_owner(g.referenced_owner, SECURITY_NOFORCE_RLS);
		SPIPlanPtr plan = g.plan;
		Datum *args = values.data();
		rc = PgCall(SPI_execute_plan, plan, args, static_cast<const char *>(nullptr), false, 1L);
	}
	if (rc != SPI_OK_SELECT)
		throw Error(ERRCODE_INTERNAL_ERROR,
					"tenant check for foreign key \"" + g.constraint + "\" failed with SPI code " +
						std::to_string(rc),
					std::string("SPI_execute_plan returned ") + PgCall(SPI_result_code_string, rc) +
						" instead of SPI_OK_SELECT for the check's query.",
					"This is a bug in tenant_guard; please report it with the statement that failed.");
	return SPI_processed > 0;
}

} // namespace
} // namespace tg

/* tenant_guard.fk_tenant_check(): BEFORE INSERT OR UPDATE FOR EACH ROW */
TG_FUNCTION(tg_fk_tenant_check)
{
	TriggerData *td =
		tg::RequireBeforeRowTrigger(fcinfo, "tenant_guard.fk_tenant_check()", true, true);
	bool const is_update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
	HeapTuple row = is_update ? td->tg_newtuple : td->tg_trigtuple;

	tg::SpiSession spi;
	const tg::GuardPlan &guard = tg::GuardPlanFor(spi, td);
	if (!guard.active || (is_update && !tg::KeyChanged(guard, td)))
		return PointerGetDatum(row);
	if (!tg::ReferencedRowOfSameTenant(guard, row, RelationGetDescr(td->tg_relation)))
		throw tg::Error(ERRCODE_FOREIGN_KEY_VIOLATION,
						"insert or update on table " + tg::RelationDisplayName(RelationGetRelid(td->tg_relation)) +
							" violates tenant-safe foreign key \"" + guard.constraint + "\"",
						"No row of this row's tenant in table " + guard.referenced +
							" has the referenced key.",
						"A row may reference only rows of its own tenant.");
	return PointerGetDatum(row);
}
