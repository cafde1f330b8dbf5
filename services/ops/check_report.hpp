// The outcome of one operational check (a database, the index cache, a backup): what was
// looked at, what is worth knowing, and each problem with what to do about it.
// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sage::services::ops {

/// One thing found wrong, with a recovery hint for people.
struct problem {
  std::string message;
  std::string hint;
};

struct check_report {
  std::string name;               ///< `database`, `index`, `backup`
  std::string summary;            ///< one line: what was checked and what it holds
  std::vector<std::string> notes; ///< worth knowing, not a problem (a stale cache)
  std::vector<problem> problems;
  nlohmann::json details = nlohmann::json::object(); ///< the figures behind the summary

  bool ok() const { return problems.empty(); }
  void fail(std::string message, std::string hint) {
    problems.push_back({std::move(message), std::move(hint)});
  }
};

/// `{"name", "ok", "summary", "notes", "problems": [{"message", "hint"}], "details"}`.
nlohmann::json to_json(const check_report& r);

} // namespace sage::services::ops
