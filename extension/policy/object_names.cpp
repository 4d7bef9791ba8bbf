#include "policy/object_names.h"

#include "boundary/pg_boundary.h"
#include "boundary/sql_text.h"

extern "C" {
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
}

namespace tg {

std::string FkGuardTriggerName(const std::string &constraint)
{
	std::string name = "tenant_guard_fk_" + constraint;
	if (name.size() < NAMEDATALEN)
		return name;
	const char *raw = name.c_str();
	int const len = static_cast<int>(name.size());
	int const clipped = PgCall(pg_mbcliplen, raw, len, NAMEDATALEN - 1);
	name.resize(static_cast<size_t>(clipped));
	return name;
}

std::string GeneratedPoliciesValues()
{
	std::string values = "(VALUES ";
	for (const PolicySpec &spec : kGeneratedPolicies) {
		if (&spec != &kGeneratedPolicies.front())
			values += ", ";
		values += "(" + QuoteLiteral(spec.name) + ", " + QuoteLiteral(std::string(1, spec.command)) + ")";
	}
	return values + ")";
}

} // namespace tg

/*
 * tenant_guard._generated_policies() RETURNS TABLE (polname name, polcmd "char",
 * has_using boolean, has_check boolean): the policies protect() makes.
 */
TG_FUNCTION(tg_generated_policies)
{
	auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	tg::PgCall([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
	for (const tg::PolicySpec &spec : tg::kGeneratedPolicies) {
		const tg::PolicySpec *row = &spec;
		tg::PgCall([rsinfo, row] {
			NameData name;
			namestrcpy(&name, row->name);
			Datum values[4] = {NameGetDatum(&name), CharGetDatum(row->command),
							   BoolGetDatum(row->has_using), BoolGetDatum(row->has_check)};
			bool nulls[4] = {false, false, false, false};
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		});
	}
	return static_cast<Datum>(0);
}

/* tenant_guard._fk_guard_trigger_name(constraint_name name) RETURNS name */
TG_FUNCTION(tg_fk_guard_trigger_name)
{
	std::string const constraint = NameStr(*PG_GETARG_NAME(0));
	std::string const trigger = tg::FkGuardTriggerName(constraint);
	const char *raw = trigger.c_str();
	return tg::PgCall([raw] {
		Name result = static_cast<Name>(palloc0(NAMEDATALEN));
		namestrcpy(result, raw);
		return NameGetDatum(result);
	});
}
