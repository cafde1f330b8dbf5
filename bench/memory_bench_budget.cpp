// The memory benchmark's budget part: summarising and pruning sessions that have just reached
// critical and overflow in a store of many sessions, beside the same reads and writes raw.
// SPDX-License-Identifier: MIT
#include "memory_bench_common.hpp"

#include "core/budget_actions.hpp"
#include "core/timestamp.hpp"
#include "core/token_budget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace sage::bench {
namespace {

using nlohmann::json;

/// Usage as a share of the available tokens: just past critical (90 %) and overflow (95 %) with
/// the default thresholds, where the engine summarises and prunes after a write.
constexpr double critical_share = 0.93;
constexpr double overflow_share = 0.97;

/// A budget at which `used` tokens are `share` of the available ones.
core::budget_config budget_at(int64_t used, double share) {
  core::budget_config cfg;
  cfg.reserved_tokens = 1000;
  cfg.max_tokens =
      static_cast<int>(std::ceil(static_cast<double>(used) / share)) + cfg.reserved_tokens;
  return cfg;
}

/// What summarise_session and prune_for_budget read and write, through the sqlite3 C API with
/// the store's SQL, prepared once. It takes what the store chose (the ids and the summary):
/// choosing and writing the summary text are not SQLite work.
class raw_budget {
public:
  explicit raw_budget(raw_db& db) : db_(db) {
    usage_ = db.prepare("SELECT coalesce(sum(tokens), 0) FROM memory_entries "
                        "WHERE session_id = ? AND is_summarized = 0");
    held_ = db.prepare("SELECT coalesce(sum(tokens), 0) FROM reservations "
                       "WHERE session_id = ? AND status = 'held' AND expires_at > ?");
    live_ = db.prepare("SELECT m.id, m.type, m.priority, m.tokens, m.created_at "
                       "FROM memory_entries m WHERE m.session_id = ? AND +m.is_summarized = 0 "
                       "ORDER BY m.created_at, m.seq");
    originals_ = db.prepare("SELECT m.id, m.content, m.task_id FROM memory_entries m "
                            "WHERE m.id IN (SELECT value FROM json_each(?))");
    mark_ = db.prepare("UPDATE memory_entries SET is_summarized = 1, "
                       "updated_at = max(updated_at, ?) "
                       "WHERE id IN (SELECT value FROM json_each(?)) AND is_summarized = 0");
    delete_ = db.prepare("DELETE FROM memory_entries "
                         "WHERE id IN (SELECT value FROM json_each(?)) AND priority < ?");
  }
  ~raw_budget() {
    for (auto* st : {usage_, held_, live_, originals_, mark_, delete_})
      sqlite3_finalize(st);
  }
  raw_budget(const raw_budget&) = delete;
  raw_budget& operator=(const raw_budget&) = delete;

  /// In one transaction: the session's usage and held tokens, its live entries, the content of
  /// the replaced ones; the summary row written, the replaced rows marked; the usage again.
  /// Returns the number of live entries read.
  size_t summarise(const std::string& session, const core::memory_entry& summary,
                   const std::string& now) {
    db_.begin();
    status(session, now);
    const size_t live_rows = live(session).size();
    const auto ids = dump(json(summary.summary_of));
    bind_text(originals_, 1, ids);
    std::map<std::string, std::pair<std::string, std::string>> originals;
    while (sqlite3_step(originals_) == SQLITE_ROW)
      originals[column_string(originals_, 0)] = {column_string(originals_, 1),
                                                 column_string(originals_, 2)};
    sqlite3_reset(originals_);
    if (originals.size() != summary.summary_of.size()) die("raw summarise: entries missing");
    db_.insert_row(summary);
    bind_text(mark_, 1, summary.updated_at);
    bind_text(mark_, 2, ids);
    db_.run(mark_);
    if (static_cast<size_t>(sqlite3_changes(db_.handle())) != summary.summary_of.size())
      die("raw summarise: not every entry was marked");
    usage(session);
    commit();
    return live_rows;
  }

  /// In one transaction: usage and held tokens, the live entries, the chosen rows deleted (the
  /// full-text index follows through the triggers), the usage again.
  void prune(const std::string& session, const std::vector<std::string>& chosen,
             const std::string& now) {
    db_.begin();
    status(session, now);
    live(session);
    const auto ids = dump(json(chosen));
    bind_text(delete_, 1, ids);
    sqlite3_bind_int64(delete_, 2, core::priority_level::permanent);
    db_.run(delete_);
    if (static_cast<size_t>(sqlite3_changes(db_.handle())) != chosen.size())
      die("raw prune: not every entry was deleted");
    usage(session);
    commit();
  }

