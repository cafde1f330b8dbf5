// Health of a running engine and what it depends on: the checks behind `sage health` and
// `GET /health`, with the JSON both print.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/ops/loader_watch.hpp"

#include "actors/engine.hpp"

#include "core/config.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace sage::services::ops {

enum class health_status { healthy, degraded, unhealthy };

/// `healthy`, `degraded`, `unhealthy`.
const char* to_string(health_status s);

/// How long the engine's actors get to answer a health check's questions: far longer than a
/// healthy engine needs (microseconds), short enough for a probe.
constexpr auto health_call_timeout = std::chrono::seconds(2);

/// One component's state, why, and the figures behind it.
struct component_health {
  health_status status = health_status::healthy;
  std::string message;                               ///< one line for people
  nlohmann::json details = nlohmann::json::object(); ///< what was checked
  double duration_ms = 0;
};

struct health_report {
  health_status status = health_status::healthy; ///< the worst of the components
  std::string version;                           ///< of this build
  std::string checked_at;                        ///< ISO 8601, UTC
  double duration_ms = 0;
  component_health core, cache, knowledge, memory;
};

/// What the checks look at.
struct health_target {
  const core::config& cfg;
  /// The running engine; null when it could not be started (then `engine_error` says why,
  /// and core and knowledge are unhealthy while cache and memory are still checked).
  actors::engine* engine = nullptr;
  std::string engine_error;
  /// A long-running process's watch on rebuilds; without one, no rebuild failure is known.
  const loader_watch* loader = nullptr;
};

/// Checks, for real and each within `health_call_timeout` where the engine is asked:
/// - core: the node answers with its children (any not running: degraded, being restarted),
///   the timeout supervisor answers with its breakers (any open: degraded), and the loader
///   answers with the generation it serves; no answer: unhealthy.
/// - cache: with `cache.enabled`, the cache folder exists or can be made and a file can be
///   created in it (else degraded: loads get slower, answers stay right).
/// - knowledge: a snapshot with documents (none: unhealthy) whose root still exists and whose
///   last rebuild did not fail (else degraded: the last good generation is served).
/// - memory: the database passes `PRAGMA quick_check` with a schema this build knows (else
///   unhealthy); a database not created yet is healthy when its folder can be written to.
/// Safe to call from several threads at once; the memory check opens its own connection.
health_report check_health(const health_target& target);

/// How much of a report `to_json` shows.
enum class health_detail {
  full,    ///< with `checks`: messages and figures, including file system paths
  summary, ///< status, version and components only: for callers who may not see paths
};

/// `{"status", "version", "components": {"core": "healthy", ...}, "checks": {"core": {"status",
/// "message", "duration_ms", ...details}, ...}, "checked_at", "duration_ms"}`: the components
/// map has the shape of PRODUCT.md's health answer; `checks` (left out by
/// `health_detail::summary`) holds the details.
nlohmann::json to_json(const health_report& r, health_detail detail = health_detail::full);

} // namespace sage::services::ops
