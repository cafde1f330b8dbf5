// SAGE's metric families.
// SPDX-License-Identifier: MIT
#include "core/sage_metrics.hpp"

#include <array>
#include <charconv>

namespace sage::core {
namespace {

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

sage_metrics::sage_metrics(std::string_view version)
    : requests_(registry_.counter("sage_requests_total",
                                  "HTTP requests answered, by route pattern and status code.",
                                  {"route", "status"})),
      operations_(registry_.counter(
          "sage_operations_total",
          "Engine operations finished, by operation and status (ok, partial, fallback, error).",
          {"operation", "status"})),
      durations_(registry_.histogram("sage_operation_duration_seconds",
                                     "Time from a call into the engine to its answer.",
                                     {"operation"}, operation_duration_buckets())),
      errors_(registry_.counter("sage_errors_total",
                                "Engine operations that answered an error, by error code.",
                                {"kind"})),
      cache_hits_(registry_
                      .counter("sage_cache_hits_total",
                               "Knowledge-base files reused from the index cache when a "
                               "snapshot was built.")
                      .with({})),
      cache_misses_(registry_
                        .counter("sage_cache_misses_total",
                                 "Knowledge-base files read and parsed because the index "
                                 "cache did not have them.")
                        .with({})),
      tokens_(registry_
                  .counter("sage_tokens_loaded_total",
                           "Tokens of knowledge returned by get, context and named loads.")
                  .with({})),
      memory_usage_(
          registry_.gauge("sage_memory_usage_bytes", "Resident memory of the process (RSS).")
              .with({})),
      memory_database_(registry_
                           .gauge("sage_memory_database_bytes",
                                  "Size of the working-memory database with its write-ahead "
                                  "log; 0 before the first memory write.")
                           .with({})),
      breakers_(registry_.gauge(
          "sage_breaker_state",
          "Circuit breaker per operation kind: 0 closed, 1 half-open, 2 open.", {"breaker"})),
      budget_sessions_(
          registry_.gauge("sage_budget_sessions",
                          "Sessions by the token-budget level they last reached, among the "
                          "sessions this process has seen write to the working memory.",
                          {"level"})) {
  registry_.gauge("sage_build_info", "Always 1; the version is in the label.", {"version"})
      .with({version})
      .set(1);
  registry_.gauge("sage_up", "1 while the process serves.").with({}).set(1);
  for (auto level : all_levels)
    budget_sessions_.with({to_string(level)});
}

void sage_metrics::operation(std::string_view op, std::string_view status, double seconds) {
  operations_.with({op, status}).inc();
  durations_.with({op}).observe(seconds);
}

void sage_metrics::error(std::string_view kind) {
  errors_.with({kind}).inc();
}

void sage_metrics::request(std::string_view route, int status) {
  // Status codes are three digits: a buffer on the stack, no allocation.
  char code[12];
  auto [end, ec] = std::to_chars(code, code + sizeof code, status);
  requests_.with({route, std::string_view(code, static_cast<size_t>(end - code))}).inc();
}

void sage_metrics::snapshot_built(uint64_t files_from_cache, uint64_t files_parsed) {
  cache_hits_.inc(files_from_cache);
  cache_misses_.inc(files_parsed);
}

void sage_metrics::tokens_loaded(uint64_t tokens) {
  tokens_.inc(tokens);
}

void sage_metrics::breaker(std::string_view name, breaker_state state) {
  breakers_.with({name}).set(breaker_value(state));
}

void sage_metrics::session_budget_level(std::optional<core::budget_level> before,
                                        core::budget_level now) {
  if (before == now) return;
  if (before) budget_sessions_.with({to_string(*before)}).add(-1);
  budget_sessions_.with({to_string(now)}).add(1);
}

} // namespace sage::core