  /// Time of each commit, in order: a commit that finds more than 1000 pages in the WAL also
  /// copies them into the database and syncs it (SQLite's automatic checkpoint).
  std::vector<double> commit_us;

private:
  void commit() {
    auto t0 = clock_type::now();
    db_.commit();
    commit_us.push_back(us_since(t0));
  }
  int64_t usage(const std::string& session) {
    bind_text(usage_, 1, session);
    const int64_t v = sqlite3_step(usage_) == SQLITE_ROW ? sqlite3_column_int64(usage_, 0) : -1;
    sqlite3_reset(usage_);
    return v;
  }
  void status(const std::string& session, const std::string& now) {
    usage(session);
    bind_text(held_, 1, session);
    bind_text(held_, 2, now);
    (void)sqlite3_step(held_);
    sqlite3_reset(held_);
  }
  std::vector<core::budget_entry> live(const std::string& session) {
    bind_text(live_, 1, session);
    std::vector<core::budget_entry> out;
    while (sqlite3_step(live_) == SQLITE_ROW) {
      core::budget_entry e;
      e.id = column_string(live_, 0);
      e.type = column_string(live_, 1);
      e.priority = sqlite3_column_int(live_, 2);
      e.tokens = static_cast<size_t>(std::max<int64_t>(sqlite3_column_int64(live_, 3), 0));
      e.created_at = column_string(live_, 4);
      out.push_back(std::move(e));
    }
    sqlite3_reset(live_);
    return out;
  }

  raw_db& db_;
  sqlite3_stmt* usage_ = nullptr;
  sqlite3_stmt* held_ = nullptr;
  sqlite3_stmt* live_ = nullptr;
  sqlite3_stmt* originals_ = nullptr;
  sqlite3_stmt* mark_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
};

/// Rows, live tokens, summarised rows and latest update of a session: equal on both sides when
/// both made the same changes.
constexpr const char* session_digest_sql =
    "SELECT count(*) || '/' || coalesce(sum(tokens * (1 - is_summarized)), 0) || '/' || "
    "coalesce(sum(is_summarized), 0) || '/' || coalesce(max(updated_at), '') "
    "FROM memory_entries WHERE session_id = ?";

std::string store_digest(core::memory_db& store, const std::string& session) {
  auto st = store.connection().prepare(session_digest_sql);
  if (!st) die("store: " + st.err().message);
  if (auto r = st->bind(1, session).step(); !r || !*r) die("store: no session digest");
  return st->column_text(0);
}

std::string raw_digest(raw_db& raw, const std::string& session) {
  auto* st = raw.prepare(session_digest_sql);
  bind_text(st, 1, session);
  std::string out = sqlite3_step(st) == SQLITE_ROW ? column_string(st, 0) : std::string();
  sqlite3_finalize(st);
  return out;
}

void add_rows(report& out, const std::string& op, const std::vector<double>& store_us,
              const std::vector<double>& raw_us) {
  const double s50 = percentile(store_us, 0.5), r50 = percentile(raw_us, 0.5);
  const double smax = percentile(store_us, 1.0), rmax = percentile(raw_us, 1.0);
  out.rows.push_back(
      {op + " p50", fmt("%.2f ms", s50 / 1e3), fmt("%.2f ms", r50 / 1e3), fmt("%.2f", s50 / r50)});
  out.rows.push_back({op + " max", fmt("%.2f ms", smax / 1e3), fmt("%.2f ms", rmax / 1e3),
                      fmt("%.2f", smax / rmax)});
}

double mean(size_t sum, size_t count) {
  return static_cast<double>(sum) / static_cast<double>(std::max<size_t>(count, 1));
}

} // namespace

