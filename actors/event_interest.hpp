// Which event types anyone has subscribed to, so a publisher on a hot path (a search) can skip
// building an event nobody receives.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/event_pattern.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sage::actors {

/// Written by the event router whenever its subscriptions change, read by publishers in the
/// same process. A publisher may still send an event nobody wants (the router drops it); it
/// never skips one somebody subscribed to before it looked.
class event_interest {
public:
  bool wants(std::string_view type) const {
    auto patterns = patterns_.load();
    for (const auto& p : *patterns)
      if (core::event_matches(p, type)) return true;
    return false;
  }

  void set(std::vector<std::string> patterns) {
    patterns_.store(std::make_shared<const std::vector<std::string>>(std::move(patterns)));
  }

private:
  std::atomic<std::shared_ptr<const std::vector<std::string>>> patterns_{
      std::make_shared<const std::vector<std::string>>()};
};

} // namespace sage::actors
