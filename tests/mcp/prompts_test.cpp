// MCP prompts, completion and logging over a real engine and a small knowledge base:
// prompts/list and prompts/get, argument errors, completion of prompt arguments and template
// parameters, logging/setLevel.
// SPDX-License-Identifier: MIT
#include "services/mcp/completion.hpp"
#include "services/mcp/logging.hpp"
#include "services/mcp/prompts.hpp"

#include "mcp/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace sage::services::mcp;
using namespace sage::services::mcp::test;

namespace {

std::set<std::string> values_of(const json& result) {
  std::set<std::string> out;
  for (const auto& v : result["completion"]["values"])
    out.insert(v.get<std::string>());
  return out;
}

json prompt_ref(const std::string& name) {
  return {{"type", "ref/prompt"}, {"name", name}};
}

json resource_ref(const std::string& uri) {
  return {{"type", "ref/resource"}, {"uri", uri}};
}

json argument(const std::string& name, const std::string& value) {
  return {{"name", name}, {"value", value}};
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(mcp_prompts, engine_fixture)

BOOST_AUTO_TEST_CASE(list_names_both_prompts_and_their_arguments) {
  auto r = ok("prompts/list");
  BOOST_REQUIRE(r["prompts"].size() == 2u);
  const auto& task = r["prompts"][0];
  BOOST_TEST(task["name"] == "task_context");
  BOOST_TEST(task["arguments"][0]["name"] == "task");
  BOOST_TEST(task["arguments"][0]["required"] == true);
  BOOST_TEST(task["arguments"][1]["name"] == "budget");
  BOOST_TEST(task["arguments"][1]["required"] == false);
  const auto& handoff = r["prompts"][1];
  BOOST_TEST(handoff["name"] == "session_handoff");
  BOOST_TEST(handoff["arguments"][0]["name"] == "session_id");
  BOOST_TEST(handoff["arguments"][0]["required"] == true);
}

BOOST_AUTO_TEST_CASE(task_context_answers_a_user_message_with_the_context) {
  auto r =
      ok("prompts/get", {{"name", "task_context"},
                         {"arguments", {{"task", "write a style guide"}, {"budget", "2000"}}}});
  BOOST_REQUIRE(r["messages"].size() == 1u);
  const auto& m = r["messages"][0];
  BOOST_TEST(m["role"] == "user");
  BOOST_TEST(m["content"]["type"] == "text");
  auto text = m["content"]["text"].get<std::string>();
  BOOST_TEST(text.find("write a style guide") != std::string::npos);
  // core is always loaded
  BOOST_TEST(text.find("Lighthouses guide ships safely home.") != std::string::npos, text);
  BOOST_TEST(text.find("2000-token budget") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(session_handoff_answers_the_handoff_markdown) {
  auto id = start_session("repair the foghorn");
  auto r = ok("prompts/get", {{"name", "session_handoff"}, {"arguments", {{"session_id", id}}}});
  auto text = r["messages"][0]["content"]["text"].get<std::string>();
  BOOST_TEST(r["messages"][0]["role"] == "user");
  BOOST_TEST(text.find("repair the foghorn") != std::string::npos, text);
  BOOST_TEST(text.find(id) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_bad_or_unknown_arguments_are_invalid_params) {
  auto e = fails("prompts/get", {{"name", "task_context"}, {"arguments", json::object()}});
  BOOST_TEST(e["code"] == -32602);
  BOOST_TEST(e["message"].get<std::string>().find("task is missing") != std::string::npos);
  BOOST_TEST(fails("prompts/get", {{"name", "task_context"}})["code"] == -32602);
  BOOST_TEST(fails("prompts/get", {{"name", "task_context"},
                                   {"arguments", {{"task", "x"}, {"budget", "lots"}}}})["code"] ==
             -32602);
  BOOST_TEST(fails("prompts/get", {{"name", "task_context"},
                                   {"arguments", {{"task", "x"}, {"budget", "-5"}}}})["code"] ==
             -32602);
  BOOST_TEST(fails("prompts/get", {{"name", "session_handoff"}})["code"] == -32602);
  BOOST_TEST(fails("prompts/get", {{"name", "session_handoff"},
                                   {"arguments", {{"session_id", "no-such-session"}}}})["code"] ==
             -32602);
  BOOST_TEST(fails("prompts/get", {{"name", "no_such_prompt"}})["code"] == -32602);
  BOOST_TEST(fails("prompts/get", json::object())["code"] == -32602);
  BOOST_TEST(fails("prompts/get", {{"name", "task_context"}, {"arguments", "x"}})["code"] ==
             -32602);
}

// -- completion ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(completion_of_layers_by_prefix) {
  auto r = ok("completion/complete", {{"ref", resource_ref("knowledge://{layer}/{path}")},
                                      {"argument", argument("layer", "f")}});
  BOOST_TEST(values_of(r) == (std::set<std::string>{"frameworks"}));
  BOOST_TEST(r["completion"]["total"] == 1);
  BOOST_TEST(r["completion"]["hasMore"] == false);
  auto all = ok("completion/complete", {{"ref", resource_ref("knowledge://{layer}/{path}")},
                                        {"argument", argument("layer", "")}});
  BOOST_TEST(values_of(all).size() == 8u);
}

BOOST_AUTO_TEST_CASE(completion_of_paths_inside_the_given_layer) {
  auto r = ok("completion/complete", {{"ref", resource_ref("knowledge://{layer}/{path}")},
                                      {"argument", argument("path", "s")},
                                      {"context", {{"arguments", {{"layer", "guidelines"}}}}}});
  BOOST_TEST(values_of(r) == (std::set<std::string>{"SECURITY.md", "STYLE.md"}));
  auto nested =
      ok("completion/complete", {{"ref", resource_ref("knowledge://{layer}/{path}")},
                                 {"argument", argument("path", "testing/")},
                                 {"context", {{"arguments", {{"layer", "guidelines"}}}}}});
  BOOST_TEST(values_of(nested) == (std::set<std::string>{"testing/SEA_TRIALS.md"}));
  auto other = ok("completion/complete", {{"ref", resource_ref("knowledge://{layer}/{path}")},
                                          {"argument", argument("path", "s")},
                                          {"context", {{"arguments", {{"layer", "core"}}}}}});
  BOOST_TEST(values_of(other).empty());
}

BOOST_AUTO_TEST_CASE(completion_of_session_ids_for_prompt_and_template) {
  auto id = start_session("count the gulls");
  auto r = ok("completion/complete",
              {{"ref", prompt_ref("session_handoff")}, {"argument", argument("session_id", "")}});
  BOOST_TEST(values_of(r).contains(id));
  auto prefixed =
      ok("completion/complete", {{"ref", prompt_ref("session_handoff")},
                                 {"argument", argument("session_id", id.substr(0, 6))}});
  BOOST_TEST(values_of(prefixed).contains(id));
  auto none = ok("completion/complete", {{"ref", prompt_ref("session_handoff")},
                                         {"argument", argument("session_id", "zzzz-not-an-id")}});
  BOOST_TEST(values_of(none).empty());
  auto templ =
      ok("completion/complete", {{"ref", resource_ref("memory://session/{session_id}/handoff")},
                                 {"argument", argument("session_id", "")}});
  BOOST_TEST(values_of(templ).contains(id));
}

BOOST_AUTO_TEST_CASE(completion_of_budgets_and_errors) {
  auto r = ok("completion/complete",
              {{"ref", prompt_ref("task_context")}, {"argument", argument("budget", "1")}});
  BOOST_TEST(values_of(r) == (std::set<std::string>{"1000", "10000"}));
  auto task = ok("completion/complete",
                 {{"ref", prompt_ref("task_context")}, {"argument", argument("task", "wr")}});
  BOOST_TEST(values_of(task).empty());
  BOOST_TEST(fails("completion/complete", {{"ref", prompt_ref("nope")},
                                           {"argument", argument("x", "")}})["code"] == -32602);
  BOOST_TEST(fails("completion/complete", {{"ref", resource_ref("file:///{x}")},
                                           {"argument", argument("x", "")}})["code"] == -32602);
  BOOST_TEST(fails("completion/complete", {{"argument", argument("x", "")}})["code"] == -32602);
  BOOST_TEST(fails("completion/complete", {{"ref", prompt_ref("task_context")}})["code"] == -32602);
}

// -- logging ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(set_level_accepts_the_syslog_levels_and_refuses_others) {
  BOOST_TEST(!logging->level().has_value());
  for (const char* level :
       {"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}) {
    auto r = ok("logging/setLevel", {{"level", level}});
    BOOST_TEST(r == json::object());
    BOOST_REQUIRE(logging->level().has_value());
    BOOST_TEST(to_string(*logging->level()) == level);
  }
  BOOST_TEST(fails("logging/setLevel", {{"level", "verbose"}})["code"] == -32602);
  BOOST_TEST(fails("logging/setLevel", json::object())["code"] == -32602);
  BOOST_TEST(to_string(*logging->level()) == "emergency");
}

BOOST_AUTO_TEST_SUITE_END()
