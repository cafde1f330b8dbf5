// Writing results for people and programs: JSON, tables, colour only on a terminal, errors with
// a hint on stderr, and the exit codes of PRODUCT.md 5.1.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace sage::services::cli {

/// Exit codes: 0 ok, 1 error, 2 usage or configuration, 3 not found, 4 timed out or degraded
/// (an answer past its deadline) or unhealthy (`sage health`).
enum exit_code : int {
  ok = 0,
  failure = 1,
  usage = 2,
  not_found = 3,
  degraded = 4,
  unhealthy = 4,
};

int exit_code_for(const core::error& e);

class output {
public:
  output(bool json, bool quiet, bool no_color);

  bool json() const { return json_; }
  bool quiet() const { return quiet_; }

  /// Prints a JSON result on stdout.
  void print_json(const nlohmann::json& j) const;

  /// Prints an error to stderr (and as `{"error":...}` on stdout with --json); returns its
  /// exit code.
  int fail(const core::error& e) const;

  /// A note for people on stderr (suppressed by --quiet and --json).
  void note(const std::string& text) const;

  /// Text styles, empty when colour is off.
  std::string bold(const std::string& s) const;
  std::string dim(const std::string& s) const;
  std::string accent(const std::string& s) const;

  /// A left-aligned table with a header row; columns sized by display width.
  void table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows) const;

private:
  std::string style(const char* code, const std::string& s) const;
  bool json_, quiet_, color_;
};

/// Display width of UTF-8 text (wide CJK characters count two), for table alignment.
size_t display_width(const std::string& s);

} // namespace sage::services::cli
