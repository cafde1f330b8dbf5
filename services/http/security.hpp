// The checks in front of every API route: the API key, the request id, CORS origins.
// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sage::services::http {

/// Compares a presented key with the configured one in time that does not depend on where
/// they differ (both are hashed with SHA-256 and the digests compared with CRYPTO_memcmp), so
/// the key cannot be guessed a byte at a time from response times.
bool key_matches(std::string_view presented, std::string_view expected);

/// The key a request presents: `X-API-Key`, else the token of `Authorization: Bearer <token>`
/// (scheme case-insensitive); empty when there is neither.
std::string presented_key(std::string_view x_api_key, std::string_view authorization);

/// The request id to use: the client's `X-Request-ID` when it is sane (1 to 128 characters of
/// letters, digits and `-_.:`), else a new random UUID. Anything else could forge log lines
/// or headers.
std::string request_id_for(std::string_view client_value);

/// Which browser origins may call the API (server.cors.allowed_origins): exact origins such as
/// `https://dash.example.com`, or `*` for any.
class cors_policy {
public:
  explicit cors_policy(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {}

  /// True when at least one origin is allowed: CORS headers are sent at all.
  bool enabled() const { return !allowed_.empty(); }

  /// The `Access-Control-Allow-Origin` value for `origin`, or nothing when it is not allowed.
  std::optional<std::string> allow(std::string_view origin) const;

private:
  std::vector<std::string> allowed_;
};

} // namespace sage::services::http
