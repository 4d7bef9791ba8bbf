/*
 * outbox_guard.cpp — tenant assertions for the transactional outbox.
 *
 * tenant_guard.protect_outbox(tbl, payload_column, tenant_key) adds a C++
 * BEFORE INSERT OR UPDATE trigger: every row version that leaves an event
 * (INSERT, UPDATE, ON CONFLICT DO UPDATE, MERGE) must name the transaction's
 * tenant in its payload and its tenant column, or the transaction aborts, so
 * a relay (e.g. Debezium's outbox router) never publishes a cross-tenant
 * event. A json payload that names the tenant key twice is refused: json
 * keeps both, PostgreSQL reads the last and many consumers the first.
 * tenant_guard.assert_tenant(value) is the same check for application SQL.
 */
#include "boundary/pg_boundary.h"
#include "boundary/sql_args.h"
#include "boundary/spi.h"
#include "boundary/sql_text.h"
#include "boundary/internal_ddl.h"
#include "boundary/trigger_call.h"
#include "tenant/tenant_setting.h"
#include "policy/object_names.h"
#include "policy/registry.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonfuncs.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

#include <vector>

namespace tg {

namespace {

/* Longest key path protect_outbox accepts: the duplicate scan keeps one slot per level. */
constexpr int kMaxPathLength = 16;

/* '{meta,tenantId}' or 'tenantId' -> path elements; empty when invalid. */
std::vector<std::string> ParseKeyPath(const std::string &key)
{
	std::string body = key;
	if (!body.empty() && body.front() == '{') {
		if (body.back() != '}')
			return {};
		body = body.substr(1, body.size() - 2);
	}
	std::vector<std::string> path;
	size_t start = 0;
	for (;;) {
		size_t const comma = body.find(',', start);
		std::string part = body.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
		size_t const b = part.find_first_not_of(' ');
		size_t const e = part.find_last_not_of(' ');
		part = b == std::string::npos ? "" : part.substr(b, e - b + 1);
		if (part.empty() || part.find_first_of("{}\"") != std::string::npos)
			return {};
		path.push_back(part);
		if (path.size() > static_cast<size_t>(kMaxPathLength))
			return {};
		if (comma == std::string::npos)
			return path;
		start = comma + 1;
	}
}

/* What the trigger needs, prepared on its first row (lives in the trigger's fn_mcxt). */
struct OutboxPlan {
	AttrNumber payload_attnum;
	AttrNumber tenant_attnum;
	Oid extract_function; /* jsonb_ or json_extract_path_text */
	Datum path;			  /* text[] */
	TenantType tenant_type;
	bool is_json;		  /* json keeps duplicate keys as written; jsonb has dropped them */
	int path_length;
	char *path_elements[kMaxPathLength];
	int path_indexes[kMaxPathLength]; /* the element as an array index, or -1 */
};

OutboxPlan *PrepareOutboxPlan(FunctionCallInfo fcinfo, TriggerData *td)
{
	if (fcinfo->flinfo->fn_extra != nullptr)
		return static_cast<OutboxPlan *>(fcinfo->flinfo->fn_extra);
	Trigger *trigger = td->tg_trigger;
	if (trigger->tgnargs != 4)
		throw Error(ERRCODE_TRIGGERED_ACTION_EXCEPTION,
					"trigger \"" + std::string(trigger->tgname) + "\" needs 4 arguments",
					"tenant_guard.outbox_tenant_check() takes the payload column, the tenant key, the "
					"tenant column and the tenant type; this trigger has " +
						std::to_string(trigger->tgnargs) + " arguments, so its events cannot be checked.",
					"Recreate it with tenant_guard.protect_outbox().");
	TupleDesc desc = RelationGetDescr(td->tg_relation);
	const char *payload_name = trigger->tgargs[0];
	const char *tenant_name = trigger->tgargs[2];
	int const payload_attnum = PgCall(SPI_fnumber, desc, payload_name);
	int const tenant_attnum = PgCall(SPI_fnumber, desc, tenant_name);
	if (payload_attnum <= 0 || tenant_attnum <= 0)
		throw Error(ERRCODE_UNDEFINED_COLUMN,
					"outbox table " + RelationDisplayName(RelationGetRelid(td->tg_relation)) +
						" lost its payload or tenant column",
					"The trigger names payload column \"" + std::string(payload_name) +
						"\" and tenant column \"" + tenant_name +
						"\"; one of them was renamed or dropped, so the event cannot be checked.",
					"Call tenant_guard.protect_outbox() again with the current payload column.");
	std::vector<std::string> const path = ParseKeyPath(trigger->tgargs[1]);
	if (path.empty())
		throw Error(ERRCODE_TRIGGERED_ACTION_EXCEPTION,
					"trigger \"" + std::string(trigger->tgname) + "\" has an invalid tenant key \"" +
						trigger->tgargs[1] + "\"",
					"The key must be a name (tenantId) or a path of at most 16 names "
					"({meta,tenantId}); without one the payload's tenant cannot be read.",
					"Recreate it with tenant_guard.protect_outbox().");
	std::optional<TenantType> type = TenantTypeFromSqlName(trigger->tgargs[3]);
	Oid const payload_type = TupleDescAttr(desc, payload_attnum - 1)->atttypid;

	MemoryContext const cxt = fcinfo->flinfo->fn_mcxt;
	auto *plan = static_cast<OutboxPlan *>(PgCall(MemoryContextAllocZero, cxt, sizeof(OutboxPlan)));
	plan->payload_attnum = static_cast<AttrNumber>(payload_attnum);
	plan->tenant_attnum = static_cast<AttrNumber>(tenant_attnum);
	plan->extract_function =
		payload_type == JSONOID ? F_JSON_EXTRACT_PATH_TEXT : F_JSONB_EXTRACT_PATH_TEXT;
	plan->tenant_type = type.value_or(TenantType::Text);
	plan->is_json = payload_type == JSONOID;
	plan->path_length = static_cast<int>(path.size());
	std::vector<const char *> elements;
	for (const std::string &p : path)
		elements.push_back(p.c_str());
	for (size_t i = 0; i < path.size(); i++) {
		plan->path_elements[i] = PgCall(MemoryContextStrdup, cxt, elements[i]);
		bool const digits = path[i].size() <= 9 &&
							path[i].find_first_not_of("0123456789") == std::string::npos;
		plan->path_indexes[i] = digits ? std::stoi(path[i]) : -1;
	}
	const char *const *raw = elements.data();
	int const count = static_cast<int>(elements.size());
	plan->path = PgCall([cxt, raw, count] {
		MemoryContext old = MemoryContextSwitchTo(cxt);
		Datum *datums = static_cast<Datum *>(palloc(sizeof(Datum) * count));
		for (int i = 0; i < count; i++)
			datums[i] = CStringGetTextDatum(raw[i]);
		ArrayType *array = construct_array(datums, count, TEXTOID, -1, false, TYPALIGN_INT);
		MemoryContextSwitchTo(old);
		return PointerGetDatum(array);
	});
	fcinfo->flinfo->fn_extra = plan;
	return plan;
}

/* The payload's tenant as text, or nullptr when the key is missing. */
char *ExtractTenant(const OutboxPlan &plan, Datum payload)
{
	return PgCall([&plan, payload]() -> char * {
		FmgrInfo flinfo;
		fmgr_info(plan.extract_function, &flinfo);
		LOCAL_FCINFO(call, 2);
		InitFunctionCallInfoData(*call, &flinfo, 2, InvalidOid, nullptr, nullptr);
		call->args[0].value = payload;
		call->args[0].isnull = false;
		call->args[1].value = plan.path;
		call->args[1].isnull = false;
		Datum const result = FunctionCallInvoke(call);
		return call->isnull ? nullptr : text_to_cstring(DatumGetTextPP(result));
	});
}

/*
 * Walks a json text and counts, in every object along the tenant key's path,
 * the members named like the path's next key (after unescaping, so
 * "tenant\u0049d" counts as "tenantId"). Plain state and callbacks that never
 * throw: pg_parse_json calls them.
 */
struct DuplicateScan {
	const OutboxPlan *plan;
	int depth;		/* containers open */
	int path_depth; /* of those, how many from the root lie on the path */
	bool member_on_path[kMaxPathLength]; /* the member open at each level continues the path */
	int next_index[kMaxPathLength];		 /* arrays: the index of the next element */
	int seen[kMaxPathLength];			 /* members named like the path's key, per level */
	int duplicate_level;				 /* -1 until a key is seen twice */
};

void ScanContainerStart(void *state)
{
	auto *scan = static_cast<DuplicateScan *>(state);
	int const level = scan->depth;
	bool const continues = level == 0 || (scan->path_depth == level && scan->member_on_path[level - 1]);
	if (continues && level < scan->plan->path_length) {
		scan->path_depth = level + 1;
		scan->member_on_path[level] = false;
		scan->next_index[level] = 0;
	}
	scan->depth++;
}

void ScanContainerEnd(void *state)
{
	auto *scan = static_cast<DuplicateScan *>(state);
	scan->depth--;
	if (scan->path_depth > scan->depth)
		scan->path_depth = scan->depth;
}

void ScanField(void *state, char *name, bool)
{
	auto *scan = static_cast<DuplicateScan *>(state);
	int const level = scan->depth - 1;
	if (scan->path_depth != scan->depth)
		return;
	bool const match = strcmp(name, scan->plan->path_elements[level]) == 0;
	scan->member_on_path[level] = match;
	if (match && ++scan->seen[level] > 1 && scan->duplicate_level < 0)
		scan->duplicate_level = level;
}

void ScanElement(void *state, bool)
{
	auto *scan = static_cast<DuplicateScan *>(state);
	int const level = scan->depth - 1;
	if (scan->path_depth != scan->depth)
		return;
	int const index = scan->next_index[level]++;
	scan->member_on_path[level] = index == scan->plan->path_indexes[level];
}

/* The level (0 = top) at which the json payload names a key of the path twice, if any. */
std::optional<int> DuplicatedPathKey(const OutboxPlan &plan, Datum payload)
{
	DuplicateScan scan{};
	scan.plan = &plan;
	scan.duplicate_level = -1;
	JsonSemAction actions{};
	actions.semstate = &scan;
	actions.object_start = ScanContainerStart;
	actions.object_end = ScanContainerEnd;
	actions.array_start = ScanContainerStart;
	actions.array_end = ScanContainerEnd;
	actions.object_field_start = ScanField;
	actions.array_element_start = ScanElement;
	PgCall([payload, &actions] {
		text *json = DatumGetTextPP(payload);
		JsonLexContext *lex = makeJsonLexContextCstringLen(
			VARDATA_ANY(json), static_cast<int>(VARSIZE_ANY_EXHDR(json)), GetDatabaseEncoding(), true);
		JsonParseErrorType const parsed = pg_parse_json(lex, &actions);
		if (parsed != JSON_SUCCESS)
			json_ereport_error(parsed, lex);
	});
	if (scan.duplicate_level < 0)
		return std::nullopt;
	return scan.duplicate_level;
}

[[noreturn]] void ThrowOutbox(Oid relid, const std::string &message, const std::string &detail)
{
	throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE, message,
				"Outbox table " + RelationDisplayName(relid) + ": " + detail,
				"An event may only be written for the transaction's tenant; the transaction is "
				"aborted so that no relay publishes it.");
}

} // namespace
} // namespace tg

