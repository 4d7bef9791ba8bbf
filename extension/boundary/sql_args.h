/*
 * sql_args.h — text in and out of SQL-callable functions, through PgCall:
 * detoasting an argument and building a text result can both raise an
 * ERROR, and the frames that call these own C++ objects.
 */
#pragma once

#include "boundary/pg_boundary.h"

#include <string>

namespace tg {

/* Argument n as text (the caller checks PG_ARGISNULL first). */
std::string TextArg(FunctionCallInfo fcinfo, int n);

/* A text Datum in the current memory context, for returning to PostgreSQL. */
Datum TextDatum(const std::string &value);

} // namespace tg
