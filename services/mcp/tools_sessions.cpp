// The budget and session tools: budget_status, budget_check, session_start, session_update,
// session_checkpoint, session_handoff, session_end and session_status.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "actors/memory_json.hpp"
#include "core/session_limits.hpp"
#include "core/session_store.hpp"
#include "core/token_budget.hpp"

namespace sage::services::mcp {
namespace {

using namespace tools;

constexpr const char* session_hint =
    "call session_status without a session_id to list sessions, or session_start to begin one";

json session_id_prop() {
  return string_prop("the session's id (from session_start)", 1);
}

json session_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"objective", {{"type", "string"}}},
            {"status", {{"type", "string"}}},
            {"steps", {{"type", "array"}}}}},
          {"required", {"id", "objective", "status", "steps"}}};
}

json one_session_schema() {
  return output_schema({{"session", session_schema()}}, {"session"});
}

std::string render_session(const core::session& s) {
  std::string out = "session `" + s.id + "` (" + core::to_string(s.status) +
                    ")\nobjective: " + s.objective + "\n";
  size_t done = 0;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    done += s.steps[i].done ? 1 : 0;
    out += std::string(s.steps[i].done ? "- [x] " : "- [ ] ") + std::to_string(i) + ". " +
           s.steps[i].text + "\n";
  }
  if (!s.steps.empty())
    out += std::to_string(done) + " of " + std::to_string(s.steps.size()) + " steps done\n";
  if (!s.last_action.empty()) out += "last action: " + s.last_action + "\n";
  if (!s.last_result.empty()) out += "last result: " + s.last_result + "\n";
  return out;
}

tool_output session_answer(const core::result<core::session>& r) {
  if (!r) return tool_output::failure(r.err(), session_hint);
  return {{{"session", core::to_json(*r)}}, render_session(*r)};
}

} // namespace

