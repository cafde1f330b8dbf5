// The session routes: start, list, status, update, steps, checkpoints, handoff, end and
// restoring a checkpoint.
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"
#include "services/http/routes_support.hpp"

#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "actors/memory_json.hpp"
#include "core/session_limits.hpp"
#include "core/session_store.hpp"
#include "core/token_budget.hpp"

namespace sage::services::http {
namespace {

using namespace mcp::tools;

constexpr const char* session_hint =
    "GET /v1/sessions lists sessions; POST /v1/sessions starts one";
constexpr const char* checkpoint_hint = "GET /v1/sessions/{id}/checkpoints lists checkpoints";

json session_answer() {
  return {{"type", "object"},
          {"required", {"id", "objective", "status", "steps"}},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"objective", {{"type", "string"}}},
            {"status", {{"type", "string"}}},
            {"steps", {{"type", "array"}}}}}};
}

json checkpoint_answer() {
  return {{"type", "object"},
          {"required", {"id", "session_id", "entries", "tokens"}},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"session_id", {{"type", "string"}}},
            {"label", {{"type", "string"}}},
            {"entries", {{"type", "integer"}}},
            {"tokens", {{"type", "integer"}}},
            {"created_at", {{"type", "string"}}}}}};
}

core::result<reply> session_reply(core::result<core::session> r, int status = 200) {
  if (!r) return r.err();
  auto out = json_reply(core::to_json(*r), status);
  if (status == 201) out.headers["Location"] = "/v1/sessions/" + r->id;
  return out;
}

/// The checked session id of the path.
core::result<std::string> session_id(const call& c) {
  auto id = str(c.params, "id");
  if (auto err = check_id(id, "session id", session_hint)) return *err;
  return id;
}

} // namespace

