#include "lint/parallel.h"

#include <pthread.h>

#include <vector>

namespace tlint {

namespace {

constexpr size_t kStackBytes = 64u << 20;

struct Shared {
	std::atomic<size_t> next{0};
	size_t count = 0;
	const std::function<void(size_t)> *work = nullptr;
};

void *Worker(void *raw)
{
	auto *shared = static_cast<Shared *>(raw);
	for (size_t i = shared->next++; i < shared->count; i = shared->next++)
		(*shared->work)(i);
	return nullptr;
}

} // namespace

void ParallelFor(size_t count, unsigned threads, const std::function<void(size_t)> &work)
{
	Shared shared;
	shared.count = count;
	shared.work = &work;
	if (threads <= 1 || count <= 1) {
		Worker(&shared);
		return;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, kStackBytes);
	std::vector<pthread_t> ids;
	for (unsigned t = 0; t < threads && t < count; t++) {
		pthread_t id;
		if (pthread_create(&id, &attr, Worker, &shared) == 0)
			ids.push_back(id);
	}
	pthread_attr_destroy(&attr);
	if (ids.empty())
		Worker(&shared); /* no thread could start: do the work here */
	for (pthread_t id : ids)
		pthread_join(id, nullptr);
}

} // namespace tlint
