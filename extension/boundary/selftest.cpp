/*
 * selftest.cpp — tenant_guard._boundary_selftest(mode): forces errors through
 * pg_boundary.h in both directions so the regression suite can prove that
 * SQLSTATE, detail and hint survive and that C++ destructors run. Internal:
 * EXECUTE is revoked from PUBLIC.
 */
#include "boundary/pg_boundary.h"
#include "boundary/sql_args.h"
#include "boundary/spi.h"

extern "C" {
#include "utils/builtins.h"
#include "utils/memutils.h"
}

#include <cstdlib>
#include <cstring>

#include <stdexcept>
#include <string>

namespace tg {

/* Counts destructor runs, so a test can see that unwinding happened. */
static int64 destructors_run = 0;

struct DestructorProbe {
	std::string payload = std::string(64, 'x'); /* owns heap memory, like real code */
	~DestructorProbe() { destructors_run++; }
};

/* Allocates and fills memory, so that freed blocks are handed out and overwritten. */
static void ScribbleOverFreedMemory()
{
	MemoryContext scratch = PgCall([] {
		return AllocSetContextCreate(CurrentMemoryContext, "selftest scratch", ALLOCSET_DEFAULT_SIZES);
	});
	/* Small chunks: they are carved from the recycled context's own blocks. */
	for (int i = 0; i < 1024; i++) {
		void *chunk = PgCall(MemoryContextAlloc, scratch, static_cast<Size>(48));
		memset(chunk, 0x7f, 48);
	}
	PgCall(MemoryContextDelete, scratch);
	for (int i = 0; i < 64; i++) {
		void *raw = malloc(8192);
		if (raw != nullptr)
			memset(raw, 0x7f, 8192);
		free(raw);
	}
}

static std::string RunSelftest(const std::string &mode)
{
	if (mode == "destructors")
		return std::to_string(destructors_run);
	DestructorProbe probe;
	if (mode == "pg-error") {
		/* PostgreSQL -> C++ -> PostgreSQL: int4in raises 22P02 inside PgCall. */
		PgCall(DirectFunctionCall1Coll, int4in, InvalidOid, CStringGetDatum("not a number"));
	} else if (mode == "spi-error") {
		SpiSession spi;
		spi.Execute("SELECT 1 / 0");
	} else if (mode == "spi-error-reuse") {
		/*
		 * The error outlives ~SpiSession (SPI_finish deletes SPI's contexts)
		 * and the memory freed with them being reused, as on any busy server.
		 */
		try {
			SpiSession spi;
			spi.Execute("SELECT 1 / 0");
		} catch (const PgError &) {
			ScribbleOverFreedMemory();
			throw;
		}
	} else if (mode == "cpp-error") {
		throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "selftest error raised in C++",
					"Detail travels with the error.", "Hints travel too.");
	} else if (mode == "std-exception") {
		throw std::runtime_error("selftest std::runtime_error");
	} else if (mode == "bad-alloc") {
		throw std::bad_alloc();
	} else if (mode == "recover") {
		/*
		 * A caught PgError may be inspected and dropped, but in general nothing
		 * else may run after it unless a subtransaction is rolled back (the
		 * ERROR may have left locks, buffers or SPI state behind). int4in
		 * leaves nothing, which is why this probe may return normally.
		 */
		try {
			PgCall(DirectFunctionCall1Coll, int4in, InvalidOid, CStringGetDatum("12x"));
		} catch (const PgError &e) {
			char code[6];
			const char *raw = PgCall(unpack_sql_state, e.sqlstate());
			memcpy(code, raw, sizeof(code));
			return std::string("recovered from SQLSTATE ") + code;
		}
	} else {
		throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "unknown selftest mode \"" + mode + "\"",
					"The mode names the boundary path the self-test exercises.",
					"Use pg-error, spi-error, spi-error-reuse, cpp-error, std-exception, bad-alloc, recover or "
					"destructors.");
	}
	return "no error";
}

} // namespace tg

TG_FUNCTION(tg_boundary_selftest)
{
	return tg::TextDatum(tg::RunSelftest(tg::TextArg(fcinfo, 0)));
}
