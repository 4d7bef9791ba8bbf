/*
 * capture_triggers.h — the two triggers audit() puts on an audited table's
 * relations (docs/functions/audit.md): tenant_guard_audit (row changes; on a
 * partitioned table PostgreSQL clones it to every partition) and
 * tenant_guard_audit_truncate (per relation, so each partition needs its
 * own), their arguments, and adding or removing the TRUNCATE one when
 * partitions arrive or leave. Statements run through the caller's SPI
 * session; DDL is tenant_guard's own (the caller opens InternalDdlScope).
 */
#pragma once

#include "boundary/spi.h"

extern "C" {
#include "postgres.h"
#include "nodes/nodes.h"
}

#include <string>
#include <vector>

namespace tg::audit {

/* The capture function's arguments, as SQL literals: chain, tenant column ('' for none), excluded columns. */
std::string TriggerArguments(const std::string &chain, const std::string &tenant_column,
							 const std::vector<std::string> &excluded);

/* The TRUNCATE trigger on one relation, with the audited table's arguments (not yet ALWAYS). */
void CreateTruncateTrigger(SpiSession &spi, Oid relid, const std::string &args);

/* Drops both capture triggers audit() made (by name, not clones) from each relation. */
void DropTriggers(SpiSession &spi, const std::vector<Oid> &relations);

/*
 * Every partition of an audited table that has no TRUNCATE capture trigger
 * gets one, with the arguments its audited table's registration gives, enabled
 * ALWAYS; as the extension owner and as tenant_guard's own DDL. With `only`,
 * just those of these relations (an ATTACH's: it must not lock partitions of
 * other trees while it holds its own locks), and a relation whose trigger name
 * another trigger took is an ERROR (42710); without, it is skipped.
 */
void AddMissingTruncateTriggers(SpiSession &spi, const std::vector<Oid> *only = nullptr);

/*
 * The relations a statement brings into a partition tree: the partition that
 * CREATE TABLE ... PARTITION OF makes, or the one an ATTACH PARTITION names,
 * with its own partitions. Only those need the TRUNCATE trigger repaired: a
 * repair of every tree at every ALTER TABLE made unrelated DDL wait for other
 * trees' locks, and made a restore from pg_dump fail (its own CREATE TRIGGER
 * found the repair's already there).
 */
std::vector<Oid> ArrivingPartitions(Node *stmt);

/*
 * Drops the TRUNCATE capture triggers (found by what they call, whatever
 * their name) of a relation that left its audited table, as the extension
 * owner: there they would refuse every TRUNCATE.
 */
void DropTruncateTriggers(SpiSession &spi, Oid relid);

} // namespace tg::audit
