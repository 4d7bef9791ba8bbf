#include "boundary/spi.h"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/snapmgr.h"
#include "utils/builtins.h"
}

namespace tg {

Oid SqlOid(const std::optional<std::string> &value)
{
	return value ? static_cast<Oid>(std::stoul(*value)) : InvalidOid;
}

bool SqlBool(const std::optional<std::string> &value) { return value && *value == "t"; }

const std::string &SqlValue::Checked() const
{
	if (!has_value())
		throw Error(ERRCODE_DATA_CORRUPTED, "tenant_guard read a NULL where its table allows none",
					"A NOT NULL constraint of one of tenant_guard's tables was dropped, and a row holds NULL there.",
					"Restore the constraint and the row (from a backup or an export).");
	return std::optional<std::string>::operator*();
}

SpiSession::SpiSession()
{
	int const rc = PgCall(SPI_connect);
	if (rc != SPI_OK_CONNECT)
		throw Error(ERRCODE_INTERNAL_ERROR,
					"could not connect to SPI to run tenant_guard's catalog queries: SPI_connect "
					"returned " + std::to_string(rc),
					"SPI_connect returns an error code only when SPI is in an inconsistent state.",
					"This is a bug in tenant_guard; please report it with the statement that failed.");
}

/*
 * On the error path the transaction is aborted anyway and AtEOXact_SPI cleans
 * up; SPI_finish here keeps the SPI stack balanced when C++ code recovers.
 */
SpiSession::~SpiSession()
{
	CaughtError ignored;
	try {
		PgCall(SPI_finish);
	} catch (...) {
		CatchCurrentException(ignored);
	}
}

namespace {

/* Text parameters as SPI takes them: TEXTOID each, 'n' for NULL. */
struct TextArgs {
	std::vector<Oid> types;
	std::vector<Datum> values;
	std::string nulls;

	explicit TextArgs(const std::vector<SqlParam> &params)
		: types(params.size(), TEXTOID), values(params.size(), 0), nulls(params.size(), ' ')
	{
		for (size_t i = 0; i < params.size(); i++) {
			if (!params[i]) {
				nulls[i] = 'n';
				continue;
			}
			const char *text = params[i]->c_str();
			values[i] = PgCall([text] { return CStringGetTextDatum(text); });
		}
	}
};

[[noreturn]] void SpiFailed(const std::string &sql, int rc)
{
	throw Error(ERRCODE_INTERNAL_ERROR,
				"tenant_guard's SPI query failed with code " + std::to_string(rc) + " (" +
					PgCall(SPI_result_code_string, rc) + ")",
				"The query was: " + sql,
				"This is a bug in tenant_guard; please report it with the statement that failed.");
}

} // namespace

uint64_t SpiSession::Run(const std::string &sql, const std::vector<SqlParam> &params)
{
	TextArgs const args(params);
	return RunTyped(sql, args.types, args.values, args.nulls);
}

uint64_t SpiSession::RunTyped(const std::string &sql, const std::vector<Oid> &types,
							  const std::vector<Datum> &values, const std::string &nulls)
{
	int const nargs = static_cast<int>(types.size());
	const char *query = sql.c_str();
	Oid *argtypes = const_cast<Oid *>(types.data());
	Datum *args = const_cast<Datum *>(values.data());
	int const rc = PgCall(SPI_execute_with_args, query, nargs, argtypes, args, nulls.c_str(),
						  false, 0L);
	if (rc < 0)
		SpiFailed(sql, rc);
	return SPI_processed;
}

std::optional<std::string> SpiSession::FirstValue(const std::string &sql,
												  const std::vector<Oid> &types,
												  const std::vector<Datum> &values,
												  const std::string &nulls)
{
	uint64_t const count = RunTyped(sql, types, values, nulls);
	SPITupleTable *table = SPI_tuptable;
	if (table == nullptr || count == 0 || table->tupdesc->natts < 1)
		return std::nullopt;
	HeapTuple tuple = table->vals[0];
	TupleDesc desc = table->tupdesc;
	char *text = PgCall(SPI_getvalue, tuple, desc, 1);
	if (text == nullptr)
		return std::nullopt;
	return std::string(text);
}

uint64_t SpiSession::Execute(const std::string &sql, const std::vector<SqlParam> &params)
{
	return Run(sql, params);
}

namespace {

/* The rows of the last SPI result, as text. */
std::vector<SqlRow> ResultRows(uint64_t count)
{
	SPITupleTable *table = SPI_tuptable;
	std::vector<SqlRow> rows;
	if (table == nullptr)
		return rows;
	int const ncols = table->tupdesc->natts;
	rows.reserve(count);
	for (uint64_t r = 0; r < count; r++) {
		SqlRow row;
		row.reserve(ncols);
		for (int c = 1; c <= ncols; c++) {
			HeapTuple tuple = table->vals[r];
			TupleDesc desc = table->tupdesc;
			char *text = PgCall(SPI_getvalue, tuple, desc, c);
			if (text == nullptr)
				row.emplace_back(std::nullopt);
			else
				row.emplace_back(std::string(text));
		}
		rows.push_back(std::move(row));
	}
	return rows;
}

} // namespace

std::vector<SqlRow> SpiSession::Query(const std::string &sql, const std::vector<SqlParam> &params)
{
	return ResultRows(Run(sql, params));
}

uint64_t SpiSession::RunLatest(const std::string &sql, const std::vector<SqlParam> &params, bool read_only)
{
	TextArgs args(params);
	const char *query = sql.c_str();
	int const nargs = static_cast<int>(args.types.size());
	Oid *argtypes = args.types.data();
	SPIPlanPtr plan = PgCall(SPI_prepare, query, nargs, argtypes);
	if (plan == nullptr)
		SpiFailed(sql, SPI_result);
	Datum *values = args.values.data();
	const char *nulls = args.nulls.c_str();
	int const rc = PgCall([&] {
		/* What this transaction did so far is part of "latest" too. */
		CommandCounterIncrement();
		return SPI_execute_snapshot(plan, values, nulls, GetLatestSnapshot(), InvalidSnapshot, read_only, false, 0L);
	});
	PgCall(SPI_freeplan, plan);
	if (rc < 0)
		SpiFailed(sql, rc);
	return SPI_processed;
}

std::vector<SqlRow> SpiSession::QueryLatest(const std::string &sql, const std::vector<SqlParam> &params)
{
	return ResultRows(RunLatest(sql, params, true));
}

uint64_t SpiSession::ExecuteLatest(const std::string &sql, const std::vector<SqlParam> &params)
{
	return RunLatest(sql, params, false);
}

SqlValue SpiSession::Value(const std::string &sql, const std::vector<SqlParam> &params)
{
	std::vector<SqlRow> rows = Query(sql, params);
	if (rows.empty() || rows[0].empty())
		return std::nullopt;
	return rows[0][0];
}

} // namespace tg
