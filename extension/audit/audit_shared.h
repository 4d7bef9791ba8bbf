/*
 * audit_shared.h — what the capture trigger and the sealing workers share
 * through shared memory: one LWLock that orders sequence numbers against the
 * sealer's scan, and one slot per database that has a sealer.
 *
 * Why the lock: a writer takes its event's seq from a sequence and inserts
 * the event a moment later. A sealer that read the sequence's last value and
 * then scanned could miss an event whose seq was taken but not yet inserted.
 * Writers hold the lock in shared mode from nextval() to the index insert, so
 * they never wait for each other; the sealer takes it in exclusive mode for an
 * instant after reading the last value, which waits only for the writers that
 * are between those two steps (microseconds, never for a commit).
 */
#pragma once

extern "C" {
#include "postgres.h"
}

namespace tg::audit {

/* From _PG_init: shared memory hooks and, when preloading, the launcher. */
void InitAudit();

/* An ERROR (55000) unless the library was preloaded, so that sealers can run. */
void RequireSealing();

void BeginCapture(); /* shared lock */
void EndCapture();
/* Returns once every writer that took a seq before the call has inserted its event. */
void WaitForCaptures();

/*
 * Called by the capture trigger after its insert: starts a sealer for this
 * database when none runs. The insert comes first so that a sealer which is
 * just exiting either sees the event in its final scan or is seen gone here.
 */
void EnsureSealer();

/* Starts a sealer for db unless one runs; false when no worker slot was free. */
bool RequestSealer(Oid db);

/* In a sealer process: claim this database; false when another sealer holds it. */
bool ClaimSealerSlot(Oid db);
/* failed: the sealer ends on an error, so another must take over. */
void ReleaseSealerSlot(bool failed);

/* For the launcher: databases whose sealer failed, and forgetting a dropped one. */
int SealersToRestart(Oid *dbs, int max);
void ForgetSealer(Oid db);

/* True only in a sealer process: it alone may insert into the sealing tables. */
bool InSealer();
void MarkInSealer();

} // namespace tg::audit
