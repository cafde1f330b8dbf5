// Reading the headers of the Streamable HTTP transport.
// SPDX-License-Identifier: MIT
#include "services/mcp/http_headers.hpp"

#include <algorithm>
#include <cctype>

namespace sage::services::mcp {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

} // namespace

std::string media_type(std::string_view value) {
  return lower(trim(value.substr(0, value.find(';'))));
}

accepted_types parse_accept(std::string_view header, bool present) {
  accepted_types a;
  a.present = present;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto type = media_type(header.substr(0, comma));
    a.json = a.json || type == "application/json" || type == "application/*";
    a.sse = a.sse || type == "text/event-stream" || type == "text/*";
    a.any = a.any || type == "*/*";
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
  }
  return a;
}

} // namespace sage::services::mcp
