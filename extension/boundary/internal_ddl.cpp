#include "boundary/internal_ddl.h"

namespace tg {

/*
 * An ERROR inside a scope unwinds it through the C++ destructor (PgCall turns
 * the longjmp into an exception), so the counter never stays raised.
 */
static int internal_ddl_depth = 0;

bool InternalDdlActive() { return internal_ddl_depth > 0; }
InternalDdlScope::InternalDdlScope() { internal_ddl_depth++; }
InternalDdlScope::~InternalDdlScope() { internal_ddl_depth--; }

} // namespace tg
