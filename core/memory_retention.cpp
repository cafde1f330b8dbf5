// Retention of the working memory: deleting the entries the memory.retention rules do not keep.
// SPDX-License-Identifier: MIT
#include "core/memory_db.hpp"

#include "core/timestamp.hpp"

#include <algorithm>
#include <array>

namespace sage::core {

namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

struct typed_rule {
  memory_type type;
  const retention_rule* rule;
};

/// The rule of each memory type, in the order of the enum.
std::array<typed_rule, 6> rules_by_type(const memory_retention& r) {
  return {{{memory_type::conversation, &r.conversation},
           {memory_type::decision, &r.decision},
           {memory_type::context, &r.context},
           {memory_type::summary, &r.summary},
           {memory_type::checkpoint, &r.checkpoint},
           {memory_type::artifact, &r.artifact}}};
}

std::optional<error> check(const typed_rule& r) {
  auto key = std::string("memory.retention.") + to_string(r.type);
  if (r.rule->max_count && *r.rule->max_count < 1)
    return make_error(error_code::invalid_argument,
                      "invalid retention max_count " + std::to_string(*r.rule->max_count) +
                          " for memory type " + to_string(r.type),
                      "set " + key + ".max_count to at least 1, or leave it unset for no limit");
  if (r.rule->max_age && r.rule->max_age->count() <= 0)
    return make_error(error_code::invalid_argument,
                      "invalid retention max_age " + std::to_string(r.rule->max_age->count()) +
                          "ms for memory type " + to_string(r.type),
                      "set " + key +
                          ".max_age to a duration above zero such as 30d, or leave it "
                          "unset for no limit");
  return std::nullopt;
}

/// The created_at before which an entry is older than `max_age`. An age reaching back beyond
/// the range of the clock (about 290 years) is clamped to it rather than overflowing.
std::string cutoff(system_clock::time_point now, milliseconds max_age) {
  using std::chrono::duration_cast;
  auto now_ms = duration_cast<milliseconds>(now.time_since_epoch());
  auto earliest = duration_cast<milliseconds>(system_clock::time_point::min().time_since_epoch());
  auto at = max_age >= now_ms - earliest ? earliest : now_ms - max_age;
  return format_timestamp(system_clock::time_point(duration_cast<system_clock::duration>(at)));
}

/// Entries of one type older than a cutoff; PERMANENT ones stay.
constexpr const char* too_old_sql =
    "DELETE FROM memory_entries WHERE type = ? AND priority < ? AND created_at < ?";

/// Entries of one type beyond the newest N of their session. PERMANENT entries are left out of
/// the ranking, so they neither go nor take a place. Ties in created_at (a batch written in one
/// millisecond) fall back to insertion order, as queries do.
constexpr const char* over_count_sql =
    "DELETE FROM memory_entries WHERE seq IN (SELECT seq FROM (SELECT seq, row_number() OVER "
    "(PARTITION BY session_id ORDER BY created_at DESC, seq DESC) AS newest FROM memory_entries "
    "WHERE type = ? AND priority < ?) WHERE newest > ?)";

} // namespace

result<std::vector<std::string>> memory_db::apply_retention(const memory_retention& rules,
                                                            system_clock::time_point now) {
  auto by_type = rules_by_type(rules);
  for (const auto& r : by_type)
    if (auto err = check(r)) return *err;
  std::vector<std::string> deleted;
  if (std::none_of(by_type.begin(), by_type.end(),
                   [](const typed_rule& r) { return r.rule->limits(); }))
    return deleted;
  auto tx = sqlite::transaction::begin(db_);
  if (!tx) return tx.err();
  const sqlite::value permanent = int64_t{priority_level::permanent};
  for (const auto& [type, rule] : by_type) {
    const sqlite::value type_name = std::string(to_string(type));
    if (rule->max_age) {
      auto ids =
          delete_returning_ids(too_old_sql, {type_name, permanent, cutoff(now, *rule->max_age)});
      if (!ids) return ids.err();
      deleted.insert(deleted.end(), ids->begin(), ids->end());
    }
    if (rule->max_count) {
      auto ids = delete_returning_ids(over_count_sql, {type_name, permanent, *rule->max_count});
      if (!ids) return ids.err();
      deleted.insert(deleted.end(), ids->begin(), ids->end());
    }
  }
  if (auto err = tx->commit()) return *err;
  return deleted;
}

} // namespace sage::core
