// MCP resources over a real engine and a small knowledge base: listing with pages, reading
// documents, layers and handoffs, refusing URIs that leave the knowledge base, templates.
// SPDX-License-Identifier: MIT
#include "services/mcp/resources.hpp"

#include "mcp/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace sage::services::mcp;
using namespace sage::services::mcp::test;

namespace {

std::set<std::string> uris_of(const json& resources) {
  std::set<std::string> out;
  for (const auto& r : resources)
    out.insert(r["uri"].get<std::string>());
  return out;
}

struct small_pages : engine_fixture {
  small_pages() : engine_fixture(4) {}
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(mcp_resources, engine_fixture)

BOOST_AUTO_TEST_CASE(capabilities_declare_resources_prompts_completions_and_logging) {
  auto caps = srv->capabilities();
  BOOST_TEST(caps["resources"]["subscribe"] == true);
  BOOST_TEST(caps["resources"]["listChanged"] == true);
  BOOST_TEST(caps.contains("prompts"));
  BOOST_TEST(caps.contains("completions"));
  BOOST_TEST(caps.contains("logging"));
}

BOOST_AUTO_TEST_CASE(list_holds_every_document_and_every_layer) {
  auto r = ok("resources/list");
  BOOST_TEST(!r.contains("nextCursor"));
  auto uris = uris_of(r["resources"]);
  for (const char* uri :
       {"knowledge://core/PRINCIPLES.md", "knowledge://guidelines/STYLE.md",
        "knowledge://guidelines/testing/SEA_TRIALS.md", "knowledge://frameworks/BEACON.md",
        "knowledge://templates/REPORT.md", "knowledge://index/INDEX.md", "knowledge://core",
        "knowledge://guidelines", "knowledge://templates"})
    BOOST_TEST(uris.contains(uri), uri);
  for (const auto& res : r["resources"]) {
    BOOST_TEST(res["mimeType"] == "text/markdown");
    BOOST_TEST(!res["name"].get<std::string>().empty());
    BOOST_TEST(!res["title"].get<std::string>().empty());
    if (res["uri"] == "knowledge://guidelines/STYLE.md") {
      BOOST_TEST(res["title"] == "Style");
      BOOST_TEST(res["name"] == "STYLE.md");
      BOOST_TEST(res["size"].get<uint64_t>() > 0u);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(list_pages_with_a_cursor_and_refuses_a_foreign_cursor, small_pages) {
  std::set<std::string> all;
  json params = json::object();
  int pages = 0;
  for (; pages < 20; ++pages) {
    auto r = ok("resources/list", params);
    BOOST_TEST(r["resources"].size() <= 4u);
    for (const auto& u : uris_of(r["resources"]))
      BOOST_TEST(all.insert(u).second, "listed twice: " << u);
    if (!r.contains("nextCursor")) break;
    params = {{"cursor", r["nextCursor"]}};
  }
  // 8 layers and 7 documents
  BOOST_TEST(all.size() == 15u);
  BOOST_TEST(pages == 3);
  auto e = fails("resources/list", {{"cursor", "not-a-cursor"}});
  BOOST_TEST(e["code"] == -32602);
  BOOST_TEST(fails("resources/list", {{"cursor", "o999"}})["code"] == -32602);
}

BOOST_AUTO_TEST_CASE(read_returns_the_documents_markdown) {
  auto r = ok("resources/read", {{"uri", "knowledge://guidelines/STYLE.md"}});
  BOOST_REQUIRE(r["contents"].size() == 1u);
  const auto& c = r["contents"][0];
  BOOST_TEST(c["uri"] == "knowledge://guidelines/STYLE.md");
  BOOST_TEST(c["mimeType"] == "text/markdown");
  BOOST_TEST(c["text"] == kb_doc("Style", "Write about lighthouses and harbours."));
  // nested paths and the index, whose layer is a single file
  auto nested = ok("resources/read", {{"uri", "knowledge://guidelines/testing/SEA_TRIALS.md"}});
  BOOST_TEST(nested["contents"][0]["text"].get<std::string>().find("Test lamps at sea.") !=
             std::string::npos);
  auto index = ok("resources/read", {{"uri", "knowledge://index/INDEX.md"}});
  BOOST_TEST(index["contents"][0]["text"].get<std::string>().find("Start here") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(read_of_a_layer_gives_its_content_within_the_budget) {
  auto r = ok("resources/read", {{"uri", "knowledge://guidelines"}});
  const auto text = r["contents"][0]["text"].get<std::string>();
  BOOST_TEST(r["contents"][0]["uri"] == "knowledge://guidelines");
  BOOST_TEST(text.find("Write about lighthouses") != std::string::npos);
  BOOST_TEST(text.find("Lock the lamp room") != std::string::npos);
  BOOST_TEST(text.find("4000-token budget") != std::string::npos, text);
  auto e = fails("resources/read", {{"uri", "knowledge://nonsense"}});
  BOOST_TEST(e["code"] == resource_not_found_code);
}

BOOST_AUTO_TEST_CASE(read_refuses_uris_that_leave_the_knowledge_base) {
  for (const char* uri :
       {"knowledge://core/../../etc/passwd", "knowledge://core/%2e%2e/%2e%2e/etc/passwd",
        "knowledge://core/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "knowledge:///etc/passwd",
        "knowledge://core//etc/passwd", "/etc/passwd", "file:///etc/passwd",
        "knowledge://core/MISSING.md", "memory://session/../handoff",
        "memory://session/x/y/handoff", "memory://other"}) {
    auto e = fails("resources/read", {{"uri", uri}});
    BOOST_TEST(e["code"] == resource_not_found_code, uri);
    BOOST_TEST(e["message"].get<std::string>().starts_with("resource not found"), uri);
    BOOST_TEST(e["data"]["uri"] == uri);
    BOOST_TEST(e["message"].get<std::string>().find("root:") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(read_refuses_malformed_params_with_invalid_params) {
  BOOST_TEST(fails("resources/read", json::object())["code"] == -32602);
  BOOST_TEST(fails("resources/read", {{"uri", 42}})["code"] == -32602);
  BOOST_TEST(fails("resources/read", {{"uri", ""}})["code"] == -32602);
  BOOST_TEST(fails("resources/read", {{"uri", "knowledge://core/%zz"}})["code"] == -32602);
  BOOST_TEST(fails("resources/read", {{"uri", "knowledge://core/%00x"}})["code"] == -32602);
}

BOOST_AUTO_TEST_CASE(templates_list_the_knowledge_and_handoff_templates) {
  auto r = ok("resources/templates/list");
  std::set<std::string> templates;
  for (const auto& t : r["resourceTemplates"]) {
    templates.insert(t["uriTemplate"].get<std::string>());
    BOOST_TEST(!t["name"].get<std::string>().empty());
    BOOST_TEST(t["mimeType"] == "text/markdown");
  }
  BOOST_TEST(templates == (std::set<std::string>{"knowledge://{layer}/{path}",
                                                 "memory://session/{session_id}/handoff"}));
  BOOST_TEST(fails("resources/templates/list", {{"cursor", "x"}})["code"] == -32602);
}

BOOST_AUTO_TEST_CASE(handoff_resource_of_a_started_session) {
  auto id = start_session("paint the lighthouse red");
  auto uri = "memory://session/" + id + "/handoff";
  auto r = ok("resources/read", {{"uri", uri}});
  BOOST_TEST(r["contents"][0]["uri"] == uri);
  BOOST_TEST(r["contents"][0]["mimeType"] == "text/markdown");
  BOOST_TEST(r["contents"][0]["text"].get<std::string>().find("paint the lighthouse red") !=
             std::string::npos);
  auto e = fails("resources/read", {{"uri", "memory://session/no-such-session/handoff"}});
  BOOST_TEST(e["code"] == resource_not_found_code);
}

BOOST_AUTO_TEST_SUITE_END()
