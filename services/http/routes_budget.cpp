// The token budget routes: status and check, and reservations (reserve, commit, release).
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"
#include "services/http/routes_support.hpp"

#include "core/catalogue/catalogue.hpp"
#include "core/catalogue/schema.hpp"

#include "actors/engine.hpp"
#include "actors/memory_json.hpp"
#include "core/session_store.hpp"
#include "core/token_budget.hpp"

namespace sage::services::http {
namespace {

using namespace core::catalogue;

constexpr const char* session_hint = "GET /v1/sessions lists sessions";
constexpr const char* reservation_hint =
    "POST /v1/budget/reservations answers the id of a new reservation";

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

void add_settle(route_table& table, actors::engine& engine,
                const core::catalogue::catalogue& catalogue, const char* verb, const char* id) {
  table.add(route_of(
      catalogue.at(id), [&engine, verb = std::string(verb)](const call& c) -> core::result<reply> {
        auto id = reservation_id(c);
        if (!id) return id.err();
        auto& calls = engine.calls();
        auto r = verb == "commit" ? calls.commit(*id) : calls.release(*id);
        if (!r) return r.err();
        return json_reply({{"id", *r}, {"status", verb == "commit" ? "committed" : "released"}});
      }));
}

} // namespace

void add_budget_routes(route_table& table, actors::engine& engine,
                       const core::catalogue::catalogue& catalogue) {
  table.add(
      route_of(catalogue.at("budget_status"), [&engine](const call& c) -> core::result<reply> {
        auto& calls = engine.calls();
        auto session = str(c.params, "session_id");
        if (session.empty()) {
          if (c.params.contains("tokens"))
            return bad_request("tokens needs session_id",
                               "e.g. /v1/budget?session_id=ID&tokens=500");
          return all_sessions(calls);
        }
        if (auto err = check_id(session, "session id", session_hint)) return *err;
        if (auto found = calls.session_status(session); !found) return found.err();
        if (c.params.contains("tokens")) {
          auto tokens = static_cast<uint64_t>(integer(c.params, "tokens", 0));
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
      }));

  table.add(
      route_of(catalogue.at("budget_reserve"), [&engine](const call& c) -> core::result<reply> {
        auto session = str(c.body, "session_id");
        if (auto err = check_id(session, "session id", session_hint)) return *err;
        auto tokens = static_cast<uint64_t>(integer(c.body, "tokens", 0));
        auto ttl = static_cast<uint64_t>(integer(c.body, "ttl_ms", 0));
        auto id = engine.calls().reserve(session, tokens, ttl);
        if (!id) return id.err();
        return json_reply({{"id", *id}, {"session_id", session}, {"tokens", tokens}}, 201);
      }));

  add_settle(table, engine, catalogue, "commit", "budget_commit");
  add_settle(table, engine, catalogue, "release", "budget_release");
}

} // namespace sage::services::http
