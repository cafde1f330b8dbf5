// Reading the Host and Origin headers exactly.
// SPDX-License-Identifier: MIT
#include "services/net/host_check.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace sage::services::net {
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

bool is_port(std::string_view p) {
  return !p.empty() && p.size() <= 5 &&
         std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// Letters, digits, `-`, `.` and `_` (some local names have one): what a DNS name or an IPv4
/// address is made of. `%`, `@`, `/`, `\`, spaces and controls are not.
bool is_name(std::string_view h) {
  return !h.empty() && std::all_of(h.begin(), h.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool is_ipv6(std::string_view h) {
  in6_addr a{};
  return inet_pton(AF_INET6, std::string(h).c_str(), &a) == 1;
}

} // namespace

std::optional<std::string> host_of_authority(std::string_view authority) {
  authority = trim(authority);
  if (authority.starts_with('[')) {
    auto end = authority.find(']');
    if (end == std::string_view::npos) return std::nullopt;
    auto host = authority.substr(1, end - 1);
    auto rest = authority.substr(end + 1);
    if (!rest.empty() && !(rest.front() == ':' && is_port(rest.substr(1)))) return std::nullopt;
    if (!is_ipv6(host)) return std::nullopt;
    return lower(host);
  }
  auto colon = authority.find(':');
  auto host = authority.substr(0, colon);
  if (colon != std::string_view::npos && !is_port(authority.substr(colon + 1))) return std::nullopt;
  if (!is_name(host)) return std::nullopt;
  return lower(host);
}

std::optional<std::string> host_of_origin(std::string_view origin) {
  origin = trim(origin);
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  auto scheme = lower(origin.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  auto authority = origin.substr(scheme_end + 3);
  // An origin is scheme and authority only; a trailing slash is tolerated, nothing more.
  if (authority.ends_with('/')) authority.remove_suffix(1);
  return host_of_authority(authority);
}

bool is_loopback_host(std::string_view host) {
  auto h = lower(trim(host));
  if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
  if (h == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

host_policy::host_policy(bool loopback_only, std::vector<std::string> allowed)
    : loopback_only_(loopback_only) {
  for (auto& a : allowed)
    allowed_.push_back(lower(trim(a)));
}

bool host_policy::host_allowed(std::string_view host_header) const {
  if (!loopback_only_) return true;
  // HTTP/1.0 clients may send none; browsers always do, so its absence is no rebinding.
  if (trim(host_header).empty()) return true;
  auto host = host_of_authority(host_header);
  if (!host) return false;
  return is_loopback_host(*host) ||
         std::find(allowed_.begin(), allowed_.end(), *host) != allowed_.end();
}

bool host_policy::origin_allowed(std::string_view origin,
                                 const std::vector<std::string>& extra) const {
  for (const auto& e : extra)
    if (e == "*" || lower(trim(e)) == lower(trim(origin))) return true;
  auto host = host_of_origin(origin);
  if (!host) return false;
  return is_loopback_host(*host) ||
         std::find(allowed_.begin(), allowed_.end(), *host) != allowed_.end();
}

} // namespace sage::services::net
