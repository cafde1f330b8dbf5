// A fixed set of threads that run queued tasks.
// SPDX-License-Identifier: MIT
#include "services/mcp/worker_pool.hpp"

#include <algorithm>

namespace sage::services::mcp {

worker_pool::worker_pool(size_t threads) {
  threads = std::max<size_t>(threads, 1);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

worker_pool::~worker_pool() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    t.join();
}

bool worker_pool::submit(std::function<void()> task) {
  {
    std::lock_guard lock{mutex_};
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void worker_pool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return; // stopping and nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (...) {
      // a task that throws loses only itself; its responder answers -32603 when dropped
    }
  }
}

} // namespace sage::services::mcp
