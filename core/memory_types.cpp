// Memory entries and queries of the working memory: types, priorities and their JSON form.
// SPDX-License-Identifier: MIT
#include "core/memory_types.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace sage::core {

namespace {

constexpr std::array<std::pair<memory_type, const char*>, 6> type_names = {{
    {memory_type::conversation, "conversation"},
    {memory_type::decision, "decision"},
    {memory_type::context, "context"},
    {memory_type::summary, "summary"},
    {memory_type::checkpoint, "checkpoint"},
    {memory_type::artifact, "artifact"},
}};

constexpr std::array<std::pair<int, const char*>, 6> priority_names = {{
    {priority_level::ephemeral, "EPHEMERAL"},
    {priority_level::low, "LOW"},
    {priority_level::normal, "NORMAL"},
    {priority_level::high, "HIGH"},
    {priority_level::critical, "CRITICAL"},
    {priority_level::permanent, "PERMANENT"},
}};

constexpr std::array<std::pair<memory_order, const char*>, 3> order_names = {{
    {memory_order::created, "created"},
    {memory_order::updated, "updated"},
    {memory_order::priority, "priority"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

error field_error(const std::string& field, const std::string& expected) {
  return make_error(error_code::parse,
                    "invalid memory entry field " + field + ": expected " + expected);
}

/// Reads an optional array of strings at `key` into `out`.
std::optional<error> read_strings(const nlohmann::json& j, const char* key,
                                  std::vector<std::string>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) return field_error(key, "an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) return field_error(key, "an array of strings");
    out.push_back(v.get<std::string>());
  }
  return std::nullopt;
}

/// Reads an optional string at `key` into `out`.
std::optional<error> read_string(const nlohmann::json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return field_error(key, "a string");
  out = it->get<std::string>();
  return std::nullopt;
}

} // namespace

const char* to_string(memory_type type) {
  for (const auto& [t, name] : type_names)
    if (t == type) return name;
  return "unknown";
}

result<memory_type> parse_memory_type(std::string_view text) {
  for (const auto& [t, name] : type_names)
    if (text == name) return t;
  return make_error(error_code::invalid_argument, "unknown memory type `" + std::string(text) + "`",
                    "use one of conversation, decision, context, summary, checkpoint, artifact");
}

result<int> parse_priority(std::string_view text) {
  for (const auto& [level, name] : priority_names)
    if (iequals(text, name)) return level;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc{} && end == text.data() + text.size() &&
      value >= priority_level::min && value <= priority_level::max)
    return value;
  return make_error(error_code::invalid_argument, "invalid priority `" + std::string(text) + "`",
                    "use a number from 0 to 100 or one of EPHEMERAL, LOW, NORMAL, HIGH, "
                    "CRITICAL, PERMANENT");
}

std::string priority_to_string(int priority) {
  for (const auto& [level, name] : priority_names)
    if (level == priority) return name;
  return std::to_string(priority);
}

const char* to_string(memory_order order) {
  for (const auto& [o, name] : order_names)
    if (o == order) return name;
  return "unknown";
}

result<memory_order> parse_memory_order(std::string_view text) {
  for (const auto& [o, name] : order_names)
    if (text == name) return o;
  return make_error(error_code::invalid_argument, "unknown order `" + std::string(text) + "`",
                    "use one of created, updated, priority");
}

nlohmann::json to_json(const memory_entry& e) {
  return nlohmann::json{
      {"id", e.id},
      {"type", to_string(e.type)},
      {"priority", e.priority},
      {"content", e.content},
      {"tokens", e.tokens},
      {"session_id", e.session_id},
      {"task_id", e.task_id},
      {"tags", e.tags},
      {"metadata", e.metadata},
      {"created_at", e.created_at},
      {"updated_at", e.updated_at},
      {"is_summarized", e.is_summarized},
      {"summary_of", e.summary_of},
  };
}

result<memory_entry> memory_entry_from_json(const nlohmann::json& j) {
  if (!j.is_object())
    return make_error(error_code::parse, "invalid memory entry: expected a json object");
  memory_entry e;
  std::string type_name;
  if (auto err = read_string(j, "type", type_name)) return *err;
  if (type_name.empty()) return field_error("type", "a memory type name");
  auto type = parse_memory_type(type_name);
  if (!type) return type.err();
  e.type = *type;

  auto content = j.find("content");
  if (content == j.end() || !content->is_string()) return field_error("content", "a string");
  e.content = content->get<std::string>();

  if (auto p = j.find("priority"); p != j.end() && !p->is_null()) {
    result<int> parsed = p->is_number_integer() ? parse_priority(std::to_string(p->get<int64_t>()))
                         : p->is_string()       ? parse_priority(p->get<std::string>())
                                                : result<int>(field_error("priority", "a number"));
    if (!parsed) return parsed.err();
    e.priority = *parsed;
  }
  for (auto [key, out] : {std::pair{"id", &e.id}, std::pair{"session_id", &e.session_id},
                          std::pair{"task_id", &e.task_id}, std::pair{"created_at", &e.created_at},
                          std::pair{"updated_at", &e.updated_at}})
    if (auto err = read_string(j, key, *out)) return *err;
  if (auto err = read_strings(j, "tags", e.tags)) return *err;
  if (auto err = read_strings(j, "summary_of", e.summary_of)) return *err;
  if (auto m = j.find("metadata"); m != j.end() && !m->is_null()) {
    if (!m->is_object()) return field_error("metadata", "an object");
    e.metadata = *m;
  }
  if (auto s = j.find("is_summarized"); s != j.end() && !s->is_null()) {
    if (!s->is_boolean()) return field_error("is_summarized", "true or false");
    e.is_summarized = s->get<bool>();
  }
  if (auto t = j.find("tokens"); t != j.end() && t->is_number_integer())
    e.tokens = t->get<int64_t>();
  return e;
}

} // namespace sage::core
