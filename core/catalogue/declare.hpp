// Building blocks of the catalogue's declarations: parameters in a line each, and the result
// schemas several operations share. Internal to the catalogue.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/catalogue/operation.hpp"

#include <initializer_list>
#include <string>
#include <vector>

namespace sage::core {
struct config;
} // namespace sage::core

namespace sage::core::catalogue {

/// A parameter under construction: `param::integer("limit", "…", 1, 50).fallback(10)`.
struct param : parameter {
  static param text(std::string name, std::string description, size_t max_length = 0);
  static param integer(std::string name, std::string description, int64_t minimum, int64_t maximum);
  static param flag(std::string name, std::string description);
  static param texts(std::string name, std::string description, size_t max_items,
                     size_t max_item_length = 0);
  static param choice(std::string name, std::string description, std::vector<std::string> values);
  static param priority(std::string name, std::string description);
  static param object(std::string name, std::string description);

  param&& needed() &&;
  param&& nonempty() &&; ///< at least one byte
  param&& fallback(json value) &&;
  param&& mcp_fallback(json value, std::string reason) &&;
  param&& configured(std::string key) &&;
  param&& alias(std::string old_name) &&;
  param&& cli(char short_name) &&;
  param&& positional() &&;
  param&& without(std::initializer_list<interface_kind> interfaces, std::string reason) &&;
};

// -- result schemas -----------------------------------------------------------------------------

json object_result(json properties, std::vector<std::string> required);
json load_result_schema();
json search_answer_schema();
json memory_entry_schema();
json session_schema();
json checkpoint_schema();
json session_page_schema();

// -- the declarations by area -------------------------------------------------------------------

void declare_knowledge(std::vector<operation>& out, const config& cfg);
void declare_memory(std::vector<operation>& out, const config& cfg);
void declare_sessions(std::vector<operation>& out, const config& cfg);
void declare_budget(std::vector<operation>& out, const config& cfg);
void declare_system(std::vector<operation>& out, const config& cfg);

} // namespace sage::core::catalogue
