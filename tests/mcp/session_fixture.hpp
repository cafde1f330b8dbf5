// Helpers of the MCP session tests: message texts, a recording sink and log, sessions in a
// given lifecycle state.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"
#include "services/mcp/session.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sage::services::mcp::test {

using json = nlohmann::json;

inline std::string initialize_text(const std::string& version, int id = 1) {
  return serialize(json{{"jsonrpc", "2.0"},
                        {"id", id},
                        {"method", "initialize"},
                        {"params",
                         {{"protocolVersion", version},
                          {"capabilities", {{"roots", {{"listChanged", true}}}}},
                          {"clientInfo", {{"name", "test-client"}, {"version", "1.0.0"}}}}}});
}

inline std::string request_text(const std::string& method, int id, json params = json::object()) {
  return serialize(
      json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
}

inline std::string notification_text(const std::string& method) {
  return serialize(json{{"jsonrpc", "2.0"}, {"method", method}});
}

/// Messages a session delivered through its sink or log, from any thread.
struct recorder {
  std::mutex mutex;
  std::vector<json> sent;
  std::vector<std::pair<std::string, json>> logged;

  message_sink sink() {
    return [this](json m) {
      std::lock_guard lock{mutex};
      sent.push_back(std::move(m));
    };
  }
  session_log log() {
    return [this](std::string_view event, const json& fields) {
      std::lock_guard lock{mutex};
      logged.emplace_back(std::string{event}, fields);
    };
  }
  bool logged_event(std::string_view event) {
    std::lock_guard lock{mutex};
    for (const auto& [e, fields] : logged)
      if (e == event) return true;
    return false;
  }
};

struct session_fixture {
  std::shared_ptr<server> srv = std::make_shared<server>();
  recorder rec;

  session make_session(bool with_sink = true) {
    session_options options;
    if (with_sink) options.sink = rec.sink();
    options.log = rec.log();
    return session{srv, std::move(options)};
  }

  /// A session past initialize and notifications/initialized.
  session ready_session(bool with_sink = true) {
    auto s = make_session(with_sink);
    auto answer = s.handle(initialize_text("2025-11-25", 1000));
    BOOST_REQUIRE(answer && answer->contains("result"));
    BOOST_REQUIRE(!s.handle(notification_text("notifications/initialized")));
    BOOST_REQUIRE(s.state() == session_state::ready);
    return s;
  }
};

inline json answer_of(session& s, std::string_view text) {
  auto answer = s.handle(text);
  BOOST_REQUIRE_MESSAGE(answer.has_value(), "no answer to " << text);
  return *answer;
}

inline void check_error(const json& answer, error_code code, std::string_view message) {
  BOOST_REQUIRE_MESSAGE(answer.contains("error"), "not an error: " << answer.dump());
  BOOST_TEST(answer["error"]["code"] == static_cast<int>(code));
  BOOST_TEST(answer["error"]["message"].get<std::string>() == message);
}

} // namespace sage::services::mcp::test
