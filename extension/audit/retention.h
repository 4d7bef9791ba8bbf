/*
 * retention.h — what tenant_guard.audit_prune() left behind
 * (docs/audit-retention.md), as verify_audit() reads it: per checkpoint the
 * seq ranges it dropped and the passes it covers, and per chain the last
 * block it covers. An absent event is "pruned by policy" only if a
 * checkpoint dropped its seq and its block is within that checkpoint's log;
 * anything else absent is missing.
 */
#pragma once

#include "common/audit_chain.h"

extern "C" {
#include "postgres.h"
}

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tg::audit {

struct CheckpointChain {
	int64 last_block_no = 0;
	Hash last_block_hash{};
	int64 last_seq = 0;
	int64 events = 0;
	int64 seen = 0; /* pruned events verify_audit() met in this chain's blocks */
};

struct Checkpoint {
	int64 checkpoint_no = 0;
	std::string before_month;
	std::string day;
	int64 last_pass = 0;
	std::string anchor; /* "time-stamped <gen_time> (serial <serial>)" or "not time-stamped" */
	std::string pruned_at;
	std::vector<std::pair<int64, int64>> ranges; /* [lower, upper), ascending */
	std::map<std::string, CheckpointChain> chains;
};

class PrunedLog {
public:
	/* Reads the checkpoint tables (through SPI); none when they do not exist. */
	void Load();
	/* The checkpoint that pruned seq, sealed in chain by pass pass_no, or nullptr: missing. */
	CheckpointChain *PrunedBy(const std::string &chain, int64 seq, int64 pass_no);
	std::vector<Checkpoint> &checkpoints() { return checkpoints_; }

private:
	std::vector<Checkpoint> checkpoints_;
};

} // namespace tg::audit
