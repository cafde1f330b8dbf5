// MCP logging (`logging/setLevel`): the level of log messages the client wants.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sage::services::mcp {

/// The syslog severities of RFC 5424 that MCP uses, least severe first.
enum class log_level { debug, info, notice, warning, error, critical, alert, emergency };

std::string_view to_string(log_level level);
std::optional<log_level> parse_log_level(std::string_view text);

/// The level a client asked for. Kept per server: the method table does not know which
/// session a request came from, which is exact for stdio (one session per process) and
/// shared by all clients of one Streamable HTTP server. Safe from any thread.
class log_settings {
public:
  void set(log_level level);
  /// Nothing until a client set a level (clients then get no log messages).
  std::optional<log_level> level() const;

private:
  mutable std::mutex mutex_;
  std::optional<log_level> level_;
};

/// Registers `logging/setLevel` (and with it the `logging` capability): a valid level is
/// stored in the returned settings and answered with `{}`; a missing or unknown level is
/// -32602. `notifications/message` are not sent yet: handlers have no channel to the client
/// besides the answer to their request.
std::shared_ptr<const log_settings> register_logging(server& srv);

} // namespace sage::services::mcp
