// What the budget does to a session's memory: status, level records, summaries and pruning.
// SPDX-License-Identifier: MIT
#include "core/budget_actions.hpp"

#include "core/reservation_store.hpp"
#include "core/timestamp.hpp"
#include "core/uuid.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

namespace sage::core {

namespace {

using nlohmann::json;

/// Summaries and pruning stop once usage is below this level (PRODUCT.md 3.4).
constexpr budget_level target_level = budget_level::critical;

/// Rounds of sizing the summary against the entries it replaces (see `size_summary`).
constexpr int max_sizing_rounds = 16;

result<budget_level> parse_level(const std::string& text) {
  for (auto level : {budget_level::normal, budget_level::caution, budget_level::warning,
                     budget_level::critical, budget_level::overflow})
    if (text == to_string(level)) return level;
  return make_error(error_code::parse, "failed to read budget level `" + text + "`",
                    "the memory database was changed outside sage; delete the row from "
                    "budget_levels to start over at normal");
}

/// The session's live entries without their content, oldest first. `+` keeps SQLite off the
/// (session_id, is_summarized) index so it walks (session_id, created_at) in order: a session's
/// rows only, however many other sessions the database holds.
result<std::vector<budget_entry>> live_entries(memory_db& db, const std::string& session_id) {
  auto st = db.connection().prepare(
      "SELECT m.id, m.type, m.priority, m.tokens, m.created_at FROM memory_entries m "
      "WHERE m.session_id = ? AND +m.is_summarized = 0 ORDER BY m.created_at, m.seq");
  if (!st) return st.err();
  st->bind(1, session_id);
  std::vector<budget_entry> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    budget_entry e;
    e.id = st->column_text(0);
    e.type = st->column_text(1);
    e.priority = static_cast<int>(st->column_int(2));
    e.tokens = static_cast<size_t>(std::max<int64_t>(st->column_int(3), 0));
    e.created_at = st->column_text(4);
    out.push_back(std::move(e));
  }
  return out;
}

struct original {
  std::string content;
  std::string task_id;
};

/// Content and task id of the entries with `ids`.
result<std::map<std::string, original>> originals_of(memory_db& db,
                                                     const std::vector<std::string>& ids) {
  auto st = db.connection().prepare("SELECT m.id, m.content, m.task_id FROM memory_entries m "
                                    "WHERE m.id IN (SELECT value FROM json_each(?))");
  if (!st) return st.err();
  st->bind(1, json(ids).dump());
  std::map<std::string, original> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    out[st->column_text(0)] = original{st->column_text(1), st->column_text(2)};
  }
  return out;
}

/// The tokens a summary of `replaced` tokens may take.
size_t summary_allowance(size_t replaced) {
  return std::clamp(replaced / summary_share_divisor, min_summary_tokens, max_summary_tokens);
}

struct sized_selection {
  budget_selection selection;
  size_t summary_tokens = 0; ///< the allowance the selection was made with
};

/// The selection and the summary allowance that fit each other: the allowance depends on the
/// tokens chosen, and the choice on the allowance. Starting from the smallest allowance, each
/// round grows it to what the last choice earns; it stops when it would not grow (the last
/// choice was made with an allowance it earns, so the summary never exceeds its share).
sized_selection size_summary(const std::vector<budget_entry>& entries,
                             const budget_status& status) {
  sized_selection s;
  s.summary_tokens = min_summary_tokens;
  s.selection = pick_for_summary(entries, status, s.summary_tokens, target_level);
  for (int round = 0; round < max_sizing_rounds; ++round) {
    auto earned = summary_allowance(s.selection.tokens);
    if (earned <= s.summary_tokens) break;
    auto next = pick_for_summary(entries, status, earned, target_level);
    if (next.ids.empty()) break;
    s.summary_tokens = earned;
    s.selection = std::move(next);
  }
  return s;
}

