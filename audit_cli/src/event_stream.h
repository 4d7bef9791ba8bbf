/*
 * event_stream.h — log.tsv read, split and its events hashed on a thread of
 * its own, handed in order to the thread that checks blocks, passes and tree
 * heads: verification runs on two cores. Memory is bounded by a fixed number
 * of batches in flight, whatever the export's size.
 */
#pragma once

#include "common/audit_chain.h"
#include "log_lines.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tg::audit_cli {

/* One line of log.tsv, as the reading thread leaves it. */
struct LogItem {
	enum Kind : uint8_t { kPass, kBlock, kEvent } kind;
	/* What the event's bytes say about themselves, checked against its line and its block. */
	enum Bytes : uint8_t { kMatches, kNotCanonical, kOtherEvent } bytes = kMatches;
	/* kPass, kBlock: the line; kEvent with kOtherEvent: the chain its bytes name (in LogBatch::text). */
	uint32_t text_offset = 0, text_length = 0;
	int64_t listed_seq = 0, bytes_seq = 0;
	audit::Hash row_hash;
};

struct LogBatch {
	std::string text;
	std::vector<LogItem> items;
	std::exception_ptr error; /* the reader stopped here: malformed input or I/O */
	bool last = false;

	std::string_view Text(const LogItem &item) const
	{
		return std::string_view(text).substr(item.text_offset, item.text_length);
	}
};

class EventStream {
public:
	/* Starts reading path on a thread; throws when it cannot be opened. */
	explicit EventStream(const std::string &path);
	/* Stops the reader (it may be waiting for a free batch) and joins it. */
	~EventStream();
	EventStream(const EventStream &) = delete;
	EventStream &operator=(const EventStream &) = delete;

	/* The next batch in file order; rethrows the reader's error after the items before it. */
	const LogBatch &Next();

private:
	void Read(std::unique_ptr<LineReader> in);
	std::unique_ptr<LogBatch> TakeFree();
	void Publish(std::unique_ptr<LogBatch> batch);

	std::mutex mutex_;
	std::condition_variable changed_;
	std::deque<std::unique_ptr<LogBatch>> full_, free_;
	std::unique_ptr<LogBatch> current_; /* the batch the caller holds */
	bool stop_ = false;
	std::thread reader_;
};

} // namespace tg::audit_cli
