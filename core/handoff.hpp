// The handoff package of a session and its Markdown continuation prompt within a token budget.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"
#include "core/memory_types.hpp"
#include "core/session_store.hpp"
#include "core/tokenizer.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sage::core {

// -- the package ----------------------------------------------------------------

/// A decision or piece of context carried into the next session word for word. Keeps the
/// priority and time of its memory entry so that the renderer can leave out the least valuable
/// items first.
struct handoff_item {
  std::string entry_id;
  memory_type type = memory_type::context;
  int priority = priority_level::normal;
  std::string content;
  std::string created_at;

  friend bool operator==(const handoff_item&, const handoff_item&) = default;
};

/// What the next session (or another assistant) needs to carry on with the work of a session
/// (PRODUCT.md 3.4). A plain value: made by `make_handoff`, rendered by
/// `render_handoff_markdown`, exchanged as `to_json`.
struct handoff_package {
  std::string session_id;
  std::string task_id;
  std::string objective;
  /// An extractive summary of the session's conversation, ordinary context and earlier
  /// summaries, one sentence a line (no `[i]` source tags); empty when there was nothing.
  std::string summary;
  std::vector<std::string> completed_steps;    ///< in plan order
  std::vector<std::string> pending_steps;      ///< in plan order
  std::vector<handoff_item> key_decisions;     ///< highest priority first, then newest first
  std::vector<handoff_item> important_context; ///< highest priority first, then newest first
  std::string last_action;
  std::string last_result;
  int progress_percent = 0; ///< see `progress_percent(const session&)`
  int64_t tokens_used = 0;  ///< the session's usage when the package was made
  std::string created_at;   ///< when the package was made (ISO 8601 UTC, milliseconds)

  friend bool operator==(const handoff_package&, const handoff_package&) = default;
};

/// Most tokens `make_handoff` gives the summary; the renderer shrinks it further to fit.
inline constexpr size_t handoff_summary_tokens = 600;

/// The share of done steps in percent, rounded down, so that 100 means every step is done.
/// A session without steps has no measurable progress: 0 while it is active and 100 once it has
/// ended (its work is over, whatever it was).
int progress_percent(const session& s);

/// The handoff package of `s` from its live memory `entries` (those not summarised; summarised
/// ones are skipped should any be passed) and its usage `tokens_used` (negative counts as 0).
/// - key decisions: every `decision` entry;
/// - important context: `context` and `artifact` entries of high priority or above, and
///   `conversation` entries of critical priority or above (pinned by someone, too important to
///   leave to the summary);
/// - summary: an extractive summary (`extractive_summary`, at most `handoff_summary_tokens`)
///   of the other `conversation`, `context` and `summary` entries, oldest first. Lower-priority
///   artifacts and `checkpoint` entries are left out: they are not prose worth summarising, and
///   checkpoints restate the session that the package already carries.
/// Decisions and context are ordered by priority, then newest first (ties keep the later entry
/// of `entries` first). Text that is not valid UTF-8 is repaired (U+FFFD). `created_at` is the
/// current time, the only field that does not follow from the arguments.
handoff_package make_handoff(const session& s, const std::vector<memory_entry>& entries,
                             int64_t tokens_used, const token_counter& counter);

/// The JSON object of a package (`sage session handoff --json`, MCP results).
nlohmann::json to_json(const handoff_package& p);

// -- the continuation prompt ------------------------------------------------------

/// Tokens the objective and each pending step keep at least while the renderer cuts them down:
/// the header must still say what the work is about, a step what it is.
inline constexpr size_t handoff_min_cut_tokens = 32;

/// The package as a Markdown continuation prompt: a `# Session handoff` heading with the session
/// id, task, objective, progress and tokens used, then the completed and pending steps, last
/// action and result, key decisions, important context and the summary, and a closing
/// instruction. The whole text counts at most `max_tokens` with `counter`.
///
/// When the full text is too large, the least valuable parts give way first:
///  1. the summary is re-summarised to fewer sentences, then dropped;
///  2. context items below critical priority, lowest priority and oldest first;
///  3. the list of completed steps (the header still gives their count);
///  4. decisions below critical priority, lowest priority and oldest first;
///  5. the last result, then the last action;
///  6. the remaining (critical and permanent) context items, then decisions;
///  7. the longest of the objective and the pending steps are cut to a common length, down to
///     `handoff_min_cut_tokens` (a huge step or objective must not crowd out the others);
///  8. pending steps, from the last one backwards (the first pending step goes last).
/// An item about to go is cut instead (on a UTF-8 boundary, ending in "…") when cutting it is
/// enough and leaves a useful part of it. Items left out are named in the text ("3 more
/// decisions omitted", "Omitted to fit the token budget: …"). Items of equal priority
/// keep the package's order. Deterministic: the same package, budget and counter give the same
/// text.
///
/// The hard minimum is the header form: the header with the objective cut to its minimum, the
/// line naming everything left out and the closing line. Every budget of at least its count
/// renders; a smaller one is an `invalid_argument` error whose message and hint name it.
result<std::string> render_handoff_markdown(const handoff_package& p, size_t max_tokens,
                                            const token_counter& counter);

} // namespace sage::core
