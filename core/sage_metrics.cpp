// SAGE's metric families on a prometheus-cpp registry.
// SPDX-License-Identifier: MIT
#include "core/sage_metrics.hpp"

#include "core/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <mutex>

namespace sage::core {
namespace {

using counters = prometheus::Family<prometheus::Counter>;
using gauges = prometheus::Family<prometheus::Gauge>;
using histograms = prometheus::Family<prometheus::Histogram>;

constexpr std::array all_levels = {budget_level::normal, budget_level::caution,
                                   budget_level::warning, budget_level::critical,
                                   budget_level::overflow};

/// 0 closed, 1 half-open, 2 open: higher is worse, so `max` over breakers means something.
double breaker_value(breaker_state s) {
  switch (s) {
  case breaker_state::closed:
    return 0;
  case breaker_state::half_open:
    return 1;
  case breaker_state::open:
    return 2;
  }
  return 0;
}

} // namespace

std::vector<double> operation_duration_buckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

// Every family in one place, in the order of docs/operations.md. Help texts stay on one line
// without backslashes: prometheus-cpp 1.0 writes them unescaped.
struct sage_metrics::state {
  prometheus::Registry registry;
  counters& requests = prometheus::BuildCounter()
                           .Name("sage_requests_total")
                           .Help("HTTP requests answered, by route pattern and status code.")
                           .Register(registry);
  counters& operations =
      prometheus::BuildCounter()
          .Name("sage_operations_total")
          .Help("Engine operations finished, by operation and status (ok, partial, fallback, "
                "error).")
          .Register(registry);
  histograms& durations = prometheus::BuildHistogram()
                              .Name("sage_operation_duration_seconds")
                              .Help("Time from a call into the engine to its answer.")
                              .Register(registry);
  const prometheus::Histogram::BucketBoundaries duration_buckets = operation_duration_buckets();
  counters& errors = prometheus::BuildCounter()
                         .Name("sage_errors_total")
                         .Help("Engine operations that answered an error, by error code.")
                         .Register(registry);
  prometheus::Counter& cache_hits = prometheus::BuildCounter()
                                        .Name("sage_cache_hits_total")
                                        .Help("Knowledge-base files reused from the index cache "
                                              "when a snapshot was built.")
                                        .Register(registry)
                                        .Add({});
  prometheus::Counter& cache_misses = prometheus::BuildCounter()
                                          .Name("sage_cache_misses_total")
                                          .Help("Knowledge-base files read and parsed because "
                                                "the index cache did not have them.")
                                          .Register(registry)
                                          .Add({});
  prometheus::Counter& tokens =
      prometheus::BuildCounter()
          .Name("sage_tokens_loaded_total")
          .Help("Tokens of knowledge returned by get, context and named loads.")
          .Register(registry)
          .Add({});
  // prometheus-cpp 1.0 has no gauge that asks a callback for its value. The two that are read
  // from the system are plain gauges that `render` sets right before it serialises; a
  // Collectable of our own would build the MetricFamily structs by hand and declare these two
  // apart from every other family.
  prometheus::Gauge& memory_usage = prometheus::BuildGauge()
                                        .Name("sage_memory_usage_bytes")
                                        .Help("Resident memory of the process (RSS).")
                                        .Register(registry)
                                        .Add({});
  prometheus::Gauge& memory_database = prometheus::BuildGauge()
                                           .Name("sage_memory_database_bytes")
                                           .Help("Size of the working-memory database with its "
                                                 "write-ahead log; 0 before the first memory "
                                                 "write.")
                                           .Register(registry)
                                           .Add({});
  gauges& breakers = prometheus::BuildGauge()
                         .Name("sage_breaker_state")
                         .Help("Circuit breaker per operation kind: 0 closed, 1 half-open, 2 open.")
                         .Register(registry);
  gauges& budget_sessions = prometheus::BuildGauge()
                                .Name("sage_budget_sessions")
                                .Help("Sessions by the token-budget level they last reached, "
                                      "among the sessions this process has seen write to the "
                                      "working memory.")
                                .Register(registry);
  gauges& build_info = prometheus::BuildGauge()
                           .Name("sage_build_info")
                           .Help("Always 1; the version is in the label.")
                           .Register(registry);
  prometheus::Gauge& up = prometheus::BuildGauge()
                              .Name("sage_up")
                              .Help("1 while the process serves.")
                              .Register(registry)
                              .Add({});

  /// The series of each budget level, by `budget_level` value: all five show from the start.
  std::array<prometheus::Gauge*, all_levels.size()> sessions_at{};

  std::mutex read_mutex;
  std::function<process_reading()> read_process;
};

sage_metrics::sage_metrics(std::string_view version) : state_(std::make_unique<state>()) {
  state_->build_info.Add({{"version", std::string(version)}}).Set(1);
  state_->up.Set(1);
  for (auto level : all_levels)
    state_->sessions_at[static_cast<size_t>(level)] =
        &state_->budget_sessions.Add({{"level", to_string(level)}});
}

sage_metrics::~sage_metrics() = default;

std::string sage_metrics::render() const {
  std::function<process_reading()> read;
  {
    std::lock_guard lock(state_->read_mutex);
    read = state_->read_process;
  }
  if (read) {
    auto now = read();
    if (now.resident_bytes) state_->memory_usage.Set(static_cast<double>(*now.resident_bytes));
    state_->memory_database.Set(static_cast<double>(now.memory_database_bytes));
  }
  return render_metrics(state_->registry);
}

void sage_metrics::read_process_with(std::function<process_reading()> read) {
  std::lock_guard lock(state_->read_mutex);
  state_->read_process = std::move(read);
}

void sage_metrics::operation(std::string_view op, std::string_view status, double seconds) {
  state_->operations.Add({{"operation", std::string(op)}, {"status", std::string(status)}})
      .Increment();
  state_->durations.Add({{"operation", std::string(op)}}, state_->duration_buckets)
      .Observe(seconds);
}

void sage_metrics::error(std::string_view kind) {
  state_->errors.Add({{"kind", std::string(kind)}}).Increment();
}

void sage_metrics::request(std::string_view route, int status) {
  state_->requests.Add({{"route", std::string(route)}, {"status", std::to_string(status)}})
      .Increment();
}

void sage_metrics::snapshot_built(uint64_t files_from_cache, uint64_t files_parsed) {
  state_->cache_hits.Increment(static_cast<double>(files_from_cache));
  state_->cache_misses.Increment(static_cast<double>(files_parsed));
}

void sage_metrics::tokens_loaded(uint64_t tokens) {
  state_->tokens.Increment(static_cast<double>(tokens));
}

void sage_metrics::breaker(std::string_view name, breaker_state state) {
  state_->breakers.Add({{"breaker", std::string(name)}}).Set(breaker_value(state));
}

void sage_metrics::session_budget_level(std::optional<budget_level> before, budget_level now) {
  if (before == now) return;
  if (before) state_->sessions_at[static_cast<size_t>(*before)]->Decrement();
  state_->sessions_at[static_cast<size_t>(now)]->Increment();
}

} // namespace sage::core
