#include "audit/audit_shared.h"
#include "audit/membership_events.h"
#include "boundary/pg_boundary.h"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/timestamp.h"

void tg_audit_sealer_main(Datum arg);
void tg_audit_launcher_main(Datum arg);
}

#include <cerrno>
#include <csignal>
#include <cstdio>

namespace tg::audit {

namespace {

constexpr const char *kTranche = "tenant_guard_audit";
/* Databases with a running sealer at the same time; max_worker_processes bounds it anyway. */
constexpr int kSlots = 64;
/* A slot reserved for a worker that never started is reused after this long. */
constexpr int kStartTimeoutMs = 10000;

struct SealerSlot {
	Oid db;
	pid_t pid; /* 0 while the requested worker starts */
	TimestampTz requested_at;
	bool restart; /* its sealer failed: start another (the launcher checks the database exists) */
};

struct AuditShared {
	slock_t mutex;
	SealerSlot slots[kSlots];
};

AuditShared *shared = nullptr;
LWLock *capture_lock = nullptr;
bool in_sealer = false;
int my_slot = -1;

shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

void RequestShmem()
{
	PgCall([] {
		if (prev_shmem_request_hook)
			prev_shmem_request_hook();
		RequestAddinShmemSpace(MAXALIGN(sizeof(AuditShared)));
		RequestNamedLWLockTranche(kTranche, 1);
	});
}

void StartupShmem()
{
	PgCall([] {
		if (prev_shmem_startup_hook)
			prev_shmem_startup_hook();
		LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
		bool found = false;
		shared = static_cast<AuditShared *>(ShmemInitStruct(kTranche, sizeof(AuditShared), &found));
		if (!found) {
			SpinLockInit(&shared->mutex);
			for (SealerSlot &s : shared->slots)
				s = SealerSlot{InvalidOid, 0, 0, false};
		}
		capture_lock = &GetNamedLWLockTranche(kTranche)[0].lock;
		LWLockRelease(AddinShmemInitLock);
	});
}

/* The hooks PostgreSQL calls enter C++ through InvokeCpp, as every entry point does. */
extern "C" void AuditShmemRequest(void) { InvokeCpp(RequestShmem); }
extern "C" void AuditShmemStartup(void) { InvokeCpp(StartupShmem); }

bool SlotStale(const SealerSlot &s, TimestampTz now)
{
	if (s.restart)
		return true;
	if (s.pid != 0)
		return kill(s.pid, 0) != 0 && errno == ESRCH;
	return TimestampDifferenceExceeds(s.requested_at, now, kStartTimeoutMs);
}

void RegisterLauncher()
{
	BackgroundWorker worker = {};
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* Never on a standby: sealing writes, and the standby replays the primary's blocks. */
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "tenant_guard");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "tg_audit_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "tenant_guard audit launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "tenant_guard audit launcher");
	RegisterBackgroundWorker(&worker);
}

} // namespace

void InitAudit()
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = AuditShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = AuditShmemStartup;
	RegisterLauncher();
	InitMembershipEvents();
}

static void RequireShmem()
{
	if (shared == nullptr)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the tenant_guard audit trail needs the library in shared_preload_libraries"),
				 errdetail("Events are sealed by a background worker that only a preloaded "
						   "library can start."),
				 errhint("Add tenant_guard to shared_preload_libraries in postgresql.conf and "
						 "restart the server.")));
}

void RequireSealing() { RequireShmem(); }

void BeginCapture()
{
	RequireShmem();
	LWLockAcquire(capture_lock, LW_SHARED);
}

void EndCapture() { LWLockRelease(capture_lock); }

void WaitForCaptures()
{
	LWLockAcquire(capture_lock, LW_EXCLUSIVE);
	LWLockRelease(capture_lock);
}

