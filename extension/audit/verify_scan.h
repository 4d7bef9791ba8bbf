/*
 * verify_scan.h — verify_audit()'s first stage: every event read once, its
 * row_hash recomputed from its columns and its Merkle leaf hash computed.
 * This is the per-event work (the jsonb text, the canonical encoding, two
 * SHA-256), independent from one event to the next, so PostgreSQL's parallel
 * workers share it with the calling process: a parallel scan of the table
 * under the calling statement's snapshot, as PostgreSQL's own parallel index
 * builds do. Each event comes back as a few fixed fields; the links between
 * events, blocks and passes are checked afterwards over those (verify.cpp).
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "datatype/timestamp.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"
}

#include "common/audit_chain.h"

#include <functional>
#include <string_view>

namespace tg::audit {

/* What verification needs of one event once its own hash is checked. */
struct ScannedEvent {
	int64 seq;
	int64 txid;
	TimestampTz occurred_at;
	int32 ordinal;
	bool hash_ok;            /* the columns hash to the stored row_hash (format known) */
	Hash leaf;               /* LeafHash of the stored row_hash (of 32 zero bytes if malformed) */
	std::string_view chain_id; /* valid only during the call */
};

/*
 * Calls sink(event) for every row of relid visible to the active snapshot, in
 * no particular order, with up to max_parallel_workers_per_gather workers
 * (fewer for a small table, none when none can start). Read-only: it runs
 * on a hot standby too.
 */
void ScanEvents(Oid relid, const std::function<void(const ScannedEvent &)> &sink);

} // namespace tg::audit

extern "C" {
/* Entry point of the parallel workers (CreateParallelContext finds it by name). */
PGDLLEXPORT void tg_verify_scan_worker(dsm_segment *seg, shm_toc *toc);
}
