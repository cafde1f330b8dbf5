// The operation catalogue against the three surfaces derived from it, on the real binary: the
// MCP tools of `tools/list`, the OpenAPI document of the HTTP API, and `sage <command> --help`.
// Every operation the catalogue offers on an interface is there with the catalogue's name,
// parameters, bounds, defaults and hints, and nothing is there that the catalogue does not hold.
// SPDX-License-Identifier: MIT
#include "support/api_server_process.hpp"
#include "support/mcp_curl.hpp"
#include "support/sage_sandbox.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using nlohmann::json;
using sage::test::api_server_process;
using sage::test::sage_sandbox;
using sage::test::temp_dir;

namespace {

/// What `sage operations --json` prints: the catalogue under the effective configuration.
const json& catalogue() {
  static sage_sandbox sandbox;
  static json c = sandbox.ok({"operations"});
  return c;
}

struct surfaces {
  temp_dir home;
  api_server_process server{home};
  json openapi;
  json tools;

  surfaces() {
    server.wait_for_listening();
    openapi = server.get("/v1/openapi.json").json();
    sage::test::mcp_http::mcp_curl_client mcp(home.path(), server.mcp_url());
    auto session = mcp.open_session();
    auto listed = mcp.post_json(sage::test::mcp_http::request_body(2, "tools/list", json::object()),
                                session, sage::test::mcp_http::json_accept);
    tools = listed.answer()["result"]["tools"];
  }
};

surfaces& live() {
  static surfaces s;
  return s;
}

bool offered(const json& op, const char* interface) {
  return op["interfaces"][interface]["offered"].get<bool>();
}

bool param_offered(const json& p, const char* interface) {
  if (!p.contains("left_out")) return true;
  for (const auto& i : p["left_out"]["interfaces"])
    if (i == interface) return false;
  return true;
}

/// The bounds a surface must show for a parameter, from its catalogue schema.
void check_bounds(const json& expected, const json& shown, const std::string& where) {
  BOOST_TEST_CONTEXT(where << ": expected " << expected.dump() << ", shown " << shown.dump()) {
    for (const char* key : {"minimum", "maximum", "minLength", "maxLength", "maxItems", "enum"}) {
      BOOST_TEST(expected.contains(key) == shown.contains(key), "keyword " << key);
      if (expected.contains(key) && shown.contains(key)) BOOST_TEST(expected[key] == shown[key]);
    }
    if (expected.contains("items") && shown.contains("items"))
      check_bounds(expected["items"], shown["items"], where + "[]");
  }
}

const json* find_tool(const std::string& name) {
  for (const auto& t : live().tools)
    if (t["name"] == name) return &t;
  return nullptr;
}

} // namespace

BOOST_AUTO_TEST_SUITE(catalogue_surfaces)

BOOST_AUTO_TEST_CASE(
    the_catalogue_lists_every_operation_with_a_reason_for_each_interface_left_out) {
  const auto& c = catalogue();
  BOOST_TEST(c["count"] == c["operations"].size());
  BOOST_TEST(c["operations"].size() >= 30u);
  for (const auto& op : c["operations"]) {
    BOOST_TEST_CONTEXT(op["name"]) {
      BOOST_TEST(!op["summary"].get<std::string>().empty());
      BOOST_TEST(op["timeout"].get<std::string>().size() == 2u);
      for (const char* i : {"cli", "mcp", "http"})
        if (!offered(op, i))
          BOOST_TEST(!op["interfaces"][i]["reason"].get<std::string>().empty(), i);
    }
  }
}

BOOST_AUTO_TEST_CASE(mcp_tools_are_the_catalogue_operations_mcp_offers) {
  std::set<std::string> expected, listed;
  for (const auto& op : catalogue()["operations"]) {
    if (!offered(op, "mcp")) continue;
    auto name = op["name"].get<std::string>();
    expected.insert(name);
    const auto* tool = find_tool(name);
    BOOST_REQUIRE_MESSAGE(tool != nullptr, "tools/list lacks " << name);
    const auto& schema = (*tool)["inputSchema"];
    std::set<std::string> params, shown, required, shown_required;
    for (const auto& p : op["parameters"]) {
      if (!param_offered(p, "mcp")) continue;
      auto pname = p["name"].get<std::string>();
      params.insert(pname);
      if (p["required"]) required.insert(pname);
      BOOST_REQUIRE_MESSAGE(schema["properties"].contains(pname), name << " lacks " << pname);
      const auto& prop = schema["properties"][pname];
      check_bounds(p["schema"], prop, name + "." + pname);
      auto default_value =
          p.contains("mcp_default") ? p["mcp_default"]["value"] : p.value("default", json());
      BOOST_TEST(prop.value("default", json()) == default_value, name << "." << pname);
    }
    for (const auto& [key, value] : schema["properties"].items())
      shown.insert(key);
    for (const auto& r : schema.value("required", json::array()))
      shown_required.insert(r.get<std::string>());
    BOOST_TEST(params == shown, name);
    BOOST_TEST(required == shown_required, name);
    const auto& hints = (*tool)["annotations"];
    BOOST_TEST(hints["readOnlyHint"] == op["read_only"], name);
    BOOST_TEST(hints["idempotentHint"] == op["idempotent"], name);
    BOOST_TEST(hints["destructiveHint"] == op["destructive"], name);
  }
  for (const auto& t : live().tools)
    listed.insert(t["name"].get<std::string>());
  BOOST_TEST(expected == listed);
}

