// Writing results for people and programs: JSON, tables, colour only on a terminal, errors with
// a hint on stderr, and the exit codes of docs/cli.md.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <ostream>
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

class terminal_escape_buf;

/// The one way results reach the user. While it lives, text for people (stdout unless --json,
/// and stderr always) passes a filter that shows control characters as escapes (`\x1b`), so
/// stored or knowledge text cannot drive the terminal; machine-readable text (JSON, an export)
/// goes through `data()` unchanged.
class output {
public:
  output(bool json, bool quiet, bool no_color);
  ~output();
  output(const output&) = delete;
  output& operator=(const output&) = delete;

  bool json() const { return json_; }
  bool quiet() const { return quiet_; }

  /// Prints a JSON result on stdout.
  void print_json(const nlohmann::json& j) const;

  /// Stdout without the filter, for text that programs read back (JSON lines of an export).
  std::ostream& data() const { return *data_; }

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
  std::streambuf* raw_out_;
  std::streambuf* raw_err_;
  std::unique_ptr<terminal_escape_buf> out_filter_, err_filter_;
  std::unique_ptr<std::ostream> data_;
};

/// Display width of UTF-8 text (wide CJK characters count two), for table alignment.
size_t display_width(const std::string& s);

} // namespace sage::services::cli
