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

bool worker_pool::submit(owner who, std::function<void()> task) {
  {
    std::lock_guard lock{mutex_};
    if (stopping_) return false;
    auto& queue = queues_[who];
    if (queue.empty()) turns_.push_back(who); // a new turn at the back of the line
    queue.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void worker_pool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [this] { return stopping_ || !turns_.empty(); });
      if (turns_.empty()) return; // stopping and nothing left
      auto who = turns_.front();
      turns_.pop_front();
      auto queue = queues_.find(who);
      task = std::move(queue->second.front());
      queue->second.pop_front();
      // An owner with more work waits for its next turn behind everyone else's.
      if (queue->second.empty())
        queues_.erase(queue);
      else
        turns_.push_back(who);
    }
    try {
      task();
    } catch (...) {
      // a task that throws loses only itself; its responder answers -32603 when dropped
    }
  }
}

} // namespace sage::services::mcp