void add_session_tools(tool_registry& reg, actors::engine& engine) {
  // -- budget --

  reg.add({"budget_status",
           "Token budget status",
           "A session's token budget: used, reserved and remaining tokens, the level (NORMAL, "
           "CAUTION, WARNING, CRITICAL, OVERFLOW) and what to do at that level.",
           input_schema({{"session_id", session_id_prop()}}, {"session_id"}),
           output_schema({{"session_id", {{"type", "string"}}},
                          {"level", {{"type", "string"}}},
                          {"status", {{"type", "object"}}},
                          {"recommendations", strings_prop("advice for the level")},
                          {"markdown", {{"type", "string"}}}},
                         {"session_id", "level", "status", "recommendations"}),
           {true, false, true},
           [&engine](const json& args) {
             auto r = engine.calls().budget_status(str(args, "session_id"));
             if (!r) return tool_output::failure(r.err(), session_hint);
             return tool_output{actors::to_json(*r), r->markdown};
           }});

  reg.add({"budget_check",
           "Check a token budget",
           "Whether adding a number of tokens to a session stays within its budget, and the "
           "level it would reach. Check before adding large content to memory.",
           input_schema({{"session_id", session_id_prop()},
                         {"tokens", integer_prop("tokens you intend to add", 0, 100000000)}},
                        {"session_id", "tokens"}),
           output_schema({{"session_id", {{"type", "string"}}},
                          {"tokens", {{"type", "integer"}}},
                          {"fits", {{"type", "boolean"}}},
                          {"used_after", {{"type", "integer"}}},
                          {"level_after", {{"type", "string"}}},
                          {"changes_level", {{"type", "boolean"}}},
                          {"remaining_after", {{"type", "integer"}}}},
                         {"session_id", "tokens", "fits"}),
           {true, false, true},
           [&engine](const json& args) {
             auto id = str(args, "session_id");
             auto tokens = static_cast<uint64_t>(integer(args, "tokens", 0));
             auto r = engine.calls().budget_check(id, tokens);
             if (!r) return tool_output::failure(r.err(), session_hint);
             auto j = core::to_json(*r);
             j["session_id"] = id;
             j["tokens"] = tokens;
             std::string text = std::to_string(tokens) +
                                (r->fits ? " tokens fit" : " tokens do not fit") + ": " +
                                std::to_string(r->used_after) + " used afterwards, " +
                                std::to_string(r->remaining_after) + " remaining, level " +
                                j.value("level_after", std::string{});
             return tool_output{std::move(j), std::move(text)};
           }});

  // -- sessions --

  reg.add({"session_start",
           "Start a session",
           "Begin a working session with an objective and planned steps (or resume one from a "
           "checkpoint id). Returns the session and its id, which memory, budget and other "
           "session tools take.",
           input_schema(
               {{"objective", text_prop("what the session is to achieve",
                                        core::session_limits::max_objective_bytes)},
                {"steps", texts_prop("planned steps, in order", core::session_limits::max_steps,
                                     core::session_limits::max_step_bytes)},
                {"task_id",
                 text_prop("an id of the task, if any", core::session_limits::max_task_id_bytes)},
                {"checkpoint_id", string_prop("resume from this checkpoint instead")}}),
           one_session_schema(),
           {false, false, false},
           [&engine](const json& args) {
             actors::session_start r;
             r.objective = str(args, "objective");
             r.steps = strings(args, "steps");
             r.task_id = str(args, "task_id");
             r.checkpoint_id = str(args, "checkpoint_id");
             if (r.objective.empty() && r.checkpoint_id.empty())
               return tool_output::failure(
                   "pass an objective (what the session is to achieve), or a checkpoint_id to "
                   "resume from");
             return session_answer(engine.calls().session_start(std::move(r)));
           }});

  reg.add(
      {"session_update",
       "Update a session",
       "Record progress: mark a step done (by 0-based index or exact text), add a step, set "
       "the last action and result, record a decision or context (stored as memory "
       "entries). Pass the session id and at least one change.",
       input_schema(
           {{"session_id", session_id_prop()},
            {"complete_step", integer_prop("0-based index of a step now done", 0, 100000)},
            {"complete_step_text",
             text_prop("text of a step now done", core::session_limits::max_step_bytes, 1)},
            {"add_step",
             text_prop("a new step to append", core::session_limits::max_step_bytes, 1)},
            {"last_action",
             text_prop("what you just did", core::session_limits::max_progress_bytes)},
            {"last_result", text_prop("what came of it", core::session_limits::max_progress_bytes)},
            {"decision", string_prop("a decision to remember", 1)},
            {"context", string_prop("context to remember", 1)}},
           {"session_id"}),
       one_session_schema(),
       {false, false, false},
       [&engine](const json& args) {
         auto id = str(args, "session_id");
         core::session_change c;
         if (args.contains("complete_step"))
           c.complete_step = static_cast<size_t>(integer(args, "complete_step", 0));
         c.complete_step_text = opt_str(args, "complete_step_text");
         c.last_action = opt_str(args, "last_action");
         c.last_result = opt_str(args, "last_result");
         c.decision = opt_str(args, "decision");
         c.context = opt_str(args, "context");
         bool changes = c.complete_step || c.complete_step_text || c.last_action || c.last_result ||
                        c.decision || c.context;
         auto step = opt_str(args, "add_step");
         if (!changes && !step)
           return tool_output::failure(
               "nothing to update; pass at least one of complete_step, complete_step_text, "
               "add_step, last_action, last_result, decision or context with the session_id");
         if (step) {
           auto added = engine.calls().session_add_step(id, *step);
           if (!added || !changes) return session_answer(added);
         }
         return session_answer(engine.calls().session_update(id, std::move(c)));
       }});

  reg.add({"session_checkpoint",
           "Checkpoint a session",
           "Save a session's state and its memory entries under a label, to resume later with "
           "session_start and the checkpoint id.",
           input_schema({{"session_id", session_id_prop()},
                         {"label", text_prop("a short name for the checkpoint",
                                             core::session_limits::max_label_bytes)}},
                        {"session_id"}),
           output_schema({{"id", string_prop("the checkpoint id")},
                          {"session_id", {{"type", "string"}}},
                          {"label", {{"type", "string"}}},
                          {"entries", {{"type", "integer"}}},
                          {"tokens", {{"type", "integer"}}},
                          {"created_at", {{"type", "string"}}}},
                         {"id", "session_id", "entries"}),
           {false, false, false},
           [&engine](const json& args) {
             auto r = engine.calls().checkpoint(str(args, "session_id"), str(args, "label"));
             if (!r) return tool_output::failure(r.err(), session_hint);
             return tool_output{actors::to_json(*r),
                                "checkpoint `" + r->id + "` of session `" + r->session_id +
                                    "`: " + std::to_string(r->entries) + " entries, " +
                                    std::to_string(r->tokens) + " tokens"};
           }});

  reg.add({"session_handoff",
           "Hand a session off",
           "A continuation prompt for whoever picks the session up: objective, steps done and "
           "pending, decisions, context, last action and progress, in Markdown within "
           "max_tokens (default 2000).",
           input_schema({{"session_id", session_id_prop()},
                         {"max_tokens",
                          integer_prop("most tokens of the prompt (default 2000)", 100, 20000)}},
                        {"session_id"}),
           output_schema({{"session_id", {{"type", "string"}}},
                          {"markdown", {{"type", "string"}}},
                          {"tokens", {{"type", "integer"}}},
                          {"package", {{"type", {"object", "null"}}}}},
                         {"session_id", "markdown", "tokens"}),
           {true, false, true},
           [&engine](const json& args) {
             auto r = engine.calls().handoff(
                 str(args, "session_id"), static_cast<uint64_t>(integer(args, "max_tokens", 2000)));
             if (!r) return tool_output::failure(r.err(), session_hint);
             return tool_output{actors::to_json(*r), r->markdown};
           }});

  reg.add({"session_end",
           "End a session",
           "Mark a session ended. Its memory entries and checkpoints stay.",
           input_schema({{"session_id", session_id_prop()}}, {"session_id"}),
           one_session_schema(),
           {false, false, true},
           [&engine](const json& args) {
             return session_answer(engine.calls().session_end(str(args, "session_id")));
           }});

  reg.add({"session_status",
           "Session status",
           "One session's objective, steps and last action, or without a session_id the list of "
           "sessions (filter with status active or ended).",
           input_schema(
               {{"session_id", string_prop("one session; omit to list them", 1)},
                {"status",
                 enum_prop("which sessions to list (default all)", {"active", "ended", "all"})},
                {"limit", integer_prop("most sessions listed (default " +
                                           std::to_string(core::session_limits::default_page) + ")",
                                       1, static_cast<int>(core::session_limits::max_page))},
                {"cursor", string_prop("next_cursor of the previous page", 1)}}),
           output_schema({{"sessions", {{"type", "array"}, {"items", session_schema()}}},
                          {"count", {{"type", "integer"}}},
                          {"next_cursor", {{"type", {"string", "null"}}}}},
                         {"sessions", "count"}),
           {true, false, true},
           [&engine](const json& args) {
             std::vector<core::session> list;
             std::string next_cursor;
             if (args.contains("session_id")) {
               auto r = engine.calls().session_status(str(args, "session_id"));
               if (!r) return tool_output::failure(r.err(), session_hint);
               list.push_back(std::move(*r));
             } else {
               auto status = str(args, "status", "all");
               auto limit =
                   integer(args, "limit", static_cast<int64_t>(core::session_limits::default_page));
               auto r =
                   engine.calls().session_page(status == "all" ? "" : status, str(args, "cursor"),
                                               static_cast<uint64_t>(limit));
               if (!r) return tool_output::failure(r.err(), "try again in a moment");
               list = std::move(r->sessions);
               next_cursor = std::move(r->next_cursor);
             }
             auto sessions = json::array();
             std::string text = list.empty() ? "no sessions; start one with session_start" : "";
             for (const auto& s : list) {
               sessions.push_back(core::to_json(s));
               text += (text.empty() ? "" : "\n") + render_session(s);
             }
             if (!next_cursor.empty())
               text += "\n\nmore sessions follow: call again with cursor " + next_cursor;
             return tool_output{
                 {{"sessions", std::move(sessions)},
                  {"count", list.size()},
                  {"next_cursor", next_cursor.empty() ? json(nullptr) : json(next_cursor)}},
                 std::move(text)};
           }});
}

} // namespace sage::services::mcp
