#include "event_stream.h"

#include "hex.h"

#include <stdexcept>

namespace tg::audit_cli {

namespace {

/* Items per batch, and batches in flight: about 8 MB at most, enough to keep both threads busy. */
constexpr size_t kBatchItems = 8192;
constexpr int kBatches = 4;

/* The reader's side of one line: events decoded and hashed, pass and block lines kept for the checker. */
class LineHasher {
public:
	/* Appends line's item to batch; throws on a line the checker could not read either. */
	void Add(std::string_view line, LogBatch &batch)
	{
		switch (line[0]) {
		case 'E':
			AddEvent(line, batch);
			break;
		case 'B':
			/* The chain the following events must name; a malformed one fails in the checker first. */
			chain_.clear();
			if (Fields const f(line); f.size() < 2 || !DecodeHex(f[1], chain_))
				chain_.clear();
			in_block_ = true;
			AddText(LogItem::kBlock, line, batch);
			break;
		case 'P':
			in_block_ = false;
			AddText(LogItem::kPass, line, batch);
			break;
		default:
			throw std::runtime_error("log.tsv: unknown line type");
		}
	}

private:
	static void AddText(LogItem::Kind kind, std::string_view text, LogBatch &batch)
	{
		LogItem &item = batch.items.emplace_back();
		item.kind = kind;
		item.text_offset = static_cast<uint32_t>(batch.text.size());
		item.text_length = static_cast<uint32_t>(text.size());
		batch.text.append(text);
	}

	void AddEvent(std::string_view line, LogBatch &batch)
	{
		Fields const f(line);
		if (f.size() != 3 || !in_block_)
			throw std::runtime_error("log.tsv: malformed event line");
		bytes_.clear();
		if (!DecodeHex(f[2], bytes_))
			throw std::runtime_error("log.tsv: malformed event bytes");
		int64_t const listed = ParseInt(f[1]);
		std::string_view chain;
		int64_t seq = 0;
		LogItem::Bytes verdict = LogItem::kMatches;
		if (!ReadChainAndSeq(bytes_, chain, seq))
			verdict = LogItem::kNotCanonical;
		else if (seq != listed || chain != chain_)
			verdict = LogItem::kOtherEvent;
		if (verdict == LogItem::kOtherEvent)
			AddText(LogItem::kEvent, chain, batch);
		else
			batch.items.emplace_back().kind = LogItem::kEvent;
		LogItem &item = batch.items.back();
		item.bytes = verdict;
		item.listed_seq = listed;
		item.bytes_seq = seq;
		item.row_hash = sha_.Of(bytes_);
	}

	audit::Sha256 sha_;
	std::string bytes_, chain_;
	bool in_block_ = false;
};

} // namespace

EventStream::EventStream(const std::string &path)
{
	auto in = std::make_unique<LineReader>(path);
	if (!in->ok())
		throw std::runtime_error("cannot read " + path);
	for (int i = 0; i < kBatches; i++) {
		free_.push_back(std::make_unique<LogBatch>());
		free_.back()->items.reserve(kBatchItems);
	}
	reader_ = std::thread(&EventStream::Read, this, std::move(in));
}

EventStream::~EventStream()
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		stop_ = true;
	}
	changed_.notify_all();
	reader_.join();
}

std::unique_ptr<LogBatch> EventStream::TakeFree()
{
	std::unique_lock<std::mutex> lock(mutex_);
	changed_.wait(lock, [this] { return stop_ || !free_.empty(); });
	if (stop_)
		return nullptr;
	std::unique_ptr<LogBatch> batch = std::move(free_.front());
	free_.pop_front();
	batch->text.clear();
	batch->items.clear();
	batch->error = nullptr;
	batch->last = false;
	return batch;
}

void EventStream::Publish(std::unique_ptr<LogBatch> batch)
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		full_.push_back(std::move(batch));
	}
	changed_.notify_all();
}

void EventStream::Read(std::unique_ptr<LineReader> in)
{
	LineHasher hasher;
	std::unique_ptr<LogBatch> batch = TakeFree();
	std::string_view line;
	while (batch) {
		bool more = true;
		try {
			while (batch->items.size() < kBatchItems && (more = in->Next(line)))
				if (!line.empty() && line[0] != '#')
					hasher.Add(line, *batch);
		} catch (...) {
			batch->error = std::current_exception();
			more = false;
		}
		batch->last = !more;
		Publish(std::move(batch));
		if (!more)
			return;
		batch = TakeFree();
	}
}

const LogBatch &EventStream::Next()
{
	std::unique_lock<std::mutex> lock(mutex_);
	if (current_) {
		if (current_->last)
			throw std::logic_error("EventStream::Next after the last batch");
		free_.push_back(std::move(current_));
		changed_.notify_all();
	}
	changed_.wait(lock, [this] { return !full_.empty(); });
	current_ = std::move(full_.front());
	full_.pop_front();
	return *current_;
}

} // namespace tg::audit_cli
