/*
 * pg_boundary.h — the one place where C++ exceptions and PostgreSQL errors meet.
 *
 * Two directions, two tools:
 *
 *   PostgreSQL -> C++: PgCall(fn, args...) runs a PostgreSQL function that may
 *   ereport(ERROR). The ERROR's longjmp lands in PG_TRY inside RunGuarded, which
 *   copies the whole ErrorData (SQLSTATE, detail, hint, context, position),
 *   flushes the error state and throws PgError. So no longjmp ever crosses a
 *   C++ frame that owns objects with destructors.
 *
 *   Where the copy lives matters: while the exception unwinds, destructors
 *   run (~SpiSession calls SPI_finish, which deletes SPI's procedure
 *   context), so the copy must not live in any context our own frames
 *   create. It goes to the "error home": the memory context that was current
 *   when PostgreSQL entered our code, which belongs to the caller and
 *   outlives the entry point. ReThrowError copies it again into ErrorContext.
 *
 *   C++ -> PostgreSQL: every callback PostgreSQL makes (SQL function, trigger,
 *   event trigger, hook, GUC check hook, transaction callback, background
 *   worker main) runs its body through InvokeCpp (TG_FUNCTION for SQL
 *   functions), which catches everything, leaves the catch handler (so the
 *   exception object is destroyed and the C++ runtime is clean), switches
 *   back to the entry's memory context and only then raises the ERROR: a
 *   PgError is re-thrown unchanged with ReThrowError, a tg::Error becomes an
 *   ereport with its SQLSTATE, detail and hint.
 *
 * Rule for the rest of the code: in a frame that owns C++ objects with
 * destructors, call PostgreSQL only through PgCall. Frames holding only
 * trivially destructible values may call PostgreSQL directly.
 *
 * Modelled on pg_duckdb's PostgresFunctionGuard (ordering: copy, leave the
 * catch, then raise) and cppgres' ffi_guard (fidelity: keep the full ErrorData).
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "utils/elog.h"
#include "utils/palloc.h"
}

#include <exception>
#include <functional>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

namespace tg {

/* An error our own C++ code raises for PostgreSQL to report. */
class Error : public std::exception {
public:
	Error(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
		: sqlstate_(sqlstate), message_(std::move(message)), detail_(std::move(detail)),
		  hint_(std::move(hint)) {}

	const char *what() const noexcept override { return message_.c_str(); }
	int sqlstate() const noexcept { return sqlstate_; }
	const std::string &message() const noexcept { return message_; }
	const std::string &detail() const noexcept { return detail_; }
	const std::string &hint() const noexcept { return hint_; }

private:
	int sqlstate_;
	std::string message_;
	std::string detail_;
	std::string hint_;
};

/*
 * A PostgreSQL ERROR caught by PgCall. The ErrorData lives in the error home
 * (see above), which outlives the exception's trip to the entry point, so
 * copies of the exception share the pointer.
 */
class PgError : public std::exception {
public:
	explicit PgError(ErrorData *edata) noexcept : edata_(edata) {}
	const char *what() const noexcept override;
	int sqlstate() const noexcept { return edata_->sqlerrcode; }
	ErrorData *error_data() const noexcept { return edata_; }

private:
	ErrorData *edata_;
};

/* Runs thunk(closure) under PG_TRY; throws PgError if it raised an ERROR. */
void RunGuarded(void (*thunk)(void *closure) noexcept, void *closure);

/*
 * For plain C frames (hooks calling the next hook): runs body(arg), then
 * cleanup(arg) whether or not body raised an ERROR, which then propagates.
 * Neither may throw C++ exceptions.
 */
void CallWithCleanup(void (*body)(void *arg), void (*cleanup)(void *arg), void *arg);

/*
 * Makes the current memory context the error home for the entry point that
 * is running, and restores the enclosing one (nested entries: a trigger
 * fired by our own SPI statement) when it ends.
 */
class ErrorHomeScope {
public:
	ErrorHomeScope() noexcept;
	~ErrorHomeScope();
	ErrorHomeScope(const ErrorHomeScope &) = delete;
	ErrorHomeScope &operator=(const ErrorHomeScope &) = delete;

private:
	MemoryContext saved_;
};

/*
 * Calls a PostgreSQL function (or a lambda that only calls PostgreSQL
 * functions) and converts its ERROR into PgError. fn must not throw C++
 * exceptions: the thunk is noexcept, so a throw would terminate rather than
 * unwind past PG_TRY and leave PG_exception_stack dangling.
 */
template <typename Fn, typename... Args>
std::invoke_result_t<Fn &, Args &...> PgCall(Fn &&fn, Args &&...args)
{
	using Result = std::invoke_result_t<Fn &, Args &...>;
	if constexpr (std::is_void_v<Result>) {
		auto call = [&]() noexcept { std::invoke(fn, args...); };
		RunGuarded([](void *c) noexcept { (*static_cast<decltype(call) *>(c))(); }, &call);
	} else {
		static_assert(std::is_trivially_copyable_v<Result>,
					  "PgCall returns PostgreSQL values (Datum, pointers, scalars) only");
		Result result{};
		auto call = [&]() noexcept { result = std::invoke(fn, args...); };
		RunGuarded([](void *c) noexcept { (*static_cast<decltype(call) *>(c))(); }, &call);
		return result;
	}
}

/* ereport at a level below ERROR (NOTICE, WARNING) from C++ code. */
void Report(int elevel, const std::string &message, const std::string &detail = {},
			const std::string &hint = {});

/*
 * What an entry point caught, held without destructors so that raising it
 * (a longjmp) cannot skip any. Long texts are cut, never lost silently: the
 * cut is marked with "...".
 */
struct CaughtError {
	ErrorData *pg_error = nullptr;
	int sqlstate = 0;
	char message[1024];
	char detail[2048];
	char hint[1024];

