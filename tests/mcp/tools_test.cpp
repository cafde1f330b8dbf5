// The MCP tools over a real engine and a small knowledge base: tools/list, every tool called
// through tools/call, argument errors as tool results, the flows of memory and sessions, and
// results cut to the token limit.
// SPDX-License-Identifier: MIT
#include "core/catalogue/schema_check.hpp"
#include "services/mcp/tools.hpp"
#include "services/mcp/worker_pool.hpp"

#include "mcp/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>

using namespace sage;
using namespace sage::services::mcp;
using namespace sage::services::mcp::test;
using namespace std::chrono_literals;

namespace {

/// A long document about `topic`, in sections.
std::string big_doc(int n) {
  std::string body;
  for (int s = 0; s < 8; ++s) {
    body += "\n## Part " + std::to_string(s) + "\n\n";
    for (int i = 0; i < 40; ++i)
      body += "Reference " + std::to_string(n) + " note " + std::to_string(i) +
              " explains how the beacon keeper logs the tide at hour " + std::to_string(s) + ". ";
    body += "\n";
  }
  return kb_doc("Reference " + std::to_string(n), body);
}

struct tools_fixture : engine_session {
  std::shared_ptr<const tool_registry> registry;

  tools_fixture() {
    kb.write("INDEX.md", kb_doc("Index", "Start here for anything about lighthouses."));
    kb.write("core/PRINCIPLES.md", kb_doc("Principles", "Lighthouses guide ships safely home."));
    kb.write("guidelines/STYLE.md", kb_doc("Style", "Write about lighthouses and harbours."));
    kb.write("frameworks/BEACON.md", kb_doc("Beacon", "A framework for beacon maintenance."));
    kb.write("templates/REPORT.md", kb_doc("Report", "A template for keeper reports."));
    for (int i = 0; i < 12; ++i)
      kb.write("references/REF" + std::to_string(i) + ".md", big_doc(i));
    start([&](server& srv, actors::engine& eng, worker_pool& p) {
      registry = register_tools(srv, eng, p);
    });
  }

  /// The result of a tools/call (a CallToolResult).
  json call(const std::string& tool, json arguments = json::object()) {
    auto answer = request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
    BOOST_REQUIRE_MESSAGE(answer.contains("result"), "not a result: " << answer.dump());
    return answer["result"];
  }

  /// A successful call: checks the result's shape and its structured content against the
  /// tool's output schema, and returns the structured content.
  json ok(const std::string& tool, json arguments = json::object()) {
    auto r = call(tool, std::move(arguments));
    BOOST_REQUIRE_MESSAGE(r.value("isError", true) == false,
                          tool << " failed: " << r.dump().substr(0, 2000));
    BOOST_REQUIRE(r.contains("structuredContent"));
    BOOST_REQUIRE(r["content"].is_array() && !r["content"].empty());
    BOOST_TEST(r["content"][0]["type"] == "text");
    BOOST_TEST(!r["content"][0]["text"].get<std::string>().empty());
    auto problem = core::catalogue::check_against_schema(registry->find(tool)->output_schema,
                                                         r["structuredContent"]);
    BOOST_TEST(!problem.has_value(), tool << ": " << problem.value_or(""));
    return r["structuredContent"];
  }

  /// A failed call: the message shown to the model.
  std::string fails(const std::string& tool, json arguments) {
    auto r = call(tool, std::move(arguments));
    BOOST_REQUIRE_MESSAGE(r.value("isError", false) == true, tool << " did not fail: " << r.dump());
    BOOST_TEST(!r.contains("structuredContent"));
    return r["content"][0]["text"].get<std::string>();
  }

