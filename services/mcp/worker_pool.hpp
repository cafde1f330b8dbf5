// A fixed set of threads that run queued tasks: where MCP tool calls block on the engine, off
// the session's thread.
// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace sage::services::mcp {

/// Runs tasks on `threads` threads, taking turns between owners (one MCP session each): the
/// next free thread takes the oldest task of the owner that was served least recently, so a
/// client that queues a hundred heavy calls delays another client's call by at most one call
/// per thread, not by the hundred. Tasks of one owner run in the order they were submitted.
/// The destructor stops taking tasks, lets the queued ones finish (each tool call is bounded
/// by the engine's deadlines) and joins the threads. A task that throws is dropped; the pool
/// goes on.
class worker_pool {
public:
  /// Who a task is run for; tasks of the same owner queue behind each other. Any stable
  /// address (a session's notifier) or nullptr for tasks without an owner.
  using owner = const void*;

  /// `threads` 0 is taken as 1.
  explicit worker_pool(size_t threads);
  ~worker_pool();

  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  /// Queues a task for `who`; false (and the task is not run) once the pool is stopping.
  bool submit(owner who, std::function<void()> task);
  /// Queues a task without an owner (they share one turn).
  bool submit(std::function<void()> task) { return submit(nullptr, std::move(task)); }

  size_t size() const { return threads_.size(); }

private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  /// Queued tasks of each owner that has any.
  std::map<owner, std::deque<std::function<void()>>> queues_;
  /// Owners with queued tasks, the next to be served first.
  std::list<owner> turns_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace sage::services::mcp
