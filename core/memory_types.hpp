// Memory entries and queries of the working memory: types, priorities and their JSON form.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

// -- types and priorities ----------------------------------------------------

/// What an entry records; stored and exchanged as its lower-case name.
enum class memory_type : uint8_t { conversation, decision, context, summary, checkpoint, artifact };

/// The lower-case name, or "unknown" for a value outside the enum.
const char* to_string(memory_type type);

/// For test output and logs.
inline std::ostream& operator<<(std::ostream& os, memory_type type) {
  return os << to_string(type);
}

/// Parses a lower-case type name; the error lists the valid names.
result<memory_type> parse_memory_type(std::string_view text);

/// Named priority levels. Any integer in [min, max] is a valid priority; pruning never removes
/// `permanent` entries.
namespace priority_level {
inline constexpr int min = 0;
inline constexpr int ephemeral = 10;
inline constexpr int low = 30;
inline constexpr int normal = 50;
inline constexpr int high = 70;
inline constexpr int critical = 90;
inline constexpr int permanent = 100;
inline constexpr int max = 100;
} // namespace priority_level

/// Parses a level name in any case (`HIGH`, `high`) or a number in 0..100.
result<int> parse_priority(std::string_view text);

/// The upper-case level name for a named level (`HIGH`), else the number as text.
std::string priority_to_string(int priority);

// -- entries -----------------------------------------------------------------

/// One entry of the working memory.
struct memory_entry {
  std::string id; ///< UUID text; assigned by the store when empty
  memory_type type = memory_type::context;
  int priority = priority_level::normal;
  std::string content;
  int64_t tokens = 0; ///< counted by the store's tokenizer, never taken from the caller
  std::string session_id;
  std::string task_id;
  std::vector<std::string> tags;
  nlohmann::json metadata = nlohmann::json::object();
  std::string created_at; ///< ISO 8601 UTC with milliseconds; set by the store when empty
  std::string updated_at;
  bool is_summarized = false;          ///< replaced by a summary entry; not counted in usage
  std::vector<std::string> summary_of; ///< for summaries: the ids of the entries replaced

  friend bool operator==(const memory_entry&, const memory_entry&) = default;
};

/// The JSON object of an entry (one line of an export, the `--json` output).
nlohmann::json to_json(const memory_entry& entry);

/// Reads an entry from its JSON object without throwing. `type` and `content` are required;
/// other fields take their defaults. Wrong field types and unknown type or priority names are
/// errors naming the field.
result<memory_entry> memory_entry_from_json(const nlohmann::json& j);

// -- queries -----------------------------------------------------------------

/// The key a query sorts by; ties are broken by insertion order.
enum class memory_order : uint8_t { created, updated, priority };

const char* to_string(memory_order order);
result<memory_order> parse_memory_order(std::string_view text);

/// A filter over entries; unset members do not filter.
struct memory_query {
  std::optional<std::string> session_id;
  std::optional<memory_type> type;
  std::vector<std::string> tags_any; ///< at least one of these tags
  std::vector<std::string> tags_all; ///< every one of these tags
  std::optional<int> min_priority;
  std::optional<int> max_priority;
  std::optional<bool> is_summarized;
  std::string text; ///< full-text: every word must occur (words are matched literally)
  memory_order order_by = memory_order::created;
  bool descending = true;
  size_t limit = 50;  ///< 0 means no limit
  std::string cursor; ///< `next_cursor` of the previous page, for the same query
};

/// One page of query results.
struct memory_page {
  std::vector<memory_entry> entries;
  std::string next_cursor; ///< empty on the last page
};

} // namespace sage::core
