// The session routes: start, list, status, update, steps, checkpoints, handoff, end and
// restoring a checkpoint.
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"
#include "services/http/routes_support.hpp"

#include "core/catalogue/catalogue.hpp"
#include "core/catalogue/schema.hpp"

#include "actors/engine.hpp"
#include "actors/memory_json.hpp"
#include "core/session_limits.hpp"
#include "core/session_store.hpp"
#include "core/token_budget.hpp"

namespace sage::services::http {
namespace {

using namespace core::catalogue;

constexpr const char* session_hint =
    "GET /v1/sessions lists sessions; POST /v1/sessions starts one";
constexpr const char* checkpoint_hint =
    "GET /v1/sessions/{session_id}/checkpoints lists checkpoints";

core::result<reply> session_reply(core::result<core::session> r, int status = 200) {
  if (!r) return r.err();
  auto out = json_reply(core::to_json(*r), status);
  if (status == 201) out.headers["Location"] = "/v1/sessions/" + r->id;
  return out;
}

/// The checked session id of the path.
core::result<std::string> session_id(const call& c) {
  auto id = str(c.params, "session_id");
  if (auto err = check_id(id, "session id", session_hint)) return *err;
  return id;
}

} // namespace

void add_session_routes(route_table& table, actors::engine& engine,
                        const core::catalogue::catalogue& catalogue) {

  table.add(
      route_of(catalogue.at("session_start"), [&engine](const call& c) -> core::result<reply> {
        actors::session_start r;
        r.objective = str(c.body, "objective");
        r.steps = strings(c.body, "steps");
        r.task_id = str(c.body, "task_id");
        r.checkpoint_id = str(c.body, "checkpoint_id");
        if (!r.checkpoint_id.empty()) {
          if (auto err = check_id(r.checkpoint_id, "checkpoint id", checkpoint_hint)) return *err;
        } else if (auto err = check_not_blank(r.objective, "objective",
                                              "send {\"objective\": \"...\"}, or a "
                                              "checkpoint_id to resume from")) {
          return *err;
        }
        return session_reply(engine.calls().session_start(std::move(r)), 201);
      }));

  table.add(
      route_of(catalogue.at("list_sessions"), [&engine](const call& c) -> core::result<reply> {
        auto status = str(c.params, "status", "all");
        auto limit =
            integer(c.params, "limit", static_cast<int64_t>(core::session_limits::default_page));
        auto page = engine.calls().session_page(
            status == "all" ? "" : status, str(c.params, "cursor"), static_cast<uint64_t>(limit));
        if (!page) return page.err();
        auto sessions = json::array();
        for (const auto& s : page->sessions)
          sessions.push_back(core::to_json(s));
        return json_reply(
            {{"sessions", std::move(sessions)},
             {"count", page->sessions.size()},
             {"next_cursor", page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}});
      }));

  table.add(route_of(catalogue.at("get_session"), [&engine](const call& c) -> core::result<reply> {
    auto id = session_id(c);
    if (!id) return id.err();
    auto& calls = engine.calls();
    auto found = calls.session_status(*id);
    if (!found) return found.err();
    auto checkpoints = calls.checkpoints(*id);
    if (!checkpoints) return checkpoints.err();
    auto budget = calls.budget_status(*id);
    if (!budget) return budget.err();
    auto cps = json::array();
    for (const auto& cp : *checkpoints)
      cps.push_back(actors::to_json(cp));
    return json_reply({{"session", core::to_json(*found)},
                       {"checkpoints", std::move(cps)},
                       {"budget", actors::to_json(*budget)}});
  }));

  table.add(
      route_of(catalogue.at("session_update"), [&engine](const call& c) -> core::result<reply> {
        auto id = session_id(c);
        if (!id) return id.err();
        core::session_change change;
        if (c.body.contains("complete_step"))
          change.complete_step = static_cast<size_t>(integer(c.body, "complete_step", 0));
        change.complete_step_text = opt_str(c.body, "complete_step_text");
        change.last_action = opt_str(c.body, "last_action");
        change.last_result = opt_str(c.body, "last_result");
        change.decision = opt_str(c.body, "decision");
        change.context = opt_str(c.body, "context");
        if (!change.complete_step && !change.complete_step_text && !change.last_action &&
            !change.last_result && !change.decision && !change.context)
          return bad_request("nothing to update",
                             "send at least one of complete_step, complete_step_text, "
                             "last_action, last_result, decision or context");
        return session_reply(engine.calls().session_update(*id, std::move(change)));
      }));

  table.add(
      route_of(catalogue.at("session_add_step"), [&engine](const call& c) -> core::result<reply> {
        auto id = session_id(c);
        if (!id) return id.err();
        auto text = str(c.body, "text");
        if (auto err = check_not_blank(text, "step", "send {\"text\": \"write tests\"}"))
          return *err;
        return session_reply(engine.calls().session_add_step(*id, text));
      }));

  table.add(
      route_of(catalogue.at("session_checkpoint"), [&engine](const call& c) -> core::result<reply> {
        auto id = session_id(c);
        if (!id) return id.err();
        auto body = c.body.is_object() ? c.body : json::object();
        auto cp = engine.calls().checkpoint(*id, str(body, "label"));
        if (!cp) return cp.err();
        return json_reply(actors::to_json(*cp), 201);
      }));

  table.add(
      route_of(catalogue.at("list_checkpoints"), [&engine](const call& c) -> core::result<reply> {
        auto id = session_id(c);
        if (!id) return id.err();
        auto list = engine.calls().checkpoints(*id);
        if (!list) return list.err();
        auto cps = json::array();
        for (const auto& cp : *list)
          cps.push_back(actors::to_json(cp));
        return json_reply({{"checkpoints", std::move(cps)}, {"count", list->size()}});
      }));

  table.add(
      route_of(catalogue.at("session_handoff"), [&engine](const call& c) -> core::result<reply> {
        auto id = session_id(c);
        if (!id) return id.err();
        auto max_tokens = static_cast<uint64_t>(integer(c.params, "max_tokens", 2000));
        auto h = engine.calls().handoff(*id, max_tokens);
        if (!h) return h.err();
        auto body = actors::to_json(*h);
        body["max_tokens"] = max_tokens;
        return json_reply(std::move(body));
      }));

  table.add(route_of(catalogue.at("session_end"), [&engine](const call& c) -> core::result<reply> {
    auto id = session_id(c);
    if (!id) return id.err();
    return session_reply(engine.calls().session_end(*id));
  }));

  table.add(
      route_of(catalogue.at("session_restore"), [&engine](const call& c) -> core::result<reply> {
        auto id = str(c.params, "checkpoint_id");
        if (auto err = check_id(id, "checkpoint id", checkpoint_hint)) return *err;
        return session_reply(engine.calls().restore(id));
      }));
}

} // namespace sage::services::http
