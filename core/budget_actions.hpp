// What the budget does to a session's memory: its status, level changes, summaries and pruning.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"
#include "core/token_budget.hpp"
#include "core/tokenizer.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sage::core {

using budget_time_point = std::chrono::system_clock::time_point;

// -- status and level changes -----------------------------------------------------------

/// The budget of a session now: the tokens of its live (not summarised) entries as used, and
/// the tokens of its unexpired held reservations as held.
result<budget_status> session_budget(memory_db& db, const budget_config& cfg,
                                     const std::string& session_id, budget_time_point now);

/// A level observation against the one stored before it.
struct level_change {
  /// The level stored before; `normal` when none was stored, so a new session first seen at
  /// normal is no change and one first seen at critical is a change from normal.
  budget_level previous = budget_level::normal;
  budget_level current = budget_level::normal;
  bool changed = false; ///< previous != current: publish `budget.level_changed` once
};

/// Stores `level` as the session's level and returns what was stored before. A stored level
/// equal to `level` is found by a plain read, without the write lock (the usual case after a
/// write); otherwise the read and the write are one IMMEDIATE transaction, so when several
/// processes observe the same change exactly one of them sees `changed`. The row is written
/// only when the level changes (or none was stored); its `updated_at` (from `now`) is when the
/// session entered the level. Not to be called inside a transaction.
result<level_change> record_level(memory_db& db, const std::string& session_id, budget_level level,
                                  budget_time_point now = std::chrono::system_clock::now());

// -- summarising ------------------------------------------------------------------------

/// A summary gets a quarter of the tokens it replaces, at least `min_summary_tokens` (so that a
/// sentence fits) and at most `max_summary_tokens`; the selection is made knowing that size.
inline constexpr size_t summary_share_divisor = 4;
inline constexpr size_t min_summary_tokens = 16;
inline constexpr size_t max_summary_tokens = 2000;

/// The tag of the summaries written by `summarise_session`.
inline constexpr const char* auto_summary_tag = "auto-summary";

/// What `summarise_session` did.
struct summary_outcome {
  std::optional<memory_entry> summary;   ///< the new summary entry; none when nothing was done
  std::vector<std::string> replaced_ids; ///< now summarised, oldest first; the summary_of
  size_t tokens_before = 0;              ///< usage before
  size_t tokens_after = 0;               ///< usage after, the summary included
  budget_level level_before = budget_level::normal;
  budget_level level_after = budget_level::normal;
  bool enough = false; ///< usage is now below critical (also when nothing was needed)
};

/// Replaces the session's oldest low and normal priority conversation and context entries by
/// one `summary` entry until usage is below critical (`pick_for_summary`); does nothing when it
/// already is. The summary is an extractive summary whose line `[i] …` quotes `summary_of[i]`,
/// counted by `counter`; it has normal priority, the session, the task id the originals share
/// (else none), the tag `auto-summary` and metadata `reason` and `replaced_tokens`. The
/// originals stay stored, marked `is_summarized`, and no longer count as used. Reading,
/// choosing and writing happen in one IMMEDIATE transaction, so concurrent calls never
/// summarise an entry twice.
result<summary_outcome> summarise_session(memory_db& db, const budget_config& cfg,
                                          const token_counter& counter,
                                          const std::string& session_id, budget_time_point now);

// -- pruning ----------------------------------------------------------------------------

/// What `prune_for_budget` did.
struct prune_outcome {
  std::vector<std::string> deleted_ids; ///< in the order they were chosen
  size_t tokens_before = 0;
  size_t tokens_after = 0;
  budget_level level_before = budget_level::normal;
  budget_level level_after = budget_level::normal;
  bool enough = false; ///< usage is now below critical (also when nothing was needed)
};

/// Deletes the session's ephemeral, then low priority live entries, oldest first, until usage
/// is below critical (`pick_for_prune`); high priority and above are never deleted. Does
/// nothing when usage is already below critical. One IMMEDIATE transaction; the full-text
/// index follows the deletions.
result<prune_outcome> prune_for_budget(memory_db& db, const budget_config& cfg,
                                       const std::string& session_id, budget_time_point now);

} // namespace sage::core