/// `[0] ` and the longest start of the first sentence of `text` that fits `max_tokens` with an
/// ellipsis; for a summary in which no whole sentence fits. Cut at code point boundaries.
std::string truncated_first_sentence(const std::string& text, size_t max_tokens,
                                     const token_counter& counter) {
  auto sentences = split_sentences(text);
  if (sentences.empty()) return {};
  const auto& sentence = sentences.front();
  std::vector<size_t> cuts; // code point boundaries
  for (size_t i = 0; i <= sentence.size(); ++i)
    if (i == sentence.size() || (static_cast<unsigned char>(sentence[i]) & 0xC0) != 0x80)
      cuts.push_back(i);
  auto line = [&](size_t cut) { return "[0] " + sentence.substr(0, cut) + "\u2026"; };
  if (counter.count(line(0)) > max_tokens) return {};
  size_t lo = 0; // index into cuts that fits
  size_t hi = cuts.size() - 1;
  while (lo < hi) {
    auto mid = lo + (hi - lo + 1) / 2;
    if (counter.count(line(cuts[mid])) <= max_tokens)
      lo = mid;
    else
      hi = mid - 1;
  }
  return line(cuts[lo]);
}

/// The summary entry replacing `ids` (oldest first) of the session.
memory_entry make_summary(const std::string& session_id, const std::vector<std::string>& ids,
                          const std::map<std::string, original>& originals, size_t replaced_tokens,
                          size_t max_tokens, const token_counter& counter, budget_time_point now) {
  std::vector<std::string> contents;
  std::set<std::string> task_ids;
  for (const auto& id : ids) {
    auto it = originals.find(id);
    contents.push_back(it == originals.end() ? std::string{} : it->second.content);
    task_ids.insert(it == originals.end() ? std::string{} : it->second.task_id);
  }
  memory_entry e;
  e.id = new_uuid();
  e.type = memory_type::summary;
  e.priority = priority_level::normal;
  e.content = extractive_summary(contents, max_tokens, counter);
  if (e.content.empty() && !contents.empty())
    e.content = truncated_first_sentence(contents.front(), max_tokens, counter);
  e.tokens = static_cast<int64_t>(counter.count(e.content));
  e.session_id = session_id;
  if (task_ids.size() == 1) e.task_id = *task_ids.begin();
  e.tags = {auto_summary_tag};
  e.metadata = {{"reason", "budget critical"}, {"replaced_tokens", replaced_tokens}};
  e.created_at = format_timestamp(now);
  e.updated_at = e.created_at;
  e.summary_of = ids;
  return e;
}

error lost_entries(const char* what, const std::string& session_id) {
  return make_error(error_code::internal,
                    std::string("failed to ") + what +
                        ": chosen entries changed inside the transaction, session=" + session_id,
                    "nothing was changed; try again");
}

/// Usage and level of the session now, within the caller's transaction.
result<std::pair<size_t, budget_level>> usage_now(memory_db& db, const budget_config& cfg,
                                                  const std::string& session_id) {
  auto used = db.usage(session_id);
  if (!used) return used.err();
  auto status = make_status(cfg, static_cast<size_t>(std::max<int64_t>(*used, 0)));
  return std::pair{status.used, status.level};
}

} // namespace

// -- status and level changes -----------------------------------------------------------

result<budget_status> session_budget(memory_db& db, const budget_config& cfg,
                                     const std::string& session_id, budget_time_point now) {
  auto used = db.usage(session_id);
  if (!used) return used.err();
  auto held = reservation_store{db}.reserved_tokens(session_id, now);
  if (!held) return held.err();
  return make_status(cfg, static_cast<size_t>(std::max<int64_t>(*used, 0)),
                     static_cast<size_t>(std::max<int64_t>(*held, 0)));
}

namespace {

/// The level stored for a session, if any.
result<std::optional<budget_level>> stored_level(sqlite::connection& conn,
                                                 const std::string& session_id) {
  auto st = conn.prepare("SELECT level FROM budget_levels WHERE session_id = ?");
  if (!st) return st.err();
  auto row = st->bind(1, session_id).step();
  if (!row) return row.err();
  if (!*row) return std::optional<budget_level>{};
  auto level = parse_level(st->column_text(0));
  if (!level) return level.err();
  return std::optional(*level);
}

} // namespace

result<level_change> record_level(memory_db& db, const std::string& session_id, budget_level level,
                                  budget_time_point now) {
  auto& conn = db.connection();
  level_change change;
  change.current = level;
  // Almost every write leaves the level where it was. A plain read (no write lock) settles
  // that case: a stored level equal to this one is no change, whichever process stored it.
  // Only a difference takes the write lock and reads again, so that of several processes
  // recording the same change exactly one sees it as changed.
  if (auto seen = stored_level(conn, session_id); !seen) {
    return seen.err();
  } else if (*seen == level) {
    change.previous = level;
    return change;
  }
  auto tx = sqlite::transaction::begin(conn);
  if (!tx) return tx.err();
  auto stored = stored_level(conn, session_id);
  if (!stored) return stored.err();
  if (*stored) change.previous = **stored;
  change.changed = change.previous != level;
  if (*stored && !change.changed) return change; // nothing to write; rolls back the read
  auto st = conn.prepare("INSERT INTO budget_levels (session_id, level, updated_at) "
                         "VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
                         "level = excluded.level, updated_at = excluded.updated_at");
  if (!st) return st.err();
  st->bind(1, session_id)
      .bind(2, std::string_view{to_string(level)})
      .bind(3, format_timestamp(now));
  if (auto err = st->run()) return *err;
  if (auto err = tx->commit()) return *err;
  return change;
}