void add_session_routes(route_table& table, actors::engine& engine) {
  auto id_param = path_param("id", "the session's id (a UUID)");

  table.add({.method = "POST",
             .pattern = "/v1/sessions",
             .operation_id = "startSession",
             .summary = "Start a session, or resume one from a checkpoint",
             .tag = "sessions",
             .body = input_schema(
                 {{"objective", text_prop("what the session is to achieve",
                                          core::session_limits::max_objective_bytes)},
                  {"steps", texts_prop("planned steps, in order", core::session_limits::max_steps,
                                       core::session_limits::max_step_bytes)},
                  {"task_id",
                   text_prop("an id of the task, if any", core::session_limits::max_task_id_bytes)},
                  {"checkpoint_id", string_prop("resume from this checkpoint instead")}}),
             .status = 201,
             .answer = session_answer(),
             .answer_description = "the session (Location names it)",
             .handle = [&engine](const call& c) -> core::result<reply> {
               actors::session_start r;
               r.objective = str(c.body, "objective");
               r.steps = strings(c.body, "steps");
               r.task_id = str(c.body, "task_id");
               r.checkpoint_id = str(c.body, "checkpoint_id");
               if (!r.checkpoint_id.empty()) {
                 if (auto err = check_id(r.checkpoint_id, "checkpoint id", checkpoint_hint))
                   return *err;
               } else if (auto err = check_not_blank(r.objective, "objective",
                                                     "send {\"objective\": \"...\"}, or a "
                                                     "checkpoint_id to resume from")) {
                 return *err;
               }
               return session_reply(engine.calls().session_start(std::move(r)), 201);
             }});

  table.add(
      {.method = "GET",
       .pattern = "/v1/sessions",
       .operation_id = "listSessions",
       .summary = "Sessions, newest first",
       .tag = "sessions",
       .parameters = {query_param("status", enum_schema({"active", "ended", "all"}),
                                  "which sessions (default all)"),
                      query_param("limit", integer_schema(1, core::session_limits::max_page),
                                  "sessions per page (default " +
                                      std::to_string(core::session_limits::default_page) + ")"),
                      query_param("cursor", text_schema(), "next_cursor of the previous page")},
       .answer = {{"type", "object"},
                  {"required", {"sessions", "count", "next_cursor"}},
                  {"properties",
                   {{"sessions", {{"type", "array"}, {"items", session_answer()}}},
                    {"count", {{"type", "integer"}}},
                    {"next_cursor", {{"type", {"string", "null"}}}}}}},
       .handle = [&engine](const call& c) -> core::result<reply> {
         auto status = str(c.params, "status", "all");
         auto limit =
             integer(c.params, "limit", static_cast<int64_t>(core::session_limits::default_page));
         auto page = engine.calls().session_page(
             status == "all" ? "" : status, str(c.params, "cursor"), static_cast<uint64_t>(limit));
         if (!page) return page.err();
         auto sessions = json::array();
         for (const auto& s : page->sessions)
           sessions.push_back(core::to_json(s));
         return json_reply({{"sessions", std::move(sessions)},
                            {"count", page->sessions.size()},
                            {"next_cursor",
                             page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}});
       }});

  table.add({.method = "GET",
             .pattern = "/v1/sessions/{id}",
             .operation_id = "getSession",
             .summary = "A session with its checkpoints and token budget",
             .tag = "sessions",
             .parameters = {id_param},
             .answer = {{"type", "object"},
                        {"required", {"session", "checkpoints", "budget"}},
                        {"properties",
                         {{"session", session_answer()},
                          {"checkpoints", {{"type", "array"}, {"items", checkpoint_answer()}}},
                          {"budget", {{"type", "object"}}}}}},
             .handle = [&engine](const call& c) -> core::result<reply> {
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
             }});

  table.add(
      {.method = "PATCH",
       .pattern = "/v1/sessions/{id}",
       .operation_id = "updateSession",
       .summary = "Record progress: a step done, the last action and result, a decision, context",
       .tag = "sessions",
       .parameters = {id_param},
       .body = input_schema(
           {{"complete_step", integer_prop("0-based index of a step now done", 0, 100000)},
            {"complete_step_text",
             text_prop("text of a step now done", core::session_limits::max_step_bytes, 1)},
            {"last_action",
             text_prop("what was just done", core::session_limits::max_progress_bytes)},
            {"last_result", text_prop("what came of it", core::session_limits::max_progress_bytes)},
            {"decision", string_prop("a decision to remember (a memory entry)", 1)},
            {"context", string_prop("context to remember (a memory entry)", 1)}}),
       .answer = session_answer(),
       .handle = [&engine](const call& c) -> core::result<reply> {
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
       }});

  table.add(
      {.method = "POST",
       .pattern = "/v1/sessions/{id}/steps",
       .operation_id = "addSessionStep",
       .summary = "Append a planned step",
       .tag = "sessions",
       .parameters = {id_param},
       .body = input_schema(
           {{"text", text_prop("the step", core::session_limits::max_step_bytes, 1)}}, {"text"}),
       .answer = session_answer(),
       .handle = [&engine](const call& c) -> core::result<reply> {
         auto id = session_id(c);
         if (!id) return id.err();
         auto text = str(c.body, "text");
         if (auto err = check_not_blank(text, "step", "send {\"text\": \"write tests\"}"))
           return *err;
         return session_reply(engine.calls().session_add_step(*id, text));
       }});

  table.add({.method = "POST",
             .pattern = "/v1/sessions/{id}/checkpoints",
             .operation_id = "checkpointSession",
             .summary = "Save the session and its memory entries to resume later",
             .tag = "sessions",
             .parameters = {id_param},
             .body = input_schema({{"label", text_prop("a short name for the checkpoint",
                                                       core::session_limits::max_label_bytes)}}),
             .body_required = false,
             .status = 201,
             .answer = checkpoint_answer(),
             .answer_description = "the checkpoint; restore it with "
                                   "POST /v1/checkpoints/{id}/restore",
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto id = session_id(c);
               if (!id) return id.err();
               auto body = c.body.is_object() ? c.body : json::object();
               auto cp = engine.calls().checkpoint(*id, str(body, "label"));
               if (!cp) return cp.err();
               return json_reply(actors::to_json(*cp), 201);
             }});

  table.add({.method = "GET",
             .pattern = "/v1/sessions/{id}/checkpoints",
             .operation_id = "listCheckpoints",
             .summary = "The session's checkpoints, oldest first",
             .tag = "sessions",
             .parameters = {id_param},
             .answer = {{"type", "object"},
                        {"required", {"checkpoints", "count"}},
                        {"properties",
                         {{"checkpoints", {{"type", "array"}, {"items", checkpoint_answer()}}},
                          {"count", {{"type", "integer"}}}}}},
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto id = session_id(c);
               if (!id) return id.err();
               auto list = engine.calls().checkpoints(*id);
               if (!list) return list.err();
               auto cps = json::array();
               for (const auto& cp : *list)
                 cps.push_back(actors::to_json(cp));
               return json_reply({{"checkpoints", std::move(cps)}, {"count", list->size()}});
             }});

  table.add({.method = "GET",
             .pattern = "/v1/sessions/{id}/handoff",
             .operation_id = "handoffSession",
             .summary = "A Markdown continuation prompt for whoever picks the session up",
             .tag = "sessions",
             .parameters = {id_param, query_param("max_tokens", integer_schema(1, 100000),
                                                  "most tokens of the prompt (default 2000)")},
             .answer = {{"type", "object"},
                        {"required", {"session_id", "markdown", "tokens"}},
                        {"properties",
                         {{"session_id", {{"type", "string"}}},
                          {"markdown", {{"type", "string"}}},
                          {"tokens", {{"type", "integer"}}},
                          {"package", {{"type", {"object", "null"}}}}}}},
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto id = session_id(c);
               if (!id) return id.err();
               auto max_tokens = static_cast<uint64_t>(integer(c.params, "max_tokens", 2000));
               auto h = engine.calls().handoff(*id, max_tokens);
               if (!h) return h.err();
               auto body = actors::to_json(*h);
               body["max_tokens"] = max_tokens;
               return json_reply(std::move(body));
             }});

  table.add({.method = "POST",
             .pattern = "/v1/sessions/{id}/end",
             .operation_id = "endSession",
             .summary = "End the session; its entries and checkpoints stay",
             .tag = "sessions",
             .parameters = {id_param},
             .answer = session_answer(),
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto id = session_id(c);
               if (!id) return id.err();
               return session_reply(engine.calls().session_end(*id));
             }});

  table.add({.method = "POST",
             .pattern = "/v1/checkpoints/{id}/restore",
             .operation_id = "restoreCheckpoint",
             .summary = "Restore a session and its memory entries from a checkpoint",
             .tag = "sessions",
             .parameters = {path_param("id", "the checkpoint's id (a UUID)")},
             .answer = session_answer(),
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto id = str(c.params, "id");
               if (auto err = check_id(id, "checkpoint id", checkpoint_hint)) return *err;
               return session_reply(engine.calls().restore(id));
             }});
}

} // namespace sage::services::http
