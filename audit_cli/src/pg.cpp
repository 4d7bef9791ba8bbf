#include "pg.h"

namespace tg::audit_cli {

Connection::Connection(const std::string &dsn) : conn_(PQconnectdb(dsn.c_str()))
{
	if (PQstatus(conn_) != CONNECTION_OK) {
		std::string const msg = PQerrorMessage(conn_);
		PQfinish(conn_);
		throw DbError("cannot connect to the database: " + msg);
	}
	/* Output that no session setting may change: the queries format everything themselves. */
	Exec("SET search_path = pg_catalog, pg_temp");
}

Connection::~Connection() { PQfinish(conn_); }

std::string Connection::ErrorText(const PGresult *r) const
{
	std::string out = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
																		  : PQerrorMessage(conn_)
						: PQerrorMessage(conn_);
	for (int field : {PG_DIAG_MESSAGE_DETAIL, PG_DIAG_MESSAGE_HINT})
		if (const char *v = r ? PQresultErrorField(r, field) : nullptr)
			out += std::string("\n  ") + (field == PG_DIAG_MESSAGE_HINT ? "hint: " : "detail: ") + v;
	return out;
}

Result Connection::Exec(const std::string &sql, const std::vector<std::string> &params, bool binary_result)
{
	return ExecBinaryParams(sql, params, std::vector<bool>(params.size(), false), binary_result);
}

Result Connection::ExecBinaryParams(const std::string &sql, const std::vector<std::string> &params,
									const std::vector<bool> &binary, bool binary_result)
{
	std::vector<const char *> values;
	std::vector<int> lengths, formats;
	for (size_t i = 0; i < params.size(); i++) {
		values.push_back(params[i].data());
		lengths.push_back(static_cast<int>(params[i].size()));
		formats.push_back(binary[i] ? 1 : 0);
	}
	Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
						  lengths.data(), formats.data(), binary_result ? 1 : 0));
	ExecStatusType const status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
		throw DbError(ErrorText(r.get()));
	return r;
}

void Connection::StartCopy(const std::string &sql)
{
	Result r(PQexec(conn_, sql.c_str()));
	if (!r || PQresultStatus(r.get()) != PGRES_COPY_OUT)
		throw DbError(ErrorText(r.get()));
}

int Connection::NextCopyLine(char **line)
{
	int const len = PQgetCopyData(conn_, line, 0);
	if (len == -2)
		throw DbError(PQerrorMessage(conn_));
	if (len == -1) {
		Result r(PQgetResult(conn_));
		if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
			throw DbError(ErrorText(r.get()));
		while (PGresult *extra = PQgetResult(conn_))
			PQclear(extra);
	}
	return len;
}

} // namespace tg::audit_cli
