// The handoff package of a session and its Markdown continuation prompt within a token budget.
// SPDX-License-Identifier: MIT
#include "core/handoff.hpp"

#include "core/timestamp.hpp"
#include "core/token_budget.hpp"
#include "core/utf8_repair.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <string_view>

namespace sage::core {

namespace {

using json = nlohmann::json;

// -- text helpers -----------------------------------------------------------------

std::string valid_utf8(std::string_view text) {
  return is_valid_utf8(text) ? std::string{text} : replace_invalid_utf8(text);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// `text` as valid UTF-8 on one line: runs of whitespace (line breaks too) become one space, so
/// that an item cannot break the Markdown list it sits in.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : valid_utf8(text)) {
    if (is_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

/// The lines of `text` without the `[i] ` source tags that `extractive_summary` writes.
std::vector<std::string> untagged_lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.size() > 2 && line.front() == '[') {
      auto close = line.find("] ");
      if (close != std::string_view::npos && close > 1 &&
          std::all_of(line.begin() + 1, line.begin() + static_cast<std::ptrdiff_t>(close),
                      [](char c) { return c >= '0' && c <= '9'; }))
        line.remove_prefix(close + 2);
    }
    if (!line.empty()) out.emplace_back(line);
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += (out.empty() ? "" : "\n") + l;
  return out;
}

constexpr std::string_view ellipsis = "…";

/// The longest prefix of `text` that ends on a code point boundary and, with "…" appended,
/// counts at most `max_tokens`; `text` itself when it fits whole. Empty when not even "…" fits.
/// Counts grow with the prefix almost, not exactly, monotonically: the binary search keeps a
/// prefix known to fit, so the result always fits.
std::string cut_to_tokens(const std::string& text, size_t max_tokens,
                          const token_counter& counter) {
  if (counter.count(text) <= max_tokens) return text;
  std::vector<size_t> bounds;
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) bounds.push_back(i);
  auto prefix = [&](size_t k) {
    std::string_view head{text.data(), bounds[k]};
    while (!head.empty() && is_space(head.back()))
      head.remove_suffix(1);
    return std::string{head} + std::string{ellipsis};
  };
  if (bounds.empty() || counter.count(prefix(0)) > max_tokens) return {};
  // No prefix that fits is longer than this unless tokens average over 32 bytes: the bound only
  // keeps the search over a huge text short; the result fits either way.
  auto limit = (max_tokens + 1) * 32;
  size_t lo = 0;
  size_t hi = bounds.size() - 1;
  if (text.size() > limit)
    hi = static_cast<size_t>(std::upper_bound(bounds.begin(), bounds.end(), limit) -
                             bounds.begin()) -
         1;
  while (lo < hi) {
    auto mid = lo + (hi - lo + 1) / 2;
    if (counter.count(prefix(mid)) <= max_tokens)
      lo = mid;
    else
      hi = mid - 1;
  }
  return prefix(lo);
}

/// At or above every priority, for the shrink steps that may take any item.
constexpr int any_priority = std::numeric_limits<int>::max();

/// An item is cut rather than left out only when at least this many of its tokens remain.
constexpr size_t min_kept_tokens = 12;

// -- making the package -------------------------------------------------------------

/// Priority first, then newest first; later entries first among equals.
void rank(std::vector<std::pair<const memory_entry*, size_t>>& items) {
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    if (a.first->priority != b.first->priority) return a.first->priority > b.first->priority;
    if (a.first->created_at != b.first->created_at)
      return a.first->created_at > b.first->created_at;
    return a.second > b.second;
  });
}

std::vector<handoff_item> items_of(const std::vector<std::pair<const memory_entry*, size_t>>& in) {
  std::vector<handoff_item> out;
  for (const auto& [e, index] : in)
    out.push_back({e->id, e->type, e->priority, valid_utf8(e->content), e->created_at});
  return out;
}

json to_json(const handoff_item& item) {
  return {{"id", item.entry_id},
          {"type", to_string(item.type)},
          {"priority", item.priority},
          {"content", item.content},
          {"created_at", item.created_at}};
}

