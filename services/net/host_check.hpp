// Reading the Host and Origin headers exactly, for the checks against DNS rebinding that the
// API and the MCP endpoint share.
// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sage::services::net {

/// The host of a `Host` header value or URL authority, lower case, without port or IPv6
/// brackets: `[::1]:8001` -> `::1`. Nothing for anything that is not exactly `host[:port]`:
/// userinfo (`a@b`), a path, an empty host, a port that is not 1-5 digits, characters a host
/// name cannot hold. A caller that refuses what it cannot read cannot be fooled by it.
std::optional<std::string> host_of_authority(std::string_view authority);

/// The host of an `Origin` header (`http[s]://host[:port]`, nothing after the authority);
/// nothing for `null`, other schemes and anything malformed.
std::optional<std::string> host_of_origin(std::string_view origin);

/// True for an address in 127.0.0.0/8 (a dotted quad, as `inet_pton` reads it), `::1`,
/// `::ffff:127.x.y.z`, and the exact name `localhost`. Names that merely start like one
/// (`127.0.0.1.evil.com`, `localhost.evil.com`) are not loopback: DNS can point them anywhere.
bool is_loopback_host(std::string_view host);

/// Which `Host` values a server answers, against DNS rebinding: a page on `evil.com` whose name
/// is made to resolve to 127.0.0.1 reaches a loopback server with `Host: evil.com`.
class host_policy {
public:
  /// `loopback_only`: the server listens on loopback without a key, so only loopback hosts and
  /// `allowed` (server.allowed_hosts: exact names, lower case) are served.
  host_policy(bool loopback_only, std::vector<std::string> allowed);

  /// True when a request with this `Host` header value (empty: none) may be served.
  bool host_allowed(std::string_view host_header) const;

  /// True when a browser page of `origin` may make a request that changes something: loopback
  /// origins, origins whose host is allowed, and `extra` (the CORS origins). `null` and
  /// malformed origins never.
  bool origin_allowed(std::string_view origin, const std::vector<std::string>& extra = {}) const;

private:
  bool loopback_only_;
  std::vector<std::string> allowed_;
};

} // namespace sage::services::net
