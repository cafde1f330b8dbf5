// A fixed set of threads that run queued tasks: where MCP tool calls block on the engine, off
// the session's thread.
// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sage::services::mcp {

/// Runs tasks on `threads` threads in the order they were submitted. The destructor stops
/// taking tasks, lets the queued ones finish (each tool call is bounded by the engine's
/// deadlines) and joins the threads. A task that throws is dropped; the pool goes on.
class worker_pool {
public:
  /// `threads` 0 is taken as 1.
  explicit worker_pool(size_t threads);
  ~worker_pool();

  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  /// Queues a task; false (and the task is not run) once the pool is stopping.
  bool submit(std::function<void()> task);

  size_t size() const { return threads_.size(); }

private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace sage::services::mcp