// -- the draft that the renderer shrinks ---------------------------------------------

/// One line of a list; steps have no priority of their own.
struct draft_item {
  std::string text;
  int priority = priority_level::normal;
};
using draft_list = std::vector<draft_item>;

/// The package as it will be rendered: flattened text that the shrink steps cut down.
struct draft {
  std::string session_id;
  std::string task_id;
  std::string objective;
  int progress = 0;
  size_t done = 0;
  size_t total = 0;
  int64_t tokens_used = 0;
  draft_list completed;
  bool completed_omitted = false;
  draft_list pending;
  size_t pending_omitted = 0;
  std::string last_action;
  bool last_action_omitted = false;
  std::string last_result;
  bool last_result_omitted = false;
  draft_list decisions;
  size_t decisions_omitted = 0;
  draft_list context;
  size_t context_omitted = 0;
  std::vector<std::string> summary_source; ///< the package's summary sentences
  std::vector<std::string> summary;        ///< the sentences shown
  size_t summary_tokens = 0;               ///< tokens of the last summary made
  bool summary_shortened = false;
  bool summary_omitted = false;
};

draft_list draft_items(const std::vector<handoff_item>& items) {
  draft_list out;
  for (const auto& item : items)
    if (auto text = one_line(item.content); !text.empty()) out.push_back({text, item.priority});
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.priority > b.priority; });
  return out;
}

draft make_draft(const handoff_package& p, const token_counter& counter) {
  draft d;
  d.session_id = one_line(p.session_id);
  d.task_id = one_line(p.task_id);
  d.objective = one_line(p.objective);
  d.progress = std::clamp(p.progress_percent, 0, 100);
  d.done = p.completed_steps.size();
  d.total = p.completed_steps.size() + p.pending_steps.size();
  d.tokens_used = std::max<int64_t>(0, p.tokens_used);
  for (const auto& s : p.completed_steps)
    d.completed.push_back({one_line(s)});
  for (const auto& s : p.pending_steps)
    d.pending.push_back({one_line(s)});
  d.last_action = one_line(p.last_action);
  d.last_result = one_line(p.last_result);
  d.decisions = draft_items(p.key_decisions);
  d.context = draft_items(p.important_context);
  for (const auto& line : untagged_lines(valid_utf8(p.summary)))
    if (auto text = one_line(line); !text.empty()) d.summary_source.push_back(text);
  d.summary = d.summary_source;
  d.summary_tokens = counter.count(join_lines(d.summary));
  return d;
}

std::string plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string{n == 1 ? one : many};
}

/// A section with a list, and a line counting the items left out of it, if any.
void render_list(std::string& out, std::string_view heading, const draft_list& items, bool numbered,
                 size_t omitted = 0, std::string_view one = {}, std::string_view many = {}) {
  if (items.empty()) return;
  out += "\n## " + std::string{heading} + "\n\n";
  for (size_t i = 0; i < items.size(); ++i)
    out += (numbered ? std::to_string(i + 1) + ". " : std::string{"- "}) + items[i].text + "\n";
  if (omitted > 0)
    out += "_" + std::to_string(omitted) + " more " + std::string{omitted == 1 ? one : many} +
           " omitted_\n";
}

