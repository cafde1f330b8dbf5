// The token budget routes: status and check, and reservations (reserve, commit, release).
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"
#include "services/http/routes_support.hpp"

#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "actors/memory_json.hpp"
#include "core/session_store.hpp"
#include "core/token_budget.hpp"

namespace sage::services::http {
namespace {

using namespace mcp::tools;

constexpr const char* session_hint = "GET /v1/sessions lists sessions";
constexpr const char* reservation_hint =
    "POST /v1/budget/reservations answers the id of a new reservation";
constexpr int64_t max_tokens = 100'000'000;

/// Every active session with its level and numbers, as `sage budget --json` prints them.
core::result<reply> all_sessions(actors::bridge& calls) {
  auto active = calls.sessions("active");
  if (!active) return active.err();
  auto list = json::array();
  for (const auto& s : *active) {
    auto report = calls.budget_status(s.id);
    if (!report) return report.err();
    list.push_back({{"session_id", s.id},
                    {"objective", s.objective},
                    {"level", core::to_string(report->status.level)},
                    {"status", core::to_json(report->status)}});
  }
  auto count = list.size();
  return json_reply({{"sessions", std::move(list)}, {"count", count}});
}

/// The reservation id of the path, checked.
core::result<std::string> reservation_id(const call& c) {
  auto id = str(c.params, "id");
  if (auto err = check_id(id, "reservation id", reservation_hint)) return *err;
  return id;
}

void add_settle(route_table& table, actors::engine& engine, const char* verb, const char* id,
                const char* summary) {
  table.add(
      {.method = "POST",
       .pattern = std::string("/v1/budget/reservations/{id}/") + verb,
       .operation_id = id,
       .summary = summary,
       .tag = "budget",
       .parameters = {path_param("id", "the reservation's id (a UUID)")},
       .answer = {{"type", "object"},
                  {"required", {"id", "status"}},
                  {"properties", {{"id", {{"type", "string"}}}, {"status", {{"type", "string"}}}}}},
       .handle = [&engine, verb = std::string(verb)](const call& c) -> core::result<reply> {
         auto id = reservation_id(c);
         if (!id) return id.err();
         auto& calls = engine.calls();
         auto r = verb == "commit" ? calls.commit(*id) : calls.release(*id);
         if (!r) return r.err();
         return json_reply({{"id", *r}, {"status", verb == "commit" ? "committed" : "released"}});
       }});
}

} // namespace

void add_budget_routes(route_table& table, actors::engine& engine) {
  table.add(
      {.method = "GET",
       .pattern = "/v1/budget",
       .operation_id = "getBudget",
       .summary = "A session's token budget, whether more tokens fit, or every active session's",
       .tag = "budget",
       .parameters = {query_param("session", text_schema(),
                                  "the session (default: every active one)"),
                      query_param("check", integer_schema(0, max_tokens),
                                  "tokens to add: answers whether they fit (needs session)")},
       .answer = {{"type", "object"}},
       .answer_description = "with session: the report (level, status, recommendations, "
                             "markdown); with check: fits, used_after, level_after; without "
                             "session: {sessions, count}",
       .handle = [&engine](const call& c) -> core::result<reply> {
         auto& calls = engine.calls();
         auto session = str(c.params, "session");
         if (session.empty()) {
           if (c.params.contains("check"))
             return bad_request("check needs session", "e.g. /v1/budget?session=ID&check=500");
           return all_sessions(calls);
         }
         if (auto err = check_id(session, "session id", session_hint)) return *err;
         if (auto found = calls.session_status(session); !found) return found.err();
         if (c.params.contains("check")) {
           auto tokens = static_cast<uint64_t>(integer(c.params, "check", 0));
           auto r = calls.budget_check(session, tokens);
           if (!r) return r.err();
           auto body = core::to_json(*r);
           body["session_id"] = session;
           body["tokens"] = tokens;
           return json_reply(std::move(body));
         }
         auto report = calls.budget_status(session);
         if (!report) return report.err();
         return json_reply(actors::to_json(*report));
       }});

  table.add({.method = "POST",
             .pattern = "/v1/budget/reservations",
             .operation_id = "reserveTokens",
             .summary = "Hold tokens of a session's budget until committed, released or expired",
             .tag = "budget",
             .body = input_schema({{"session_id", string_prop("the session", 1)},
                                   {"tokens", integer_prop("tokens to hold", 1, max_tokens)},
                                   {"ttl_ms", integer_prop("expiry in milliseconds (default "
                                                           "budget.reservation_ttl)",
                                                           1, 86'400'000)}},
                                  {"session_id", "tokens"}),
             .status = 201,
             .answer = {{"type", "object"},
                        {"required", {"id", "session_id", "tokens"}},
                        {"properties",
                         {{"id", {{"type", "string"}}},
                          {"session_id", {{"type", "string"}}},
                          {"tokens", {{"type", "integer"}}}}}},
             .answer_description = "the reservation's id",
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto session = str(c.body, "session_id");
               if (auto err = check_id(session, "session id", session_hint)) return *err;
               auto tokens = static_cast<uint64_t>(integer(c.body, "tokens", 0));
               auto ttl = static_cast<uint64_t>(integer(c.body, "ttl_ms", 0));
               auto id = engine.calls().reserve(session, tokens, ttl);
               if (!id) return id.err();
               return json_reply({{"id", *id}, {"session_id", session}, {"tokens", tokens}}, 201);
             }});

  add_settle(table, engine, "commit", "commitReservation",
             "Count a reservation's tokens as used and end it");
  add_settle(table, engine, "release", "releaseReservation",
             "Give a reservation's tokens back and end it");
}

} // namespace sage::services::http
