/*
 * token_ledger.cpp — the single-use ledger of signed tenant tokens: a
 * fixed-size shared hash table keyed by the token's MAC, guarded by one
 * LWLock. Sized by tenant_guard.token_ledger_size; expired entries are swept
 * when it is full, and if it is still full set_tenant() fails closed.
 */
#include "tenant/token_ledger.h"

#include "boundary/pg_boundary.h"
#include "guc.h"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/hsearch.h"
}

#include <cstring>

namespace tg {

namespace {

constexpr size_t kMacBytes = 32;
constexpr const char *kTranche = "tenant_guard token ledger";

struct LedgerEntry {
	unsigned char mac[kMacBytes]; /* hash key */
	int64 expires;
	int pid; /* the backend that consumed the token */
};

struct LedgerHeader {
	LWLock *lock;
};

LedgerHeader *header = nullptr;
HTAB *table = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

Size LedgerBytes()
{
	return add_size(MAXALIGN(sizeof(LedgerHeader)),
					hash_estimate_size(tg_token_ledger_size, sizeof(LedgerEntry)));
}

void RequestShmem()
{
	Size const bytes = LedgerBytes();
	PgCall([bytes] {
		if (previous_request_hook != nullptr)
			previous_request_hook();
		RequestAddinShmemSpace(bytes);
		RequestNamedLWLockTranche(kTranche, 1);
	});
}

void StartupShmem()
{
	PgCall([] {
		if (previous_startup_hook != nullptr)
			previous_startup_hook();
		LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
		bool found = false;
		header = static_cast<LedgerHeader *>(
			ShmemInitStruct("tenant_guard token ledger header", sizeof(LedgerHeader), &found));
		if (!found)
			header->lock = &(GetNamedLWLockTranche(kTranche))->lock;
		HASHCTL info;
		memset(&info, 0, sizeof(info));
		info.keysize = kMacBytes;
		info.entrysize = sizeof(LedgerEntry);
		/* init_size = max_size: every entry is allocated now, none later. */
		table = ShmemInitHash("tenant_guard token ledger", tg_token_ledger_size,
							  tg_token_ledger_size, &info, HASH_ELEM | HASH_BLOBS);
		LWLockRelease(AddinShmemInitLock);
	});
}

extern "C" void TokenLedgerShmemRequest(void) { InvokeCpp(RequestShmem); }
extern "C" void TokenLedgerShmemStartup(void) { InvokeCpp(StartupShmem); }

enum class Outcome { Recorded, Replayed, Full };

struct Attempt {
	unsigned char mac[kMacBytes];
	int64 expires;
	int64 now;
	int first_pid; /* out, when Replayed */
};

/* Under the lock; only PostgreSQL calls and trivially destructible locals (run via PgCall). */
Outcome RecordUnderLock(Attempt *attempt)
{
	LWLockAcquire(header->lock, LW_EXCLUSIVE);
	bool found = false;
	auto *entry = static_cast<LedgerEntry *>(hash_search(table, attempt->mac, HASH_FIND, &found));
	if (entry != nullptr && entry->expires > attempt->now) {
		attempt->first_pid = entry->pid;
		LWLockRelease(header->lock);
		return Outcome::Replayed;
	}
	if (entry == nullptr && hash_get_num_entries(table) >= tg_token_ledger_size) {
		/* Full: forget the tokens that have expired (they are refused as expired anyway). */
		HASH_SEQ_STATUS scan;
		hash_seq_init(&scan, table);
		while (auto *e = static_cast<LedgerEntry *>(hash_seq_search(&scan)))
			if (e->expires <= attempt->now)
				hash_search(table, e->mac, HASH_REMOVE, nullptr);
		if (hash_get_num_entries(table) >= tg_token_ledger_size) {
			LWLockRelease(header->lock);
			return Outcome::Full;
		}
	}
	if (entry == nullptr)
		entry = static_cast<LedgerEntry *>(hash_search(table, attempt->mac, HASH_ENTER_NULL, &found));
	if (entry == nullptr) {
		LWLockRelease(header->lock);
		return Outcome::Full;
	}
	entry->expires = attempt->expires;
	entry->pid = MyProcPid;
	LWLockRelease(header->lock);
	return Outcome::Recorded;
}

} // namespace

void InitTokenLedger()
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	previous_request_hook = shmem_request_hook;
	shmem_request_hook = TokenLedgerShmemRequest;
	previous_startup_hook = shmem_startup_hook;
	shmem_startup_hook = TokenLedgerShmemStartup;
}

void ConsumeToken(const std::string &mac, int64_t expires, int64_t now)
{
	if (header == nullptr || table == nullptr)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"the tenant token ledger is not available",
					"Signed tenant tokens are single use, and the ledger that remembers used "
					"tokens lives in shared memory set up at server start.",
					"Add tenant_guard to shared_preload_libraries and restart the server.");
	if (mac.size() != kMacBytes)
		throw Error(ERRCODE_INTERNAL_ERROR,
					"tenant token MAC has " + std::to_string(mac.size()) + " bytes, not 32",
					"Verified tokens carry an HMAC-SHA256, which has 32 bytes; the ledger remembers "
					"used tokens by it.",
					"This is a bug in tenant_guard; please report it with the statement that failed.");
	Attempt attempt;
	memcpy(attempt.mac, mac.data(), kMacBytes);
	attempt.expires = expires;
	attempt.now = now;
	attempt.first_pid = 0;
	Outcome const outcome = PgCall(RecordUnderLock, &attempt);
	if (outcome == Outcome::Replayed)
		throw Error(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
					"tenant token has already been used",
					"Each token sets a tenant once; backend process " +
						std::to_string(attempt.first_pid) +
						" presented it first. A token seen by anyone else (for example in "
						"pg_stat_activity.query) is refused.",
					"Mint one token per transaction and pass it as a bind parameter: "
					"SELECT tenant_guard.set_tenant($1).");
	if (outcome == Outcome::Full)
		throw Error(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED, "the tenant token ledger is full",
					"It holds " + std::to_string(tg_token_ledger_size) +
						" used tokens that have not expired yet; no tenant was set.",
					"Raise tenant_guard.token_ledger_size (needs a restart) or mint tokens with "
					"shorter lifetimes (tenant_guard.token_max_lifetime).");
}

} // namespace tg