std::string render(const draft& d) {
  std::string out = "# Session handoff\n\n";
  out += "- Session: " + (d.session_id.empty() ? "(none)" : "`" + d.session_id + "`") + "\n";
  if (!d.task_id.empty()) out += "- Task: `" + d.task_id + "`\n";
  out += "- Objective: " + d.objective + "\n";
  out += "- Progress: " + std::to_string(d.progress) + "% (";
  out += d.total == 0
             ? std::string{"no steps planned"}
             : std::to_string(d.done) + " of " + plural(d.total, "step", "steps") + " done";
  out += ")\n- Tokens used: " + std::to_string(d.tokens_used) + "\n";

  render_list(out, "Completed steps", d.completed, false);
  render_list(out, "Pending steps", d.pending, true, d.pending_omitted, "step", "steps");
  if (!d.last_action.empty()) out += "\n## Last action\n\n" + d.last_action + "\n";
  if (!d.last_result.empty()) out += "\n## Last result\n\n" + d.last_result + "\n";
  render_list(out, "Key decisions", d.decisions, false, d.decisions_omitted, "decision",
              "decisions");
  render_list(out, "Important context", d.context, false, d.context_omitted, "context item",
              "context items");
  if (!d.summary.empty()) {
    out += "\n## Summary of earlier work\n\n";
    for (const auto& s : d.summary)
      out += "- " + s + "\n";
    if (d.summary_shortened) out += "_summary shortened to fit the token budget_\n";
  }

  // Parts left out whole are named in one line: cheaper than a heading each.
  std::vector<std::string> gone;
  if (d.summary_omitted) gone.emplace_back("summary");
  if (d.completed_omitted) gone.push_back("list of " + plural(d.done, "done step", "done steps"));
  if (d.pending.empty() && d.pending_omitted > 0)
    gone.push_back(plural(d.pending_omitted, "pending step", "pending steps"));
  if (d.last_action_omitted) gone.emplace_back("last action");
  if (d.last_result_omitted) gone.emplace_back("last result");
  if (d.decisions.empty() && d.decisions_omitted > 0)
    gone.push_back(plural(d.decisions_omitted, "decision", "decisions"));
  if (d.context.empty() && d.context_omitted > 0)
    gone.push_back(plural(d.context_omitted, "context item", "context items"));
  if (!gone.empty()) {
    out += "\n_Omitted to fit the token budget: ";
    for (size_t i = 0; i < gone.size(); ++i)
      out += (i == 0 ? "" : ", ") + gone[i];
    out += "._\n";
  }

  out += "\n---\n\n";
  // The same line whether or not pending steps were left out, so that leaving one out never
  // makes the text longer.
  if (!d.pending.empty() || d.pending_omitted > 0)
    out += "Continue from the pending steps, in order. Record each completed step and every new "
           "decision in the session.\n";
  else if (d.total == 0)
    out += "No steps are planned: work towards the objective and add the steps you take to the "
           "session.\n";
  else
    out += "All planned steps are done: check that the objective is met, then end the session.\n";
  return out;
}

// -- shrink steps ----------------------------------------------------------------------
// Each takes about `excess` tokens out of its part and returns false once it has nothing left to
// take. A step that returns true has made its part strictly smaller, so the loop ends.

bool shrink_summary(draft& d, size_t excess, const token_counter& counter) {
  if (d.summary.empty()) return false;
  if (d.summary_tokens > excess + min_kept_tokens) {
    auto text = extractive_summary(d.summary_source, d.summary_tokens - excess, counter);
    d.summary_tokens = counter.count(text);
    d.summary = untagged_lines(text);
    d.summary_shortened = true;
    if (!d.summary.empty()) return true;
  }
  d.summary.clear();
  d.summary_omitted = true;
  return true;
}

/// Cuts `text` when enough of it would remain, else clears it and returns false.
bool cut_or_clear(std::string& text, size_t excess, const token_counter& counter) {
  auto tokens = counter.count(text);
  if (tokens > excess + min_kept_tokens) {
    text = cut_to_tokens(text, tokens - excess, counter);
    return true;
  }
  text.clear();
  return false;
}

/// Shrinks the last (least valuable) item of `items` when its priority is at most `up_to`.
bool shrink_items(draft_list& items, size_t& omitted, int up_to, size_t excess,
                  const token_counter& counter) {
  if (items.empty() || items.back().priority > up_to) return false;
  if (!cut_or_clear(items.back().text, excess, counter)) {
    items.pop_back();
    ++omitted;
  }
  return true;
}

bool shrink_single(std::string& text, bool& omitted, size_t excess, const token_counter& counter) {
  if (text.empty()) return false;
  if (!cut_or_clear(text, excess, counter)) omitted = true;
  return true;
}

