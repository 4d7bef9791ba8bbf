/*
 * spi.h — SPI for C++ code: a connection that closes itself, statements with
 * text parameters, results copied out as std::string before SPI_finish frees
 * them. Every PostgreSQL call goes through PgCall.
 */
#pragma once

#include "boundary/pg_boundary.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tg {

/* A statement parameter: SQL text or NULL. Statements cast $n as they need. */
using SqlParam = std::optional<std::string>;

/*
 * One result value: the column's text output, or empty for NULL. Reading an
 * empty one with * or -> is an ERROR (XX001), not undefined behaviour: a
 * column that tenant_guard's schema declares NOT NULL holds NULL once someone
 * drops the constraint, and no value read from a table may crash the server.
 */
class SqlValue : public std::optional<std::string> {
public:
	using std::optional<std::string>::optional;
	SqlValue(std::optional<std::string> value) : std::optional<std::string>(std::move(value)) {}
	const std::string &operator*() const { return Checked(); }
	const std::string *operator->() const { return &Checked(); }

private:
	const std::string &Checked() const;
};

/* One result row: each column's text output, or an empty SqlValue for NULL. */
using SqlRow = std::vector<SqlValue>;

/* Reading result values: an OID (InvalidOid for NULL) and a boolean ("t"). */
Oid SqlOid(const std::optional<std::string> &value);
bool SqlBool(const std::optional<std::string> &value);

class SpiSession {
public:
	SpiSession();
	~SpiSession();
	SpiSession(const SpiSession &) = delete;
	SpiSession &operator=(const SpiSession &) = delete;

	/* Runs a statement that returns no rows we need; returns rows processed. */
	uint64_t Execute(const std::string &sql, const std::vector<SqlParam> &params = {});

	/* Runs a query and returns all its rows as text. */
	std::vector<SqlRow> Query(const std::string &sql, const std::vector<SqlParam> &params = {});

	/*
	 * A read-only query against the latest committed state, not the
	 * transaction's snapshot: for judging, after a statement took its locks,
	 * what it did, also under REPEATABLE READ (as PostgreSQL's RI checks do).
	 */
	std::vector<SqlRow> QueryLatest(const std::string &sql, const std::vector<SqlParam> &params = {});
	/* A statement that changes rows, finding them in the latest committed state likewise. */
	uint64_t ExecuteLatest(const std::string &sql, const std::vector<SqlParam> &params = {});

	/* The single value of a one-row, one-column query (empty: no row or NULL). */
	SqlValue Value(const std::string &sql,
									 const std::vector<SqlParam> &params = {});

	/*
	 * The first column of the first row (nullopt: no row, NULL, or a statement
	 * that returns none), with parameters of any type as Datums; nulls has
	 * 'n' for a NULL parameter, ' ' otherwise.
	 */
	std::optional<std::string> FirstValue(const std::string &sql, const std::vector<Oid> &types,
										  const std::vector<Datum> &values, const std::string &nulls);

private:
	uint64_t Run(const std::string &sql, const std::vector<SqlParam> &params);
	uint64_t RunLatest(const std::string &sql, const std::vector<SqlParam> &params, bool read_only);
	uint64_t RunTyped(const std::string &sql, const std::vector<Oid> &types,
					  const std::vector<Datum> &values, const std::string &nulls);
};

} // namespace tg
