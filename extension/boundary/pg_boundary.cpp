/*
 * pg_boundary.cpp — the mechanics behind pg_boundary.h. PG_TRY lives here and
 * nowhere else, so no other frame mixes setjmp with C++ objects.
 */
#include "boundary/pg_boundary.h"

extern "C" {
#include "utils/memutils.h"
}

#include <cstdio>
#include <cstring>

namespace tg {

const char *PgError::what() const noexcept
{
	return edata_->message != nullptr ? edata_->message : "PostgreSQL error";
}

/* The entry point's memory context, where caught errors are kept (nullptr: no entry yet). */
static MemoryContext error_home = nullptr;

ErrorHomeScope::ErrorHomeScope() noexcept : saved_(error_home) { error_home = CurrentMemoryContext; }
ErrorHomeScope::~ErrorHomeScope() { error_home = saved_; }

void RunGuarded(void (*thunk)(void *closure) noexcept, void *closure)
{
	MemoryContext const caller_context = CurrentMemoryContext;
	/*
	 * The home of the entry point that is calling. A nested entry point whose
	 * ERROR escaped without its destructors (a direct PostgreSQL call inside
	 * InvokeCpp) cannot have restored it, so it is taken back here.
	 */
	MemoryContext const home = error_home;
	ErrorData *volatile edata = nullptr;

	PG_TRY();
	{
		thunk(closure);
	}
	PG_CATCH();
	{
		/*
		 * Not ErrorContext, which FlushErrorState resets, and not the caller's
		 * context, which unwinding may delete (SPI's procedure context).
		 */
		error_home = home;
		MemoryContextSwitchTo(home != nullptr ? home : caller_context);
		edata = CopyErrorData();
		FlushErrorState();
		MemoryContextSwitchTo(caller_context);
	}
	PG_END_TRY();

	/* Thrown only now that PG_exception_stack is restored. */
	if (edata != nullptr)
		throw PgError(edata);
}

void CallWithCleanup(void (*body)(void *arg), void (*cleanup)(void *arg), void *arg)
{
	PG_TRY();
	{
		body(arg);
	}
	PG_FINALLY();
	{
		cleanup(arg);
	}
	PG_END_TRY();
}

void Report(int elevel, const std::string &message, const std::string &detail,
			const std::string &hint)
{
	Assert(elevel < ERROR);
	const char *msg = message.c_str();
	const char *det = detail.empty() ? nullptr : detail.c_str();
	const char *hnt = hint.empty() ? nullptr : hint.c_str();
	PgCall([=] {
		ereport(elevel, (errmsg_internal("%s", msg), det ? errdetail_internal("%s", det) : 0,
						 hnt ? errhint("%s", hnt) : 0));
	});
}

static void CopyText(char *dst, size_t size, const char *src) noexcept
{
	if (src == nullptr) {
		dst[0] = '\0';
		return;
	}
	size_t const len = strlen(src);
	if (len < size) {
		memcpy(dst, src, len + 1);
		return;
	}
	memcpy(dst, src, size - 4);
	memcpy(dst + size - 4, "...", 4);
}

void CaughtError::Set(int code, const char *msg, const char *det, const char *hnt) noexcept
{
	sqlstate = code;
	CopyText(message, sizeof(message), msg);
	CopyText(detail, sizeof(detail), det);
	CopyText(hint, sizeof(hint), hnt);
}

void CatchCurrentException(CaughtError &caught) noexcept
{
	try {
		throw;
	} catch (const PgError &e) {
		caught.pg_error = e.error_data();
	} catch (const Error &e) {
		caught.Set(e.sqlstate(), e.message().c_str(), e.detail().c_str(), e.hint().c_str());
	} catch (const std::bad_alloc &) {
		caught.Set(ERRCODE_OUT_OF_MEMORY, "out of memory", "A C++ allocation failed.", nullptr);
	} catch (const std::exception &e) {
		caught.Set(ERRCODE_INTERNAL_ERROR, e.what(), "Raised as a C++ exception in tenant_guard.",
				   nullptr);
	} catch (...) {
		caught.Set(ERRCODE_INTERNAL_ERROR, "unexpected C++ exception in tenant_guard", nullptr,
				   nullptr);
	}
}

void RaiseCaught(const CaughtError &caught)
{
	if (caught.pg_error != nullptr)
		ReThrowError(caught.pg_error); /* keeps every field, SQLSTATE included */

	ereport(ERROR, (errcode(caught.sqlstate), errmsg_internal("%s", caught.message),
					caught.detail[0] ? errdetail_internal("%s", caught.detail) : 0,
					caught.hint[0] ? errhint("%s", caught.hint) : 0));
	pg_unreachable();
}

} // namespace tg