/// Cuts the objective and the pending steps that are longest down to one common length, the
/// largest that takes out `excess` tokens, never below `handoff_min_cut_tokens`: one huge step
/// must not push out the objective or the other steps, nor be cut alone while they stay long.
bool shrink_longest(draft& d, size_t excess, const token_counter& counter) {
  std::vector<std::string*> texts{&d.objective};
  for (auto& step : d.pending)
    texts.push_back(&step.text);
  std::vector<size_t> counts;
  for (const auto* text : texts)
    counts.push_back(counter.count(*text));
  auto longest = *std::max_element(counts.begin(), counts.end());
  if (longest <= handoff_min_cut_tokens) return false;
  auto taken = [&](size_t level) {
    size_t sum = 0;
    for (auto n : counts)
      sum += n > level ? n - level : 0;
    return sum;
  };
  // What a level takes falls as the level rises: find the highest that takes enough.
  size_t lo = handoff_min_cut_tokens;
  size_t hi = longest - 1;
  while (lo < hi) {
    auto mid = lo + (hi - lo + 1) / 2;
    if (taken(mid) >= excess)
      lo = mid;
    else
      hi = mid - 1;
  }
  for (size_t i = 0; i < texts.size(); ++i)
    if (counts[i] > lo) *texts[i] = cut_to_tokens(*texts[i], lo, counter);
  return true;
}

/// The smallest form of `d`: the header with the objective cut to its minimum, what was left out
/// and the closing line. Every budget that fits it renders.
draft header_only(draft d, const token_counter& counter) {
  d.summary_omitted = d.summary_omitted || !d.summary.empty();
  d.summary.clear();
  d.completed_omitted = d.completed_omitted || !d.completed.empty();
  d.completed.clear();
  for (auto [list, omitted] : {std::pair{&d.pending, &d.pending_omitted},
                               {&d.decisions, &d.decisions_omitted},
                               {&d.context, &d.context_omitted}}) {
    *omitted += list->size();
    list->clear();
  }
  for (auto [text, omitted] : {std::pair{&d.last_action, &d.last_action_omitted},
                               {&d.last_result, &d.last_result_omitted}}) {
    *omitted = *omitted || !text->empty();
    text->clear();
  }
  d.objective = cut_to_tokens(d.objective, handoff_min_cut_tokens, counter);
  return d;
}

} // namespace

// -- public ---------------------------------------------------------------------------

int progress_percent(const session& s) {
  if (s.steps.empty()) return s.status == session_status::ended ? 100 : 0;
  auto done = static_cast<size_t>(
      std::count_if(s.steps.begin(), s.steps.end(), [](const auto& step) { return step.done; }));
  return static_cast<int>(done * 100 / s.steps.size());
}

handoff_package make_handoff(const session& s, const std::vector<memory_entry>& entries,
                             int64_t tokens_used, const token_counter& counter) {
  handoff_package p;
  p.session_id = s.id;
  p.task_id = s.task_id;
  p.objective = valid_utf8(s.objective);
  for (const auto& step : s.steps)
    (step.done ? p.completed_steps : p.pending_steps).push_back(valid_utf8(step.text));
  p.last_action = valid_utf8(s.last_action);
  p.last_result = valid_utf8(s.last_result);
  p.progress_percent = progress_percent(s);
  p.tokens_used = std::max<int64_t>(0, tokens_used);
  p.created_at = now_timestamp();

  std::vector<std::pair<const memory_entry*, size_t>> decisions;
  std::vector<std::pair<const memory_entry*, size_t>> context;
  std::vector<std::pair<const memory_entry*, size_t>> prose;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.is_summarized) continue;
    switch (e.type) {
    case memory_type::decision:
      decisions.emplace_back(&e, i);
      break;
    case memory_type::context:
    case memory_type::artifact:
      if (e.priority >= priority_level::high)
        context.emplace_back(&e, i);
      else if (e.type == memory_type::context)
        prose.emplace_back(&e, i);
      break;
    case memory_type::conversation:
      (e.priority >= priority_level::critical ? context : prose).emplace_back(&e, i);
      break;
    case memory_type::summary:
      prose.emplace_back(&e, i);
      break;
    case memory_type::checkpoint:
      break;
    }
  }
  rank(decisions);
  rank(context);
  p.key_decisions = items_of(decisions);
  p.important_context = items_of(context);

  std::stable_sort(prose.begin(), prose.end(), [](const auto& a, const auto& b) {
    return a.first->created_at < b.first->created_at;
  });
  std::vector<std::string> contents;
  for (const auto& [e, index] : prose)
    contents.push_back(valid_utf8(e->content));
  p.summary =
      join_lines(untagged_lines(extractive_summary(contents, handoff_summary_tokens, counter)));
  return p;
}