/* tenant_guard.outbox_tenant_check(): BEFORE INSERT OR UPDATE FOR EACH ROW on an outbox table */
TG_FUNCTION(tg_outbox_tenant_check)
{
	TriggerData *td =
		tg::RequireBeforeRowTrigger(fcinfo, "tenant_guard.outbox_tenant_check()", true, true);
	Oid const relid = RelationGetRelid(td->tg_relation);
	tg::TenantReading const reading = tg::ReadTenant();
	const char *current = tg::UsableTenant(reading);
	if (current == nullptr)
		tg::ThrowUnusableTenant(reading, relid);

	tg::OutboxPlan const *plan = tg::PrepareOutboxPlan(fcinfo, td);
	/* For an UPDATE (also ON CONFLICT DO UPDATE and MERGE), the row version it leaves. */
	HeapTuple row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	TupleDesc desc = RelationGetDescr(td->tg_relation);
	bool payload_null = false;
	Datum const payload = heap_getattr(row, plan->payload_attnum, desc, &payload_null);
	const char *key = td->tg_trigger->tgargs[1];
	char *named = payload_null ? nullptr : tg::ExtractTenant(*plan, payload);
	if (named == nullptr)
		tg::ThrowOutbox(relid, "outbox event names no tenant",
						std::string("its payload has no key ") + key + ".");
	if (plan->is_json)
		if (std::optional<int> level = tg::DuplicatedPathKey(*plan, payload))
			tg::ThrowOutbox(relid, "outbox event names its tenant key twice",
							std::string("key \"") + plan->path_elements[*level] + "\" (of tenant key " +
								key +
								") appears more than once in one object of its json payload; "
								"consumers that read the first would route the event by another "
								"value than the one checked.");
	if (!tg::SameTenant(plan->tenant_type, named, current))
		tg::ThrowOutbox(relid,
						std::string("outbox event for tenant \"") + named +
							"\" in a transaction of tenant \"" + current + "\"",
						std::string("payload key ") + key + " names another tenant.");
	char *row_tenant = tg::PgCall(SPI_getvalue, row, desc, static_cast<int>(plan->tenant_attnum));
	if (row_tenant != nullptr && !tg::SameTenant(plan->tenant_type, row_tenant, current))
		tg::ThrowOutbox(relid,
						std::string("outbox row for tenant \"") + row_tenant +
							"\" in a transaction of tenant \"" + current + "\"",
						"its tenant column names another tenant.");
	return PointerGetDatum(row);
}