// -- summarising ------------------------------------------------------------------------

result<summary_outcome> summarise_session(memory_db& db, const budget_config& cfg,
                                          const token_counter& counter,
                                          const std::string& session_id, budget_time_point now) {
  auto& conn = db.connection();
  auto tx = sqlite::transaction::begin(conn);
  if (!tx) return tx.err();
  auto status = session_budget(db, cfg, session_id, now);
  if (!status) return status.err();
  summary_outcome out;
  out.tokens_before = out.tokens_after = status->used;
  out.level_before = out.level_after = status->level;
  out.enough = status->level < target_level;
  if (out.enough) return out;

  auto entries = live_entries(db, session_id);
  if (!entries) return entries.err();
  auto sized = size_summary(*entries, *status);
  const auto& chosen = sized.selection.ids;
  if (chosen.empty()) return out; // nothing may be summarised: not enough, nothing changed

  auto originals = originals_of(db, chosen);
  if (!originals) return originals.err();
  if (originals->size() != chosen.size()) return lost_entries("summarise session", session_id);
  auto summary = make_summary(session_id, chosen, *originals, sized.selection.tokens,
                              sized.summary_tokens, counter, now);
  if (auto err = db.put(summary)) return *err;
  auto mark = conn.prepare("UPDATE memory_entries SET is_summarized = 1, "
                           "updated_at = max(updated_at, ?) "
                           "WHERE id IN (SELECT value FROM json_each(?)) AND is_summarized = 0");
  if (!mark) return mark.err();
  mark->bind(1, summary.updated_at).bind(2, json(chosen).dump());
  if (auto err = mark->run()) return *err;
  if (conn.changes() != static_cast<int64_t>(chosen.size()))
    return lost_entries("summarise session", session_id);

  auto after = usage_now(db, cfg, session_id);
  if (!after) return after.err();
  if (auto err = tx->commit()) return *err;
  out.summary = std::move(summary);
  out.replaced_ids = chosen;
  std::tie(out.tokens_after, out.level_after) = *after;
  out.enough = out.level_after < target_level;
  return out;
}

// -- pruning ----------------------------------------------------------------------------

result<prune_outcome> prune_for_budget(memory_db& db, const budget_config& cfg,
                                       const std::string& session_id, budget_time_point now) {
  auto& conn = db.connection();
  auto tx = sqlite::transaction::begin(conn);
  if (!tx) return tx.err();
  auto status = session_budget(db, cfg, session_id, now);
  if (!status) return status.err();
  prune_outcome out;
  out.tokens_before = out.tokens_after = status->used;
  out.level_before = out.level_after = status->level;
  out.enough = status->level < target_level;
  if (out.enough) return out;

  auto entries = live_entries(db, session_id);
  if (!entries) return entries.err();
  auto chosen = pick_for_prune(*entries, *status, target_level).ids;
  if (chosen.empty()) return out;

  // Plain deletes, as memory_db::prune does: the triggers keep the full-text index in step.
  // PERMANENT entries are never deleted, whatever the selection says.
  auto st = conn.prepare("DELETE FROM memory_entries WHERE id IN (SELECT value FROM json_each(?)) "
                         "AND priority < ?");
  if (!st) return st.err();
  st->bind(1, json(chosen).dump()).bind(2, int64_t{priority_level::permanent});
  if (auto err = st->run()) return *err;
  if (conn.changes() != static_cast<int64_t>(chosen.size()))
    return lost_entries("prune session", session_id);

  auto after = usage_now(db, cfg, session_id);
  if (!after) return after.err();
  if (auto err = tx->commit()) return *err;
  out.deleted_ids = std::move(chosen);
  std::tie(out.tokens_after, out.level_after) = *after;
  out.enough = out.level_after < target_level;
  return out;
}

} // namespace sage::core
