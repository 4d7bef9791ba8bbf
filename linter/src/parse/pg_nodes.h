// pg_nodes.h — PostgreSQL's parse-tree definitions, for the files that walk
// raw parse trees from libpg_query. Include it after every standard header:
// PostgreSQL's port.h redefines printf and friends as macros.
//
// libpg_query 15 is built from PostgreSQL 15 sources; the node structs of a
// major version do not change in minor releases, so the headers of
// postgresql-server-dev-15 describe its trees exactly.
#pragma once

extern "C" {
#include "postgres.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
#include <pg_query.h>
#include <pg_query/pg_query_internal.h>
}

/* port.h turns these into pg_* calls; the linter's own code means the C library's. */
#undef printf
#undef fprintf
#undef sprintf
#undef snprintf
#undef vsnprintf
#undef vfprintf
#undef vsprintf
#undef vprintf
#undef strerror
#undef gettext
#undef dgettext
#undef ngettext
#undef dngettext
#undef Min
#undef Max
