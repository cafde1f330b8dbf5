// Writing results for people and programs.
// SPDX-License-Identifier: MIT
#include "services/cli/output.hpp"

#include "services/cli/terminal_text.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <utf8proc.h>

namespace sage::services::cli {

int exit_code_for(const core::error& e) {
  switch (e.code) {
  case core::error_code::invalid_argument:
  case core::error_code::config:
  case core::error_code::ambiguous:
  case core::error_code::forbidden:
    return usage;
  case core::error_code::not_found:
    return not_found;
  case core::error_code::timed_out:
    return degraded;
  default:
    return failure;
  }
}

output::output(bool json, bool quiet, bool no_color)
    : json_(json), quiet_(quiet),
      color_(!no_color && !json && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr),
      raw_out_(std::cout.rdbuf()), raw_err_(std::cerr.rdbuf()),
      data_(std::make_unique<std::ostream>(raw_out_)) {
  // Always, not only on a terminal: output piped into `less -R` or a log viewer reaches one too.
  if (!json_) {
    out_filter_ = std::make_unique<terminal_escape_buf>(raw_out_);
    std::cout.rdbuf(out_filter_.get());
  }
  err_filter_ = std::make_unique<terminal_escape_buf>(raw_err_);
  std::cerr.rdbuf(err_filter_.get());
}

output::~output() {
  std::cout.flush();
  std::cerr.flush();
  std::cout.rdbuf(raw_out_);
  std::cerr.rdbuf(raw_err_);
}

void output::print_json(const nlohmann::json& j) const {
  // Replace invalid UTF-8 rather than throw: output must never crash on odd input files. JSON
  // escapes control characters itself, and programs read it: no filter.
  std::cout.flush();
  data() << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

int output::fail(const core::error& e) const {
  if (json_)
    print_json(
        {{"error", {{"code", core::to_string(e.code)}, {"message", e.message}, {"hint", e.hint}}}});
  std::cerr << "error: " << e.message << '\n';
  if (!e.hint.empty()) std::cerr << "hint: " << e.hint << '\n';
  return exit_code_for(e);
}

void output::note(const std::string& text) const {
  if (!quiet_ && !json_) std::cerr << text << '\n';
}

std::string output::style(const char* code, const std::string& s) const {
  if (!color_) return s;
  const std::string marker(1, own_style_marker);
  return marker + "\x1b[" + code + "m" + s + marker + "\x1b[0m";
}

std::string output::bold(const std::string& s) const {
  return style("1", s);
}
std::string output::dim(const std::string& s) const {
  return style("2", s);
}
std::string output::accent(const std::string& s) const {
  return style("36", s);
}

size_t display_width(const std::string& s) {
  size_t width = 0;
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  auto left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      ++p, --left, ++width;
      continue;
    }
    p += n, left -= n;
    width += static_cast<size_t>(std::max(0, utf8proc_charwidth(cp)));
  }
  return width;
}

void output::table(const std::vector<std::string>& header,
                   const std::vector<std::vector<std::string>>& rows) const {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c)
    widths[c] = display_width(header[c]);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], display_width(row[c]));
  auto line = [&](const std::vector<std::string>& cells, bool head) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      auto cell = cells[c];
      if (c + 1 < cells.size()) cell += std::string(widths[c] - display_width(cells[c]) + 2, ' ');
      out += cell;
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    std::cout << (head ? bold(out) : out) << '\n';
  };
  line(header, true);
  for (const auto& row : rows)
    line(row, false);
}

} // namespace sage::services::cli
