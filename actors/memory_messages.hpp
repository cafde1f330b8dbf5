// Message types of the working memory, its sessions and the token budget, each with a
// 0.17-style `inspect`. CAF 0.17 knows neither `std::optional` nor JSON values: optionals
// travel as a presence flag and a value, JSON metadata as its text.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/json_parse.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"
#include "core/session_store.hpp"
#include "core/token_budget.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sage::actors {

/// A field view of a `std::optional<T>`: inspected as a presence flag and a value.
template <class T> struct optional_field { std::optional<T>* target; };

template <class T> optional_field<T> as_field(std::optional<T>& x) {
  return {&x};
}

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, optional_field<T>& x) {
  bool present = x.target->has_value();
  T value = present ? **x.target : T{};
  auto assign = [&x, &present, &value] {
    *x.target = present ? std::optional<T>(std::move(value)) : std::nullopt;
    return caf::error{};
  };
  return f(present, value, caf::meta::load_callback(assign));
}

/// A field view of a JSON value: inspected as its text, which must parse when read back.
struct json_field {
  nlohmann::json* target;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, json_field& x) {
  std::string text = x.target->dump();
  auto assign = [&x, &text] {
    // A message from another node is input like any other: bounded in depth before the DOM.
    auto parsed = core::parse_json(text, "metadata");
    if (!parsed) return caf::make_error(caf::sec::malformed_basp_message, parsed.err().message);
    *x.target = std::move(parsed).value();
    return caf::error{};
  };
  return f(text, caf::meta::load_callback(assign));
}

/// A field view of a time point, as milliseconds since the epoch.
struct time_field {
  std::optional<std::chrono::system_clock::time_point>* target;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, time_field& x) {
  using std::chrono::milliseconds;
  std::optional<int64_t> ms;
  if (*x.target)
    ms = std::chrono::duration_cast<milliseconds>((*x.target)->time_since_epoch()).count();
  auto ms_field = as_field(ms);
  auto assign = [&x, &ms] {
    *x.target =
        ms ? std::optional(std::chrono::system_clock::time_point(milliseconds(*ms))) : std::nullopt;
    return caf::error{};
  };
  return f(ms_field, caf::meta::load_callback(assign));
}

// -- session and budget requests and answers ------------------------------------------------

/// `session start`: a new session, or (with `checkpoint_id`) the session of a checkpoint
/// brought back to it.
struct session_start {
  std::string objective;
  std::vector<std::string> steps;
  std::string task_id;
  std::string checkpoint_id; ///< non-empty: resume from this checkpoint instead
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, session_start& x) {
  return f(caf::meta::type_name("sage.session_start"), x.objective, x.steps, x.task_id,
           x.checkpoint_id);
}

/// A checkpoint as listed: what it holds, without the entries themselves.
struct checkpoint_summary {
  std::string id;
  std::string session_id;
  std::string label;
  uint64_t entries = 0;
  int64_t tokens = 0;
  std::string created_at;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_summary& x) {
  return f(caf::meta::type_name("sage.checkpoint_summary"), x.id, x.session_id, x.label, x.entries,
           x.tokens, x.created_at);
}

/// A session's handoff package: the Markdown continuation prompt and the package as JSON text.
struct handoff_answer {
  std::string session_id;
  std::string markdown;
  int64_t tokens = 0;  ///< of `markdown`, at most the asked maximum
  std::string package; ///< JSON object text
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_answer& x) {
  return f(caf::meta::type_name("sage.handoff_answer"), x.session_id, x.markdown, x.tokens,
           x.package);
}

/// What the memory store found in a session right after a write, for the budget controller:
/// the budget as the database holds it now (`core::session_budget`) and the level recorded for
/// the session before this observation (`core::record_level`, which also recorded `status.level`).
struct budget_observation {
  std::string session_id;
  core::budget_status status;
  core::budget_level previous = core::budget_level::normal; ///< recorded before this observation
  /// This observation changed the recorded level: `budget.level_changed` is published for it.
  /// Exactly one process sees a given change as changed (the record is one transaction).
  bool changed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget_observation& x) {
  return f(caf::meta::type_name("sage.budget_observation"), x.session_id, x.status, x.previous,
           x.changed);
}

/// What the budget controller asks the memory store to do to a session after a write.
enum class budget_step : uint8_t {
  none,      ///< below critical: nothing
  summarise, ///< critical: summarise old entries (`core::summarise_session`)
  prune,     ///< overflow: prune ephemeral then low entries, then summarise if still critical
};

/// The controller's answer for one observed session.
struct budget_plan {
  std::string session_id;
  budget_step step = budget_step::none;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, budget_plan& x) {
  return f(caf::meta::type_name("sage.budget_plan"), x.session_id, x.step);
}