bool RequestSealer(Oid db)
{
	RequireShmem();
	TimestampTz const now = GetCurrentTimestamp();
	int free_slot = -1;
	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < kSlots; i++) {
		SealerSlot &s = shared->slots[i];
		if (s.db == db && !SlotStale(s, now)) {
			SpinLockRelease(&shared->mutex);
			return true;
		}
		if (s.db == db || (free_slot < 0 && (s.db == InvalidOid || SlotStale(s, now))))
			free_slot = i;
	}
	if (free_slot < 0) {
		SpinLockRelease(&shared->mutex);
		return false;
	}
	shared->slots[free_slot] = SealerSlot{db, 0, now, false};
	SpinLockRelease(&shared->mutex);

	BackgroundWorker worker = {};
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	/*
	 * Not restarted by the postmaster: after DROP DATABASE it would fail to
	 * connect forever. A failed sealer flags its slot instead, and the next
	 * writer or the launcher starts another, which resumes from the disk.
	 */
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	worker.bgw_main_arg = ObjectIdGetDatum(db);
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "tenant_guard");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "tg_audit_sealer_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "tenant_guard audit sealer for database %u", db);
	snprintf(worker.bgw_type, BGW_MAXLEN, "tenant_guard audit sealer");
	if (RegisterDynamicBackgroundWorker(&worker, nullptr))
		return true;
	SpinLockAcquire(&shared->mutex);
	if (shared->slots[free_slot].db == db && shared->slots[free_slot].pid == 0)
		shared->slots[free_slot].db = InvalidOid;
	SpinLockRelease(&shared->mutex);
	return false;
}

void EnsureSealer()
{
	RequireShmem();
	/* Pairs with the barrier in ReleaseSealerSlot (see the header). */
	pg_memory_barrier();
	for (const SealerSlot &s : shared->slots)
		if (s.db == MyDatabaseId && !s.restart)
			return;
	static TimestampTz last_warning = 0;
	if (!RequestSealer(MyDatabaseId)) {
		TimestampTz const now = GetCurrentTimestamp();
		if (TimestampDifferenceExceeds(last_warning, now, 60000)) {
			last_warning = now;
			ereport(WARNING,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("no background worker slot is free for the tenant_guard audit sealer"),
					 errdetail("Audit events are recorded, but they are not sealed until a "
							   "sealer can start."),
					 errhint("Raise max_worker_processes.")));
		}
	}
}

bool ClaimSealerSlot(Oid db)
{
	TimestampTz const now = GetCurrentTimestamp();
	int mine = -1;
	int free_slot = -1;
	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < kSlots; i++) {
		SealerSlot &s = shared->slots[i];
		if (s.db == db) {
			if (s.pid != 0 && s.pid != MyProcPid && !SlotStale(s, now)) {
				SpinLockRelease(&shared->mutex);
				return false;
			}
			mine = i;
			break;
		}
		if (free_slot < 0 && (s.db == InvalidOid || SlotStale(s, now)))
			free_slot = i;
	}
	if (mine < 0)
		mine = free_slot;
	if (mine >= 0)
		shared->slots[mine] = SealerSlot{db, MyProcPid, now, false};
	SpinLockRelease(&shared->mutex);
	my_slot = mine;
	return mine >= 0;
}

void ReleaseSealerSlot(bool failed)
{
	if (my_slot < 0 || shared == nullptr)
		return;
	SpinLockAcquire(&shared->mutex);
	SealerSlot &s = shared->slots[my_slot];
	if (s.pid == MyProcPid)
		s = failed ? SealerSlot{s.db, 0, 0, true} : SealerSlot{InvalidOid, 0, 0, false};
	SpinLockRelease(&shared->mutex);
	my_slot = -1;
	pg_memory_barrier();
}

int SealersToRestart(Oid *dbs, int max)
{
	if (shared == nullptr)
		return 0;
	int n = 0;
	SpinLockAcquire(&shared->mutex);
	for (const SealerSlot &s : shared->slots)
		if (s.restart && n < max)
			dbs[n++] = s.db;
	SpinLockRelease(&shared->mutex);
	return n;
}

void ForgetSealer(Oid db)
{
	SpinLockAcquire(&shared->mutex);
	for (SealerSlot &s : shared->slots)
		if (s.db == db && s.restart)
			s = SealerSlot{InvalidOid, 0, 0, false};
	SpinLockRelease(&shared->mutex);
}

bool InSealer() { return in_sealer; }
void MarkInSealer() { in_sealer = true; }

} // namespace tg::audit
