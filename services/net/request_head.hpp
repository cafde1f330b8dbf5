// A request's head as the client sent it: header lines undecoded, and the framing rules that
// keep one request from being read as two (request smuggling).
// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sage::services::net {

/// Why a request is refused before any handler sees it.
struct head_problem {
  int status = 400;
  std::string message;
};

/// The header fields of a raw request head (request line, header lines, blank line), in
/// order, values with surrounding blanks removed and otherwise as sent.
struct request_head {
  std::vector<std::pair<std::string, std::string>> fields;
  std::optional<head_problem> problem;

  /// The values of header `name` (case-insensitive).
  std::vector<std::string_view> values(std::string_view name) const;
};

/// Reads `raw`. Problems: a line not ended by CRLF, a folded line (obsolete line folding), a
/// field without a colon or with blanks before it, a name that is not a token, a value holding
/// a control character (NUL among them); then the framing rules: at most one Content-Length,
/// of digits only, and one Host; Transfer-Encoding only as `chunked` and never together with
/// Content-Length. The first problem found is reported.
request_head read_request_head(std::string_view raw);

} // namespace sage::services::net
