// Publishing an event from inside an actor: the type, a JSON payload and who says it.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"

#include <caf/send.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace sage::actors {

inline event make_event(std::string type, const nlohmann::json& payload, std::string source) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return {std::move(type), payload.dump(),
          std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), std::move(source)};
}

/// Fire and forget; an invalid router (not wired yet, or restarting) drops the event.
inline void publish(const event_router_actor& router, std::string type,
                    const nlohmann::json& payload, std::string source) {
  if (router)
    caf::anon_send(router, atom::publish_v,
                   make_event(std::move(type), payload, std::move(source)));
}

} // namespace sage::actors
