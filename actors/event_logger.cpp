// The event logger.
// SPDX-License-Identifier: MIT
#include "actors/event_logger.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace sage::actors {
namespace {

spdlog::level::level_enum level_of(const std::string& type) {
  if (type == "loader.error" || type == "timeout.exceeded" || type == "breaker.opened" ||
      type == "system.restart")
    return spdlog::level::warn;
  if (type.starts_with("system.") || type == "loader.changed" || type == "breaker.closed" ||
      type == "timeout.recovered")
    return spdlog::level::info;
  return spdlog::level::debug;
}

} // namespace

event_handler_actor::behavior_type event_logger(event_handler_actor::pointer) {
  return {[](atom::deliver, uint64_t, const event& ev) {
    spdlog::log(level_of(ev.type), "event {} from {}: {}", ev.type, ev.source, ev.payload);
    return true;
  }};
}

} // namespace sage::actors
