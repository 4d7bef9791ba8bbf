/*
 * anchor_log.h — the audit log as the anchoring functions see it: every
 * sealed event's row_hash in log order (pass, then chain in byte order, then
 * position in its block), the log as of the end of a UTC day (every pass
 * sealed before it), and the closed days recorded in audit_anchors.
 */
#pragma once

#include "boundary/spi.h"
#include "common/audit_chain.h"
#include "common/merkle_proof.h"

#include <optional>
#include <string>
#include <vector>

namespace tg::audit {

/* A day is a PostgreSQL DateADT: days since 2000-01-01. */
std::string DayText(int32_t day);

/*
 * day itself, or an ERROR (22008) naming the argument when it is infinite or
 * beyond timestamptz's range: the day's end is a timestamp, and day
 * arithmetic beyond it would overflow into another day.
 */
int32_t RequireDay(int32_t day, const char *argument);

struct LogLeaf {
	int64_t seq;
	int chain; /* index into Log::chains */
	Hash row_hash;
};

struct Log {
	/*
	 * The prefix not read, as the frontier of its tree, covering every pass
	 * up to base_pass; leaves holds what follows. ReadLog: the pruned prefix
	 * (docs/audit-retention.md), the frontier that the latest retention
	 * checkpoint at or before last_pass recorded (base_checkpoint), empty
	 * when nothing was pruned. RequireLogAfterClosedDay: the previous closed
	 * day's tree.
	 */
	MerkleAccumulator base;
	int64_t base_pass = 0;
	int64_t base_checkpoint = 0;
	std::vector<LogLeaf> leaves;
	std::vector<std::string> chains;
	/* A block lists an event that audit_events no longer holds: no head can be recomputed. */
	std::optional<int64_t> missing_seq;
	std::string missing_chain;
	/* The checkpoint that pruned missing_seq (0: none, it is missing). */
	int64_t missing_pruned_by = 0;

	uint64_t size() const { return base.size() + leaves.size(); }
};

/* Passes 1..last_pass in log order, from the latest checkpoint on; with chain, only that chain's events. */
Log ReadLog(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain);

/* The same, or an ERROR naming the missing event (XX001) or the checkpoint that pruned it (55000). */
Log RequireLog(SpiSession &spi, int64_t last_pass, const std::optional<std::string> &chain);

/*
 * The log as close_audit_day() extends it: the tree of the latest day closed
 * before `day` (its recorded frontier, whose root must be its recorded head),
 * else the latest checkpoint's, and the leaves of the passes after it up to
 * last_pass; the same ERRORs as RequireLog. A day's close reads only what was
 * sealed since the previous one, not the whole log again.
 */
Log RequireLogAfterClosedDay(SpiSession &spi, int32_t day, int64_t last_pass);

struct ClosedDay {
	int64_t last_pass = 0;
	int64_t tree_size = 0;
	Hash tree_head{};
	std::string frontier; /* as recorded, as HexList(peaks) gives it */
};
std::optional<ClosedDay> FindClosedDay(SpiSession &spi, int32_t day);

/* The last pass sealed before the day's end (UTC), 0 for none. */
int64_t LastPassOfDay(SpiSession &spi, int32_t day);

/* The log's extent for a day: the recorded one once closed, else what is sealed so far. */
int64_t DayExtent(SpiSession &spi, int32_t day);

MerkleAccumulator TreeOf(const Log &log, Sha256 &sha);
Hash HeadOf(const Log &log, Sha256 &sha);
/* Every leaf hash of the log, for proofs; an ERROR (55000) once a prefix was pruned. */
std::vector<Hash> LeafHashesOf(const Log &log, Sha256 &sha);

std::string HexOf(std::string_view bytes);

/* Only the anchoring functions insert into the anchor tables: they do so inside this scope. */
class AnchorWriteScope {
public:
	AnchorWriteScope();
	~AnchorWriteScope();
	AnchorWriteScope(const AnchorWriteScope &) = delete;
	AnchorWriteScope &operator=(const AnchorWriteScope &) = delete;
};
bool InAnchorWrite();

} // namespace tg::audit