  size_t tokens_of(const json& call_result) {
    const auto& counter = engine->context()->tokens;
    return counter.count(call_result["content"][0]["text"].get<std::string>()) +
           counter.count(call_result["structuredContent"].dump());
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(tools_tests, tools_fixture)

BOOST_AUTO_TEST_CASE(tools_list_lists_every_tool_with_schemas_and_annotations) {
  auto answer = request("tools/list", json::object());
  BOOST_REQUIRE(answer.contains("result"));
  const auto& tools = answer["result"]["tools"];
  BOOST_TEST(!answer["result"].contains("nextCursor"));
  std::set<std::string> names;
  for (const auto& t : tools) {
    auto name = t["name"].get<std::string>();
    names.insert(name);
    BOOST_TEST(t["inputSchema"]["type"] == "object", name);
    BOOST_TEST(t["outputSchema"]["type"] == "object", name);
    BOOST_TEST(t["description"].get<std::string>().size() < 1024u, name);
    BOOST_TEST(!t["title"].get<std::string>().empty(), name);
    for (const char* hint : {"readOnlyHint", "destructiveHint", "idempotentHint"})
      BOOST_TEST(t["annotations"][hint].is_boolean(), name << " " << hint);
  }
  std::set<std::string> expected = {
      "get_knowledge",      "get_context",     "search_knowledge", "get_guidelines",
      "get_framework",      "get_template",    "kb_info",          "memory_add",
      "memory_search",      "memory_get",      "memory_update",    "memory_delete",
      "budget_status",      "budget_check",    "session_start",    "session_update",
      "session_checkpoint", "session_handoff", "session_end",      "session_status"};
  BOOST_TEST(tools.size() == 20u);
  BOOST_TEST((names == expected));
  BOOST_TEST(srv->capabilities().contains("tools"));
  auto bad_cursor = request("tools/list", {{"cursor", "abc"}});
  BOOST_TEST(bad_cursor["error"]["code"] == -32602);
}

BOOST_AUTO_TEST_CASE(tools_annotations_tell_read_only_from_destructive) {
  auto tools = request("tools/list", json::object())["result"]["tools"];
  auto hints = [&](const std::string& name) {
    for (const auto& t : tools)
      if (t["name"] == name) return t["annotations"];
    return json();
  };
  BOOST_TEST(hints("search_knowledge")["readOnlyHint"] == true);
  BOOST_TEST(hints("memory_delete")["destructiveHint"] == true);
  BOOST_TEST(hints("memory_delete")["readOnlyHint"] == false);
  BOOST_TEST(hints("memory_add")["idempotentHint"] == false);
}

BOOST_AUTO_TEST_CASE(tools_knowledge_tools_answer_with_structured_content) {
  auto search = ok("search_knowledge", {{"query", "lighthouses"}});
  bool found = false;
  for (const auto& hit : search["results"])
    found = found || hit["path"] == "guidelines/STYLE.md";
  BOOST_TEST(found);
  auto got = ok("get_knowledge", {{"target", "guidelines/STYLE.md"}});
  BOOST_TEST(contains(got["content"].get<std::string>(), "harbours"));
  BOOST_TEST(got["budget"]["limit"] == 4000); // the default budget
  BOOST_TEST(ok("get_guidelines", {{"name", "STYLE.md"}})["files_loaded"][0] ==
             "guidelines/STYLE.md");
  BOOST_TEST(ok("get_framework", {{"name", "beacon"}})["files_loaded"][0] ==
             "frameworks/BEACON.md");
  BOOST_TEST(ok("get_template", {{"name", "report"}})["files_loaded"][0] == "templates/REPORT.md");
  auto info = ok("kb_info");
  BOOST_TEST(info["info"]["documents"].get<int>() >= 17);
  BOOST_TEST(info["layers"]["layers"].is_array());
}

BOOST_AUTO_TEST_CASE(tools_get_context_stays_within_budget_and_lists_omitted) {
  auto r = call("get_context", {{"task", "how the beacon keeper logs the tide"}, {"budget", 600}});
  auto sc = r["structuredContent"];
  BOOST_TEST(sc["tokens"].get<int>() <= 600);
  BOOST_TEST(sc["complete"] == false);
  BOOST_TEST(!sc["omitted"].empty());
  BOOST_TEST(sc["omitted_count"].get<size_t>() >= sc["omitted"].size());
  BOOST_TEST(contains(r["content"][0]["text"].get<std::string>(), "left out by the budget"));
  auto d = ok("get_context", {{"task", "lighthouses"}});
  BOOST_TEST(d["budget"]["limit"] == 4000);
}

BOOST_AUTO_TEST_CASE(tools_unknown_tool_is_a_protocol_error) {
  auto answer = request("tools/call", {{"name", "no_such_tool"}, {"arguments", json::object()}});
  check_error(answer, error_code::invalid_params,
              "unknown tool: no_such_tool; call tools/list to see the tools");
  auto no_name = request("tools/call", {{"arguments", json::object()}});
  BOOST_TEST(no_name["error"]["code"] == -32602);
  auto bad_args = request("tools/call", {{"name", "kb_info"}, {"arguments", 3}});
  BOOST_TEST(bad_args["error"]["code"] == -32602);
}

BOOST_AUTO_TEST_CASE(tools_wrong_arguments_are_tool_errors_saying_what_to_pass) {
  auto limit = fails("search_knowledge", {{"query", "x"}, {"limit", "ten"}});
  BOOST_TEST(contains(limit, "`limit` must be an integer, got a string (\"ten\")"), limit);
  BOOST_TEST(contains(limit, "inputSchema"), limit);
  auto range = fails("search_knowledge", {{"query", "x"}, {"limit", 500}});
  BOOST_TEST(contains(range, "`limit` must be at least 1 and at most 50, got 500"), range);
  auto missing = fails("get_context", json::object());
  BOOST_TEST(contains(missing, "missing required argument `task`"), missing);
  auto unknown = fails("memory_get", {{"id", "x"}, {"ids", "y"}});
  BOOST_TEST(contains(unknown, "unknown argument `ids`; the accepted arguments are `id`"), unknown);
  auto tags = fails("memory_add", {{"content", "c"}, {"tags", {"a", 2}}});
  BOOST_TEST(contains(tags, "`tags[1]` must be a string, got an integer (2)"), tags);
  auto type = fails("memory_add", {{"content", "c"}, {"type", "note"}});
  BOOST_TEST(contains(type, "`type` must be one of \"conversation\""), type);
  auto nothing = fails("memory_update", {{"id", "x"}});
  BOOST_TEST(contains(nothing, "pass at least one of content"), nothing);
  auto not_found = fails("get_knowledge", {{"target", "guidelines/NOPE.md"}});
  BOOST_TEST(contains(not_found, "kb_info"), not_found);
}

BOOST_AUTO_TEST_CASE(tools_memory_flow_add_search_get_update_delete) {
  auto added = ok("memory_add", {{"content", "the keeper prefers oil lamps"},
                                 {"type", "decision"},
                                 {"priority", "HIGH"},
                                 {"tags", {"lamps"}}});
  auto id = added["id"].get<std::string>();
  BOOST_TEST(added["priority"] == 70);
  BOOST_TEST(added["tokens"].get<int>() > 0);
  auto found = ok("memory_search", {{"query", "oil lamps"}});
  BOOST_REQUIRE(found["count"] == 1);
  BOOST_TEST(found["entries"][0]["id"] == id);
  BOOST_TEST(ok("memory_search", {{"tags", {"nothing"}}})["count"] == 0);
  BOOST_TEST(ok("memory_get", {{"id", id}})["content"] == "the keeper prefers oil lamps");
  auto updated =
      ok("memory_update", {{"id", id}, {"content", "electric lamps now"}, {"priority", 90}});
  BOOST_TEST(updated["content"] == "electric lamps now");
  BOOST_TEST(updated["priority"] == 90);
  BOOST_TEST(ok("memory_delete", {{"id", id}})["deleted"] == id);
  auto gone = fails("memory_get", {{"id", id}});
  BOOST_TEST(contains(gone, "memory_search"), gone);
}

BOOST_AUTO_TEST_CASE(tools_session_flow_and_budget) {
  auto started = ok("session_start", {{"objective", "repaint the lighthouse"},
                                      {"steps", {"scrape", "prime", "paint"}}});
  auto id = started["session"]["id"].get<std::string>();
  auto updated = ok("session_update", {{"session_id", id},
                                       {"complete_step", 0},
                                       {"decision", "use red paint"},
                                       {"add_step", "inspect"}});
  BOOST_TEST(updated["session"]["steps"][0]["done"] == true);
  BOOST_TEST(updated["session"]["steps"].size() == 4u);
  auto cp = ok("session_checkpoint", {{"session_id", id}, {"label", "primed"}});
  BOOST_TEST(cp["session_id"] == id);
  BOOST_TEST(cp["entries"].get<int>() >= 1);
  auto handoff = ok("session_handoff", {{"session_id", id}, {"max_tokens", 500}});
  BOOST_TEST(contains(handoff["markdown"].get<std::string>(), "repaint the lighthouse"));
  BOOST_TEST(handoff["tokens"].get<int>() <= 500);
  auto status = ok("session_status", {{"session_id", id}});
  BOOST_TEST(status["sessions"][0]["objective"] == "repaint the lighthouse");
  BOOST_TEST(ok("session_status", {{"status", "active"}})["count"] == 1);
  auto budget = ok("budget_status", {{"session_id", id}});
  BOOST_TEST(budget["level"] == "normal");
  auto check = ok("budget_check", {{"session_id", id}, {"tokens", 100}});
  BOOST_TEST(check["fits"] == true);
  BOOST_TEST(ok("budget_check", {{"session_id", id}, {"tokens", 10000000}})["fits"] == false);
  auto ended = ok("session_end", {{"session_id", id}});
  BOOST_TEST(ended["session"]["status"] == "ended");
  auto missing = fails("session_status", {{"session_id", "00000000-0000-4000-8000-000000000000"}});
  BOOST_TEST(contains(missing, "session_start"), missing);
  BOOST_TEST(contains(fails("session_start", json::object()), "pass an objective"));
}

BOOST_AUTO_TEST_CASE(tools_large_knowledge_answers_are_budgeted_under_the_limit) {
  auto r = call("get_knowledge", {{"target", "references"}, {"budget", 1000000}});
  BOOST_REQUIRE(r["isError"] == false);
  const auto& sc = r["structuredContent"];
  BOOST_TEST(sc["tokens"].get<uint64_t>() <= max_knowledge_budget);
  BOOST_TEST(!sc["omitted"].empty());
  BOOST_TEST(contains(sc["notice"].get<std::string>(), "lowered"));
  BOOST_TEST(tokens_of(r) <= max_result_tokens);
}

BOOST_AUTO_TEST_CASE(tools_results_over_the_token_limit_are_cut) {
  // a registry of its own with a small limit, and a tool answering far more than it
  const auto& counter = engine->context()->tokens;
  tool_registry reg([&](std::string_view t) { return counter.count(t); }, 2000);
  std::string big;
  for (int i = 0; i < 3000; ++i)
    big += "word" + std::to_string(i) + " ";
  reg.add({"big",
           "Big",
           "answers a lot",
           {{"type", "object"}},
           {{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}},
           {true, false, true},
           [&](const json&) {
             return tool_output{{{"text", big}}, big};
           }});
  auto r = reg.call(*reg.find("big"), json::object());
  BOOST_REQUIRE(r["isError"] == false);
  BOOST_TEST(tokens_of(r) <= 2000u);
  BOOST_TEST(r["structuredContent"]["truncated"] == true);
  BOOST_TEST(contains(r["content"][0]["text"].get<std::string>(), "[cut here"));
  BOOST_TEST(contains(r["structuredContent"]["text"].get<std::string>(), "[cut here"));
  BOOST_TEST(!core::catalogue::check_against_schema(reg.find("big")->output_schema,
                                                    r["structuredContent"]));
}

BOOST_AUTO_TEST_CASE(tools_worker_pool_runs_tasks_and_drains_on_destruction) {
  std::atomic<int> done{0};
  {
    worker_pool p(2);
    for (int i = 0; i < 20; ++i)
      BOOST_TEST(p.submit([&] {
        std::this_thread::sleep_for(1ms);
        ++done;
      }));
    p.submit([] { throw std::runtime_error("boom"); });
  }
  BOOST_TEST(done.load() == 20);
}

BOOST_AUTO_TEST_CASE(tools_worker_pool_takes_turns_between_owners) {
  // One thread, held by a first task while a greedy owner queues ten tasks and then a second
  // owner one: the second owner's task runs after at most one of the greedy owner's.
  std::mutex mutex;
  std::vector<std::string> order;
  std::promise<void> release;
  auto gate = release.get_future().share();
  int greedy = 0, modest = 0;
  {
    worker_pool p(1);
    p.submit(&greedy, [gate] { gate.wait(); });
    for (int i = 0; i < 10; ++i)
      p.submit(&greedy, [&, i] {
        std::lock_guard lock{mutex};
        order.push_back("greedy " + std::to_string(i));
      });
    p.submit(&modest, [&] {
      std::lock_guard lock{mutex};
      order.push_back("modest");
    });
    release.set_value();
  }
  BOOST_REQUIRE_EQUAL(order.size(), 11u);
  auto modest_at = std::find(order.begin(), order.end(), "modest") - order.begin();
  BOOST_TEST(modest_at <= 1);
  // The greedy owner's tasks keep their order.
  std::vector<std::string> greedy_order;
  for (const auto& o : order)
    if (o != "modest") greedy_order.push_back(o);
  for (int i = 0; i < 10; ++i)
    BOOST_TEST(greedy_order[static_cast<size_t>(i)] == "greedy " + std::to_string(i));
}

BOOST_AUTO_TEST_SUITE_END()
