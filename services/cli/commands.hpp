// The CLI's commands: each takes the parsed options, runs one operation and prints it.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/cli/output.hpp"
#include "services/cli/runtime.hpp"

#include <string>
#include <vector>

namespace sage::services::cli {

struct knowledge_args {
  std::string target; ///< get: layer, path or URI; named: the name
  std::string task;   ///< context
  std::string query;  ///< search
  int budget = -1;    ///< -1 = not given
  int limit = 0;
  std::vector<std::string> layers;
  std::vector<std::string> tags;
  bool include_retired = false;
};

int run_get(session& s, const output& out, const knowledge_args& a);
int run_context(session& s, const output& out, const knowledge_args& a);
int run_search(session& s, const output& out, const knowledge_args& a);
int run_named(session& s, const output& out, core::named_kind kind, const knowledge_args& a);
int run_layers(session& s, const output& out);
int run_info(session& s, const output& out);
int run_validate(session& s, const output& out);
int run_config_show(session& s, const output& out, bool sources);
int run_version(const output& out);
int run_node(session& s, const output& out);

} // namespace sage::services::cli
