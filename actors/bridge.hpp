// The one way for threads outside the actor system (CLI, HTTP handler threads) to call the
// engine: a blocking request with a deadline, answered as a core result.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/operations.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/sage_metrics.hpp"

#include <caf/actor_system.hpp>
#include <chrono>
#include <memory>

namespace sage::actors {

/// Safe to use from any number of threads at once: each call has its own scoped actor.
class bridge {
public:
  /// `margin`: how long past an operation's deadline the bridge waits before it gives up on
  /// the engine itself (the timeout supervisor answers at the deadline; this covers a node
  /// that is gone).
  /// `metrics`, when given, counts every call: operations by status, durations as the caller
  /// sees them, errors by code, tokens loaded.
  bridge(caf::actor_system& sys, engine_actor entry, core::timeout_config limits,
         std::shared_ptr<core::sage_metrics> metrics = nullptr,
         std::chrono::milliseconds margin = std::chrono::milliseconds(250));

  core::result<core::load_result> get(get_request r);
  core::result<core::load_result> context(context_request r);
  core::result<core::load_result> named(named_request r);
  core::result<core::search_answer> search(core::search_params p);
  core::result<core::layers_answer> layers();
  core::result<core::kb_info> info();
  core::result<core::document_listing> documents(std::string layer);

  // -- working memory (the memory store) --

  core::result<core::memory_entry> memory_add(core::memory_entry e);
  core::result<std::vector<core::memory_entry>> memory_add(std::vector<core::memory_entry> batch);
  core::result<core::memory_entry> memory_get(std::string id);
  core::result<core::memory_entry> memory_update(std::string id, core::memory_update change);
  core::result<std::string> memory_delete(std::string id);
  core::result<core::memory_page> memory_query(core::memory_query q);
  core::result<std::vector<std::string>> memory_prune(core::prune_filter filter);
  core::result<std::vector<std::string>> memory_retain();
  core::result<std::string> memory_export(std::string session_id);
  core::result<core::import_report> memory_import(std::string jsonl);

  // -- sessions (the memory store) --

  core::result<core::session> session_start(actors::session_start r);
  core::result<core::session> session_update(std::string id, core::session_change change);
  core::result<core::session> session_add_step(std::string id, std::string text);
  core::result<core::session> session_end(std::string id);
  core::result<core::session> session_status(std::string id);
  /// "" = every session, else `active` or `ended`.
  core::result<std::vector<core::session>> sessions(std::string status);
  /// One page of `sessions`: at most `limit` (0: all) after `cursor` (empty: the first page).
  core::result<core::session_page> session_page(std::string status, std::string cursor,
                                                uint64_t limit);
  core::result<checkpoint_summary> checkpoint(std::string session_id, std::string label);
  core::result<std::vector<checkpoint_summary>> checkpoints(std::string session_id);
  core::result<core::session> restore(std::string checkpoint_id);
  core::result<handoff_answer> handoff(std::string session_id, uint64_t max_tokens);

  // -- token budget (the budget controller) --

  core::result<budget_report> budget_status(std::string session_id);
  core::result<core::budget_check> budget_check(std::string session_id, uint64_t tokens);
  /// `ttl_ms` 0 = `budget.reservation_ttl`.
  core::result<std::string> reserve(std::string session_id, uint64_t tokens, uint64_t ttl_ms);
  core::result<std::string> commit(std::string reservation_id);
  core::result<std::string> release(std::string reservation_id);

private:
  template <class Answer, class... Ts> core::result<Answer> call(operation op, Ts&&... request);

  /// Asks the node's child `child` (looked up per call, as it may have been restarted).
  template <class Answer, class Handle, class... Ts>
  core::result<Answer> ask(const char* child, const char* op, Ts&&... request);

  /// Counts a finished call in the metrics, if any.
  template <class Answer>
  void count(const char* op, const core::result<Answer>& out,
             std::chrono::steady_clock::time_point started) const;

  caf::actor_system& sys_;
  engine_actor entry_;
  core::timeout_config limits_;
  std::shared_ptr<core::sage_metrics> metrics_;
  std::chrono::milliseconds margin_;
};

} // namespace sage::actors
