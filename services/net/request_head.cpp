// Reading a request's head as sent.
// SPDX-License-Identifier: MIT
#include "services/net/request_head.hpp"

#include <algorithm>
#include <cctype>

namespace sage::services::net {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// RFC 9110 5.6.2 token characters.
bool is_token(std::string_view s) {
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

/// Controls other than horizontal tab, and DEL.
bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

std::optional<head_problem> framing_problem(const request_head& h) {
  auto lengths = h.values("Content-Length");
  auto codings = h.values("Transfer-Encoding");
  if (h.values("Host").size() > 1) return head_problem{400, "more than one Host header"};
  if (lengths.size() > 1)
    return head_problem{400, "more than one Content-Length header: send exactly one"};
  if (!lengths.empty()) {
    auto l = lengths.front();
    if (l.empty() || l.size() > 18 ||
        !std::all_of(l.begin(), l.end(), [](unsigned char c) { return std::isdigit(c); }))
      return head_problem{400, "Content-Length must be a number of bytes"};
  }
  if (!codings.empty() && !lengths.empty())
    return head_problem{400, "Transfer-Encoding and Content-Length together: send one of them"};
  if (codings.size() > 1 || (!codings.empty() && !iequals(codings.front(), "chunked")))
    return head_problem{501, "only the chunked transfer coding is supported"};
  return std::nullopt;
}

} // namespace

std::vector<std::string_view> request_head::values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : fields)
    if (iequals(n, name)) out.push_back(v);
  return out;
}

request_head read_request_head(std::string_view raw) {
  request_head h;
  auto fail = [&h](std::string message) {
    h.problem = head_problem{400, std::move(message)};
    return std::move(h);
  };
  bool request_line = true;
  while (!raw.empty()) {
    auto end = raw.find('\n');
    if (end == std::string_view::npos || end == 0 || raw[end - 1] != '\r')
      return fail("malformed request head: every line must end with CRLF");
    auto line = raw.substr(0, end - 1);
    raw.remove_prefix(end + 1);
    if (request_line) {
      request_line = false;
      continue;
    }
    if (line.empty()) break; // the blank line ends the head
    if (line.front() == ' ' || line.front() == '\t')
      return fail("malformed request head: folded header lines are not accepted");
    auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
      return fail("malformed header line: expected `Name: value`");
    auto value = trim(line.substr(colon + 1));
    if (has_control(value))
      return fail("header " + std::string(line.substr(0, colon)) +
                  " holds a control character: header values are text");
    h.fields.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  h.problem = framing_problem(h);
  return h;
}

} // namespace sage::services::net
