// The live sessions of one MCP server and the engine's `loader.changed` events: what turns a
// change of the knowledge base into `notifications/resources/updated` and `list_changed`.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/handler.hpp"
#include "services/mcp/worker_pool.hpp"

#include "actors/event_listener.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sage::actors {
class engine;
} // namespace sage::actors

namespace sage::services::mcp {

/// Holds weak references to the notifiers of the server's ready sessions (a session that is
/// gone is dropped on the next change) and, for each `loader.changed` of the engine, tells
/// them, in this order:
///
/// - `notifications/resources/updated {uri}` for each subscribed document URI that was
///   changed, removed or added (back): its next read differs;
/// - `notifications/resources/updated {uri: knowledge://<layer>}` once per change to a session
///   subscribed to a layer whose documents were changed, added or removed;
/// - `notifications/resources/list_changed` to every ready session when documents were added
///   or removed.
///
/// Subscriptions themselves live in each session's notifier (`resources/subscribe`). The
/// notifications are sent from a thread of the watch's own, in the order of the changes, so a
/// client that reads slowly never holds up the engine. Safe from any thread.
class resource_watch {
public:
  /// Listens to `engine`'s `loader.changed` until destroyed. When the engine does not take the
  /// subscription, subscriptions are still accepted but nothing is notified: `failure` says why.
  explicit resource_watch(actors::engine& engine);

  /// Without an engine: nothing is heard, `changed` is called by hand (tests).
  resource_watch();

  /// Stops listening, then sends what is queued.
  ~resource_watch();

  resource_watch(const resource_watch&) = delete;
  resource_watch& operator=(const resource_watch&) = delete;

  /// Adds the notifier of a ready session; sessions without a sink are skipped.
  void add(const std::shared_ptr<session_notifier>& notifier);

  /// Sends the notifications for one `loader.changed` payload (its `uris.added|changed|removed`)
  /// on the calling thread.
  void changed(const nlohmann::json& payload);

  /// Live sessions now (those gone are dropped).
  size_t sessions();

  /// Why the watch hears no changes, when it does not.
  const std::optional<std::string>& failure() const { return failure_; }

private:
  std::vector<std::shared_ptr<session_notifier>> live();

  std::mutex mutex_;
  std::vector<std::weak_ptr<session_notifier>> sessions_;
  std::optional<std::string> failure_;
  /// One thread: notifications go out in the order of the changes. Declared before the
  /// listener, which hands it work, so that it outlives it.
  std::unique_ptr<worker_pool> sender_;
  std::optional<actors::event_listener> listener_;
};

} // namespace sage::services::mcp