	void Set(int code, const char *msg, const char *det, const char *hnt) noexcept;
};

/* Raises what was caught as a PostgreSQL ERROR. Call it outside any catch. */
[[noreturn]] void RaiseCaught(const CaughtError &caught);

/* Records the exception being handled into caught. Call it inside catch (...). */
void CatchCurrentException(CaughtError &caught) noexcept;

/*
 * Runs the C++ body of any callback PostgreSQL makes. Nothing escapes: a C++
 * exception becomes a PostgreSQL ERROR raised from this frame, which owns
 * nothing with a destructor, in the memory context the callback was entered
 * with (the one current at the throw may have been deleted by unwinding).
 */
template <typename Fn, typename... Args>
std::invoke_result_t<Fn &, Args &...> InvokeCpp(Fn &&fn, Args... args) noexcept
{
	CaughtError caught;
	MemoryContext const entry_context = CurrentMemoryContext;
	try {
		ErrorHomeScope home;
		return std::invoke(fn, args...);
	} catch (...) {
		CatchCurrentException(caught);
	}
	MemoryContextSwitchTo(entry_context);
	RaiseCaught(caught);
}

} // namespace tg

/*
 * Defines a SQL-callable V1 function whose C++ body follows the macro:
 *
 *   TG_FUNCTION(tg_protect) { ... return BoolGetDatum(changed); }
 *
 * The exported symbol is the extern "C" wrapper; the body is name_impl.
 * Every SQL function, trigger and event trigger function is defined this way.
 */
#define TG_FUNCTION(name)                                                                          \
	extern "C" {                                                                                   \
	PG_FUNCTION_INFO_V1(name);                                                                     \
	}                                                                                              \
	static Datum name##_impl(FunctionCallInfo fcinfo);                                             \
	extern "C" Datum name(PG_FUNCTION_ARGS) { return tg::InvokeCpp(name##_impl, fcinfo); }        \
	static Datum name##_impl(FunctionCallInfo fcinfo)
