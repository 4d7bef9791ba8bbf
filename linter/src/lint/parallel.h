// parallel.h — runs work items on a few threads with generous stacks
// (PostgreSQL's parser recurses deeply on nested input).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace tlint {

/* Calls work(i) for every i in [0, count) on up to `threads` threads. */
void ParallelFor(size_t count, unsigned threads, const std::function<void(size_t)> &work);

} // namespace tlint
