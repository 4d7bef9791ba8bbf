// database.h — the schema of a running database (libpq) as a schema source:
// tables and their columns, row-level security (enabled, forced, the columns
// policies read) and tenant_guard's registry of protected tables.
#pragma once

#include <string>

#include "analysis/schema_model.h"

namespace tlint {

/* Adds what the database at conninfo (a URI or key=value string) knows; false with *error set. */
bool LoadDatabaseSchema(const std::string &conninfo, SchemaModel &model, std::string *error);

} // namespace tlint
