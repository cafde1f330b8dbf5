// The budget and session tools: budget_status, budget_check, session_start, session_update,
// session_checkpoint, session_handoff, session_end and session_status.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "actors/memory_json.hpp"
#include "core/catalogue/catalogue.hpp"
#include "core/session_limits.hpp"
#include "core/session_store.hpp"
#include "core/token_budget.hpp"

namespace sage::services::mcp {
namespace {

using namespace tools;

constexpr const char* session_hint =
    "call session_status without a session_id to list sessions, or session_start to begin one";

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

/// Without a session: every active session's level and numbers, as GET /v1/budget answers.
tool_output every_active_budget(actors::bridge& calls) {
  auto active = calls.sessions("active");
  if (!active) return tool_output::failure(active.err(), "try again in a moment");
  auto list = json::array();
  std::string text = active->empty() ? "no active sessions" : "";
  for (const auto& s : *active) {
    auto report = calls.budget_status(s.id);
    if (!report) return tool_output::failure(report.err(), "try again in a moment");
    list.push_back({{"session_id", s.id},
                    {"objective", s.objective},
                    {"level", core::to_string(report->status.level)},
                    {"status", core::to_json(report->status)}});
    text += (text.empty() ? "" : "\n") + std::string("session `") + s.id +
            "`: " + core::to_string(report->status.level) + ", " +
            std::to_string(report->status.used) + " tokens used";
  }
  auto count = list.size();
  return tool_output{{{"sessions", std::move(list)}, {"count", count}}, std::move(text)};
}

} // namespace

void add_session_tools(tool_registry& reg, actors::engine& engine,
                       const core::catalogue::catalogue& catalogue) {
  // -- budget --

  reg.add(tool_of(catalogue.at("budget_status"), [&engine](const json& args) {
    if (!args.contains("session_id")) return every_active_budget(engine.calls());
    auto r = engine.calls().budget_status(str(args, "session_id"));
    if (!r) return tool_output::failure(r.err(), session_hint);
    return tool_output{actors::to_json(*r), r->markdown};
  }));

  reg.add(tool_of(catalogue.at("budget_check"), [&engine](const json& args) {
    auto id = str(args, "session_id");
    auto tokens = static_cast<uint64_t>(integer(args, "tokens", 0));
    auto r = engine.calls().budget_check(id, tokens);
    if (!r) return tool_output::failure(r.err(), session_hint);
    auto j = core::to_json(*r);
    j["session_id"] = id;
    j["tokens"] = tokens;
    std::string text = std::to_string(tokens) + (r->fits ? " tokens fit" : " tokens do not fit") +
                       ": " + std::to_string(r->used_after) + " used afterwards, " +
                       std::to_string(r->remaining_after) + " remaining, level " +
                       j.value("level_after", std::string{});
    return tool_output{std::move(j), std::move(text)};
  }));

  // -- sessions --

  reg.add(tool_of(catalogue.at("session_start"), [&engine](const json& args) {
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
  }));

  reg.add(tool_of(catalogue.at("session_update"), [&engine](const json& args) {
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
  }));

  reg.add(tool_of(catalogue.at("session_checkpoint"), [&engine](const json& args) {
    auto r = engine.calls().checkpoint(str(args, "session_id"), str(args, "label"));
    if (!r) return tool_output::failure(r.err(), session_hint);
    return tool_output{actors::to_json(*r), "checkpoint `" + r->id + "` of session `" +
                                                r->session_id + "`: " + std::to_string(r->entries) +
                                                " entries, " + std::to_string(r->tokens) +
                                                " tokens"};
  }));

  reg.add(tool_of(catalogue.at("session_handoff"), [&engine](const json& args) {
    auto r = engine.calls().handoff(str(args, "session_id"),
                                    static_cast<uint64_t>(integer(args, "max_tokens", 2000)));
    if (!r) return tool_output::failure(r.err(), session_hint);
    return tool_output{actors::to_json(*r), r->markdown};
  }));

  reg.add(tool_of(catalogue.at("session_end"), [&engine](const json& args) {
    return session_answer(engine.calls().session_end(str(args, "session_id")));
  }));

  reg.add(tool_of(catalogue.at("session_status"), [&engine](const json& args) {
    std::vector<core::session> list;
    std::string next_cursor;
    if (args.contains("session_id")) {
      auto r = engine.calls().session_status(str(args, "session_id"));
      if (!r) return tool_output::failure(r.err(), session_hint);
      list.push_back(std::move(*r));
    } else {
      auto status = str(args, "status", "all");
      auto limit = integer(args, "limit", static_cast<int64_t>(core::session_limits::default_page));
      auto r = engine.calls().session_page(status == "all" ? "" : status, str(args, "cursor"),
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
    return tool_output{{{"sessions", std::move(sessions)},
                        {"count", list.size()},
                        {"next_cursor", next_cursor.empty() ? json(nullptr) : json(next_cursor)}},
                       std::move(text)};
  }));
}

} // namespace sage::services::mcp