/* tenant_guard.protect_outbox(tbl, payload_column, tenant_key) */
TG_FUNCTION(tg_protect_outbox)
{
	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			throw tg::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED,
							"arguments of tenant_guard.protect_outbox must not be NULL",
							"The table, its payload column and the tenant key are all needed to "
							"check each event.",
							"Pass all three, e.g. tenant_guard.protect_outbox('outbox', 'payload', "
							"'tenantId').");
	Oid const relid = PG_GETARG_OID(0);
	std::string const payload = NameStr(*PG_GETARG_NAME(1));
	std::string const key = tg::TextArg(fcinfo, 2);
	std::string const table = tg::RelationDisplayName(relid);
	if (tg::ParseKeyPath(key).empty())
		throw tg::Error(ERRCODE_INVALID_PARAMETER_VALUE, "invalid tenant key \"" + key + "\"",
						"The tenant key names where the payload holds its tenant; it is empty, "
						"malformed or longer than 16 keys.",
						"Write a key (tenantId) or a path of at most 16 keys ({meta,tenantId}).");

	tg::SpiSession spi;
	tg::Registry registry(spi);
	std::optional<tg::ProtectionRecord> record = registry.Find(relid);
	if (!record)
		throw tg::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
						"outbox table " + table + " is not protected",
						"protect_outbox() compares each event with the outbox row's tenant column, "
						"which only a protected table has.",
						"Call tenant_guard.protect('" + table + "') first: the outbox row's tenant "
						"column is checked too.");
	std::optional<std::string> type = spi.Value(
		"SELECT pg_catalog.format_type(atttypid, NULL) FROM pg_catalog.pg_attribute"
		" WHERE attrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
		"   AND attname OPERATOR(pg_catalog.=) $2::pg_catalog.name AND NOT attisdropped",
		{std::to_string(relid), payload});
	if (!type)
		throw tg::Error(ERRCODE_UNDEFINED_COLUMN,
						"column \"" + payload + "\" of table " + table + " does not exist",
						"The payload column is where each event's tenant is read from.",
						"Pass the payload column: payload_column => 'your_column'.");
	if (*type != "jsonb" && *type != "json")
		throw tg::Error(ERRCODE_DATATYPE_MISMATCH,
						"payload column \"" + payload + "\" of table " + table + " has type " + *type,
						"The payload must be json or jsonb, so that the tenant key can be read from it.",
						"Pass a json or jsonb column as payload_column, or change the column's type.");
	/* Idempotent: a second call replaces the trigger, with the arguments given now
	 * (tenant_guard's own DDL, which the drift guard lets through). */
	tg::InternalDdlScope internal;
	if (spi.Value("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid OPERATOR(pg_catalog.=) "
				  "$1::pg_catalog.oid AND tgname OPERATOR(pg_catalog.=) $2::pg_catalog.name",
				  {std::to_string(relid), tg::kOutboxTriggerName}))
		spi.Execute(std::string("DROP TRIGGER ") + tg::kOutboxTriggerName + " ON " + table);
	spi.Execute(std::string("CREATE TRIGGER ") + tg::kOutboxTriggerName +
				" BEFORE INSERT OR UPDATE ON " + table +
				" FOR EACH ROW EXECUTE FUNCTION tenant_guard.outbox_tenant_check(" +
				tg::QuoteLiteral(payload) + ", " + tg::QuoteLiteral(key) + ", " +
				tg::QuoteLiteral(record->tenant_column) + ", " +
				tg::QuoteLiteral(record->tenant_type) + ")");
	PG_RETURN_BOOL(true);
}

