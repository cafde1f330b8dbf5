// The one way for threads outside the actor system (CLI, HTTP handler threads) to call the
// engine: a blocking request with a deadline, answered as a core result.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/operations.hpp"

#include "core/config.hpp"
#include "core/error.hpp"

#include <caf/actor_system.hpp>
#include <chrono>

namespace sage::actors {

/// Safe to use from any number of threads at once: each call has its own scoped actor.
class bridge {
public:
  /// `margin`: how long past an operation's deadline the bridge waits before it gives up on
  /// the engine itself (the timeout supervisor answers at the deadline; this covers a node
  /// that is gone).
  bridge(caf::actor_system& sys, engine_actor entry, core::timeout_config limits,
         std::chrono::milliseconds margin = std::chrono::milliseconds(250));

  core::result<core::load_result> get(get_request r);
  core::result<core::load_result> context(context_request r);
  core::result<core::load_result> named(named_request r);
  core::result<core::search_answer> search(core::search_params p);
  core::result<core::layers_answer> layers();
  core::result<core::kb_info> info();
  core::result<core::document_listing> documents(std::string layer);

private:
  template <class Answer, class... Ts> core::result<Answer> call(operation op, Ts&&... request);

  caf::actor_system& sys_;
  engine_actor entry_;
  core::timeout_config limits_;
  std::chrono::milliseconds margin_;
};

} // namespace sage::actors
