#include "boundary/sql_args.h"

extern "C" {
#include "utils/builtins.h"
}

namespace tg {

std::string TextArg(FunctionCallInfo fcinfo, int n)
{
	const char *raw = PgCall([fcinfo, n] { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
	return raw;
}

Datum TextDatum(const std::string &value)
{
	const char *raw = value.c_str();
	return PgCall([raw] { return CStringGetTextDatum(raw); });
}

} // namespace tg
