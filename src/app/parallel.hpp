// Per-document work on every core: seal encrypts, verify hashes and open decrypts one payload
// entry per thread at a time (docs/benchmarks.md says what it buys).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace dossier::app {

// The threads per-document work uses: one per core, at least one.
inline unsigned worker_count() { return std::max(1u, std::thread::hardware_concurrency()); }

// Calls fn(i) once for every i in [0, n), on up to `workers` threads, each taking the next
// index when it is done with one (so large and small items balance). Returns when all calls
// have returned. fn must not throw; if it does, the other threads finish their current item,
// take no new one, and the first exception is rethrown here. `stop()` returning true (checked
// before each item) likewise ends the work early: fn reports failures through its own results.
template <typename Fn, typename Stop>
void for_each_parallel(std::size_t n, unsigned workers, Fn&& fn, Stop&& stop) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> thrown{false};
  std::exception_ptr first;
  std::mutex first_mutex;
  auto work = [&] {
    while (!thrown.load() && !stop()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        const std::lock_guard lock(first_mutex);
        if (!first) first = std::current_exception();
        thrown = true;
      }
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(1u, workers), n);
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::jthread> pool;
    pool.reserve(threads - 1);
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();  // the calling thread is one of the workers
  }  // joined here
  if (first) std::rethrow_exception(first);
}

}  // namespace dossier::app
