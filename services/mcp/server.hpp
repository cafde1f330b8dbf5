// The MCP server as sessions see it: who it is, which protocol revisions it speaks, and the
// table of methods and notifications that tools, resources and prompts register into.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/handler.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sage::services::mcp {

// -- protocol revisions -------------------------------------------------------------------------

/// The revisions this server speaks, newest first.
inline constexpr std::array<std::string_view, 2> supported_protocol_versions{"2025-11-25",
                                                                             "2025-06-18"};

/// The answer to a client asking for a revision this server does not speak.
inline constexpr std::string_view latest_protocol_version = supported_protocol_versions.front();

/// The revision to use when a client asks for `requested`: the same when supported, else the
/// latest (the client then decides whether it can go on).
std::string_view negotiate_protocol_version(std::string_view requested);

// -- identity -----------------------------------------------------------------------------------

/// `serverInfo` and `instructions` of the `initialize` answer.
struct server_identity {
  std::string name;
  std::string title;
  std::string version;
  /// A hint for the model, one or two sentences.
  std::string instructions;
};

/// sage, its display title, SAGE_VERSION and the standard instructions.
server_identity default_identity();

// -- server -------------------------------------------------------------------------------------

/// Told about each session that became ready (`notifications/initialized` after a successful
/// `initialize`: the client may be sent notifications from then on), on that session's thread.
/// Keeps what it needs of the notifier; a weak reference lets the session go.
using session_observer = std::function<void(const std::shared_ptr<session_notifier>&)>;

/// The method table shared by all sessions of one process (stdio has one session, Streamable
/// HTTP one per client). Register everything before the first session starts; afterwards the
/// server is read-only and sessions may use it from several threads.
///
/// `initialize`, `ping` and `notifications/initialized` belong to the session's lifecycle and
/// cannot be registered.
class server {
public:
  explicit server(server_identity identity = default_identity());

  /// Adds a request method. Throws std::invalid_argument for an empty, reserved or already
  /// registered name (a programming error, found at start-up).
  void register_method(std::string name, method_handler handler);

  /// Adds a notification the server reacts to; unregistered notifications are ignored.
  /// Throws like `register_method`.
  void register_notification(std::string name, notification_handler handler);

  /// Adds an observer of ready sessions (e.g. to send them list-changed notifications).
  /// Throws std::invalid_argument for an empty one.
  void observe_sessions(session_observer observer);

  /// Adds details to a capability, merged into what the registered methods imply, e.g.
  /// `declare_capability("tools", {{"listChanged", true}})`.
  void declare_capability(const std::string& name, const nlohmann::json& details);

  /// The `capabilities` of the `initialize` answer: `tools`, `resources`, `prompts`, `logging`,
  /// `completions` and `tasks` are present when a method of theirs is registered (`tools/list`,
  /// `logging/setLevel`, `completion/complete`, …) or declared; nothing is claimed that does
  /// not exist.
  nlohmann::json capabilities() const;

  const server_identity& identity() const { return identity_; }

  /// The handler of a method or notification, or nullptr.
  const method_handler* find_method(std::string_view name) const;
  const notification_handler* find_notification(std::string_view name) const;

  /// The observers, in the order they were added.
  const std::vector<session_observer>& session_observers() const { return observers_; }

private:
  void check_name(const std::string& name) const;

  server_identity identity_;
  std::map<std::string, method_handler, std::less<>> methods_;
  std::map<std::string, notification_handler, std::less<>> notifications_;
  nlohmann::json declared_ = nlohmann::json::object();
  std::vector<session_observer> observers_;
};

} // namespace sage::services::mcp
