/*
 * citus_presence.h — whether this database is part of a Citus cluster, for
 * the few messages that need another recipe there (see docs/scale-out.md).
 * The policy generator's Citus knowledge is in policy/citus.h.
 */
#pragma once

namespace tg {

/* The citus extension exists in the current database (coordinator or worker). */
bool CitusInstalledHere();

} // namespace tg
