// The bridge.
// SPDX-License-Identifier: MIT
#include "actors/bridge.hpp"

#include "actors/error.hpp"
#include "actors/timeouts.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <string_view>
#include <type_traits>

namespace sage::actors {

namespace {

/// `ok`, `partial`, `fallback` or `error` from an answer's own status (`success`, ...).
std::string_view status_label(const std::string& status) {
  if (status == "partial" || status == "fallback" || status == "error") return status;
  return "ok";
}

} // namespace

bridge::bridge(caf::actor_system& sys, engine_actor entry, core::timeout_config limits,
               std::shared_ptr<core::sage_metrics> metrics, std::chrono::milliseconds margin)
    : sys_(sys), entry_(std::move(entry)), limits_(limits), metrics_(std::move(metrics)),
      margin_(margin) {}

template <class Answer>
void bridge::count(const char* op, const core::result<Answer>& out,
                   std::chrono::steady_clock::time_point started) const {
  if (!metrics_) return;
  std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
  std::string_view status = "ok";
  if (!out) {
    status = "error";
    metrics_->error(core::to_string(out.err().code));
  } else if constexpr (std::is_same_v<Answer, core::load_result>) {
    status = status_label(out->status);
    metrics_->tokens_loaded(out->tokens);
  } else if constexpr (std::is_same_v<Answer, core::search_answer>) {
    status = status_label(out->status);
  }
  metrics_->operation(op, status, seconds.count());
}

template <class Answer, class... Ts>
core::result<Answer> bridge::call(operation op, Ts&&... request) {
  auto started = std::chrono::steady_clock::now();
  auto wait = deadline_of(op, limits_) + margin_;
  caf::scoped_actor self{sys_};
  core::result<Answer> out = core::make_error(core::error_code::internal, "no answer");
  self->request(entry_, wait, std::forward<Ts>(request)...)
      .receive([&](Answer& answer) { out = std::move(answer); },
               [&](caf::error& err) {
                 if (err == caf::sec::request_timeout)
                   out =
                       core::make_error(core::error_code::timed_out,
                                        std::string("the engine did not answer ") + to_string(op) +
                                            " within " + std::to_string(wait.count()) + " ms",
                                        "retry; if it repeats, check the logs");
                 else
                   out = to_core_error(err, sys_);
               });
  count(to_string(op), out, started);
  return out;
}

template <class Answer, class Handle, class... Ts>
core::result<Answer> bridge::ask(const char* child, const char* op, Ts&&... request) {
  auto started = std::chrono::steady_clock::now();
  core::result<Answer> out = core::make_error(core::error_code::internal, "no answer");
  caf::scoped_actor self{sys_};
  caf::actor handle;
  self->request(caf::actor_cast<node_actor>(entry_), timeouts::memory_call, atom::worker_v,
                std::string(child))
      .receive([&](caf::actor& a) { handle = std::move(a); }, [](caf::error&) {});
  if (!handle) {
    out = core::make_error(core::error_code::internal,
                           std::string("the engine's ") + child + " is not running",
                           "retry in a moment; if it repeats, check the logs");
    count(op, out, started);
    return out;
  }
  self->request(caf::actor_cast<Handle>(handle), timeouts::memory_call,
                std::forward<Ts>(request)...)
      .receive([&](Answer& answer) { out = std::move(answer); },
               [&](caf::error& err) {
                 if (err == caf::sec::request_timeout)
                   out = core::make_error(core::error_code::timed_out,
                                          std::string("the ") + child + " did not answer within " +
                                              std::to_string(timeouts::memory_call.count()) + " s",
                                          "another process may hold the memory database; retry");
                 else
                   out = to_core_error(err, sys_);
               });
  count(op, out, started);
  return out;
}

core::result<core::load_result> bridge::get(get_request r) {
  return call<core::load_result>(operation::get, atom::get_v, std::move(r));
}

core::result<core::load_result> bridge::context(context_request r) {
  return call<core::load_result>(operation::context, atom::context_v, std::move(r));
}

core::result<core::load_result> bridge::named(named_request r) {
  return call<core::load_result>(operation::named, atom::named_v, std::move(r));
}

core::result<core::search_answer> bridge::search(core::search_params p) {
  return call<core::search_answer>(operation::search, atom::search_v, std::move(p));
}

core::result<core::layers_answer> bridge::layers() {
  return call<core::layers_answer>(operation::layers, atom::layers_v);
}

core::result<core::kb_info> bridge::info() {
  return call<core::kb_info>(operation::info, atom::info_v);
}

core::result<core::document_listing> bridge::documents(std::string layer) {
  return call<core::document_listing>(operation::documents, atom::documents_v, std::move(layer));
}

core::result<core::memory_entry> bridge::memory_add(core::memory_entry e) {
  return ask<core::memory_entry, memory_store_actor>("memory_store", "memory_add", atom::add_v,
                                                     std::move(e));
}

core::result<std::vector<core::memory_entry>>
bridge::memory_add(std::vector<core::memory_entry> batch) {
  return ask<std::vector<core::memory_entry>, memory_store_actor>("memory_store", "memory_add",
                                                                  atom::add_v, std::move(batch));
}

core::result<core::memory_entry> bridge::memory_get(std::string id) {
  return ask<core::memory_entry, memory_store_actor>("memory_store", "memory_get", atom::get_v,
                                                     std::move(id));
}

core::result<core::memory_entry> bridge::memory_update(std::string id, core::memory_update change) {
  return ask<core::memory_entry, memory_store_actor>(
      "memory_store", "memory_update", atom::update_v, std::move(id), std::move(change));
}

core::result<std::string> bridge::memory_delete(std::string id) {
  return ask<std::string, memory_store_actor>("memory_store", "memory_delete", atom::remove_v,
                                              std::move(id));
}

core::result<core::memory_page> bridge::memory_query(core::memory_query q) {
  return ask<core::memory_page, memory_store_actor>("memory_store", "memory_query", atom::query_v,
                                                    std::move(q));
}

core::result<std::vector<std::string>> bridge::memory_prune(core::prune_filter filter) {
  return ask<std::vector<std::string>, memory_store_actor>("memory_store", "memory_prune",
                                                           atom::prune_v, std::move(filter));
}

core::result<std::vector<std::string>> bridge::memory_retain() {
  return ask<std::vector<std::string>, memory_store_actor>("memory_store", "memory_retain",
                                                           atom::retain_v);
}

core::result<std::string> bridge::memory_export(std::string session_id) {
  return ask<std::string, memory_store_actor>("memory_store", "memory_export", atom::export__v,
                                              std::move(session_id));
}

core::result<core::import_report> bridge::memory_import(std::string jsonl) {
  return ask<core::import_report, memory_store_actor>("memory_store", "memory_import",
                                                      atom::import__v, std::move(jsonl));
}

core::result<core::session> bridge::session_start(actors::session_start r) {
  return ask<core::session, memory_store_actor>("memory_store", "session_start", atom::start_v,
                                                std::move(r));
}

core::result<core::session> bridge::session_update(std::string id, core::session_change change) {
  return ask<core::session, memory_store_actor>("memory_store", "session_update", atom::update_v,
                                                std::move(id), std::move(change));
}

core::result<core::session> bridge::session_add_step(std::string id, std::string text) {
  return ask<core::session, memory_store_actor>("memory_store", "session_add_step", atom::step_v,
                                                std::move(id), std::move(text));
}

core::result<core::session> bridge::session_end(std::string id) {
  return ask<core::session, memory_store_actor>("memory_store", "session_end", atom::end_v,
                                                std::move(id));
}

core::result<core::session> bridge::session_status(std::string id) {
  return ask<core::session, memory_store_actor>("memory_store", "session_status", atom::status_v,
                                                std::move(id));
}

core::result<std::vector<core::session>> bridge::sessions(std::string status) {
  auto page = session_page(std::move(status), {}, 0);
  if (!page) return page.err();
  return std::move(page->sessions);
}

core::result<core::session_page> bridge::session_page(std::string status, std::string cursor,
                                                      uint64_t limit) {
  return ask<core::session_page, memory_store_actor>("memory_store", "session_list",
                                                     atom::sessions_v, std::move(status),
                                                     std::move(cursor), limit);
}

core::result<checkpoint_summary> bridge::checkpoint(std::string session_id, std::string label) {
  return ask<checkpoint_summary, memory_store_actor>("memory_store", "session_checkpoint",
                                                     atom::checkpoint_v, std::move(session_id),
                                                     std::move(label));
}

core::result<std::vector<checkpoint_summary>> bridge::checkpoints(std::string session_id) {
  return ask<std::vector<checkpoint_summary>, memory_store_actor>(
      "memory_store", "session_checkpoints", atom::checkpoints_v, std::move(session_id));
}

core::result<core::session> bridge::restore(std::string checkpoint_id) {
  return ask<core::session, memory_store_actor>("memory_store", "session_restore", atom::restore_v,
                                                std::move(checkpoint_id));
}

core::result<handoff_answer> bridge::handoff(std::string session_id, uint64_t max_tokens) {
  return ask<handoff_answer, memory_store_actor>("memory_store", "session_handoff", atom::handoff_v,
                                                 std::move(session_id), max_tokens);
}

core::result<budget_report> bridge::budget_status(std::string session_id) {
  return ask<budget_report, token_budget_actor>("token_budget", "budget_status", atom::status_v,
                                                std::move(session_id));
}

core::result<core::budget_check> bridge::budget_check(std::string session_id, uint64_t tokens) {
  return ask<core::budget_check, token_budget_actor>("token_budget", "budget_check", atom::check_v,
                                                     std::move(session_id), tokens);
}

core::result<std::string> bridge::reserve(std::string session_id, uint64_t tokens,
                                          uint64_t ttl_ms) {
  return ask<std::string, token_budget_actor>("token_budget", "budget_reserve", atom::reserve_v,
                                              std::move(session_id), tokens, ttl_ms);
}

core::result<std::string> bridge::commit(std::string reservation_id) {
  return ask<std::string, token_budget_actor>("token_budget", "budget_commit", atom::commit_v,
                                              std::move(reservation_id));
}

core::result<std::string> bridge::release(std::string reservation_id) {
  return ask<std::string, token_budget_actor>("token_budget", "budget_release", atom::release_v,
                                              std::move(reservation_id));
}

} // namespace sage::actors