/* tenant_guard.assert_tenant(value anyelement) RETURNS boolean */
TG_FUNCTION(tg_assert_tenant)
{
	tg::TenantReading const reading = tg::ReadTenant();
	const char *current = tg::UsableTenant(reading);
	if (current == nullptr)
		tg::ThrowUnusableTenant(reading, InvalidOid);
	if (PG_ARGISNULL(0))
		throw tg::Error(ERRCODE_INSUFFICIENT_PRIVILEGE, "NULL is not the current tenant",
						"tenant_guard.assert_tenant() was given NULL, which names no tenant, so the "
						"value cannot belong to the current one.",
						"Pass the tenant value to check, e.g. the row's tenant column.");
	Oid const type = tg::PgCall(get_fn_expr_argtype, fcinfo->flinfo, 0);
	Datum const value = PG_GETARG_DATUM(0);
	char *text = tg::PgCall([type, value] {
		Oid output = InvalidOid;
		bool varlena = false;
		getTypeOutputInfo(type, &output, &varlena);
		return OidOutputFunctionCall(output, value);
	});
	tg::TenantType const kind = type == UUIDOID								   ? tg::TenantType::Uuid
								: (type == INT8OID || type == INT4OID || type == INT2OID) ? tg::TenantType::Bigint
																						   : tg::TenantType::Text;
	if (!tg::SameTenant(kind, text, current))
		throw tg::Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
						std::string("\"") + text + "\" is not the current tenant",
						std::string("The current tenant is \"") + current + "\".",
						"Only rows and events of the current tenant may be written.");
	PG_RETURN_BOOL(true);
}
