// The parameter builders and the shared result schemas.
// SPDX-License-Identifier: MIT
#include "core/catalogue/declare.hpp"

#include "core/catalogue/schema.hpp"

namespace sage::core::catalogue {
namespace {

param make(std::string name, value_type type, std::string description) {
  param p;
  p.name = std::move(name);
  p.type = type;
  p.description = std::move(description);
  return p;
}

} // namespace

param param::text(std::string name, std::string description, size_t max_length) {
  auto p = make(std::move(name), value_type::string, std::move(description));
  p.max_length = max_length;
  return p;
}

param param::integer(std::string name, std::string description, int64_t minimum, int64_t maximum) {
  auto p = make(std::move(name), value_type::integer, std::move(description));
  p.minimum = minimum;
  p.maximum = maximum;
  return p;
}

param param::flag(std::string name, std::string description) {
  auto p = make(std::move(name), value_type::boolean, std::move(description));
  p.default_value = false;
  return p;
}

param param::texts(std::string name, std::string description, size_t max_items,
                   size_t max_item_length) {
  auto p = make(std::move(name), value_type::strings, std::move(description));
  p.max_items = max_items;
  p.max_length = max_item_length;
  return p;
}

param param::choice(std::string name, std::string description, std::vector<std::string> values) {
  auto p = make(std::move(name), value_type::string, std::move(description));
  p.values = std::move(values);
  return p;
}

param param::priority(std::string name, std::string description) {
  return make(std::move(name), value_type::priority, std::move(description));
}

param param::object(std::string name, std::string description) {
  return make(std::move(name), value_type::object, std::move(description));
}

param&& param::needed() && {
  required = true;
  return std::move(*this);
}
param&& param::nonempty() && {
  min_length = 1;
  return std::move(*this);
}
param&& param::fallback(json value) && {
  default_value = std::move(value);
  return std::move(*this);
}
param&& param::mcp_fallback(json value, std::string reason) && {
  mcp_default = std::move(value);
  mcp_default_reason = std::move(reason);
  return std::move(*this);
}
param&& param::configured(std::string key) && {
  configured_by = std::move(key);
  return std::move(*this);
}
param&& param::alias(std::string old_name) && {
  aliases.push_back(std::move(old_name));
  return std::move(*this);
}
param&& param::cli(char short_name) && {
  cli_short = std::string(1, short_name);
  return std::move(*this);
}
param&& param::positional() && {
  cli_positional = true;
  return std::move(*this);
}
param&& param::without(std::initializer_list<interface_kind> interfaces, std::string reason) && {
  left_out.insert(left_out.end(), interfaces.begin(), interfaces.end());
  left_out_reason = std::move(reason);
  return std::move(*this);
}

// -- result schemas -----------------------------------------------------------------------------

json object_result(json properties, std::vector<std::string> required) {
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", required}};
}

namespace {

json section_refs(std::string description) {
  return {{"type", "array"},
          {"description", std::move(description)},
          {"items", object_result({{"id", {{"type", "string"}}},
                                   {"tokens", {{"type", "integer"}}},
                                   {"score", {{"type", "number"}}}},
                                  {"id", "tokens"})}};
}

} // namespace

json load_result_schema() {
  return object_result(
      {{"content", string_prop("Markdown; each section headed by its source")},
       {"tokens", {{"type", "integer"}, {"description", "exact tokens of content"}}},
       {"status",
        enum_prop("how the answer was built", {"success", "partial", "fallback", "error"})},
       {"complete", boolean_prop("false when anything was left out")},
       {"duration_ms", {{"type", "number"}}},
       {"timeout_ms", {{"type", "integer"}}},
       {"files_loaded", strings_prop("documents included", 100000)},
       {"layers", strings_prop("layers included", 1000)},
       {"sections", section_refs("sections included")},
       {"omitted", section_refs("sections left out by the budget")},
       {"omitted_count", {{"type", "integer"}, {"description", "all sections left out"}}},
       {"budget", {{"type", "object"}}},
       {"errors", strings_prop("why the status is not success", 1000)},
       {"index", {{"type", "object"}}},
       {"notice", string_prop("a note on how the request was adjusted")}},
      {"content", "tokens", "status", "complete", "sections", "omitted", "budget"});
}

json search_answer_schema() {
  return object_result({{"query", {{"type", "string"}}},
                        {"status", {{"type", "string"}}},
                        {"results", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                        {"count", {{"type", "integer"}}},
                        {"errors", {{"type", "array"}}},
                        {"index", {{"type", "object"}}}},
                       {"query", "results", "count"});
}

json memory_entry_schema() {
  return object_result({{"id", {{"type", "string"}}},
                        {"type", {{"type", "string"}}},
                        {"priority", {{"type", "integer"}}},
                        {"content", {{"type", "string"}}},
                        {"tokens", {{"type", "integer"}}},
                        {"session_id", {{"type", "string"}}},
                        {"task_id", {{"type", "string"}}},
                        {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                        {"metadata", {{"type", "object"}}},
                        {"created_at", {{"type", "string"}}},
                        {"updated_at", {{"type", "string"}}}},
                       {"id", "type", "priority", "content", "tokens"});
}

json session_schema() {
  return object_result({{"id", {{"type", "string"}}},
                        {"objective", {{"type", "string"}}},
                        {"status", {{"type", "string"}}},
                        {"steps", {{"type", "array"}}}},
                       {"id", "objective", "status", "steps"});
}

json checkpoint_schema() {
  return object_result({{"id", string_prop("the checkpoint id")},
                        {"session_id", {{"type", "string"}}},
                        {"label", {{"type", "string"}}},
                        {"entries", {{"type", "integer"}}},
                        {"tokens", {{"type", "integer"}}},
                        {"created_at", {{"type", "string"}}}},
                       {"id", "session_id", "entries", "tokens"});
}

json session_page_schema() {
  return object_result({{"sessions", {{"type", "array"}, {"items", session_schema()}}},
                        {"count", {{"type", "integer"}}},
                        {"next_cursor", {{"type", {"string", "null"}}}}},
                       {"sessions", "count", "next_cursor"});
}

} // namespace sage::core::catalogue
