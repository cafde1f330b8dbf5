// The metrics SAGE exports (docs/operations.md) on one registry, with a method per thing that
// happens, so the places that count need not know metric names or label orders.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circuit_breaker.hpp"
#include "core/metrics.hpp"
#include "core/token_budget.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sage::core {

/// Operation durations from 50 µs (a lookup in memory) to 10 s (the analysis deadline, T5).
std::vector<double> operation_duration_buckets();

/// Owned by the engine's context (one per engine, no process-wide registry); every method is
/// safe from any thread and none allocates once a series exists.
class sage_metrics {
public:
  explicit sage_metrics(std::string_view version = SAGE_VERSION);

  metrics_registry& registry() { return registry_; }

  /// The Prometheus text of every metric, after running the registry's collectors.
  std::string render() const { return registry_.render(); }

  /// A finished engine operation (`search`, `memory_add`, ...): `status` is `ok`, `partial`,
  /// `fallback` or `error`.
  void operation(std::string_view op, std::string_view status, double seconds);

  /// An operation that answered an error, by error code (`not_found`, `timed_out`, ...).
  void error(std::string_view kind);

  /// An HTTP request answered: the route pattern (never the raw path, which is unbounded) and
  /// the status code.
  void request(std::string_view route, int status);

  /// A snapshot built: files reused from the index cache and files parsed anew.
  void snapshot_built(uint64_t files_from_cache, uint64_t files_parsed);

  /// Tokens of knowledge handed out by a load (get, context, named).
  void tokens_loaded(uint64_t tokens);

  /// The state of the circuit breaker of an operation kind.
  void breaker(std::string_view name, breaker_state state);

  /// A session's budget level as last seen: `before` is the level it was counted at, if it was.
  void session_budget_level(std::optional<budget_level> before, budget_level now);

  /// Resident memory of the process and the size of the memory database, set by collectors.
  metric_gauge& memory_usage() { return memory_usage_; }
  metric_gauge& memory_database_size() { return memory_database_; }

private:
  metrics_registry registry_;
  counter_family& requests_;
  counter_family& operations_;
  histogram_family& durations_;
  counter_family& errors_;
  metric_counter& cache_hits_;
  metric_counter& cache_misses_;
  metric_counter& tokens_;
  metric_gauge& memory_usage_;
  metric_gauge& memory_database_;
  gauge_family& breakers_;
  gauge_family& budget_sessions_;
};

} // namespace sage::core
