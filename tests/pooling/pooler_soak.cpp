// pooler_soak — many clients of two tenants through PgBouncer in transaction
// mode, where server connections are shared between clients: careful clients
// set the tenant per transaction, sloppy ones set it for the session (or not
// at all). No client may ever see a row of a tenant it did not set in its own
// transaction, and careful transactions must never fail.
//
// With TG_SOAK_SIGNING_KEY=key_id:base64_secret (a key of the server's key
// file), half of the careful transactions set their tenant with a signed token
// minted for that transaction and bound as a parameter, as drivers should; and
// some sloppy clients replay a token already used, which must be refused on
// whichever server connection the pooler gives them.
//
//   pooler_soak "CONNINFO" CLIENTS TRANSACTIONS_PER_CLIENT
// Prints a summary and "N passed, N failed"; exits 1 on any failure.
#include <libpq-fe.h>

#include "common/tenant_token.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

const char *const kTenants[] = {"tenant-a", "tenant-b"};

struct Counters {
	std::atomic<long> careful_ok{0};
	std::atomic<long> careful_failed{0};
	std::atomic<long> sloppy_refused{0}; /* a sloppy statement that got an error, as it should */
	std::atomic<long> sloppy_other{0};	 /* a sloppy statement that ran without seeing rows */
	std::atomic<long> leaks{0};			 /* rows of a tenant the client had not set */
	std::atomic<long> signed_ok{0};		 /* careful transactions that used a token */
	std::atomic<long> replays_refused{0};
};

/* The signing key, when the soak runs with tokens. */
std::optional<tg::SigningKey> signing_key;

std::string FreshToken(PGconn *conn, const char *tenant)
{
	tg::TokenClaims const claims{tenant, PQdb(conn), static_cast<int64_t>(time(nullptr)) + 60,
								 tg::RandomNonce()};
	return tg::MintToken(*signing_key, claims);
}

std::mutex log_mutex;

void Log(const std::string &line)
{
	std::lock_guard<std::mutex> lock(log_mutex);
	std::fprintf(stderr, "%s\n", line.c_str());
}

/* Runs a statement; returns the result (caller clears) or nullptr on error. */
PGresult *Run(PGconn *conn, const char *sql, const char *param = nullptr)
{
	PGresult *res = param == nullptr
						? PQexec(conn, sql)
						: PQexecParams(conn, sql, 1, nullptr, &param, nullptr, nullptr, 0);
	ExecStatusType const status = PQresultStatus(res);
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return res;
	PQclear(res);
	return nullptr;
}

/* Every row's tenant must equal expected; returns how many do not. */
int ForeignRows(PGresult *res, const char *expected)
{
	int foreign = 0;
	for (int i = 0; i < PQntuples(res); i++)
		if (expected == nullptr || std::strcmp(PQgetvalue(res, i, 0), expected) != 0)
			foreign++;
	return foreign;
}

/* token: set the tenant with a fresh signed token (kept in *used for a later replay). */
void Careful(PGconn *conn, const char *tenant, bool write, bool token, std::string *used,
			 Counters &c)
{
	bool ok = true;
	PGresult *res = Run(conn, "BEGIN");
	ok = res != nullptr;
	PQclear(res);
	if (ok && token) {
		*used = FreshToken(conn, tenant);
		res = Run(conn, "SELECT tenant_guard.set_tenant($1)", used->c_str());
		ok = res != nullptr;
		PQclear(res);
	} else if (ok) {
		res = Run(conn, "SELECT set_config('app.tenant_id', $1, true)", tenant);
		ok = res != nullptr;
		PQclear(res);
	}
	if (ok) {
		res = Run(conn, "SELECT tenant_id FROM soak_items");
		ok = res != nullptr && PQntuples(res) > 0;
		if (res != nullptr && ForeignRows(res, tenant) > 0) {
			c.leaks++;
			Log(std::string("LEAK: careful client of ") + tenant + " saw another tenant's rows");
		}
		PQclear(res);
	}
	if (ok && write) {
		res = Run(conn, "INSERT INTO soak_items (payload) VALUES ('careful') RETURNING tenant_id");
		ok = res != nullptr;
		if (res != nullptr && ForeignRows(res, tenant) > 0) {
			c.leaks++;
			Log(std::string("LEAK: careful insert of ") + tenant + " got another tenant");
		}
		PQclear(res);
	}
	res = Run(conn, ok ? "COMMIT" : "ROLLBACK");
	ok = ok && res != nullptr;
	PQclear(res);
	if (ok) {
		c.careful_ok++;
		if (token)
			c.signed_ok++;
	} else {
		c.careful_failed++;
		Log(std::string("FAIL: careful transaction of ") + tenant + ": " + PQerrorMessage(conn));
	}
}

