// The `sage` CLI driven as a process: exit codes, --json shapes and hostile input.
// SPDX-License-Identifier: MIT
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>

namespace fs = std::filesystem;
using sage::test::temp_dir;

namespace {

struct run_result {
  int code = -1;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs `sage` with a private HOME, cache and data dir so the user's files (knowledge base,
/// index cache, memory database) never leak into tests nor are touched by them.
struct cli {
  temp_dir home;
  std::string extra_env;

  run_result operator()(const std::vector<std::string>& args, const std::string& env = "") const {
    std::string cmd =
        "cd " + shell_quote(home.path().string()) +
        " && env -u SAGE_KB_PATH -u SAGE_CONFIG_PATH -u XDG_DATA_HOME -u SAGE_DATA_DIR HOME=" +
        shell_quote(home.path().string()) +
        " SAGE_CACHE_DIR=" + shell_quote((home.path() / "cache").string()) +
        " SAGE_DATA_DIR=" + shell_quote((home.path() / "data").string()) + " " + extra_env + " " +
        env + " " + shell_quote(SAGE_BINARY);
    for (const auto& a : args)
      cmd += " " + shell_quote(a);
    auto out = home.path() / "stdout", err = home.path() / "stderr";
    cmd += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(cli_process)

BOOST_AUTO_TEST_CASE(version_and_help) {
  cli sage;
  auto v = sage({"version"});
  BOOST_TEST(v.code == 0);
  BOOST_TEST(v.out.rfind("sage ", 0) == 0);
  BOOST_TEST(sage({"--version"}).out == v.out);
  auto h = sage({"--help"});
  BOOST_TEST(h.code == 0);
  BOOST_TEST(h.out.find("context") != std::string::npos);
  BOOST_TEST(h.out.find("Exit codes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(search_json_has_the_documented_shape) {
  cli sage;
  auto r = sage({"search", "timeout circuit breaker", "--json"});
  BOOST_REQUIRE_EQUAL(r.code, 0);
  auto j = r.json();
  BOOST_TEST(j["query"] == "timeout circuit breaker");
  BOOST_REQUIRE(j["results"].is_array());
  BOOST_REQUIRE(!j["results"].empty());
  for (const char* key : {"path", "uri", "title", "section", "layer", "score", "snippet", "tokens"})
    BOOST_TEST(j["results"][0].contains(key), key);
  BOOST_TEST(j["count"] == j["results"].size());
  BOOST_TEST(j["duration_ms"].is_number());
  BOOST_TEST(j["results"][0]["uri"].get<std::string>().rfind("knowledge://", 0) == 0);
}

BOOST_AUTO_TEST_CASE(context_json_is_a_load_result_within_budget) {
  cli sage;
  auto r =
      sage({"context", "add retries and timeouts to an HTTP client", "--budget", "1500", "--json"});
  BOOST_REQUIRE_EQUAL(r.code, 0);
  auto j = r.json();
  for (const char* key :
       {"content", "tokens", "status", "complete", "duration_ms", "timeout_ms", "files_loaded",
        "layers", "sections", "omitted", "budget", "errors", "index"})
    BOOST_TEST(j.contains(key), key);
  BOOST_TEST(j["status"] == "success");
  BOOST_TEST(j["tokens"].get<int>() <= 1500);
  BOOST_TEST(j["budget"]["limit"] == 1500);
  BOOST_TEST(j["budget"]["used"] == j["tokens"]);
  BOOST_TEST(j["index"]["generation"].is_number());
  // Same input, same output.
  BOOST_TEST(
      sage({"context", "add retries and timeouts to an HTTP client", "--budget", "1500"}).out ==
      sage({"context", "add retries and timeouts to an HTTP client", "--budget", "1500"}).out);
}

BOOST_AUTO_TEST_CASE(named_documents_and_errors_with_exit_codes) {
  cli sage;
  auto g = sage({"guidelines", "py", "--json"});
  BOOST_REQUIRE_EQUAL(g.code, 0);
  BOOST_TEST(g.json()["files_loaded"][0] == "guidelines/PYTHON.md");
  auto unknown = sage({"guidelines", "no-such-guideline"});
  BOOST_TEST(unknown.code == 3);
  BOOST_TEST(unknown.err.find("error: unknown guidelines name") != std::string::npos);
  BOOST_TEST(unknown.err.find("hint: available:") != std::string::npos);
  auto missing = sage({"get", "guidelines/NOPE"});
  BOOST_TEST(missing.code == 3);
  auto missing_json = sage({"get", "guidelines/NOPE", "--json"});
  BOOST_TEST(missing_json.json()["error"]["code"] == "not_found");
  BOOST_TEST(sage({"get", "core"}).code == 0);
  BOOST_TEST(sage({"frobnicate"}).code == 2);
  BOOST_TEST(sage({"search"}).code == 2);
  BOOST_TEST(sage({"context", "x", "--budget", "-5"}).code == 2);
  BOOST_TEST(sage({"search", "x", "--limit", "500"}).code == 2);
}

BOOST_AUTO_TEST_CASE(hostile_input_gets_clear_errors) {
  cli sage;
  auto passwd = sage({"get", "../../etc/passwd"});
  BOOST_TEST(passwd.code == 2);
  BOOST_TEST(passwd.err.find("leaves the knowledge base root") != std::string::npos);
  BOOST_TEST(passwd.out.find("root:") == std::string::npos);
  BOOST_TEST(sage({"get", "/etc/passwd"}).code == 2);
  BOOST_TEST(sage({"get", "knowledge://core/../../../etc/passwd"}).code == 2);
  auto bad_utf8 = sage({"search", "time\xff\xfeout"});
  BOOST_TEST(bad_utf8.code == 2);
  BOOST_TEST(bad_utf8.err.find("utf-8") != std::string::npos);
  auto empty = sage({"search", ""});
  BOOST_TEST(empty.code == 2);
  BOOST_TEST(empty.err.find("empty query") != std::string::npos);
  BOOST_TEST(sage({"search", "   "}).code == 2);
  auto huge = sage({"search", std::string(10000, 'a') + " timeout", "--json"});
  BOOST_TEST(huge.code == 0);
  BOOST_TEST(huge.json()["results"].is_array());
  BOOST_TEST(sage({"context", ""}).code == 2);
}

BOOST_AUTO_TEST_CASE(any_folder_of_markdown_can_be_served) {
  cli sage;
  temp_dir kb;
  kb.write("pages/common/tar.md",
           "# tar\n\n> Archiving utility.\n\n- Create an archive:\n\n`tar cf target.tar file`\n");
  auto r = sage({"--kb", kb.path().string(), "search", "archive", "--json"});
  BOOST_REQUIRE_EQUAL(r.code, 0);
  BOOST_TEST(r.json()["results"][0]["path"] == "pages/common/tar.md");
  BOOST_TEST(r.json()["results"][0]["layer"] == "other");
  auto env =
      sage({"search", "archive", "--json"}, "SAGE_KB_PATH=" + shell_quote(kb.path().string()));
  BOOST_TEST(env.json()["count"] == 1);
  auto nowhere = sage({"--kb", "/nonexistent/kb", "search", "x"});
  BOOST_TEST(nowhere.code == 3);
  BOOST_TEST(nowhere.err.find("hint:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(configuration_errors_exit_2_naming_source_and_key) {
  cli sage;
  auto bad_env = sage({"search", "x"}, "SAGE_TIMEOUT__LAYER=soon");
  BOOST_TEST(bad_env.code == 2);
  BOOST_TEST(bad_env.err.find("timeout.layer") != std::string::npos);
  BOOST_TEST(bad_env.err.find("SAGE_TIMEOUT__LAYER") != std::string::npos);
  sage.home.write("bad.yaml", "search:\n  default_limit: lots\n");
  auto bad_file = sage({"--config", (sage.home.path() / "bad.yaml").string(), "info"});
  BOOST_TEST(bad_file.code == 2);
  BOOST_TEST(bad_file.err.find("bad.yaml") != std::string::npos);
  BOOST_TEST(bad_file.err.find("search.default_limit") != std::string::npos);
  auto missing = sage({"--config", "/nonexistent.yaml", "info"});
  BOOST_TEST(missing.code == 2);
  auto show = sage({"config", "show", "--json"}, "SAGE_SEARCH__DEFAULT_LIMIT=7");
  BOOST_REQUIRE_EQUAL(show.code, 0);
  BOOST_TEST(show.out.find("7") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(layers_info_and_validate_on_the_bundled_knowledge_base) {
  cli sage;
  auto layers = sage({"layers", "--json"});
  BOOST_REQUIRE_EQUAL(layers.code, 0);
  auto l = layers.json()["layers"];
  BOOST_TEST(l.size() >= 8u);
  for (const auto& layer : l)
    if (layer["name"] != "other") BOOST_TEST(layer["documents"].get<int>() >= 1, layer["name"]);
  auto info = sage({"info", "--json"});
  BOOST_REQUIRE_EQUAL(info.code, 0);
  BOOST_TEST(info.json()["documents"].get<int>() >= 25);
  auto v = sage({"validate", "--json"});
  BOOST_TEST(v.code == 0, v.out);
  BOOST_TEST(v.json()["valid"] == true);
  BOOST_TEST(v.json()["links_checked"].get<int>() > 10);
}

BOOST_AUTO_TEST_CASE(validate_reports_broken_links_and_anchors) {
  cli sage;
  temp_dir kb;
  kb.write("core/A.md", "# A\n\n## Part\n\n[ok](B.md#beta) [anchor](#part) [bad](B.md#nope) "
                        "[gone](MISSING.md) [out](../../etc/passwd) [web](https://example.com)\n");
  kb.write("core/B.md", "# Beta\n");
  auto r = sage({"--kb", kb.path().string(), "validate", "--json"});
  BOOST_TEST(r.code == 1);
  auto j = r.json();
  BOOST_TEST(j["errors"] == 3);
  BOOST_TEST(j["links_checked"] == 5);
}

BOOST_AUTO_TEST_CASE(second_call_uses_the_index_cache) {
  cli sage;
  auto first = sage({"info", "--json"});
  auto second = sage({"info", "--json"});
  BOOST_REQUIRE_EQUAL(second.code, 0);
  BOOST_TEST(first.json()["index"]["files_parsed"].get<int>() > 0);
  BOOST_TEST(second.json()["index"]["files_parsed"] == 0);
  BOOST_TEST(second.json()["index"]["files_from_cache"] == first.json()["documents"]);
}

BOOST_AUTO_TEST_SUITE_END()