/// What the budget controller has been asked and has asked since it started, for tests and
/// diagnostics: a memory write costs one `observe` request and nothing back to the store.
struct budget_stats {
  uint64_t observe_requests = 0;  ///< `observe` requests received (one per write)
  uint64_t observed_sessions = 0; ///< sessions in them
  uint64_t level_notes = 0;       ///< one-way level messages received (after an action)
  uint64_t front_requests = 0;    ///< status, check, reserve, commit, release received
  uint64_t store_requests = 0;    ///< requests this controller sent to the memory store
  uint64_t plans_to_act = 0;      ///< sessions answered with a step other than none
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, budget_stats& x) {
  return f(caf::meta::type_name("sage.budget_stats"), x.observe_requests, x.observed_sessions,
           x.level_notes, x.front_requests, x.store_requests, x.plans_to_act);
}

/// `budget status`: the numbers, the advice for the level and the Markdown report.
struct budget_report {
  std::string session_id;
  core::budget_status status;
  std::vector<std::string> recommendations;
  std::string markdown;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, budget_report& x) {
  return f(caf::meta::type_name("sage.budget_report"), x.session_id, x.status, x.recommendations,
           x.markdown);
}

} // namespace sage::actors

// -- core types -----------------------------------------------------------------------------

namespace sage::core {

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, memory_entry& x) {
  auto metadata = actors::json_field{&x.metadata};
  return f(caf::meta::type_name("sage.memory_entry"), x.id, x.type, x.priority, x.content, x.tokens,
           x.session_id, x.task_id, x.tags, metadata, x.created_at, x.updated_at, x.is_summarized,
           x.summary_of);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, memory_update& x) {
  auto content = actors::as_field(x.content);
  auto priority = actors::as_field(x.priority);
  auto tags = actors::as_field(x.tags);
  auto type = actors::as_field(x.type);
  auto summarized = actors::as_field(x.is_summarized);
  // The patch may be any JSON value (a null removes every key); absent stays absent.
  bool has_metadata = x.metadata.has_value();
  nlohmann::json patch = has_metadata ? *x.metadata : nlohmann::json();
  auto patch_field = actors::json_field{&patch};
  auto assign = [&x, &has_metadata, &patch] {
    x.metadata = has_metadata ? std::optional(std::move(patch)) : std::nullopt;
    return caf::error{};
  };
  return f(caf::meta::type_name("sage.memory_update"), content, priority, tags, type, summarized,
           has_metadata, patch_field, caf::meta::load_callback(assign));
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, memory_query& x) {
  auto session = actors::as_field(x.session_id);
  auto type = actors::as_field(x.type);
  auto min_priority = actors::as_field(x.min_priority);
  auto max_priority = actors::as_field(x.max_priority);
  auto summarized = actors::as_field(x.is_summarized);
  return f(caf::meta::type_name("sage.memory_query"), session, type, x.tags_any, x.tags_all,
           min_priority, max_priority, summarized, x.text, x.order_by, x.descending, x.limit,
           x.cursor);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, memory_page& x) {
  return f(caf::meta::type_name("sage.memory_page"), x.entries, x.next_cursor);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, session_page& x) {
  return f(caf::meta::type_name("sage.session_page"), x.sessions, x.next_cursor);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, prune_filter& x) {
  auto max_priority = actors::as_field(x.max_priority);
  auto older_than = actors::time_field{&x.older_than};
  auto session = actors::as_field(x.session_id);
  return f(caf::meta::type_name("sage.prune_filter"), max_priority, older_than, session);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, import_report& x) {
  return f(caf::meta::type_name("sage.import_report"), x.imported, x.skipped);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, session_step& x) {
  return f(caf::meta::type_name("sage.session_step"), x.text, x.done, x.done_at);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, session& x) {
  return f(caf::meta::type_name("sage.session"), x.id, x.task_id, x.objective, x.status, x.steps,
           x.last_action, x.last_result, x.resumed_from, x.created_at, x.updated_at, x.ended_at);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_change& x) {
  auto step = actors::as_field(x.complete_step);
  auto step_text = actors::as_field(x.complete_step_text);
  auto action = actors::as_field(x.last_action);
  auto result = actors::as_field(x.last_result);
  auto decision = actors::as_field(x.decision);
  auto context = actors::as_field(x.context);
  return f(caf::meta::type_name("sage.session_change"), step, step_text, action, result, decision,
           context);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget_thresholds& x) {
  return f(caf::meta::type_name("sage.budget_thresholds"), x.caution, x.warning, x.critical,
           x.overflow);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, budget_status& x) {
  return f(caf::meta::type_name("sage.budget_status"), x.max_tokens, x.reserved_tokens, x.available,
           x.used, x.reserved_by_reservations, x.remaining, x.percent, x.level, x.thresholds);
}

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, budget_check& x) {
  return f(caf::meta::type_name("sage.budget_check"), x.fits, x.used_after, x.level_after,
           x.changes_level, x.remaining_after);
}

} // namespace sage::core
