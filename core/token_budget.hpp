// Token budget logic: levels, checks, recommendations, what to summarise or prune, summaries.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/tokenizer.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

// -- levels ---------------------------------------------------------------------

/// How full a session's context is (PRODUCT.md 3.4), by used / available tokens.
enum class budget_level : uint8_t { normal, caution, warning, critical, overflow };

/// `normal`, `caution`, `warning`, `critical`, `overflow`.
const char* to_string(budget_level level);

/// The level of `used` tokens out of `available`. Each threshold starts its level (exactly 70 %
/// is caution). Computed in integers (thresholds in parts per million, rounded) so that the
/// boundaries do not depend on floating-point rounding. With nothing available, any use is
/// overflow.
budget_level level_of(size_t used, size_t available, const budget_thresholds& thresholds);

/// The fewest tokens out of `available` at which `level` starts (0 for normal).
size_t tokens_at(budget_level level, size_t available, const budget_thresholds& thresholds);

// -- status and checks ----------------------------------------------------------------

/// One session's budget at a moment.
struct budget_status {
  size_t max_tokens = 0;
  size_t reserved_tokens = 0;                ///< kept free for the answer
  size_t available = 0;                      ///< max_tokens - reserved_tokens
  size_t used = 0;                           ///< tokens of the session's live memory entries
  size_t reserved_by_reservations = 0;       ///< held by open reservations, not yet used
  size_t remaining = 0;                      ///< available - used - held, never below 0
  double percent = 0;                        ///< used / available * 100, for display
  budget_level level = budget_level::normal; ///< of `used`
  budget_thresholds thresholds;
};

/// The status of a session that uses `used` tokens while reservations hold `held` more.
budget_status make_status(const budget_config& cfg, size_t used, size_t held = 0);

/// What adding tokens would do.
struct budget_check {
  bool fits = false;          ///< used + held + tokens stays within the available tokens
  size_t used_after = 0;      ///< used + held + tokens
  budget_level level_after{}; ///< the level the session would reach
  bool changes_level = false; ///< level_after differs from the current level
  size_t remaining_after = 0; ///< available - used_after, never below 0
};

/// Whether `tokens` more fit the budget, counting tokens held by reservations as used.
budget_check check(const budget_status& status, size_t tokens);

/// The JSON object of a status (`sage budget --json`, HTTP and MCP answers): each field under
/// its own name, the level by name and the thresholds as shares of the available tokens.
nlohmann::json to_json(const budget_status& status);

/// The JSON object of a check: each field under its own name, the level by name.
nlohmann::json to_json(const budget_check& check);

/// Concrete advice for an assistant at `level`, a few lines, most important first.
std::vector<std::string> recommendations(budget_level level);

/// A short Markdown report: a heading with the level, a table of the numbers and the
/// recommendations. `session` (may be empty) names the session in the heading.
std::string render_status_markdown(const budget_status& status, std::string_view session = {});

// -- choosing entries to summarise or prune ---------------------------------------------------

/// What the budget logic needs to know of a memory entry (a summary of the stored entry).
struct budget_entry {
  std::string id;
  std::string type; ///< conversation | decision | context | summary | checkpoint | artifact
  int priority = 50;
  size_t tokens = 0;
  /// ISO 8601 UTC with milliseconds (`2024-05-01T12:00:00.000Z`), as the store writes it, so
  /// that text order is time order; ties are ordered by id.
  std::string created_at;
  bool is_summarized = false;
  std::string content;
};

/// Priorities of PRODUCT.md 3.4 as the budget logic reads them.
inline constexpr int ephemeral_priority = 10; ///< pruned first at overflow
inline constexpr int low_priority = 30;       ///< pruned after ephemeral ones
inline constexpr int normal_priority = 50;    ///< the highest priority that is summarised
inline constexpr int high_priority = 70;      ///< from here on never summarised nor pruned

/// Entries chosen to bring a session below a level, oldest first.
struct budget_selection {
  std::vector<std::string> ids; ///< in the order they were chosen
  size_t tokens = 0;            ///< tokens of the chosen entries
  size_t used_after = 0;        ///< usage once they are replaced or removed
  budget_level level_after{};
  bool enough = false; ///< used_after is below the target level (also when nothing is needed)
};

/// The oldest `conversation` and `context` entries of low or normal priority
/// (ephemeral_priority < priority <= normal_priority) that are not summarised yet, oldest first,
/// until replacing them by one summary of `summary_tokens` brings usage below `target`.
/// Ephemeral entries are left to pruning: they are not worth keeping in a summary. When even
/// all candidates are not enough, all are chosen as long as that lowers the usage, and
/// `enough` is false. Nothing is chosen when usage is already below `target`.
budget_selection pick_for_summary(const std::vector<budget_entry>& entries,
                                  const budget_status& status, size_t summary_tokens,
                                  budget_level target = budget_level::critical);

/// Ephemeral entries (priority <= ephemeral_priority), then low ones (<= low_priority), each
/// group oldest first, until removing them brings usage below `target`. Summarised entries and
/// entries of high priority or above are never chosen. `enough` is false when removing every
/// candidate still leaves usage at or above `target`.
budget_selection pick_for_prune(const std::vector<budget_entry>& entries,
                                const budget_status& status,
                                budget_level target = budget_level::critical);

// -- summaries --------------------------------------------------------------------------

/// An extractive summary of `contents`: their best sentences, one per line as `[i] sentence`
/// with `i` the index of the source text, in original order, within `max_tokens` as `counter`
/// counts the whole result. A sentence scores the mean frequency, over all texts, of its
/// lower-cased words that are not stop words. Deterministic: ties keep the earlier sentence.
/// Empty when no sentence fits.
std::string extractive_summary(const std::vector<std::string>& contents, size_t max_tokens,
                               const token_counter& counter);

/// The sentences of `text` as Unicode sentence boundaries (UAX #29, with abbreviations such as
/// "Mr." not ending a sentence) find them, trimmed, with line breaks inside made spaces.
std::vector<std::string> split_sentences(std::string_view text);

} // namespace sage::core
