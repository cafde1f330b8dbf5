// CLI commands over working sessions and their token budget: session start, resume, update,
// checkpoint, handoff, end, status, and budget.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"
#include "services/cli/memory_support.hpp"

#include "actors/memory_json.hpp"

#include "core/session_store.hpp"
#include "core/token_budget.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>
#include <tuple>

namespace sage::services::cli {
namespace {

constexpr const char* session_hint = "run `sage session status` to list sessions";
constexpr const char* checkpoint_hint =
    "run `sage session status SESSION_ID` to list the checkpoints of a session";

core::error invalid(std::string message, std::string hint) {
  return core::make_error(core::error_code::invalid_argument, std::move(message), std::move(hint));
}

std::optional<core::error> check_session_id(const std::string& id) {
  return check_uuid(id, "session id", session_hint);
}

std::optional<core::error> check_step(const std::string& text) {
  if (auto err = check_not_blank(text, "session step", "describe each step in a few words"))
    return err;
  return check_utf8(text, "session step");
}

/// Used as a share of available, in tenths of a percent rounded down (so 69.99 % never shows
/// as 70.0 %), like the Markdown report.
std::string percent_of(size_t used, size_t available) {
  if (available == 0) return used == 0 ? "0.0" : "100.0";
  auto tenths = static_cast<unsigned __int128>(used) * 1000 / available;
  return std::to_string(static_cast<size_t>(tenths / 10)) + "." +
         std::to_string(static_cast<size_t>(tenths % 10));
}

size_t done_steps(const core::session& s) {
  size_t n = 0;
  for (const auto& step : s.steps)
    n += step.done ? 1 : 0;
  return n;
}

/// A session for people: its fields, then its steps numbered from 0 as `--complete-step`
/// takes them.
void print_session(const output& out, const core::session& s) {
  auto field = [&](const std::string& name, const std::string& value) {
    if (value.empty()) return;
    std::cout << out.dim(name + std::string(14 - std::min<size_t>(13, name.size()), ' ')) << value
              << '\n';
  };
  field("session", s.id + "  (" + core::to_string(s.status) + ")");
  field("objective", s.objective);
  field("task", s.task_id);
  if (!s.steps.empty())
    field("progress",
          std::to_string(done_steps(s)) + " of " + std::to_string(s.steps.size()) + " steps done");
  field("last action", s.last_action);
  field("last result", s.last_result);
  field("resumed from", s.resumed_from);
  field("created", s.created_at);
  field("updated", s.updated_at);
  field("ended", s.ended_at);
  if (s.steps.empty()) return;
  std::cout << out.bold("steps") << '\n';
  for (size_t i = 0; i < s.steps.size(); ++i)
    std::cout << "  " << i << "  " << (s.steps[i].done ? "[x] " : "[ ] ") << s.steps[i].text
              << '\n';
}

int print_session_result(const output& out, const core::session& s) {
  if (out.json())
    out.print_json(core::to_json(s));
  else
    print_session(out, s);
  return ok;
}

} // namespace

int run_session_start(session& s, const output& out, const session_args& a) {
  if (auto err = check_not_blank(a.objective, "session objective",
                                 "say in one sentence what the session is meant to achieve, e.g. "
                                 "`sage session start \"add retries to the HTTP client\"`"))
    return out.fail(*err);
  if (auto err = check_utf8(a.objective, "session objective")) return out.fail(*err);
  if (auto err = check_utf8(a.task_id, "task id")) return out.fail(*err);
  for (const auto& step : a.steps)
    if (auto err = check_step(step)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto started = (*rt)->calls().session_start({a.objective, a.steps, a.task_id, {}});
  if (!started) return out.fail(started.err());
  if (out.json()) {
    out.print_json(core::to_json(*started));
    return ok;
  }
  std::cout << started->id << '\n';
  out.note(out.dim("-- started a session with " + count_of(started->steps.size(), "step", "steps") +
                   "; record progress with `sage session update " + started->id + " …`"));
  return ok;
}

int run_session_resume(session& s, const output& out, const session_args& a) {
  if (auto err = check_uuid(a.id, "checkpoint id", checkpoint_hint)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto restored = (*rt)->calls().session_start({{}, {}, {}, a.id});
  if (!restored) return out.fail(restored.err());
  if (out.json()) return print_session_result(out, *restored);
  print_session(out, *restored);
  out.note(out.dim("-- restored the session and its memory entries to checkpoint " + a.id));
  return ok;
}

int run_session_update(session& s, const output& out, const session_args& a) {
  if (auto err = check_session_id(a.id)) return out.fail(*err);
  core::session_change change;
  if (a.complete_step) {
    const auto& step = *a.complete_step;
    size_t index = 0;
    auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), index);
    if (!step.empty() && ec == std::errc{} && end == step.data() + step.size())
      change.complete_step = index;
    else if (auto err = check_step(step))
      return out.fail(*err);
    else
      change.complete_step_text = step;
  }
  for (auto [text, target, what] : {std::tuple{&a.action, &change.last_action, "--action"},
                                    std::tuple{&a.result, &change.last_result, "--result"},
                                    std::tuple{&a.decision, &change.decision, "--decision"},
                                    std::tuple{&a.context, &change.context, "--context"}}) {
    if (!*text) continue;
    if (auto err = check_utf8(**text, what)) return out.fail(*err);
    *target = **text;
  }
  for (auto [text, what] :
       {std::pair{&change.decision, "decision"}, std::pair{&change.context, "context"}})
    if (*text)
      if (auto err = check_not_blank(**text, what, "give the text to remember"))
        return out.fail(*err);
  for (const auto& step : a.steps)
    if (auto err = check_step(step)) return out.fail(*err);
  bool changes = change.complete_step || change.complete_step_text || change.last_action ||
                 change.last_result || change.decision || change.context;
  if (!changes && a.steps.empty())
    return out.fail(invalid("nothing to update", "give --complete-step, --action, --result, "
                                                 "--decision, --context or --add-step"));
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto& calls = (*rt)->calls();
  auto current =
      changes ? calls.session_update(a.id, std::move(change)) : calls.session_status(a.id);
  if (!current) return out.fail(current.err());
  for (const auto& step : a.steps) {
    current = calls.session_add_step(a.id, step);
    if (!current) return out.fail(current.err());
  }
  return print_session_result(out, *current);
}

int run_session_checkpoint(session& s, const output& out, const session_args& a) {
  if (auto err = check_session_id(a.id)) return out.fail(*err);
  if (auto err = check_utf8(a.label, "checkpoint label")) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto cp = (*rt)->calls().checkpoint(a.id, a.label);
  if (!cp) return out.fail(cp.err());
  if (out.json()) {
    out.print_json(actors::to_json(*cp));
    return ok;
  }
  std::cout << cp->id << '\n';
  out.note(out.dim("-- checkpoint of " + count_of(cp->entries, "entry", "entries") + ", " +
                   std::to_string(cp->tokens) +
                   " tokens; bring it back with `sage session resume " + cp->id + "`"));
  return ok;
}

int run_session_handoff(session& s, const output& out, const session_args& a) {
  if (auto err = check_session_id(a.id)) return out.fail(*err);
  if (a.max_tokens < 1)
    return out.fail(
        invalid("--max-tokens must be a positive number of tokens", "e.g. --max-tokens 2000"));
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto h = (*rt)->calls().handoff(a.id, static_cast<uint64_t>(a.max_tokens));
  if (!h) return out.fail(h.err());
  if (out.json()) {
    auto j = actors::to_json(*h);
    j["max_tokens"] = a.max_tokens;
    out.print_json(j);
    return ok;
  }
  std::cout << h->markdown << (h->markdown.ends_with('\n') ? "" : "\n");
  out.note(out.dim("-- handoff of " + std::to_string(h->tokens) + " tokens (at most " +
                   std::to_string(a.max_tokens) + ")"));
  return ok;
}

int run_session_end(session& s, const output& out, const session_args& a) {
  if (auto err = check_session_id(a.id)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto ended = (*rt)->calls().session_end(a.id);
  if (!ended) return out.fail(ended.err());
  return print_session_result(out, *ended);
}

int run_session_status(session& s, const output& out, const session_args& a) {
  if (a.id.empty()) {
    auto rt = s.open();
    if (!rt) return out.fail(rt.err());
    auto list = (*rt)->calls().sessions(a.status == "all" ? "" : a.status);
    if (!list) return out.fail(list.err());
    if (out.json()) {
      auto sessions = nlohmann::json::array();
      for (const auto& x : *list)
        sessions.push_back(core::to_json(x));
      out.print_json({{"sessions", std::move(sessions)}, {"count", list->size()}});
      return ok;
    }
    if (list->empty()) {
      out.note("no sessions; start one with `sage session start \"objective\"`");
      return ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& x : *list)
      rows.push_back({x.id, core::to_string(x.status),
                      std::to_string(done_steps(x)) + "/" + std::to_string(x.steps.size()),
                      short_time(x.updated_at), preview(x.objective, 48)});
    out.table({"id", "status", "steps", "updated", "objective"}, rows);
    return ok;
  }
  if (auto err = check_session_id(a.id)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto& calls = (*rt)->calls();
  auto found = calls.session_status(a.id);
  if (!found) return out.fail(found.err());
  auto checkpoints = calls.checkpoints(a.id);
  if (!checkpoints) return out.fail(checkpoints.err());
  auto budget = calls.budget_status(a.id);
  if (!budget) return out.fail(budget.err());
  if (out.json()) {
    auto cps = nlohmann::json::array();
    for (const auto& cp : *checkpoints)
      cps.push_back(actors::to_json(cp));
    out.print_json({{"session", core::to_json(*found)},
                    {"checkpoints", std::move(cps)},
                    {"budget", actors::to_json(*budget)}});
    return ok;
  }
  print_session(out, *found);
  const auto& b = budget->status;
  std::cout << out.bold("budget") << "  " << b.used << " of " << b.available << " tokens ("
            << percent_of(b.used, b.available) << " %), " << core::to_string(b.level) << '\n';
  if (checkpoints->empty()) return ok;
  std::cout << out.bold("checkpoints") << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const auto& cp : *checkpoints)
    rows.push_back({cp.id, short_time(cp.created_at), std::to_string(cp.entries),
                    std::to_string(cp.tokens), cp.label});
  out.table({"id", "created", "entries", "tokens", "label"}, rows);
  return ok;
}

int run_budget(session& s, const output& out, const session_args& a) {
  if (a.check && a.session_id.empty())
    return out.fail(
        invalid("--check needs --session", "e.g. sage budget --session ID --check 500"));
  if (a.check && *a.check < 0)
    return out.fail(invalid("--check must be a number of tokens, 0 or more", "e.g. --check 500"));
  if (!a.session_id.empty())
    if (auto err = check_session_id(a.session_id)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto& calls = (*rt)->calls();
  if (a.session_id.empty()) {
    auto active = calls.sessions("active");
    if (!active) return out.fail(active.err());
    auto list = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& x : *active) {
      auto report = calls.budget_status(x.id);
      if (!report) return out.fail(report.err());
      const auto& b = report->status;
      list.push_back({{"session_id", x.id},
                      {"objective", x.objective},
                      {"level", core::to_string(b.level)},
                      {"status", core::to_json(b)}});
      rows.push_back({x.id, std::to_string(b.used), std::to_string(b.available),
                      percent_of(b.used, b.available) + " %", core::to_string(b.level),
                      preview(x.objective, 40)});
    }
    if (out.json()) {
      out.print_json({{"sessions", std::move(list)}, {"count", rows.size()}});
      return ok;
    }
    if (rows.empty()) {
      out.note("no active sessions; start one with `sage session start \"objective\"`");
      return ok;
    }
    out.table({"session", "used", "available", "share", "level", "objective"}, rows);
    return ok;
  }
  if (auto found = calls.session_status(a.session_id); !found) return out.fail(found.err());
  if (a.check) {
    auto c = calls.budget_check(a.session_id, static_cast<uint64_t>(*a.check));
    if (!c) return out.fail(c.err());
    // Not fitting is an answer, not a failure; it exits 4 so that a script can test it.
    int code = c->fits ? ok : degraded;
    if (out.json()) {
      auto j = core::to_json(*c);
      j["session_id"] = a.session_id;
      j["tokens"] = *a.check;
      out.print_json(j);
      return code;
    }
    std::cout << (c->fits ? "fits" : "does not fit") << ": " << *a.check << " more tokens make "
              << c->used_after << ", " << c->remaining_after << " remaining, level "
              << core::to_string(c->level_after) << (c->changes_level ? " (a change)" : "") << '\n';
    return code;
  }
  auto report = calls.budget_status(a.session_id);
  if (!report) return out.fail(report.err());
  if (out.json())
    out.print_json(actors::to_json(*report));
  else
    std::cout << report->markdown << (report->markdown.ends_with('\n') ? "" : "\n");
  return ok;
}

} // namespace sage::services::cli
