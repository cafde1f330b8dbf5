// The metrics SAGE exports (docs/operations.md) on one registry, with a method per thing that
// happens, so the places that count need not know metric names or labels.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circuit_breaker.hpp"
#include "core/token_budget.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// Operation durations from 50 µs (a lookup in memory) to 10 s (the analysis deadline, T5).
std::vector<double> operation_duration_buckets();

/// What is read from the system when metrics are scraped; the I/O is services/telemetry's.
struct process_reading {
  std::optional<uint64_t> resident_bytes; ///< nothing when unreadable: the gauge keeps its value
  uint64_t memory_database_bytes = 0;
};

/// Owned by the engine's context (one per engine, no process-wide registry); every method is
/// safe from any thread. A labelled call looks its series up by a label map that prometheus-cpp
/// builds anew each time (well under a microsecond, against an engine operation's tens).
class sage_metrics {
public:
  explicit sage_metrics(std::string_view version = SAGE_VERSION);
  ~sage_metrics();
  sage_metrics(const sage_metrics&) = delete;
  sage_metrics& operator=(const sage_metrics&) = delete;

  /// The Prometheus text of every metric, after reading the process (`read_process_with`).
  std::string render() const;

  /// Sets what `render` calls first for the resident memory and the memory database's size;
  /// replaces an earlier reader. It runs on whichever thread renders.
  void read_process_with(std::function<process_reading()> read);

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

private:
  /// The registry and its families; prometheus-cpp stays out of this widely included header.
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace sage::core