report run_budget_part(core::memory_db& store, raw_db& raw, const core::token_counter& counter,
                       std::span<const core::memory_entry> entries, size_t sessions) {
  report out;
  raw_budget rb(raw);
  std::map<std::string, const std::string*> content_of; // of the sessions summarised
  for (const auto& e : entries)
    if (e.session_id < session_name(sessions)) content_of[e.id] = &e.content;

  std::vector<double> sum_store, sum_raw, sum_text, prune_store, prune_raw;
  size_t live_read = 0, replaced = 0, deleted = 0;
  int64_t used_total = 0;
  for (size_t i = 0; i < sessions; ++i) {
    // Summarise one session, prune another.
    const auto s = session_name(i), p = session_name(sessions + i);
    const auto now = std::chrono::system_clock::now();
    const auto now_text = core::format_timestamp(now);

    auto used = store.usage(s);
    if (!used) die("store usage: " + used.err().message);
    used_total += *used;
    auto cfg = budget_at(*used, critical_share);
    auto t0 = clock_type::now();
    auto summarised = core::summarise_session(store, cfg, counter, s, now);
    sum_store.push_back(us_since(t0));
    if (!summarised) die("summarise_session: " + summarised.err().message);
    if (summarised->level_before != core::budget_level::critical || !summarised->summary)
      die("summarise_session did nothing for " + s);
    const auto& summary = *summarised->summary;
    t0 = clock_type::now();
    live_read += rb.summarise(s, summary, now_text);
    sum_raw.push_back(us_since(t0));
    replaced += summary.summary_of.size();

    // The summary text alone, as summarise_session makes it from the replaced contents.
    std::vector<std::string> contents;
    for (const auto& id : summary.summary_of)
      contents.push_back(*content_of.at(id));
    const size_t allowance = std::clamp<size_t>(
        summary.metadata.value("replaced_tokens", size_t{0}) / core::summary_share_divisor,
        core::min_summary_tokens, core::max_summary_tokens);
    t0 = clock_type::now();
    (void)core::extractive_summary(contents, allowance, counter);
    sum_text.push_back(us_since(t0));

    used = store.usage(p);
    if (!used) die("store usage: " + used.err().message);
    cfg = budget_at(*used, overflow_share);
    t0 = clock_type::now();
    auto pruned = core::prune_for_budget(store, cfg, p, now);
    prune_store.push_back(us_since(t0));
    if (!pruned) die("prune_for_budget: " + pruned.err().message);
    if (pruned->level_before != core::budget_level::overflow || pruned->deleted_ids.empty())
      die("prune_for_budget did nothing for " + p);
    t0 = clock_type::now();
    rb.prune(p, pruned->deleted_ids, now_text);
    prune_raw.push_back(us_since(t0));
    deleted += pruned->deleted_ids.size();

    for (const auto& session : {s, p}) {
      auto a = store_digest(store, session), b = raw_digest(raw, session);
      if (a != b) {
        std::printf("MISMATCH       %s after summarise/prune: store %s, raw %s\n", session.c_str(),
                    a.c_str(), b.c_str());
        ++out.mismatches;
      }
    }
  }
  std::printf("summarise      %zu sessions at %.0f %% of their budget: %.0f live entries and %.0f "
              "tokens each, %.1f replaced by one summary on average\n",
              sessions, critical_share * 100, mean(live_read, sessions),
              static_cast<double>(used_total) / static_cast<double>(sessions),
              mean(replaced, sessions));
  std::printf("summary text   %.2f ms p50 for extractive_summary of the replaced contents alone, "
              "part of the store's time only\n",
              percentile(sum_text, 0.5) / 1e3);
  std::printf("prune budget   %zu other sessions at %.0f %%: %.1f entries deleted on average\n",
              sessions, overflow_share * 100, mean(deleted, sessions));
  // Summarise and prune alternate, so the raw commits alternate too.
  std::vector<double> sum_commit, prune_commit;
  for (size_t i = 0; i < rb.commit_us.size(); ++i)
    (i % 2 ? prune_commit : sum_commit).push_back(rb.commit_us[i]);
  std::printf("raw commits    summarise p50 %.2f ms, max %.2f ms; prune p50 %.2f ms, max %.2f ms "
              "(WAL checkpoints included)\n",
              percentile(sum_commit, 0.5) / 1e3, percentile(sum_commit, 1.0) / 1e3,
              percentile(prune_commit, 0.5) / 1e3, percentile(prune_commit, 1.0) / 1e3);
  const auto k = std::to_string(sessions);
  add_rows(out, "summarise_session at critical (93 %), " + k + " sessions,", sum_store, sum_raw);
  add_rows(out, "prune_for_budget at overflow (97 %), " + k + " sessions,", prune_store, prune_raw);
  return out;
}

} // namespace sage::bench