BOOST_AUTO_TEST_CASE(openapi_operations_are_the_catalogue_operations_http_offers) {
  const auto& paths = live().openapi["paths"];
  std::set<std::string> documented;
  for (const auto& [path, item] : paths.items())
    for (const auto& [method, o] : item.items())
      documented.insert(o["operationId"].get<std::string>());
  std::set<std::string> expected;
  for (const auto& op : catalogue()["operations"]) {
    if (!offered(op, "http")) continue;
    auto name = op["name"].get<std::string>();
    const auto& http = op["interfaces"]["http"];
    auto path = http["path"].get<std::string>();
    std::string method = http["method"];
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    if (name == "get_metrics" && !paths.contains(path)) continue; // only with metrics_on_api
    expected.insert(name);
    BOOST_REQUIRE_MESSAGE(paths.contains(path) && paths[path].contains(method),
                          "the document lacks " << method << " " << path);
    const auto& doc = paths[path][method];
    BOOST_TEST(doc["operationId"] == name);
    // every parameter: in the path, in the query (with its older names deprecated), or in
    // the body's schema
    static const json none = json::array();
    const auto& query = doc.contains("parameters") ? doc["parameters"] : none;
    json body_props = json::object();
    if (doc.contains("requestBody"))
      body_props = doc["requestBody"]["content"]["application/json"]["schema"]["properties"];
    for (const auto& p : op["parameters"]) {
      if (!param_offered(p, "http")) continue;
      auto pname = p["name"].get<std::string>();
      const json* shown = nullptr;
      for (const auto& q : query)
        if (q["name"] == pname) shown = &q["schema"];
      if (shown == nullptr && body_props.contains(pname)) shown = &body_props[pname];
      BOOST_REQUIRE_MESSAGE(shown != nullptr, name << " does not document " << pname);
      if (p["type"] != "priority") check_bounds(p["schema"], *shown, name + "." + pname);
      for (const auto& alias : p.value("aliases", json::array())) {
        if (body_props.contains(pname)) continue; // aliases are query names
        bool deprecated = false;
        for (const auto& q : query)
          deprecated = deprecated || (q["name"] == alias && q.value("deprecated", false));
        BOOST_TEST(deprecated, name << ": " << alias << " is not documented as deprecated");
      }
    }
  }
  BOOST_TEST(expected == documented);
}

BOOST_AUTO_TEST_CASE(cli_help_shows_every_parameter_with_the_catalogue_name_and_bounds) {
  sage_sandbox sage;
  for (const auto& op : catalogue()["operations"]) {
    if (!offered(op, "cli")) continue;
    auto command = op["interfaces"]["cli"]["command"].get<std::string>(); // "sage memory add"
    std::vector<std::string> args;
    std::istringstream words(command.substr(5));
    for (std::string w; words >> w;)
      args.push_back(w);
    args.push_back("--help");
    auto help = sage(args);
    BOOST_TEST_CONTEXT(command) {
      BOOST_REQUIRE_EQUAL(help.code, 0);
      BOOST_TEST(help.out.find(op["summary"].get<std::string>()) != std::string::npos);
      for (const auto& p : op["parameters"]) {
        if (!param_offered(p, "cli")) continue;
        auto pname = p["name"].get<std::string>();
        auto option = "--" + pname;
        std::replace(option.begin(), option.end(), '_', '-');
        bool shown = help.out.find(option) != std::string::npos ||
                     help.out.find(pname + " ") != std::string::npos; // a positional
        BOOST_TEST(shown, pname);
        const auto& s = p["schema"];
        if (s.contains("minimum") && s.contains("maximum"))
          BOOST_TEST(help.out.find(std::to_string(s["minimum"].get<int64_t>()) + " to " +
                                   std::to_string(s["maximum"].get<int64_t>())) !=
                         std::string::npos,
                     pname);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_same_parameter_has_the_same_bounds_on_every_interface) {
  // The drift the catalogue removed: search's limit from the configuration, one budget bound,
  // include_retired on MCP too.
  const auto* search = find_tool("search_knowledge");
  BOOST_REQUIRE(search != nullptr);
  const auto& limit = (*search)["inputSchema"]["properties"]["limit"];
  json search_op;
  for (const auto& op : catalogue()["operations"])
    if (op["name"] == "search_knowledge") search_op = op;
  BOOST_TEST(limit["maximum"] == search_op["parameters"][1]["schema"]["maximum"]);
  BOOST_TEST(limit["default"] == search_op["parameters"][1]["default"]);
  BOOST_TEST((*search)["inputSchema"]["properties"].contains("include_retired"));
  for (const char* tool : {"get_knowledge", "get_context", "get_guidelines"})
    BOOST_TEST(find_tool(tool)->at("inputSchema")["properties"]["budget"]["maximum"] == 1000000);
  const auto& context = live().openapi["paths"]["/v1/context"]["post"];
  BOOST_TEST(context["requestBody"]["content"]["application/json"]["schema"]["properties"]["budget"]
                    ["maximum"] == 1000000);
}

BOOST_AUTO_TEST_CASE(older_http_names_still_work_and_two_names_at_once_are_refused) {
  auto& s = live().server;
  BOOST_TEST(s.get("/v1/search?q=timeout&limit=2").status == 200);
  BOOST_TEST(s.get("/v1/search?query=timeout&limit=2").status == 200);
  auto both = s.get("/v1/search?query=timeout&q=timeout");
  BOOST_TEST(both.status == 400);
  BOOST_TEST(both.body.find("exactly one of") != std::string::npos, both.body);
  BOOST_TEST(s.get("/v1/knowledge?target=core&budget=50").status == 200);
  BOOST_TEST(s.get("/v1/knowledge?layer=core&budget=50").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
