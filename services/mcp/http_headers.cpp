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

bool is_loopback_host(std::string_view host) {
  auto h = lower(host);
  if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
  return h == "localhost" || h == "::1" || h.starts_with("127.");
}

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

std::string host_of_authority(std::string_view authority) {
  authority = trim(authority);
  if (authority.starts_with('[')) {
    auto end = authority.find(']');
    return lower(authority.substr(1, end == std::string_view::npos ? end : end - 1));
  }
  return lower(authority.substr(0, authority.find(':')));
}

std::string host_of_origin(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto authority = origin.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  return host_of_authority(authority);
}

} // namespace sage::services::mcp
