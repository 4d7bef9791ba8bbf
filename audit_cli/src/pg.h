/* pg.h — the few libpq calls tenant-audit needs, with errors as exceptions. */
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tg::audit_cli {

/* A database error: what() is PostgreSQL's message (with detail and hint when given). */
class DbError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

struct ResultFree {
	void operator()(PGresult *r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultFree>;

class Connection {
public:
	explicit Connection(const std::string &dsn);
	~Connection();
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;

	/* Text parameters; binary_result asks for binary columns (bytea as raw bytes). */
	Result Exec(const std::string &sql, const std::vector<std::string> &params = {}, bool binary_result = false);
	/* Param i is sent as binary when binary[i] (bytea from raw bytes). */
	Result ExecBinaryParams(const std::string &sql, const std::vector<std::string> &params,
							const std::vector<bool> &binary, bool binary_result = false);
	/* Runs COPY (...) TO STDOUT and calls on_line for each line (without the newline). */
	template <typename Fn> void CopyOut(const std::string &sql, Fn &&on_line);

private:
	void StartCopy(const std::string &sql);
	int NextCopyLine(char **line);
	std::string ErrorText(const PGresult *r) const;
	PGconn *conn_;
};

template <typename Fn> void Connection::CopyOut(const std::string &sql, Fn &&on_line)
{
	StartCopy(sql);
	char *buf = nullptr;
	int len;
	while ((len = NextCopyLine(&buf)) >= 0) {
		std::string_view line(buf, static_cast<size_t>(len));
		if (!line.empty() && line.back() == '\n')
			line.remove_suffix(1);
		on_line(line);
		PQfreemem(buf);
	}
}

} // namespace tg::audit_cli
