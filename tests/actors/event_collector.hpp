// A subscriber for tests: collects every event it is sent, and lets the test thread wait for
// one of a given type.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sage::test {

struct event_log {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<actors::event> events;

  /// The first event of `type` after the first `skip` of that type, waiting up to `wait`.
  std::optional<actors::event> wait_for(const std::string& type, std::chrono::milliseconds wait,
                                        size_t skip = 0) {
    std::unique_lock<std::mutex> lock{mutex};
    std::optional<actors::event> found;
    changed.wait_for(lock, wait, [&] {
      size_t seen = 0;
      for (const auto& e : events)
        if (e.type == type && seen++ == skip) {
          found = e;
          return true;
        }
      return false;
    });
    return found;
  }

  size_t count(const std::string& type) {
    std::lock_guard<std::mutex> lock{mutex};
    size_t n = 0;
    for (const auto& e : events)
      n += e.type == type;
    return n;
  }
};

inline actors::event_handler_actor::behavior_type
event_collector(actors::event_handler_actor::pointer, std::shared_ptr<event_log> log) {
  return {[log](actors::atom::deliver, uint64_t, const actors::event& ev) {
    {
      std::lock_guard<std::mutex> lock{log->mutex};
      log->events.push_back(ev);
    }
    log->changed.notify_all();
    return true;
  }};
}

/// Subscribes a new collector to every event of `router`; returns its log.
inline std::shared_ptr<event_log> collect_events(caf::actor_system& sys,
                                                 const actors::event_router_actor& router) {
  auto log = std::make_shared<event_log>();
  auto collector = sys.spawn(event_collector, log);
  caf::scoped_actor self{sys};
  self->request(router, std::chrono::seconds(2), actors::atom::subscribe_v,
                actors::subscription{"*", 10, 2000}, caf::actor_cast<caf::actor>(collector))
      .receive([](uint64_t) {}, [](const caf::error&) {});
  return log;
}

} // namespace sage::test
