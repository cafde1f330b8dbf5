// The token budget operations: status, check, and reservations.
// SPDX-License-Identifier: MIT
#include "core/catalogue/declare.hpp"

#include "core/catalogue/schema.hpp"

namespace sage::core::catalogue {
namespace {

using enum interface_kind;

constexpr int64_t max_tokens = 100'000'000;

param reservation_id() {
  return param::text("id", "the reservation's id (a UUID)").nonempty().needed();
}

constexpr const char* reservations_reason =
    "reservations hold tokens across requests of a program; budget_check answers whether "
    "tokens fit";

} // namespace

void declare_budget(std::vector<operation>& out, const config&) {
  out.push_back({
      .name = "budget_status",
      .area = "budget",
      .title = "Token budget status",
      .summary = "a session's token budget and what to do at its level; without a session, "
                 "every active session's",
      .description = "A session's token budget: used, reserved and remaining tokens, the level "
                     "(NORMAL, CAUTION, WARNING, CRITICAL, OVERFLOW) and what to do at that "
                     "level. Without a session_id, every active session's level.",
      .parameters = {param::text("session_id", "the session; omit for every active one")
                         .nonempty()
                         .alias("session")
                         .cli('s'),
                     param::integer("tokens",
                                    "tokens to add: answers whether they fit instead "
                                    "(needs session_id)",
                                    0, max_tokens)
                         .alias("check")
                         .without({mcp}, "budget_check answers whether tokens fit")},
      // one session's report, every active session's level (no session), or whether tokens
      // fit (HTTP and CLI with `tokens`)
      .result = {{"type", "object"},
                 {"properties",
                  {{"session_id", {{"type", "string"}}},
                   {"level", {{"type", "string"}}},
                   {"status", {{"type", "object"}}},
                   {"recommendations", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                   {"markdown", {{"type", "string"}}},
                   {"sessions", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                   {"count", {{"type", "integer"}}},
                   {"tokens", {{"type", "integer"}}},
                   {"fits", {{"type", "boolean"}}}}},
                 {"anyOf",
                  {{{"required", {"session_id", "level", "status", "recommendations"}}},
                   {{"required", {"sessions", "count"}}},
                   {{"required", {"session_id", "tokens", "fits"}}}}}},
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .cli_command = "budget",
      .mcp = true,
      .http = http_binding{"GET", "/v1/budget"},
  });

  out.push_back({
      .name = "budget_check",
      .area = "budget",
      .title = "Check a token budget",
      .summary = "whether adding tokens to a session stays within its budget",
      .description = "Whether adding a number of tokens to a session stays within its budget, "
                     "and the level it would reach. Check before adding large content to "
                     "memory.",
      .parameters =
          {param::text("session_id", "the session's id (from session_start)").nonempty().needed(),
           param::integer("tokens", "tokens you intend to add", 0, max_tokens).needed()},
      .result = object_result({{"session_id", {{"type", "string"}}},
                               {"tokens", {{"type", "integer"}}},
                               {"fits", {{"type", "boolean"}}},
                               {"used_after", {{"type", "integer"}}},
                               {"level_after", {{"type", "string"}}},
                               {"changes_level", {{"type", "boolean"}}},
                               {"remaining_after", {{"type", "integer"}}}},
                              {"session_id", "tokens", "fits"}),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .mcp = true,
      .cli_left_out = "sage budget --session-id ID --tokens N answers it",
      .http_left_out = "GET /v1/budget?session_id=ID&tokens=N answers it",
  });

  out.push_back({
      .name = "budget_reserve",
      .area = "budget",
      .title = "Reserve tokens",
      .summary = "hold tokens of a session's budget until committed, released or expired",
      .parameters = {param::text("session_id", "the session").nonempty().needed(),
                     param::integer("tokens", "tokens to hold", 1, max_tokens).needed(),
                     param::integer("ttl_ms", "expiry in milliseconds", 1, 86'400'000)
                         .configured("budget.reservation_ttl")},
      .result = object_result({{"id", {{"type", "string"}}},
                               {"session_id", {{"type", "string"}}},
                               {"tokens", {{"type", "integer"}}}},
                              {"id", "session_id", "tokens"}),
      .timeout = timeout_level::t2,
      .http = http_binding{"POST", "/v1/budget/reservations", 201},
      .cli_left_out = reservations_reason,
      .mcp_left_out = reservations_reason,
  });

  for (auto [name, verb, summary] :
       {std::tuple{"budget_commit", "commit", "count a reservation's tokens as used and end it"},
        std::tuple{"budget_release", "release", "give a reservation's tokens back and end it"}})
    out.push_back({
        .name = name,
        .area = "budget",
        .title = summary,
        .summary = summary,
        .parameters = {reservation_id()},
        .result = object_result({{"id", {{"type", "string"}}}, {"status", {{"type", "string"}}}},
                                {"id", "status"}),
        .timeout = timeout_level::t2,
        .idempotent = false,
        .http = http_binding{"POST", std::string("/v1/budget/reservations/{id}/") + verb},
        .cli_left_out = reservations_reason,
        .mcp_left_out = reservations_reason,
    });
}

void declare_system(std::vector<operation>& out, const config&) {
  out.push_back({
      .name = "stream_events",
      .area = "events",
      .title = "Stream events",
      .summary = "the engine's events as they happen, as server-sent events",
      .parameters = {param::text("pattern",
                                 "events to send: a glob over event names, e.g. memory.* or *", 128)
                         .nonempty()
                         .fallback("*")},
      .result = {{"type", "string"}},
      .timeout = timeout_level::t1,
      .read_only = true,
      .http = http_binding{"GET", "/v1/events"},
      .cli_left_out = "a stream for programs; sage node logs the events it sees",
      .mcp_left_out = "MCP clients subscribe to resources and get their notifications on the "
                      "session's stream",
  });

  out.push_back({
      .name = "get_health",
      .area = "system",
      .title = "Health",
      .summary = "health of the engine, index cache, knowledge base and memory database",
      .result = object_result(
          {{"status", enum_prop("overall status", {"healthy", "degraded", "unhealthy"})},
           {"version", {{"type", "string"}}},
           {"components", {{"type", "object"}}}},
          {"status", "version", "components"}),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .cli_command = "health",
      .http = http_binding{"GET", "/health", 200, true, true},
      .mcp_left_out = "a probe for operators and orchestrators, not for models",
  });

  // The API's own routes: the server adds them to every table (/metrics only when
  // server.metrics_on_api is set), answering text rather than an engine result.
  out.push_back({
      .name = "get_openapi",
      .area = "system",
      .title = "OpenAPI document",
      .summary = "the HTTP API described as an OpenAPI 3.1 document",
      .result = {{"type", "object"}},
      .timeout = timeout_level::t1,
      .read_only = true,
      .idempotent = true,
      .http = http_binding{"GET", "/v1/openapi.json"},
      .cli_left_out = "describes the HTTP API; sage operations lists every interface's",
      .mcp_left_out = "describes the HTTP API; tools/list describes the tools",
  });
  out.push_back({
      .name = "get_metrics",
      .area = "system",
      .title = "Metrics",
      .summary = "metrics in the Prometheus text format (with server.metrics_on_api)",
      .result = {{"type", "string"}},
      .timeout = timeout_level::t1,
      .read_only = true,
      .idempotent = true,
      .http = http_binding{"GET", "/metrics"},
      .cli_left_out = "scraped by Prometheus from a running server",
      .mcp_left_out = "scraped by Prometheus from a running server",
  });
}

} // namespace sage::core::catalogue