/* A sloppy read: whatever rows come back must be of the tenant this client set, if any. */
void SloppyRead(PGconn *conn, const char *believed, Counters &c)
{
	PGresult *res = Run(conn, "SELECT tenant_id FROM soak_items");
	if (res == nullptr) {
		c.sloppy_refused++;
		return;
	}
	if (PQntuples(res) == 0)
		c.sloppy_other++;
	else {
		c.leaks++;
		Log(std::string("LEAK: sloppy read (believing ") + (believed ? believed : "no tenant") +
			") returned " + std::to_string(PQntuples(res)) + " rows");
	}
	PQclear(res);
}

/* Presents a token that was already used: it must be refused, whatever connection serves it. */
void Replay(PGconn *conn, const std::string &token, Counters &c)
{
	PGresult *res = Run(conn, "BEGIN");
	PQclear(res);
	res = Run(conn, "SELECT tenant_guard.set_tenant($1)", token.c_str());
	if (res == nullptr) {
		c.replays_refused++;
	} else {
		c.leaks++;
		Log("LEAK: a used token was accepted again");
	}
	PQclear(res);
	res = Run(conn, "ROLLBACK");
	PQclear(res);
}

void Client(const std::string &conninfo, int id, int transactions, Counters &c)
{
	PGconn *conn = PQconnectdb(conninfo.c_str());
	if (PQstatus(conn) != CONNECTION_OK) {
		Log("FAIL: client " + std::to_string(id) + " cannot connect: " + PQerrorMessage(conn));
		c.careful_failed += transactions;
		PQfinish(conn);
		return;
	}
	std::mt19937 rng(1000 + id);
	const char *tenant = kTenants[id % 2];
	std::string used_token;
	for (int t = 0; t < transactions; t++) {
		unsigned const dice = rng() % 10;
		if (dice < 6) {
			Careful(conn, tenant, dice < 2, signing_key && dice % 2 == 1, &used_token, c);
		} else if (dice == 9 && !used_token.empty() && t % 2 == 0) {
			Replay(conn, used_token, c);
		} else if (dice < 8) {
			/* Session-level SET: refused; if it were not, the next client would inherit it. */
			PGresult *res = Run(conn, ("SET app.tenant_id = '" + std::string(tenant) + "'").c_str());
			if (res == nullptr)
				c.sloppy_refused++;
			else
				c.sloppy_other++;
			PQclear(res);
			SloppyRead(conn, tenant, c);
		} else if (dice < 9) {
			/* set_config(..., false) is accepted, and ignored by the next transaction. */
			PGresult *res = Run(conn, "SELECT set_config('app.tenant_id', $1, false)", tenant);
			PQclear(res);
			SloppyRead(conn, tenant, c);
		} else {
			SloppyRead(conn, nullptr, c);
		}
	}
	PQfinish(conn);
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 4) {
		std::fprintf(stderr, "usage: %s CONNINFO CLIENTS TRANSACTIONS_PER_CLIENT\n", argv[0]);
		return 2;
	}
	std::string const conninfo = argv[1];
	if (const char *key = std::getenv("TG_SOAK_SIGNING_KEY")) {
		std::string error;
		std::optional<std::vector<tg::SigningKey>> keys = tg::ParseSigningKeyFile(key, &error);
		if (!keys || keys->size() != 1) {
			std::fprintf(stderr, "TG_SOAK_SIGNING_KEY: %s\n", keys ? "give one key" : error.c_str());
			return 2;
		}
		signing_key = keys->front();
	}
	int const clients = std::atoi(argv[2]);
	int const transactions = std::atoi(argv[3]);
	Counters c;
	std::vector<std::thread> threads;
	for (int i = 0; i < clients; i++)
		threads.emplace_back(Client, conninfo, i, transactions, std::ref(c));
	for (std::thread &t : threads)
		t.join();
	long const passed = c.careful_ok + c.sloppy_refused + c.sloppy_other + c.replays_refused;
	long const failed = c.careful_failed + c.leaks;
	std::printf("careful transactions: %ld ok, %ld failed\n", c.careful_ok.load(),
				c.careful_failed.load());
	std::printf("sloppy statements: %ld refused, %ld ran and saw no rows\n",
				c.sloppy_refused.load(), c.sloppy_other.load());
	std::printf("signed-token transactions: %ld ok; used tokens replayed and refused: %ld\n",
				c.signed_ok.load(), c.replays_refused.load());
	std::printf("cross-tenant rows seen or replays accepted: %ld\n", c.leaks.load());
	std::printf("%ld passed, %ld failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
