/*
 * event_partition.h — the monthly partitions of tenant_guard.audit_events
 * (docs/audit-retention.md) as the C++ code that bypasses SQL sees them: the
 * capture trigger picks the leaf an event goes to, the sealer and
 * verify_audit() scan every leaf (a partitioned table has no heap or index
 * of its own).
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "nodes/pg_list.h"
#include "storage/lockdefs.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"
}

namespace tg::audit {

/*
 * The leaf partition of events (opened and locked by the caller) that holds
 * an event that occurred at `at`; an ERROR (55000) when none does. The month
 * found is cached per backend, and forgotten when the relcache entry of
 * audit_events or of that leaf is invalidated (ATTACH, DETACH, DROP), so a
 * row costs two comparisons.
 */
Oid EventPartition(Relation events, TimestampTz at);

/* The OIDs of every leaf partition of audit_events, each locked in lockmode. */
List *EventLeaves(Oid events, LOCKMODE lockmode);

} // namespace tg::audit