nlohmann::json to_json(const handoff_package& p) {
  json decisions = json::array();
  for (const auto& item : p.key_decisions)
    decisions.push_back(to_json(item));
  json context = json::array();
  for (const auto& item : p.important_context)
    context.push_back(to_json(item));
  return {{"session_id", p.session_id},
          {"task_id", p.task_id},
          {"objective", p.objective},
          {"summary", p.summary},
          {"completed_steps", p.completed_steps},
          {"pending_steps", p.pending_steps},
          {"key_decisions", std::move(decisions)},
          {"important_context", std::move(context)},
          {"last_action", p.last_action},
          {"last_result", p.last_result},
          {"progress_percent", p.progress_percent},
          {"tokens_used", p.tokens_used},
          {"created_at", p.created_at}};
}

result<std::string> render_handoff_markdown(const handoff_package& p, size_t max_tokens,
                                            const token_counter& counter) {
  auto d = make_draft(p, counter);
  auto floor_text = render(header_only(d, counter));
  auto floor = counter.count(floor_text);

  // The shrink steps, least valuable part first (see the header).
  using step = std::function<bool(size_t)>;
  const std::vector<step> steps{
      [&](size_t x) { return shrink_summary(d, x, counter); },
      [&](size_t x) {
        return shrink_items(d.context, d.context_omitted, priority_level::critical - 1, x, counter);
      },
      [&](size_t) {
        if (d.completed.empty()) return false;
        d.completed.clear();
        d.completed_omitted = true;
        return true;
      },
      [&](size_t x) {
        return shrink_items(d.decisions, d.decisions_omitted, priority_level::critical - 1, x,
                            counter);
      },
      [&](size_t x) { return shrink_single(d.last_result, d.last_result_omitted, x, counter); },
      [&](size_t x) { return shrink_single(d.last_action, d.last_action_omitted, x, counter); },
      [&](size_t x) {
        return shrink_items(d.context, d.context_omitted, any_priority, x, counter);
      },
      [&](size_t x) {
        return shrink_items(d.decisions, d.decisions_omitted, any_priority, x, counter);
      },
      [&](size_t x) { return shrink_longest(d, x, counter); },
      [&](size_t x) {
        return shrink_items(d.pending, d.pending_omitted, any_priority, x, counter);
      },
  };
  auto text = render(d);
  auto tokens = counter.count(text);
  for (const auto& shrink : steps) {
    while (tokens > max_tokens && shrink(tokens - max_tokens)) {
      text = render(d);
      tokens = counter.count(text);
    }
  }
  if (tokens <= max_tokens) return text;
  // Counts of the parts do not add up exactly, so a path of cuts can end just above a budget
  // that the header form fits.
  if (floor <= max_tokens) return floor_text;
  // A path of cuts that keeps a part can be shorter than the header form (which names every
  // part it left out), so some budgets below `floor` render; `floor` is the one that always does.
  return make_error(error_code::invalid_argument,
                    "failed to fit the session handoff into " + std::to_string(max_tokens) +
                        " tokens: its header needs up to " + std::to_string(floor),
                    "ask for at least " + std::to_string(floor) + " tokens");
}

} // namespace sage::core
