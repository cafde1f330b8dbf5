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

// `log_level`, `to_string(log_level)` and `parse_log_level` are declared in handler.hpp: each
// session keeps its client's level in its `session_notifier`.

/// The level a client last asked for, whichever session it came from: a record for the
/// server (the level that counts is the session's, see `session_notifier::level`). Safe from
/// any thread.
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
/// stored in the session (its `notifications/message` from then on are at or above it) and in
/// the returned settings, and answered with `{}`; a missing or unknown level is -32602.
std::shared_ptr<const log_settings> register_logging(server& srv);

} // namespace sage::services::mcp
